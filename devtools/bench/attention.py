"""Code placement from an MT model's cross-attention, measured against the word aligner on the
codes dev set (``python -m devtools bench codes --attention``).

CTranslate2 returns the attention of a forced translation: ``translate_batch(source,
target_prefix=[human translation], return_attention=True)`` gives, for each target piece, weights
over the source pieces (the model's alignment head). Here a target word's weights over source
words are its pieces' weights summed over each source word's pieces and averaged over its own
pieces; each target word is linked to the source word it attends to most, with that word's share
of its attention as the score; ``tags.place_codes`` then places the codes as it does with the word
aligner's links. The weights of output step t belong to the piece the model emits at that step
(``emitted``); the step after it (``next``, where that piece is the decoder's input) is read too.

What this can show: only whether the *project's fixture model* (``devtools/models``: a tiny
Transformer trained on a few hundred sentence pairs, no guided alignment) places codes as well as
the word aligner. OPUS-MT models trained with guided alignment put a supervised alignment head in
their attention; none can be downloaded here, so their figure is not measured.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from align.words.model import WordAlignment
    from devtools.bench.codes import Item, Outcome

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "data" / "models" / "translate-de_en-fixture.argosmodel"
READINGS = ("emitted", "next")


def attention_report(items: Sequence[Item], aligner: Sequence[Outcome], package: Path = FIXTURE) -> dict[str, Any]:
    """Exact-span figures of attention-based placement (each reading) beside the word aligner's."""
    from devtools.bench.codes import breakdown, outcomes_of, place_all

    with tempfile.TemporaryDirectory(prefix="bench-attention-") as scratch:
        matrices = attention_matrices(items, package, Path(scratch))
    report: dict[str, Any] = {"package": package.name, "aligner": breakdown(aligner)["all"]}
    for reading in READINGS:
        alignments = [_alignment(item, m, reading) for item, m in zip(items, matrices, strict=True)]
        report[reading] = breakdown(outcomes_of(items, place_all(items, alignments)))
    report["better"] = max(
        ("aligner", *READINGS), key=lambda name: report[name]["exact"] if name == "aligner" else report[name]["all"]["exact"]
    )
    return report


def attention_matrices(items: Sequence[Item], package_file: Path, scratch: Path) -> list[Any]:
    """Per item: (source piece spans, target piece spans, attention rows) of the forced human
    translation; the rows have one entry per source token the model reads."""
    import sentencepiece

    from align.mt.packages import read_package, unpack_package
    from align.mt.translate import TranslateOptions, Translator

    package = read_package(unpack_package(package_file, scratch))
    translator = Translator.load(package, TranslateOptions(compute_type="float32", threads=2))
    sp_src = sentencepiece.SentencePieceProcessor(model_file=str(package.source_sentencepiece_path))
    sp_tgt = sentencepiece.SentencePieceProcessor(model_file=str(package.target_sentencepiece_path))
    out = []
    for item in items:
        source = translator.tokenize_source(item.source)
        target = translator.tokenize_target(item.target)
        prefix = [package.target_prefix] if package.target_prefix else []
        result = translator.model.translate_batch(
            [source],
            target_prefix=[prefix + target],
            return_attention=True,
            beam_size=1,
            max_decoding_length=len(prefix) + len(target) + 1,
        )[0]
        rows = [list(row) for row in result.attention[0]][len(prefix) :]
        offset = 1 if package.source_prefix else 0
        out.append((_spans(sp_src, item.source), _spans(sp_tgt, item.target), rows, offset))
    return out


def _spans(sp: Any, text: str) -> list[tuple[int, int]]:
    """Character span of each SentencePiece piece of ``text`` (SentencePiece counts UTF-8 bytes)."""
    char_at = [k for k, ch in enumerate(text) for _ in ch.encode("utf-8")] + [len(text)]
    return [(char_at[p.begin], char_at[p.end]) for p in sp.encode(text, return_type="proto").pieces]


def _alignment(item: Item, matrix: Any, reading: str) -> WordAlignment:
    """Each target word linked to the source word it attends to most (module docstring)."""
    from align.words.model import Link, WordAlignment
    from align.words.split import split_words

    src_spans, tgt_spans, rows, offset = matrix
    src_words, tgt_words = split_words(item.source), split_words(item.target)
    src_of = [_word_of(span, src_words) for span in src_spans]
    shift = 0 if reading == "emitted" else 1
    links = []
    for j in range(len(tgt_words)):
        pieces = [q for q, span in enumerate(tgt_spans) if _word_of(span, tgt_words) == j and q + shift < len(rows)]
        weights = [0.0] * len(src_words)
        for q in pieces:
            for p, i in enumerate(src_of):
                if i is not None and p + offset < len(rows[q + shift]):
                    weights[i] += rows[q + shift][p + offset] / len(pieces)
        total = sum(weights)
        if total > 0:
            best = max(range(len(weights)), key=weights.__getitem__)
            links.append(Link(best, j, weights[best] / total))
    return WordAlignment(tuple(src_words), tuple(tgt_words), tuple(sorted(links, key=lambda link: (link.src, link.tgt))))


def _word_of(span: tuple[int, int], words: Sequence[Any]) -> int | None:
    """The word a piece's characters overlap (None for a piece of spaces alone)."""
    start, end = span
    return next((k for k, w in enumerate(words) if w.start < max(end, start + 1) and start < w.end), None)


def format_attention(report: Mapping[str, Any]) -> list[str]:
    a = report["aligner"]
    lines = [
        f"attention of {report['package']} over the forced human translation, + place_codes "
        f"(vs the word aligner's exact {a['exact']:.3f}):"
    ]
    for reading in READINGS:
        f = report[reading]["all"]
        lines.append(f"  attention, {reading} reading: {f['codes']} codes, exact span {f['exact']:.3f}, F1 {f['f1']:.3f}")
    lines.append(f"  places better: {report['better']}")
    return lines
