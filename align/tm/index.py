"""Finding fuzzy-match candidates among many units fast: a word index and term counts.

Scoring every unit of a 200,000-unit memory with rapidfuzz for each sentence would take about a
second; instead each lookup reads the units that share the query's *rarest* words and scores only
the best few dozen of them. A unit that matches 75% or more shares most of the query's words, so
it shares its rare ones too, and rare words have short posting lists: the lookup reads a few
thousand row ids whatever the memory's size.

How (``candidate_ids``):

1. the query's index terms, with their document counts from the ``terms`` table (kept beside the
   index at every insert; FTS5's own ``fts5vocab`` counts by walking the posting lists, about
   half a millisecond a term);
2. the rarest terms, while their posting lists add up to at most ``POSTINGS_BUDGET`` rows (at most
   ``MAX_TERMS`` terms); each unit holding some of them scores the sum of their idf weights, and
   the ``limit`` best are the candidates (summing in Python beats FTS5's ``ORDER BY rank``, which
   computes bm25 from position lists: devtools/RESULTS.md, "Figures cited by the code");
3. a query made of common words only (its rarest term alone is over the budget, "Das ist es."):
   up to ``ALL_OF_LIMIT`` units holding all of its three rarest terms, read by the index's own
   intersection, all of them candidates (a short sentence of common words has few long matches).

Two interchangeable postings backends: SQLite FTS5 (an external-content table over
``units.source``; compact posting lists read in C), and, for a Python whose SQLite lacks FTS5, a
plain ``postings(term, unit_id)`` table (bigger and slower, same results).
"""

from __future__ import annotations

import heapq
import math
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Protocol

from align.tm.text import terms

#: Posting-list rows one lookup reads at most (beyond its rarest term).
POSTINGS_BUDGET = 5000
#: Rare terms one lookup looks up at most.
MAX_TERMS = 8
#: Terms intersected when even the rarest term is over the budget, and the units read then.
ALL_OF = 3
ALL_OF_LIMIT = 1000


class Postings(Protocol):
    """Which units hold a term: the part of the index that differs between backends."""

    name: str

    def create(self, db: sqlite3.Connection) -> None: ...

    def add(self, db: sqlite3.Connection, rows: Sequence[tuple[int, str]]) -> None:
        """Index ``(unit id, normalised source)`` rows of new units."""

    def rows_with(self, db: sqlite3.Connection, term: str) -> list[int]: ...

    def rows_with_all(self, db: sqlite3.Connection, words: Sequence[str], limit: int) -> list[int]: ...


class Fts5Postings:
    """SQLite FTS5 over ``units.source`` (external content: the text is stored once)."""

    name = "fts5"

    def create(self, db: sqlite3.Connection) -> None:
        db.execute(
            "CREATE VIRTUAL TABLE units_fts USING fts5(source, content='units', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2')"
        )

    def add(self, db: sqlite3.Connection, rows: Sequence[tuple[int, str]]) -> None:
        db.executemany("INSERT INTO units_fts (rowid, source) VALUES (?, ?)", rows)

    def rows_with(self, db: sqlite3.Connection, term: str) -> list[int]:
        return [r for (r,) in db.execute("SELECT rowid FROM units_fts WHERE units_fts MATCH ?", (_phrase(term),))]

    def rows_with_all(self, db: sqlite3.Connection, words: Sequence[str], limit: int) -> list[int]:
        query = " AND ".join(_phrase(w) for w in words)
        return [r for (r,) in db.execute("SELECT rowid FROM units_fts WHERE units_fts MATCH ? LIMIT ?", (query, limit))]


class TablePostings:
    """A ``postings(term, unit_id)`` table: the fallback where SQLite has no FTS5."""

    name = "postings"

    def create(self, db: sqlite3.Connection) -> None:
        db.execute(
            "CREATE TABLE postings (term TEXT NOT NULL, unit_id INTEGER NOT NULL, PRIMARY KEY (term, unit_id)) WITHOUT ROWID"
        )

    def add(self, db: sqlite3.Connection, rows: Sequence[tuple[int, str]]) -> None:
        db.executemany(
            "INSERT OR IGNORE INTO postings (term, unit_id) VALUES (?, ?)",
            [(term, unit_id) for unit_id, source in rows for term in terms(source)],
        )

    def rows_with(self, db: sqlite3.Connection, term: str) -> list[int]:
        return [r for (r,) in db.execute("SELECT unit_id FROM postings WHERE term = ?", (term,))]

    def rows_with_all(self, db: sqlite3.Connection, words: Sequence[str], limit: int) -> list[int]:
        query = " INTERSECT ".join("SELECT unit_id FROM postings WHERE term = ?" for _ in words)
        return [r for (r,) in db.execute(f"{query} LIMIT ?", (*words, limit))]


BACKENDS: dict[str, type[Fts5Postings] | type[TablePostings]] = {"fts5": Fts5Postings, "postings": TablePostings}


def _phrase(term: str) -> str:
    """An FTS5 string literal (a term is letters and digits, but quote it anyway)."""
    return '"' + term.replace('"', '""') + '"'


def fts5_available() -> bool:
    """Whether this Python's SQLite was built with FTS5."""
    db = sqlite3.connect(":memory:")
    try:
        db.execute("CREATE VIRTUAL TABLE probe USING fts5(text)")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        db.close()


def create_terms_table(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE terms (term TEXT PRIMARY KEY, units INTEGER NOT NULL) WITHOUT ROWID")


def count_terms(db: sqlite3.Connection, sources: Iterable[str]) -> None:
    """Add the new units' sources to the term counts (each term once per unit)."""
    counts: Counter[str] = Counter()
    for source in sources:
        counts.update(terms(source))
    db.executemany(
        "INSERT INTO terms (term, units) VALUES (?, ?) ON CONFLICT (term) DO UPDATE SET units = units + excluded.units",
        counts.items(),
    )


def candidate_ids(db: sqlite3.Connection, postings: Postings, query: str, total: int, limit: int) -> list[int]:
    """Ids of the units most likely to be fuzzy matches of the normalised ``query`` (module doc):
    the ``limit`` best by shared rare terms, or all units holding the query's rarest common terms;
    ``total`` is the number of units (for idf weights)."""
    wanted = terms(query)
    if not wanted:
        return []
    marks = ", ".join("?" * len(wanted))
    counts = dict(db.execute(f"SELECT term, units FROM terms WHERE term IN ({marks})", wanted).fetchall())
    present = sorted((t for t in wanted if counts.get(t)), key=lambda t: counts[t])
    if not present:
        return []
    if counts[present[0]] > POSTINGS_BUDGET:
        return postings.rows_with_all(db, present[:ALL_OF], ALL_OF_LIMIT)
    weights: dict[int, float] = {}
    read = 0
    for term in present[:MAX_TERMS]:
        if read + counts[term] > POSTINGS_BUDGET:
            break
        read += counts[term]
        weight = math.log(1 + total / counts[term])
        for unit_id in postings.rows_with(db, term):
            weights[unit_id] = weights.get(unit_id, 0.0) + weight
    return heapq.nlargest(limit, weights, key=weights.__getitem__)
