"""``python -m devtools.models report PACKAGE_DIR``: one kernel path's ``fixture_report`` as JSON on
stdout, run by ``check_kernel_paths`` in a process with that path's variables set."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from devtools.models.check import fixture_report

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "report":
        sys.exit("usage: python -m devtools.models report PACKAGE_DIR")
    json.dump(fixture_report(Path(sys.argv[2])), sys.stdout)
