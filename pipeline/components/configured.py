"""The shared base of components whose state is a small config plus rule files.

Saving a pipeline writes, per component, ``cfg`` (JSON) and a ``rules/`` copy
of the rule files the component was using, as spaCy's own ``SpanRuler`` saves
its ``patterns.jsonl``: a saved pipeline keeps working, and keeps its
behaviour, when the installed rule files change. Lexicons load lazily, so
``spacy.load`` stays cheap until the first document.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Iterable

import srsly
from spacy.pipeline import Pipe
from spacy.util import SimpleFrozenList, ensure_path

from ..rules import Lexicons, load_lexicons, rules_root

SAVED_RULES_DIR = "rules"


def _rule_files(root: Path) -> list[Path]:
    return sorted(path for path in root.iterdir() if path.is_file() and not path.name.startswith("."))


def _digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in _rule_files(root):
        digest.update(path.name.encode("utf8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class ConfiguredPipe(Pipe):
    """A Pipe with ``self.cfg`` (JSON-able) and lexicons from ``cfg["lang"]``/``cfg["rules_dir"]``."""

    cfg: dict
    _lexicons: Lexicons | None = None
    # Where from_disk found rules that differ from the configured ones; not part of cfg,
    # because the path belongs to one saved copy, not to the component's settings.
    _saved_rules: str | None = None

    @property
    def rules_source(self) -> Path:
        """The folder the lexicons are read from."""
        return Path(self._saved_rules) if self._saved_rules else rules_root(self.cfg.get("lang", "de"), self.cfg.get("rules_dir"))

    @property
    def lexicons(self) -> Lexicons:
        if self._lexicons is None:
            source = self._saved_rules or self.cfg.get("rules_dir")
            self._lexicons = load_lexicons(self.cfg.get("lang", "de"), source)
        return self._lexicons

    @lexicons.setter
    def lexicons(self, value: Lexicons | None) -> None:
        # Tests and users with their own rule sets can swap the lexicons in.
        self._lexicons = value

    def initialize(self, get_examples=None, *, nlp=None) -> None:
        # Nothing to learn; loading here surfaces broken rule files early.
        self._lexicons = None
        _ = self.lexicons

    def _config_changed(self) -> None:
        """Hook for subclasses that cache things built from the config."""
        self._lexicons = None

    def to_bytes(self, *, exclude: Iterable[str] = SimpleFrozenList()) -> bytes:
        # Bytes carry the settings only; to_disk carries the rules too.
        return srsly.json_dumps({"cfg": self.cfg}).encode("utf8")

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = SimpleFrozenList()):
        self.cfg.update(srsly.json_loads(bytes_data)["cfg"])
        self._config_changed()
        return self

    def to_disk(self, path, *, exclude: Iterable[str] = SimpleFrozenList()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg", self.cfg)
        if SAVED_RULES_DIR not in exclude:
            target = path / SAVED_RULES_DIR
            source = self.rules_source
            if target.resolve() != source.resolve():
                shutil.rmtree(target, ignore_errors=True)
                target.mkdir()
                for rule_file in _rule_files(source):
                    shutil.copyfile(rule_file, target / rule_file.name)

    def from_disk(self, path, *, exclude: Iterable[str] = SimpleFrozenList()):
        path = ensure_path(path)
        self.cfg.update(srsly.read_json(path / "cfg"))
        saved = path / SAVED_RULES_DIR
        self._saved_rules = None
        # Rules identical to the configured ones are read from there, so every
        # component shares one cached copy; rules that differ are read from the save.
        if SAVED_RULES_DIR not in exclude and saved.is_dir() and _digest(saved) != _digest(self.rules_source):
            self._saved_rules = str(saved)
        self._config_changed()
        return self
