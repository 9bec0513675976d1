"""Document-level flows that the page, the command line and the batch script share.

Each flow composes the single-job modules (readers, segment, translate, aligner, writers)
into an ``AlignedDocument``; nothing here parses arguments or prints.

Two owners edit this file: the translation flows (``translate_*``) and the alignment flows
(``align_*``). Keep each section self-contained.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from align import __version__
from align.document import AlignedDocument, Bead, Origin, OriginKind, Pair, QualityRecord, RunSettings, Sentence, Signature
from align.mt.langcodes import DEFAULT_SOURCE, DEFAULT_TARGET
from align.progress import Progress, in_stages
from align.text.segment import segment

if TYPE_CHECKING:
    from align.embed import Embedder
    from align.glossary import Glossary
    from align.mt.translate import TranslateOptions, Translator
    from align.settings import Settings
    from align.tm import TranslationMemory
    from align.tm.match import Match

log = logging.getLogger(__name__)

# ---- translation flows ------------------------------------------------------------------------


@dataclass(frozen=True)
class TranslateRequest:
    """What a translation flow is asked to do besides the texts and the translator: one value
    passed down ``translate_text`` -> ``translate_texts`` -> ``translate_segmented`` instead of the
    same keyword arguments at every level.

    ``names``: one per document (none: unnamed). ``progress`` hears sentences: the translation,
    then the estimate as its last tenth. ``estimate``: each row's quality estimate and reasons
    (``align.quality``), with the package's own scores and ``embedder``'s similarities (an
    in-memory embedder when None). ``glossary``: terminology the translator prefers
    (``align.glossary``). ``tm``: a translation memory whose 101%/100% matches replace machine
    translation (``align.tm``).
    """

    src_lang: str = DEFAULT_SOURCE
    tgt_lang: str = DEFAULT_TARGET
    names: Sequence[str] = ()
    progress: Progress | None = None
    estimate: bool = True
    embedder: Embedder | None = None
    glossary: Glossary | None = None
    tm: TranslationMemory | None = None


def _request(request: TranslateRequest | None, fields: dict[str, Any]) -> TranslateRequest:
    """``request`` with the fields callers give by keyword (the flows took them before there was
    a request: the page and tests still do); an unknown keyword is a TypeError, as before."""
    request = request or TranslateRequest()
    if "names" in fields and fields["names"] is None:
        fields["names"] = ()
    return dataclasses.replace(request, **fields) if fields else request


def translate_segmented(
    sentence_lists: Sequence[Sequence[Sentence]],
    translator: Translator,
    request: TranslateRequest | None = None,
    **fields: Any,
) -> list[AlignedDocument]:
    """Translate already segmented documents, all their sentences in ONE ``translator.translate``
    call (so short documents share batches), and return one AlignedDocument per document.

    Each source sentence becomes one Pair (``src_ids == tgt_ids == (i,)``, its paragraph kept,
    status automatic, confidence 1.0); the document's signature records the package and settings
    (and the glossary under "glossary", the memory under "tm"). ``fields``: ``TranslateRequest``'s
    fields by keyword. With a memory, a sentence with a 101% or 100% match takes the memory's
    target (origin "tm101"/"tm100") and is not sent to the translator at all; the others are
    machine translated (origin "mt"). Only those are estimated: the estimate is about machine
    translation, and a memory row's quality stays None.
    """
    request = _request(request, fields)
    flat = [s.text for sentences in sentence_lists for s in sentences]
    recalled = _recalled(sentence_lists, request, len(flat))
    to_translate = [text for text, match in zip(flat, recalled, strict=True) if match is None]
    share = (
        max(len(to_translate) // 10, 1) if request.estimate and to_translate else 0
    )  # a short text's estimate still moves the bar
    from_tm, translating, estimating = in_stages(
        request.progress, [len(flat) - len(to_translate), len(to_translate) - share, share]
    )
    if from_tm is not None and len(to_translate) < len(flat):
        from_tm(1, 1)
    machine = iter(translator.translate(to_translate, progress=translating, glossary=request.glossary) if to_translate else [])
    translations = iter([match.unit.target if match is not None else next(machine) for match in recalled])
    origins = iter([match.origin if match is not None else Origin.machine() for match in recalled])
    signature = _translate_signature(translator, request)
    docs = []
    for n, sentences in enumerate(sentence_lists):
        targets = [Sentence(text=next(translations), paragraph=s.paragraph) for s in sentences]
        pairs = [
            Pair(source=s.text, target=t.text, src_ids=(i,), tgt_ids=(i,), paragraph=s.paragraph, origin=next(origins))
            for i, (s, t) in enumerate(zip(sentences, targets, strict=True))
        ]
        docs.append(
            AlignedDocument(
                src_lang=request.src_lang,
                tgt_lang=request.tgt_lang,
                pairs=tuple(pairs),
                source_sentences=tuple(sentences),
                target_sentences=tuple(targets),
                name=request.names[n] if request.names else "",
                signature=signature,
            )
        )
    if request.estimate:
        docs = _with_estimates(docs, translator, request.embedder, estimating, request.glossary)
    return docs


def _recalled(sentence_lists: Sequence[Sequence[Sentence]], request: TranslateRequest, count: int) -> list[Match | None]:
    """The memory's exact match for each sentence (None: none, or no memory)."""
    if request.tm is None:
        return [None] * count
    from align.tm import exact_matches

    return exact_matches(sentence_lists, request.tm, request.src_lang, request.tgt_lang)


def _translate_signature(translator: Translator, request: TranslateRequest) -> Signature:
    """The package, its settings, the glossary and the memory that made a translation."""
    described = {**translator.describe(), **({"glossary": request.glossary.describe()} if request.glossary else {})}
    if request.tm is not None:
        described["tm"] = str(request.tm.path)
    return Signature(
        version=__version__, method="translate", model=translator.package.name, settings=RunSettings.from_dict(described)
    )


def _with_estimates(
    docs: list[AlignedDocument],
    translator: Translator,
    embedder: Embedder | None,
    progress: Progress | None,
    glossary: Glossary | None = None,
) -> list[AlignedDocument]:
    """Each document estimated on its own (its own norms), progress across all of them. Only its
    machine-translated rows are estimated and give the norms: a memory row is a translator's."""
    from align.quality import with_estimates

    embedder = embedder or _memory_embedder()
    stages = in_stages(progress, [len(d.pairs) for d in docs])
    estimated = []
    for doc, stage in zip(docs, stages, strict=True):
        machine = [i for i, pair in enumerate(doc.pairs) if pair.origin.kind is OriginKind.MACHINE]
        if machine:
            doc = with_estimates(doc, embedder=embedder, translator=translator, rows=machine, glossary=glossary, progress=stage)
        estimated.append(doc)
    return estimated


def translate_texts(
    texts: Sequence[str], translator: Translator, request: TranslateRequest | None = None, **fields: Any
) -> list[AlignedDocument]:
    """Segment several texts and translate them together (one translator call for all of them).
    ``progress`` hears sentence counts across all texts; ``fields``: see ``translate_segmented``."""
    request = _request(request, fields)
    return translate_segmented([segment(text, request.src_lang) for text in texts], translator, request)


def translate_text(
    text: str, translator: Translator, request: TranslateRequest | None = None, *, name: str | None = None, **fields: Any
) -> AlignedDocument:
    """Segment and translate one text: one Pair per source sentence, spans kept, each estimated
    (memory matches first with ``tm``: see ``translate_segmented``). ``name``: the document's,
    short for ``names=(name,)``."""
    request = _request(request, fields)
    if name is not None:
        request = dataclasses.replace(request, names=(name,))
    return translate_texts([text], translator, request)[0]


def translate_file(
    input: Path,
    output: Path,
    *,
    settings: Settings,
    src_lang: str = DEFAULT_SOURCE,
    tgt_lang: str = DEFAULT_TARGET,
    options: TranslateOptions | None = None,
    progress: Progress | None = None,
    estimate: bool = True,
    glossary: Glossary | None = None,
    use_tm: bool | None = None,
) -> Path:
    """Read, segment, translate and write one file (format by the output's extension, CSV when
    it has none), with each row's quality estimate (embeddings cached under
    ``settings.cache_dir``); ``progress`` hears the sentences. Input is read before the model is
    loaded, so a bad file fails fast. ``glossary``: see ``TranslateRequest`` (the caller reads it,
    e.g. ``align.glossary.load_glossaries``). An output named .docx, .md or .html (the input's own
    kind; .docx for a PDF) is the translated document itself (``align.docout``), not estimated.
    ``use_tm``: take 101%/100% matches from the data folder's translation memory (None: when it
    holds units for the language pair; ``align.tm.memory_for``)."""
    from align.docout import translate_writes_document, write_translated
    from align.formats import format_from_path, write_document
    from align.mt.translate import load_translator
    from align.text.readers import read_text
    from align.tm import memory_for

    input, output = Path(input), Path(output)
    # the translated document in the input's structure, or pairs; an unknown format fails before any work
    document = translate_writes_document(input, output)
    fmt = "" if document else format_from_path(output) if output.suffix else "csv"
    estimate = estimate and not document  # a document has no place for the estimate
    sentences = segment(read_text(input), src_lang)
    translator = load_translator(src_lang, tgt_lang, settings, options)
    memory = memory_for(settings, src_lang, tgt_lang, use_tm)
    embedder = _cached_embedder(settings) if estimate else None
    request = TranslateRequest(
        src_lang, tgt_lang, names=(input.name,), estimate=estimate, embedder=embedder, glossary=glossary, tm=memory
    )
    [doc] = translate_segmented([sentences], translator, dataclasses.replace(request, progress=progress))
    if memory is not None:
        memory.close()
    if document:
        from align.words import WordAligner

        # formatting inside sentences is placed by the word aligner, its encoder converted once per data folder
        return write_translated(doc, input, output, aligner=WordAligner(Path(settings.cache_dir)))
    return write_document(doc, output, fmt)


@functools.cache
def _memory_embedder() -> Embedder:
    """One in-memory embedder per process for callers that bring none (made on first use: its
    model is converted once, not once per document)."""
    from align.embed import Embedder

    return Embedder()


def _cached_embedder(settings: Settings) -> Embedder:
    from align.embed import Embedder

    return Embedder(settings.cache_dir)


# ---- alignment flows --------------------------------------------------------------------------
def align_texts(
    src_text: str,
    tgt_text: str,
    *,
    src_lang: str = DEFAULT_SOURCE,
    tgt_lang: str = DEFAULT_TARGET,
    split_lines: bool = False,
    embedder=None,
    translator=None,
    progress: Progress | None = None,
    name: str = "",
    options=None,
) -> AlignedDocument:
    """Segment both texts (or take one sentence a line), align them, and build the document.

    ``translator``: a loaded ``align.mt.translate.Translator`` for src->tgt; when given, the source's
    machine translation is an extra alignment signal. ``progress(done, total)`` hears the
    translation (when there is one) and the embedding, as one task.
    """
    from align.aligner import AlignOptions, align_sentences
    from align.embed import Embedder

    options = options or AlignOptions()
    embedder = embedder or Embedder()
    source = _sentences(src_text, src_lang, split_lines)
    target = _sentences(tgt_text, tgt_lang, split_lines)
    src_strings = [s.text for s in source]
    mt = None
    if translator is not None and source:
        # both stages move the one bar, a sentence a step (translating one takes longer: the bar
        # is slower in its first part, never stuck)
        translating, embedding = in_stages(progress, [len(source), len(source) + len(target)])
        log.info("translating %d source sentences for the alignment's MT signal", len(source))
        mt = translator.translate(src_strings, progress=translating)
        progress = embedding
    beads = align_sentences(src_strings, [t.text for t in target], embedder=embedder, mt=mt, options=options, progress=progress)
    if progress is not None:
        progress(1, 1)  # the end, also when every vector came from the cache (nothing to report)
    model = embedder.model_name
    details = {
        "split_lines": split_lines,
        "band": options.band,
        "refine": options.refine,
        "word_check": options.word_check,
        "bead_types": [f"{a}-{b}" for a, b in options.priors],
        "mt": translator.package.name if translator is not None else None,
    }
    signature = Signature(version=__version__, method="align", model=model, settings=RunSettings(details=details))
    return AlignedDocument.from_beads(src_lang, tgt_lang, source, target, beads, name=name, signature=signature)


def _sentences(text: str, lang: str, split_lines: bool) -> list[Sentence]:
    """Sentences with their character spans: one a non-blank line, or segmented."""
    if not split_lines:
        return segment(text, lang)
    sentences, offset = [], 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped:
            start = offset + line.index(stripped)
            sentences.append(Sentence(text=stripped, start=start, end=start + len(stripped)))
        offset += len(line)
    return sentences


def align_files(
    src_file: Path,
    tgt_file: Path,
    output: Path,
    *,
    settings: Settings,
    src_lang: str = DEFAULT_SOURCE,
    tgt_lang: str = DEFAULT_TARGET,
    split_lines: bool = False,
    fmt: str = "beads",
    use_mt: bool = False,
    embedder=None,
    options=None,
) -> Path:
    """Read two files, align them and write ``output``: beads (``[0, 1]:[2]`` a line) or a
    document format (csv, tsv, xlsx, tmx, jsonl) through ``align.formats``.

    With ``use_mt`` the installed package for the pair adds the machine-translation signal;
    without one the alignment goes on with embeddings and length alone (an info log says so).
    Embeddings are cached under ``settings.cache_dir``.
    """
    from align.embed import Embedder
    from align.mt.translate import load_translator
    from align.text.readers import read_text

    src_file, tgt_file, output = Path(src_file), Path(tgt_file), Path(output)
    src_text, tgt_text = read_text(src_file), read_text(tgt_file)
    translator = load_translator(src_lang, tgt_lang, settings, required=False) if use_mt else None
    embedder = embedder or Embedder(settings.cache_dir)
    doc = align_texts(
        src_text,
        tgt_text,
        src_lang=src_lang,
        tgt_lang=tgt_lang,
        split_lines=split_lines,
        embedder=embedder,
        translator=translator,
        name=src_file.stem,
        options=options,
    )
    if (fmt or "beads").lower() == "beads":
        from align.formats import atomic_write_bytes

        lines = [Bead(p.src_ids, p.tgt_ids).gold_format() + "\n" for p in doc.pairs]
        atomic_write_bytes(output, "".join(lines).encode("utf-8"))
        return output
    from align.formats import write_document

    return write_document(doc, output, fmt)


# ---- quality flows ----------------------------------------------------------------------------
def estimate_texts(
    src_text: str,
    mt_text: str,
    *,
    src_lang: str = DEFAULT_SOURCE,
    tgt_lang: str = DEFAULT_TARGET,
    split_lines: bool = False,
    embedder: Embedder | None = None,
    translator: Translator | None = None,
    progress: Progress | None = None,
    name: str = "",
    where: tuple[str, str] = ("source", "translation"),
) -> AlignedDocument:
    """A source and its machine translation, row by row, each row estimated (``align.quality``).

    Rows pair up by position: one sentence a line with ``split_lines``, else the sentences of
    each text; different counts are an error naming ``where`` (the two files), never a guess.
    """
    from align.errors import AlignError
    from align.quality import with_estimates

    source = _sentences(src_text, src_lang, split_lines)
    target = _sentences(mt_text, tgt_lang, split_lines)
    if len(source) != len(target):
        unit = "non-blank lines" if split_lines else "sentences"
        hint = "" if split_lines else "; with one sentence a line in each file, use --split-lines"
        raise AlignError(
            f"{where[0]} has {len(source)} {unit} but {where[1]} has {len(target)}: rows must pair up one to one{hint} "
            "(or pair them with `align` first)"
        )
    beads = [Bead((i,), (i,)) for i in range(len(source))]
    signature = Signature(version=__version__, method="estimate", settings=RunSettings(details={"split_lines": split_lines}))
    doc = AlignedDocument.from_beads(src_lang, tgt_lang, source, target, beads, name=name, signature=signature)
    return with_estimates(doc, embedder=embedder, translator=translator, progress=progress)


#: Why the package's own scores are left out of an estimate when the caller switched them off; the
#: command line gives its own reason, naming its option.
MODEL_OFF = "switched off"


def estimate_files(
    src_file: Path,
    mt_file: Path,
    *,
    settings: Settings,
    src_lang: str = DEFAULT_SOURCE,
    tgt_lang: str = DEFAULT_TARGET,
    split_lines: bool = False,
    use_model: bool = True,
    model_off_reason: str = MODEL_OFF,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> AlignedDocument:
    """Read two files and estimate the machine translation row by row, with the installed
    package's own scores when ``use_model`` and one is installed (the document's signature says
    which signals were left out and why: ``model_off_reason`` when ``use_model`` is False).
    ``progress`` hears the rows."""
    from align.mt.translate import load_translator
    from align.text.readers import read_text

    src_file, mt_file = Path(src_file), Path(mt_file)
    src_text, mt_text = read_text(src_file), read_text(mt_file)
    translator = load_translator(src_lang, tgt_lang, settings, required=False) if use_model else None
    embedder = embedder or _cached_embedder(settings)
    doc = estimate_texts(
        src_text,
        mt_text,
        src_lang=src_lang,
        tgt_lang=tgt_lang,
        split_lines=split_lines,
        embedder=embedder,
        translator=translator,
        progress=progress,
        name=src_file.stem,
        where=(str(src_file), str(mt_file)),
    )
    if not use_model:
        quality = doc.signature.settings.quality or QualityRecord()
        quality = dataclasses.replace(quality, left_out={**quality.left_out, "model": model_off_reason})
        doc = doc.replace(signature=doc.signature.replace(settings=doc.signature.settings.with_quality(quality)))
    return doc
