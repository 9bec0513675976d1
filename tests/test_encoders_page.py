"""The page's choice of sentence embedder: shown only where encoders were imported."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("transformers")

from streamlit.testing.v1 import AppTest  # noqa: E402

from align.cli import main  # noqa: E402
from devtools.checkpoints import build_bert_encoder  # noqa: E402

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("ALIGN_HOME", str(folder))
    return folder


def choices(at: AppTest) -> list[AppTest]:
    return [box for box in at.selectbox if box.label == "Sentence embedder"]


def test_no_choice_without_imported_encoders(home: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    assert choices(at) == []


def test_imported_encoders_are_offered_with_e5_small_the_default(home: Path, tmp_path: Path) -> None:
    folder = build_bert_encoder(tmp_path / "tiny-labse")
    assert main(["--home", str(home), "models", "import-embedder", str(folder), "--name", "labse-tiny"]) == 0
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    (box,) = choices(at)
    assert box.options == ["e5-small (default)", "labse-tiny"] and box.value == ""
    box.set_value("labse-tiny").run()
    assert not at.exception, at.exception
    assert at.session_state["embedder_name"] == "labse-tiny"
