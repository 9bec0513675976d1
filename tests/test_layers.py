"""The package's layers (pyproject.toml's import-linter contract): lower rooms never import upper ones.

text / mt / embed and the bottom modules sit below aligner / quality / tm / glossary / ..., which sit
below pipeline / batch / cluster, below cli / ui. A lower room that must reach up gets what it
needs as a parameter (the translator calls the glossary index it is given).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from align.document import Pair
from align.glossary import Entry, Glossary, glossary_findings
from align.quality.estimate import quality_findings

ROOT = Path(__file__).resolve().parents[1]


def test_the_layers_contract_is_kept():
    """The same check scripts/test.sh runs: a lower layer importing an upper one fails it."""
    run = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports())"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "1 kept, 0 broken" in run.stdout


def test_glossary_findings_become_quality_findings_in_the_quality_package():
    """The conversion lives with its user (quality), so the glossary imports nothing above it."""
    glossary = Glossary((Entry.term("Brücke", "bridge"),), "de", "en")
    source, target = "Die neue Brücke wurde eröffnet.", "The new crossing opened."
    [finding] = glossary_findings(Pair(source=source, target=target), glossary, "de", "en")
    [quality] = quality_findings(source, target, glossary, "de", "en")
    assert (quality.signal, quality.reason) == ("glossary", finding.reason) and quality.evidence >= 1.0


def test_the_translator_finds_glossary_hits_through_the_index_it_is_given():
    """``align.mt`` asks the index for hits and the pick among hypotheses instead of importing
    the glossary package: the index's methods give what the glossary functions give."""
    from align.glossary import choose_hypothesis, glossary_hits

    index = Glossary((Entry.term("Brücke", "bridge"),), "de", "en").index()
    source = "Die Brücke ist neu."
    hits = index.hits(source)
    assert hits == tuple(glossary_hits(source, index)) and len(hits) == 1
    hypotheses = ["The crossing is new.", "The bridge is new."]
    assert index.choose(hypotheses, [-0.1, -0.5], hits) == choose_hypothesis(hypotheses, [-0.1, -0.5], list(hits), index) == 1
