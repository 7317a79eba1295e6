"""Throughput and memory ratios of ``motorsport-nlp run`` (not a test: it prints numbers).

    python benchmarks/run_benchmarks.py --quick          # about a minute
    python benchmarks/run_benchmarks.py                  # 2,000 docs; RSS at 10k vs 100k docs (long)
    python benchmarks/run_benchmarks.py --model /work/shared/models/de_standin_ner
    python benchmarks/run_benchmarks.py --profile        # per-component times and hot functions

Every measurement runs in its own subprocess, on generated press releases
(``benchmarks/corpus.py``, written as JSONL shards). The targets (issue 11) are
ratios measured in one run, so a busy machine slows both sides alike:

- full pipeline per core against the baseline code (commit ``BASELINE_COMMIT``,
  checked out from git into the cache and measured in the same run, on the same
  documents, the two taking turns every 100 documents; median of 5 rounds), in
  words per CPU second of the process (wall clock printed too); target ≥ 2;
- whole run (``run_batch``: read, pipeline, journal, tables) in words per
  second against de_core_news_md's published CPU speed (8,126 words/s);
  target ≥ 8;
- peak RSS against the number of documents (``ru_maxrss`` of a ``motorsport-nlp
  run`` child); target: the larger run within 10 % of the smaller;
- cost per word of one 15,000-word document against 500-word documents of the
  same text; target ≤ 1.2.

Also printed: against bare tokenization and the base model alone, and N
processes against 1, for whole runs and by run size (``--n-process`` auto).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import generate_document, write_corpus  # noqa: E402

DEFAULT_DOCS = 2000
DEFAULT_RSS_SIZES = (10_000, 100_000)
QUICK_DOCS = 400
QUICK_RSS_SIZES = (500, 5000)
DEFAULT_RUN_SIZES = (50, 100, 200, 400, 800, 1600)
QUICK_RUN_SIZES = (100, 400)
DEFAULT_PROCESSES = 2
RSS_TARGET = 1.10
# The code before issue 11's work; its speed is measured again in every run (git needed),
# and was recorded once in baseline.json for machines without the repository's history.
BASELINE_COMMIT = "1db0d84ff126782a9ec0dc962f18daa975d55f91"
BASELINE_RECORD = HERE / "baseline.json"
BASELINE_CODE_VARIABLE = "MOTORSPORT_BENCH_BASELINE_CODE"  # set for a child that runs the baseline code
SPEEDUP_ROUNDS = 5
SPEEDUP_CHUNK_DOCS = 100
SERVER_READY, SERVER_RESULT = "@ready", "@chunk"  # line marks of run_path_server's answers
PIPELINE_SPEEDUP_TARGET = 2.0
# de_core_news_md 3.8, CPU words per second, as published on spacy.io/models/de.
DE_CORE_NEWS_MD_WORDS_PER_SECOND = 8126
WHOLE_RUN_TARGET = 8.0
LONG_DOC_WORDS = 15_000
SHORT_DOC_WORDS = 500
LONG_DOC_TARGET = 1.2
STANDIN_MODEL = Path("/work/shared/models/de_standin_ner")


# --------------------------------------------------------------------------- child measurements


def _texts(corpus: Path) -> list[str]:
    from pipeline.io.readers import SourceDocument, iter_documents

    return [item.text for item in iter_documents([corpus]) if isinstance(item, SourceDocument)]


def _words(docs) -> int:
    """Tokens that are neither punctuation nor whitespace (as the run summary counts them).

    Counted here, not imported from the package: the baseline child runs an
    older package that keeps the function elsewhere."""
    from spacy.attrs import IS_PUNCT, IS_SPACE

    return sum(int(len(doc) - doc.to_array([IS_PUNCT, IS_SPACE]).any(axis=1).sum()) for doc in docs if len(doc))


def child_tokenize(corpus: Path, model: str | None) -> dict:
    import spacy

    nlp = spacy.blank("de")
    list(nlp.pipe([generate_document(10**9)]))  # the same warm-up as the other measurements
    started = time.perf_counter()
    words = 0
    for doc in nlp.pipe(_texts(corpus)):  # reading included, as in a run
        words += _words([doc])
    return {"seconds": time.perf_counter() - started, "words": words}


def _pipe_child(corpus: Path, model: str | None, components) -> dict:
    from pipeline.api import DEFAULT_COMPONENTS, load_pipeline

    nlp = load_pipeline(model, components=DEFAULT_COMPONENTS if components is None else components)
    list(nlp.pipe([generate_document(10**9)]))  # warm-up: lazily loaded tables
    started = time.perf_counter()
    words = 0
    for doc in nlp.pipe(_texts(corpus)):
        words += _words([doc])
    return {"seconds": time.perf_counter() - started, "words": words}


def child_run_path_server(corpus: Path, model: str | None) -> dict:
    """The full pipeline as runs use it (components no table needs are skipped), one process,
    over the chunks the parent asks for on stdin (``START END``), one result line each: two
    codes can then take turns every few hundred milliseconds.

    Kept to what the baseline code also has, so the same child measures both."""
    from pipeline.api import load_pipeline

    nlp = load_pipeline(model)
    unused = [name for name in ("lemmatizer",) if name in nlp.pipe_names]
    list(nlp.pipe([generate_document(10**9)], disable=unused))
    texts = _texts(corpus)
    print(f"{SERVER_READY} {len(texts)}", flush=True)
    for request in sys.stdin:
        start, end = map(int, request.split())
        started, cpu_started = time.perf_counter(), time.process_time()
        words = 0
        for doc in nlp.pipe(texts[start:end], disable=unused):
            words += _words([doc])
        result = {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu_started,
                  "words": words}
        print(f"{SERVER_RESULT} {json.dumps(result)}", flush=True)
    return {}


def child_long_document(corpus: Path, model: str | None, repeats: int = 2) -> dict:
    """Seconds per word: ~500-word documents one by one, and the same text as one ~15,000-word document."""
    from pipeline.api import load_pipeline

    nlp = load_pipeline(model)
    unused = [name for name in ("lemmatizer",) if name in nlp.pipe_names]
    list(nlp.pipe([generate_document(10**9)], disable=unused))
    short, pending, words = [], [], 0
    for text in _texts(corpus):
        pending.append(text)
        words += _words([nlp.make_doc(text)])
        if words >= SHORT_DOC_WORDS:
            short.append("\n\n".join(pending))
            pending, words = [], 0
        if len(short) * SHORT_DOC_WORDS >= LONG_DOC_WORDS:
            break
    long_text = "\n\n".join(short)
    best = {"short": float("inf"), "long": float("inf")}
    counted = {}
    for _ in range(repeats):  # best of, alternating: the machine may be shared
        started = time.perf_counter()
        short_words = sum(_words([doc]) for doc in nlp.pipe(short, disable=unused))
        best["short"] = min(best["short"], time.perf_counter() - started)
        started = time.perf_counter()
        long_words = _words([nlp(long_text, disable=unused)])
        best["long"] = min(best["long"], time.perf_counter() - started)
        counted = {"short_words": short_words, "long_words": long_words}
    return {**counted, "short_docs": len(short), "short_seconds": best["short"], "long_seconds": best["long"]}


def child_base(corpus: Path, model: str | None) -> dict:
    return _pipe_child(corpus, model, ())


def child_pipeline(corpus: Path, model: str | None) -> dict:
    return _pipe_child(corpus, model, None)


def child_run(corpus: Path, model: str | None, n_process: int | None = None) -> dict:
    from pipeline.api import load_pipeline
    from pipeline.batch import run_batch

    nlp = load_pipeline(model)
    list(nlp.pipe([generate_document(10**9)]))
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        summary = run_batch([corpus], Path(out) / "out", nlp=nlp, n_process=n_process, progress=False)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "words": summary.words, "documents": summary.documents}


def child_crossover(corpus: Path, model: str | None, run_sizes: list[int], processes: int,
                    repeats: int = 2) -> dict:
    """Seconds of runs of several sizes with 1 and N processes (what --n-process auto decides on)."""
    from pipeline.api import load_pipeline
    from pipeline.engine import WorkItem, run_local

    nlp = load_pipeline(model)
    list(nlp.pipe([generate_document(10**9)]))
    texts = _texts(corpus)
    results = {}
    for size in run_sizes:
        items = [WorkItem(n, str(n), str(n), "bench", text=texts[n % len(texts)]) for n in range(size)]
        timings = {1: float("inf"), processes: float("inf")}
        for _ in range(repeats):  # best of: the machine may be shared
            for n_process in (1, processes):
                started = time.perf_counter()
                for _ in run_local(nlp, items, n_process=n_process):
                    pass
                timings[n_process] = min(timings[n_process], time.perf_counter() - started)
        results[str(size)] = {"chars": sum(len(item.text) for item in items), "one": timings[1],
                              "many": timings[processes]}
    return results


def child_profile(corpus: Path, model: str | None, top: int = 25) -> dict:
    """Seconds per component over the corpus, and the functions with the most own time."""
    import cProfile
    import io
    import pstats

    from pipeline.api import load_pipeline

    nlp = load_pipeline(model)
    texts = _texts(corpus)
    list(nlp.pipe([generate_document(10**9)]))
    per_component = dict.fromkeys(["tokenizer", *nlp.pipe_names], 0.0)
    profiler = cProfile.Profile()
    # Document by document through every component, as nlp.pipe does: the
    # components share per-document work (doc_view) that a component-by-component
    # loop would redo each time.
    for text in texts:
        started = time.perf_counter()
        doc = nlp.make_doc(text)
        per_component["tokenizer"] += time.perf_counter() - started
        for name, proc in nlp.pipeline:
            started = time.perf_counter()
            profiler.enable()
            doc = proc(doc)
            profiler.disable()
            per_component[name] += time.perf_counter() - started
    report = io.StringIO()
    pstats.Stats(profiler, stream=report).sort_stats("tottime").print_stats(top)
    return {"components": per_component, "hot": report.getvalue()}


CHILDREN = {"tokenize": child_tokenize, "base": child_base, "pipeline": child_pipeline, "run": child_run,
            "crossover": child_crossover, "profile": child_profile,
            "run_path_server": child_run_path_server,
            "long_document": child_long_document}


def _hide_entry_points_missing_from(code: Path) -> None:
    """spaCy loads every ``spacy_factories`` entry point when it makes a pipeline. The
    installed package's entry points may name modules that the baseline code at
    ``code`` does not have yet: catalogue (which reads them once, at import) gets
    only the entry points whose module exists there."""
    import importlib.metadata

    import catalogue

    def present(entry_point) -> bool:
        if entry_point.module.split(".")[0] != "pipeline":
            return True
        module = code.joinpath(*entry_point.module.split("."))
        return module.with_suffix(".py").is_file() or (module / "__init__.py").is_file()

    found = importlib.metadata.entry_points()  # by group on Python 3.11, one flat list on 3.12+
    every = [entry_point for group in found.values() for entry_point in group] if hasattr(found, "values") else found
    catalogue.AVAILABLE_ENTRY_POINTS = importlib.metadata.EntryPoints(filter(present, every))


def child_main(argv: list[str]) -> None:
    kind, corpus, model = argv[0], Path(argv[1]), (argv[2] or None)
    if os.environ.get(BASELINE_CODE_VARIABLE):
        _hide_entry_points_missing_from(Path(os.environ[BASELINE_CODE_VARIABLE]))
    # Import what every measurement uses before any clock starts: otherwise the
    # first measurement pays for importing pandas and pyarrow, which flatters
    # every ratio against it.
    import pipeline.batch  # noqa: F401
    import pipeline.io.readers  # noqa: F401
    extra = json.loads(argv[3]) if len(argv) > 3 else {}
    print(json.dumps(CHILDREN[kind](corpus, model, **extra)))


def rss_probe_main(argv: list[str]) -> None:
    """Run the command, then report the peak RSS of it and its descendants."""
    started = time.perf_counter()
    result = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"returncode": result.returncode, "max_rss_kib": usage.ru_maxrss,
                      "seconds": time.perf_counter() - started, "stderr": result.stderr[-500:]}))


# --------------------------------------------------------------------------- the parent


def measure(kind: str, corpus: Path, model: str | None, *, code: Path | None = None, **extra) -> dict:
    """One measurement in a child process; `code` runs another checkout of the package instead."""
    command = [sys.executable, __file__, "_child", kind, str(corpus), model or "", json.dumps(extra)]
    result = subprocess.run(command, capture_output=True, text=True, env=_child_environment(code))
    if result.returncode != 0:
        raise SystemExit(f"measurement {kind} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _child_environment(code: Path | None) -> dict | None:
    if code is None:
        return None
    # Another checkout's `pipeline` package comes before the installed one.
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(code), os.environ.get("PYTHONPATH", "")]),
            BASELINE_CODE_VARIABLE: str(code)}


class ChunkServer:
    """A ``run_path_server`` child: the pipeline of one checkout, loaded once, asked for chunks."""

    def __init__(self, corpus: Path, model: str | None, code: Path | None) -> None:
        command = [sys.executable, __file__, "_child", "run_path_server", str(corpus), model or ""]
        self.errors = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: unread, a pipe can fill and block
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.errors, text=True, env=_child_environment(code))
        self.n_docs = int(self._answer(SERVER_READY))

    def _answer(self, mark: str) -> str:
        for answer in self.process.stdout:  # other lines (a library's print) are passed over
            if answer.startswith(mark + " "):
                return answer[len(mark) + 1:]
        self.errors.seek(0)
        raise SystemExit(f"measurement run_path_server failed (exit {self.process.wait()}):\n"
                         f"{self.errors.read()[-3000:]}")

    def chunk(self, start: int, end: int) -> dict:
        self.process.stdin.write(f"{start} {end}\n")
        self.process.stdin.flush()
        return json.loads(self._answer(SERVER_RESULT))

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()
        self.errors.close()


def paired_round(corpus: Path, model: str | None, code: Path, chunk_docs: int) -> tuple[dict, dict]:
    """One pass over the corpus by each code, in fresh processes (cold caches, as a run
    starts), taking turns every ``chunk_docs`` documents: a change in the shared machine's
    speed lasting longer than a chunk then slows both alike. Returns (baseline, this code)."""
    servers = {"then": ChunkServer(corpus, model, code), "now": ChunkServer(corpus, model, None)}
    totals = {side: {"seconds": 0.0, "cpu_seconds": 0.0, "words": 0} for side in servers}
    try:
        for number, start in enumerate(range(0, servers["now"].n_docs, chunk_docs)):
            order = ("then", "now") if number % 2 == 0 else ("now", "then")  # neither always goes first
            for side in order:
                result = servers[side].chunk(start, start + chunk_docs)
                for key in totals[side]:
                    totals[side][key] += result[key]
    finally:
        for server in servers.values():
            server.close()
    return totals["then"], totals["now"]


def peak_rss(corpus: Path, model: str | None, n_process: int | None) -> dict:
    with tempfile.TemporaryDirectory() as out:
        run = [sys.executable, "-m", "pipeline", "run", str(corpus), "-o", str(Path(out) / "out"), "--no-progress"]
        if model:
            run += ["--model", model]
        if n_process:
            run += ["--n-process", str(n_process)]
        result = subprocess.run([sys.executable, __file__, "_rss", *run], capture_output=True, text=True)
    info = json.loads(result.stdout.strip().splitlines()[-1])
    if info["returncode"] != 0:
        raise SystemExit(f"run for the RSS measurement failed: {info['stderr']}")
    return info


def words_per_second(result: dict, clock: str = "seconds") -> float:
    return result["words"] / result[clock] if result[clock] else 0.0


def line(label: str, result: dict) -> str:
    return f"  {label:<38} {result['seconds']:8.2f} s  {words_per_second(result):>10,.0f} words/s"


def corpus_dir(cache: Path, n_docs: int, *, varied: bool = False) -> Path:
    folder = cache / (f"corpus-varied-{n_docs}" if varied else f"corpus-{n_docs}")
    marker = folder / ".complete"
    if not marker.exists():
        write_corpus(folder, n_docs, varied=varied)
        marker.write_text("ok", encoding="utf-8")
    return folder


def baseline_code(cache: Path) -> Path | None:
    """The baseline commit's package, extracted once into the cache; None without git history."""
    target = cache / f"baseline-{BASELINE_COMMIT[:12]}"
    if (target / ".complete").exists():
        return target
    repository = HERE.parent
    archive = subprocess.run(["git", "-C", str(repository), "archive", BASELINE_COMMIT, "pipeline", "models"],
                             capture_output=True)
    if archive.returncode != 0:
        return None
    import io
    import shutil
    import tarfile

    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    # Installed, models/ is the package pipeline.models; a plain checkout needs it moved there.
    (target / "models").rename(target / "pipeline" / "models")
    (target / ".complete").write_text("ok", encoding="utf-8")
    return target


def verdict(ratio: float, target: float, *, at_most: bool = False) -> str:
    reached = ratio <= target if at_most else ratio >= target
    return f"target {'≤' if at_most else '≥'} {target}: {'reached' if reached else 'NOT reached'}"


def pipeline_speedup(corpus: Path, model: str | None, cache: Path, rounds: int = SPEEDUP_ROUNDS,
                     chunk_docs: int = SPEEDUP_CHUNK_DOCS) -> None:
    print(f"\nFull pipeline per core, this code vs the baseline ({BASELINE_COMMIT[:7]}): {rounds} rounds, "
          f"the two codes taking turns every {chunk_docs} documents")
    code = baseline_code(cache)
    if code is None:
        recorded = json.loads(BASELINE_RECORD.read_text(encoding="utf-8"))
        print(f"  no git history here: the baseline cannot run; recorded on {recorded['recorded']}: "
              f"{recorded['words_per_second']:,.0f} words/s ({recorded['corpus']}, {recorded['machine']})")
        return
    pairs = [paired_round(corpus, model, code, chunk_docs) for _ in range(rounds)]
    # Per core means per CPU second: on a shared machine the wall clock also counts the
    # time the process waited for a core, which other processes decide.
    for label, clock in (("CPU time", "cpu_seconds"), ("wall clock", "seconds")):
        ratios = sorted(words_per_second(now, clock) / words_per_second(then, clock) for then, now in pairs)
        median = statistics.median(ratios)
        then_speed = statistics.median(words_per_second(then, clock) for then, _ in pairs)
        now_speed = statistics.median(words_per_second(now, clock) for _, now in pairs)
        print(f"  {label + ':':<12} baseline {then_speed:>10,.0f} words/s, this code {now_speed:>10,.0f} words/s "
              f"(medians); ratio, median of the rounds {median:6.3f}"
              + (f"   ({verdict(median, PIPELINE_SPEEDUP_TARGET)})" if clock == "cpu_seconds" else ""))
        print(f"  {'':<12} the rounds' ratios, lowest to highest: {', '.join(f'{r:.3f}' for r in ratios)}")


def long_document(corpus: Path, model: str | None) -> None:
    print(f"\nCost per word: one ~{LONG_DOC_WORDS:,}-word document vs ~{SHORT_DOC_WORDS}-word documents "
          f"of the same text")
    result = measure("long_document", corpus, model)
    short = result["short_seconds"] / result["short_words"]
    long = result["long_seconds"] / result["long_words"]
    print(f"  {result['short_docs']} documents, {result['short_words']:,} words: {result['short_seconds']:.2f} s"
          f"   one document, {result['long_words']:,} words: {result['long_seconds']:.2f} s")
    ratio = long / short
    print(f"  ratio per word, long / short           {ratio:8.3f}   ({verdict(ratio, LONG_DOC_TARGET, at_most=True)})")


def throughput(corpus: Path, model: str | None, processes: int, label: str) -> None:
    print(f"\nThroughput, {label}")
    tokenize = measure("tokenize", corpus, model)
    base = measure("base", corpus, model)
    pipeline = measure("pipeline", corpus, model)
    run_one = measure("run", corpus, model, n_process=1)
    run_many = measure("run", corpus, model, n_process=processes)
    run_auto = measure("run", corpus, model, n_process=None)
    print(line("bare tokenizer (spacy.blank('de'))", tokenize))
    print(line("base model alone", base))
    print(line("full pipeline (nlp.pipe, no I/O)", pipeline))
    print(line("whole run, 1 process", run_one))
    print(line(f"whole run, {processes} processes", run_many))
    print(line("whole run, --n-process auto", run_auto))
    best = max(run_one, run_many, run_auto, key=words_per_second)
    ratio = words_per_second(best) / DE_CORE_NEWS_MD_WORDS_PER_SECOND
    print(f"  ratio whole run / de_core_news_md      {ratio:8.3f}   (best of 1, {processes} and auto processes "
          f"vs {DE_CORE_NEWS_MD_WORDS_PER_SECOND:,} words/s; {verdict(ratio, WHOLE_RUN_TARGET)})")
    print(f"  ratio whole run / bare tokenizer      {words_per_second(best) / words_per_second(tokenize):8.3f}")
    print(f"  ratio whole run / base model alone    {words_per_second(best) / words_per_second(base):8.3f}")
    print(f"  ratio full pipeline / base model      {words_per_second(pipeline) / words_per_second(base):8.3f}")
    print(f"  ratio whole run / nlp.pipe alone      {words_per_second(run_one) / words_per_second(pipeline):8.3f}"
          f"   (I/O, journal and tables; 1 process)")
    print(f"  ratio {processes} processes / 1 process       "
          f"{words_per_second(run_many) / words_per_second(run_one):8.3f}")
    print(f"  ratio auto / 1 process                {words_per_second(run_auto) / words_per_second(run_one):8.3f}")


def crossover(corpus: Path, model: str | None, sizes: list[int], processes: int) -> None:
    print(f"\n1 vs {processes} processes by run size, best of 2 (what --n-process auto decides on)")
    results = measure("crossover", corpus, model, run_sizes=sizes, processes=processes)
    for size, result in results.items():
        print(f"  {int(size):6,} docs ({result['chars']:>10,} chars): 1 process {result['one']:6.2f} s, "
              f"{processes} processes {result['many']:6.2f} s, speed-up {result['one'] / result['many']:5.2f}")


def memory(cache: Path, model: str | None, sizes: tuple[int, int], n_process: int | None) -> None:
    label = f"--n-process {n_process}" if n_process else "--n-process auto"
    print(f"\nPeak RSS of `motorsport-nlp run` ({label})")
    results = []
    for size in sizes:
        info = peak_rss(corpus_dir(cache, size), model, n_process)
        results.append(info)
        print(f"  {size:>7,} docs: {info['max_rss_kib'] / 1024:8.1f} MiB   ({info['seconds']:.0f} s)")
    ratio = results[1]["max_rss_kib"] / results[0]["max_rss_kib"]
    print(f"  ratio {sizes[1]:,} / {sizes[0]:,} docs: {ratio:.3f}   ({verdict(ratio, RSS_TARGET, at_most=True)})")


def profile(corpus: Path, model: str | None) -> None:
    print("\nProfile: seconds per component over the corpus (one process)")
    result = measure("profile", corpus, model)
    total = sum(result["components"].values())
    for name, seconds in sorted(result["components"].items(), key=lambda pair: -pair[1]):
        print(f"  {name:<28} {seconds:8.2f} s  {seconds / total:6.1%}")
    print("\nFunctions with the most own time (cProfile, components only):")
    print(result["hot"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, help=f"documents for the throughput runs (default {DEFAULT_DOCS})")
    parser.add_argument("--rss-sizes", help="two corpus sizes for peak RSS, e.g. 10000,100000")
    parser.add_argument("--quick", action="store_true", help="small sizes: finishes in about a minute")
    parser.add_argument("--model", help="base model (package or path); default: the pipeline's default")
    parser.add_argument("--processes", type=int, default=DEFAULT_PROCESSES, help="N of the 1-vs-N comparison")
    parser.add_argument("--skip", default="",
                        help="comma-separated: speedup, throughput, long, crossover, memory")
    parser.add_argument("--rss-n-process", type=int, default=1,
                        help="--n-process of the RSS runs (default 1: one process to measure; 0 = auto)")
    parser.add_argument("--profile", action="store_true", help="also print per-component times and hot functions")
    parser.add_argument("--varied", action="store_true",
                        help="throughput on the team's gold releases with invented names (real prose, new names in "
                             "every document) instead of the template corpus")
    parser.add_argument("--input", type=Path,
                        help="measure throughput on these documents (a folder, .jsonl, .csv or .zip) instead of "
                             "the generated corpus, e.g. a sample of a real archive")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "motorsport-nlp-bench",
                        help="where generated corpora are kept between runs")
    args = parser.parse_args()
    docs = args.docs or (QUICK_DOCS if args.quick else DEFAULT_DOCS)
    sizes = tuple(int(size) for size in args.rss_sizes.split(",")) if args.rss_sizes else (
        QUICK_RSS_SIZES if args.quick else DEFAULT_RSS_SIZES)
    skip = set(filter(None, args.skip.split(",")))
    if args.model and not Path(args.model).exists() and "/" in args.model:
        raise SystemExit(f"model {args.model} not found")
    if args.input is not None and not args.input.exists():
        raise SystemExit(f"input {args.input} not found")
    corpus = args.input or corpus_dir(args.cache, docs, varied=args.varied)
    started = time.perf_counter()
    kind = "varied (gold prose, invented names)" if args.varied else "generated"
    what = f"input {args.input}" if args.input else f"{docs} {kind} documents"
    print(f"motorsport-nlp benchmarks: {what}, {os.cpu_count()} CPUs, model {args.model or 'default'}")
    if "speedup" not in skip:
        pipeline_speedup(corpus, args.model, args.cache)
    if "throughput" not in skip:
        throughput(corpus, args.model, args.processes, what)
    if "long" not in skip:
        long_document(corpus, args.model)
    if "crossover" not in skip:
        crossover(corpus, args.model, list(QUICK_RUN_SIZES if args.quick else DEFAULT_RUN_SIZES), args.processes)
    if "memory" not in skip:
        memory(args.cache, args.model, sizes, args.rss_n_process or None)
    if args.profile:
        profile(corpus, args.model)
    print(f"\n(benchmarks took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        child_main(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "_rss":
        rss_probe_main(sys.argv[2:])
    else:
        main()
