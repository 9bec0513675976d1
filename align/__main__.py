"""``python -m align``: the command line."""

import sys

from align.cli import main

sys.exit(main())
