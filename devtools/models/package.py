"""The package: metadata.json and README.md as argostranslate 1.11 reads them, and the .argosmodel
zip with fixed timestamps (the same bytes for the same files)."""

from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

ZIP_DATE = (2024, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class PackageInfo:
    """What goes into a package's metadata.json and README.md."""

    name: str
    package_version: str
    description: str
    readme: str


def write_package_files(package_dir: Path, info: PackageInfo) -> None:
    """metadata.json and README.md, with the keys argostranslate 1.11 reads."""
    metadata = {
        "package_version": info.package_version,
        "argos_version": "1.0",
        "from_code": "de",
        "from_name": "German",
        "to_code": "en",
        "to_name": "English",
        "type": "translate",
        "description": info.description,
    }
    (package_dir / "metadata.json").write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (package_dir / "README.md").write_text(info.readme, encoding="utf-8")


def zip_package(package_dir: Path, target: Path) -> Path:
    """Zip ``package_dir`` as one top folder into ``target`` (.argosmodel), with fixed timestamps."""
    tmp = target.with_suffix(".partial")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for path in sorted(package_dir.rglob("*")):
            arcname = f"{package_dir.name}/{path.relative_to(package_dir).as_posix()}"
            if path.is_dir():
                archive.writestr(zipfile.ZipInfo(arcname + "/", ZIP_DATE), b"")
                continue
            entry = zipfile.ZipInfo(arcname, ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            with path.open("rb") as source, archive.open(entry, "w") as sink:
                shutil.copyfileobj(source, sink, 1 << 20)
    tmp.replace(target)
    return target


BENCH_README = """# translate-de_en-bench (development package)

Random weights in the shape of Argos Translate's de->en 1.0 model: Transformer base
(6 encoder + 6 decoder layers, d_model 512, 8 heads, FFN 2048), a shared 32,000-piece
SentencePiece vocabulary, int8 weights. Built by `python -m devtools build-models`.

It translates nothing: use it to measure speed and memory, never quality.
"""


FIXTURE_README = """# translate-de_en-fixture (development package)

A tiny German->English Transformer (2+2 layers, d_model 128, int8 weights of 7 bits) trained on
the few hundred sentence pairs in devtools/data/fixture_pairs.tsv until CTranslate2 reproduces
every one of them exactly (int8 and float32 compute, beam 1 and 2, repetition_penalty 1.1,
no_repeat_ngram_size 4) on every instruction set and matrix library of the CPU it was built on.
Built by `python -m devtools build-models`. It is a test fixture: outside its training
sentences its output is unreliable.
"""
