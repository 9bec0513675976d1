"""What the word aligner returns: words with spans on both sides and scored links between them.

Plain frozen dataclasses so that the editor, the glossary check, the quality estimate and tag
placement can hold, compare and cache them freely.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    """One word of a sentence: its text and its ``[start, end)`` character span in the sentence."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Link:
    """Source word ``src`` renders (part of) target word ``tgt``; ``score`` in 0..1 says how sure
    the aligner is (the geometric mean of both directions' attention on the pair)."""

    src: int
    tgt: int
    score: float


@dataclass(frozen=True)
class WordAlignment:
    """The words of a sentence pair and the links between them, ordered by (src, tgt)."""

    src_words: tuple[Word, ...]
    tgt_words: tuple[Word, ...]
    links: tuple[Link, ...]

    def pharaoh(self) -> str:
        """The links as one Pharaoh line (``0-0 1-2 ...``, 0-based word indices), as fast_align,
        eflomal and awesome-align write them."""
        return " ".join(f"{link.src}-{link.tgt}" for link in self.links)

    def pairs(self) -> set[tuple[int, int]]:
        """The links as (src, tgt) index pairs."""
        return {(link.src, link.tgt) for link in self.links}

    def targets_of(self, src: int) -> tuple[int, ...]:
        """Target word indices linked to source word ``src`` (in order)."""
        return tuple(link.tgt for link in self.links if link.src == src)

    def sources_of(self, tgt: int) -> tuple[int, ...]:
        """Source word indices linked to target word ``tgt`` (in order)."""
        return tuple(sorted(link.src for link in self.links if link.tgt == tgt))

    def src_words_in(self, start: int, end: int) -> tuple[int, ...]:
        """Source words overlapping the character span ``[start, end)`` (a glossary term, a
        selection, the text inside an inline code)."""
        return _overlapping(self.src_words, start, end)

    def tgt_words_in(self, start: int, end: int) -> tuple[int, ...]:
        """Target words overlapping the character span ``[start, end)``."""
        return _overlapping(self.tgt_words, start, end)

    def tgt_span_of(self, src: tuple[int, ...] | list[int]) -> tuple[int, int] | None:
        """The character span from the first to the last target word linked to any of the source
        words ``src``; None when none of them is linked."""
        linked = sorted({link.tgt for link in self.links if link.src in set(src)})
        if not linked:
            return None
        return self.tgt_words[linked[0]].start, self.tgt_words[linked[-1]].end

    def unaligned_src(self) -> tuple[int, ...]:
        """Source words with no counterpart (the quality estimate's omissions)."""
        linked = {link.src for link in self.links}
        return tuple(k for k in range(len(self.src_words)) if k not in linked)

    def unaligned_tgt(self) -> tuple[int, ...]:
        """Target words with no counterpart."""
        linked = {link.tgt for link in self.links}
        return tuple(k for k in range(len(self.tgt_words)) if k not in linked)


def _overlapping(words: tuple[Word, ...], start: int, end: int) -> tuple[int, ...]:
    return tuple(k for k, word in enumerate(words) if word.start < end and start < word.end)
