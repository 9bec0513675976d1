"""``python -m devtools``: development commands (see ``devtools.cli``)."""

from devtools.cli import main

raise SystemExit(main())
