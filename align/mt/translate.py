"""Sentences -> translations with an Argos package, batched over CTranslate2 + SentencePiece.

Speed comes from batching: all sentences of a call are tokenised, sorted by length and sent to
CTranslate2 in large token-counted batches, so padding is small and the matrix products are big.
One ``translate_batch`` call per sentence is several times slower (devtools/RESULTS.md,
"Translation speed"; ``python -m devtools bench translate``).

Nothing is ever cut short. CTranslate2 truncates input at ``max_input_length`` (1024 tokens) and
output at ``max_decoding_length`` (256): we switch the input limit off, split sentences longer than
``max_piece_tokens`` into pieces at clause boundaries (translated separately and joined again),
and give each batch a decoding limit proportional to its longest input.

No call gets more positions than the model has (CTranslate2 would fail the whole batch: "No
position encodings are defined for positions >= 512"). The limits come from the model file
(``Positions``); a piece is never longer than the encoder reads, nor so long that its decoding
limit passes the decoder's positions, whatever ``max_piece_tokens`` says; no decoding limit
passes them; and a call with a longer input is refused with an ``InputError``.

With a glossary (``align.glossary``) the pieces whose source contains glossary terms are decoded
apart, asking CTranslate2 for its ``glossary_hypotheses`` best translations (beam at least as
wide), and the one that follows the glossary best is kept (``align.glossary.select``: most target
terms used and do-not-translate terms kept verbatim, fewest forbidden terms, then the model's
score). Pieces without glossary terms are decoded exactly as without a glossary, at the same speed.

Do-not-translate terms are only ever *preferred*, never forced: a hypothesis that keeps the term
verbatim wins over one that does not, and when none of the n best keeps it the model's best stands
and the row's glossary check reports it. The usual alternative, replacing the term by a placeholder
before translating and putting it back afterwards, is fragile with SentencePiece models trained
without placeholders: the model sees pieces it never learnt ("▁X", "X", "1"), may drop, repeat,
translate or inflect them, and a lost placeholder loses the term silently. Choosing among the
model's own translations cannot break a sentence that was fine.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
import struct
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal, Self, overload

from align.errors import AlignError, InputError, ModelNotInstalled, PackageError
from align.mt import langcodes
from align.mt.packages import InstalledPackage, find_package
from align.progress import Progress
from align.settings import Settings

if TYPE_CHECKING:
    from align.glossary import Glossary, Hit
    from align.glossary.terms import GlossaryIndex

log = logging.getLogger(__name__)

# Languages written without spaces between words: translated pieces are joined without one.
_NO_SPACE_LANGS = {"zh", "ja", "th", "lo", "km", "my", "bo"}

# Cut points for over-long sentences, strongest first. Each regex matches the text a piece may
# end with; the next piece starts right after the match, so the pieces partition the sentence.
_CUT_LEVELS = (
    re.compile(r"[.!?…;:]+[\"'”“»«)\]]*\s+|\n\s*"),
    re.compile(r"(?:,|\s[–—-])\s+"),
    re.compile(
        r"\s+(?=(?:und|oder|aber|sondern|denn|weil|dass|daß|wenn|als|ob|sowie|während|obwohl|damit|"
        r"nachdem|bevor|sodass|and|or|but|because|that|which|while|when|whereas|although)\b)",
        re.IGNORECASE,
    ),
    re.compile(r"\s+"),
)


@dataclass(frozen=True)
class TranslateOptions:
    """Decoding and batching settings; stored in every translated document's signature.

    ``max_decoding_length`` of a batch is ``decoding_ratio * longest input + decoding_margin``
    tokens. ``pin_output_length`` is for the speed benchmark only: random-weight models stop at
    random points, so it batches only inputs of equal length and forces every output to exactly
    the input's length (``min_decoding_length == max_decoding_length``).
    """

    beam_size: int = 2
    threads: int = 0
    compute_type: str = "int8"
    max_batch_tokens: int = 4096
    repetition_penalty: float = 1.1
    no_repeat_ngram_size: int = 4
    max_piece_tokens: int = 200
    decoding_ratio: float = 2.0
    decoding_margin: int = 10
    pin_output_length: bool = False  # benchmark only: same-length batches, output = input length
    glossary_hypotheses: int = 4  # n-best list a glossary chooses from (the beam widens to at least this)
    replace_unknowns: bool = True  # an output <unk> becomes the source token it attends to most
    model: str = ""  # the installed package to use, by name ('' = find_package's choice)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# ---- the model's positions -------------------------------------------------------------------------
#: Used when model.bin cannot be read: the fewest positions of the packages we know (Argos, OPUS-MT).
FALLBACK_POSITIONS = 512
_POSITION_TABLES = ("encoder/position_encodings/encodings", "decoder/position_encodings/encodings")


@dataclass(frozen=True)
class Positions:
    """How many positions the model's encoder (``source``) and decoder (``target``) have; None
    where it has no limit (sinusoidal encodings, which CTranslate2 makes for any length).

    CTranslate2 refuses a call that needs more ("No position encodings are defined for
    positions >= 512"): a source may have ``source`` tokens (its prefix and suffix tokens
    included), a decoding ``max_decoding_length`` up to ``target`` (the target prefix included),
    and a scored target ``target - 1`` tokens (the decoder's start token takes a position).
    """

    source: int | None
    target: int | None


def read_positions(model_file: Path) -> Positions:
    """The position tables' sizes in a CTranslate2 model.bin, read from its header (a few hundred
    seeks, no weights loaded): CTranslate2's API does not say them. Unreadable: FALLBACK_POSITIONS."""
    try:
        with open(model_file, "rb") as handle:
            shapes, aliases = _model_bin_shapes(handle)
    except (OSError, struct.error, UnicodeDecodeError, ValueError) as err:
        log.warning("%s: cannot read its position limits (%s): assuming %d", model_file, err, FALLBACK_POSITIONS)
        return Positions(FALLBACK_POSITIONS, FALLBACK_POSITIONS)

    def rows(name: str) -> int | None:
        shape = shapes.get(aliases.get(name, name))
        return shape[0] if shape else None

    return Positions(*(rows(name) for name in _POSITION_TABLES))


def _model_bin_shapes(handle: BinaryIO) -> tuple[dict[str, tuple[int, ...]], dict[str, str]]:
    """Every variable's shape and every alias of a model.bin (CTranslate2's models/model.cc reads
    the same layout: binary version, spec, variables with their bytes, then aliases)."""

    def number(fmt: str) -> int:
        size = struct.calcsize(fmt)
        data = handle.read(size)
        if len(data) != size:
            raise ValueError("the file ends early")
        return int(struct.unpack(fmt, data)[0])

    def string() -> str:
        return handle.read(number("<H")).rstrip(b"\0").decode("utf-8")

    version = number("<I")
    if version >= 2:
        string(), number("<I")  # spec name and revision
    shapes: dict[str, tuple[int, ...]] = {}
    for _ in range(number("<I")):
        name = string()
        shape = tuple(number("<I") for _ in range(number("<B")))
        if version >= 4:
            number("<B")  # dtype
            size = number("<I")
        else:
            item_size = number("<B")
            size = number("<I") * item_size
        handle.seek(size, 1)
        shapes[name] = shape
    aliases = {string(): string() for _ in range(number("<I"))} if version >= 3 else {}
    return shapes, aliases


# ---- splitting over-long sentences -----------------------------------------------------------------
def split_long(text: str, count: Callable[[str], int], limit: int) -> list[str]:
    """Partition ``text`` into non-empty pieces of at most ``limit`` tokens (``"".join(result) == text``).

    Cuts at the strongest boundary available: sentence punctuation, ``;`` and ``:``, then commas
    and dashes, then before conjunctions, then at whitespace, and only as a last resort inside a
    word. Neighbouring segments are packed greedily so that pieces are as long as allowed.
    """
    return _split(text, count, max(1, limit), 0) if text else []


def _split(text: str, count: Callable[[str], int], limit: int, level: int) -> list[str]:
    if count(text) <= limit:
        return [text]
    if level == len(_CUT_LEVELS):
        return _split_chars(text, count, limit)
    cuts = [m.end() for m in _CUT_LEVELS[level].finditer(text) if 0 < m.end() < len(text)]
    if not cuts:
        return _split(text, count, limit, level + 1)
    segments = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    pieces: list[str] = []
    current = ""
    for segment in segments:
        if current and count(current + segment) <= limit:
            current += segment
            continue
        if current:
            pieces.append(current)
        if count(segment) <= limit:
            current = segment
        else:
            pieces.extend(_split(segment, count, limit, level + 1))
            current = ""
    if current:
        pieces.append(current)
    return pieces


def _split_chars(text: str, count: Callable[[str], int], limit: int) -> list[str]:
    """Cut a text without usable boundaries into the longest prefixes that fit (binary search)."""
    pieces = []
    while text:
        lo, hi = 1, len(text)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if count(text[:mid]) <= limit:
                lo = mid
            else:
                hi = mid - 1
        pieces.append(text[:lo])
        text = text[lo:]
    return pieces


# ---- batching ----------------------------------------------------------------------------------------
def plan_batches(lengths: Sequence[int], max_batch_tokens: int, *, same_length: bool = False) -> list[list[int]]:
    """Indices sorted by length, grouped so that ``len(group) * longest <= max_batch_tokens``.

    Counting padded tokens keeps every batch within the budget CTranslate2 would use, and the
    sort keeps padding (and decoding steps wasted on finished sentences) small. ``same_length``
    also starts a new batch wherever the length changes (for pinned output lengths).
    """
    batches: list[list[int]] = []
    current: list[int] = []
    for index in sorted(range(len(lengths)), key=lambda i: lengths[i]):
        full = (len(current) + 1) * max(lengths[index], 1) > max_batch_tokens
        if current and (full or (same_length and lengths[current[-1]] != lengths[index])):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


# ---- glossary ------------------------------------------------------------------------------------------
def _glossary_hits(text: str, terms: GlossaryIndex | None) -> tuple[Hit, ...]:
    """The glossary entries a piece's source contains (none without a glossary)."""
    return terms.hits(text) if terms is not None else ()


# ---- the translator ------------------------------------------------------------------------------------
@overload
def load_translator(
    src_lang: str, tgt_lang: str, settings: Settings, options: TranslateOptions | None = None, *, required: Literal[True] = True
) -> Translator: ...
@overload
def load_translator(
    src_lang: str, tgt_lang: str, settings: Settings, options: TranslateOptions | None = None, *, required: bool
) -> Translator | None: ...
def load_translator(
    src_lang: str, tgt_lang: str, settings: Settings, options: TranslateOptions | None = None, *, required: bool = True
) -> Translator | None:
    """The installed package for the pair, loaded. Without one: ``ModelNotInstalled`` (its message
    says how to get one), or None with an info log when ``required`` is False (the MT signal of
    an alignment is optional)."""
    try:
        package = find_package(src_lang, tgt_lang, settings, model=(options.model if options else "") or None)
    except ModelNotInstalled:
        if required:
            raise
        log.info("no %s->%s package installed: going on without machine translation", src_lang, tgt_lang)
        return None
    return Translator.load(package, options)


@dataclass
class TranslateStats:
    """Counts of one ``translate`` call, filled in when the caller passes one (benchmarks, tests)."""

    sentences: int = 0
    pieces: int = 0
    batches: int = 0
    input_tokens: int = 0
    output_tokens: int = 0


class Translator:
    """A loaded package: the CTranslate2 model and its SentencePiece model(s), loaded once.

    Argos packages have one SentencePiece model for both sides; imported Marian (OPUS-MT)
    packages encode the source with one and decode the target with another (``sp_target``).
    """

    def __init__(self, package: InstalledPackage, options: TranslateOptions, model: Any, sp: Any, sp_target: Any = None) -> None:
        self.package = package
        self.options = options
        self._model = model
        self._sp = sp
        self._sp_target = sp_target if sp_target is not None else sp

    @classmethod
    def load(cls, package: InstalledPackage, options: TranslateOptions | None = None) -> Translator:
        """Load the package's models; PackageError names the package if they cannot be read."""
        import ctranslate2
        import sentencepiece

        options = options or TranslateOptions()
        loaded: dict[Any, Any] = {}
        for path in (package.source_sentencepiece_path, package.target_sentencepiece_path):
            if path in loaded:
                continue
            try:
                loaded[path] = sentencepiece.SentencePieceProcessor(model_file=str(path))
            except (OSError, RuntimeError) as err:
                raise PackageError(f"{path}: cannot load the SentencePiece model ({err})") from None
        sp, sp_target = loaded[package.source_sentencepiece_path], loaded[package.target_sentencepiece_path]
        try:
            model = ctranslate2.Translator(
                str(package.model_dir),
                device="cpu",
                compute_type=options.compute_type,
                inter_threads=1,
                intra_threads=options.threads,
            )
        except ValueError as err:
            raise AlignError(f"cannot use compute type {options.compute_type!r} on this CPU ({err})") from None
        except (RuntimeError, IndexError, KeyError, OSError) as err:  # a damaged model.bin: IndexError, KeyError
            raise PackageError(
                f"{package.model_dir}: cannot load the CTranslate2 model ({type(err).__name__}: {err}); install the package again"
            ) from None
        log.info("loaded %s from %s (compute type %s)", package.name, package.path, model.compute_type)
        return cls(package, options, model, sp, sp_target)

    @classmethod
    def sharing(cls, other: Translator) -> Self:
        """A translator of this class on ``other``'s loaded models, package and options (nothing is
        loaded again): for a subclass that only changes where batches are decoded
        (``align.cluster.RemoteTranslator``)."""
        return cls(other.package, other.options, other._model, other._sp, other._sp_target)

    # -- public ---------------------------------------------------------------------------------------
    def translate(
        self,
        sentences: Sequence[str],
        progress: Progress | None = None,
        stats: TranslateStats | None = None,
        *,
        glossary: Glossary | None = None,
    ) -> list[str]:
        """Translate ``sentences``; the result has the same length and order.

        Empty or blank sentences come back as '' without a model call. All other sentences share
        length-sorted batches; ``progress(done, total)`` hears the sentences finished after each
        batch. ``stats``, when given, receives the call's counts (the translator keeps no state
        between calls: the page's tasks share one). With a ``glossary``, pieces containing its
        source terms get the n-best translation that follows it best (module docstring).
        """
        stats = stats if stats is not None else TranslateStats()
        terms = glossary.index(self.package.from_code, self.package.to_code) if glossary else None
        pieces: list[list[str]] = []  # token lists
        hits: list[tuple[Hit, ...]] = []  # the glossary entries each piece's source contains
        owner: list[int] = []
        remaining = [0] * len(sentences)
        for i, sentence in enumerate(sentences):
            if not sentence.strip():
                continue
            for text, tokens in self._pieces(i, sentence):
                if tokens:  # text SentencePiece drops entirely (e.g. control characters) needs no call
                    pieces.append(tokens)
                    hits.append(_glossary_hits(text, terms))
                    owner.append(i)
                    remaining[i] += 1
        done = sum(1 for count in remaining if count == 0)
        if progress is not None and done:
            progress(done, len(sentences))

        outputs: list[str] = [""] * len(pieces)
        lengths = [len(p) for p in pieces]
        batches = self._plan(lengths, [bool(h) for h in hits])
        stats.sentences, stats.pieces, stats.batches = len(sentences), len(pieces), len(batches)
        stats.input_tokens, stats.output_tokens = sum(lengths), 0
        log.info("translating %s%s", stats, f" with a glossary of {len(glossary)} entries" if glossary else "")
        work = [([pieces[k] for k in batch], [hits[k] for k in batch] if n_best else None) for batch, n_best in batches]
        for (batch, _), texts in zip(batches, self._run_batches(work, stats, terms, glossary), strict=True):
            finished = 0
            for index, text in zip(batch, texts, strict=True):
                outputs[index] = text
                remaining[owner[index]] -= 1
                finished += remaining[owner[index]] == 0
            done += finished
            if progress is not None and finished:
                progress(done, len(sentences))

        joined: list[list[str]] = [[] for _ in sentences]
        for index, text in zip(owner, outputs, strict=True):
            joined[index].append(text)
        glue = "" if self.package.to_code in _NO_SPACE_LANGS else " "
        return [glue.join(t for t in parts if t) for parts in joined]

    def n_best(self, sentences: Sequence[str], num_hypotheses: int | None = None) -> list[list[tuple[str, float]]]:
        """Each sentence's ``num_hypotheses`` best translations (default ``glossary_hypotheses``)
        with their length-normalised log probabilities, best first: the list a glossary chooses
        from, decoded the same way (each sentence whole, not split; blank ones get [])."""
        n = max(1, num_hypotheses or self._glossary_hypotheses())
        wanted = [i for i, s in enumerate(sentences) if s.strip()]
        tokens = [self.tokenize(sentences[i].strip()) for i in wanted]
        found: list[list[tuple[str, float]]] = [[] for _ in sentences]
        for batch in plan_batches([len(t) for t in tokens], self.options.max_batch_tokens):
            batch = [k for k in batch if tokens[k]]
            if not batch:
                continue
            for k, result in zip(batch, self._decode([tokens[k] for k in batch], n, scores=True), strict=True):
                found[wanted[k]] = [
                    (self.detokenize(h), float(sc)) for h, sc in zip(result.hypotheses, result.scores, strict=True)
                ]
        return found

    def describe(self) -> dict[str, Any]:
        """What produced a translation: package, options, library versions (for a Signature)."""
        import ctranslate2
        import sentencepiece

        return {
            "package": self.package.name,
            "version": self.package.version,
            "source_model": self.package.metadata.get("source_model") or self.package.name,
            "from_code": self.package.from_code,
            "to_code": self.package.to_code,
            "options": self.options.as_dict(),
            "compute_type": self._model.compute_type,
            "ctranslate2": ctranslate2.__version__,
            "sentencepiece": sentencepiece.__version__,
        }

    @property
    def model(self) -> Any:
        """The loaded ``ctranslate2.Translator`` (for benchmarks that call it directly)."""
        return self._model

    @functools.cached_property
    def positions(self) -> Positions:
        """The model's position limits (read once from its model.bin)."""
        return read_positions(self.package.model_dir / "model.bin")

    def piece_limit(self) -> int:
        """The most source tokens (prefix and suffix tokens included) of one piece: the option
        ``max_piece_tokens``, lowered to what the model can read and decode in full."""
        return max(1, min(self.options.max_piece_tokens, self._fit_limit()))

    def _fit_limit(self) -> int:
        """The longest input the model reads whole and decodes without its decoding limit
        (``decoding_ratio * length + decoding_margin``) passing the decoder's positions."""
        o, limits = self.options, []
        if self.positions.source is not None:
            limits.append(self.positions.source)
        if self.positions.target is not None:
            target = self.positions.target
            limits.append(target if o.pin_output_length else int((target - o.decoding_margin) / max(o.decoding_ratio, 1e-9)))
        return max(1, min(limits)) if limits else 1 << 30

    def tokenize(self, text: str) -> list[str]:
        """The source tokens of ``text``, as the model reads them (see ``tokenize_source``)."""
        return self.tokenize_source(text)

    def tokenize_source(self, text: str) -> list[str]:
        """Source SentencePiece pieces of ``text`` with the tokens the model's own tokenizer adds
        around them (an imported package's language token and ``</s>``); [] when SentencePiece
        keeps nothing of the text."""
        pieces = self._sp.encode(text, out_type=str)
        if not pieces:
            return []
        prefix, suffix = self.package.source_prefix, self.package.source_suffix
        return ([prefix] if prefix else []) + pieces + ([suffix] if suffix else [])

    def tokenize_target(self, text: str) -> list[str]:
        """Target SentencePiece pieces of ``text`` (no prefix token: ``target_prefix`` is apart)."""
        return self._sp_target.encode(text, out_type=str)

    # tokens that are never text (transformers' special tokens), dropped wherever the model puts them
    _CONTROL_TOKENS = frozenset({"<s>", "</s>", "<pad>", "<mask>"})

    def detokenize(self, tokens: Sequence[str]) -> str:
        """Text of output pieces without special tokens, as transformers' ``decode(skip_special_tokens=True)``:
        language tokens (a model may repeat its target prefix: ``__en__ __en__ De the``), ``<s>``,
        ``</s>``, ``<pad>`` and ``<mask>``, wherever they are. ``<unk>`` stays as SentencePiece writes it (⁇):
        a lost word must show in the text a translator reviews. A piece the target SentencePiece
        model does not know (Marian's joint vocabulary holds the source side's too) keeps its word
        marker, which becomes a space, as in transformers' Marian tokenizer."""
        text = self._sp_target.decode_pieces([t for t in tokens if not self._is_special(t)])
        return text.replace("\u2581", " ").strip()

    def _is_special(self, token: str) -> bool:
        """A control token, the package's own language tokens, or another language token that the
        target SentencePiece model does not know (multilingual models add them to its vocabulary)."""
        if token in self._CONTROL_TOKENS or token in (self.package.target_prefix, self.package.source_prefix):
            return True
        looks_like_language = any(langcodes.language_tokens([token], family) for family in ("m2m100", "nllb"))
        return looks_like_language and self._sp_target.piece_to_id(token) == self._sp_target.unk_id()

    def decode_tokens(self, batch: list[list[str]]) -> list[list[str]]:
        """The best output tokens of each pre-tokenised input (``tokenize_source``), the target
        prefix removed: one ``translate_batch`` call with this translator's options (for
        benchmarks and conformance tests that compare tokens, not text)."""
        prefix = self.package.target_prefix
        found = []
        for result in self._decode(batch):
            tokens = list(result.hypotheses[0])
            found.append(tokens[1:] if prefix and tokens[:1] == [prefix] else tokens)
        return found

    def decode_options(self, longest_input: int) -> dict[str, Any]:
        """The ``translate_batch`` keyword arguments for a batch whose longest input is given."""
        o = self.options
        max_len = int(o.decoding_ratio * longest_input) + o.decoding_margin
        min_len = 1
        if o.pin_output_length:
            max_len = min_len = max(1, longest_input)
        if self.positions.target is not None:  # a longer decoding fails at the decoder's last position
            max_len = min(max_len, self.positions.target)
            min_len = min(min_len, max_len)
        return {
            "beam_size": o.beam_size,
            "repetition_penalty": o.repetition_penalty,
            "no_repeat_ngram_size": o.no_repeat_ngram_size,
            "max_batch_size": o.max_batch_tokens,
            "batch_type": "tokens",
            "max_input_length": 0,
            "max_decoding_length": max_len,
            "min_decoding_length": min_len,
            "replace_unknowns": o.replace_unknowns,
        }

    # -- internals --------------------------------------------------------------------------------------
    def _pieces(self, index: int, sentence: str) -> Iterator[tuple[str, list[str]]]:
        """The pieces of a sentence as (text, tokens): the text for the glossary, tokens for the model."""
        text = sentence.strip()
        tokens = self.tokenize(text)
        limit = self.piece_limit()
        if len(tokens) <= limit:
            yield text, tokens
            return
        parts = [p.strip() for p in split_long(text, lambda s: len(self.tokenize(s.strip())), limit)]
        parts = [p for p in parts if p]
        log.warning(
            "sentence %d is %d tokens long (limit %d): translating it in %d pieces",
            index,
            len(tokens),
            limit,
            len(parts),
        )
        for part in parts:
            yield part, self.tokenize(part)

    def _plan(self, lengths: Sequence[int], n_best: Sequence[bool]) -> list[tuple[list[int], bool]]:
        """Batches as (piece indices, decode n-best?): pieces with glossary terms are batched apart
        from the others, so the others decode as they would without a glossary."""
        plan = functools.partial(
            plan_batches, max_batch_tokens=self.options.max_batch_tokens, same_length=self.options.pin_output_length
        )
        if not any(n_best):
            return [(batch, False) for batch in plan(lengths)]
        batches: list[tuple[list[int], bool]] = []
        for flag in (False, True):
            group = [k for k, wanted in enumerate(n_best) if wanted is flag]
            batches.extend(([group[j] for j in batch], flag) for batch in plan([lengths[k] for k in group]))
        return batches

    def _glossary_hypotheses(self) -> int:
        return max(2, self.options.glossary_hypotheses)

    def _decode(self, batch: list[list[str]], num_hypotheses: int = 1, scores: bool = False) -> Any:
        """One ``translate_batch`` call; with ``num_hypotheses`` > 1 the beam widens to at least
        that many; ``scores`` asks for the hypotheses' scores."""
        prefix = self.package.target_prefix
        longest = max(len(tokens) for tokens in batch)
        if longest > self._fit_limit():
            raise InputError(
                f"{self.package.name}: an input of {longest} tokens is longer than the {self._fit_limit()} the model "
                "reads and decodes in full (its positions); translate() splits sentences, n_best() takes them whole"
            )
        options = self.decode_options(longest)
        if num_hypotheses > 1:
            options.update(beam_size=max(options["beam_size"], num_hypotheses), num_hypotheses=num_hypotheses)
        if scores:
            options["return_scores"] = True
        return self._model.translate_batch(batch, target_prefix=[[prefix]] * len(batch) if prefix else None, **options)

    def _run_batches(
        self,
        work: list[tuple[list[list[str]], list[tuple[Hit, ...]] | None]],
        stats: TranslateStats,
        terms: GlossaryIndex | None,
        glossary: Glossary | None,
    ) -> Iterator[list[str]]:
        """Each planned batch's texts, in order. Decoding is this one seam so that a subclass
        (``align.cluster``) can decode the very same batches elsewhere and stay byte-identical."""
        for tokens, batch_hits in work:
            yield self._translate_batch(tokens, stats, batch_hits, terms)

    def _translate_batch(
        self,
        batch: list[list[str]],
        stats: TranslateStats,
        hits: list[tuple[Hit, ...]] | None = None,
        index: GlossaryIndex | None = None,
    ) -> list[str]:
        """The batch's translations: each piece's best, or with ``hits`` (one tuple per piece) the
        n-best hypothesis that follows the glossary best."""
        if hits is None or index is None:
            results = self._decode(batch)
            stats.output_tokens += sum(len(result.hypotheses[0]) for result in results)
            return [self.detokenize(result.hypotheses[0]) for result in results]
        chosen = []
        for result, piece_hits in zip(self._decode(batch, self._glossary_hypotheses(), scores=True), hits, strict=True):
            texts = [self.detokenize(h) for h in result.hypotheses]
            pick = index.choose(texts, result.scores, piece_hits)
            if pick:
                log.debug("glossary: hypothesis %d chosen over %r: %r", pick + 1, texts[0], texts[pick])
            stats.output_tokens += len(result.hypotheses[pick])
            chosen.append(texts[pick])
        return chosen
