"""Ingest errors: each becomes a per-item failure with its message as the reason."""


class ExtractionError(ValueError):
    """The input holds no article we can extract (empty, binary, article-less...)."""
