"""Translate (or align) every supported file under a folder, resumably.

``run_batch`` walks IN_DIR, keeps its folder structure in OUT_DIR (``a/b/x.docx`` ->
``OUT/a/b/x.csv`` and ``x.tmx``) and records each finished file in a manifest
(``OUT/align-batch-manifest.json``) with the sha256 of its input (and of the aligned translation)
and a key of the options and model that shape the output. A rerun skips what is finished and
unchanged and redoes the rest; outputs are written atomically before their manifest entry, so a
``kill -9`` loses at most the files in flight, never a finished output.

Speed: CTranslate2 is kept busy across file boundaries. Files are read and segmented by a small
thread pool ahead of the translator, and the sentences of a window of files (at least
``window_sentences``, 2,000 by default, and at least ``WINDOW_BATCHES`` full batches of tokens) go
through ONE ``translate_segmented`` call, so short files share batches.
While a window is translated (CTranslate2 releases the GIL) the next one is read and the last one
written.

One bad file does not stop the run: it is listed in the summary and in the manifest, and the
summary's ``ok`` is False. Output paths never leave OUT_DIR: symlinks that resolve outside IN_DIR
are refused, and every output path is checked against OUT_DIR after resolving.

Output names (``output_bases``) are unique (ignoring case, for Windows and macOS disks), valid on
Windows, Linux and macOS (``safe_name``), and stable: an input keeps the name the manifest gave it
on every rerun, so a new sibling never takes over an existing output. Names are shown escaped
(``printable``): a file name can hold terminal escape sequences or bytes that are not UTF-8.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
import threading
import time
import unicodedata
from collections import defaultdict, deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from align.errors import AlignError, InputError
from align.filenames import is_windows_device, printable
from align.mt.langcodes import DEFAULT_SOURCE, DEFAULT_TARGET
from align.progress import BatchProgress, Progress, Tally
from align.settings import Settings

if TYPE_CHECKING:
    from align.document import AlignedDocument, Sentence
    from align.embed import Embedder
    from align.glossary import Glossary
    from align.mt.translate import TranslateOptions, Translator
    from align.tm import TranslationMemory

log = logging.getLogger(__name__)

MANIFEST_NAME = "align-batch-manifest.json"
MANIFEST_VERSION = 1
DONE, FAILED, SKIPPED = "done", "failed", "skipped"
#: A translation window holds at least this many full batches (``max_batch_tokens``) of source tokens.
WINDOW_BATCHES = 4
#: Longest output file or folder name in UTF-8 bytes, before its format suffix (``.jsonl``): file
#: systems allow 255 bytes (Windows 255 UTF-16 units), and the atomic writer's temporary name adds
#: some 20 (``.NAME.0123456789ab.tmp``). Longer names are cut and get a hash (``safe_name``).
NAME_LIMIT = 200
#: Hex digits of the hash that keeps changed names apart (``name~0123abcd``).
HASH_DIGITS = 8
#: Characters Windows forbids in names, control characters, and lone surrogates (bytes of a name
#: that were not UTF-8 and are not Latin-1 either).
_UNSAFE_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f-\x9f\ud800-\udfff]')


@dataclass(frozen=True)
class BatchOptions:
    """What a batch run does; everything that shapes an output goes into the manifest's options key."""

    src_lang: str = DEFAULT_SOURCE
    tgt_lang: str = DEFAULT_TARGET
    formats: tuple[str, ...] = ("csv", "tmx")
    align_with: Path | None = None
    workers: int = 1  # files read and written in parallel (threads), while one window is translated
    force: bool = False
    neutralise_formulas: bool = True
    translate: TranslateOptions | None = None
    window_sentences: int = 2000
    estimate: bool = True  # quality estimate of each translated row (quality and reasons columns)
    tm: bool | None = None  # 101%/100% matches of the data folder's memory first (None: when it has the pair)
    glossary: Glossary | None = None  # terminology the translation should follow (align.glossary)
    cluster: str = ""  # decode on Ray workers: 'ray' (a local Ray for the run) or 'ray://HOST:PORT' (align.cluster)
    cluster_workers: int = 0  # worker actors (0: one per ``threads`` CPUs of the cluster)


@dataclass(frozen=True)
class FileResult:
    """What happened to one input file (``rel`` is its path under IN_DIR, with forward slashes)."""

    rel: str
    status: str
    outputs: tuple[str, ...] = ()
    sentences: int = 0
    error: str = ""


@dataclass
class BatchSummary:
    """The outcome of a run: one result per input file, in file order, and the wall time."""

    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    manifest: Path | None = None
    mode: str = "translate"

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def done(self) -> list[FileResult]:
        return [r for r in self.results if r.status == DONE]

    @property
    def skipped(self) -> list[FileResult]:
        return [r for r in self.results if r.status == SKIPPED]

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == FAILED]

    @property
    def sentences(self) -> int:
        return sum(r.sentences for r in self.done)

    def format(self) -> str:
        verb = "aligned" if self.mode == "align" else "translated"
        rate = f", {self.sentences / self.seconds:.1f} sentences/s" if self.seconds and self.sentences else ""
        lines = [
            f"{verb} {len(self.done)} file(s) ({self.sentences} sentences in {self.seconds:.1f} s{rate}), "
            f"skipped {len(self.skipped)} already finished, {len(self.failed)} failed"
        ]
        if self.failed:
            lines.append("failed:")
            lines.extend(f"  {printable(r.rel)}: {printable(r.error)}" for r in self.failed)
        if self.manifest is not None:
            lines.append(f"manifest: {printable(str(self.manifest))}")
        return "\n".join(lines)


@dataclass(frozen=True)
class _Planned:
    """One input file as ``plan_files`` planned it: where it is read and where its outputs go
    (``name``: their path under OUT_DIR without the format suffix, ``output_bases``)."""

    rel: str
    path: Path
    outputs: tuple[Path, ...]
    name: str = ""
    aligned: Path | None = None


@dataclass
class _Loaded:
    """A read input: its hashes, what its strategy made of it, and what the progress counts."""

    file: _Planned
    input_sha256: str = ""
    aligned_sha256: str = ""
    sentences: list[Sentence] = field(default_factory=list)  # translate: the segmented source
    doc: AlignedDocument | None = None  # align: the aligned document
    count: int = 0  # sentences to translate, or pairs aligned
    error: str = ""


# ---- public API --------------------------------------------------------------------------------


def run_batch(
    in_dir: Path,
    out_dir: Path,
    options: BatchOptions,
    settings: Settings,
    *,
    translator: Translator | None = None,
    progress: BatchProgress | None = None,
) -> BatchSummary:
    """Translate (or, with ``options.align_with``, align) every supported file under ``in_dir``.

    ``translator`` may be given pre-loaded (benchmarks, tests); otherwise the installed package for
    the language pair is loaded once, and only when some file needs translating (a missing package
    is a ``ModelNotInstalled`` error for the whole run). ``progress`` hears finished files and
    sentences (the command line draws its bars from them).
    """
    started = time.perf_counter()
    in_dir, out_dir = Path(in_dir), Path(out_dir)
    options = _checked(in_dir, out_dir, options, settings)
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_temp_files(out_dir)

    strategy: _Strategy = (_Aligning if options.align_with is not None else _Translating)(options, settings, translator)
    manifest_path = out_dir / MANIFEST_NAME
    manifest = Manifest.load(manifest_path)
    planned, refused = plan_files(in_dir, out_dir, options, manifest.names())
    key, model = _options_key(options, settings, translator)

    results: dict[str, FileResult] = {r.rel: r for r in refused}
    for result in refused:
        manifest.record(result, key=key)
    pending = []
    for file in planned:
        if not options.force and manifest.is_finished(file, key):
            results[file.rel] = FileResult(file.rel, SKIPPED, tuple(_rel(p, out_dir) for p in file.outputs))
        else:
            pending.append(file)
    log.info("%d file(s) to do, %d finished before, %d refused", len(pending), len(planned) - len(pending), len(refused))

    if pending:
        with strategy.opened():
            runner = _Runner(out_dir, options, strategy, manifest, key, model)
            for result in runner.run(pending, progress or BatchProgress()):
                results[result.rel] = result
    manifest.save()
    order = [f.rel for f in planned] + [r.rel for r in refused]
    return BatchSummary([results[rel] for rel in sorted(order)], time.perf_counter() - started, manifest_path, strategy.verb)


def _checked(in_dir: Path, out_dir: Path, options: BatchOptions, settings: Settings) -> BatchOptions:
    """``options`` with their formats cleaned and the memory decided; a run that cannot start is
    an error before anything is read or loaded."""
    from align.formats import FORMATS, UnknownFormat

    if not in_dir.is_dir():
        raise InputError(f"{in_dir}: input folder not found" if not in_dir.exists() else f"{in_dir}: is not a folder")
    formats = tuple(dict.fromkeys(f.strip().lower() for f in options.formats if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise UnknownFormat(f"--formats: unknown output format {unknown[0]!r}; use one of {', '.join(FORMATS)}")
    if not formats:
        raise AlignError("give at least one output format with --formats (csv, tsv, xlsx, tmx, jsonl)")
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: is a file, not a folder; give a folder for the outputs")
    if options.align_with is not None and not Path(options.align_with).is_dir():
        raise InputError(f"{options.align_with}: folder of translations not found")
    if options.cluster and options.align_with is not None:
        raise AlignError("--cluster translates on Ray workers; it does not apply to --align-with")
    if options.cluster:
        from align.cluster import import_ray

        import_ray()  # a missing Ray is one line before anything is read or loaded
    options = dataclasses.replace(options, formats=formats)
    if options.align_with is None:
        from align.tm import wants_memory

        options = dataclasses.replace(options, tm=wants_memory(settings, options.src_lang, options.tgt_lang, options.tm))
    return options


@contextmanager
def _decoding(options: BatchOptions, translator: Translator | None) -> Iterator[Translator | None]:
    """The translator itself, or with ``options.cluster`` one whose batches Ray workers decode."""
    if not options.cluster or translator is None:
        yield translator
        return
    from align.cluster import cluster_translator

    with cluster_translator(options.cluster, translator, options.cluster_workers) as remote:
        yield remote


def plan_files(
    in_dir: Path, out_dir: Path, options: BatchOptions, claims: Mapping[str, str] | None = None
) -> tuple[list[_Planned], list[FileResult]]:
    """The supported files under ``in_dir`` and their output paths; refused files as failed results.

    Hidden files and folders (names starting with '.') are ignored, symlinked folders are not
    followed, a symlinked file must resolve inside ``in_dir``, and OUT_DIR is skipped when it lies
    inside IN_DIR. Output names come from ``output_bases`` (``claims``: the names the manifest gave
    before, ``Manifest.names``).
    """
    from align.text.readers import SUPPORTED_TEXT_SUFFIXES

    root = in_dir.resolve()
    out_root = out_dir.resolve()
    found: list[tuple[str, Path]] = []
    refused: list[FileResult] = []
    for folder, dirs, files in os.walk(in_dir, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (here / d).resolve() != out_root)
        for name in sorted(files):
            path = here / name
            if name.startswith(".") or path.suffix.lower() not in SUPPORTED_TEXT_SUFFIXES:
                continue
            rel = path.relative_to(in_dir).as_posix()
            if not _inside(path.resolve(), root):
                refused.append(FileResult(rel, FAILED, error="a link to a file outside the input folder; refused"))
                continue
            found.append((rel, path))

    bases = output_bases([rel for rel, _ in found], claims or {})
    planned: list[_Planned] = []
    for rel, path in found:
        if rel not in bases:
            refused.append(FileResult(rel, FAILED, error="no output name left that differs from the others; rename the file"))
            continue
        outputs = tuple(out_dir / f"{bases[rel]}.{fmt}" for fmt in options.formats)
        bad = [p for p in outputs if not _inside(p.resolve(), out_root)]
        if bad:
            refused.append(FileResult(rel, FAILED, error=f"output {bad[0]} would lie outside the output folder; refused"))
            continue
        aligned = None
        if options.align_with is not None:
            aligned = _find_translation(Path(options.align_with), rel)
        planned.append(_Planned(rel, path, outputs, bases[rel], aligned))
    return planned, refused


# ---- output names --------------------------------------------------------------------------------


def output_bases(rels: Sequence[str], claims: Mapping[str, str]) -> dict[str, str]:
    """Each input's output path under OUT_DIR without its format suffix (``sub/x`` for ``sub/x.docx``).

    ``claims`` are the names earlier runs gave (input -> name, inputs gone since included): an input
    keeps its claim, and nobody else gets a claimed name, so a new sibling never takes over an output
    and reruns write the same files. The others get the first of their ``_candidates`` (``x``, then
    ``x.docx``, then ``x.docx~HASH``) that no other input or claim has: inputs whose names collide
    all take their next longer one (of those, only the ones with the shorter kind of name: ``x.md``
    keeps its whole name against the stem of ``x.md.txt``), so the result does not depend on the
    order of the files.
    Names compare ignoring case and Unicode normalisation (Windows and macOS disks). An input left
    without a name (only on a hash collision) is missing from the result.
    """
    wanted = set(rels)
    taken, chosen = _kept_claims(claims, wanted)
    names = {rel: _candidates(rel) for rel in wanted if rel not in chosen}
    level = _resolve_levels(names, taken)
    for rel in sorted(level):
        base = names[rel][level[rel]]
        if _name_key(base) not in taken:
            taken[_name_key(base)] = rel
            chosen[rel] = base
    return chosen


def _kept_claims(claims: Mapping[str, str], wanted: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The claimed names (key -> input) and the claims of the inputs there are now (input -> name).
    A claim that is not one of its input's ``_candidates`` (a stale or edited manifest) is dropped."""
    taken: dict[str, str] = {}
    kept: dict[str, str] = {}
    for rel, base in sorted(claims.items()):
        if base not in _candidates(rel) or _name_key(base) in taken:
            continue
        taken[_name_key(base)] = rel
        if rel in wanted:
            kept[rel] = base
    return taken, kept


def _resolve_levels(names: Mapping[str, tuple[str, ...]], taken: Mapping[str, str]) -> dict[str, int]:
    """Which of its candidate names each input takes: colliding inputs move on to their next one
    until no two share a name (or the longest ones still collide: a hash collision)."""
    level = dict.fromkeys(names, 0)
    moved = True
    while moved:
        holders: dict[str, list[str]] = defaultdict(list)
        for rel, n in level.items():
            holders[_name_key(names[rel][n])].append(rel)
        moved = False
        for key, members in holders.items():
            if len(members) > 1 or key in taken:
                lowest = min(level[rel] for rel in members)  # a whole name wins over another's stem
                for rel in members:
                    if level[rel] == lowest < len(names[rel]) - 1:
                        level[rel] += 1
                        moved = True
    return level


def _candidates(rel: str) -> tuple[str, str, str]:
    """The names ``rel`` may get, shortest first: its stem, its whole name, its whole name and a hash
    of its path; every folder and name made safe (``safe_name``)."""
    *folders, name = rel.split("/")
    prefix = "".join(safe_name(folder) + "/" for folder in folders)
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    return (
        prefix + safe_name(stem, keep_trailing=True),
        prefix + safe_name(name, keep_trailing=True),
        prefix + safe_name(f"{name}~{_short_hash(rel)}", keep_trailing=True),
    )


def _name_key(base: str) -> str:
    """What makes two names the same file on Windows and macOS: case and Unicode normalisation."""
    return unicodedata.normalize("NFC", base).casefold()


def safe_name(name: str, suffix: str = "", *, keep_trailing: bool = False) -> str:
    """``name`` + ``suffix`` as a file or folder name valid on Windows, Linux and macOS.

    Bytes that were not UTF-8 (``os.fsdecode``'s surrogates) are read as Latin-1, the usual legacy
    encoding of such names; characters Windows forbids (``<>:"/\\|?*``) and control characters
    become '_'; a name longer than ``NAME_LIMIT`` bytes is cut. A name changed in any of these ways,
    a device name Windows reserves (``CON``, ``aux.txt``, ``LPT1``) and a name ending in '.' or ' '
    get '~' and a hash of the original name, which keeps them apart from each other and from the
    names they resemble and is the same on every run; a reserved name also gets '_' before its
    first dot. ``suffix`` (``.csv``) is kept as it is.
    ``keep_trailing``: a suffix is added later, so a trailing dot or space is harmless.
    """
    cleaned = _UNSAFE_CHARS.sub("_", _latin1_for_undecodable(name))
    head, dot, rest = cleaned.partition(".")
    if is_windows_device(head):
        cleaned = f"{head}_{dot}{rest}"  # Windows reserves 'aux' before any extension: 'aux_.txt'
    changed = cleaned != name
    if not (suffix or keep_trailing) and cleaned.endswith((".", " ")):
        changed = True
    if len(cleaned.encode("utf-8")) > NAME_LIMIT:
        cleaned = _cut(cleaned, NAME_LIMIT - 1 - HASH_DIGITS)
        changed = True
    if changed:
        cleaned = f"{cleaned}~{_short_hash(name)}"
    return cleaned + suffix


def _latin1_for_undecodable(name: str) -> str:
    """A name with ``os.fsdecode``'s stand-ins (U+DC80..U+DCFF) for bytes that were not UTF-8, with
    those bytes read as Latin-1 (``caf\\udce9`` -> ``café``)."""
    return "".join(chr(ord(ch) - 0xDC00) if 0xDC80 <= ord(ch) <= 0xDCFF else ch for ch in name)


def _cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, at a character boundary."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def _short_hash(text: str) -> str:
    """A short hash of ``text`` (its original bytes where it holds undecodable ones)."""
    return hashlib.sha256(text.encode("utf-8", errors="surrogateescape")).hexdigest()[:HASH_DIGITS]


# ---- manifest ------------------------------------------------------------------------------------


@dataclass
class Manifest:
    """``{rel: entry}`` for finished and failed files, saved atomically as JSON after each file."""

    path: Path
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """The manifest at ``path``; empty when there is none, or when it cannot be read (logged)."""
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            files = data["files"] if data.get("version") == MANIFEST_VERSION else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            log.warning("%s: unreadable manifest (%s); every file will be redone", path, err)
            files = {}
        return cls(path, dict(files))

    def names(self) -> dict[str, str]:
        """The output name (``_Planned.name``) each input was given, for ``output_bases`` to keep."""
        names: dict[str, str] = {}
        for rel, entry in self.files.items():
            if not isinstance(entry, dict):
                continue
            name = entry.get("name")
            if not isinstance(name, str) or not name:
                name = _name_from_outputs(entry.get("outputs"))
            if name:
                names[rel] = name
        return names

    def is_finished(self, file: _Planned, key: str) -> bool:
        """Finished with the same options, the same input (and translation), all outputs present."""
        entry = self.files.get(file.rel)
        if not entry or entry.get("status") != DONE or entry.get("options_key") != key:
            return False
        out_dir = self.path.parent
        if sorted(entry.get("outputs", [])) != sorted(_rel(p, out_dir) for p in file.outputs):
            return False
        if not all(p.is_file() for p in file.outputs):
            return False
        try:
            if entry.get("input_sha256") != sha256_file(file.path):
                return False
            if file.aligned is not None and entry.get("aligned_sha256") != sha256_file(file.aligned):
                return False
        except OSError:
            return False
        return True

    def record(
        self,
        result: FileResult,
        *,
        key: str,
        input_sha256: str = "",
        aligned_sha256: str = "",
        model: str = "",
        name: str = "",
    ) -> None:
        """Add or replace the entry of ``result.rel`` and save. ``name`` (``_Planned.name``) stays with a
        failed file too, so its earlier outputs keep their name for it."""
        entry = {
            "status": result.status,
            "options_key": key,
            "input_sha256": input_sha256,
            "outputs": list(result.outputs),
            "sentences": result.sentences,
            "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        if name:
            entry["name"] = name
        if aligned_sha256:
            entry["aligned_sha256"] = aligned_sha256
        if model:
            entry["model"] = model
        if result.error:
            entry["error"] = result.error
        with self.lock:
            self.files[result.rel] = entry
            self._save_locked()

    def save(self) -> None:
        with self.lock:
            self._save_locked()

    def _save_locked(self) -> None:
        from align.formats import atomic_write_bytes

        data = {"version": MANIFEST_VERSION, "files": dict(sorted(self.files.items()))}
        text = json.dumps(data, ensure_ascii=False, indent=1)
        # a name that was not UTF-8 holds surrogates (os.fsdecode); as the JSON escape '\\udce9' the
        # file stays UTF-8 and json.loads gives the same name back. Bytes, so '\\n' on every system.
        atomic_write_bytes(self.path, text.encode("utf-8", errors="backslashreplace"))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# ---- the run -------------------------------------------------------------------------------------


class _Strategy(Protocol):
    """What a run does with its files: translate them (``_Translating``) or align them with their
    translations (``_Aligning``). The runner reads ahead, windows and writes behind for either."""

    verb: str  # the summary's word for it ("translate", "align")

    def opened(self) -> AbstractContextManager[object]:
        """The run's resources (models, memory), loaded on entry and released on exit."""
        ...

    def load(self, loaded: _Loaded, text: str) -> None:
        """Fill ``loaded`` from its input's text (in a reader thread); AlignError for a bad file."""
        ...

    def window_full(self, window: Sequence[_Loaded]) -> bool:
        """Whether ``window`` is enough for one ``documents`` call."""
        ...

    def documents(self, window: Sequence[_Loaded], progress: Progress) -> list[AlignedDocument | str]:
        """The document for each file of ``window`` (or its error), ``progress`` hearing their counts."""
        ...


class _Translating:
    """Segment each file; translate a window of files in ONE ``translate_segmented`` call."""

    verb = "translate"

    def __init__(self, options: BatchOptions, settings: Settings, translator: Translator | None) -> None:
        self.options = options
        self.settings = settings
        self.translator = translator
        self.decoder: Translator | None = None  # the translator, or one that decodes on Ray workers
        self.embedder: Embedder | None = None
        self.memory: TranslationMemory | None = None

    @contextmanager
    def opened(self) -> Iterator[None]:
        """The translator (loaded here when not given: a missing package fails the whole run
        before any file is read), decoding on Ray with ``cluster``; the memory closed on exit."""
        if self.translator is None:
            from align.mt.translate import load_translator

            self.translator = load_translator(self.options.src_lang, self.options.tgt_lang, self.settings, self.options.translate)
        try:
            with _decoding(self.options, self.translator) as self.decoder:
                yield
        finally:
            if self.memory is not None:
                self.memory.close()

    def load(self, loaded: _Loaded, text: str) -> None:
        from align.text.segment import segment

        loaded.sentences = segment(text, self.options.src_lang)
        loaded.count = len(loaded.sentences)

    def window_full(self, window: Sequence[_Loaded]) -> bool:
        """A window holds ``window_sentences`` sentences and about ``WINDOW_BATCHES`` full batches.

        A window's last batch is part-filled, so a window of only one or two batches wastes a good
        share of the translator's time; source tokens are estimated as characters / 4.
        """
        from align.mt.translate import TranslateOptions

        batch_tokens = (self.options.translate or TranslateOptions()).max_batch_tokens
        sentences = sum(w.count for w in window)
        chars = sum(len(s.text) for w in window for s in w.sentences)
        return sentences >= self.options.window_sentences and chars / 4 >= WINDOW_BATCHES * batch_tokens

    def documents(self, window: Sequence[_Loaded], progress: Progress) -> list[AlignedDocument | str]:
        """One translate call for the whole window; its error is every file's."""
        from align.pipeline import TranslateRequest, translate_segmented

        try:
            if self.decoder is None:
                raise AssertionError("documents() outside opened()")
            request = TranslateRequest(
                src_lang=self.options.src_lang,
                tgt_lang=self.options.tgt_lang,
                names=[w.file.rel for w in window],
                progress=progress,
                estimate=self.options.estimate,
                embedder=self._embedder() if self.options.estimate else None,
                glossary=self.options.glossary,
                tm=self._memory(),
            )
            return list(translate_segmented([w.sentences for w in window], self.decoder, request))
        except AlignError as err:
            return [str(err)] * len(window)
        except Exception as err:
            log.exception("translation of %d file(s) failed", len(window))
            return [f"unexpected error while translating: {type(err).__name__}: {_one_line(err)}"] * len(window)

    def _embedder(self) -> Embedder:
        """One embedder for the run, its vectors cached in the data folder."""
        if self.embedder is None:
            from align.embed import Embedder

            self.embedder = Embedder(self.settings.cache_dir)
        return self.embedder

    def _memory(self) -> TranslationMemory | None:
        """The data folder's memory when the run uses it (``BatchOptions.tm``, resolved by run_batch)."""
        if self.options.tm and self.memory is None:
            from align.tm import open_tm

            self.memory = open_tm(self.settings)
        return self.memory


class _Aligning:
    """Align each file with its translation as it is read; a window is one file."""

    verb = "align"

    def __init__(self, options: BatchOptions, settings: Settings, translator: Translator | None) -> None:
        self.options = options
        self.settings = settings
        self.translator = translator
        self.embedder: Embedder | None = None
        self.lock = threading.Lock()  # one alignment at a time

    @contextmanager
    def opened(self) -> Iterator[None]:
        yield  # models load with the first file: a run of only bad files loads none

    def load(self, loaded: _Loaded, text: str) -> None:
        from align.text.readers import read_text

        file = loaded.file
        if file.aligned is None:
            raise InputError(f"{file.path}: no translation with the same name under {self.options.align_with}")
        loaded.aligned_sha256 = sha256_file(file.aligned)
        loaded.doc = self._align(text, read_text(file.aligned), file.rel)
        loaded.count = len(loaded.doc.pairs)

    def window_full(self, window: Sequence[_Loaded]) -> bool:
        return bool(window)  # aligned documents are ready; nothing to share

    def documents(self, window: Sequence[_Loaded], progress: Progress) -> list[AlignedDocument | str]:
        count = sum(w.count for w in window)
        progress(count, count)
        return [w.doc if w.doc is not None else f"{w.file.rel}: not aligned" for w in window]

    def _align(self, src_text: str, tgt_text: str, name: str) -> AlignedDocument:
        """Align one pair of texts: one embedder (with its cache) for the run, the installed
        translation package as an extra signal when there is one."""
        from align.pipeline import align_texts

        with self.lock:
            if self.embedder is None:
                self._load_models()
            return align_texts(
                src_text,
                tgt_text,
                src_lang=self.options.src_lang,
                tgt_lang=self.options.tgt_lang,
                embedder=self.embedder,
                translator=self.translator,
                name=name,
            )

    def _load_models(self) -> None:
        """The embedder, and the pair's translation package when one is installed."""
        from align.embed import Embedder

        self.embedder = Embedder(self.settings.cache_dir)
        if self.translator is None and _package_or_none(self.options, self.settings) is not None:
            from align.mt.translate import load_translator

            self.translator = load_translator(self.options.src_lang, self.options.tgt_lang, self.settings, self.options.translate)


class _Runner:
    """Reads ahead in a thread pool, hands windows of files to the strategy, writes behind."""

    def __init__(
        self,
        out_dir: Path,
        options: BatchOptions,
        strategy: _Strategy,
        manifest: Manifest,
        key: str,
        model: str,
    ) -> None:
        self.out_dir = out_dir
        self.options = options
        self.strategy = strategy
        self.manifest = manifest
        self.key = key
        self.model = model
        self.results: list[FileResult] = []
        self.results_lock = threading.Lock()
        self.files = Tally(None)
        self.sentences = Tally(None)

    def run(self, planned: Sequence[_Planned], progress: BatchProgress) -> list[FileResult]:
        workers = max(1, self.options.workers)
        self.files = Tally(progress.files, len(planned))
        self.sentences = Tally(progress.sentences)
        reader = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="batch-read")
        writer = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="batch-write")
        writes: list[Future] = []
        try:
            for window in self._windows(planned, reader, ahead=max(4, 2 * workers)):
                docs = self.strategy.documents(window, self.sentences.part())
                for loaded, doc in zip(window, docs, strict=True):
                    if isinstance(doc, str):
                        self._finish(FileResult(loaded.file.rel, FAILED, error=doc), loaded)
                    else:
                        writes.append(writer.submit(self._write, loaded, doc))
                writes = [w for w in writes if not w.done()]
            for w in writes:
                w.result()
        finally:
            reader.shutdown(wait=True, cancel_futures=True)
            writer.shutdown(wait=True)
        return self.results

    def _windows(self, planned: Sequence[_Planned], reader: ThreadPoolExecutor, ahead: int) -> Iterator[list[_Loaded]]:
        """Windows of read files, in order, ``ahead`` files read in advance (and the next window
        while one is translated); files that could not be read are finished as failed."""
        queue: deque[Future] = deque()
        upcoming = iter(planned)

        def top_up(count: int) -> None:
            while len(queue) < count:
                file = next(upcoming, None)
                if file is None:
                    return
                queue.append(reader.submit(self._load, file))

        top_up(ahead)
        while queue:
            window: list[_Loaded] = []
            while queue and (not window or not self.strategy.window_full(window)):
                loaded: _Loaded = queue.popleft().result()
                top_up(max(ahead, len(window) + 1))
                if loaded.error:
                    self._finish(FileResult(loaded.file.rel, FAILED, error=loaded.error), loaded)
                    continue
                window.append(loaded)
                self.sentences.grow(loaded.count)
            top_up(max(ahead, len(window)))  # read the next window while this one is translated
            if window:
                yield window

    # -- steps ------------------------------------------------------------------------------------
    def _load(self, file: _Planned) -> _Loaded:
        from align.text.readers import read_text

        loaded = _Loaded(file)
        try:
            loaded.input_sha256 = sha256_file(file.path)
            self.strategy.load(loaded, read_text(file.path))
        except AlignError as err:
            loaded.error = str(err)
        except Exception as err:  # a bug or a library failure on one file must not stop the run
            log.exception("unexpected error on %s", printable(str(file.path)))
            loaded.error = f"unexpected error: {type(err).__name__}: {_one_line(err)}"
        return loaded

    def _write(self, loaded: _Loaded, doc: AlignedDocument) -> None:
        from align.formats import write_document

        file = loaded.file
        try:
            for path, fmt in zip(file.outputs, self.options.formats, strict=True):
                write_document(doc, path, fmt, neutralise_formulas=self.options.neutralise_formulas)
            result = FileResult(file.rel, DONE, tuple(_rel(p, self.out_dir) for p in file.outputs), len(doc.pairs))
        except (AlignError, OSError) as err:
            result = FileResult(file.rel, FAILED, error=f"cannot write the output: {_one_line(err)}")
        except Exception as err:  # one file's failure must not stop the run
            log.exception("unexpected error writing %s", printable(file.rel))
            result = FileResult(file.rel, FAILED, error=f"unexpected error while writing: {type(err).__name__}: {_one_line(err)}")
        self._finish(result, loaded)

    def _finish(self, result: FileResult, loaded: _Loaded) -> None:
        self.manifest.record(
            result,
            key=self.key,
            input_sha256=loaded.input_sha256,
            aligned_sha256=loaded.aligned_sha256,
            model=self.model,
            name=loaded.file.name,
        )
        with self.results_lock:
            self.results.append(result)
        self.files.add(1)
        if result.status == FAILED:
            log.warning("%s: %s", printable(result.rel), printable(result.error))


# ---- helpers -------------------------------------------------------------------------------------


def _name_from_outputs(outputs: object) -> str:
    """The output name of a manifest entry that lists only its outputs (written before names were
    recorded): its first output less the format suffix; '' when there is none."""
    from align.formats import FORMATS

    if not isinstance(outputs, list) or not outputs or not isinstance(outputs[0], str):
        return ""
    base, dot, suffix = outputs[0].rpartition(".")
    return base if dot and suffix in FORMATS else ""


def _one_line(err: BaseException) -> str:
    """The first line of an error's message: a library's multi-line report (a Ray error with its
    remote traceback) must not repeat under every file of the summary."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return lines[0] if lines else type(err).__name__


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _find_translation(tgt_dir: Path, rel: str) -> Path | None:
    """The same relative path under ``tgt_dir`` with any supported extension, same extension first."""
    from align.text.readers import SUPPORTED_TEXT_SUFFIXES

    source = Path(rel)
    folder = tgt_dir / source.parent
    same = folder / source.name
    if same.is_file() and _inside(same.resolve(), tgt_dir.resolve()):
        return same
    for suffix in sorted(SUPPORTED_TEXT_SUFFIXES):
        candidate = folder / (source.stem + suffix)
        if candidate.is_file() and _inside(candidate.resolve(), tgt_dir.resolve()):
            return candidate
    return None


def _options_key(options: BatchOptions, settings: Settings, translator: Translator | None) -> tuple[str, str]:
    """A hash of what shapes the outputs: languages, formats, mode, decoding settings and the model.

    Threads and batch size only change speed and are left out.
    """
    from align import __version__

    described: dict[str, Any] = {
        "tool": __version__,
        "src": options.src_lang,
        "tgt": options.tgt_lang,
        "formats": sorted(options.formats),
        "neutralise_formulas": options.neutralise_formulas,
        "mode": "align" if options.align_with is not None else "translate",
        "estimate": options.estimate and options.align_with is None,
    }
    if options.tm and options.align_with is None:
        described["tm"] = True  # memory matches replace machine output (keys of runs without stay as they were)
    model = ""
    from align.mt.translate import TranslateOptions

    decoding = dataclasses.asdict(options.translate or TranslateOptions())
    for speed_only in ("threads", "max_batch_tokens"):
        decoding.pop(speed_only, None)
    described["decoding"] = decoding  # aligning uses the translation as a signal when a package is installed
    if options.glossary and options.align_with is None:
        described["glossary"] = options.glossary.fingerprint()  # another glossary may choose other translations
    else:
        decoding.pop("glossary_hypotheses", None)  # keys of runs without a glossary stay as they were
    package = translator.package if translator is not None else _package_or_none(options, settings)
    if package is not None:
        model_file = package.model_dir / "model.bin"
        stat = model_file.stat() if model_file.exists() else None
        model = f"{package.name} {package.version}"
        described["model"] = [package.name, package.version, stat.st_size if stat else 0, int(stat.st_mtime) if stat else 0]
    blob = json.dumps(described, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16], model


def _package_or_none(options: BatchOptions, settings: Settings):
    from align.errors import ModelNotInstalled
    from align.mt.packages import find_package

    try:
        return find_package(
            options.src_lang, options.tgt_lang, settings, model=(options.translate.model if options.translate else "") or None
        )
    except ModelNotInstalled:
        return None  # reported per file when a translation is attempted


def _remove_stale_temp_files(out_dir: Path) -> None:
    """Temporary files an interrupted atomic write left behind (``.NAME.XXXX.tmp``)."""
    for folder, _dirs, files in os.walk(out_dir):
        for name in files:
            if name.startswith(".") and name.endswith(".tmp"):
                try:
                    os.unlink(os.path.join(folder, name))
                except OSError:
                    pass
