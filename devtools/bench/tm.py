"""The translation memory's speed: importing a big TMX, and looking sentences up in a big memory.

    python -m devtools bench tm [--units 200000] [--import-units 100000] [--queries 500] [--seed 1]
        [--data TSV] [--index fts5|postings] [--scan 50] [--keep DIR]

Issue 13 asks for a lookup in at most 20 ms per sentence against 200,000 units, and an import of
100,000 TMX units in at most 20 s. Both figures are printed with the CPU, and beside each a
reference measured in the same run on the same data, so the ratio means something on any machine:

* import: the time lxml alone takes to stream-parse the same file (``iterparse``, nothing kept);
* lookup: the brute-force answer, rapidfuzz's ``process.extractOne`` over every source of the
  language pair (C++, one call), for ``--scan`` of the queries; it also checks the word index's
  recall: whether the lookup found a match as good as the best one the scan found.

Data (``synthetic_units``, seeded): units are recombined from real German/English pairs, the
source and reference columns of qe-dev (``../shared/bench/qe-dev/newstest2021.de-en.systems.tsv``,
1,000 WMT21 news sentences; the fixture package's training pairs when it is missing): the head of
one pair joined to the tail of another, at proportional cuts on both sides, then zero to three
words replaced by words of the corpus. A vocabulary of 1,000 news sentences is far smaller than a
real memory's, so words are more common and posting lists longer than in a real memory: a harsh
case for the word index. The first ``--import-units`` units are written as another tool's TMX
(``de-DE``/``en-GB``, a header ``srclang``) and imported with ``align.tm.import_file``; the rest
are added to reach ``--units``.

Queries (``make_queries``), a third each: *exact* (a unit's source, with its stored neighbours or
without: 101% or 100%), *near* (a unit's source with one or two words replaced or dropped: a
fuzzy match is expected), *none* (a real sentence's words shuffled, or a sentence of another
text: nothing, or little, is expected). Printed: median, p95 and max milliseconds per lookup
(``TranslationMemory.lookup``, best 5), and per kind how many found what they should.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[2]
QE_DEV = REPO.parent / "shared" / "bench" / "qe-dev" / "newstest2021.de-en.systems.tsv"
#: Lookups slower than this miss the issue's target.
TARGET_LOOKUP_MS = 20.0
#: 100,000 TMX units imported in at most this many seconds.
TARGET_IMPORT_S_PER_100K = 20.0


# ---- data -------------------------------------------------------------------------------------------
def load_pairs(path: Path | None = None) -> list[tuple[str, str]]:
    """Distinct (German source, English reference) pairs of qe-dev, in line order; the fixture's
    training pairs when qe-dev is not beside the repository."""
    path = path or QE_DEV
    if not Path(path).is_file():
        from devtools.models import load_fixture_pairs

        return load_fixture_pairs()
    pairs: dict[str, str] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            pairs.setdefault(row["source"].strip(), row["reference"].strip())
    return [(de, en) for de, en in pairs.items() if de and en]


def synthetic_units(pairs: list[tuple[str, str]], count: int, seed: int = 1) -> list[tuple[str, str]]:
    """``count`` units with distinct sources, recombined from ``pairs`` (module doc); the same
    seed and pairs give the same units."""
    rng = random.Random(seed)
    split = [(de.split(), en.split()) for de, en in pairs]
    vocab_de = sorted({w for de, _ in split for w in de})
    vocab_en = sorted({w for _, en in split for w in en})
    seen: set[str] = set()
    units: list[tuple[str, str]] = []
    while len(units) < count:
        de, en = rng.choice(split)
        if rng.random() < 0.7:
            de_b, en_b = rng.choice(split)
            cut_a, cut_b = rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7)
            de = de[: max(1, int(len(de) * cut_a))] + de_b[int(len(de_b) * cut_b) :]
            en = en[: max(1, int(len(en) * cut_a))] + en_b[int(len(en_b) * cut_b) :]
        de, en = list(de), list(en)
        for _ in range(rng.randint(0, 3)):
            de[rng.randrange(len(de))] = rng.choice(vocab_de)
            en[rng.randrange(len(en))] = rng.choice(vocab_en)
        source = " ".join(de)
        if source not in seen:
            seen.add(source)
            units.append((source, " ".join(en)))
    return units


def write_other_tool_tmx(units: list[tuple[str, str]], path: Path) -> Path:
    """A TMX 1.4 as another CAT tool writes it: regional language codes, one ``tu`` per unit."""
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n')
        out.write(
            '<header creationtool="OtherCAT" creationtoolversion="1" segtype="sentence" o-tmf="x" '
            'adminlang="en-US" srclang="de-DE" datatype="plaintext"/>\n<body>\n'
        )
        for k, (de, en) in enumerate(units):
            out.write(
                f'<tu tuid="{k}" creationdate="20240101T120000Z"><tuv xml:lang="de-DE"><seg>{escape(de)}</seg></tuv>'
                f'<tuv xml:lang="en-GB"><seg>{escape(en)}</seg></tuv></tu>\n'
            )
        out.write("</body>\n</tmx>\n")
    return path


@dataclass(frozen=True)
class Query:
    kind: str  # exact, near, none
    text: str
    previous: str = ""
    following: str = ""


def make_queries(units: list[tuple[str, str]], pairs: list[tuple[str, str]], count: int, seed: int = 1) -> list[Query]:
    """``count`` queries, a third of each kind (module doc), in a seeded random order."""
    rng = random.Random(seed + 1)
    queries = []
    for k in range(count):
        kind = ("exact", "near", "none")[k % 3]
        i = rng.randrange(len(units))
        words = units[i][0].split()
        if kind == "exact":
            with_context = rng.random() < 0.5
            previous = units[i - 1][0] if with_context and i > 0 else ""
            following = units[i + 1][0] if with_context and i + 1 < len(units) else ""
            queries.append(Query(kind, units[i][0], previous, following))
        elif kind == "near":
            for _ in range(rng.randint(1, 2)):
                j = rng.randrange(len(words))
                if rng.random() < 0.5 and len(words) > 4:
                    del words[j]
                else:
                    words[j] = rng.choice(("Haus", "Stadt", "Woche", "gestern", "neuen", "drei"))
            queries.append(Query(kind, " ".join(words)))
        else:
            real = rng.choice(pairs)[0].split()
            rng.shuffle(real)
            queries.append(Query(kind, " ".join(real)))
    return queries


# ---- measuring ---------------------------------------------------------------------------------------
@dataclass
class TmReport:
    cpu: str
    index: str
    units: int
    imported: int
    import_s: float
    parse_s: float
    tmx_mb: float
    db_mb: float
    lookup_ms: list[float]
    scan_ms: list[float]
    scan_agrees: int  # scanned queries whose lookup found a match as good as the scan's best (>= 75%)
    scan_matches: int  # scanned queries for which the scan found one
    found: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (as expected, queries)

    def format(self) -> str:
        ms = sorted(self.lookup_ms)
        median, p95 = statistics.median(ms), ms[min(len(ms) - 1, int(0.95 * len(ms)))]
        per_100k = self.import_s * 100_000 / max(self.imported, 1)
        scan = statistics.median(self.scan_ms) if self.scan_ms else float("nan")
        lines = [
            f"CPU: {self.cpu}",
            f"memory: {self.units} units (index {self.index}), {self.db_mb:.0f} MB",
            f"import: {self.imported} TMX units ({self.tmx_mb:.1f} MB) in {self.import_s:.1f} s "
            f"= {per_100k:.1f} s per 100,000 (target <= {TARGET_IMPORT_S_PER_100K:.0f} s: "
            f"{'ok' if per_100k <= TARGET_IMPORT_S_PER_100K else 'MISSED'}); lxml parse alone {self.parse_s:.1f} s, "
            f"import/parse = {self.import_s / max(self.parse_s, 1e-9):.1f}",
            f"lookup: {len(ms)} queries, median {median:.2f} ms, p95 {p95:.2f} ms, max {ms[-1]:.2f} ms "
            f"(target <= {TARGET_LOOKUP_MS:.0f} ms: {'ok' if p95 <= TARGET_LOOKUP_MS else 'MISSED'} at p95)",
            f"reference: brute-force rapidfuzz scan of all {self.units} sources, median {scan:.1f} ms "
            f"over {len(self.scan_ms)} queries; scan/lookup = {scan / max(median, 1e-9):.0f}; the lookup found the "
            f"scan's best match in {self.scan_agrees}/{self.scan_matches} of them that have one >= 75%",
        ]
        for kind, (good, total) in self.found.items():
            what = {"exact": "got 100/101%", "near": "got a fuzzy match >= 75%", "none": "got nothing >= 75%"}[kind]
            lines.append(f"  {kind}: {good}/{total} {what}")
        return "\n".join(lines)


def run_benchmark(
    folder: Path,
    *,
    units: int = 200_000,
    import_units: int = 100_000,
    queries: int = 500,
    seed: int = 1,
    data: Path | None = None,
    index: str | None = None,
    scan: int = 50,
) -> TmReport:
    """Build the data in ``folder``, import, add the rest, look the queries up; see the module doc."""
    from lxml import etree
    from rapidfuzz import fuzz, process

    from align.tm import TranslationMemory, Unit, import_file
    from align.tm.match import fuzzy_score
    from align.tm.text import normalise
    from devtools.models import cpu_model_name

    pairs = load_pairs(data)
    made = synthetic_units(pairs, units, seed)
    import_units = min(import_units, units)
    tmx = write_other_tool_tmx(made[:import_units], folder / "bench.tmx")

    started = time.perf_counter()
    for _ in etree.iterparse(str(tmx), events=("end",), tag="tu"):
        pass
    parse_s = time.perf_counter() - started

    with TranslationMemory(folder / "tm.sqlite3", index=index) as tm:
        started = time.perf_counter()
        import_file(tm, tmx)
        import_s = time.perf_counter() - started
        rest = made[import_units:]
        tm.add(
            Unit(de, en, "de", "en", made[import_units + k - 1][0], made[import_units + k + 1][0] if k + 1 < len(rest) else "")
            for k, (de, en) in enumerate(rest)
        )
        asked = make_queries(made, pairs, queries, seed)
        timings, best_scores, found = [], [], {kind: [0, 0] for kind in ("exact", "near", "none")}
        for query in asked:
            started = time.perf_counter()
            matches = tm.lookup(query.text, "de", "en", previous=query.previous, following=query.following)
            timings.append((time.perf_counter() - started) * 1000)
            best = matches[0].score if matches else 0
            best_scores.append(best)
            good = {"exact": best >= 100, "near": 75 <= best < 100, "none": best < 75}[query.kind]
            found[query.kind][0] += good
            found[query.kind][1] += 1
        sources = [normalise(de) for de, _ in made]
        scans, agrees, matched = [], 0, 0
        for query, best_score in zip(asked[:scan], best_scores, strict=False):
            started = time.perf_counter()
            best = process.extractOne(normalise(query.text), sources, scorer=fuzz.ratio, score_cutoff=75)
            scans.append((time.perf_counter() - started) * 1000)
            if best is not None:
                matched += 1
                agrees += best_score >= fuzzy_score(normalise(query.text), best[0])
        stats = tm.stats()
    return TmReport(
        cpu=cpu_model_name(),
        index=stats.index,
        units=stats.units,
        imported=import_units,
        import_s=import_s,
        parse_s=parse_s,
        tmx_mb=tmx.stat().st_size / 1e6,
        db_mb=stats.size_bytes / 1e6,
        lookup_ms=timings,
        scan_ms=scans,
        scan_agrees=agrees,
        scan_matches=matched,
        found={kind: (good, total) for kind, (good, total) in found.items()},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools bench tm", description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=200_000, help="units in the memory (default %(default)s)")
    parser.add_argument("--import-units", type=int, default=100_000, help="of them, imported from TMX (default %(default)s)")
    parser.add_argument("--queries", type=int, default=500, help="lookups timed (default %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, default=None, help=f"qe-dev TSV (default {QE_DEV})")
    parser.add_argument("--index", choices=("fts5", "postings"), default=None, help="word index (default: FTS5 when available)")
    parser.add_argument("--scan", type=int, default=50, help="queries also answered by a brute-force scan (default %(default)s)")
    parser.add_argument("--keep", type=Path, default=None, help="build in this folder and keep the TMX and memory")
    args = parser.parse_args(argv)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        folder_context = None
        folder = args.keep
    else:
        folder_context = tempfile.TemporaryDirectory(prefix="bench-tm-")
        folder = Path(folder_context.name)
    try:
        report = run_benchmark(
            folder,
            units=args.units,
            import_units=args.import_units,
            queries=args.queries,
            seed=args.seed,
            data=args.data,
            index=args.index,
            scan=args.scan,
        )
    finally:
        if folder_context is not None:
            folder_context.cleanup()
    print(report.format())
    return 0
