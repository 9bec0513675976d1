"""The glossary's data model: entries a translator's client or project prescribes.

Three kinds of entry, the three things terminology work asks of a translation:

* a **term** pair: a source term and the target term(s) to translate it with ("Fahrradbrücke" ->
  "cycle bridge"); any of several target terms counts;
* **do not translate**: a source term the target keeps verbatim (product names, "Elbe");
* **forbidden**: a target term that must not be used ("bike lane"), usually beside the preferred
  term of the same concept (TBX's ``administrativeStatus`` "forbidden"/"deprecated").

A glossary is for one language pair. Several glossaries combine in the order shared (data folder),
project, per call: the most specific comes last and its term pairs replace the earlier ones for the
same source term, so a project can override a house glossary.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from align.errors import FormatError

if TYPE_CHECKING:
    from align.glossary.terms import GlossaryIndex


class OtherLanguages(FormatError):
    """A glossary file is for other languages than the pair asked for (its header or its TBX
    language sections name others): an error for a file named on purpose, a reason to leave out
    the shared glossary for this pair."""


class Kind(StrEnum):
    """What an entry asks of a translation."""

    TERM = "term"
    DO_NOT_TRANSLATE = "do-not-translate"
    FORBIDDEN = "forbidden"

    @classmethod
    def parse(cls, value: str | Kind | None) -> Kind:
        """The kind a glossary file's type cell names, leniently ("", "preferred", "DNT",
        "do not translate", "deprecated", ...); ValueError for anything else."""
        if isinstance(value, Kind):
            return value
        key = " ".join(str(value or "").casefold().replace("-", " ").replace("_", " ").split())
        for kind, spellings in _KIND_SPELLINGS.items():
            if key in spellings:
                return kind
        raise ValueError(
            f"unknown entry type {value!r}; use term, do-not-translate or forbidden "
            "(also: preferred, dnt, keep, deprecated, avoid)"
        )


_KIND_SPELLINGS = {
    Kind.TERM: {
        "",
        "term",
        "terms",
        "pair",
        "term pair",
        "preferred",
        "preferred term",
        "preferredterm admn sts",
        "admitted",
        "admitted term",
        "admittedterm admn sts",
        "translation",
        "approved",
    },
    Kind.DO_NOT_TRANSLATE: {
        "do not translate",
        "dnt",
        "keep",
        "verbatim",
        "keep verbatim",
        "untranslatable",
        "no translation",
        "notranslate",
    },
    Kind.FORBIDDEN: {
        "forbidden",
        "forbidden term",
        "forbiddenterm admn sts",
        "deprecated",
        "deprecated term",
        "deprecatedterm admn sts",
        "avoid",
        "banned",
        "do not use",
        "prohibited",
    },
}


@dataclass(frozen=True)
class Entry:
    """One glossary entry.

    ``source`` is the source term (empty only for a forbidden term that is forbidden whatever the
    source says); ``targets`` the target term(s): the accepted translations of a term pair, the
    source itself for do-not-translate, the forbidden terms for a forbidden entry. ``origin``
    says where the entry was read ("glossary.tbx, line 12"), so a finding can be traced.
    """

    source: str
    targets: tuple[str, ...]
    kind: Kind = Kind.TERM
    note: str = ""
    origin: str = ""

    @classmethod
    def term(cls, source: str, *targets: str, note: str = "", origin: str = "") -> Entry:
        return cls(source, tuple(targets), Kind.TERM, note, origin)

    @classmethod
    def keep(cls, source: str, note: str = "", origin: str = "") -> Entry:
        """A do-not-translate entry: the target keeps ``source`` as it is written."""
        return cls(source, (source,), Kind.DO_NOT_TRANSLATE, note, origin)

    @classmethod
    def forbidden(cls, *targets: str, source: str = "", note: str = "", origin: str = "") -> Entry:
        return cls(source, tuple(targets), Kind.FORBIDDEN, note, origin)


@dataclass(frozen=True)
class Glossary:
    """The entries for one language pair; ``name`` says where they came from (files, "shared")."""

    entries: tuple[Entry, ...] = ()
    src_lang: str = ""
    tgt_lang: str = ""
    name: str = ""

    def __len__(self) -> int:
        return len(self.entries)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def replace(self, **changes: Any) -> Glossary:
        if "entries" in changes:
            changes["entries"] = tuple(changes["entries"])
        return dataclasses.replace(self, **changes)

    def fingerprint(self) -> str:
        """A short hash of the entries: what a batch manifest or a signature records, so an
        output made with another glossary is not taken for this one's."""
        return _fingerprint(self.entries)

    def describe(self) -> dict[str, Any]:
        """What a translated document's signature records about the glossary."""
        counts = {kind.value: sum(e.kind is kind for e in self.entries) for kind in Kind}
        return {"name": self.name, "entries": len(self.entries), "kinds": counts, "sha256": self.fingerprint()}

    def index(self, src_lang: str | None = None, tgt_lang: str | None = None) -> GlossaryIndex:
        """The entries stemmed for matching in these languages (default: the glossary's own),
        built once per glossary and language pair: rows are checked against the same index."""
        from align.glossary.terms import build_index

        key = ((src_lang or self.src_lang).lower(), (tgt_lang or self.tgt_lang).lower())
        cache = self._indexes
        if key not in cache:
            cache[key] = build_index(self.entries, *key)
        return cache[key]

    @functools.cached_property
    def _indexes(self) -> dict[tuple[str, str], GlossaryIndex]:
        # not a field: equality, hashing and repr see the entries only
        return {}


@functools.lru_cache(maxsize=32)
def _fingerprint(entries: tuple[Entry, ...]) -> str:
    rows = [[e.source, list(e.targets), e.kind.value] for e in entries]
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def merge_glossaries(glossaries: Iterable[Glossary | None], name: str = "") -> Glossary | None:
    """One glossary from several, in the order shared, project, per call (None ones skipped).

    A later glossary's term pair replaces an earlier term pair for the same source term (case
    aside); do-not-translate and forbidden entries add up. All must be for the same language pair
    (an empty language matches any). None when there is nothing at all.
    """
    parts = [g for g in glossaries if g is not None]
    if not parts:
        return None
    src = next((g.src_lang for g in parts if g.src_lang), "")
    tgt = next((g.tgt_lang for g in parts if g.tgt_lang), "")
    for g in parts:
        if (g.src_lang and g.src_lang != src) or (g.tgt_lang and g.tgt_lang != tgt):
            raise ValueError(f"glossary {g.name or '(unnamed)'} is for {g.src_lang}->{g.tgt_lang}, not {src}->{tgt}")
    entries: list[Entry] = []
    for g in parts:
        overridden = {e.source.casefold() for e in g.entries if e.kind is Kind.TERM}
        entries = [e for e in entries if not (e.kind is Kind.TERM and e.source.casefold() in overridden)]
        seen = set(entries)
        entries.extend(e for e in g.entries if e not in seen)
    return Glossary(tuple(entries), src, tgt, name or " + ".join(g.name for g in parts if g.name))
