"""``Signature.settings`` is a typed value (``align.document.RunSettings``): the translation
package and the quality estimate's record are fields the workbench reads; everything else a run
describes (package options, library versions, the aligner's options, the glossary and memory, the
file imported) is kept as ``details``. Files and the store keep the dict form they always had."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from align import __version__
from align.document import AlignedDocument, Pair, QualityRecord, RunSettings, Signature
from align.errors import FormatError
from align.formats import read_aligned, write_document
from align.quality import with_estimates
from align.quality.report import summary
from align.review.store import open_store

#: A JSONL file as the code before typed settings wrote it (a translation with an estimate).
OLD_LINES = [
    '{"type": "document", "format": "align-jsonl", "version": 1, "tool_version": "0.1.0", "src_lang": "de", "tgt_lang": "en", "name": "brief", "signature": {"tool": "align", "version": "0.1.0", "method": "translate", "model": "translate-de_en-1_0", "settings": {"package": "translate-de_en-1_0", "version": "1.0", "source_model": "translate-de_en-1_0", "from_code": "de", "to_code": "en", "options": {"beam_size": 2, "max_batch_tokens": 1024}, "compute_type": "int8", "ctranslate2": "4.8.5", "sentencepiece": "0.2.0", "glossary": {"entries": 1, "hash": "abcd1234"}, "tm": "/data/tm.sqlite3", "quality": {"used": ["repetition", "untranslated", "numbers", "codes", "truncation", "negation", "length"], "left_out": {"similarity": "no sentence embedder given", "clause": "no sentence embedder given", "model": "no de->en translation package (an aligned or imported document, or none installed)"}, "calibration": {"length": {"centre": -0.013699487094057194, "spread": 0.11811284019138937}, "similarity": null, "unrelated": null, "model_mean": null, "model_min": null, "clause_gain": null}}}}}',  # noqa: E501
    '{"type": "pair", "index": 1, "paragraph": 0, "source": "Er kam nicht.", "target": "He came.", "confidence": 1.0, "status": "automatic", "src_ids": [], "tgt_ids": [], "flags": [], "note": "", "quality": 0.2729574705455476, "reasons": ["a negation may be missing (\'nicht\' in the source)"], "origin": "mt"}',  # noqa: E501
    '{"type": "pair", "index": 2, "paragraph": 0, "source": "Die Sitzung beginnt um 10 Uhr.", "target": "The meeting starts at 11 o\'clock.", "confidence": 1.0, "status": "automatic", "src_ids": [], "tgt_ids": [], "flags": [], "note": "", "quality": 0.04742587317756678, "reasons": ["numbers differ: 10 vs 11"], "origin": "tm87"}',  # noqa: E501
]


def _old_file(tmp_path: Path) -> Path:
    path = tmp_path / "old.jsonl"
    text = "\n".join(OLD_LINES).replace('"tool_version": "0.1.0"', f'"tool_version": "{__version__}"') + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_old_file_loads_typed_and_is_written_back_byte_for_byte(tmp_path: Path):
    path = _old_file(tmp_path)
    doc = read_aligned(path)
    settings = doc.signature.settings
    assert isinstance(settings, RunSettings) and settings.package == "translate-de_en-1_0"
    assert isinstance(settings.quality, QualityRecord) and settings.quality.used[-1] == "length"
    assert settings.quality.left_out["similarity"] == "no sentence embedder given"
    assert settings.details["options"] == {"beam_size": 2, "max_batch_tokens": 1024} and "quality" not in settings.details
    again = write_document(doc, tmp_path / "again.jsonl")
    assert again.read_bytes() == path.read_bytes()
    assert "similarity signal left out: no sentence embedder given" in summary(doc)


def test_the_store_keeps_the_signature_as_it_was_written(tmp_path: Path, settings):
    doc = read_aligned(_old_file(tmp_path))
    old_signature = json.loads(OLD_LINES[0])["signature"]
    with open_store(settings) as store:
        project = store.create_project("Alt", doc)
        assert store.load(project).signature == doc.signature
    with sqlite3.connect(settings.store_path) as db:
        [(stored,)] = db.execute("SELECT signature FROM projects").fetchall()
    assert stored == json.dumps(old_signature, ensure_ascii=False)


def test_an_estimate_records_and_reads_its_settings_typed():
    doc = _imported_rows()
    estimated = with_estimates(doc)
    record = estimated.signature.settings.quality
    assert record is not None and "length" in record.used and record.calibration["length"] is not None
    assert estimated.signature.settings.details == {"file": "rows.tsv"}  # the import's own record stays
    again = with_estimates(estimated.replace(pairs=estimated.pairs), rows=[0])  # judged against the stored norms
    assert again.signature == estimated.signature and again.pairs[1:] == estimated.pairs[1:]


def _imported_rows() -> AlignedDocument:
    rows = [Pair(f"Das ist Satz Nummer {i}.", f"This is sentence number {i}.") for i in range(10)]
    signature = Signature(method="import", settings=RunSettings(details={"file": "rows.tsv"}))
    return AlignedDocument("de", "en", tuple(rows), signature=signature)


def test_dict_settings_given_in_code_become_typed():
    signature = Signature(method="align", settings={"split_lines": False, "mt": None})  # type: ignore[arg-type]
    assert signature.settings == RunSettings(details={"split_lines": False, "mt": None})
    assert signature.as_dict()["settings"] == {"split_lines": False, "mt": None}


@pytest.mark.parametrize("settings", ['"fast"', '{"quality": 3}', '{"quality": {"used": "all"}}', '{"package": 7}'])
def test_settings_of_the_wrong_shape_are_a_one_line_format_error(tmp_path: Path, settings: str):
    meta = json.loads(OLD_LINES[0])
    meta["signature"]["settings"] = json.loads(settings)
    path = tmp_path / "odd.jsonl"
    path.write_text(json.dumps(meta) + "\n" + OLD_LINES[1] + "\n", encoding="utf-8")
    with pytest.raises(FormatError, match="signature") as err:
        read_aligned(path)
    assert "\n" not in str(err.value) and str(path) in str(err.value)
