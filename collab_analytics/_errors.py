"""The toolkit's small exception family.

Every error a user can meet derives from :class:`CollabError` (itself a ``ValueError``),
so ``except CollabError`` catches everything the toolkit raises on purpose.
"""

from __future__ import annotations

__all__ = [
    "CollabError",
    "DataValidationError",
    "FileFormatError",
    "ScheduleParseError",
    "SchemaError",
    "UnsafePathError",
]


class CollabError(ValueError):
    """Base class of every error raised on purpose by collab_analytics."""


class FileFormatError(CollabError):
    """A file cannot be read: wrong format, corrupt, encrypted, too large or unknown encoding."""


class SchemaError(CollabError):
    """A table lacks required columns or cannot be recognised."""


class DataValidationError(CollabError):
    """Loading found errors. ``.issues`` holds every problem as a DataFrame."""

    def __init__(self, msg: str, issues=None):
        super().__init__(msg)
        self.issues = issues


class ScheduleParseError(CollabError):
    """A communication-plan frequency text cannot be understood."""


class UnsafePathError(CollabError):
    """An output path would escape the output folder or overwrite a file we did not write."""
