"""Small drawing helpers every panel uses: user text as plain text, a horizontal radio, and
uploaded files as the library reads them (paths under the user's own file name)."""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from align.errors import AlignError

if TYPE_CHECKING:
    from align.glossary import Glossary

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: str) -> str:
    """Escape Markdown so a user's text shows as typed in labels and headers."""
    return _MARKDOWN.sub(r"\\\1", text)


def choice(container: Any, label: str, options: dict[str, str], key: str, on_change: Callable[[], None] | None = None) -> str:
    """A horizontal radio of ``options`` (value -> label) in ``container`` (``st`` or a column);
    returns the chosen value."""
    return container.radio(label, list(options), key=key, horizontal=True, format_func=options.get, on_change=on_change)


@contextlib.contextmanager
def uploaded_file(upload: UploadedFile) -> Iterator[Path]:
    """A temporary copy of an uploaded file under its own base name (the library reads paths, and
    its error messages then name the user's file); removed afterwards."""
    from pathlib import PureWindowsPath

    from align.filenames import safe_file_name

    # the browser's name is a stranger's string: no folders, no device names, bounded length
    name = safe_file_name(PureWindowsPath(str(upload.name)).name, "upload.txt")
    with tempfile.TemporaryDirectory(prefix="align-upload-", ignore_cleanup_errors=True) as folder:
        path = Path(folder) / (name if Path(name).suffix else f"{name}.txt")
        path.write_bytes(upload.getvalue())
        yield path


def uploaded_text(upload: UploadedFile) -> str:
    """The text of an uploaded file, read by ``align.text.readers``."""
    from align.text.readers import read_text

    with uploaded_file(upload) as path:
        return read_text(path)


def uploaded_glossary(upload: UploadedFile) -> Glossary | None:
    """The glossary of an uploaded file, or None after an error message (a bad file is refused
    before it replaces a glossary in use)."""
    from align.glossary import read_glossary

    with uploaded_file(upload) as path:
        try:
            return read_glossary(path)
        except AlignError as err:
            st.error(str(err))
            return None


def too_large(upload: UploadedFile | None) -> bool:
    """Streamlit refuses files over server.maxUploadSize; say so here too if one gets through."""
    limit = int(st.get_option("server.maxUploadSize")) * 1024 * 1024
    if upload is not None and upload.size > limit:
        st.error(f"{upload.name} is larger than {limit // (1024 * 1024)} MB; split it into smaller files.")
        return True
    return False
