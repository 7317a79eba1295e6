"""Base model resolution: which German pipeline the motorsport layer sits on.

Order:
1. ``model`` given by the user (installed package name or a path);
2. ``de_core_news_md`` when it is importable;
3. the embedded offline base: blank German with a sentencizer and lookup
   lemmas from ``spacy-lookups-data``.

Nothing is ever downloaded.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.pipeline.sentencizer import Sentencizer

from .components.sentencizer import FACTORY_NAME as SENTENCIZER_FACTORY

logger = logging.getLogger(__name__)

DEFAULT_STATISTICAL_MODEL = "de_core_news_md"
OFFLINE_BASE_NAME = "offline:blank-de"


class ModelNotFound(RuntimeError):
    """The requested base model is neither an installed package nor a path."""


@dataclass(frozen=True)
class BaseInfo:
    name: str  # package name, path or OFFLINE_BASE_NAME
    kind: str  # "statistical" | "offline"
    version: str
    components: tuple[str, ...]
    has_ner: bool
    has_parser: bool

    def as_dict(self) -> dict:
        return asdict(self)


def _describe(nlp: Language, name: str, kind: str) -> BaseInfo:
    return BaseInfo(
        name=name,
        kind=kind,
        version=str(nlp.meta.get("version", "")),
        components=tuple(nlp.pipe_names),
        has_ner="ner" in nlp.pipe_names,
        has_parser="parser" in nlp.pipe_names,
    )


# Paragraph breaks end sentences too: subheadings and datelines have no full stop.
SENTENCE_END_CHARS = Sentencizer.default_punct_chars + ["\n", "\n\n", "\n\n\n"]


def add_sentencizer(nlp: Language) -> None:
    """spaCy's sentencizer rule (``components.sentencizer``: the same boundaries, faster), named ``sentencizer``."""
    nlp.add_pipe(SENTENCIZER_FACTORY, name="sentencizer", first=True, config={"punct_chars": SENTENCE_END_CHARS})


def offline_base(*, lemmatizer: bool = True) -> Language:
    """Blank German plus sentence boundaries and (unless ``lemmatizer=False``) lookup lemmas; no download."""
    nlp = spacy.blank("de")
    add_sentencizer(nlp)
    if not lemmatizer:  # batch runs: no table carries lemmas, and the lookup table costs load time and memory
        nlp.meta["name"] = "offline_base"
        return nlp
    try:
        lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        lemmatizer.initialize()  # reads the table from spacy-lookups-data, offline
    except (ImportError, ValueError, OSError) as error:  # lookups package missing or broken
        logger.warning("lookup lemmas unavailable (%s); continuing without lemmas", error)
        if "lemmatizer" in nlp.pipe_names:
            nlp.remove_pipe("lemmatizer")
    nlp.meta["name"] = "offline_base"
    return nlp


def _load_statistical(name: str, *, lemmatizer: bool = True) -> Language:
    # Sentence boundaries are needed; a parser or senter gives them, else add one.
    nlp = spacy.load(name, exclude=() if lemmatizer else ("lemmatizer",))
    if not any(pipe in nlp.pipe_names for pipe in ("parser", "senter", "sentencizer")):
        add_sentencizer(nlp)
    return nlp


def resolve_base(model: str | None = None, *, lemmatizer: bool = True) -> tuple[Language, BaseInfo]:
    """Load the base pipeline following the documented order; ``lemmatizer=False`` leaves lemmas out."""
    if model:
        path = Path(model)
        if not path.exists() and importlib.util.find_spec(model.replace("-", "_")) is None:
            raise ModelNotFound(
                f"base model {model!r} is neither a directory nor an installed package; "
                f"install it with `python -m spacy download {model}` or give a path"
            )
        nlp = _load_statistical(str(path) if path.exists() else model, lemmatizer=lemmatizer)
        info = _describe(nlp, str(model), "statistical")
    elif importlib.util.find_spec(DEFAULT_STATISTICAL_MODEL) is not None:
        nlp = _load_statistical(DEFAULT_STATISTICAL_MODEL, lemmatizer=lemmatizer)
        info = _describe(nlp, DEFAULT_STATISTICAL_MODEL, "statistical")
    else:
        nlp = offline_base(lemmatizer=lemmatizer)
        info = _describe(nlp, OFFLINE_BASE_NAME, "offline")
    logger.info("base model: %s (%s)", info.name, info.kind)
    return nlp, info


def base_model_name(nlp: Language) -> str:
    """The name of the base under ``nlp`` (``nlp.meta["motorsport"]["base"]``, set by ``load_pipeline``)."""
    return nlp.meta.get("motorsport", {}).get("base", {}).get("name", nlp.meta.get("name", ""))
