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
