"""Shared fixtures. Tests that need ../shared skip cleanly when it is absent."""

from __future__ import annotations

import pytest
import spacy

from helpers import DEVSET, REALDEV, STANDIN_MODEL


@pytest.fixture(scope="session")
def blank_nlp():
    """spacy.blank("de") + sentencizer + every motorsport component."""
    import pipeline.components  # noqa: F401  (registers factories)
    from pipeline.api import DEFAULT_COMPONENTS

    nlp = spacy.blank("de")
    nlp.add_pipe("sentencizer")
    for name in DEFAULT_COMPONENTS:
        nlp.add_pipe(name)
    return nlp


@pytest.fixture(scope="session")
def offline_nlp():
    """The full pipeline on the embedded offline base."""
    from pipeline.api import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def devset_dir():
    if not DEVSET.is_dir():
        pytest.skip("../shared/devset is not present")
    return DEVSET


@pytest.fixture(scope="session")
def realdev_dir():
    if not REALDEV.is_dir():
        pytest.skip("../shared/realdev is not present")
    return REALDEV


@pytest.fixture(scope="session")
def standin_model():
    if not STANDIN_MODEL.is_dir():
        pytest.skip("../shared/models/de_standin_ner is not present")
    return STANDIN_MODEL

