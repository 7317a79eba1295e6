"""``--engine dask``: the same tables as the local engine, on a LocalCluster.

The cluster test starts two worker processes (about 15-30 s here); it runs in
CI and skips when dask[distributed] is not installed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import dask_engine
from pipeline.batch import run_batch
from pipeline.engine import WorkItem
from pipeline.dask_engine import DaskUnavailable, iter_partitions, require_dask

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
TABLES = ("documents", "entities", "drivers", "people", "quotes", "errors", "drivers_summary")


def items(count: int, chars: int = 10) -> list[WorkItem]:
    return [WorkItem(seq, f"k{seq}", f"d{seq}", "test", text="x" * chars) for seq in range(count)]


def test_dask_engine_writes_the_same_tables_as_the_local_engine(tmp_path: Path, offline_nlp, monkeypatch) -> None:
    pytest.importorskip("distributed")
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "leer.txt").write_text("", encoding="utf-8")
    (inputs / "zusatz.jsonl").write_text(
        "".join(json.dumps({"id": str(n), "text": f"Lauf {n}: Ida Ambrosius (Passau) gewinnt im Audi R8 LMS evo II "
                                                  f"von Team Rheinauen. „Ein perfekter Tag“, sagte Ambrosius."},
                           ensure_ascii=False) + "\n" for n in range(25)), encoding="utf-8")
    sources = [SAMPLES, inputs, tmp_path / "fehlt.txt"]
    local = run_batch(sources, tmp_path / "local", nlp=offline_nlp, progress=False)
    # Small partitions, so results from several tasks and both workers are merged in order.
    monkeypatch.setattr(dask_engine, "DEFAULT_PARTITION_DOCS", 4)
    distributed = run_batch(sources, tmp_path / "dask", engine="dask", progress=False)
    assert (distributed.documents, distributed.errors) == (local.documents, local.errors) == (34, 2)
    for name in TABLES:
        assert (tmp_path / "dask" / f"{name}.csv").read_bytes() == (tmp_path / "local" / f"{name}.csv").read_bytes(), name
    info = json.loads((tmp_path / "dask" / "run.json").read_text(encoding="utf-8"))
    assert info["engine"] == "dask"
    assert info["dask"] == {"scheduler": "LocalCluster", "workers": 2}
    assert info["versions"]["distributed"]
    assert info["pipeline"] == json.loads((tmp_path / "local" / "run.json").read_text(encoding="utf-8"))["pipeline"]


def test_each_worker_loads_the_pipeline_once_per_model(monkeypatch) -> None:
    loaded = []

    def fake_load(model=None, *, lemmatizer=True):
        assert lemmatizer is False  # no table carries lemmas: workers never load them
        loaded.append(model)
        return object()

    monkeypatch.setattr("pipeline.api.load_pipeline", fake_load)
    monkeypatch.setattr(dask_engine, "_PIPELINES", {})
    first = dask_engine.worker_pipeline(None)
    assert dask_engine.worker_pipeline(None) is first
    assert dask_engine.worker_pipeline("anderes_modell") is not first
    assert loaded == [None, "anderes_modell"]


def test_partitions_are_bounded_by_documents_and_characters() -> None:
    assert [len(part) for part in iter_partitions(items(10), max_docs=4)] == [4, 4, 2]
    assert [len(part) for part in iter_partitions(items(10, chars=100), max_docs=50, max_chars=250)] == [3, 3, 3, 1]


class FakeFuture:
    def __init__(self, outcome) -> None:
        self.outcome = outcome

    def result(self):
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome

    def release(self) -> None:
        pass


class FakeClient:
    """Fails a partition that contains d1 as if d1 killed its worker every time."""

    def submit(self, function, partition, model, batch_size, pure=True):
        if any(item.doc_id == "d1" for item in partition):
            return FakeFuture(RuntimeError("KilledWorker: d1 took the worker down"))
        return FakeFuture([{"seq": item.seq, "doc_id": item.doc_id, "rows": {"documents": [{}]}} for item in partition])


def test_a_document_that_kills_workers_becomes_an_error_row_and_its_partition_survives() -> None:
    partition = items(3)
    entries = list(dask_engine._collect(FakeClient(), partition, FakeClient().submit(None, partition, None, 1),
                                        None, 1))
    assert [entry["seq"] for entry in entries] == [0, 1, 2]
    assert "documents" in entries[0]["rows"] and "documents" in entries[2]["rows"]
    error = entries[1]["rows"]["errors"][0]
    assert (error["doc_id"], error["stage"], error["error_kind"]) == ("d1", "process", "RuntimeError")


def test_missing_dask_is_a_one_line_usage_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed → ImportError
    with pytest.raises(DaskUnavailable, match=r"pip install 'motorsport-nlp\[dask\]'"):
        require_dask()
    script = ("import sys; sys.modules['distributed'] = None; sys.argv = ['motorsport-nlp'] + sys.argv[1:]; "
              "from pipeline.cli import main; main()")
    result = subprocess.run([sys.executable, "-c", script, "run", str(SAMPLES), "-o", str(tmp_path / "out"),
                             "--engine", "dask"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.startswith("error: --engine dask needs dask[distributed]")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
