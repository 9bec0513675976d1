"""Quality estimation: every signal on real sentences (WMT21 output from ../shared/bench/qe-dev and
our own sample text), the fixture package's own token scores, and the combined estimate."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align.quality import estimate_rows, with_estimates
from align.quality import textsignals as ts
from align.quality.calibration import MIN_ROWS, QualityCalibration
from align.quality.report import quality_band, score_table, summary

REPO = Path(__file__).resolve().parents[1]
FIXTURE_PAIRS = REPO / "devtools" / "data" / "fixture_pairs.tsv"


@pytest.fixture(scope="module")
def wmt(shared_dir: Path) -> list[dict[str, str]]:
    """One WMT21 system's German -> English output, in line order (a real news document)."""
    with open(shared_dir / "bench" / "qe-dev" / "newstest2021.de-en.systems.tsv", encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if r["system"] == "Facebook-AI"]
    assert len(rows) == 1000
    return rows


def _row(wmt: list[dict[str, str]], needle: str) -> dict[str, str]:
    return next(r for r in wmt if needle in r["source"])


# ---- row signals --------------------------------------------------------------------------------
def test_repetition_loop_is_found_with_its_unit_and_count(wmt):
    row = _row(wmt, "Biker reagiert blitzschnell")
    assert ts.repetition(row["source"], row["mt"]) is None
    looped = row["mt"] + " and prevents worse and prevents worse and prevents worse"
    finding = ts.repetition(row["source"], looped)
    assert finding is not None and finding.reason == "repeats 'and prevents worse' 4 times"
    assert ts.repetition("Ha, ha, ha!", "Ha, ha, ha!") is None  # the source repeats itself: not a loop
    assert ts.repetition("Er war sehr, sehr müde.", "He was very, very tired.") is None  # twice is language


def test_untranslated_output_and_names_only_rows(wmt):
    row = _row(wmt, "Am Freitagabend ereignete sich")
    finding = ts.untranslated(row["source"], row["source"], "de", "en")
    assert finding is not None and "untranslated" in finding.reason
    assert ts.untranslated(row["source"], row["mt"], "de", "en") is None
    assert ts.untranslated("Thunberg", "Thunberg", "de", "en") is None  # a name is written the same
    short = ts.untranslated("Angenehme Atmosphäre", "Angenehme Atmosphäre", "de", "en")  # or a headline left alone
    assert short is not None and short.evidence < 4 and "check it needs no translation" in short.reason
    # real WMT21 output that left most of a sentence in German, with <unk> tokens
    half = _row(wmt, "Der an die Latte verschossene Foulelfmeter")["source"]
    source = half
    half = (
        "Der an die Latte verschossene <unk> in der 89. minute <unk> Ronaldo <unk> mit Blick auf die <unk>-<unk> richtig geägert."  # noqa: E501
    )
    finding = ts.untranslated(source, half, "de", "en")
    assert finding is not None and "written in de" in finding.reason


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("Rund 2.500 Menschen kamen.", "Around 2,500 people came."),
        ("Die Brücke kostete 18,5 Millionen Euro.", "The bridge cost 18.5 million euros."),
        ("Eine Autofahrerin wollte gegen 21.30 Uhr einbiegen.", "A driver wanted to turn at around 9.30 pm."),
        ("Am Freitag kam es gegen 16.15 Uhr zu einem Streit.", "On Friday there was a dispute around 4:15 p.m."),
        ("Die Sperrstunde wurde mit 23 Uhr festgelegt.", "The curfew was set at 11 p.m."),
        ("Nach drei Jahren Bauzeit.", "After 3 years of construction."),
        ("Bisher wurden mehr als 28.000 Tote registriert.", "So far more than 28.000 deaths were recorded."),
    ],
)
def test_numbers_match_across_notations(source, target):
    assert ts.numbers(source, target, "de", "en") is None


def test_numbers_that_differ_are_named(wmt):
    finding = ts.numbers("Rund 2.700 Menschen kamen.", "Around 270 people came.", "de", "en")
    assert finding is not None and finding.reason == "numbers differ: 2.700 vs 270"
    row = _row(wmt, "Landesstraße 1230")
    dropped = row["mt"].replace("1230", "")
    finding = ts.numbers(row["source"], dropped, "de", "en")
    assert finding is not None and "1230" in finding.reason and "missing" in finding.reason


def test_urls_emails_and_codes_must_survive():
    source = "Mehr unter www.dresden.de/bruecke oder presse@dresden.de; die A8 bleibt gesperrt."
    assert ts.codes(source, "More at www.dresden.de/bruecke or presse@dresden.de; the A8 remains closed.") is None
    finding = ts.codes(source, "More on the city's website or by e-mail; the motorway remains closed.")
    assert finding is not None and "www.dresden.de/bruecke" in finding.reason and "presse@dresden.de" in finding.reason
    assert ts.codes("Eine 44jährige Fahrerin", "A 44-year-old driver") is None  # a number with a suffix is no code


def test_truncation_mid_sentence(wmt):
    row = _row(wmt, "Am Freitagabend ereignete sich")
    assert ts.truncation(row["source"], row["mt"], "en") is None
    cut = row["mt"][: row["mt"].index(" in which")] + " in which the"
    finding = ts.truncation(row["source"], cut, "en")
    assert finding is not None and finding.reason.startswith("ends mid-sentence")
    finding = ts.truncation(row["source"], row["mt"].rstrip("."), "en")
    assert finding is not None and "closing punctuation" in finding.reason


def test_head_clause_cuts_at_the_last_boundary_with_words_behind():
    assert ts.head_clause("Er kam, sah und siegte, sagte sie.") == "Er kam, sah und siegte"
    assert ts.head_clause("Ohne Komma gibt es keinen Kopf.") is None


def test_negation_lost():
    finding = ts.negation("Nicht alle sind zufrieden.", "All are satisfied.", "de", "en")
    assert finding is not None and "'Nicht'" in finding.reason
    assert ts.negation("Nicht alle sind zufrieden.", "Not everyone is happy.", "de", "en") is None
    assert ts.negation("Nicht alle sind zufrieden.", "Tous sont contents.", "de", "xx") is None  # no list: no opinion


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=60), st.text(max_size=60)), max_size=12))
def test_any_text_gets_a_score_in_range_and_one_per_row(rows):
    report = estimate_rows([s for s, _ in rows], [t for _, t in rows], src_lang="de", tgt_lang="en")
    assert len(report.estimates) == len(rows)
    assert all(0.0 <= e.score <= 1.0 for e in report.estimates)
    assert "similarity" in report.left_out and "model" in report.left_out


# ---- document signals, combined -----------------------------------------------------------------
def test_estimate_ranks_broken_rows_first_with_reasons(wmt, embedder):
    doc = wmt[:120]
    sources = [r["source"] for r in doc]
    targets = [r["mt"] for r in doc]
    broken = {
        10: doc[40]["mt"],  # another sentence's translation
        20: doc[20]["source"],  # untranslated
        30: targets[30] + " the salad the salad the salad the salad",  # a loop
        50: targets[50] + " " + targets[51] + " " + targets[52],  # much longer: the next rows' text added
    }
    for i, text in broken.items():
        targets[i] = text
    report = estimate_rows(sources, targets, src_lang="de", tgt_lang="en", embedder=embedder)
    scores = [e.score for e in report.estimates]
    worst = sorted(range(len(scores)), key=scores.__getitem__)[: len(broken)]
    assert set(worst) == set(broken)
    assert any("unrelated" in r or "meaning" in r for r in report.estimates[10].reasons)
    assert any("untranslated" in r for r in report.estimates[20].reasons)
    assert "repeats 'the salad' 4 times" in report.estimates[30].reasons
    assert any(r.startswith("much longer than usual") for r in report.estimates[50].reasons)
    assert all(quality_band(scores[i]) == "poor" for i in broken)
    assert set(report.left_out) == {"model"} and "package" in report.left_out["model"]
    assert report.calibration.similarity is not None and report.calibration.length is not None


def test_dropped_last_clause_is_noticed(wmt, embedder):
    doc = wmt[:120]
    sources = [r["source"] for r in doc]
    targets = [r["mt"] for r in doc]
    row = next(i for i, r in enumerate(doc) if ", in which" in r["mt"])
    targets[row] = targets[row][: targets[row].index(", in which")] + "."
    report = estimate_rows(sources, targets, src_lang="de", tgt_lang="en", embedder=embedder)
    est = report.estimates[row]
    ranks = sorted(e.score for e in report.estimates)
    assert est.score <= ranks[len(ranks) // 20]  # among the worst 5%
    assert est.evidence["clause"] > 0 or est.evidence["length"] > 0


def test_re_estimating_one_row_uses_the_documents_norms(wmt, embedder):
    from align.document import AlignedDocument, Bead, Sentence

    rows = wmt[:40]
    source = [Sentence(r["source"]) for r in rows]
    target = [Sentence(r["mt"]) for r in rows]
    doc = AlignedDocument.from_beads("de", "en", source, target, [Bead((i,), (i,)) for i in range(len(rows))])
    full = with_estimates(doc, embedder=embedder)
    stored = full.signature.settings.quality
    assert stored is not None
    assert QualityCalibration.from_dict(dict(stored.calibration)) == QualityCalibration.from_dict(
        QualityCalibration.from_dict(dict(stored.calibration)).as_dict()
    )
    again = with_estimates(full, embedder=embedder, rows=[7])
    assert again.pairs[7].quality == pytest.approx(full.pairs[7].quality)
    # alone, without the stored norms, the row would be judged against defaults: a different number
    alone = estimate_rows([rows[7]["source"]], [rows[7]["mt"]], src_lang="de", tgt_lang="en", embedder=embedder)
    assert alone.calibration.similarity is None and len(rows) >= MIN_ROWS


# ---- the model's own scores (the fixture package) ------------------------------------------------
@pytest.fixture(scope="module")
def fixture_translator(installed_settings):
    from align.mt.translate import load_translator

    return load_translator("de", "en", installed_settings)


def _fixture_pairs(n: int) -> list[tuple[str, str]]:
    lines = FIXTURE_PAIRS.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines[:n]]  # type: ignore[misc]


def test_fixture_scores_its_own_translation_above_broken_ones(fixture_translator):
    from align.quality.modelscore import EOS, score_translations

    pairs = _fixture_pairs(8)
    sources = [s for s, _ in pairs]
    own = fixture_translator.translate(sources)
    good = score_translations(fixture_translator, sources, own)
    assert all(s.tokens[-1] == EOS and len(s.tokens) == len(s.log_probs) for s in good)
    looped = score_translations(fixture_translator, sources, [t + " the the the the" for t in own])
    shifted = score_translations(fixture_translator, sources, own[1:] + own[:1])
    for g, lo, sh in zip(good, looped, shifted, strict=True):
        assert g.mean is not None and lo.mean is not None and sh.mean is not None
        assert g.mean > lo.mean and g.mean > sh.mean
        assert lo.weakest is not None and lo.weakest[0] == "▁the"
    # an empty side is not scored
    assert score_translations(fixture_translator, ["Hallo", ""], ["", "x"])[0].log_probs == ()


def test_estimate_with_the_fixture_uses_the_model_signal(fixture_translator, embedder):
    pairs = _fixture_pairs(12)
    sources = [s for s, _ in pairs]
    targets = fixture_translator.translate(sources)
    targets[3] = targets[5]  # another sentence's translation
    report = estimate_rows(sources, targets, src_lang="de", tgt_lang="en", embedder=embedder, translator=fixture_translator)
    assert "model" in report.used and "model" not in report.left_out
    assert report.calibration.model_mean is not None
    worst = min(range(len(targets)), key=lambda i: report.estimates[i].score)
    assert worst == 3
    assert report.estimates[3].evidence["model"] > 1.0
    assert any("model" in r for r in report.estimates[3].reasons)


# ---- what a translator reads ------------------------------------------------------------------------
def test_score_table_and_summary(wmt, embedder):
    from align.document import AlignedDocument, Bead, Sentence

    rows = wmt[:12]
    targets = [r["mt"] for r in rows]
    targets[2] = "Around 270 people\tcame."
    doc = AlignedDocument.from_beads(
        "de", "en", [Sentence(r["source"]) for r in rows], [Sentence(t) for t in targets], [Bead((i,), (i,)) for i in range(12)]
    )
    doc = with_estimates(doc, embedder=embedder)
    table = score_table(doc).splitlines()
    assert table[0] == "line\tquality\tband\treasons\tsource\ttarget"
    assert len(table) == 13 and all(len(line.split("\t")) == 6 for line in table)
    text = summary(doc)
    assert text.startswith("12 rows estimated") and "model signal left out" in text


# ---- command line -------------------------------------------------------------------------------------
def test_cli_estimate_writes_one_line_per_row(tmp_path, settings, capsys, wmt):
    from align.cli import main

    rows = wmt[:15]
    src, mt = tmp_path / "src.txt", tmp_path / "mt.txt"
    src.write_text("\n".join(r["source"] for r in rows) + "\n", encoding="utf-8")
    targets = [r["mt"] for r in rows]
    targets[4] = rows[4]["source"]
    mt.write_text("\n".join(targets) + "\n", encoding="utf-8")
    out = tmp_path / "scores.tsv"
    code = main(["--home", str(settings.home), "estimate", str(src), str(mt), "--split-lines", "-o", str(out), "--quiet"])
    assert code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 16 and lines[0].startswith("line\tquality\tband\treasons")
    fifth = lines[5].split("\t")
    assert fifth[0] == "5" and fifth[2] == "poor" and "untranslated" in fifth[3]
    err = capsys.readouterr().err
    assert "15 rows estimated" in err and "model signal left out: no de->en translation package" in err

    # a document format by extension carries the quality and reasons columns
    csv_out = tmp_path / "scores.csv"
    args = ["--home", str(settings.home), "estimate", str(src), str(mt), "--split-lines", "-o", str(csv_out), "--quiet"]
    assert main(args) == 0
    with open(csv_out, encoding="utf-8-sig", newline="") as f:
        table = list(csv.DictReader(f))
    assert float(table[4]["quality"]) < 0.5 and "untranslated" in table[4]["reasons"]


def test_cli_estimate_rows_must_pair_up(tmp_path, settings, capsys):
    from align.cli import main

    src, mt = tmp_path / "src.txt", tmp_path / "mt.txt"
    src.write_text("Eins.\nZwei.\nDrei.\n", encoding="utf-8")
    mt.write_text("One.\nTwo.\n", encoding="utf-8")
    assert main(["--home", str(settings.home), "estimate", str(src), str(mt), "--split-lines", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"{src} has 3 non-blank lines but {mt} has 2" in err


def test_translate_writes_the_estimate(tmp_path, installed_settings):
    from align.pipeline import translate_file

    source = tmp_path / "in.txt"
    source.write_text("\n".join(s for s, _ in _fixture_pairs(10)), encoding="utf-8")
    out = translate_file(source, tmp_path / "out.csv", settings=installed_settings)
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and all(0.0 <= float(r["quality"]) <= 1.0 for r in rows)
    plain = translate_file(source, tmp_path / "plain.csv", settings=installed_settings, estimate=False)
    with open(plain, encoding="utf-8-sig", newline="") as f:
        assert all(r["quality"] == "" for r in csv.DictReader(f))


def test_glossary_findings_join_the_estimate():
    from align.glossary import Entry, Glossary

    glossary = Glossary((Entry.term("Fahrradbrücke", "cycle bridge"), Entry.forbidden("bike lane")), "de", "en")
    sources = ["Die neue Fahrradbrücke ist offen.", "Der Radweg ist gesperrt."]
    targets = ["The new bicycle bridge is open.", "The bike lane is closed."]
    report = estimate_rows(sources, targets, src_lang="de", tgt_lang="en", glossary=glossary)
    assert "glossary" in report.used
    assert any("cycle bridge" in r for r in report.estimates[0].reasons)
    assert any("bike lane" in r for r in report.estimates[1].reasons)
    plain = estimate_rows(sources, targets, src_lang="de", tgt_lang="en")
    assert "glossary" not in plain.used and all(e.score > g.score for e, g in zip(plain.estimates, report.estimates, strict=True))
