"""What the command line prints on Windows (issue 21, item 3): a redirected stdout there is a text
stream in the ANSI code page (cp1252), which has no Ł, no ő, no Cyrillic or Greek: ``python -m
align segment text.txt > out.txt`` stopped with a UnicodeEncodeError traceback. Run here with
stdout replaced by such a stream, the way Python sets it up on Windows."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

AS_ON_WINDOWS = textwrap.dedent(
    """
    import io, sys
    # Windows, stdout redirected to a file: the ANSI code page, strict errors
    sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="cp1252", errors="strict")
    from align.cli import main
    code = main(sys.argv[1:])
    sys.stdout.flush()
    raise SystemExit(code)
    """
)


def test_segment_output_holds_any_letter_on_a_windows_stdout(tmp_path):
    source = tmp_path / "polnisch.txt"
    source.write_text("Łódź ist schön. Ελλάδα liegt im Süden.\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", AS_ON_WINDOWS, "segment", str(source)], cwd=REPO, capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-500:]
    out = done.stdout.decode("utf-8")
    assert "Łódź ist schön." in out and "Ελλάδα liegt im Süden." in out
