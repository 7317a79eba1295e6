"""Paths and small helpers shared by tests."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEVSET = SHARED / "devset"
REALDEV = SHARED / "realdev"
STANDIN_MODEL = SHARED / "models" / "de_standin_ner"
GOLD = REPO / "data" / "gold"
SAMPLES = REPO / "data" / "samples"


def driver(doc, name):
    """The drivers.csv row of ``name`` in ``doc`` (None when not found)."""
    return next((row for row in doc._.drivers or [] if row["driver"] == name), None)


def rules_copy_with(tmp_path, filename: str, line: str) -> Path:
    """A copy of the packaged German rules in ``tmp_path/de`` with ``line`` appended to ``filename``."""
    import shutil

    from pipeline.rules import rules_root

    root = tmp_path / "de"
    shutil.copytree(rules_root("de"), root)
    with (root / filename).open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    return root


def python_steps(function, *args, **kwargs):
    """``function(*args, **kwargs)`` and how many Python lines and calls it ran, in every frame below it.

    Tests compare the count between input sizes to check how work grows: unlike
    wall time on a shared machine it is the same on every run.
    """
    import sys

    steps = 0

    def count(frame, event, arg):
        nonlocal steps
        steps += 1
        return count

    previous = sys.gettrace()
    sys.settrace(count)
    try:
        result = function(*args, **kwargs)
    finally:
        sys.settrace(previous)
    return result, steps
