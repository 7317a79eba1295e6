"""Rule assets (data, not code). Installed as the package ``pipeline.models``."""
