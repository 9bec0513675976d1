"""SentencePiece: the joint vocabulary trained on the pairs, grown to 32k pieces for the bench."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from align.errors import PackageError


def train_sentencepiece(texts: Sequence[str], prefix: Path, vocab_size: int, seed: int = 1) -> Path:
    """Train a joint unigram SentencePiece model on ``texts``; return the ``.model`` file.

    Deterministic: one thread, no sampling of the input, fixed generator seed. Every character of
    the texts is covered, so training sentences never contain ``<unk>``.
    """
    import sentencepiece as spm

    prefix.parent.mkdir(parents=True, exist_ok=True)
    corpus = prefix.with_suffix(".txt")
    corpus.write_text("\n".join(texts) + "\n", encoding="utf-8")
    spm.set_random_generator_seed(seed)
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        model_type="unigram",
        vocab_size=vocab_size,
        character_coverage=1.0,
        hard_vocab_limit=False,
        num_threads=1,
        input_sentence_size=0,
        shuffle_input_sentence=False,
        minloglevel=2,
    )
    # The trainer records its input file and output prefix (temporary paths): drop them so the
    # same seed gives byte-identical packages.
    from sentencepiece import sentencepiece_model_pb2 as pb

    model_file = prefix.with_suffix(".model")
    proto = pb.ModelProto()
    proto.ParseFromString(model_file.read_bytes())
    del proto.trainer_spec.input[:]
    proto.trainer_spec.model_prefix = ""
    model_file.write_bytes(proto.SerializeToString())
    return model_file


def pad_sentencepiece(model_bytes: bytes, vocab_size: int, texts: Iterable[str]) -> bytes:
    """Grow a trained SentencePiece model to ``vocab_size`` pieces through its protobuf.

    A 32k vocabulary cannot be learned from a few hundred sentences, so the extra pieces are
    generated: the substrings of the words in ``texts`` (word starts carry the ``▁`` mark),
    most frequent first, then concatenations of learned pieces. They are scored below every
    learned piece, in frequency order, so frequent whole words become single pieces as in a real
    32k vocabulary while the learned segmentation still decides the rest. The result loads with
    sentencepiece and tokenises German like any unigram model.
    """
    from collections import Counter

    from sentencepiece import sentencepiece_model_pb2 as pb

    normal = pb.ModelProto.SentencePiece.NORMAL
    proto = pb.ModelProto()
    proto.ParseFromString(model_bytes)
    existing = {piece.piece for piece in proto.pieces}
    learned = [piece for piece in proto.pieces if piece.type == normal]
    lowest = min(piece.score for piece in learned)

    counts: Counter[str] = Counter()
    for text in texts:
        for match in re.finditer(r"\w+", text):
            at_word_start = match.start() == 0 or text[match.start() - 1].isspace()
            marked = ("\u2581" if at_word_start else "") + match.group()
            for start in range(len(marked)):
                for end in range(start + 2, min(len(marked), start + 16) + 1):
                    counts[marked[start:end]] += 1
    ranked = sorted(counts, key=lambda piece: (-counts[piece] * len(piece), piece))
    ranked += [first.piece + second.piece.lstrip("\u2581") for first in learned for second in learned]

    wanted = vocab_size - len(proto.pieces)
    added = 0
    for piece in ranked:
        if added >= wanted:
            break
        if piece in existing or not piece.strip("\u2581") or "\u2581" in piece[1:]:
            continue
        existing.add(piece)
        new = proto.pieces.add()
        new.piece, new.type = piece, normal
        new.score = lowest - 0.5 - 6.0 * added / max(1, wanted)
        added += 1
    if len(proto.pieces) != vocab_size:
        raise PackageError(f"could only make {len(proto.pieces)} SentencePiece pieces, {vocab_size} asked")
    proto.trainer_spec.vocab_size = vocab_size
    return proto.SerializeToString()


def sentencepiece_vocabulary(model_file: Path) -> list[str]:
    """The pieces of a SentencePiece model in id order: the CTranslate2 vocabulary, id for id."""
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_file=str(model_file))
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def sentencepiece_processor(model_file: Path):
    import sentencepiece as spm

    return spm.SentencePieceProcessor(model_file=str(model_file))
