"""Batch script: real folders, the real fixture package, a real kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from align.batch import MANIFEST_NAME, BatchOptions, plan_files, run_batch
from align.errors import InputError, ModelNotInstalled
from align.formats import read_aligned
from align.mt.translate import TranslateOptions
from devtools.models import load_fixture_pairs

REPO = Path(__file__).resolve().parents[1]


def _usable(de: str) -> bool:
    """Sentences that end a sentence and stay one sentence when texts put them side by side."""
    from align.text.segment import segment

    return de.rstrip()[-1:] in ".!?" and len(segment(de, "de")) == 1


PAIRS = [pair for pair in load_fixture_pairs() if _usable(pair[0])]
OPTIONS = TranslateOptions(threads=1, beam_size=1, max_batch_tokens=64)  # small windows (batch.WINDOW_BATCHES)


def _text(start: int, count: int) -> tuple[str, list[tuple[str, str]]]:
    """A text of ``count`` fixture sentences from ``start``, two paragraphs; and its expected pairs."""
    chosen = [PAIRS[(start + i) % len(PAIRS)] for i in range(count)]
    half = max(1, count // 2)
    text = " ".join(de for de, _ in chosen[:half]) + "\n\n" + " ".join(de for de, _ in chosen[half:])
    return text.strip() + "\n", chosen


def _options(**changes) -> BatchOptions:
    return BatchOptions(**{"translate": OPTIONS, "formats": ("csv", "tmx"), **changes})


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, dict[str, list[tuple[str, str]]]]:
    """IN/ with nested folders and several formats; the expected pairs per relative path."""
    in_dir = tmp_path / "in"
    expected: dict[str, list[tuple[str, str]]] = {}
    for n, rel in enumerate(["a.txt", "sub/b.txt", "sub/deep/c.md", "d.html"]):
        text, pairs = _text(7 * n, 4 + n)
        path = in_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith(".html"):
            paragraphs = text.strip().split("\n\n")
            path.write_text("<html><body>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</body></html>", encoding="utf-8")
        else:
            path.write_text(text, encoding="cp1252" if rel == "a.txt" else "utf-8")
        expected[rel] = pairs
    (in_dir / "notes.csv").write_text("not an input", encoding="utf-8")  # unsupported: ignored
    (in_dir / ".hidden.txt").write_text("Versteckt.", encoding="utf-8")
    return in_dir, expected


def test_translates_tree_keeping_structure(tmp_path: Path, corpus, installed_settings) -> None:
    in_dir, expected = corpus
    out = tmp_path / "out"
    summary = run_batch(in_dir, out, _options(window_sentences=6, workers=2), installed_settings)
    assert summary.ok, summary.format()
    assert [r.rel for r in summary.done] == sorted(expected)
    for rel, pairs in expected.items():
        stem = rel.rsplit(".", 1)[0]
        for fmt in ("csv", "tmx"):
            doc = read_aligned(out / f"{stem}.{fmt}")
            assert [(p.source, p.target) for p in doc.pairs] == pairs, (rel, fmt)
    csv_doc = read_aligned(out / "sub/deep/c.csv")
    assert [p.paragraph for p in csv_doc.pairs] == [0, 0, 0, 1, 1, 1]
    # every translated row carries its quality estimate, in CSV and in TMX
    for fmt in ("csv", "tmx"):
        doc = read_aligned(out / f"sub/b.{fmt}")
        assert all(p.quality is not None and 0.0 <= p.quality <= 1.0 for p in doc.pairs), fmt
    manifest = json.loads((out / MANIFEST_NAME).read_text("utf-8"))
    assert sorted(manifest["files"]) == sorted(expected)
    assert manifest["files"]["a.txt"]["outputs"] == ["a.csv", "a.tmx"]
    assert "translated 4 file(s) (" in summary.format()


def test_no_estimate_leaves_quality_out(tmp_path: Path, corpus, installed_settings) -> None:
    in_dir, _ = corpus
    summary = run_batch(in_dir, tmp_path / "out", _options(formats=("jsonl",), estimate=False), installed_settings)
    assert summary.ok, summary.format()
    doc = read_aligned(tmp_path / "out" / "a.jsonl")
    assert doc.pairs and all(p.quality is None and p.reasons == () for p in doc.pairs)


def test_rerun_skips_finished_and_redoes_changed(tmp_path: Path, corpus, installed_settings) -> None:
    in_dir, expected = corpus
    out = tmp_path / "out"
    run_batch(in_dir, out, _options(), installed_settings)
    before = (out / "a.csv").stat().st_mtime_ns

    again = run_batch(in_dir, out, _options(), installed_settings)
    assert len(again.skipped) == 4 and not again.done

    text, pairs = _text(30, 3)
    (in_dir / "sub" / "b.txt").write_text(text, encoding="utf-8")
    (out / "d.tmx").unlink()  # a missing output is redone too
    third = run_batch(in_dir, out, _options(), installed_settings)
    assert sorted(r.rel for r in third.done) == ["d.html", "sub/b.txt"]
    assert [(p.source, p.target) for p in read_aligned(out / "sub/b.csv").pairs] == pairs
    assert (out / "a.csv").stat().st_mtime_ns == before

    other_options = run_batch(in_dir, out, _options(formats=("csv", "tmx"), neutralise_formulas=False), installed_settings)
    assert len(other_options.done) == 4  # options that shape the output invalidate the manifest
    forced = run_batch(in_dir, out, _options(neutralise_formulas=False, force=True), installed_settings)
    assert len(forced.done) == 4


def test_bad_files_are_reported_and_do_not_stop_the_run(tmp_path: Path, corpus, installed_settings) -> None:
    in_dir, _ = corpus
    (in_dir / "broken.docx").write_bytes(b"not a zip")
    (in_dir / "empty.txt").write_bytes(b"")
    (in_dir / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    summary = run_batch(in_dir, tmp_path / "out", _options(), installed_settings)
    assert not summary.ok
    assert sorted(r.rel for r in summary.failed) == ["broken.docx", "empty.txt", "image.txt"]
    assert len(summary.done) == 4
    text = summary.format()
    assert "3 failed" in text and "broken.docx: " in text and "the file is empty" in text
    manifest = json.loads((tmp_path / "out" / MANIFEST_NAME).read_text("utf-8"))
    assert manifest["files"]["empty.txt"]["status"] == "failed"
    # failed files are retried on the next run, finished ones skipped
    (in_dir / "empty.txt").write_text(_text(3, 2)[0], encoding="utf-8")
    rerun = run_batch(in_dir, tmp_path / "out", _options(), installed_settings)
    assert [r.rel for r in rerun.done] == ["empty.txt"] and len(rerun.failed) == 2


def test_outputs_never_leave_out_dir(tmp_path: Path, installed_settings) -> None:
    in_dir, out = tmp_path / "in", tmp_path / "out"
    (in_dir / "x").mkdir(parents=True)
    outside = tmp_path / "secret.txt"
    outside.write_text(_text(0, 2)[0], encoding="utf-8")
    (in_dir / "link.txt").symlink_to(outside)
    (in_dir / "linkdir").symlink_to(tmp_path, target_is_directory=True)
    (in_dir / "x" / "we..ird...txt").write_text(_text(1, 2)[0], encoding="utf-8")
    (in_dir / "x" / "ok.txt").write_text(_text(2, 2)[0], encoding="utf-8")
    (in_dir / "inner.txt").symlink_to(in_dir / "x" / "ok.txt")
    out.mkdir()
    (out / "x").symlink_to(tmp_path / "elsewhere", target_is_directory=True)  # a trap inside OUT
    summary = run_batch(in_dir, out, _options(formats=("csv",)), installed_settings)
    failed = {r.rel: r.error for r in summary.failed}
    assert "outside the input folder" in failed["link.txt"]
    assert "outside the output folder" in failed["x/we..ird...txt"]
    assert "outside the output folder" in failed["x/ok.txt"]
    assert [r.rel for r in summary.done] == ["inner.txt"]
    assert not (tmp_path / "elsewhere").exists()
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.csv")}
    assert written == {"out/inner.csv"}


def test_same_stem_inputs_keep_both_outputs(tmp_path: Path) -> None:
    in_dir = tmp_path / "in"
    in_dir.mkdir()
    for name in ("x.txt", "x.md", "y.txt"):
        (in_dir / name).write_text("Text.", encoding="utf-8")
    planned, refused = plan_files(in_dir, tmp_path / "out", _options(formats=("csv",)))
    assert not refused
    assert {j.rel: j.outputs[0].name for j in planned} == {"x.md": "x.md.csv", "x.txt": "x.txt.csv", "y.txt": "y.csv"}


def test_run_errors(tmp_path: Path, settings, installed_settings) -> None:
    with pytest.raises(InputError, match="input folder not found"):
        run_batch(tmp_path / "nope", tmp_path / "out", _options(), installed_settings)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Hallo.", encoding="utf-8")
    with pytest.raises(ModelNotInstalled):
        run_batch(tmp_path / "in", tmp_path / "out", _options(), settings)
    with pytest.raises(Exception, match="unknown output format 'pdf'"):
        run_batch(tmp_path / "in", tmp_path / "out", _options(formats=("pdf",)), installed_settings)


# ---- a real process: command line exit code, and kill -9 in the middle -----------------------------------


def _env(settings) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "ALIGN_HOME": str(settings.home)}


def test_command_line_exit_code_and_summary(tmp_path: Path, installed_settings) -> None:
    in_dir = tmp_path / "in"
    in_dir.mkdir()
    (in_dir / "good.txt").write_text(_text(5, 3)[0], encoding="utf-8")
    (in_dir / "bad.docx").write_bytes(b"garbage")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "align",
            "batch",
            str(in_dir),
            str(tmp_path / "out"),
            "--formats",
            "csv,jsonl",
            "--quiet",
            "--threads",
            "1",
            "--beam-size",
            "1",
        ],
        capture_output=True,
        text=True,
        env=_env(installed_settings),
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr
    assert "translated 1 file(s)" in proc.stdout and "bad.docx: " in proc.stdout
    assert proc.stderr == "" or "it/s" not in proc.stderr  # --quiet: no progress bar
    assert (tmp_path / "out" / "good.jsonl").is_file()


KILL_SCRIPT = """
import sys
from pathlib import Path
from align.batch import BatchOptions, run_batch
from align.settings import load_settings
from align.mt.translate import TranslateOptions
options = BatchOptions(formats=("csv", "tmx", "xlsx"), window_sentences=1,
                       translate=TranslateOptions(threads=1, beam_size=1, max_batch_tokens=16))
run_batch(Path(sys.argv[1]), Path(sys.argv[2]), options, load_settings())
"""


def test_kill_minus_nine_loses_no_finished_output(tmp_path: Path, installed_settings) -> None:
    in_dir, out = tmp_path / "in", tmp_path / "out"
    in_dir.mkdir()
    expected = {}
    for n in range(40):
        text, pairs = _text(n * 3, 6)
        (in_dir / f"f{n:02d}.txt").write_text(text, encoding="utf-8")
        expected[f"f{n:02d}"] = pairs
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(in_dir), str(out)], env=_env(installed_settings))
    manifest = out / MANIFEST_NAME
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if len(json.loads(manifest.read_text("utf-8"))["files"]) >= 3:
                break
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"

    finished = json.loads(manifest.read_text("utf-8"))["files"]
    assert 3 <= len(finished) < 40
    for rel in finished:  # every recorded output is complete
        stem = rel[:-4]
        for fmt in ("csv", "tmx", "xlsx"):
            doc = read_aligned(out / f"{stem}.{fmt}")
            assert [(p.source, p.target) for p in doc.pairs] == expected[stem]

    summary = run_batch(in_dir, out, _options(formats=("csv", "tmx", "xlsx")), installed_settings)
    assert summary.ok
    assert {r.rel for r in summary.skipped} == set(finished)
    assert len(summary.done) == 40 - len(finished)
    for stem, pairs in expected.items():
        assert [(p.source, p.target) for p in read_aligned(out / f"{stem}.csv").pairs] == pairs
    assert not [p for p in out.rglob("*.tmp")]  # stale temporary files were cleaned up


def test_align_with_same_named_translations(tmp_path: Path, installed_settings) -> None:
    in_dir, en_dir = tmp_path / "in", tmp_path / "en"
    (in_dir / "sub").mkdir(parents=True)
    (en_dir / "sub").mkdir(parents=True)
    text, pairs = _text(40, 6)
    (in_dir / "sub" / "a.txt").write_text(text, encoding="utf-8")
    half = len(pairs) // 2
    english = " ".join(en for _, en in pairs[:half]) + "\n\n" + " ".join(en for _, en in pairs[half:]) + "\n"
    (en_dir / "sub" / "a.md").write_text(english, encoding="utf-8")  # any supported extension matches
    (in_dir / "lonely.txt").write_text(_text(2, 2)[0], encoding="utf-8")
    summary = run_batch(in_dir, tmp_path / "out", _options(align_with=en_dir, formats=("jsonl",)), installed_settings)
    assert [r.rel for r in summary.done] == ["sub/a.txt"]
    assert "no translation with the same name" in summary.failed[0].error
    doc = read_aligned(tmp_path / "out" / "sub" / "a.jsonl")
    assert [(p.source, p.target) for p in doc.pairs] == pairs
    assert doc.signature.method == "align"
    assert "aligned 1 file(s)" in summary.format()
    manifest = json.loads((tmp_path / "out" / MANIFEST_NAME).read_text("utf-8"))
    assert manifest["files"]["sub/a.txt"]["aligned_sha256"]
    # a changed translation redoes the file
    assert (
        len(run_batch(in_dir, tmp_path / "out", _options(align_with=en_dir, formats=("jsonl",)), installed_settings).skipped) == 1
    )
    (en_dir / "sub" / "a.md").write_text(english.replace("\n\n", " "), encoding="utf-8")
    again = run_batch(in_dir, tmp_path / "out", _options(align_with=en_dir, formats=("jsonl",)), installed_settings)
    assert [r.rel for r in again.done] == ["sub/a.txt"]


def test_progress_goes_to_callbacks_not_bars(tmp_path: Path, corpus, installed_settings, capsys) -> None:
    """run_batch reports files and sentences to ``BatchProgress`` callbacks and draws no bar
    (issue 22.3: the command line draws them), also when not quiet."""
    from align.progress import BatchProgress

    in_dir, expected = corpus
    files: list[tuple[int, int | None]] = []
    sentences: list[tuple[int, int | None]] = []
    progress = BatchProgress(files=lambda d, t: files.append((d, t)), sentences=lambda d, t: sentences.append((d, t)))
    summary = run_batch(in_dir, tmp_path / "out", _options(window_sentences=6), installed_settings, progress=progress)
    assert summary.ok, summary.format()
    assert files[0] == (0, len(expected)) and files[-1] == (len(expected), len(expected))
    total = sum(len(pairs) for pairs in expected.values())
    assert sentences[-1] == (total, total)
    assert all(b[0] >= a[0] for a, b in zip(sentences, sentences[1:], strict=False))  # forward only
    aligned = run_batch(in_dir, tmp_path / "al", _options(align_with=in_dir), installed_settings, progress=progress)
    assert aligned.ok and files[-1] == (len(expected), len(expected))
    assert capsys.readouterr().err == ""
