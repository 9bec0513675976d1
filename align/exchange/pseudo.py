"""Pseudo-translation: the standard check that a job survives the round trip before real work.

Each translatable text becomes an accented version of itself, about ``GROWTH`` longer and framed
in brackets ("Open file" -> "[Ŏƥēñ ƒĩĺē ~~~]"): text the file's tool never offered for
translation stays plain and is easy to spot, cut or overflowing text shows where a layout is too
tight, and characters outside Latin-1 show where an encoding breaks. Codes stay where they were,
around the same letters. Every segment gets the state of a pre-translation (``State.DRAFT``).
"""

from __future__ import annotations

import math

from align.codes import Code
from align.exchange.model import Job, State, set_target

#: How much longer a pseudo-translation is than its source: German and French run about 30%
#: longer than English, and layouts must make room for that.
GROWTH = 0.3
_OPEN, _CLOSE, _PAD = "[", "]", "~"
_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "àƀçđēƒĝĥĩĵķĺɱñŏƥǫŕšţūṽŵẋýžÀƁÇĐĒƑĜĤĨĴĶĹṀÑŎƤǪŔŠŢŪṼŴẊÝŽ",
)


def pseudo_text(text: str, codes: tuple[Code, ...]) -> tuple[str, tuple[Code, ...]]:
    """``text`` accented, framed and padded to about ``1 + GROWTH`` times its length, with each
    code at the same letters. Text with nothing but spaces is returned as it is."""
    if not text.strip():
        return text, codes
    padding = max(1, math.ceil(len(text) * GROWTH) - len(_OPEN) - len(_CLOSE) - 1)
    accented = f"{_OPEN}{text.translate(_ACCENTED)} {_PAD * padding}{_CLOSE}"
    shift = len(_OPEN)
    moved = tuple(Code(code.id, code.kind, code.start + shift, code.end + shift) for code in codes)
    return accented, moved


def pseudo_translate(job: Job) -> int:
    """Give every translatable segment of ``job`` its pseudo-translation as a draft; the count."""
    done = 0
    for segment in job.segments():
        if segment.translatable:
            text, codes = pseudo_text(segment.source, segment.codes)
            set_target(segment, text, codes, State.DRAFT)
            done += 1
    return done
