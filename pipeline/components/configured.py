"""The shared base of components whose only state is a small config.

Rules come from the rule files, so saving a pipeline writes just ``cfg`` (JSON)
per component, as spaCy's own ``SpanRuler`` does for its settings. Lexicons
load lazily, so ``spacy.load`` stays cheap until the first document.
"""

from __future__ import annotations

from typing import Iterable

import srsly
from spacy.pipeline import Pipe
from spacy.util import SimpleFrozenList, ensure_path

from ..rules import Lexicons, load_lexicons


class ConfiguredPipe(Pipe):
    """A Pipe with ``self.cfg`` (JSON-able) and lexicons from ``cfg["lang"]``/``cfg["rules_dir"]``."""

    cfg: dict
    _lexicons: Lexicons | None = None

    @property
    def lexicons(self) -> Lexicons:
        if self._lexicons is None:
            self._lexicons = load_lexicons(self.cfg.get("lang", "de"), self.cfg.get("rules_dir"))
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
        return srsly.json_dumps({"cfg": self.cfg}).encode("utf8")

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = SimpleFrozenList()):
        self.cfg.update(srsly.json_loads(bytes_data)["cfg"])
        self._config_changed()
        return self

    def to_disk(self, path, *, exclude: Iterable[str] = SimpleFrozenList()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg", self.cfg)

    def from_disk(self, path, *, exclude: Iterable[str] = SimpleFrozenList()):
        self.cfg.update(srsly.read_json(ensure_path(path) / "cfg"))
        self._config_changed()
        return self
