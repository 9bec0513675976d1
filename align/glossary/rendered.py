"""Which target words rendered a glossary term: the term's source words, followed through the word
alignment of the row ("Bundestag" -> "parliament").

The glossary check uses it to judge the term where it was translated instead of anywhere in the
sentence, and the segment editor to show it. The alignment is handed in (``align.words`` sits
below the glossary); without one, or when the term's words have no link, there is no rendering
and the checks fall back to looking for the target term anywhere in the target.
"""

from __future__ import annotations

from dataclasses import dataclass

from align.words.model import WordAlignment

#: A rendering whose weakest link scores below this is a guess: it names the words but does not
#: overrule a target term found elsewhere in the sentence (the aligner's scores are 0..1).
SURE_LINK = 0.5


@dataclass(frozen=True)
class Rendering:
    """The target words a source span is linked to: their character spans in the target (in
    order), the text they read as ("voter turn-out"; "…" where they are not side by side) and
    the weakest link's score."""

    spans: tuple[tuple[int, int], ...]
    text: str
    score: float

    @property
    def sure(self) -> bool:
        return self.score >= SURE_LINK

    def overlaps(self, start: int, end: int) -> bool:
        """Whether target characters ``[start, end)`` share a character with the rendering."""
        return any(a < end and start < b for a, b in self.spans)


def rendering(alignment: WordAlignment, target: str, start: int, end: int) -> Rendering | None:
    """The rendering of source characters ``[start, end)``, or None when none of their words has a
    link (or the alignment's words do not fit ``target``)."""
    words = [k for k, w in enumerate(alignment.src_words) if w.start < end and start < w.end]
    chosen = [link for link in alignment.links if link.src in words]
    if not chosen or any(link.tgt >= len(alignment.tgt_words) for link in chosen):
        return None
    indices = sorted({link.tgt for link in chosen})
    tgt = alignment.tgt_words
    if tgt[indices[-1]].end > len(target):
        return None
    spans: list[tuple[int, int]] = []
    pieces: list[str] = []
    for previous, k in zip([None, *indices], indices, strict=False):
        if previous is not None and k == previous + 1:
            spans[-1] = (spans[-1][0], tgt[k].end)
            pieces[-1] = target[spans[-1][0] : spans[-1][1]]
        else:
            spans.append((tgt[k].start, tgt[k].end))
            pieces.append(target[tgt[k].start : tgt[k].end])
    return Rendering(tuple(spans), " … ".join(pieces), min(link.score for link in chosen))
