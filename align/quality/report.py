"""The estimate in words: a score table (one line per row) and a summary of what was used.

The table is what ``align estimate -o scores.tsv`` writes: tab-separated, a header, then the line
number, the score, its band, the reasons (joined with " | ") and the two texts for context.
"""

from __future__ import annotations

from align.document import AlignedDocument, QualityRecord

HEADER = ("line", "quality", "band", "reasons", "source", "target")
GOOD = 0.9  # bands in the spirit of TAUS's MTQE thresholds: no fix expected from here,
CHECK = 0.5  # worth a look from here, likely a fix below


def quality_band(score: float) -> str:
    """good / check / poor: how urgent a look at the row is."""
    return "good" if score >= GOOD else "check" if score >= CHECK else "poor"


def _cell(text: str) -> str:
    return " ".join(text.split())  # tabs and line breaks would break the table


def score_table(doc: AlignedDocument) -> str:
    """The TSV text of the document's estimates, one row per pair, in document order."""
    lines = ["\t".join(HEADER)]
    for i, pair in enumerate(doc.pairs, 1):
        score = "" if pair.quality is None else f"{pair.quality:.3f}"
        band = "" if pair.quality is None else quality_band(pair.quality)
        lines.append("\t".join((str(i), score, band, _cell(" | ".join(pair.reasons)), _cell(pair.source), _cell(pair.target))))
    return "\n".join(lines) + "\n"


def summary(doc: AlignedDocument) -> str:
    """One paragraph: the bands' counts, the signals used and those left out with the reason."""
    info = doc.signature.settings.quality or QualityRecord()
    scores = [p.quality for p in doc.pairs if p.quality is not None]
    counts = {band: sum(quality_band(s) == band for s in scores) for band in ("good", "check", "poor")}
    lines = [f"{len(scores)} rows estimated: {counts['good']} good, {counts['check']} to check, {counts['poor']} poor"]
    if info.used:
        lines.append(f"signals used: {', '.join(info.used)}")
    for signal, why in info.left_out.items():
        lines.append(f"{signal} signal left out: {why}")
    return "\n".join(lines)
