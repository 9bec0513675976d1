"""Named errors that the page and the command line turn into one-line messages.

Every error a user can act on is an ``AlignError``; its message says what went wrong, with the
file (and line, where there is one) and what to do. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class AlignError(Exception):
    """Base class: an error the user can act on; ``str(err)`` is the whole message."""


class InputError(AlignError):
    """An input file cannot be read: missing, a directory, empty, binary, unknown encoding."""


class FormatError(AlignError):
    """A file is in a format we read, but its content is malformed."""


class PackageError(AlignError):
    """An Argos package is invalid, missing, for another language pair, or cannot be installed."""


class NetworkError(AlignError):
    """The Argos package index or a model host cannot be reached."""


class ModelNotInstalled(PackageError):
    """No installed package translates the requested language pair."""


class StoreError(AlignError):
    """The project database cannot be opened or written."""
