"""Glossaries: client and project terminology the translation should follow.

Entries (term pairs, do-not-translate terms, forbidden terms) are read from CSV, TSV, XLSX or TBX
(``read_glossary``), matched in rows inflection-aware with Snowball stemmers (``terms``), checked
per row (``glossary_findings``: term not used, forbidden term used, not kept verbatim) and used
by the translator to choose among its n-best hypotheses (``select``).
"""

from __future__ import annotations

from align.glossary.checks import (
    FORBIDDEN_TERM,
    MISSING_TERM,
    NOT_VERBATIM,
    GlossaryFinding,
    Hit,
    glossary_findings,
    glossary_hits,
    glossary_reasons,
    row_findings,
)
from align.glossary.files import GLOSSARY_SUFFIXES, load_glossaries, read_glossary, shared_glossary_paths
from align.glossary.model import Entry, Glossary, Kind, OtherLanguages, merge_glossaries
from align.glossary.select import choose_hypothesis
from align.glossary.tabular import glossary_to_tsv

__all__ = [
    "FORBIDDEN_TERM",
    "GLOSSARY_SUFFIXES",
    "MISSING_TERM",
    "NOT_VERBATIM",
    "Entry",
    "Glossary",
    "GlossaryFinding",
    "Hit",
    "Kind",
    "OtherLanguages",
    "choose_hypothesis",
    "glossary_findings",
    "glossary_hits",
    "glossary_reasons",
    "glossary_to_tsv",
    "load_glossaries",
    "merge_glossaries",
    "read_glossary",
    "row_findings",
    "shared_glossary_paths",
]
