"""Batched, never-truncating translation with the real fixture package (CTranslate2 + SentencePiece)."""

from __future__ import annotations

import logging
import shutil

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from align.errors import AlignError, PackageError
from align.mt.packages import find_package, read_package
from align.mt.translate import TranslateOptions, TranslateStats, Translator, plan_batches, split_long


# ---- pure parts: splitting and batching ---------------------------------------------------------------
def words(text: str) -> int:
    return len(text.split()) or (1 if text else 0)


@hsettings(max_examples=200, deadline=None)
@given(
    text=st.lists(st.sampled_from(list("abcdé ,;:.-\n") + [" und ", " and ", "xyz"]), max_size=150).map("".join),
    limit=st.integers(min_value=1, max_value=30),
)
def test_split_long_partitions_text_within_limit(text, limit):
    pieces = split_long(text, words, limit)
    assert "".join(pieces) == text
    assert all(piece for piece in pieces)
    assert all(words(piece) <= limit for piece in pieces)


@hsettings(max_examples=100, deadline=None)
@given(text=st.text(max_size=300), limit=st.integers(min_value=1, max_value=50))
def test_split_long_by_characters_when_nothing_else_fits(text, limit):
    pieces = split_long(text, len, limit)
    assert "".join(pieces) == text
    assert all(0 < len(piece) <= limit for piece in pieces)


def test_split_prefers_clause_boundaries():
    text = "Erstens kam er; zweitens sah er, und drittens siegte er"
    assert split_long(text, words, 4) == ["Erstens kam er; ", "zweitens sah er, ", "und drittens siegte er"]
    assert split_long(text, words, 7) == ["Erstens kam er; ", "zweitens sah er, und drittens siegte er"]
    assert split_long(text, words, 100) == [text]
    assert split_long("eins zwei und drei vier", words, 3) == ["eins zwei ", "und drei vier"]


@hsettings(max_examples=200, deadline=None)
@given(
    lengths=st.lists(st.integers(min_value=0, max_value=300), max_size=200),
    budget=st.integers(min_value=1, max_value=5000),
    same_length=st.booleans(),
)
def test_plan_batches_covers_everything_sorted_within_budget(lengths, budget, same_length):
    batches = plan_batches(lengths, budget, same_length=same_length)
    flat = [i for batch in batches for i in batch]
    assert sorted(flat) == list(range(len(lengths)))
    assert [lengths[i] for i in flat] == sorted(lengths)
    for batch in batches:
        assert batch
        longest = max(max(lengths[i] for i in batch), 1)
        assert len(batch) == 1 or len(batch) * longest <= budget
        if same_length:
            assert len({lengths[i] for i in batch}) == 1


# ---- the fixture package ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pairs():
    from devtools.models import load_fixture_pairs

    return load_fixture_pairs()


@pytest.fixture(scope="module")
def package(installed_settings):
    return find_package("de", "en", installed_settings)


@pytest.fixture(scope="module")
def translator(package):
    return Translator.load(package, TranslateOptions(threads=2))


def test_reproduces_fixture_pairs_in_order(translator, pairs):
    german = [de for de, _ in pairs]
    done: list[tuple[int, int | None]] = []
    stats = TranslateStats()
    assert translator.translate(german, progress=lambda *report: done.append(report), stats=stats) == [en for _, en in pairs]
    assert done[-1] == (len(german), len(german)) and [d for d, _ in done] == sorted(d for d, _ in done)
    assert stats.batches == len(done) < len(german) / 10  # batches, not one call each
    assert stats.pieces == len(german)


@pytest.mark.parametrize("beam_size,compute_type", [(1, "int8"), (2, "float32"), (1, "float32")])
def test_other_exposed_settings_reproduce_too(package, pairs, beam_size, compute_type):
    sample = pairs[::20]
    translator = Translator.load(package, TranslateOptions(beam_size=beam_size, compute_type=compute_type, threads=1))
    assert translator.translate([de for de, _ in sample]) == [en for _, en in sample]


def test_empty_sentences_come_back_empty_without_a_model_call(translator, pairs):
    (de1, en1), (de2, en2) = pairs[3], pairs[10]
    done: list[tuple[int, int | None]] = []
    assert translator.translate(["", de1, "  \n", de2, ""], progress=lambda *report: done.append(report)) == [
        "",
        en1,
        "",
        en2,
        "",
    ]
    assert done[0] == (3, 5) and done[-1] == (5, 5)
    stats = TranslateStats()
    assert translator.translate(["", " "], stats=stats) == ["", ""]
    assert stats.batches == 0
    assert translator.translate([]) == []


def test_small_batches_give_same_output_and_more_progress_calls(package, pairs):
    german = [de for de, _ in pairs[:60]]
    small = Translator.load(package, TranslateOptions(threads=2, max_batch_tokens=64))
    done: list[tuple[int, int | None]] = []
    stats = TranslateStats()
    assert small.translate(german, progress=lambda *report: done.append(report), stats=stats) == [en for _, en in pairs[:60]]
    assert len(done) == stats.batches > 10 and done[-1] == (60, 60)


def test_20000_character_sentence_is_translated_in_full(package, pairs, caplog):
    """A German 'sentence' of 20,000 characters without a full stop: split, translated, rejoined.

    Its clauses are fixture sentences longer than half the piece limit, so each clause becomes
    exactly one piece and the fixture model's English for each clause must appear in the output.
    """
    limit = 30
    translator = Translator.load(package, TranslateOptions(threads=2, max_piece_tokens=limit))
    clauses = [
        (de[:-1], en.rstrip("."))
        for de, en in pairs
        if de.endswith(".") and "." not in de[:-1] and limit // 2 < len(translator.tokenize(de[:-1] + ";")) < limit
    ]
    used = []
    while sum(len(de) + 2 for de, _ in used) < 20_000:
        used.append(clauses[len(used) % len(clauses)])
    text = "; ".join(de for de, _ in used)
    assert "." not in text and len(text) >= 20_000
    assert len(translator.tokenize(text)) > 1024  # CTranslate2 alone would cut it at 1024 tokens

    stats = TranslateStats()
    with caplog.at_level(logging.WARNING, logger="align.mt.translate"):
        [english] = translator.translate([text], stats=stats)
    [warning] = [r.getMessage() for r in caplog.records if "pieces" in r.getMessage()]
    assert f"in {len(used)} pieces" in warning
    assert stats.pieces == len(used)
    assert 0.7 < len(english) / len(text) < 1.4  # proportional: every piece produced its share
    found = {en for _, en in used if en in english}
    assert len(found) >= 0.85 * len({en for _, en in used})
    last_alone = translator.translate([used[-1][0] + ";"])[0]
    assert english.endswith(last_alone)  # the end of the sentence is there too


def test_20000_character_sentence_with_default_options(translator, pairs):
    """Default settings (pieces of up to 200 tokens): every piece yields output, none is cut."""
    text = "; ".join(de[:-1] for de, _ in pairs if de.endswith(".") and "." not in de[:-1])
    text = (text + "; ") * (20_000 // len(text) + 1)
    text = text[:20_000].rstrip("; ")
    stats = TranslateStats()
    [english] = translator.translate([text], stats=stats)
    assert stats.pieces >= len(translator.tokenize(text)) // translator.options.max_piece_tokens
    assert english and stats.output_tokens >= stats.pieces
    assert len(english.split()) >= stats.pieces


def test_describe_names_package_options_and_versions(translator, package):
    import ctranslate2

    info = translator.describe()
    assert info["package"] == package.name and info["version"] == package.version
    assert info["options"]["beam_size"] == 2 and info["options"]["max_batch_tokens"] == 4096
    assert info["ctranslate2"] == ctranslate2.__version__


def test_target_prefix_is_sent_and_removed(package, tmp_path, pairs):
    copy = shutil.copytree(package.path, tmp_path / "prefixed")
    meta = (copy / "metadata.json").read_text()
    (copy / "metadata.json").write_text(meta.replace('"from_code"', '"target_prefix": "__en__", "from_code"', 1))
    prefixed = read_package(copy)
    assert prefixed.target_prefix == "__en__"
    translator = Translator.load(prefixed, TranslateOptions(threads=1))
    [out] = translator.translate([pairs[0][0]])
    assert out and not out.startswith("__en__")


def test_broken_model_and_bad_compute_type(package, tmp_path):
    copy = shutil.copytree(package.path, tmp_path / "broken")
    (copy / "model" / "model.bin").write_bytes(b"not a model")
    with pytest.raises(PackageError, match="cannot load the CTranslate2 model"):
        Translator.load(read_package(copy))
    with pytest.raises(AlignError, match="compute type 'bogus'"):
        Translator.load(package, TranslateOptions(compute_type="bogus"))
