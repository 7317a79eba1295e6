"""Lone surrogates (e.g. a JSON "\\ud800" escape) become U+FFFD on every path, so every format can store them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline import analyze

TEXT = "Lena Hofbauer \ud800 (Zwickau) gewinnt in Hockenheim. „Ein guter Tag\udc00“, sagte Hofbauer."
CLEAN = TEXT.replace("\ud800", "\ufffd").replace("\udc00", "\ufffd")


def inputs(kind: str, tmp_path: Path):
    if kind == "text":
        return [TEXT]
    if kind == "dataframe":
        return pd.DataFrame({"text": pd.Series([TEXT], dtype=object)})  # pandas' str dtype refuses them
    path = tmp_path / "archiv.jsonl"
    path.write_text('{"id": "a", "text": "Lena Hofbauer \\ud800 (Zwickau) gewinnt in Hockenheim. '
                    '„Ein guter Tag\\udc00“, sagte Hofbauer."}\n', encoding="utf-8")
    return [path]


@pytest.mark.parametrize("kind", ["text", "dataframe", "jsonl"])
def test_analyze_replaces_lone_surrogates_and_writes_every_format(tmp_path: Path, offline_nlp, kind: str) -> None:
    result = analyze(inputs(kind, tmp_path), nlp=offline_nlp, errors="raise")

    assert result.errors.empty
    text = result.documents["text"].iloc[0]
    assert text == CLEAN
    for row in result.entities.itertuples():  # offsets still point at the entities
        assert text[row.start_char:row.end_char] == row.text
    assert not result.entities.empty

    result.write(tmp_path / "out", formats=("csv", "parquet"))
    assert pd.read_parquet(tmp_path / "out" / "documents.parquet")["text"].iloc[0] == CLEAN
    assert CLEAN in (tmp_path / "out" / "documents.csv").read_text(encoding="utf-8-sig")
