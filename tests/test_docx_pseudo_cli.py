"""``pseudo`` on documents: the check before a job that every part of a file is offered for
translation and its formatting survives (issue item 5), through the real command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from align.cli import main
from align.text.readers import read_blocks


def block_texts(path: Path) -> list[str]:
    source = read_blocks(path)
    return [source.text[b.start : b.end] for b in source.blocks if any(c.isalpha() for c in source.text[b.start : b.end])]


@pytest.mark.parametrize("name", ["hdr-header-footer.docx", "doc-odd-even-hdrs.docx", "par-hlink-frags.docx"])
def test_every_text_of_a_real_word_document_is_pseudo_translated(tmp_path: Path, shared_dir: Path, name: str, capsys) -> None:
    source = shared_dir / "bench" / "docx-dev" / "files" / name
    out = tmp_path / name
    assert main(["pseudo", str(source), "-o", str(out)]) == 0
    before, after = block_texts(source), block_texts(out)
    assert len(after) == len(before) > 0
    assert all(new != old and new.startswith("[") for old, new in zip(before, after, strict=True))
    assert "sentences pseudo-translated" in capsys.readouterr().out


def test_markdown_pseudo_keeps_its_marks_and_cells(tmp_path: Path) -> None:
    source, out = tmp_path / "a.md", tmp_path / "b.md"
    source.write_text("# Titel\n\nEin **fetter** Satz mit [Link](https://x.de).\n\n| Name | Wert |\n|---|---|\n| Eins | Zwei |\n")
    assert main(["pseudo", str(source), "-o", str(out)]) == 0
    written = out.read_text()
    assert "**" in written and "](https://x.de)" in written
    assert written.count("|") == source.read_text().count("|")
    assert "Eins" not in written and "Titel" not in written
