"""The archive's errors, said for a person: what went wrong and what to do.

In a module of their own so the CLI and the UI can catch them without loading the archive
or the search index.
"""

from __future__ import annotations


class ArchiveError(Exception):
    """The archive cannot be opened or changed; the message says why, for a person."""


class ArchiveBusy(ArchiveError):
    """Another program held the write lock longer than we wait."""


class ArchiveReadOnly(ArchiveError):
    """The archive is open read-only (the file or its folder may not be written)."""


class ArchiveForbidden(ArchiveError):
    """A team archive's server refused the change: the member's role does not allow it
    (a reader writing, an annotator changing another's highlight)."""


class ArchiveUnreachable(ArchiveError):
    """A team archive's server cannot be reached (stopped, restarting, the network gone):
    nothing was changed, and the same change can be made again once it is back."""


class ArchiveFull(ArchiveError):
    """The disk is full: the change was not saved."""


class IndexUnavailable(ArchiveError):
    """The search index cannot be kept where it belongs; the message says what to do."""
