"""A CAT tool's job as rows of the review table, and the rows back into the job.

``job_document`` makes one row (``Pair``) per segment of a job (``align.exchange.model``): the
plain source and its codes, the existing target and its codes, a status from the segment's state
(translated, reviewed or final: confirmed; a draft: needs review), the unit's position as the
row's paragraph, where the target came from as the file says (a Trados memory match, a
machine translation) as its origin. Row ``k`` names segment ``k`` of ``Job.segments()`` in ``src_ids``/``tgt_ids``,
and its note says which segment it is as the file's tool shows it (``row_labels``) plus the
unit's notes. A segment the file locks (``translate="no"``, SDL's or memoQ's lock) is a row
flagged ``LOCKED``: ``pretranslate_document`` leaves it alone, and ``apply_document`` refuses a
changed one (the job, not the flag, decides: a row file edited by hand cannot unlock a segment).

``pretranslate_document`` fills the empty targets of unlocked rows, the memory first (101% and
100% matches as ``align.tm.exact_matches`` finds them for a document translated anywhere; fuzzy
ones only from ``fuzzy`` percent up), then the machine, each a draft (needs review); the source's
codes are placed on the new target through the word aligner (``align.words.tags.place_codes``).
The memory stores plain text, so a memory match's codes are placed like the machine's.

``apply_document`` puts rows back: a row's target, codes and status become the segment's target
and state (``set_target``), rows whose target, codes and status did not change leave their
segment (and its bytes in the file) as it was. Rows that do not belong to the job, a locked row
changed, and a target whose tags the source does not have are one-line ``InputError``s naming
the row.

``translate_job_file``, ``job_rows_file`` and ``apply_rows`` are the command line's flows
(``translate``, ``convert``, ``export-doc`` for a job file).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from align import __version__
from align.codes import Code, check_codes
from align.document import AlignedDocument, Origin, OriginKind, Pair, RunSettings, Sentence, Signature, Status
from align.errors import InputError
from align.exchange.model import Job, Kind, Segment, State, Unit, set_target
from align.mt.langcodes import DEFAULT_SOURCE, DEFAULT_TARGET, base_lang
from align.progress import Progress, in_stages

if TYPE_CHECKING:
    from align.glossary import Glossary
    from align.mt.translate import TranslateOptions, Translator
    from align.settings import Settings
    from align.tm import TranslationMemory
    from align.words import WordAligner

log = logging.getLogger(__name__)

#: The flag of a row whose segment the file locks: the page, ``pretranslate_document`` and
#: ``apply_document`` never change it.
LOCKED = "locked"
#: A row's status from its segment's state (a draft, pre-translated, needs review).
STATUS_OF = {
    State.NEW: Status.AUTOMATIC,
    State.DRAFT: Status.NEEDS_REVIEW,
    State.TRANSLATED: Status.CONFIRMED,
    State.REVIEWED: Status.CONFIRMED,
    State.FINAL: Status.CONFIRMED,
}


# ---- the job as rows -----------------------------------------------------------------------------
def job_document(job: Job, *, src_lang: str | None = None, tgt_lang: str | None = None) -> AlignedDocument:
    """One row per segment of ``job`` (module doc). ``src_lang``/``tgt_lang``: the languages the
    rows are in (default: the file's own, else de and en)."""
    pairs: list[Pair] = []
    sources: list[Sentence] = []
    targets: list[Sentence] = []
    labels = row_labels(job)
    for paragraph, unit in enumerate(job.units):
        for segment in unit.segments:
            pairs.append(_row(len(pairs), labels[len(pairs)], paragraph, unit, segment))
            sources.append(Sentence(segment.source, paragraph=paragraph))
            targets.append(Sentence(segment.target or "", paragraph=paragraph))
    signature = Signature(
        version=__version__, method="import", settings=RunSettings(details={"file": job.path.name, "job": job.kind.value})
    )
    return AlignedDocument(
        src_lang=src_lang or job.source_lang or DEFAULT_SOURCE,
        tgt_lang=tgt_lang or job.target_lang or DEFAULT_TARGET,
        pairs=tuple(pairs),
        source_sentences=tuple(sources),
        target_sentences=tuple(targets),
        name=job.path.name,
        signature=signature,
    )


def _row(index: int, label: str, paragraph: int, unit: Unit, segment: Segment) -> Pair:
    return Pair(
        source=segment.source,
        target=segment.target or "",
        src_ids=(index,),
        tgt_ids=(index,),
        status=status_of(segment),
        paragraph=paragraph,
        flags=() if segment.translatable else (LOCKED,),
        note=" | ".join((label, *unit.notes)),
        src_codes=segment.codes,
        tgt_codes=segment.target_codes,
        origin=Origin.parse(segment.origin),
    )


def status_of(segment: Segment) -> Status:
    """A segment's row status: its state's (``STATUS_OF``); a target in state "new" needs review."""
    if segment.state is State.NEW and segment.target:
        return Status.NEEDS_REVIEW
    return STATUS_OF[segment.state]


def row_labels(job: Job) -> list[str]:
    """Which segment each row is (``Job.segments()`` order), as the file's tool names it: the
    unit's id, with the segment's where a unit has several ("12 #3"); a PO entry by its place
    ("entry 7", a plural form "entry 7 [1]")."""
    labels: list[str] = []
    for number, unit in enumerate(job.units, start=1):
        for form, segment in enumerate(unit.segments):
            if job.kind is Kind.PO:
                labels.append(f"entry {number}" + (f" [{form}]" if len(unit.segments) > 1 else ""))
            elif len(unit.segments) == 1 and segment.id in (unit.id, ""):
                labels.append(unit.id)
            else:
                labels.append(f"{unit.id} #{segment.id}")
    return labels


def locked_rows(doc: AlignedDocument) -> frozenset[int]:
    """The rows (0-based) flagged ``LOCKED``."""
    return frozenset(i for i, pair in enumerate(doc.pairs) if LOCKED in pair.flags)


# ---- rows back into the job ----------------------------------------------------------------------
def apply_document(job: Job, doc: AlignedDocument, *, where: str = "") -> int:
    """Put the rows' targets, codes and statuses back into ``job`` (module doc); the number of
    segments changed. ``where`` names the rows' file in messages (default: the document's name).
    A confirmed row's segment is translated (a reviewed or final one keeps its state while its
    target stays), any other row's with a target is a draft, an emptied one new."""
    segments = job.segments()
    labels = row_labels(job)
    where = where or doc.name or "the rows"
    used: dict[int, int] = {}
    missing: list[str] = []
    changes: list[tuple[Segment, Pair]] = []
    for number, pair in enumerate(doc.pairs, start=1):
        index = _segment_of(job, segments, labels, used, number, pair, where)
        segment, label = segments[index], labels[index]
        if _unchanged(segment, pair):
            continue
        if not segment.translatable:
            raise InputError(
                f"{where}, row {number} (segment {label}): the segment is locked in {job.path.name}; leave its target as it was"
            )
        _check_target_codes(segment, pair, f"{where}, row {number} (segment {label})")
        if _missing_codes(segment, pair):
            missing.append(str(number))
        changes.append((segment, pair))
    for segment, pair in changes:  # all rows checked first: a refused file changes nothing
        set_target(segment, pair.target, tuple(pair.tgt_codes), _state(segment, pair))
    if missing:
        log.warning("%s: rows %s lack some of their source's tags; written without them", where, ", ".join(missing[:20]))
    return len(changes)


def _segment_of(
    job: Job, segments: Sequence[Segment], labels: Sequence[str], used: dict[int, int], number: int, pair: Pair, where: str
) -> int:
    """The index of the segment row ``number`` names (``src_ids``), after checking that it is this job's."""
    if len(pair.src_ids) != 1:
        raise InputError(
            f"{where}, row {number}: names {len(pair.src_ids)} segments, not one; rows of a job file cannot be merged, "
            "split or added (make the rows again with convert)"
        )
    index = pair.src_ids[0]
    if not 0 <= index < len(segments):
        raise InputError(
            f"{where}, row {number}: names segment {index + 1}, but {job.path.name} has {len(segments)}; "
            "the rows are not from this job"
        )
    segment = segments[index]
    if pair.source != segment.source:
        raise InputError(
            f"{where}, row {number}: its source is not that of segment {labels[index]} of {job.path.name}; "
            "the rows are not from this job (or their source was edited)"
        )
    if tuple(pair.src_codes) != tuple(segment.codes):
        raise InputError(
            f"{where}, row {number}: its source's tags are not those of segment {labels[index]} of "
            f"{job.path.name} ({len(pair.src_codes)} for {len(segment.codes)}); the rows file lost or changed them: "
            "make the rows again with convert and edit only targets"
        )
    if index in used:
        raise InputError(f"{where}, rows {used[index]} and {number}: both are segment {labels[index]}; keep one")
    used[index] = number
    return index


def _unchanged(segment: Segment, pair: Pair) -> bool:
    """Whether the row says what the segment already holds (target, codes and status)."""
    return (
        pair.target == (segment.target or "")
        and tuple(pair.tgt_codes) == tuple(segment.target_codes)
        and (pair.status == status_of(segment) or not pair.target and segment.target is None)
    )


def _check_target_codes(segment: Segment, pair: Pair, where: str) -> None:
    """Refuse a target whose tags the source does not have, has as the other kind, or that are
    not well-formed (crossing, twice)."""
    kinds = {code.id: code.kind for code in segment.codes}
    seen: set[str] = set()
    for code in pair.tgt_codes:
        if code.id not in kinds:
            raise InputError(f"{where}: tag {_shown(code)} is not in the source; a target holds only its source's tags")
        if code.kind is not kinds[code.id]:
            raise InputError(f"{where}: tag {code.id} is {kinds[code.id].value} in the source, not {code.kind.value}")
        if code.id in seen:
            raise InputError(f"{where}: tag {_shown(code)} is in the target twice")
        seen.add(code.id)
    try:
        check_codes(pair.target, pair.tgt_codes)
    except ValueError as err:
        raise InputError(f"{where}: unbalanced tags ({err})") from None


def _shown(code: Code) -> str:
    return f"<{code.id}>" if code.paired else f"<{code.id}/>"


def _missing_codes(segment: Segment, pair: Pair) -> bool:
    return bool(pair.target.strip()) and {c.id for c in segment.codes} - {c.id for c in pair.tgt_codes} != set()


def _state(segment: Segment, pair: Pair) -> State:
    """The state a row gives its segment (``apply_document``)."""
    if not pair.target and not pair.tgt_codes:
        return State.NEW
    if pair.status is not Status.CONFIRMED:
        return State.DRAFT
    same_text = pair.target == (segment.target or "") and tuple(pair.tgt_codes) == tuple(segment.target_codes)
    return segment.state if same_text and segment.state >= State.TRANSLATED else State.TRANSLATED


# ---- pre-translation -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Filled:
    """What ``pretranslate_document`` did: rows filled from the memory, by the machine, copied (a
    source with no words: its codes and spaces), and the rows it left as they were."""

    memory: int = 0
    machine: int = 0
    copied: int = 0
    kept: int = 0
    locked: int = 0
    origins: Counter[str] = field(default_factory=Counter)

    def format(self) -> str:
        done = self.memory + self.machine + self.copied
        parts = [f"{self.memory} from the memory", f"{self.machine} by the machine"]
        if self.copied:
            parts.append(f"{self.copied} without words copied")
        return f"{done} segments pre-translated ({', '.join(parts)}), {self.kept} kept their target, {self.locked} locked"


def pretranslate_document(
    doc: AlignedDocument,
    *,
    memory: TranslationMemory | None = None,
    translator: Translator | None = None,
    aligner: WordAligner | None = None,
    glossary: Glossary | None = None,
    fuzzy: int | None = None,
    progress: Progress | None = None,
) -> AlignedDocument:
    """``doc`` with the empty targets of its unlocked rows filled (module doc): from ``memory``
    (101%/100%; fuzzy matches of at least ``fuzzy`` percent when given), then by ``translator``
    (with ``glossary``), each row a draft (needs review) with its origin; the source's codes
    placed by ``aligner`` (None: the process-wide one). A source with no words (codes and spaces
    only) is copied as it is. Without a translator, rows the memory has nothing for stay empty.
    ``progress`` hears the rows to fill, then the tag placement."""
    pairs = list(doc.pairs)
    todo = [i for i, pair in enumerate(pairs) if LOCKED not in pair.flags and not pair.target.strip() and not pair.tgt_codes]
    for i in [i for i in todo if not _has_words(pairs[i].source)]:
        pairs[i] = pairs[i].replace(target=pairs[i].source, tgt_codes=pairs[i].src_codes, status=Status.NEEDS_REVIEW)
    todo = [i for i in todo if _has_words(pairs[i].source)]
    filling, placing = in_stages(progress, [len(todo), sum(1 for i in todo if pairs[i].src_codes)])
    found = _from_memory(doc, todo, memory, fuzzy) if memory is not None else {}
    rest = [i for i in todo if i not in found]
    if translator is not None and rest:
        machine = _from_machine([pairs[i].source for i in rest], translator, glossary, filling, len(found))
        found.update({i: (text, Origin.machine()) for i, text in zip(rest, machine, strict=True)})
    elif filling is not None:
        filling(len(found), len(todo))
    filled = sorted(found)
    placed = _placed_codes([pairs[i] for i in filled], [found[i][0] for i in filled], aligner, placing)
    for i, codes in zip(filled, placed, strict=True):
        target, origin = found[i]
        target, codes = spaced(pairs[i].source, pairs[i].src_codes, target, codes)
        pairs[i] = pairs[i].replace(target=target, tgt_codes=codes, origin=origin, status=Status.NEEDS_REVIEW)
    return doc.replace(pairs=pairs, signature=_signature(doc.signature, translator, memory))


def filled_counts(before: AlignedDocument, after: AlignedDocument) -> Filled:
    """What ``pretranslate_document`` changed between ``before`` and ``after`` (for a summary)."""
    memory = machine = copied = kept = locked = 0
    origins: Counter[str] = Counter()
    for old, new in zip(before.pairs, after.pairs, strict=True):
        if LOCKED in old.flags:
            locked += 1
        elif old.target.strip() or old.tgt_codes:
            kept += 1
        elif new.origin.kind is OriginKind.MEMORY:
            memory += 1
            origins[str(new.origin)] += 1
        elif new.origin.kind is OriginKind.MACHINE:
            machine += 1
        elif new.target or new.tgt_codes:
            copied += 1
    return Filled(memory, machine, copied, kept, locked, origins)


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _from_memory(
    doc: AlignedDocument, rows: Sequence[int], memory: TranslationMemory, fuzzy: int | None
) -> dict[int, tuple[str, Origin]]:
    """The memory's target for each row it has one for: exact (101/100, the neighbours being the
    job's segments around it) as ``align.tm.exact_matches`` finds them, then fuzzy from ``fuzzy``."""
    from align.tm import exact_matches

    sources = [pair.source for pair in doc.pairs]
    exact = exact_matches([[Sentence(text) for text in sources]], memory, doc.src_lang, doc.tgt_lang)
    found: dict[int, tuple[str, Origin]] = {}
    for i in rows:
        match = exact[i]
        if match is None and fuzzy is not None:
            best = memory.lookup(
                sources[i],
                doc.src_lang,
                doc.tgt_lang,
                previous=sources[i - 1] if i else "",
                following=sources[i + 1] if i + 1 < len(sources) else "",
                min_score=fuzzy,
                limit=1,
            )
            match = best[0] if best else None
        if match is not None:
            found[i] = (_with_spaces(sources[i], match.unit.target), match.origin)
    return found


def _from_machine(
    sources: Sequence[str], translator: Translator, glossary: Glossary | None, progress: Progress | None, done: int
) -> list[str]:
    """The machine's translation of each source (its outer spaces kept: a segment of a
    ``seg-source`` often ends in the space before the next)."""
    total = done + len(sources)

    def report(count: int, _total: int | None) -> None:
        if progress is not None:
            progress(done + count, total)

    texts = translator.translate([text.strip() for text in sources], progress=report, glossary=glossary)
    return [_with_spaces(source, text) for source, text in zip(sources, texts, strict=True)]


def _with_spaces(source: str, target: str) -> str:
    """``target`` with the white space ``source`` starts and ends with."""
    target = target.strip()
    lead = source[: len(source) - len(source.lstrip())]
    trail = source[len(source.rstrip()) :]
    return f"{lead}{target}{trail}"


def _placed_codes(
    pairs: Sequence[Pair], targets: Sequence[str], aligner: WordAligner | None, progress: Progress | None
) -> list[tuple[Code, ...]]:
    """Each row's source codes on its new target (module doc); rows without codes get none."""
    from align.words.tags import place_rows_codes

    return place_rows_codes([(p.source, t, p.src_codes) for p, t in zip(pairs, targets, strict=True)], aligner, progress)


def spaced(source: str, src_codes: Sequence[Code], target: str, tgt_codes: Sequence[Code]) -> tuple[str, tuple[Code, ...]]:
    """``target`` and its placed codes with each standalone code spaced as in the source: one
    between two spaces there (a PO placeholder, "Haus %s ist") gets a space on each side (the
    machine's plain text had one space where the source had two, and the code lands right after
    a word: "house%s is"); one at the source's very start or end goes to the target's, past its
    outer white space. The text between codes is never changed otherwise."""
    from align.codes import tagged, untagged

    try:
        marked = tagged(target, tgt_codes)
    except ValueError:
        return target, tuple(tgt_codes)
    for code in src_codes:
        if code.paired:
            continue
        tag = re.escape(f"<{code.id}/>")
        before = code.start > 0 and source[code.start - 1].isspace()
        after = code.start < len(source) and source[code.start].isspace()
        if code.start == 0:
            marked = re.sub(rf"^(\s+)({tag})", r"\2\1", marked)
        elif code.start == len(source):
            marked = re.sub(rf"({tag})(\s+)$", r"\2\1", marked)
        elif before and after:
            marked = re.sub(rf"([^\s\\])({tag}) ", r"\1 \2 ", marked)
            marked = re.sub(rf" ({tag})(\S)", r" \1 \2", marked)
    try:
        return untagged(marked)
    except ValueError:
        return target, tuple(tgt_codes)


def _signature(old: Signature, translator: Translator | None, memory: TranslationMemory | None) -> Signature:
    """The rows' signature after a pre-translation: the package and memory that made it."""
    if translator is None and memory is None:
        return old
    details = dict(old.settings.details)
    if memory is not None:
        details["tm"] = str(memory.path)
    if translator is None:
        return old.replace(method="translate", settings=RunSettings(details=details))
    details.update(translator.describe())
    return old.replace(method="translate", model=translator.package.name, settings=RunSettings.from_dict(details))


# ---- the command line's flows --------------------------------------------------------------------
def check_job_output(job: Job, output: Path) -> None:
    """Refuse to write a job to a file of the other kind (XLIFF as .po, PO as .xlf)."""
    from align.exchange import PO_SUFFIXES, XLIFF_SUFFIXES

    wanted = PO_SUFFIXES if job.kind is Kind.PO else XLIFF_SUFFIXES
    if not output.name.lower().endswith(wanted):
        kind = "PO" if job.kind is Kind.PO else "XLIFF"
        raise InputError(f"{output}: a {kind} job is written back as {kind} ({', '.join(wanted)}); name the output so")


def is_rows_output(output: Path) -> bool:
    """Whether ``output`` names a file of rows (CSV, TSV, XLSX, JSONL, TMX) rather than a job."""
    from align.formats import ALIGNED_SUFFIXES

    return output.suffix.lower() in ALIGNED_SUFFIXES


def translate_job_file(
    input: Path,
    output: Path,
    *,
    settings: Settings,
    src_lang: str = DEFAULT_SOURCE,
    tgt_lang: str = DEFAULT_TARGET,
    options: TranslateOptions | None = None,
    progress: Progress | None = None,
    glossary: Glossary | None = None,
    use_tm: bool | None = None,
    fuzzy: int | None = None,
) -> tuple[Path, Filled]:
    """Read a job, pre-translate its empty segments (memory, then the installed package for
    ``src_lang``->``tgt_lang``; ``use_tm`` as ``align.tm.memory_for`` takes it) and write it to
    ``output``: the job in its own format, or its rows (.csv, .tsv, .xlsx, .jsonl, .tmx). The
    file is read and the output checked before the model loads."""
    from align.exchange import read_job, write_job_file
    from align.formats import write_document
    from align.mt.translate import load_translator
    from align.tm import memory_for
    from align.words import WordAligner

    job = read_job(Path(input))
    rows = is_rows_output(Path(output))
    if not rows:
        check_job_output(job, Path(output))
    _warn_languages(job, src_lang, tgt_lang)
    doc = job_document(job, src_lang=src_lang, tgt_lang=tgt_lang)
    translator = load_translator(src_lang, tgt_lang, settings, options)
    memory = memory_for(settings, src_lang, tgt_lang, use_tm)
    try:
        done = pretranslate_document(
            doc,
            memory=memory,
            translator=translator,
            aligner=WordAligner(settings.cache_dir, threads=(options.threads or None) if options else None),
            glossary=glossary,
            fuzzy=fuzzy,
            progress=progress,
        )
    finally:
        if memory is not None:
            memory.close()
    if rows:
        return write_document(done, Path(output)), filled_counts(doc, done)
    apply_document(job, done)
    return write_job_file(job, Path(output)), filled_counts(doc, done)


def _warn_languages(job: Job, src_lang: str, tgt_lang: str) -> None:
    for side, own, given in (("source", job.source_lang, src_lang), ("target", job.target_lang, tgt_lang)):
        if own and base_lang(own) != base_lang(given):
            log.warning("%s: its %s language is %s, translating %s->%s as asked", job.path.name, side, own, src_lang, tgt_lang)


def job_rows_file(
    input: Path, output: Path, *, fmt: str | None = None, confirmed_only: bool = False, neutralise_formulas: bool = True
) -> Path:
    """A job's rows (``job_document``) written as ``output``'s format (CSV, TSV, XLSX, JSONL, TMX)."""
    from align.exchange import read_job
    from align.formats import write_document

    doc = job_document(read_job(Path(input)))
    return write_document(doc, Path(output), fmt, confirmed_only=confirmed_only, neutralise_formulas=neutralise_formulas)


def apply_rows(doc: AlignedDocument, source: Path, output: Path, *, where: str = "") -> tuple[Path, int]:
    """``doc``'s rows (from ``job_rows_file`` or ``translate_job_file``, edited) put back into the
    job ``source`` (``apply_document``; ``where`` names the rows in messages) and the job written
    to ``output``; the count changed."""
    from align.exchange import read_job, write_job_file

    job = read_job(Path(source))
    check_job_output(job, Path(output))
    changed = apply_document(job, doc, where=where)
    return write_job_file(job, Path(output)), changed
