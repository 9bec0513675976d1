"""A screenshot walk-through of the review page in a real browser (Debian's Chromium):

import a TMX into the translation memory, set a shared glossary, translate a .docx with repeats,
fix a sentence in the segment editor, apply the fix to its repeats, export the translated .docx.

    python -m devtools walkthrough OUT_DIR

Writes ``01-memory.png`` ... ``06-export.png`` and the exported ``translated.docx`` into OUT_DIR,
and returns what the export holds, so ``tests/test_walkthrough.py`` can check every step. The page
runs on a fresh data folder with the fixture package (a tiny de->en model that knows the
sentences of ``devtools/data/fixture_pairs.tsv``), so the walk-through needs no download.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
FIXTURE = REPO / "data" / "models" / "translate-de_en-fixture.argosmodel"

REPEATED = "Der Eintritt ist frei."  # three times in the document: the fix is applied to its repeats
IN_MEMORY = "Bei Regen fällt das Fest aus."  # a 100% match of the imported TMX
FIX = "Entry is free of charge."
# the sidebar's uploaders: models, memory, glossary (in that order); the new project's in the main area
SIDEBAR_UPLOAD = '[data-testid="stSidebar"] [data-testid="stFileUploaderDropzoneInput"]'
MAIN_UPLOAD = '[data-testid="stMain"] [data-testid="stFileUploaderDropzoneInput"]'


@dataclass(frozen=True)
class Walkthrough:
    screenshots: list[Path]
    exported: Path
    paragraphs: list[str]  # the exported .docx's paragraph texts
    bold: list[str]  # its bold runs


def source_docx(path: Path) -> Path:
    """A small German .docx: a heading, paragraphs, a bold sentence, and one sentence three times."""
    import docx

    document = docx.Document()
    document.add_heading("Neue Fahrradbrücke über die Elbe eröffnet", level=1)
    opening = "Nach drei Jahren Bauzeit ist die neue Fahrradbrücke in Dresden am Samstag eröffnet worden."
    document.add_paragraph(f"{opening} {REPEATED}")
    para = document.add_paragraph()
    para.add_run("Am Sonntag gibt es auf der Brücke ein Fest mit Musik und Essen.").bold = True
    para.add_run(" " + REPEATED)
    document.add_paragraph(IN_MEMORY + " " + REPEATED)
    document.save(str(path))
    return path


def memory_tmx(path: Path) -> Path:
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header srclang="de-DE" datatype="plaintext" '
        'segtype="sentence" adminlang="en" o-tmf="x" creationtool="x" creationtoolversion="1"/><body>\n'
        f'<tu><tuv xml:lang="de-DE"><seg>{IN_MEMORY}</seg></tuv>'
        '<tuv xml:lang="en-GB"><seg>In case of rain, the festival is cancelled.</seg></tuv></tu>\n'
        "</body></tmx>\n",
        encoding="utf-8",
        newline="\n",
    )
    return path


def glossary_csv(path: Path) -> Path:
    path.write_text("source,target\nFahrradbrücke,cycle bridge\nFest,festival\n", encoding="utf-8", newline="\n")
    return path


@contextmanager
def page_server(home: Path) -> Iterator[str]:
    """``streamlit run app.py`` on a free port over ``home``; yields its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = (home / "streamlit.log").open("wb")  # the server's bytes as they come, read back as UTF-8
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"]
    proc = subprocess.Popen(
        [*cmd, "--browser.gatherUsageStats", "false"],
        cwd=REPO,
        env=dict(os.environ, ALIGN_HOME=str(home), PYTHONIOENCODING="utf-8"),  # its log: UTF-8 on Windows too
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start: {_log_tail(home / 'streamlit.log')}")
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _log_tail(path: Path, size: int = 2000) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-size:]


def idle(page, timeout: float = 120) -> None:
    """Wait until the script run ends (the running indicator goes away)."""
    time.sleep(0.4)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=timeout * 1000)
    time.sleep(0.3)


def _chromium() -> str | None:
    """Debian's Chromium where it is installed, else Playwright's own (``playwright install
    chromium``: Windows, macOS)."""
    return str(CHROMIUM) if CHROMIUM.exists() else None


def run(out_dir: Path) -> Walkthrough:
    import docx
    from playwright.sync_api import sync_playwright

    from align.mt.packages import install_from_path
    from align.settings import load_settings

    out_dir.mkdir(parents=True, exist_ok=True)
    shots: list[Path] = []
    # ignore_cleanup_errors: on Windows a file the stopped server held a moment ago may still be locked
    with tempfile.TemporaryDirectory(prefix="align-walkthrough-", ignore_cleanup_errors=True) as scratch:
        home, files = Path(scratch) / "home", Path(scratch) / "files"
        home.mkdir()
        files.mkdir()
        install_from_path(FIXTURE, load_settings(home=home))
        document = source_docx(files / "Bruecke.docx")
        with page_server(home) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=_chromium(), args=["--headless", "--no-sandbox", "--disable-gpu"])
            page = browser.new_context(viewport={"width": 1600, "height": 1200}, accept_downloads=True).new_page()

            def shot(name: str) -> None:
                path = out_dir / name
                page.screenshot(path=str(path), full_page=True)
                shots.append(path)

            try:
                exported = _steps(page, url, files, document, shot, out_dir)
            except Exception:
                page.screenshot(path=str(out_dir / "failed.png"), full_page=True)
                (out_dir / "streamlit.log").write_bytes((home / "streamlit.log").read_bytes())
                raise
            browser.close()
    result = docx.Document(str(exported))
    paragraphs = [p.text for p in result.paragraphs]
    bold = [r.text for p in result.paragraphs for r in p.runs if r.bold and r.text.strip()]
    return Walkthrough(shots, exported, paragraphs, bold)


def _steps(page, url: str, files: Path, document: Path, shot, out_dir: Path) -> Path:
    """The walk-through's clicks, a screenshot after each step; returns the exported .docx."""
    page.goto(url)
    page.get_by_text("New project").first.wait_for(timeout=60_000)
    idle(page)

    # 1. import a TMX into the translation memory (sidebar)
    page.get_by_text("Translation memory", exact=True).click()
    page.locator(SIDEBAR_UPLOAD).nth(1).set_input_files(str(memory_tmx(files / "memory.tmx")))
    idle(page)
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("Imported memory.tmx").wait_for(timeout=60_000)
    shot("01-memory.png")

    # 2. a shared glossary (sidebar)
    page.get_by_text("Glossary", exact=True).click()
    page.locator(SIDEBAR_UPLOAD).nth(2).set_input_files(str(glossary_csv(files / "glossary.csv")))
    idle(page)
    page.get_by_role("button", name="Use as shared glossary", exact=True).click()
    page.get_by_text("Shared glossary: 2 entries").wait_for(timeout=60_000)
    shot("02-glossary.png")

    # 3. translate a .docx with repeats: one row comes from the memory, the rest from the machine
    page.get_by_label("Project name").fill("Brücke")
    page.locator(MAIN_UPLOAD).first.set_input_files(str(document))
    idle(page)
    page.get_by_role("button", name="Translate", exact=True).click()
    page.locator('[data-testid="data-grid-canvas"]').first.wait_for(timeout=180_000)
    idle(page)
    shot("03-translated.png")

    # 4. fix the repeated sentence in the segment editor (its first occurrence, row 3)
    for _ in range(2):
        page.get_by_role("button", name="Next ▶", exact=True).click()
        idle(page)
    target = page.get_by_label("Target (en)", exact=True)
    target.fill(FIX)
    page.get_by_role("button", name="Save", exact=True).click()
    idle(page)
    shot("04-fixed.png")

    # 5. apply the fix to its repeats, then confirm it
    page.get_by_role("button", name="Apply this target to 2 repeat(s)", exact=True).click()
    idle(page)
    page.get_by_label("Target (en)", exact=True).press("Control+Enter")
    idle(page)
    shot("05-propagated.png")

    # 6. export the translated .docx (unconfirmed rows: the machine translation)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="DOCX", exact=True).click()
    exported = out_dir / "translated.docx"
    download.value.save_as(exported)
    shot("06-export.png")
    return exported


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m devtools walkthrough", description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", help="folder for the screenshots and the exported .docx")
    args = parser.parse_args(argv)
    done = run(Path(args.out_dir))
    for path in done.screenshots:
        print(path)
    print(done.exported)
    for text in done.paragraphs:
        print(f"  | {text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
