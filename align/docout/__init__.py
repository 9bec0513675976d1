"""The translated document: a document's target text written back in its source's own structure.

``write_translated`` reads the source file again with its block map (``align.text.readers``),
finds where each row's source sentences were (``placement``), places the inline codes of the
sentences whose formatting varies on their translations (``inline``: Word runs, HTML inline
elements, Markdown marks), composes each block's
new text and its pieces' (``compose``) and hands them to the writer of the output's format
(``plain``, ``markdown``, ``html``, ``word``); the file is written atomically. ``kinds`` says which output
goes with which source. Nothing is imported or parsed until a function is called.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from align.docout.kinds import DOCUMENT_SUFFIXES, OutputKindError, is_document_output, output_kind, translate_writes_document
from align.docout.policy import Unconfirmed
from align.document import AlignedDocument
from align.mt.langcodes import DEFAULT_SOURCE

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from align.codes import Code
    from align.docout.inline import Fragment, Placer, Styled
    from align.document import Sentence
    from align.text.readers import Block, OpenedSource
    from align.words.aligner import WordAligner

__all__ = [
    "DOCUMENT_SUFFIXES",
    "OutputKindError",
    "Unconfirmed",
    "is_document_output",
    "output_kind",
    "render_translated",
    "translate_writes_document",
    "write_pseudo",
    "write_translated",
]

log = logging.getLogger(__name__)


def write_translated(
    doc: AlignedDocument,
    source_path: Path,
    out_path: Path,
    *,
    unconfirmed: str = "mt",
    aligner: WordAligner | None = None,
    placer: Placer | None = None,
) -> Path:
    """Write ``doc``'s target text in the structure of ``source_path`` to ``out_path``; return it.

    The format follows ``out_path``'s suffix, which must fit the source (``kinds``). ``doc``'s
    rows must come from ``source_path`` (its sentences, as ``translate`` segmented them).
    ``unconfirmed`` (``source``, ``mt`` or ``marker``, see :class:`Unconfirmed`) says what goes in
    for rows that are not confirmed or have no target. ``aligner`` (a ``WordAligner`` with the data
    folder's cache; None: a process-wide one in a temporary folder) places the inline codes of
    sentences whose formatting varies, or ``placer`` where the caller knows where they go. Raises ``AlignError`` subclasses naming
    the file for a mismatched document, an unreadable source or a format that does not fit.
    """
    from align.formats import atomic_write_bytes

    out_path = Path(out_path)
    kind = output_kind(source_path, out_path)
    data = render_translated(doc, source_path, kind, unconfirmed=unconfirmed, aligner=aligner, placer=placer)
    atomic_write_bytes(out_path, data)
    log.info("wrote %s (%d bytes)", out_path, len(data))
    return out_path


def write_pseudo(
    source_path: Path,
    out_path: Path,
    pseudo: Callable[[str, tuple[Code, ...]], tuple[str, tuple[Code, ...]]],
    *,
    src_lang: str = DEFAULT_SOURCE,
) -> tuple[Path, int]:
    """Pseudo-translate a document: every sentence (in every part) replaced by ``pseudo(text, codes)``
    (``align.exchange.pseudo.pseudo_text``, handed in by the caller: the two rooms do not import
    each other), its inline codes where ``pseudo`` moves them, written to ``out_path`` in the
    structure of ``source_path`` (``write_translated``). Returns the file and the sentence count."""
    from align.document import Pair
    from align.document import Sentence as Target
    from align.text.readers import read_text
    from align.text.segment import segment

    sentences = segment(read_text(Path(source_path)), src_lang)
    pairs = tuple(Pair(source=s.text, target=pseudo(s.text, ())[0], src_ids=(i,), tgt_ids=(i,)) for i, s in enumerate(sentences))
    targets = tuple(Target(p.target) for p in pairs)
    doc = AlignedDocument(src_lang, src_lang, pairs, tuple(sentences), targets, name=Path(source_path).name)
    out = write_translated(doc, source_path, out_path, placer=lambda source, _target, codes: pseudo(source, codes)[1])
    return out, len(sentences)


def render_translated(
    doc: AlignedDocument,
    source_path: Path,
    kind: str,
    *,
    unconfirmed: str = "mt",
    aligned: str = "",
    aligner: WordAligner | None = None,
    placer: Placer | None = None,
) -> bytes:
    """The bytes of the translated document of kind ``docx``, ``md``, ``html`` or ``txt`` (for
    download buttons; ``write_translated`` checks the kind against the source with ``output_kind``).

    ``docx`` from a source of another kind is a new document with a paragraph per block; ``md``
    and ``html`` need a source of that kind. ``aligned`` names where ``doc`` came from, for error
    messages (default: its name); ``aligner`` and ``placer`` as for ``write_translated``.
    """
    from align.docout.compose import fill_blocks
    from align.docout.placement import check_rows, place_rows, source_sentences
    from align.docout.policy import joiner_for
    from align.text.readers import open_source

    policy = Unconfirmed.parse(unconfirmed)
    opened = open_source(Path(source_path))
    source = opened.source
    where = aligned or doc.name or "the aligned document"
    sentences = source_sentences(doc, source.text, where=where)
    check_rows(doc, sentences, aligned=where, source=str(source_path))
    joiner = joiner_for(doc.tgt_lang)
    texts = place_rows(doc, sentences, policy, joiner)
    styled = kind == source.kind and kind in _STYLED
    inline = (
        _inline(opened, sentences, _row_spans(doc, sentences, texts, source.blocks), texts, aligner, placer) if styled else None
    )
    filled = fill_blocks(source, sentences, texts, joiner, inline)
    if kind == "txt":
        from align.docout.plain import render_plain

        return render_plain(source, filled, opened.newline if source.kind in ("txt", "md") else "\n")
    if kind == "docx" and source.kind != "docx":
        from align.docout.word import render_new_docx

        return render_new_docx(filled)
    if kind != source.kind:
        raise OutputKindError(f"{source_path}: a {source.kind} source cannot be written as {kind}")
    if kind == "docx":
        from align.docout.word import render_docx

        return render_docx(opened, filled)
    if kind == "html":
        from align.docout.html import render_html

        return render_html(opened, filled)
    from align.docout.markdown import render_markdown

    return render_markdown(opened, filled)


#: Source kind -> the module and function that describe a block's text as styled pieces (``inline.Styled``).
_STYLED = {
    "docx": ("align.docout.word", "docx_styled"),
    "html": ("align.docout.html", "html_styled"),
    "md": ("align.docout.markdown", "markdown_styled"),
}


def _row_spans(
    doc: AlignedDocument, sentences: Sequence[Sentence], texts: Sequence[str], blocks: Sequence[Block]
) -> list[tuple[int, int]]:
    """The source span each sentence's new text renders: its own, or for the first sentence of a
    merged row, up to the end of the row's last consecutive sentence in the same block whose place
    it took (their places are empty), so the formatting of every merged sentence is placed on the
    row's text."""
    import bisect

    starts = [b.start for b in blocks]

    def block(i: int) -> int:
        return bisect.bisect_right(starts, sentences[i].start)

    spans = [(s.start, s.end) for s in sentences]
    for pair in doc.pairs:
        ids = sorted(i for i in set(pair.src_ids) if 0 <= i < len(sentences))
        if len(ids) < 2:
            continue
        last = ids[0]
        for i in ids[1:]:
            if i != last + 1 or texts[i] or block(i) != block(ids[0]):
                break
            last = i
        spans[ids[0]] = (sentences[ids[0]].start, sentences[last].end)
    return spans


def _inline(
    opened: OpenedSource,
    sentences: Sequence[Sentence],
    spans: Sequence[tuple[int, int]],
    texts: Sequence[str],
    aligner: WordAligner | None,
    placer: Placer | None,
) -> dict[int, tuple[Fragment, ...]]:
    """The fragments of each translated sentence whose formatting varies (Word runs, HTML inline
    elements, Markdown marks), for the writer of the source's own kind."""
    import bisect
    import importlib

    from align.docout.inline import inline_fragments

    module, name = _STYLED[opened.source.kind]
    describe = getattr(importlib.import_module(module), name)
    # a writer that adjusts a block's formatting per sentence (HTML, Markdown: a sentence wholly in
    # one element keeps the words the translation adds inside it) says so with ``sentence_styled``
    focus = getattr(importlib.import_module(module), "sentence_styled", None)
    blocks = opened.source.blocks
    starts = [b.start for b in blocks]
    cache: dict[int, list[Styled]] = {}

    def styled_of(k: int) -> list[Styled]:
        b = max(bisect.bisect_right(starts, sentences[k].start) - 1, 0)
        if b not in cache:
            cache[b] = describe(opened, blocks[b]) if blocks else []
        return focus(cache[b], *spans[k]) if focus is not None else cache[b]

    return inline_fragments(opened.source.text, spans, texts, styled_of, aligner, placer)
