"""File names made from content a user or a stranger controls, and names shown to a user.

One rule for every name the product builds from an upload's name, a project's name or an input
file's name: valid on Linux, macOS and Windows alike (bounded length, no Windows device name such as
``CON`` or ``aux.txt``, no character Windows refuses). ``align.batch`` adds its own policy on top
(a hash keeps changed names apart); the page, the project store and the package installer use
``safe_file_name`` directly. ``printable`` is how such a name is shown: control characters escaped.
"""

from __future__ import annotations

import re
import unicodedata

#: The longest file name we make from user content, in UTF-8 bytes: under the 255 bytes of Linux
#: and macOS, and short enough that the data folder's path stays under Windows' 260 characters.
MAX_NAME_BYTES = 120
MAX_SUFFIX_BYTES = 16  # a longer "suffix" is part of the name, cut like the rest
REFUSED_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')  # Windows refuses these; / and \ separate folders
WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{port}{n}" for port in ("COM", "LPT") for n in [*"0123456789", "\u00b9", "\u00b2", "\u00b3"]]
)


def is_windows_device(name: str) -> bool:
    """``CON``, ``aux.txt``, ``LPT1.tar.gz``: Windows reserves these names before any extension."""
    return name.split(".")[0].rstrip(" ").upper() in WINDOWS_DEVICES


def safe_file_name(name: str, fallback: str) -> str:
    """``name`` as a file name any system accepts: characters Windows refuses become ``_``,
    trailing dots and spaces go (Windows drops them), a device name (``CON``, ``aux.txt``) gets a
    leading ``_``, and a name over MAX_NAME_BYTES is cut before its suffix; ``fallback`` when
    nothing is left."""
    safe = REFUSED_CHARS.sub("_", unicodedata.normalize("NFC", name)).strip().rstrip(". ")
    stem, dot, suffix = safe.rpartition(".")
    if not dot or not stem or len(suffix.encode("utf-8")) >= MAX_SUFFIX_BYTES:
        stem, suffix = safe, ""
    else:
        suffix = f".{suffix}"
    room = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
    stem = _cut(stem, room)
    if not stem:
        return fallback
    if is_windows_device(stem):
        stem = "_" + _cut(stem, room - 1)
    return stem + suffix


def _cut(text: str, size: int) -> str:
    """``text`` cut to at most ``size`` UTF-8 bytes (whole characters), without trailing dots or spaces."""
    return text.encode("utf-8")[:size].decode("utf-8", "ignore").rstrip(". ")


def printable(text: str) -> str:
    """``text`` safe to print or log: control and formatting characters (terminal escape
    sequences, carriage returns, right-to-left overrides) and undecodable bytes of file names are
    shown escaped (``\\x1b``, ``\\u202e``, ``\\xe9``) instead of acting on the terminal."""
    if not any(_hidden(ch) for ch in text):
        return text
    return "".join(_escape(ch) if _hidden(ch) else ch for ch in text)


def _hidden(ch: str) -> bool:
    """Control, format, surrogate, private-use and unassigned characters, and line and paragraph
    separators (spaces of any width stay: they show as spaces)."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def _escape(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # an undecodable byte of a file name
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
