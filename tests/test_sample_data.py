"""The demo texts in data/ go through the whole product: segmentation, translation with the fixture
package, and alignment with the human-style translation (one 2-1 merge twice, one 1-2 split)."""

from __future__ import annotations

from pathlib import Path

from align.mt.packages import find_package
from align.mt.translate import Translator
from align.pipeline import align_texts, translate_text
from align.text.segment import segment
from devtools.models import load_fixture_pairs

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLE_DE = (DATA / "sample.de.txt").read_text(encoding="utf-8")
SAMPLE_EN = (DATA / "sample.en.txt").read_text(encoding="utf-8")

# Where the English translator restructured: German sentences 2+3 -> one English sentence,
# 6+7 -> one, and German sentence 10 -> two English sentences; the rest is 1-1.
EXPECTED = (
    [((0,), (0,)), ((1,), (1,)), ((2, 3), (2,)), ((4,), (3,)), ((5,), (4,)), ((6, 7), (5,))]
    + [((i,), (i - 2,)) for i in (8, 9)]
    + [((10,), (8, 9))]
    + [((i,), (i - 1,)) for i in range(11, 20)]
)


def _beads(doc):
    return [(p.src_ids, p.tgt_ids) for p in doc.pairs]


def test_sample_segments_into_its_sentences() -> None:
    assert len(segment(SAMPLE_DE, "de")) == 20
    assert len(segment(SAMPLE_EN, "en")) == 19


def test_sample_translates_exactly_with_the_fixture(installed_settings) -> None:
    translator = Translator.load(find_package("de", "en", installed_settings))
    doc = translate_text(SAMPLE_DE, translator)
    known = dict(load_fixture_pairs())
    assert len(doc.pairs) == 20
    assert [p.target for p in doc.pairs] == [known[p.source] for p in doc.pairs]


def test_sample_aligns_with_its_human_translation(embedder) -> None:
    doc = align_texts(SAMPLE_DE, SAMPLE_EN, embedder=embedder)
    assert _beads(doc) == EXPECTED


def test_sample_aligns_with_the_machine_translation_signal(embedder, installed_settings) -> None:
    """With the fixture's exact machine translation as an extra signal the 1-2 split still wins:
    the MT's chrF must not reward a target sentence for merely being contained in the MT."""
    translator = Translator.load(find_package("de", "en", installed_settings))
    doc = align_texts(SAMPLE_DE, SAMPLE_EN, embedder=embedder, translator=translator)
    assert _beads(doc) == EXPECTED
