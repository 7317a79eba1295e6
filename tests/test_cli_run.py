"""``motorsport-nlp run`` end to end in subprocesses: exit codes, error rows,
no tracebacks for expected failures, and kill -9 + --resume."""

from __future__ import annotations

import codecs
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
TABLES = ("documents", "entities", "drivers", "people", "quotes", "errors", "drivers_summary")
KILL_POLL_SECONDS = 0.05
KILL_WAIT_SECONDS = 120

PARAGRAPHS = [
    "{ort}, {tag}. Mai 2024 – {fahrer} ({heimat}) hat den {lauf}. Lauf der Tourenwagen-Trophy gewonnen. "
    "Im BMW M4 GT3 von Team Kesselberg setzte sich {nachname} vor Ida Ambrosius durch.",
    "„Das Auto war heute perfekt abgestimmt“, sagte {nachname}. „Jetzt wollen wir den Titel.“",
    "Teamchef Falk Reinecker lobte die Boxencrew: „Zwei Stopps ohne Fehler, so gewinnt man Rennen.“",
]
DRIVERS = [("Malte Vogelsang", "Wetzlar"), ("Romy Eschweiler", "Passau"), ("Henrik Quast", "Lüneburg"),
           ("Greta Pfannstiel", "Görlitz"), ("Ben Zinnecker", "Itzehoe")]
TOWNS = ["Oschersleben", "Hockenheim", "Zolder", "Most"]


def press_release(number: int) -> str:
    driver, hometown = DRIVERS[number % len(DRIVERS)]
    fields = {"ort": TOWNS[number % len(TOWNS)], "tag": number % 28 + 1, "fahrer": driver, "heimat": hometown,
              "lauf": number % 9 + 1, "nachname": driver.split()[-1]}
    return "\n\n".join(paragraph.format(**fields) for paragraph in PARAGRAPHS)


def motorsport_nlp(*args: str | Path, env: dict | None = None, stdin: str | None = None,
                   cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "run", *map(str, args)], capture_output=True,
                          text=True, input=stdin, env={**os.environ, **(env or {})}, cwd=cwd, timeout=300)


# The test's own fault injection (production code has none): the run in the subprocess is
# slowed down at one place, so the test can kill it there from outside, as a user or the
# kernel would. "commit": seconds after every journal commit; "export": before the tables
# are written (the journal is complete); "summary": after the streamed tables, before
# drivers_summary and run.json.
SLOWED_RUN = """
import sys, time
from pipeline import journal, tables
delays = {name: float(value) for name, value in (part.split("=") for part in sys.argv.pop(1).split(","))}

def after(function, seconds):
    def slowed(*args, **kwargs):
        result = function(*args, **kwargs)
        time.sleep(seconds)
        return result
    return slowed

def before(function, seconds):
    def slowed(*args, **kwargs):
        time.sleep(seconds)
        return function(*args, **kwargs)
    return slowed

if "commit" in delays:
    journal.JournalWriter.commit = after(journal.JournalWriter.commit, delays["commit"])
if "export" in delays:
    journal.export_tables = before(journal.export_tables, delays["export"])
if "summary" in delays:
    tables.DriversSummary.iter_rows = before(tables.DriversSummary.iter_rows, delays["summary"])
from pipeline.cli import main
main()
"""
PAUSE_SECONDS = 120  # longer than any poll: the test kills the run during the pause
# A pause after each journal commit (of 4 documents here): the ~13 commits left when a test
# stops the run take ~13 s, so a test process the machine keeps waiting still stops it mid-run.
SLOW_COMMITS = "commit=1"


def start_motorsport_nlp(*args: str | Path, slowed: str) -> subprocess.Popen:
    """``motorsport-nlp run ARGS`` in a subprocess, slowed down as ``slowed`` says (see SLOWED_RUN)."""
    return subprocess.Popen([sys.executable, "-c", SLOWED_RUN, slowed, "run", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def assert_one_line_error(result: subprocess.CompletedProcess, code: int, *fragments: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def read_errors(out_dir: Path) -> pd.DataFrame:
    return pd.read_csv(out_dir / "errors.csv", sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def csv_bytes(out_dir: Path) -> dict[str, bytes]:
    return {name: (out_dir / f"{name}.csv").read_bytes() for name in TABLES}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """About 60 generated press releases in three shapes, plus two bad items."""
    folder = tmp_path_factory.mktemp("corpus")
    for number in range(20):
        (folder / f"bericht-{number:02d}.txt").write_text(press_release(number), encoding="utf-8")
    lines = [json.dumps({"id": f"pm-{number}", "text": press_release(number)}, ensure_ascii=False)
             for number in range(20, 60)]
    lines.insert(7, '{"id": "kaputt", "text": ')  # a broken line mid-file
    (folder / "archiv.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "leer.md").write_text("   \n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def clean_run(corpus: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean") / "out"
    result = motorsport_nlp(corpus, "-o", out, "--batch-size", "4")
    assert result.returncode == 3, result.stderr  # the two bad items
    return out


# --------------------------------------------------------------------------- normal runs and exit codes


def test_samples_run_exits_0_with_every_table_and_run_json(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = motorsport_nlp(SAMPLES, "-o", out)
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in out.iterdir()) == sorted([*(f"{name}.csv" for name in TABLES), "run.json"])
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert info["status"] == "complete"
    assert (info["engine"], info["n_process"], info["counts"]["documents"], info["counts"]["errors"]) == (
        "local", "auto", 9, 0)
    assert info["base_model"]["name"] and info["versions"]["motorsport_nlp"]
    # One summary line, no progress bar (stderr is not a terminal), no traceback.
    assert result.stderr.count("\n") == 1 and "9 documents, 0 errors" in result.stderr
    assert "words/s" in result.stderr and "\r" not in result.stderr


def test_bad_inputs_become_error_rows_and_exit_3(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "gut.txt").write_text(press_release(1), encoding="utf-8")
    (folder / "leer.txt").write_bytes(b"")
    (folder / "nur-leerzeichen.md").write_text(" \n\t\n  ", encoding="utf-8")
    (folder / "bild.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    (folder / "utf16-kaputt.txt").write_bytes(codecs.BOM_UTF16_LE + b"\x00\xd8")
    (folder / "archiv.jsonl").write_text(
        json.dumps({"id": "a", "text": press_release(2)}, ensure_ascii=False) + "\n"
        + '{"id": "b", "text": "abgebrochen\n'
        + json.dumps({"id": "c", "titel": "ohne Text"}) + "\n"
        + json.dumps({"id": "d", "text": press_release(3)}, ensure_ascii=False) + "\n",
        encoding="utf-8")
    out = tmp_path / "out"
    result = motorsport_nlp(folder, tmp_path / "fehlt.txt", "-o", out)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    errors = read_errors(out)
    assert errors[["doc_id", "stage", "error_kind"]].values.tolist() == [
        ["archiv/2", "read", "bad_json"],
        ["archiv/c", "read", "missing_text"],
        ["bild", "decode", "binary"],
        ["leer", "read", "empty"],
        ["nur-leerzeichen", "read", "empty"],
        ["utf16-kaputt", "decode", "undecodable"],
        ["fehlt", "read", "missing_file"],
    ]
    documents = pd.read_csv(out / "documents.csv", sep=";", encoding="utf-8-sig")
    assert documents["doc_id"].tolist() == ["archiv/a", "archiv/d", "gut"]
    assert "3 documents, 7 errors" in result.stderr and "see " in result.stderr


def test_stdin_is_read_with_a_dash(tmp_path: Path) -> None:
    result = motorsport_nlp("-", "-o", tmp_path / "out", stdin=press_release(4))
    assert result.returncode == 0, result.stderr
    documents = pd.read_csv(tmp_path / "out" / "documents.csv", sep=";", encoding="utf-8-sig")
    assert documents["doc_id"].tolist() == ["stdin"]
    assert documents["text"][0] == press_release(4)


def test_non_empty_output_folder_is_a_usage_error_without_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "alt.csv").write_text("alt", encoding="utf-8")
    assert_one_line_error(motorsport_nlp(SAMPLES, "-o", out), 2, "not empty", "--force")
    result = motorsport_nlp(SAMPLES, "-o", out, "--force")
    assert result.returncode == 0, result.stderr
    assert (out / "alt.csv").exists()  # not ours: --force leaves it


@pytest.mark.parametrize("options, fragment", [
    (["--format", "pdf"], "--format"),
    (["--csv-dialect", "semikolon"], "--csv-dialect"),
    (["--force", "--resume"], "exclude each other"),
    (["--engine", "spark"], "--engine"),
    (["--scheduler", "tcp://localhost:8786"], "--engine dask"),
    (["--engine", "dask", "--n-process", "2"], "--dask-workers"),
    (["--model", "de_gibt_es_nicht"], "de_gibt_es_nicht"),
])
def test_usage_errors_exit_2_with_one_line(tmp_path: Path, options: list[str], fragment: str) -> None:
    assert_one_line_error(motorsport_nlp(SAMPLES, "-o", tmp_path / "out", *options), 2, fragment)
    assert not (tmp_path / "out" / "run.json").exists()


def test_click_usage_errors_exit_2(tmp_path: Path) -> None:
    result = motorsport_nlp(SAMPLES, "-o", tmp_path / "out", "--n-process", "0")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    result = motorsport_nlp(SAMPLES)  # no --out
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_resume_with_nothing_to_resume_is_a_usage_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "fremd.txt").write_text("x", encoding="utf-8")
    assert_one_line_error(motorsport_nlp(SAMPLES, "-o", out, "--resume"), 2, "nothing to resume")


def test_an_unwritable_output_is_fatal_exit_1_without_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "datei"
    blocker.write_text("kein Ordner", encoding="utf-8")
    assert_one_line_error(motorsport_nlp(SAMPLES, "-o", blocker / "out"), 1)


def test_debug_writes_details_to_the_log_file(tmp_path: Path) -> None:
    log = tmp_path / "lauf.log"
    result = motorsport_nlp(SAMPLES, tmp_path / "fehlt.txt", "-o", tmp_path / "out", "--debug", "--log-file", log)
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    text = log.read_text(encoding="utf-8")
    assert "base model" in text and "DEBUG" in text


# --------------------------------------------------------------------------- kill -9 and --resume


def journal_entries(out: Path) -> int:
    path = out / ".work" / "journal.jsonl"
    if not path.exists():
        return 0
    return max(0, path.read_bytes().count(b"\n") - 1)  # minus the header


def wait_until(process: subprocess.Popen, ready) -> None:
    """Returns as soon as ``ready()`` holds, while the run is still going."""
    deadline = time.monotonic() + KILL_WAIT_SECONDS
    while not ready():
        assert process.poll() is None, f"the run ended before it could be stopped: {process.stderr.read()}"
        assert time.monotonic() < deadline, "the run did not get there"
        time.sleep(KILL_POLL_SECONDS)


def kill_when(process: subprocess.Popen, ready) -> None:
    """kill -9 the run as soon as ``ready()`` holds."""
    wait_until(process, ready)
    process.kill()
    process.communicate()
    assert process.returncode == -signal.SIGKILL


def kill_when_journal_has(process: subprocess.Popen, out: Path, entries: int) -> None:
    kill_when(process, lambda: journal_entries(out) >= entries)


def assert_no_process_lingers(out: Path) -> None:
    """Worker processes of a killed run must die with it (Linux: PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return
    deadline = time.monotonic() + 10
    while True:
        lingering = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and str(out).encode() in (entry / "cmdline").read_bytes():
                    lingering.append(entry.name)
            except OSError:
                continue
        if not lingering or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert lingering == []


def assert_interrupted(out: Path) -> None:
    assert not (out / "run.json").exists()
    assert (out / ".work" / "journal.jsonl").exists()


def test_kill_9_during_processing_then_resume_gives_the_clean_tables(corpus: Path, clean_run: Path,
                                                                     tmp_path: Path) -> None:
    out = tmp_path / "out"
    slow = SLOW_COMMITS
    first = start_motorsport_nlp(corpus, "-o", out, "--batch-size", "4", slowed=slow)
    kill_when_journal_has(first, out, 8)
    assert_interrupted(out)
    assert not (out / "documents.csv").exists()
    done = journal_entries(out)
    assert 8 <= done < 62
    # Killed again while resuming with worker processes: still nothing lost or doubled.
    second = start_motorsport_nlp(corpus, "-o", out, "--batch-size", "4", "--resume", "--n-process", "2", slowed=slow)
    kill_when_journal_has(second, out, done + 8)
    assert_interrupted(out)
    assert_no_process_lingers(out)
    result = motorsport_nlp(corpus, "-o", out, "--resume", "--batch-size", "4")
    assert result.returncode == 3, result.stderr
    assert "reused from the journal" in result.stderr
    assert csv_bytes(out) == csv_bytes(clean_run)
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert info["resumed"] is True and info["reused_entries"] >= done + 8
    assert info["counts"]["documents"] == 60 and info["counts"]["errors"] == 2
    assert not (out / ".work").exists()


@pytest.mark.parametrize("moment", ["journal-complete", "tables-written"])
def test_kill_9_while_writing_the_tables_then_resume(corpus: Path, clean_run: Path, tmp_path: Path,
                                                     moment: str) -> None:
    out = tmp_path / "out"
    if moment == "journal-complete":
        killed = start_motorsport_nlp(corpus, "-o", out, "--batch-size", "4", slowed=f"export={PAUSE_SECONDS}")
        kill_when_journal_has(killed, out, 62)
    else:
        killed = start_motorsport_nlp(corpus, "-o", out, "--batch-size", "4", slowed=f"summary={PAUSE_SECONDS}")
        streamed = [out / f"{name}.csv" for name in TABLES if name != "drivers_summary"]
        kill_when(killed, lambda: all(path.exists() for path in streamed))
    assert_interrupted(out)
    assert journal_entries(out) == 62
    if moment == "tables-written":  # some tables are there, but without run.json the folder is not complete
        assert (out / "documents.csv").exists() and not (out / "drivers_summary.csv").exists()
    result = motorsport_nlp(corpus, "-o", out, "--resume")
    assert result.returncode == 3, result.stderr
    assert csv_bytes(out) == csv_bytes(clean_run)
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["counts"]["processed_this_session"] == 0


def test_resume_with_changed_inputs_is_a_usage_error(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    killed = start_motorsport_nlp(corpus, "-o", out, slowed=f"export={PAUSE_SECONDS}")
    kill_when_journal_has(killed, out, 62)
    assert_one_line_error(motorsport_nlp(SAMPLES, "-o", out, "--resume"), 2, "cannot resume", "--force")


# --------------------------------------------------------------------------- hostile inputs, locks, Ctrl-C


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="FIFOs, /dev/zero and non-UTF-8 names: Linux")
def test_inputs_that_used_to_stop_or_hang_the_run_become_error_rows(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "gut.txt").write_text(press_release(1), encoding="utf-8")
    (folder / "archiv.jsonl").write_text('{"id": "x\\ud800", "text": "Kurz."}\n'
                                         + json.dumps({"id": "ok", "text": press_release(2)}) + "\n",
                                         encoding="utf-8")
    with open(os.path.join(os.fsencode(folder), b"name-\xfc.txt"), "wb") as handle:
        handle.write(press_release(3).encode())
    (folder / "null.txt").symlink_to("/dev/zero")
    os.mkfifo(folder / "rohr.txt")
    deep = str(folder)
    for _ in range(1200):
        deep = os.path.join(deep, "d")
        os.mkdir(deep)
    Path(deep, "tief.txt").write_text(press_release(4), encoding="utf-8")
    out = tmp_path / "out"
    try:
        result = motorsport_nlp(folder, "-o", out)
    finally:
        os.unlink(os.path.join(deep, "tief.txt"))
        while deep != str(folder):  # pytest's cleanup (shutil.rmtree) would recurse too deep
            os.rmdir(deep)
            deep = os.path.dirname(deep)

    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    errors = read_errors(out)
    assert errors[["doc_id", "error_kind"]].values.tolist() == [
        ["archiv/x\ufffd", "bad_id"], ["name-\ufffd", "bad_name"], ["null", "unsupported"], ["rohr", "unsupported"]]
    documents = pd.read_csv(out / "documents.csv", sep=";", encoding="utf-8-sig")
    assert documents["doc_id"].tolist() == ["archiv/ok", "/".join(["d"] * 1200) + "/tief", "gut"]


@pytest.mark.parametrize("files", [[], ["bericht.odt", "bericht.rtf", "unter/foto.jpg"]])
def test_a_folder_without_readable_files_says_so_and_exits_2(tmp_path: Path, files: list[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in files:
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_bytes(b"PK\x03\x04")

    result = motorsport_nlp(folder, "-o", tmp_path / "out")

    assert result.returncode == 2, result.stderr
    assert f"error: no documents found in {folder}" in result.stderr
    if files:
        assert "skipped 3 file(s) of unsupported types (" in result.stderr
        assert "1 .odt" in result.stderr and "1 .rtf" in result.stderr and "1 .jpg" in result.stderr


def test_a_second_run_into_a_locked_output_folder_stops(tmp_path: Path) -> None:
    from filelock import FileLock

    out = tmp_path / "out"
    out.mkdir()
    with FileLock(out / ".motorsport-nlp.lock"):  # as a running run holds it
        result = motorsport_nlp(SAMPLES, "-o", out, "--force")
    assert_one_line_error(result, 2, "another run is writing into", "wait for it")
    assert sorted(path.name for path in out.iterdir()) == [".motorsport-nlp.lock"]
    result = motorsport_nlp(SAMPLES, "-o", out, "--force")  # released: now it runs
    assert result.returncode == 0, result.stderr
    assert not (out / ".motorsport-nlp.lock").exists()


def test_ctrl_c_says_how_to_resume(corpus: Path, clean_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    process = start_motorsport_nlp(corpus, "-o", out, "--batch-size", "4", slowed=SLOW_COMMITS)
    wait_until(process, lambda: journal_entries(out) >= 8)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 130
    stderr = stderr.decode()
    assert "Traceback" not in stderr
    assert stderr.startswith("error: interrupted") and stderr.rstrip().endswith("--resume"), stderr
    assert "--batch-size 4 --resume" in stderr
    result = motorsport_nlp(corpus, "-o", out, "--batch-size", "4", "--resume")
    assert result.returncode == 3 and "reused from the journal" in result.stderr
    assert csv_bytes(out) == csv_bytes(clean_run)
