"""One failing document must not stop the others.

spaCy calls a pipe's error handler when a component raises inside
``nlp.pipe``. ``document_error_handling`` installs a handler that drops the
failing batch (the caller then retries its documents one by one, with
``handler.raising()``, to find the one that fails) and restores the previous
handlers afterwards. ``pipe_each`` is the loop around it that both
``engine.process_items`` uses (``analyze``, runs and Dask workers alike).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Iterator

from spacy.language import Language
from spacy.tokens import Doc

from .tokenize import pipe_input

logger = logging.getLogger(__name__)


class DroppingErrorHandler:
    """spaCy error handler: inside ``nlp.pipe`` drop the failing docs (they are
    retried alone afterwards); for a doc processed alone, raise."""

    def __init__(self) -> None:
        self.swallow = True

    def __call__(self, name, proc, docs, error) -> None:
        if not self.swallow:
            raise error
        logger.debug("component %s failed on a batch of %s doc(s): %s: %s", name,
                     len(docs) if docs else "?", error.__class__.__name__, error)

    @contextmanager
    def raising(self) -> Iterator[None]:
        self.swallow = False
        try:
            yield
        finally:
            self.swallow = True


@contextmanager
def document_error_handling(nlp: Language) -> Iterator[DroppingErrorHandler]:
    handler = DroppingErrorHandler()
    previous = {name: pipe.get_error_handler() for name, pipe in nlp.pipeline if hasattr(pipe, "get_error_handler")}
    previous_default = nlp.default_error_handler
    set_error_handler(nlp, handler)
    try:
        yield handler
    finally:
        nlp.default_error_handler = previous_default
        for name, pipe in nlp.pipeline:
            if name in previous:
                set_pipe_error_handler(pipe, previous[name])


def pipe_each(nlp: Language, texts: Sequence[str], handler: DroppingErrorHandler, *, batch_size: int,
              disable: Sequence[str] = ()) -> Iterator[tuple[int, Doc | Exception]]:
    """(index, Doc or the exception it failed with) for every text, in order.

    One ``nlp.pipe`` stream. A batch the handler dropped is retried one text at
    a time; a stream broken by a component without error handling is retried
    alone up to where it had read, then the stream resumes after it.
    """
    position = 0
    while position < len(texts):
        consumed = position

        def feed(start: int) -> Iterator[tuple[str, int]]:
            nonlocal consumed
            for index in range(start, len(texts)):
                consumed = index + 1
                yield pipe_input(nlp, texts[index]), index

        try:
            for doc, index in nlp.pipe(feed(position), as_tuples=True, batch_size=batch_size, disable=disable):
                while position < index:  # skipped: dropped by the error handler with their batch
                    yield position, _alone(nlp, texts[position], handler, disable)
                    position += 1
                yield index, doc
                position = index + 1
        except Exception as error:  # a component without error handling broke the stream
            logger.debug("pipeline stream failed; retrying the pending documents alone", exc_info=True)
            if consumed == position:
                raise  # nothing was read: not a document's fault
            logger.info("batch failed (%s: %s); retrying %d document(s) alone",
                        error.__class__.__name__, first_line(error), consumed - position)
            while position < consumed:
                yield position, _alone(nlp, texts[position], handler, disable)
                position += 1
            continue
        while position < len(texts):  # dropped at the very end of the stream
            yield position, _alone(nlp, texts[position], handler, disable)
            position += 1


def _alone(nlp: Language, text: str, handler: DroppingErrorHandler, disable: Sequence[str]) -> Doc | Exception:
    try:
        with handler.raising():
            return nlp(pipe_input(nlp, text), disable=disable)
    except Exception as error:
        return error


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else error.__class__.__name__


def set_error_handler(nlp: Language, handler) -> None:
    # Not nlp.set_error_handler(): it raises AttributeError for Cython pipes such as
    # "ner" (spaCy 3.8), whose failures then reach the stream fallback in _pipe_parts.
    nlp.default_error_handler = handler
    for _, pipe in nlp.pipeline:
        set_pipe_error_handler(pipe, handler)


def set_pipe_error_handler(pipe, handler) -> None:
    if hasattr(pipe, "set_error_handler"):
        try:
            pipe.set_error_handler(handler)
        except AttributeError:
            pass
