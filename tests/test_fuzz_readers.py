"""The fuzz pass over every reader (issue 20; ``devtools.fuzz``, ``python -m devtools fuzz`` for long runs).

Mutated real files (the shared bench's Word documents and XLIFF, ``data/``, the fixture package,
the product's own exports and translated documents) go through every reader in a worker process
whose address space is capped at 1.5 GiB: only ``align.errors.AlignError`` may come out, no
timeout, no dead worker, no external entity resolved. A fixed seed and 30 inputs per reader keep
the run deterministic and near a minute and a half on two cores; inflating mutations grow files to
a megabyte or more here (``--inflate-mb`` by hand for larger ones).

The harness's own alarms are tested too: readers that run out of memory, hang, raise a bug,
crash the process or leak the marker must each be reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.fuzz import BENCH, CHECK_READERS, READERS, Context, Fuzzer, mutated_inputs

pytestmark = pytest.mark.slow

PER_READER = 30
SEED = 20  # the number; any fixed seed keeps CI deterministic
INFLATE_MB = 1


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzer]:
    bench = BENCH if BENCH.is_dir() else None
    with Fuzzer(tmp_path_factory.mktemp("fuzz"), memory_mb=1536, timeout=30.0, inflate_mb=INFLATE_MB, bench=bench) as running:
        yield running


@pytest.mark.parametrize("reader", list(READERS))
def test_reader_raises_only_product_errors(fuzzer: Fuzzer, reader: str) -> None:
    report = fuzzer.run_reader(reader, PER_READER, SEED)
    assert report.tried == PER_READER
    assert not report.findings, f"{len(report.findings)} finding(s):\n" + report.describe()
    assert 0 < report.max_rss_mb < 1536


def test_inputs_depend_only_on_seed_reader_and_index(fuzzer: Fuzzer, tmp_path: Path) -> None:
    context = Context(marker=tmp_path / "marker.txt", inflate=1 << 20)
    for name in ("docx", "tmx", "jsonl", "package", "pdf"):
        reader = READERS[name]
        first = [(i.mutation, i.seed, i.data) for i in mutated_inputs(reader, 8, SEED, fuzzer.seeds, context)]
        again = [(i.mutation, i.seed, i.data) for i in mutated_inputs(reader, 8, SEED, fuzzer.seeds, context)]
        other = [(i.mutation, i.seed, i.data) for i in mutated_inputs(reader, 8, SEED + 1, fuzzer.seeds, context)]
        assert first == again and first != other
        assert any(data != seed.read_bytes() for _, seed, data in first)


@pytest.mark.parametrize(
    ("check", "error"),
    [
        ("check-memory", "MemoryError"),
        ("check-timeout", "Timeout"),
        ("check-bug", "KeyError"),
        ("check-crash", "WorkerDied"),
        ("check-marker", "MarkerLeaked"),
    ],
)
def test_harness_reports_what_it_must_catch(fuzzer: Fuzzer, check: str, error: str) -> None:
    assert check in CHECK_READERS
    report = fuzzer.run_reader(check, 1, SEED, timeout=3.0)
    assert [finding.error for finding in report.findings] == [error]
    healthy = fuzzer.run_reader("txt", 2, SEED)  # the worker is back after each
    assert healthy.tried == 2 and all(f.error != error for f in healthy.findings)
