"""A quality estimate for every translated row: the probability that it needs no fix, and why not.

The estimate adds evidence in log odds. It starts from ``PRIOR`` (most machine translations of
news need no fix) and each signal moves it:

* row signals (``textsignals``): a repetition loop, untranslated output, numbers or codes that
  differ, a sentence that stops mid-way, a lost negation; each a fixed weight of evidence;
* document signals, judged against this document's norms (``calibration``): the cross-lingual
  similarity of source and target (continuous, and a large penalty when the pair looks as
  unrelated as two random sentences of the document), the length ratio, and, with the translation
  package, the model's mean and weakest token log probability (``modelscore``).

Continuous signals keep the order among rows with no finding, which is what a "worst first"
review needs; findings bring a row to the top with a reason. Nothing here is fitted to a test set:
the weights are round numbers read as "how many times likelier is this for a broken row"
(devtools/RESULTS.md, "Quality estimation", measures the result on real WMT21 output).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from align.document import AlignedDocument, QualityRecord
from align.glossary.checks import FORBIDDEN_TERM, MISSING_TERM, NOT_VERBATIM, row_findings
from align.progress import Progress, in_stages
from align.quality import omission, textsignals
from align.quality.calibration import (
    DEFAULT_MODEL_MEAN,
    DEFAULT_MODEL_MIN,
    DEFAULT_SIMILARITY,
    MIN_SD,
    Norm,
    QualityCalibration,
    robust_norm,
    similarity_norms,
)
from align.text.compare import length_norm, log_length_ratio

if TYPE_CHECKING:
    import numpy as np

    from align.embed import Embedder
    from align.glossary import Glossary
    from align.glossary.terms import GlossaryIndex
    from align.mt.translate import Translator
    from align.quality.modelscore import TokenScores
    from align.words.aligner import WordAligner
    from align.words.model import WordAlignment

log = logging.getLogger(__name__)

PRIOR = 3.0  # log odds of "needs no fix" before any signal: 95%
SIMILARITY_WEIGHT = 0.8  # per standard deviation of the document's similarities
MODEL_WEIGHT = 0.8  # per standard deviation of the document's mean token log probabilities
BONUS_CAP = 1.5  # better than usual by more than this many deviations earns nothing more
UNRELATED = 5.0  # a pair as similar as random pairs of the document
LENGTH_WEIGHT = 1.0  # per deviation beyond LENGTH_FREE
LENGTH_FREE = 2.0
SHORTER_WEIGHT = 0.5  # per deviation shorter than the document's median
#: Evidence (nats, log odds against "needs no fix") of each glossary finding: a client's
#: terminology not followed is a fix the translator has to make.
GLOSSARY_EVIDENCE = {MISSING_TERM: 2.0, FORBIDDEN_TERM: 3.0, NOT_VERBATIM: 2.0}
GLOSSARY_SIGNAL = "glossary"
WEAK_TOKEN_WEIGHT = 0.7  # per deviation of the weakest token beyond WEAK_TOKEN_FREE
WEAK_TOKEN_FREE = 2.0
CLAUSE_WEIGHT = 1.5  # per deviation of the last-clause test beyond CLAUSE_FREE
CLAUSE_FREE = 1.0
REASON_FROM = 1.0  # evidence (nats) from which a finding is shown as a reason

SIGNALS = (
    "repetition",
    "untranslated",
    "numbers",
    "codes",
    "truncation",
    "negation",
    "length",
    "similarity",
    "clause",
    "model",
    "glossary",
    "omission",
)


@dataclass(frozen=True)
class Estimate:
    """One row's estimate: ``score`` in [0, 1] (probability the row needs no fix), the reasons a
    translator can act on, and each signal's evidence in nats (positive: speaks for a fix)."""

    score: float
    reasons: tuple[str, ...] = ()
    evidence: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class QualityReport:
    """Estimates for a list of rows, the norms they were judged against, and which signals were
    used or left out (and why)."""

    estimates: list[Estimate]
    calibration: QualityCalibration
    used: tuple[str, ...]
    left_out: dict[str, str]

    def describe(self) -> QualityRecord:
        """What a document stores about its estimate (its signature's ``settings.quality``)."""
        return QualityRecord(self.used, dict(self.left_out), self.calibration.as_dict())


def estimate_rows(
    sources: Sequence[str],
    targets: Sequence[str],
    *,
    src_lang: str | None,
    tgt_lang: str | None,
    embedder: Embedder | None = None,
    translator: Translator | None = None,
    calibration: QualityCalibration | None = None,
    glossary: Glossary | None = None,
    progress: Progress | None = None,
    aligner: WordAligner | None = None,
) -> QualityReport:
    """Estimate each (source, target) row. Rows with an empty side get score 1.0 and no reasons
    when both are empty, 0.0 and "target empty" when only the target is.

    ``calibration``: judge the rows against these norms instead of their own (re-estimating a few
    rows of a document). ``glossary``: a missing, forbidden or not-kept term is a finding too.
    Without ``embedder`` or ``translator`` those signals are left out and ``left_out`` says so.
    ``aligner``: the word aligner of the omission signal (default: the one beside ``embedder``).
    """
    if len(sources) != len(targets):
        raise ValueError(f"{len(sources)} sources but {len(targets)} targets")
    n = len(sources)
    left_out: dict[str, str] = {}
    live = [i for i in range(n) if sources[i].strip() and targets[i].strip()]
    embedding, scoring = in_stages(progress, [2 * len(live), len(live) if translator is not None else 0])

    cos = tail_gain = None
    sim_norm = unrelated = None
    if embedder is None:
        left_out["similarity"] = left_out["clause"] = "no sentence embedder given"
    elif live:
        cos, vectors, tail_gain = _cosines(embedder, [sources[i] for i in live], [targets[i] for i in live], embedding)
        sim_norm, unrelated = similarity_norms(*vectors)

    model: list[TokenScores] | None = None
    if translator is None:
        left_out["model"] = f"no {src_lang}->{tgt_lang} translation package (an aligned or imported document, or none installed)"
    elif live:
        from align.quality.modelscore import score_translations

        model = score_translations(translator, [sources[i] for i in live], [targets[i] for i in live], scoring)

    ratios = [log_length_ratio(sources[i], targets[i]) for i in live]
    if calibration is None:
        calibration = QualityCalibration(
            length=length_norm([sources[i] for i in live], [targets[i] for i in live]),
            similarity=sim_norm,
            unrelated=unrelated,
            model_mean=robust_norm([m.mean for m in model if m.mean is not None], MIN_SD["model"]) if model else None,
            model_min=robust_norm([m.weakest[1] for m in model if m.weakest], MIN_SD["model_min"]) if model else None,
            clause_gain=None if tail_gain is None else robust_norm(_finite(tail_gain), MIN_SD["clause_gain"]),
        )
    if calibration.length is None:
        left_out["length"] = "too few rows for this document's length norm"

    alignments = _omission_alignments(
        sources, targets, live, ratios, calibration, glossary, src_lang, tgt_lang, left_out, aligner, embedder
    )
    estimates = [_empty(sources[i], targets[i]) for i in range(n)]
    for k, i in enumerate(live):
        estimates[i] = _estimate(
            sources[i],
            targets[i],
            src_lang,
            tgt_lang,
            calibration,
            ratio=ratios[k],
            cos=None if cos is None else float(cos[k]),
            gain=None if tail_gain is None else float(tail_gain[k]),
            model=None if model is None else model[k],
            glossary=glossary,
            alignment=alignments.get(k),
        )
    if progress is not None:
        progress(1, 1)
    used = tuple(s for s in SIGNALS if s not in left_out and (s != "glossary" or glossary is not None))
    return QualityReport(estimates, calibration, used, left_out)


def with_estimates(
    doc: AlignedDocument,
    *,
    embedder: Embedder | None = None,
    translator: Translator | None = None,
    rows: Sequence[int] | None = None,
    glossary: Glossary | None = None,
    progress: Progress | None = None,
) -> AlignedDocument:
    """The document with ``quality`` and ``reasons`` set on its rows (on ``rows`` only, judged
    against the norms stored with the document's earlier estimate, when given), and what the
    estimate used recorded in its signature settings under "quality"."""
    stored = doc.signature.settings.quality if rows is not None else None
    calibration = QualityCalibration.from_dict(dict(stored.calibration)) if stored else None
    indices = list(range(len(doc.pairs))) if rows is None else list(rows)
    report = estimate_rows(
        [doc.pairs[i].source for i in indices],
        [doc.pairs[i].target for i in indices],
        src_lang=doc.src_lang,
        tgt_lang=doc.tgt_lang,
        embedder=embedder,
        translator=translator,
        calibration=calibration,
        glossary=glossary,
        progress=progress,
    )
    pairs = list(doc.pairs)
    for i, est in zip(indices, report.estimates, strict=True):
        pairs[i] = pairs[i].replace(quality=est.score, reasons=est.reasons)
    if stored and rows is not None:
        return doc.replace(pairs=pairs)
    signature = doc.signature.replace(settings=doc.signature.settings.with_quality(report.describe()))
    return doc.replace(pairs=pairs, signature=signature)


# ---- internals -----------------------------------------------------------------------------------
def _cosines(
    embedder: Embedder, sources: list[str], targets: list[str], progress: Progress | None
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], np.ndarray]:
    """Each row's source-target cosine, the vectors, and how much closer the target is to the
    source without its last clause than to the whole source (NaN without a clause boundary)."""
    import numpy as np

    heads = [textsignals.head_clause(s) for s in sources]
    with_head = [k for k, h in enumerate(heads) if h is not None]
    # one engine call for all three kinds of text: length-sorted batches across them keep the
    # threads busier than three calls would
    texts = [*sources, *targets, *(heads[k] or "" for k in with_head)]
    vectors = embedder.encode(texts, progress=progress)
    n = len(sources)
    src_vecs, tgt_vecs, head_vecs = vectors[:n], vectors[n : 2 * n], vectors[2 * n :]
    cos = np.einsum("kd,kd->k", src_vecs, tgt_vecs)
    gain = np.full(n, np.nan)
    if with_head:
        gain[with_head] = np.einsum("kd,kd->k", head_vecs, tgt_vecs[with_head]) - cos[with_head]
    return cos, (src_vecs, tgt_vecs), gain


def quality_findings(
    source: str,
    target: str,
    glossary: Glossary | GlossaryIndex,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    alignment: WordAlignment | None = None,
) -> list[textsignals.Finding]:
    """The row's glossary findings as quality-estimate findings (signal "glossary", evidence in
    nats from ``GLOSSARY_EVIDENCE``), to add to ``textsignals.text_findings`` of the row. It lives
    here, with its user, so that the glossary imports nothing of the quality estimate.
    ``alignment``: the row's word alignment, when the estimate computed one."""
    return [
        textsignals.Finding(GLOSSARY_SIGNAL, GLOSSARY_EVIDENCE[f.check], f.reason)
        for f in row_findings(source, target, glossary, src_lang, tgt_lang, alignment)
    ]


def _omission_alignments(
    sources: Sequence[str],
    targets: Sequence[str],
    live: Sequence[int],
    ratios: Sequence[float],
    cal: QualityCalibration,
    glossary: Glossary | None,
    src_lang: str | None,
    tgt_lang: str | None,
    left_out: dict[str, str],
    aligner: WordAligner | None,
    embedder: Embedder | None,
) -> dict[int, WordAlignment]:
    """Word alignments (by position in ``live``) of the rows where an omission can hide (shorter
    than usual) or a glossary term was found; {} with the reason in ``left_out`` when there is no
    aligner or it cannot be made."""
    if aligner is None and embedder is None:
        left_out[omission.OMISSION_SIGNAL] = "no word aligner (no sentence embedder given)"
        return {}
    from align.errors import AlignError

    rows: set[int] = set()
    if cal.length is None:
        left_out[omission.OMISSION_SIGNAL] = "too few rows for this document's length norm"
    else:
        rows |= set(omission.gated([cal.length.z(r) for r in ratios]))
    if glossary:
        from align.glossary import glossary_hits

        index = glossary.index(src_lang, tgt_lang)
        rows |= {k for k, i in enumerate(live) if glossary_hits(sources[i], index)}
    ordered = sorted(rows)
    if not ordered:
        return {}
    try:
        use = aligner if aligner is not None else omission.aligner_for(embedder)
        found = omission.align_rows(aligner or embedder, use, sources, targets, [live[k] for k in ordered])
    except AlignError as error:
        left_out[omission.OMISSION_SIGNAL] = str(error)
        return {}
    return {k: found[live[k]] for k in ordered}


def _empty(source: str, target: str) -> Estimate:
    if source.strip() and not target.strip():
        return Estimate(0.0, ("target empty",), {"empty": 50.0})
    return Estimate(1.0)


def _estimate(
    source: str,
    target: str,
    src_lang: str | None,
    tgt_lang: str | None,
    cal: QualityCalibration,
    *,
    ratio: float,
    cos: float | None,
    gain: float | None,
    model: TokenScores | None,
    glossary: Glossary | None = None,
    alignment: WordAlignment | None = None,
) -> Estimate:
    evidence: dict[str, float] = {}
    reasons: list[tuple[float, str]] = []
    findings = textsignals.text_findings(source, target, src_lang, tgt_lang)
    if glossary is not None:
        findings += quality_findings(source, target, glossary, src_lang, tgt_lang, alignment)
    if alignment is not None:
        findings += omission.omission_findings(source, alignment)
    for finding in findings:
        evidence[finding.signal] = evidence.get(finding.signal, 0.0) + finding.evidence
        if finding.evidence >= REASON_FROM:
            reasons.append((finding.evidence, finding.reason))
    if cal.length is not None:
        z = cal.length.z(ratio)
        # shorter than usual counts a little from the start (omission is MT's commonest
        # adequacy error); any deviation counts fully beyond LENGTH_FREE
        weight = SHORTER_WEIGHT * max(0.0, -z) + LENGTH_WEIGHT * max(0.0, abs(z) - LENGTH_FREE)
        evidence["length"] = weight
        if abs(z) > LENGTH_FREE and weight >= REASON_FROM:
            usual, this = math.exp(cal.length.centre), math.exp(ratio)
            word = "shorter" if z < 0 else "longer"
            reasons.append((weight, f"much {word} than usual: {this:.0%} of the source's length (usual here {usual:.0%})"))
    if cos is not None:
        _similarity(cos, cal, evidence, reasons)
        if "untranslated" in evidence:  # a copy of the source is as "similar" as it gets: no bonus
            evidence["similarity"] = max(evidence["similarity"], 0.0)
    if gain is not None and math.isfinite(gain) and cal.clause_gain is not None:
        weight = CLAUSE_WEIGHT * max(0.0, cal.clause_gain.z(gain) - CLAUSE_FREE)
        evidence["clause"] = weight
        if weight >= REASON_FROM:
            head = textsignals.head_clause(source) or ""
            tail = source.strip()[len(head) :].lstrip(",;:–—- ")
            reasons.append((weight, f"the end of the source may be missing: '{_clip(tail)}'"))
    if model is not None:
        _model(model, cal, evidence, reasons)
    logit = PRIOR - sum(evidence.values())
    score = 1.0 / (1.0 + math.exp(-max(min(logit, 50.0), -50.0)))
    ordered = tuple(text for _, text in sorted(reasons, key=lambda r: -r[0]))
    return Estimate(score, ordered, evidence)


def _similarity(cos: float, cal: QualityCalibration, evidence: dict[str, float], reasons: list[tuple[float, str]]) -> None:
    mu1, sd1, mu0, sd0 = DEFAULT_SIMILARITY
    match = cal.similarity or Norm(mu1, sd1)
    unrelated = cal.unrelated or Norm(mu0, sd0)
    z = match.z(cos)
    weight = -SIMILARITY_WEIGHT * _soft_cap(z)
    # as likely among random pairs as among this document's translations: a different sentence
    llr = _log_normal(cos, unrelated) - _log_normal(cos, match)
    if llr > 0:
        weight += UNRELATED
        reasons.append((weight, f"seems unrelated to the source (similarity {cos:.2f}; usual here {match.centre:.2f})"))
    elif weight >= 2 * REASON_FROM:
        reasons.append((weight, f"meaning may differ from the source (similarity {cos:.2f}; usual here {match.centre:.2f})"))
    evidence["similarity"] = weight


def _model(scores: TokenScores, cal: QualityCalibration, evidence: dict[str, float], reasons: list[tuple[float, str]]) -> None:
    from align.quality.modelscore import token_text

    mean, weakest = scores.mean, scores.weakest
    if mean is None or weakest is None:
        return
    mean_norm = cal.model_mean or Norm(*DEFAULT_MODEL_MEAN)
    min_norm = cal.model_min or Norm(*DEFAULT_MODEL_MIN)
    z = mean_norm.z(mean)
    weight = -MODEL_WEIGHT * _soft_cap(z)
    if weight >= 2 * REASON_FROM:
        reasons.append((weight, f"the model finds this translation unlikely (mean token probability {math.exp(mean):.0%})"))
    z_min = min_norm.z(weakest[1])
    weak = WEAK_TOKEN_WEIGHT * max(0.0, -z_min - WEAK_TOKEN_FREE)
    if weak >= REASON_FROM:
        reasons.append((weak, f"the model did not expect '{token_text(weakest[0])}' (probability {math.exp(weakest[1]):.1%})"))
    evidence["model"] = weight + weak


def _soft_cap(z: float) -> float:
    """z below 0; above, a bonus that grows ever slower towards BONUS_CAP (monotone: better rows
    still rank higher, but no similarity outweighs a finding)."""
    return z if z <= 0 else BONUS_CAP * math.tanh(z / BONUS_CAP)


def _finite(values: np.ndarray) -> list[float]:
    return [float(v) for v in values if math.isfinite(v)]


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _log_normal(x: float, norm: Norm) -> float:
    return -0.5 * ((x - norm.centre) / norm.spread) ** 2 - math.log(norm.spread)
