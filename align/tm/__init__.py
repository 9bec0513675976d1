"""The translation memory: confirmed and imported translations, reused before the machine.

* ``memory``: the SQLite file (``tm.sqlite3`` in the data folder), units unique on languages,
  source and target, lookups with 101% / 100% / fuzzy matches;
* ``match``: match percentages and the words that differ; ``text``: the normal form and terms;
* ``index``: the word index that finds fuzzy candidates fast (FTS5, or a table without it);
* ``importer``: TMX from any tool, CSV/TSV/XLSX/JSONL, confirmed project rows;
  ``export``: TMX 1.4b out; ``pretranslate``: exact matches of a translation job.

Importing this package opens nothing; a ``TranslationMemory`` opens its file when made.
"""

from align.tm.export import export_tmx
from align.tm.importer import add_confirmed, confirmed_sink, import_file
from align.tm.match import MIN_FUZZY, Match, Unit, differing_words
from align.tm.memory import AddResult, TMError, TMStats, TranslationMemory, has_units, open_tm, tm_path
from align.tm.pretranslate import exact_matches, memory_for, wants_memory

__all__ = [
    "MIN_FUZZY",
    "AddResult",
    "Match",
    "TMError",
    "TMStats",
    "TranslationMemory",
    "Unit",
    "add_confirmed",
    "confirmed_sink",
    "differing_words",
    "exact_matches",
    "export_tmx",
    "has_units",
    "import_file",
    "memory_for",
    "open_tm",
    "tm_path",
    "wants_memory",
]
