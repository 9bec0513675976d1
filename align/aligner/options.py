"""The aligner's knobs: bead types with their prior probabilities, and ``AlignOptions``."""

from __future__ import annotations

from dataclasses import dataclass, field

# Prior probability of each bead type (source count, target count): Gale & Church's proportions,
# with the rarer many-to-many types given small, decreasing mass. Not fitted to any benchmark.
DEFAULT_PRIORS: dict[tuple[int, int], float] = {
    (1, 1): 0.85,
    (1, 0): 0.01,
    (0, 1): 0.01,
    (2, 1): 0.04,
    (1, 2): 0.04,
    (2, 2): 0.01,
    (3, 1): 0.008,
    (1, 3): 0.008,
    (3, 2): 0.003,
    (2, 3): 0.003,
    (4, 1): 0.002,
    (1, 4): 0.002,
}


# Coarse levels only need to find the region; few bead types keep them cheap.
COARSE_TYPES = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2))


@dataclass(frozen=True)
class AlignOptions:
    """Knobs of the aligner; the defaults are meant to be left alone.

    ``priors``: bead types allowed at the finest level and their prior probabilities.
    ``band``: half-width (in sentences) of the search band around the coarser path.
    ``exhaustive_cells``: below this many cells (n x m) a level is searched in full.
    ``mt_weight``: weight of the machine-translation log-likelihood ratio (when ``mt`` is given).
    ``null_confidence_cap``: an omission or addition is never shown as certain: it needs a look.
    ``refine``: embed the joined text of the multi-sentence spans that plausible beads use and
    align again (``align.aligner.refine``): every span of at most ``refine_span`` sentences (None:
    every size a bead type has) that is one side of a bead on the path with probability
    ``refine_mass`` or more. Each span is judged on its own, so which spans are embedded does not
    depend on how doubtful other beads are (it once did: a budget went to the most doubtful beads
    first, and sure beads changed with the CPU's int8 kernels). ``refine_budget`` x sentences is a
    guard for a document where everything is in doubt (unrelated or shuffled texts want several
    times the spans of real ones: devtools/RESULTS.md, "Figures cited by the code"), the most
    probable spans first. Figures: devtools/RESULTS.md, "Refine rule".
    ``replace_prior``: prior probability of a replacement, a sentence dropped and an unrelated
    one added in its place (a source's tag line and the translator's note, a caption swapped for
    another). As rare as an omission, but not the product of an omission's and an addition's
    probabilities: those two alone would link any leftover pair that looks a little better than
    random (about 9 nats). None: no replacements.
    ``word_check``: join two neighbouring beads whose words cross the sentence boundary (a clause
    the translator moved into the next sentence) into one (``align.aligner.wordcheck``): the pairs
    whose lengths look moved by at least ``word_check_moved`` of their text (one bead's target
    too short, the other's too long) are aligned word by word, and joined where the boundary
    crosses ``word_check_excess`` more links (weighted by their scores) than the best cut inside
    the sentences. Figures: devtools/RESULTS.md, "Figures cited by the code", crossing beads.
    ``threads``: threads of numpy's BLAS for the aligner's matrix products, set through
    threadpoolctl while alignments run; OpenBLAS counts threads per process, so while one runs
    other numpy work of the process gets the same limit (``search.blas_threads``). None leaves
    BLAS as it is. One by
    default: the products are small (chunks of 4,096 band cells), so a second thread gains little
    on an idle machine and costs much when another process keeps a core busy, as the page's
    translations do (devtools/RESULTS.md, "BLAS threads in the aligner").
    """

    priors: dict[tuple[int, int], float] = field(default_factory=lambda: dict(DEFAULT_PRIORS))
    band: int = 6
    exhaustive_cells: int = 250_000
    mt_weight: float = 1.0
    null_confidence_cap: float = 0.5
    refine: bool = True
    refine_mass: float = 0.01
    refine_budget: float = 0.5
    refine_span: int | None = None
    replace_prior: float | None = 0.01
    word_check: bool = True
    word_check_moved: float = 0.1
    word_check_excess: float = 1.5
    threads: int | None = 1
