"""Batch output names: unique, stable across reruns, valid on Windows and within file-name limits,
whatever the input names are (same stems, undecodable bytes, control characters, 251 characters).

Real folders, the real fixture package, the real manifest; the Windows rules are checked here, on
any system, by ``_valid_on_windows`` written from Microsoft's naming rules, not from our code.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from test_batch import _options, _text

from align.batch import MANIFEST_NAME, plan_files, run_batch, safe_name
from align.filenames import printable
from align.formats import read_aligned

# https://learn.microsoft.com/windows/win32/fileio/naming-a-file
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in "0123456789¹²³"), *(f"LPT{n}" for n in "0123456789¹²³")}
WINDOWS_INVALID = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def _valid_on_windows(component: str) -> bool:
    """A file or folder name Windows accepts (and Linux and macOS too)."""
    return (
        bool(component)
        and not WINDOWS_INVALID.search(component)
        and not component.endswith((".", " "))
        and component.split(".")[0].rstrip(" ").upper() not in WINDOWS_RESERVED
        and len(component.encode("utf-8")) <= 240  # room for the atomic writer's '.NAME.XXXXXXXX.tmp'
    )


def _manifest(out: Path) -> dict:
    data = (out / MANIFEST_NAME).read_bytes()
    return json.loads(data.decode("utf-8"))  # strict UTF-8: other tools must read it


def _write(in_dir: Path, rel: str | bytes, start: int, count: int = 3) -> list[tuple[str, str]]:
    """One input file of ``count`` fixture sentences; its expected pairs."""
    text, pairs = _text(start, count)
    path = Path(os.fsdecode(os.path.join(os.fsencode(in_dir), os.fsencode(rel))))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return pairs


# ---- the naming rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["CON", "con", "aux", "Nul", "COM1", "lpt9", "AUX.tar", "a<b>c", 'x:y"z', "p|q?r*s", "back\\slash", "tab\there",
     "esc\x1b[31mred", "trailing.", "trailing ", "dots...", "caf\udce9", "x" * 251, "ü" * 200],
)  # fmt: skip
def test_safe_name_is_valid_on_windows_and_stable(name: str) -> None:
    for suffix in ("", ".csv", ".jsonl"):
        safe = safe_name(name, suffix)
        assert _valid_on_windows(safe), (name, suffix, safe)
        assert safe.endswith(suffix) and safe == safe_name(name, suffix)  # the same input, the same name
        safe.encode("utf-8")  # no undecodable bytes left


def test_safe_name_keeps_ordinary_names_and_keeps_changed_ones_apart() -> None:
    for ordinary in ("Vertrag 2024", "Übersetzung_final-v2", "a.b.c", "x" * 200):
        assert safe_name(ordinary, ".csv") == ordinary + ".csv"
    changed = ["a?", "a*", "a_", "A?", "con", "CON", "x" * 251, "x" * 252]
    assert len({safe_name(n).casefold() for n in changed}) == len(changed)


def test_printable_escapes_control_characters_and_undecodable_bytes() -> None:
    assert printable("Übersetzung – final.txt") == "Übersetzung – final.txt"
    shown = printable("x\x1b[31mred\r\n\x07\u202e.txt caf\udce9")
    assert not re.search(r"[\x00-\x1f\x7f\u202e\udc80-\udcff]", shown)
    assert "\\x1b[31mred" in shown and "caf\\xe9" in shown
    shown.encode("utf-8")


# ---- planning -----------------------------------------------------------------------------------


def test_colliding_names_get_one_output_each(tmp_path: Path) -> None:
    """x.md, x.md.txt and x.txt all used to write x.md.csv."""
    in_dir = tmp_path / "in"
    for n, rel in enumerate(["x.md", "x.md.txt", "x.txt", "X.TXT", "y.txt"]):
        _write(in_dir, rel, n)
    planned, refused = plan_files(in_dir, tmp_path / "out", _options(formats=("csv", "tmx")))
    assert not refused
    outputs = [p.relative_to(tmp_path / "out").as_posix().casefold() for j in planned for p in j.outputs]
    assert len(outputs) == len(set(outputs)) == 10  # unique even on a case-insensitive file system
    assert {j.rel: j.outputs[0].name for j in planned}["y.txt"] == "y.csv"  # no sibling: the short name


def test_windows_unsafe_names_are_mapped_in_every_path_component(tmp_path: Path) -> None:
    in_dir = tmp_path / "in"
    for n, rel in enumerate(["CON.txt", "aux.md", "nul/COM1.txt", "a:b.txt", "q?.txt", "ends. /x.txt", "LPT1 .md"]):
        _write(in_dir, rel, n)
    planned, refused = plan_files(in_dir, tmp_path / "out", _options(formats=("csv",)))
    assert not refused and len(planned) == 7
    for file in planned:
        parts = file.outputs[0].relative_to(tmp_path / "out").parts
        assert all(_valid_on_windows(part) for part in parts), (file.rel, parts)


# ---- real runs ----------------------------------------------------------------------------------


def test_colliding_names_keep_every_translation(tmp_path: Path, installed_settings) -> None:
    in_dir, out = tmp_path / "in", tmp_path / "out"
    expected = {rel: _write(in_dir, rel, 9 * n) for n, rel in enumerate(["x.md", "x.md.txt", "x.txt"])}
    summary = run_batch(in_dir, out, _options(formats=("csv", "jsonl")), installed_settings)
    assert summary.ok and len(summary.done) == 3, summary.format()
    files = _manifest(out)["files"]
    written = [o for rel in expected for o in files[rel]["outputs"]]
    assert len(written) == len(set(written)) == 6  # the manifest says which input wrote which output
    for rel, pairs in expected.items():
        for output in files[rel]["outputs"]:
            assert [(p.source, p.target) for p in read_aligned(out / output).pairs] == pairs, (rel, output)


def test_output_names_stay_when_a_sibling_appears(tmp_path: Path, installed_settings) -> None:
    in_dir, out = tmp_path / "in", tmp_path / "out"
    first = _write(in_dir, "x.txt", 0)
    run_batch(in_dir, out, _options(formats=("csv",)), installed_settings)
    assert _manifest(out)["files"]["x.txt"]["outputs"] == ["x.csv"]

    second = _write(in_dir, "x.md", 20)
    rerun = run_batch(in_dir, out, _options(formats=("csv",)), installed_settings)
    assert [r.rel for r in rerun.skipped] == ["x.txt"] and [r.rel for r in rerun.done] == ["x.md"], rerun.format()
    files = _manifest(out)["files"]
    assert files["x.txt"]["outputs"] == ["x.csv"]
    assert files["x.md"]["outputs"] != ["x.csv"]
    assert [(p.source, p.target) for p in read_aligned(out / "x.csv").pairs] == first
    assert [(p.source, p.target) for p in read_aligned(out / files["x.md"]["outputs"][0]).pairs] == second
    forced = run_batch(in_dir, out, _options(formats=("csv",), force=True), installed_settings)
    assert {r.rel: r.outputs for r in forced.done} == {"x.md": tuple(files["x.md"]["outputs"]), "x.txt": ("x.csv",)}


@pytest.mark.skipif(os.name == "nt" or os.uname().sysname == "Darwin", reason="needs a file system that stores raw bytes")
def test_an_undecodable_name_does_not_stop_the_run(tmp_path: Path, installed_settings) -> None:
    in_dir, out = tmp_path / "in", tmp_path / "out"
    odd = _write(in_dir, b"caf\xe9.txt", 0)  # Latin-1 bytes: not UTF-8
    good = _write(in_dir, "good.txt", 10)
    for attempt in range(2):
        summary = run_batch(in_dir, out, _options(formats=("csv",)), installed_settings)
        assert summary.ok, summary.format()
        assert len(summary.skipped if attempt else summary.done) == 2
        files = _manifest(out)["files"]
        assert set(files) == {"caf\udce9.txt", "good.txt"}  # read back as the name os.walk gives
        (output,) = files["caf\udce9.txt"]["outputs"]
        output.encode("utf-8")  # a name every tool can show
        assert [(p.source, p.target) for p in read_aligned(out / output).pairs] == odd
        assert [(p.source, p.target) for p in read_aligned(out / "good.csv").pairs] == good


def test_long_names_are_shortened_with_a_stable_hash(tmp_path: Path, installed_settings) -> None:
    in_dir, out = tmp_path / "in", tmp_path / "out"
    names = ["a" * 247 + ".txt", "a" * 246 + "b.txt", "a" * 247 + ".md"]  # 251 characters each
    expected = {name: _write(in_dir, name, 5 * n) for n, name in enumerate(names)}
    summary = run_batch(in_dir, out, _options(formats=("csv", "jsonl")), installed_settings)
    assert summary.ok and len(summary.done) == 3, summary.format()
    files = _manifest(out)["files"]
    for name, pairs in expected.items():
        for output in files[name]["outputs"]:
            assert _valid_on_windows(output)
            assert [(p.source, p.target) for p in read_aligned(out / output).pairs] == pairs
    again = run_batch(in_dir, out, _options(formats=("csv", "jsonl")), installed_settings)
    assert len(again.skipped) == 3


def test_control_characters_in_names_are_escaped_when_shown(
    tmp_path: Path, installed_settings, caplog: pytest.LogCaptureFixture
) -> None:
    in_dir, out = tmp_path / "in", tmp_path / "out"
    in_dir.mkdir()
    (in_dir / "evil\x1b[2J\x1b[31m.txt").write_bytes(b"")  # empty: fails, so it is listed and logged
    summary = run_batch(in_dir, out, _options(formats=("csv",)), installed_settings)
    assert len(summary.failed) == 1
    shown = summary.format() + "\n" + caplog.text
    assert "\x1b" not in shown
    assert "evil\\x1b[2J\\x1b[31m.txt" in summary.format()
    (output,) = plan_files(in_dir, out, _options(formats=("csv",)))[0][0].outputs
    assert "\x1b" not in output.name


def test_manifest_and_text_outputs_end_lines_with_newline_only(tmp_path: Path, installed_settings) -> None:
    """Written as bytes, never through a text-mode file: Windows would turn '\\n' into '\\r\\n'.
    (CSV rows end with '\\r\\n' on every system: RFC 4180, what spreadsheet programs expect.)"""
    in_dir, out = tmp_path / "in", tmp_path / "out"
    _write(in_dir, "a.txt", 3)
    run_batch(in_dir, out, _options(formats=("csv", "tsv", "jsonl", "tmx")), installed_settings)
    for name in (MANIFEST_NAME, "a.tsv", "a.jsonl", "a.tmx"):
        assert b"\r" not in (out / name).read_bytes(), name
    assert (out / "a.csv").read_bytes().count(b"\r\n") == (out / "a.csv").read_bytes().count(b"\n")
