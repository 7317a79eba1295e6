"""One failing document must not stop the others.

spaCy calls a pipe's error handler when a component raises inside
``nlp.pipe``. ``document_error_handling`` installs a handler that drops the
failing batch (the caller then retries its documents one by one, with
``handler.raising()``, to find the one that fails) and restores the previous
handlers afterwards. Used by ``api.analyze`` and ``batch.process_items``.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterator

from spacy.language import Language

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
