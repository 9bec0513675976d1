"""JSONL, lossless: a first line with the document's languages, name and signature, then one
record per source and target sentence (text, span, paragraph), then one pair a line (its quality
a number or null, its reasons a list of strings). A pair with inline codes has ``src_codes`` /
``tgt_codes``: lists of ``{"id", "kind", "start", "end"}`` at offsets of its plain text
(``align.codes.code_records``); a pair without has neither key, so a document without codes is
written byte for byte as before and files from before codes read as they did."""

from __future__ import annotations

import json
from pathlib import Path

from align.codes import code_records, codes_from_records
from align.document import AlignedDocument, Origin, Pair, Sentence, Signature, Status
from align.errors import FormatError
from align.formats.cells import Quote, decode_export, finite_number, make_document, metadata
from align.mt.langcodes import DEFAULT_SOURCE, DEFAULT_TARGET


def write_jsonl(doc: AlignedDocument, quote: Quote) -> bytes:
    """Free text is written as it is (``quote`` is for spreadsheets)."""
    lines = [json.dumps({"type": "document", **metadata(doc)}, ensure_ascii=False, default=str)]
    for side, sentences in (("source_sentence", doc.source_sentences), ("target_sentence", doc.target_sentences)):
        for s in sentences:
            record = {"type": side, "text": s.text, "start": s.start, "end": s.end, "paragraph": s.paragraph}
            lines.append(json.dumps(record, ensure_ascii=False))
    for index, pair in enumerate(doc.pairs, start=1):
        record = {
            "type": "pair",
            "index": index,
            "paragraph": pair.paragraph,
            "source": pair.source,
            "target": pair.target,
            "confidence": pair.confidence,
            "status": pair.status.value,
            "src_ids": list(pair.src_ids),
            "tgt_ids": list(pair.tgt_ids),
            "flags": list(pair.flags),
            "note": pair.note,
            "quality": None if pair.quality is None else float(pair.quality),
            "reasons": list(pair.reasons),
            "origin": str(pair.origin),
        }
        for key, codes in (("src_codes", pair.src_codes), ("tgt_codes", pair.tgt_codes)):
            if codes:
                record[key] = code_records(codes)
        lines.append(json.dumps(record, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8")


def read_jsonl(path: Path, data: bytes, src_lang: str, tgt_lang: str, unquote: Quote) -> AlignedDocument:
    """The file's own languages win over ``src_lang``/``tgt_lang``; nothing is unquoted."""
    meta: dict = {}
    pairs: list[Pair] = []
    sides: dict[str, list[Sentence]] = {"source_sentence": [], "target_sentence": []}
    for number, line in enumerate(decode_export(path, data).split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise FormatError(f"{where}: not valid JSON ({err.msg} at column {err.colno})") from None
        except RecursionError:  # json nests by recursion: thousands of brackets exhaust the stack
            raise FormatError(f"{where}: JSON nested too deeply (thousands of brackets); not a record we write") from None
        except ValueError as err:  # an integer of thousands of digits (Python's int_max_str_digits)
            raise FormatError(f"{where}: not a record we write ({err})") from None
        if not isinstance(record, dict):
            raise FormatError(f"{where}: expected a JSON object, found {type(record).__name__}")
        kind = record.get("type", "pair")
        try:
            if kind == "document":
                meta = record
            elif kind in sides:
                sentence = Sentence(
                    str(record["text"]),
                    int(record.get("start", -1)),
                    int(record.get("end", -1)),
                    int(record.get("paragraph", 0)),
                )
                sides[kind].append(sentence)
            elif kind == "pair":
                pairs.append(_pair_from_record(where, record))
            else:
                raise FormatError(f"{where}: unknown record type {kind!r}")
        except (KeyError, TypeError, ValueError) as err:
            raise FormatError(f"{where}: malformed {kind} record ({err!r})") from None
    try:
        signature = Signature.from_dict(meta["signature"]) if isinstance(meta.get("signature"), dict) else None
    except (TypeError, ValueError) as err:
        raise FormatError(f"{path}: the document's signature is not one we write ({err})") from None
    return make_document(
        path,
        str(meta.get("src_lang") or DEFAULT_SOURCE),
        str(meta.get("tgt_lang") or DEFAULT_TARGET),
        pairs,
        name=meta.get("name", ""),
        signature=signature,
        source_sentences=tuple(sides["source_sentence"]),
        target_sentences=tuple(sides["target_sentence"]),
    )


def _pair_from_record(where: str, record: dict) -> Pair:
    """A pair record; keys it lacks (files from before quality estimates or origins) take the defaults."""
    for key in ("source", "target", "note", "origin"):
        if not isinstance(record.get(key, ""), str):
            raise FormatError(f"{where}: {key} must be a string")
    quality = record.get("quality")
    if quality is not None and (isinstance(quality, bool) or not isinstance(quality, int | float)):
        raise FormatError(f"{where}: quality {quality!r} is not a number or null")
    reasons = record.get("reasons", [])
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise FormatError(f"{where}: reasons must be a list of strings")
    try:
        status = Status.parse(record.get("status"))
    except ValueError as err:
        raise FormatError(f"{where}: {err}") from None
    source, target = record.get("source", ""), record.get("target", "")
    try:
        src_codes = codes_from_records(record.get("src_codes", []), source)
        tgt_codes = codes_from_records(record.get("tgt_codes", []), target)
    except ValueError as err:
        raise FormatError(f"{where}: the pair's codes are not ones we write ({err})") from None
    try:
        return Pair(
            source=source,
            target=target,
            src_codes=src_codes,
            tgt_codes=tgt_codes,
            src_ids=tuple(int(i) for i in record.get("src_ids", ())),
            tgt_ids=tuple(int(i) for i in record.get("tgt_ids", ())),
            confidence=finite_number(where, "confidence", record.get("confidence", 1.0)),
            status=status,
            paragraph=int(record.get("paragraph", 0)),
            flags=tuple(str(f) for f in record.get("flags", ())),
            note=record.get("note", ""),
            quality=None if quality is None else finite_number(where, "quality", quality),
            reasons=tuple(reasons),
            origin=Origin.parse(record.get("origin", "")),
        )
    except (ValueError, TypeError, OverflowError) as err:  # ids, numbers: inf, 1e999, lists of lists
        raise FormatError(f"{where}: a value is not what the field holds ({err})") from None
