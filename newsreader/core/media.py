"""What bytes are, by their first bytes: servers and URLs often do not say."""

from __future__ import annotations

_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"), (b"BM", "image/bmp"),
)  # fmt: skip


def image_type(data: bytes) -> str | None:
    """The media type an image's first bytes announce, or None for anything else."""
    for magic, media_type in _IMAGE_MAGIC:
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if b"<svg" in data[:1024]:
        return "image/svg+xml"
    return None
