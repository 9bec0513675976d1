"""Argos-format packages the project builds itself, because no model can be downloaded here.

Two packages, both real ``.argosmodel`` zips that argostranslate could install:

* the *fixture*: a tiny de->en Transformer trained with torch on ``data/fixture_pairs.tsv``
  until CTranslate2 reproduces every training pair exactly (int8 and float32, beam 1 and 2, with
  our decoding defaults) on every kernel path of the building CPU, with a wide logit margin.
  Tests use it as the real translation backend and can assert exact English output for any
  German sentence in the pairs file. Training is deterministic on one CPU, not across CPUs, so
  the built package is shipped in ``data/models/`` with a build record, and tests train nothing.
* the *bench*: random weights in the shape of Argos's de->en 1.0 model (Transformer base, 6+6
  layers, d_model 512, 8 heads, FFN 2048, shared 32k SentencePiece vocabulary, int8), so speed
  measurements see the same matrix sizes as the real model. Its output is noise by design; its
  end-of-sentence bias is calibrated so greedy outputs have a realistic median length, and a
  benchmark that needs exact output lengths pins min/max_decoding_length.

argostranslate 1.11 installs and loads both (``package.install_from_path``, its SentencePiece
tokenizer, ``translate.apply_packaged_translation``); only its own sentence splitters (MiniSBD,
Stanza) want to download models, so offline a caller splits sentences itself.

The weights are written straight into a ``ctranslate2.specs.TransformerSpec``: no OpenNMT,
fairseq or transformers is involved. Heavy libraries are imported inside the functions.

The modules, in the order a build goes through them: ``design`` (the training pairs, decoding
defaults and model shapes), ``vocabulary`` (SentencePiece), ``training`` (torch), ``weights``
(weights -> CTranslate2), ``check`` (exact pairs, margins, every kernel path; ``__main__`` runs one
path's report in its own process), ``package`` (metadata, README, zip) and ``build`` (the two
builders and the fixture's build key, which covers every module here and the pairs).
"""

from devtools.models.build import (
    FIXTURE_NAME,
    WEIGHT_LEVELS,
    build_bench_package,
    build_dev_packages,
    build_fixture_package,
    builder_key,
    file_sha256,
    fixture_record_path,
    quantize_weights,
)
from devtools.models.check import (
    KernelPath,
    KernelReport,
    check_kernel_paths,
    check_pairs,
    cpu_flags,
    cpu_model_name,
    fixture_report,
    kernel_paths,
    translate_sentences,
)
from devtools.models.design import (
    BENCH_SHAPE,
    BENCH_VOCAB_SIZE,
    DEFAULT_DECODING,
    FIXTURE_PAIRS,
    FIXTURE_SHAPE,
    FIXTURE_VOCAB_SIZE,
    MIN_LOGIT_MARGIN,
    ModelShape,
    load_fixture_pairs,
)

__all__ = [
    "BENCH_SHAPE",
    "BENCH_VOCAB_SIZE",
    "DEFAULT_DECODING",
    "FIXTURE_NAME",
    "FIXTURE_PAIRS",
    "FIXTURE_SHAPE",
    "FIXTURE_VOCAB_SIZE",
    "MIN_LOGIT_MARGIN",
    "WEIGHT_LEVELS",
    "KernelPath",
    "KernelReport",
    "ModelShape",
    "build_bench_package",
    "build_dev_packages",
    "build_fixture_package",
    "builder_key",
    "check_kernel_paths",
    "check_pairs",
    "cpu_flags",
    "cpu_model_name",
    "file_sha256",
    "fixture_record_path",
    "fixture_report",
    "kernel_paths",
    "load_fixture_pairs",
    "quantize_weights",
    "translate_sentences",
]
