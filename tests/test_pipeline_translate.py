"""The translation flows: text -> sentences -> translations -> AlignedDocument -> file."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from align import cli
from align.document import Status
from align.mt.packages import find_package
from align.mt.translate import TranslateOptions, Translator
from align.pipeline import translate_file, translate_text, translate_texts
from align.text.segment import segment

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pairs():
    """Fixture pairs whose German is one plain sentence (ends with a full stop, none inside)."""
    from devtools.models import load_fixture_pairs

    return [(de, en) for de, en in load_fixture_pairs() if de.endswith(".") and "." not in de[:-1]]


@pytest.fixture(scope="module")
def translator(installed_settings):
    return Translator.load(find_package("de", "en", installed_settings), TranslateOptions(threads=2))


def german_text(pairs, paragraphs=((0, 3), (3, 5))) -> tuple[str, list[tuple[str, str]]]:
    """Paragraphs of fixture sentences separated by a blank line, and the pairs used in order."""
    used = [pairs[i] for a, b in paragraphs for i in range(a, b)]
    text = "\n\n".join(" ".join(pairs[i][0] for i in range(a, b)) for a, b in paragraphs) + "\n"
    assert [s.text for s in segment(text, "de")] == [de for de, _ in used]  # precondition
    return text, used


def test_translate_text_one_pair_per_sentence(translator, pairs):
    text, used = german_text(pairs)
    done: list[tuple[int, int | None]] = []
    doc = translate_text(text, translator, progress=lambda *report: done.append(report), name="news.txt")
    assert (doc.src_lang, doc.tgt_lang, doc.name) == ("de", "en", "news.txt")
    assert [(p.source, p.target) for p in doc.pairs] == used
    assert [(p.src_ids, p.tgt_ids) for p in doc.pairs] == [((i,), (i,)) for i in range(5)]
    assert [p.paragraph for p in doc.pairs] == [0, 0, 0, 1, 1]
    assert all(p.status is Status.AUTOMATIC and p.confidence == 1.0 for p in doc.pairs)
    assert all(text[s.start : s.end] == s.text for s in doc.source_sentences)
    assert [t.text for t in doc.target_sentences] == [en for _, en in used]
    assert [t.paragraph for t in doc.target_sentences] == [0, 0, 0, 1, 1]
    assert doc.signature.method == "translate" and doc.signature.model == translator.package.name
    assert doc.signature.settings.details["options"]["beam_size"] == 2
    assert done[-1] == (5, 5)


def test_translate_texts_shares_one_translator_call(translator, pairs):
    first, used1 = german_text(pairs, ((0, 2),))
    second, used2 = german_text(pairs, ((5, 8), (8, 9)))
    totals: set[int | None] = set()
    docs = translate_texts([first, "", second], translator, names=["a", "empty", "b"], progress=lambda _, t: totals.add(t))
    assert totals == {6}  # all documents in one translator call
    assert [d.name for d in docs] == ["a", "empty", "b"]
    assert [(p.source, p.target) for p in docs[0].pairs] == used1
    assert docs[1].pairs == ()
    assert [(p.source, p.target) for p in docs[2].pairs] == used2
    assert [p.src_ids for p in docs[2].pairs] == [(0,), (1,), (2,), (3,)]


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_translate_file_writes_csv_and_other_formats(tmp_path, installed_settings, pairs):
    text, used = german_text(pairs)
    source = tmp_path / "in.txt"
    source.write_text(text, encoding="utf-8")
    out = translate_file(source, tmp_path / "out.csv", settings=installed_settings)
    rows = read_csv(out)
    assert [(r["source"], r["target"]) for r in rows] == used
    assert [r["paragraph"] for r in rows] == ["0", "0", "0", "1", "1"]
    no_ext = translate_file(source, tmp_path / "out", settings=installed_settings)
    assert [r["target"] for r in read_csv(no_ext)] == [en for _, en in used]  # CSV when no extension
    tmx = translate_file(source, tmp_path / "out.tmx", settings=installed_settings)
    assert used[0][1] in tmx.read_text(encoding="utf-8")


BAD_INPUTS = {
    "empty file": (lambda p: p.write_bytes(b""), "empty"),
    "binary file": (lambda p: p.write_bytes(b"\x00\x01\x02binary\x00" * 20), "binary"),
    "bad encoding": (lambda p: p.write_bytes(b"\xef\xbb\xbf" + b"Gr\xfc\xdfe \xff\xfe"), "UTF-8"),
    "a folder": (lambda p: p.mkdir(), "folder"),
    "missing file": (lambda p: None, "not found"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_cli_bad_input_is_one_line_exit_1(tmp_path, settings, capsys, case):
    """Input is read before any package is looked up: these fail the same with or without one."""
    make, expected = BAD_INPUTS[case]
    source = tmp_path / "input.txt"
    make(source)
    code = cli.main(["--home", str(settings.home), "translate", str(source), "-o", str(tmp_path / "o.csv"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"error: {source}") and expected in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "o.csv").exists()


def test_cli_without_package_says_how_to_install(tmp_path, capsys, pairs, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "nohome"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("ARGOS_PACKAGES_DIR", raising=False)
    source = tmp_path / "in.txt"
    source.write_text(pairs[0][0], encoding="utf-8")
    code = cli.main(["--home", str(tmp_path / "home"), "translate", str(source), "-o", str(tmp_path / "o.csv")])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("error: no de->en package installed") and "models install de en" in err


def test_cli_unknown_output_format_fails_before_translating(tmp_path, settings, capsys, pairs):
    source = tmp_path / "in.txt"
    source.write_text(pairs[0][0], encoding="utf-8")
    code = cli.main(["--home", str(settings.home), "translate", str(source), "-o", str(tmp_path / "o.docx")])
    err = capsys.readouterr().err
    assert code == 1 and "unknown output format 'docx'" in err and err.count("\n") == 1


def test_python_m_align_translate_subprocess(tmp_path, installed_settings, pairs):
    text, used = german_text(pairs, ((10, 14), (14, 16)))
    source = tmp_path / "brief.txt"
    source.write_text(text, encoding="cp1252")  # a Windows-saved German file
    env = {**os.environ, "ALIGN_HOME": str(installed_settings.home), "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "align", "translate", str(source), "-o", str(tmp_path / "brief.csv"), "--threads", "2"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wrote {tmp_path / 'brief.csv'}"
    assert "sentence" in result.stderr  # the progress bar went to stderr
    rows = read_csv(tmp_path / "brief.csv")
    assert [r["target"] for r in rows] == [en for _, en in used]
    assert [r["source"] for r in rows] == [de for de, _ in used]


# ---- issue 22.3: a request instead of keyword arguments, progress without bars, neutral reasons ----


def test_translate_request_goes_through_every_flow(translator, pairs, capsys):
    """One ``TranslateRequest`` carries what the flows used to thread as keyword arguments; the
    old keywords still build the same request."""
    from align.pipeline import TranslateRequest, translate_segmented

    text, used = german_text(pairs)
    heard: list[tuple[int, int | None]] = []
    request = TranslateRequest(names=("doc",), estimate=False, progress=lambda d, t: heard.append((d, t)))
    [doc] = translate_texts([text], translator, request)
    assert [(p.source, p.target) for p in doc.pairs] == used and doc.name == "doc"
    assert heard and heard[-1][0] == heard[-1][1] == len(used)
    assert translate_text(text, translator, request).pairs == doc.pairs
    assert translate_segmented([segment(text, "de")], translator, request)[0].pairs == doc.pairs
    assert translate_text(text, translator, name="doc", estimate=False).pairs == doc.pairs  # the old keywords
    assert capsys.readouterr().err == ""


def test_translate_file_reports_to_a_callback_and_draws_no_bar(tmp_path, installed_settings, pairs, capsys):
    """The library draws no progress bar: ``translate_file`` reports to ``progress`` (the command
    line draws its bar from that)."""
    source = tmp_path / "in.txt"
    text, used = german_text(pairs)
    source.write_text(text, encoding="utf-8")
    heard: list[tuple[int, int | None]] = []
    translate_file(
        source, tmp_path / "out.csv", settings=installed_settings, estimate=False, progress=lambda d, t: heard.append((d, t))
    )
    assert heard[-1] == (len(used), len(used))
    assert capsys.readouterr().err == ""


def test_estimate_without_the_model_gives_a_neutral_reason(tmp_path, installed_settings):
    """The library writes no command-line flag into a document's signature: the caller may name
    its own reason (the command line names its flag)."""
    from align.pipeline import estimate_files

    src, mt = tmp_path / "s.txt", tmp_path / "t.txt"
    src.write_text("Das ist ein Haus.\nDer Hund schläft.\n", encoding="utf-8")
    mt.write_text("This is a house.\nThe dog sleeps.\n", encoding="utf-8")
    doc = estimate_files(src, mt, settings=installed_settings, split_lines=True, use_model=False)
    reason = doc.signature.settings.quality.left_out["model"]
    assert "--" not in reason and "switched off" in reason
    named = estimate_files(src, mt, settings=installed_settings, split_lines=True, use_model=False, model_off_reason="off (x)")
    assert named.signature.settings.quality.left_out["model"] == "off (x)"


def test_translator_sharing_reuses_the_loaded_models(translator, pairs):
    """``Translator.sharing`` makes a translator (of a subclass too) on another's loaded models:
    align.cluster's RemoteTranslator is built this way, not from private attributes."""

    class Counting(Translator):
        pass

    shared = Counting.sharing(translator)
    assert isinstance(shared, Counting) and shared.package == translator.package and shared.options == translator.options
    sources = [de for de, _ in pairs[:3]]
    assert shared.translate(sources) == translator.translate(sources)
