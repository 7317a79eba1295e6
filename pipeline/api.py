"""The plain-Python API that notebooks and the CLI share.

>>> from pipeline import analyze
>>> result = analyze(["Lena Hofbauer (Rosenheim) gewann im Porsche 911 GT3 R."])
>>> result.drivers
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd
from spacy.language import Language

from . import extensions  # noqa: F401
from .base import resolve_base
from .tables import build_frames, doc_to_rows, empty_rows, merge_rows

logger = logging.getLogger(__name__)

# Component order matters: each step reads what the previous ones wrote.
DEFAULT_COMPONENTS = (
    "motorsport_rulers",  # teams, cars, makers, series, circuits, classes
    "motorsport_persons",  # full names, driver or official, roles
    "motorsport_names",  # surnames, crews, descriptions → mentions
    "motorsport_hometowns",  # brackets and "aus"
    "motorsport_quotes",  # quote detection
    "motorsport_linking",  # driver → team/car; final doc.ents
    "motorsport_attribution",  # quote → speaker
)
DEFAULT_BATCH_SIZE = 64


def load_pipeline(model: str | None = None, *, components: Sequence[str] = DEFAULT_COMPONENTS) -> Language:
    """The base model (see ``pipeline.base``) plus the motorsport components.

    ``nlp.meta["motorsport"]["base"]`` records which base was used.
    """
    # Importing the modules registers the factories even without an installed
    # entry point (e.g. running from a source checkout).
    from . import components as _components  # noqa: F401

    nlp, info = resolve_base(model)
    for name in components:
        nlp.add_pipe(name)
    nlp.meta["motorsport"] = {"base": info.as_dict()}
    return nlp


def base_model_name(nlp: Language) -> str:
    return nlp.meta.get("motorsport", {}).get("base", {}).get("name", nlp.meta.get("name", ""))


@dataclass
class AnalysisResult:
    """Every table of an analysis as DataFrames, plus writers for people."""

    tables: dict[str, pd.DataFrame]
    base_model: str = ""
    docs: list = field(default_factory=list, repr=False)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def to_csv(self, out_dir: str | Path, *, dialect: str = "excel-de") -> list[Path]:
        from .io.writers import write_tables

        return write_tables(self.tables, out_dir, formats=("csv",), csv_dialect=dialect)

    def to_excel(self, path: str | Path) -> Path:
        from .io.writers import write_xlsx

        return write_xlsx(self.tables, path)

    def to_parquet(self, out_dir: str | Path) -> list[Path]:
        from .io.writers import write_tables

        return write_tables(self.tables, out_dir, formats=("parquet",))


def analyze(
    data: Iterable[str] | Iterable[Path] | pd.DataFrame,
    *,
    nlp: Language | None = None,
    model: str | None = None,
    text_column: str = "text",
    id_column: str | None = None,
    keep_docs: bool = False,
) -> AnalysisResult:
    """Analyse texts, file paths or a DataFrame with a text column.

    Strings are texts (ids ``doc-1``…); ``Path`` objects are files or folders
    read like the CLI does; a DataFrame uses ``text_column`` and ``id_column``
    (default: the index).
    """
    from .io.readers import ReadFailure, iter_documents

    nlp = nlp or load_pipeline(model)
    records: list[tuple[str, str, str]] = []
    rows = empty_rows()
    if isinstance(data, pd.DataFrame):
        if text_column not in data.columns:
            raise ValueError(f"DataFrame has no column {text_column!r}; columns: {list(data.columns)}")
        ids = data[id_column] if id_column else data.index
        records = [(str(i), str(t), "dataframe") for i, t in zip(ids, data[text_column]) if isinstance(t, str)]
    else:
        items = list(data)
        if all(isinstance(item, Path) for item in items):
            for result in iter_documents(items):
                if isinstance(result, ReadFailure):
                    rows["errors"].append({"doc_id": result.doc_id, "source": result.source, "stage": result.stage,
                                           "error_kind": result.kind, "message": result.message})
                else:
                    records.append((result.doc_id, result.text, result.source))
        else:
            records = [(f"doc-{n}", str(text), "text") for n, text in enumerate(items, start=1)]
    base = base_model_name(nlp)
    docs = []
    texts = (text for _, text, _ in records)
    for (doc_id, _, source), doc in zip(records, nlp.pipe(texts, batch_size=DEFAULT_BATCH_SIZE)):
        merge_rows(rows, doc_to_rows(doc, doc_id, source, base))
        if keep_docs:
            docs.append(doc)
    return AnalysisResult(tables=build_frames(rows), base_model=base, docs=docs)
