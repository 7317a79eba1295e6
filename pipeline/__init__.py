"""motorsport-nlp: drivers, hometowns, teams, cars and quotes from German motorsport press releases."""

from importlib.metadata import PackageNotFoundError, version

from . import extensions  # noqa: F401

try:
    __version__ = version("motorsport-nlp")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0"

__all__ = ["AnalysisResult", "InputError", "analyze", "load_pipeline", "__version__"]


def __getattr__(name: str):
    # Lazy: `import pipeline` stays cheap; spaCy components load on first use.
    if name in ("AnalysisResult", "InputError", "analyze", "load_pipeline"):
        from . import api

        return getattr(api, name)
    raise AttributeError(name)
