"""spaCy components, one factory per module. Importing this package registers them."""

from . import attribution, hometowns, linking, names, persons, quotes, rulers, sentencizer  # noqa: F401
