"""Document-level flows that the page, the command line and the batch script share.

Each flow composes the single-job modules (readers, segment, translate, aligner, writers)
into an ``AlignedDocument``; nothing here parses arguments or prints.

Two owners edit this file: the translation flows (``translate_*``) and the alignment flows
(``align_*``). Keep each section self-contained.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

# ---- translation flows ------------------------------------------------------------------------


# ---- alignment flows --------------------------------------------------------------------------
