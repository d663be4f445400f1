"""Section labels: one normalized key and one display name per section.

"INTERNATIONAL", "International" and "/international/" are the same section; the
key is what the archive stores uniquely, the display name is what the sidebar shows.
"""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s/_\-|>»›·:]+")
_NOT_WORD = re.compile(r"[^\w]+")
_SMALL_WORDS = {"and", "of", "the", "in", "on", "for", "to", "a", "an", "&"}
MAX_SECTION_LENGTH = 60


def section_key(label: str) -> str:
    """The normalized identity of a section label ("/World-News/" -> "world-news")."""
    text = unicodedata.normalize("NFKC", label).casefold()
    text = text.replace("&", " and ")
    words = [w for w in (_NOT_WORD.sub(" ", part).strip() for part in _SEPARATORS.split(text)) if w]
    return "-".join(" ".join(words).split())


# Suffixes that make a variant of a section name, not another section.
_VARIANT_SUFFIXES = ("-news", "-section", "-articles")


def section_variant(key: str) -> str:
    """The key with variant suffixes and a plural "s" taken off ("business-news" ->
    "business", "sports" -> "sport"): keys with the same variant name one section
    when one source uses both."""
    for suffix in _VARIANT_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key.removesuffix(suffix)
            break
    singular = key.endswith("s") and not key.endswith(("ss", "us", "is", "news"))
    return key[:-1] if singular and len(key) > 3 else key


def variant_keys(key: str) -> set[str]:
    """The other keys that are variants of the same section as `key`."""
    base = section_variant(key)
    forms = {base, f"{base}s"}
    return {f + suffix for f in forms for suffix in ("", *_VARIANT_SUFFIXES)} - {key}


def section_display_name(label: str) -> str | None:
    """A tidy display name for a raw section label, or None if the label is unusable.

    Shouting or all-lowercase labels are title-cased, but acronyms ("NFL", "U.S.") stay;
    mixed-case labels keep their case (so "iPhone" or "US Politics" stay as written).
    Path-like labels lose their slashes.
    """
    text = unicodedata.normalize("NFKC", label)
    text = text.strip().strip("/").replace("_", " ")
    if "/" in text:  # a URL path: the most specific meaningful part names the section
        text = next((p for p in text.split("/") if p.strip()), "")
    if re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)+", text):  # slug
        text = text.replace("-", " ")
    text = " ".join(text.split())
    if not text or len(text) > MAX_SECTION_LENGTH or not any(c.isalpha() for c in text):
        return None
    if text.isupper() and all(len(w.strip(".")) <= 3 or "." in w for w in text.split()):
        return text  # acronyms: "NFL", "U.S.", "UK"
    if text.isupper() or text.islower():
        words = text.lower().split(" ")
        text = " ".join(
            w if (i and w in _SMALL_WORDS) else w[:1].upper() + w[1:] for i, w in enumerate(words)
        )
    return text
