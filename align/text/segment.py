"""Text -> sentences with character spans (sentence boundary detection, German and English).

A segment never loses or changes a character of the input: each :class:`Sentence` carries its span
(``text[s.start:s.end] == s.text``), segments are in order and do not overlap, and whatever lies
between them is whitespace. Boundaries are only ever placed in the whitespace *between* two
non-whitespace tokens, so a URL, an e-mail address or a number such as ``2.700`` can never be cut.

Whitespace is what :meth:`str.isspace` says it is (the same set as ``\\s`` in Python's ``re`` for
``str`` patterns, including ``\\x1c``-``\\x1f``, ``\\x85``, ``\\xa0`` and ``\\u2028``). Line breaks
are the characters :meth:`str.splitlines` breaks on (``\\r\\n`` counts as one). A paragraph ends at
a blank line: a whitespace run holding two or more line breaks.

The decision at each gap between two tokens is made by a few general rules (terminal punctuation,
closing quotes and brackets, the case of the next word) and per-language tables of abbreviations,
sentence-starting words and month names (:data:`RULES`): data, not code, so that another Argos
language is one more table. Every step is a single pass over the text, so the time is linear:
a megabyte of text or a 20,000-character run without a full stop segments in a fraction of a second.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from align.document import Sentence
from align.mt.langcodes import DEFAULT_SOURCE, base_lang

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------
# characters
# --------------------------------------------------------------------------------------------
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
"""The characters :meth:`str.splitlines` breaks on; ``\\r\\n`` counts as one break."""

_TOKEN = re.compile(r"\S+")
_LINE_BREAK = re.compile(r"\r\n|[" + LINE_BREAKS + "]")
_BREAK = r"(?:\r\n?+|[" + LINE_BREAKS.replace("\r", "") + "])"  # \r\n never counts twice
_BLANK_LINE = re.compile(_BREAK + r"(?:[^\S" + LINE_BREAKS + "]*+" + _BREAK + ")+")

OPENERS = "\"'„“‚‘»«›‹([{<¿¡*_"
"""Characters that may open a sentence before its first letter (quotes of every convention)."""
CLOSERS = "\"'”“’‘»«›‹)]}>*_"
"""Characters that may follow the terminal punctuation and still belong to the sentence."""
STRONG_END = "!?‼⁇⁈⁉。！？"
ELLIPSES = ("...", "…")
_CANDIDATE_ENDS = frozenset(".…" + STRONG_END + CLOSERS)
CONTINUATIONS = ".,;:!?…"
"""A next token starting with one of these continues the sentence."""
_SINGLE_LETTER = re.compile(r"[^\W\d_]\.")
_PART_SEPARATOR = re.compile(r"[-.]")
DASHES = frozenset({"-", "–", "—", "--", "―"})
LIST_BULLETS = frozenset("-–—•·*▪►‣◦○●■□➢✓")
_LIST_ENUM = re.compile(r"(?:\d{1,3}|[A-Za-z]|[ivxIVX]{1,4})[.)]|\(\w{1,3}\)")
_NUMBER = re.compile(r"[-–+±]?\d+(?:[.,:/]\d+)*")
_DOTTED = re.compile(r"(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,3}")
_VOWELS = frozenset("aeiouyäöüáàâéèêíìîóòôúùûåæøœAEIOUYÄÖÜÁÀÂÉÈÊÍÌÎÓÒÔÚÙÛÅÆØŒ")
MIN_WRAP_WIDTH = 30
"""Narrower lines are never taken for hard-wrapped text (lists, verse, addresses)."""
TWO_LINE_WRAP_WIDTH = 60
"""The wrap width assumed for a paragraph of two lines (mail and editors wrap at 60-80)."""
_MAX_WORD = 40  # longer "words" are never abbreviations or numbers: skip the detailed checks


# --------------------------------------------------------------------------------------------
# language tables
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LanguageRules:
    """What a language needs beyond punctuation; all entries without their final period.

    ``titles``: abbreviations that stand before a name or number and never end a sentence
    ("Dr.", "Nr.", "z. B." via its parts). ``abbreviations``: may end a sentence, so a boundary
    follows only when the next word is one of ``starters``. ``starters``: closed-class words
    (articles, pronouns, conjunctions, adverbs) that typically begin a sentence, lower case.
    ``months``: after "3." they make the number a date. ``ordinals``: a number with a full stop is
    an ordinal ("im 19. Jahrhundert"), as in German; in English "in 2019. The" ends a sentence.
    ``suffixes``: endings that mark an abbreviated compound, like "Hauptstr." (no word ends in "str").
    """

    code: str
    titles: frozenset[str] = frozenset()
    abbreviations: frozenset[str] = frozenset()
    starters: frozenset[str] = frozenset()
    months: frozenset[str] = frozenset()
    ordinals: bool = False
    suffixes: tuple[str, ...] = ()


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


RULES: dict[str, LanguageRules] = {
    "de": LanguageRules(
        code="de",
        titles=_words(
            """Dr Prof Hr Hrn Fr Frl Nr No St vgl ca bzw z Z B S s Bd Tel
            geb gest verh Dipl Ing Mag Str Hbf Pkt
            evtl ggf ggfs inkl exkl bspw insb insbes sog
            zzgl abzgl gem lt Gebr Hl hl Kl Fa Verf Hrsg hrsg Ausg Aufl Bsp Fn Anh Lfd
            lfd Reg Bez Gde Kr Lkr dt engl frz lat ital span
            Lt Maj Kpt Capt Rev Sen Rep Gov Pres Mt Ft Blvd Mo Di Mi Do Sa
            Jan Feb Mär Apr Jun Jul Aug Sep Sept Okt Nov Dez Ref Verw Schr Mrs Mr Ms
            Abg Präs Vors Stellv stellv Stv stv Kfm Kffr Rechtsanw
            Inh Red red übers Urt Az Aktz Beschl Verf Erg Anl Bl ehem
            sen jun Sankt Pfr Med med Phil phil Jur jur rer nat Rer Nat em Em a o u d
            kath evang ev z.B d.h z.T i.d.R u.U o.Ä o.ä s.o s.u u.E m.E i.A i.V"""
        ),
        abbreviations=_words(
            """usw Usw etc Etc ua uä uvm ff f Chr chr Jh Jhd Jhdt vorm nachm ebd Ebd
            Inc Ltd Co Corp Mio Mrd Tsd Bio Std Min min Sek max Jr Sr
            Art Abs Kap Ziff Anm Abb Tab Pl Fax Dt Engl Lat Span"""
        ),
        starters=_words(
            """der die das den dem des ein eine einer eines einem einen er sie es ich wir ihr man
            du dies diese dieser dieses diesem diesen jene jener doch aber und auch dann so im in
            am an auf bei mit nach vor seit zum zur für wie was wer wo wann warum weshalb wenn
            als da dabei damit daher deshalb darum dort hier trotzdem jetzt nun heute gestern
            morgen bereits schon zudem außerdem allerdings nicht nur noch laut unter über bis
            ob sein seine ihre ihr unser unsere mein meine kein keine alle viele einige immer
            zwar denn oder sondern jedoch dennoch zunächst später danach anschließend schließlich
            inzwischen mittlerweile derzeit damals bisher ebenfalls gleichzeitig zuvor vorher
            aus durch gegen ohne um von zu wegen während trotz nachdem bevor weil obwohl dass
            ja nein nie niemand jeder jede jedes jeden jedem ihm ihn ihnen uns mir mich dir dich"""
        ),
        months=_words(
            """Januar Jänner Februar Feber März April Mai Juni Juli August September Oktober
            November Dezember Jan Feb Mär Apr Jun Jul Aug Sep Sept Okt Nov Dez"""
        ),
        ordinals=True,
        suffixes=("str",),
    ),
    "en": LanguageRules(
        code="en",
        titles=_words(
            """Mr Mrs Ms Messrs Mme Mlle Dr Prof Rev Hon Sen Rep Gov Pres Gen Col Lt Maj Capt Cmdr
            Sgt Cpl Pvt Adm Brig St Mt Ft No Nos Vol vol pp p Fig fig Figs figs Eq
            approx ca cf vs v viz Art Sec Ch Eds eds Dept Univ Ave
            Blvd Rd Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Ph Rt Supt
            e.g i.e E.g I.e viz"""
        ),
        abbreviations=_words(
            """etc Inc Ltd Co Corp Bros LLC PLC plc Jr Sr al US UK UN EU am pm AM PM BC AD
            est Ave St Rd Dept Univ Mass Calif Fla Ill Penn Wash"""
        ),
        starters=_words(
            """the a an he she it they we i you this that these those there here but and or so
            yet in on at for if when while after before as his her their its our my your
            however meanwhile then now today also still since because although though during
            what who where why how not no some many most all one two each every both neither
            such despite under over by from with without into according last next how did do
            does is are was were can could will would should may might must has have had let
            please yes"""
        ),
        months=_words("January February March April May June July August September October November December"),
        ordinals=False,
    ),
    "fr": LanguageRules(
        code="fr",
        titles=_words(
            """M MM Mme Mmes Mlle Mlles Dr Pr Me Mgr St Ste av bd boul fig p pp n no vol chap art
            env cf ex éd vs"""
        ),
        abbreviations=_words("etc cie Cie av apr J.-C etc"),
        starters=_words(
            """le la les l un une des il elle ils elles on nous vous je tu ce cette ces cet mais
            et ou donc car puis alors en dans au aux à pour par selon depuis après avant si
            quand lorsque comme son sa ses leur leurs notre nos mon ma mes c d qu"""
        ),
        months=_words("janvier février mars avril mai juin juillet août septembre octobre novembre décembre"),
        ordinals=False,
    ),
}


def rules_for(lang: str) -> LanguageRules:
    """The table for ``lang`` ("de", "en-US" -> "en"); an unknown language gets punctuation rules only."""
    code = base_lang(lang)
    found = RULES.get(code)
    if found is None:
        log.info("no sentence rules for language %r; using punctuation rules only", lang)
        return LanguageRules(code=code)
    return found


# --------------------------------------------------------------------------------------------
# paragraphs and lines
# --------------------------------------------------------------------------------------------
def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each paragraph: stripped of outer whitespace, split at blank lines.

    A blank line is a whitespace run with two or more line breaks. Text that is only whitespace
    has no paragraphs.
    """
    spans: list[tuple[int, int]] = []
    position = 0
    for blank in _BLANK_LINE.finditer(text):
        _add_stripped(text, position, blank.start(), spans)
        position = blank.end()
    _add_stripped(text, position, len(text), spans)
    return spans


def _add_stripped(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    first = _TOKEN.search(text, start, end)
    if first is not None:
        spans.append((first.start(), _rstrip_end(text, end, first.end())))


def _rstrip_end(text: str, end: int, floor: int = 0) -> int:
    while end > floor and text[end - 1].isspace():
        end -= 1
    return end


# --------------------------------------------------------------------------------------------
# the decision at a gap
# --------------------------------------------------------------------------------------------
def _strip_closers(token: str) -> str:
    return token.rstrip(CLOSERS)


def _word_class(token: str) -> str:
    """How a token begins once opening quotes and brackets are skipped: upper, lower, digit, other."""
    core = token.lstrip(OPENERS)
    if not core:
        return "other"
    first = core[0]
    if first.isupper() or first.istitle():
        return "upper"
    if first.islower():
        return "upper" if core[1:2].isupper() else "lower"  # "iPhone", "eBay" start sentences too
    if first.isdigit():
        return "digit"
    return "other"


def _bare(token: str) -> str:
    """The word of a token without quotes, brackets or the final period: '„Dr.' -> 'Dr'."""
    return _strip_closers(token).lstrip(OPENERS).rstrip(".")


def _is_starter(token: str, rules: LanguageRules) -> bool:
    return _bare(token).rstrip(",;:").lower() in rules.starters


def _looks_abbreviated(word: str) -> bool:
    """'Mrd', 'Str', 'bzw': no vowel and not all capitals (acronyms like 'SAP.' end sentences)."""
    if len(word) > 5 or not word.isalpha() or (len(word) > 1 and word.isupper()):
        return False
    return _VOWELS.isdisjoint(word)


def _is_list_item(tokens: Sequence[str], i: int, rules: LanguageRules) -> bool:
    """A list marker at a line start: '- foo', '• foo', '1. foo', 'a) foo', '(iv) foo'.

    '1. Mai' is a date, not an item, in a language with ordinals.
    """
    tok = tokens[i]
    if tok in LIST_BULLETS or (len(tok) > 1 and tok[0] in "•▪►‣◦●■➢" and not tok[1].isspace()):
        return True
    if _LIST_ENUM.fullmatch(tok):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if rules.ordinals and tok.endswith(".") and _bare(nxt) in rules.months:
            return False
        return _word_class(nxt) in ("upper", "digit", "other") or tok.endswith(")")
    return False


def _period_boundary(token: str, nxt: str, prev: str, rules: LanguageRules) -> bool:
    """Does a sentence end after ``token`` (ending in a full stop, maybe with closers)?

    ``nxt`` is the following token (dashes skipped), ``prev`` the token before ``token``.
    """
    closed = _strip_closers(token)
    word = closed.lstrip(OPENERS)[:-1]  # without the final period
    nclass = _word_class(nxt)
    if not word or word.endswith(".."):  # a lone "." or an ellipsis written with periods
        return nclass in ("upper", "digit", "other")
    if len(word) > _MAX_WORD or "@" in word or "/" in word:
        return nclass in ("upper", "digit", "other")
    bare = word.rstrip(".")
    closes_quote = len(closed) != len(token)
    if nclass == "lower":  # usually an abbreviation we do not know; a new sentence only when clear
        return (
            not closes_quote
            and len(bare) >= 3
            and bare.isalpha()
            and bare not in rules.titles
            and bare not in rules.abbreviations
            and not _looks_abbreviated(bare)
            and not bare.endswith(rules.suffixes)
            and _is_starter(nxt, rules)
        )
    if closes_quote:  # '... „gesagt“. Dann' or '„Ende.“ Er': the quote closed, the period is real
        return True
    if _NUMBER.fullmatch(word):
        return _number_boundary(word, nxt, prev, rules)
    last_part = _PART_SEPARATOR.split(word)[-1]  # "Hans-J.", "Dipl.-Ing."
    if len(last_part) == 1 and last_part.isalpha():
        # an initial ("J. R. R. Tolkien", "S. 12", "z. B."), unless a sentence clearly starts:
        # "you and I. Did you", "Plan B. Die Firma" (but not inside "u. a. Die Grünen")
        return _is_starter(nxt, rules) and not _SINGLE_LETTER.fullmatch(prev.lstrip(OPENERS))
    if _is_title(word, rules) or (last_part != word and _is_title(last_part, rules)):
        return False
    # a vowelless short word is an abbreviation, unless it is a unit: "100,8 cm." ends a sentence
    abbreviated = _looks_abbreviated(word) and not _NUMBER.fullmatch(prev)
    if abbreviated or word in rules.abbreviations or _DOTTED.fullmatch(word) or word.endswith(rules.suffixes):
        return nclass == "upper" and _is_starter(nxt, rules)
    return True


def _is_title(word: str, rules: LanguageRules) -> bool:
    """In the titles table as written, or capitalised at a sentence start ("Vgl." for "vgl.")."""
    return word in rules.titles or (word[:1].isupper() and word[0].lower() + word[1:] in rules.titles)


def _number_boundary(word: str, nxt: str, prev: str, rules: LanguageRules) -> bool:
    """'am 3. Juni', 'im 19. Jahrhundert', '2. Bundesliga' vs 'im Jahr 2019. Die Polizei', 'Platz 2. Dortmund'."""
    word = word.lstrip("-–+±")  # "aus dem 1. -3. Jahrhundert"
    if not rules.ordinals or not word.isdigit() or len(word) > 3:
        return True
    nclass = _word_class(nxt)
    if nclass == "digit":  # '24. 12. 2011' is a date; 'France 24. 2011 unterzeichneten' is not
        dateish = re.fullmatch(r"\d{1,2}\.", nxt) or re.fullmatch(r"\d{1,2}\.", prev)
        return not dateish
    if nclass != "upper":
        return False  # "aus dem 1. -3. Jahrhundert"
    if _bare(nxt) in rules.months:
        return False
    if _is_starter(nxt, rules):
        return True
    # after a plain noun or name the number is a count: 'auf Platz 2. Dortmund folgt'; after an
    # article, preposition or verb it is an ordinal: 'der 2. Bundesliga', 'wurde 2. Sieger'
    return prev[:1].isupper() and prev.isalpha() and prev.lower() not in rules.starters


def _boundary_after(tokens: Sequence[str], i: int, rules: LanguageRules) -> bool:
    """Does a sentence end between ``tokens[i]`` and ``tokens[i + 1]`` (same line or not)?"""
    token = tokens[i]
    j = i + 1
    while j < min(len(tokens) - 1, i + 4) and tokens[j] in DASHES:
        j += 1  # '...?" - bei solcherlei Fragen': judge by the word after the dash
    nxt = tokens[j]
    if not nxt.strip(CLOSERS):  # 'Il a dit : « Oui. » Puis': the closing mark stays with its sentence
        return False
    prev = tokens[i - 1] if i > 0 else ""
    if not token.strip(CLOSERS) and i > 0:  # judge "Oui. »" as one token "Oui.»"
        token, prev = prev + token, tokens[i - 2] if i > 1 else ""
    closed = _strip_closers(token)
    if not closed:
        return False
    core = closed.lstrip(OPENERS)
    if len(core) < len(closed) and not any(c.isalnum() for c in core):
        return False  # "(?)" or "(...)" inside a sentence
    nclass = _word_class(nxt)
    if nxt[0] in CONTINUATIONS:  # '„Wann?“ ,,Das', 'complex. . . .', 'Ende! , sagte'
        return False
    if closed[-1] in STRONG_END:
        return nclass != "lower"
    if closed.endswith(ELLIPSES):
        return nclass == "upper" or (nclass == "other" and nxt[0] not in ")]")
    if closed.endswith("."):
        return _period_boundary(token, nxt, prev, rules)
    return False


_SOFT_LINE_END = ",;:-–—/&+(„\"“‚'‘»«"


def _line_boundary(tokens: Sequence[str], i: int, kind: str, began_here: bool, rules: LanguageRules) -> bool:
    """A single line break after ``tokens[i]`` with no terminal punctuation before it.

    A boundary comes before a list item unless the break is hard wrapping (then only after a
    colon). Otherwise the break must be a short line in wrapped text, or, in text that is not
    wrapped, end a sentence that began at this line's start (a headline, a byline, one sentence a
    line); this line must not end in a comma, hyphen, colon, open quote or lower-case function
    word ("die", "und", "the"), and the next line must start like a sentence.
    """
    last = tokens[i]
    if _is_list_item(tokens, i + 1, rules):
        return kind != "wrap" or last.endswith(":")
    if kind == "wrap" or (kind == "free" and not began_here) or last[-1] in _SOFT_LINE_END:
        return False
    if last[0].islower() and _is_starter(last, rules):  # "... beschlossen, die\nSteuern zu senken"
        return False
    return _word_class(tokens[i + 1]) in ("upper", "digit", "other")


# --------------------------------------------------------------------------------------------
# segmentation
# --------------------------------------------------------------------------------------------
@dataclass
class _Paragraph:
    """A paragraph's tokens and lines, gathered before any decision."""

    matches: list[re.Match[str]]
    lines: dict[int, tuple[int, int, int]]  # token before a break -> (line start, width, next word)
    last_width: int

    @property
    def widest(self) -> int:
        return max([self.last_width, *(width for _, width, _ in self.lines.values())])

    def overflows(self, wrap: int) -> dict[int, bool]:
        """Per break: would the next line's first word have overflowed a ``wrap``-wide line?"""
        return {i: width + 1 + nxt > wrap for i, (_, width, nxt) in self.lines.items()}

    def wraps_itself(self) -> bool:
        """Three or more lines, most broken where the next word would not have fitted."""
        wrap = self.widest
        overflows = self.overflows(wrap).values()
        return len(self.lines) >= 2 and wrap >= MIN_WRAP_WIDTH and 2 * sum(overflows) >= len(overflows)


def _scan_paragraph(text: str, start: int, end: int) -> _Paragraph:
    matches = list(_TOKEN.finditer(text, start, end))
    lines: dict[int, tuple[int, int, int]] = {}
    line_start = matches[0].start()
    positions = [m.start() for m in _LINE_BREAK.finditer(text, start, end)]
    if positions:
        ends = [m.end() for m in matches]
        for position in positions:
            i = bisect.bisect_right(ends, position) - 1  # the last token before the break
            lines[i] = (line_start, ends[i] - line_start, len(matches[i + 1].group()))
            line_start = matches[i + 1].start()
    return _Paragraph(matches, lines, matches[-1].end() - line_start)


def _document_wrap_width(paragraphs: Sequence[_Paragraph]) -> int | None:
    """The width the text was hard-wrapped at, judged from its paragraphs of three or more lines.

    Paragraphs of two lines cannot show a width themselves; the rest of the document can.
    """
    widths = sorted(p.widest for p in paragraphs if len(p.lines) >= 2 and p.wraps_itself())
    return widths[len(widths) // 2] if widths else None


def _break_kinds(paragraph: _Paragraph, document_wrap: int | None) -> dict[int, tuple[int, str]]:
    """For each token followed by a line break: (where its line starts, what kind of break).

    "wrap": the paragraph is hard-wrapped and the next line's first word would not have fitted
    within the wrap width. "short": hard-wrapped, but the word would have fitted, so the line
    was ended on purpose. "free": the paragraph is not hard-wrapped, so every break was made on
    purpose, but whether it ends a sentence is open. A paragraph of three or more lines is
    hard-wrapped when :meth:`_Paragraph.wraps_itself`; one of two lines when its first line
    overflows the document's wrap width, or :data:`TWO_LINE_WRAP_WIDTH` when none is known.
    """
    if not paragraph.lines:
        return {}
    if len(paragraph.lines) >= 2:
        wrapped = paragraph.wraps_itself()
        overflows = paragraph.overflows(paragraph.widest)
    else:
        overflows = paragraph.overflows(document_wrap or max(paragraph.widest, TWO_LINE_WRAP_WIDTH))
        wrapped = any(overflows.values())
    if not wrapped:
        return {i: (start, "free") for i, (start, _, _) in paragraph.lines.items()}
    return {i: (start, "wrap" if overflows[i] else "short") for i, (start, _, _) in paragraph.lines.items()}


def _paragraph_sentences(
    text: str, paragraph: _Paragraph, document_wrap: int | None, rules: LanguageRules
) -> Iterator[tuple[int, int]]:
    """Spans of the sentences of one paragraph.

    Only tokens that end in punctuation or a line can end a sentence, so only they are looked at.
    """
    matches = paragraph.matches
    tokens = [m.group() for m in matches]
    breaks = _break_kinds(paragraph, document_wrap)
    last = len(tokens) - 1
    candidates = [i for i, token in enumerate(tokens) if token[-1] in _CANDIDATE_ENDS and i < last]
    if breaks:
        candidates = sorted(set(candidates).union(breaks))
    sent_start = matches[0].start()
    for i in candidates:
        if (i == 0 or i - 1 in breaks) and _is_list_item(tokens, i, rules):
            cut = False  # "1. Öffnen" at a line start: the marker belongs to its item
        elif _boundary_after(tokens, i, rules):
            cut = True
        elif i in breaks:
            line_start, kind = breaks[i]
            began_here = sent_start >= line_start and not text[line_start:sent_start].strip()
            cut = _line_boundary(tokens, i, kind, began_here, rules)
        else:
            cut = False
        if cut:
            yield sent_start, matches[i].end()
            sent_start = matches[i + 1].start()
    yield sent_start, matches[-1].end()


def segment(text: str, lang: str = DEFAULT_SOURCE) -> list[Sentence]:
    """Split ``text`` into sentences with their character spans and paragraph numbers.

    Every non-whitespace character of ``text`` ends up in exactly one sentence; a blank line
    starts a new paragraph (numbered from 0). ``lang`` picks the abbreviation and word tables.
    """
    rules = rules_for(lang)
    paragraphs = [_scan_paragraph(text, start, end) for start, end in split_paragraphs(text)]
    document_wrap = _document_wrap_width(paragraphs)
    sentences: list[Sentence] = []
    for number, paragraph in enumerate(paragraphs):
        for start, end in _paragraph_sentences(text, paragraph, document_wrap, rules):
            sentences.append(Sentence(text=text[start:end], start=start, end=end, paragraph=number))
    return sentences


def format_segments(sentences: Sequence[Sentence]) -> str:
    """One sentence a line, a blank line between paragraphs; line breaks inside a sentence become spaces."""
    lines: list[str] = []
    previous: int | None = None
    for sentence in sentences:
        if previous is not None and sentence.paragraph != previous:
            lines.append("")
        lines.append(_LINE_BREAK.sub(" ", sentence.text))
        previous = sentence.paragraph
    return "".join(line + "\n" for line in lines)
