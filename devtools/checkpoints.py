"""Random-weight Hugging Face checkpoints shaped like OPUS-MT (Marian), M2M-100 and NLLB-200, built locally.

No model can be downloaded here, so the import path (``python -m align models import``) is tested
and benchmarked on checkpoint folders we write ourselves: the same files a hub download has
(``config.json``, ``model.safetensors``, the tokenizer's SentencePiece models, ``vocab.json``,
``tokenizer_config.json``, ``README.md`` with a licence), random weights, SentencePiece models
trained on the German and English sides of ``devtools/data/fixture_pairs.tsv``. Everything is
seeded, so a test can compare CTranslate2's output with transformers' token for token.

Needs transformers and torch (``pip install -r requirements-dev.txt``); imported lazily.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

PAIRS = Path(__file__).resolve().parent / "data" / "fixture_pairs.tsv"
README = "---\nlicense: {license}\n---\n\n# {name}\n\nRandom weights, for tests only.\n"


@dataclass(frozen=True)
class Shape:
    """Transformer sizes of a generated checkpoint (tiny for tests, transformer-base for benchmarks)."""

    d_model: int = 32
    layers: int = 2
    heads: int = 2
    ffn: int = 64
    vocab: int = 300  # SentencePiece pieces per side (hard limit off: fewer if the text has fewer)
    max_positions: int = 256
    # Marian only: unused entries appended to vocab.json up to this size, so that the embeddings and
    # the output layer are as large as a real model's (opus-mt-de-en: 58,101) for speed measurements
    vocab_total: int = 0


#: transformer-base, the shape of Helsinki-NLP/opus-mt-de-en (random weights: for speed only)
MARIAN_BASE = Shape(d_model=512, layers=6, heads=8, ffn=2048, vocab=8000, max_positions=512, vocab_total=58101)


def fixture_sides() -> tuple[list[str], list[str]]:
    """The German and the English sentences of the fixture pairs."""
    de, en = [], []
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            a, b = line.split("\t", 1)
            de.append(a.strip())
            en.append(b.strip())
    return de, en


def train_spm(sentences: list[str], vocab_size: int, path: Path, *, hard: bool = False) -> Path:
    """Train a unigram SentencePiece model on ``sentences`` (one thread: deterministic)."""
    import sentencepiece as spm

    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences),
        model_writer=buffer,
        vocab_size=vocab_size,
        hard_vocab_limit=hard,
        model_type="unigram",
        character_coverage=1.0,
        num_threads=1,
        seed_sentencepiece_size=100000,
        minloglevel=2,
    )
    path.write_bytes(buffer.getvalue())
    return path


def _pieces(path: Path) -> list[str]:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(path))
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size()) if not (sp.is_control(i) or sp.is_unknown(i))]


def _synthetic(sentences: list[str], vocab: int) -> list[str]:
    """Training text with enough distinct words for a ``vocab``-sized SentencePiece model: the
    sentences, then numbered word variants (transformer-base vocabularies exceed our few pairs)."""
    if vocab <= 400:
        return sentences
    words = sorted({w for s in sentences for w in s.split()})
    extra = [" ".join(f"{w}{n}" for w in words[k : k + 12]) for n in range(vocab // 40) for k in range(0, len(words), 12)]
    return sentences + extra


def _save(model: Any, tokenizer: Any, folder: Path, name: str, license: str) -> Path:
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    (folder / "README.md").write_text(README.format(license=license, name=name), encoding="utf-8", newline="\n")
    return folder


def build_marian(folder: Path, *, shape: Shape = Shape(), seed: int = 1, init_std: float = 0.3) -> Path:
    """A MarianMTModel checkpoint (OPUS-MT layout: source.spm, target.spm, one vocab.json)."""
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    de, en = fixture_sides()
    src = train_spm(_synthetic(de, shape.vocab), shape.vocab, folder / "source.spm")
    tgt = train_spm(_synthetic(en, shape.vocab), shape.vocab, folder / "target.spm")
    tokens = ["</s>", "<unk>"] + sorted(set(_pieces(src)) | set(_pieces(tgt)))
    tokens += [f"<unused{k}>" for k in range(max(0, shape.vocab_total - len(tokens) - 1))] + ["<pad>"]
    vocab = {t: i for i, t in enumerate(tokens)}
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8", newline="\n")
    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        decoder_vocab_size=len(vocab),
        d_model=shape.d_model,
        encoder_layers=shape.layers,
        decoder_layers=shape.layers,
        encoder_attention_heads=shape.heads,
        decoder_attention_heads=shape.heads,
        encoder_ffn_dim=shape.ffn,
        decoder_ffn_dim=shape.ffn,
        max_position_embeddings=shape.max_positions,
        activation_function="swish",
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=0,
        bad_words_ids=[[pad]],
        init_std=init_std,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        architectures=["MarianMTModel"],
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config).eval()
    tokenizer = MarianTokenizer(str(src), str(tgt), str(folder / "vocab.json"), source_lang="de", target_lang="en")
    name = "tiny-opus-mt-de-en" if shape.vocab_total == 0 else "random-opus-mt-de-en-base"
    return _save(model, tokenizer, folder, name, "cc-by-4.0")


def build_m2m100(folder: Path, *, shape: Shape = Shape(), seed: int = 1, init_std: float = 0.3) -> Path:
    """An M2M100ForConditionalGeneration checkpoint (M2M-100 layout: sentencepiece.bpe.model,
    vocab.json; the tokenizer adds the ``__xx__`` language tokens after the vocabulary)."""
    from transformers import M2M100Tokenizer

    folder.mkdir(parents=True, exist_ok=True)
    de, en = fixture_sides()
    spm_path = train_spm(_synthetic(de + en, shape.vocab), shape.vocab, folder / "sentencepiece.bpe.model")
    tokens = ["<s>", "<pad>", "</s>", "<unk>"] + _pieces(spm_path)
    (folder / "vocab.json").write_text(
        json.dumps({t: i for i, t in enumerate(tokens)}, ensure_ascii=False), encoding="utf-8", newline="\n"
    )
    from transformers.models.m2m_100.tokenization_m2m_100 import FAIRSEQ_LANGUAGE_CODES

    languages = [f"__{code}__" for code in FAIRSEQ_LANGUAGE_CODES["m2m100"]]  # listed, as in M2M-100's own files
    tokenizer = M2M100Tokenizer(
        str(folder / "vocab.json"), str(spm_path), src_lang="de", tgt_lang="en", additional_special_tokens=languages
    )
    # vocabulary, then the 100 language tokens, then fairseq's padding words (as M2M-100's own)
    vocab_size = len(tokenizer.encoder) + len(tokenizer.lang_token_to_id) + tokenizer.num_madeup_words
    model = _m2m100_model(shape, vocab_size, seed, init_std)
    return _save(model, tokenizer, folder, "tiny-m2m100", "mit")


def _m2m100_model(shape: Shape, vocab_size: int, seed: int, init_std: float, **extra: Any) -> Any:
    """A seeded M2M100ForConditionalGeneration of ``shape`` (M2M-100 and NLLB-200 share it), with
    fairseq's special ids: <s> 0, <pad> 1, </s> 2, decoding starting from </s>."""
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration

    config = M2M100Config(
        vocab_size=vocab_size,
        d_model=shape.d_model,
        encoder_layers=shape.layers,
        decoder_layers=shape.layers,
        encoder_attention_heads=shape.heads,
        decoder_attention_heads=shape.heads,
        encoder_ffn_dim=shape.ffn,
        decoder_ffn_dim=shape.ffn,
        max_position_embeddings=shape.max_positions,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        init_std=init_std,
        scale_embedding=True,
        architectures=["M2M100ForConditionalGeneration"],
        **extra,
    )
    torch.manual_seed(seed)
    return M2M100ForConditionalGeneration(config).eval()


def build_nllb(
    folder: Path, *, shape: Shape = Shape(), seed: int = 1, init_std: float = 0.3, legacy_behaviour: bool = False
) -> Path:
    """An NLLB-200 checkpoint: M2M100ForConditionalGeneration with an NllbTokenizer (one
    sentencepiece.bpe.model, no vocab.json; the FLORES-200 codes ``deu_Latn``, ``eng_Latn``, ...
    added as special tokens after the vocabulary, as in NLLB's own files).

    ``legacy_behaviour`` is stored in tokenizer_config.json: True makes the tokenizer put the
    language token after ``</s>`` (how transformers tokenised NLLB before 4.30, and how older
    checkpoints' configs still ask for it), which is not how NLLB was trained; the importer must
    not copy that layout.
    """
    from transformers import NllbTokenizer
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    folder.mkdir(parents=True, exist_ok=True)
    de, en = fixture_sides()
    spm_path = train_spm(_synthetic(de + en, shape.vocab), shape.vocab, folder / "sentencepiece.bpe.model")
    tokenizer = NllbTokenizer(
        str(spm_path),
        src_lang="deu_Latn",
        tgt_lang="eng_Latn",
        additional_special_tokens=list(FAIRSEQ_LANGUAGE_CODES),
        legacy_behaviour=legacy_behaviour,
    )
    # <s> <pad> </s> <unk>, the pieces, the language codes, <mask>
    model = _m2m100_model(shape, len(tokenizer), seed, init_std, tokenizer_class="NllbTokenizer")
    return _save(model, tokenizer, folder, "tiny-nllb", "cc-by-nc-4.0")


def build_bert(folder: Path, *, seed: int = 1) -> Path:
    """A tiny BertModel folder: a checkpoint the importer must refuse (not a translation model)."""
    import torch
    from transformers import BertConfig, BertModel

    folder.mkdir(parents=True, exist_ok=True)
    config = BertConfig(
        vocab_size=50,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        architectures=["BertModel"],
    )
    torch.manual_seed(seed)
    BertModel(config).save_pretrained(folder)
    return folder


# --------------------------------------------------------------------------------------------
# sentence encoders (models import-embedder): BERT like LaBSE, XLM-RoBERTa like multilingual-e5
# --------------------------------------------------------------------------------------------
ENCODER_SHAPE = Shape(d_model=32, layers=2, heads=2, ffn=64, vocab=300, max_positions=64)


def _encoder_sentences() -> list[str]:
    de, en = fixture_sides()
    return de + en


def _write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8", newline="\n")


def write_sentence_transformers(folder: Path, pooling: str, *, dense: Any = None, normalize: bool = True) -> None:
    """sentence-transformers' files beside a checkpoint: modules.json, 1_Pooling/config.json, and
    a Dense layer (``dense``: a torch Linear, with tanh as LaBSE's) and Normalize where asked."""
    from safetensors.torch import save_file

    modules = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}]
    modules.append({"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"})
    _write_json(
        folder / "1_Pooling" / "config.json",
        {
            "pooling_mode_cls_token": pooling == "cls",
            "pooling_mode_mean_tokens": pooling == "mean",
            "pooling_mode_max_tokens": False,
        },
    )
    if dense is not None:
        modules.append(
            {"idx": len(modules), "name": str(len(modules)), "path": "2_Dense", "type": "sentence_transformers.models.Dense"}
        )
        _write_json(
            folder / "2_Dense" / "config.json",
            {
                "in_features": dense.in_features,
                "out_features": dense.out_features,
                "bias": True,
                "activation_function": "torch.nn.modules.activation.Tanh",
            },
        )
        state = {"linear.weight": dense.weight.detach().contiguous(), "linear.bias": dense.bias.detach().contiguous()}
        save_file(state, str(folder / "2_Dense" / "model.safetensors"))
    if normalize:
        modules.append(
            {
                "idx": len(modules),
                "name": str(len(modules)),
                "path": "3_Normalize",
                "type": "sentence_transformers.models.Normalize",
            }
        )
    _write_json(folder / "modules.json", modules)


def build_bert_encoder(folder: Path, *, shape: Shape = ENCODER_SHAPE, seed: int = 1, pooler: bool = True) -> Path:
    """A tiny random BertModel (with its pooler, as LaBSE) and a WordPiece tokenizer trained on the
    fixture pairs (cased, as LaBSE's): tokenizer.json and vocab.txt, no sentence-transformers files."""
    import torch
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    trainer = BertWordPieceTokenizer(lowercase=False, strip_accents=False)
    trainer.train_from_iterator(_encoder_sentences(), vocab_size=shape.vocab, min_frequency=1, show_progress=False)
    trainer.save_model(str(folder))  # vocab.txt
    tokenizer = BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), do_lower_case=False, strip_accents=False)
    tokenizer.model_max_length = shape.max_positions
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=shape.d_model,
        num_hidden_layers=shape.layers,
        num_attention_heads=shape.heads,
        intermediate_size=shape.ffn,
        max_position_embeddings=shape.max_positions,
        pad_token_id=tokenizer.pad_token_id,
        architectures=["BertModel"],
    )
    torch.manual_seed(seed)
    model = BertModel(config, add_pooling_layer=pooler).eval()
    return _save(model, tokenizer, folder, "tiny-labse", "apache-2.0")


def build_xlmr_encoder(folder: Path, *, shape: Shape = ENCODER_SHAPE, seed: int = 2, pooling: str | None = "mean") -> Path:
    """A tiny random XLMRobertaModel with XLM-R's tokenizer layout (sentencepiece.bpe.model with
    fairseq's id offset, tokenizer.json); ``pooling`` writes sentence-transformers' files (mean and
    Normalize, as multilingual-e5's), None leaves them out (BGE-M3's own folder has them too)."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaModel, XLMRobertaTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    spm_path = train_spm(_encoder_sentences(), shape.vocab, folder / "sentencepiece.bpe.model")
    tokenizer = XLMRobertaTokenizerFast(vocab_file=str(spm_path))
    tokenizer.model_max_length = shape.max_positions
    config = XLMRobertaConfig(
        vocab_size=len(tokenizer),
        hidden_size=shape.d_model,
        num_hidden_layers=shape.layers,
        num_attention_heads=shape.heads,
        intermediate_size=shape.ffn,
        max_position_embeddings=shape.max_positions + 2,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        architectures=["XLMRobertaModel"],
    )
    torch.manual_seed(seed)
    model = XLMRobertaModel(config).eval()
    _save(model, tokenizer, folder, "tiny-multilingual-e5", "mit")
    if pooling is not None:
        write_sentence_transformers(folder, pooling)
    return folder
