"""Weights -> CTranslate2: random weights shaped like a Transformer, and any weights laid out as a
``ctranslate2.specs.TransformerSpec`` (no OpenNMT, fairseq or transformers involved)."""

from __future__ import annotations

import math

from devtools.models.design import LAYER_NORM_EPSILON, MAX_POSITIONS, ModelShape


def sinusoid_table(length: int, d_model: int):
    """Sinusoidal position encodings, sines in the first half and cosines in the second."""
    import numpy as np

    positions = np.arange(length, dtype=np.float64)[:, None]
    rates = np.exp(-math.log(10000.0) * np.arange(d_model // 2, dtype=np.float64) / (d_model // 2 - 1))
    angles = positions * rates[None, :]
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1).astype(np.float32)


def _layer_names(shape: ModelShape) -> dict[str, tuple[int, ...]]:
    """Parameter names and shapes, named as torch's nn.Transformer* modules name them."""
    d, f = shape.d_model, shape.ffn
    names: dict[str, tuple[int, ...]] = {}

    def attention(prefix: str) -> None:
        names[f"{prefix}.in_proj_weight"] = (3 * d, d)
        names[f"{prefix}.in_proj_bias"] = (3 * d,)
        names[f"{prefix}.out_proj.weight"] = (d, d)
        names[f"{prefix}.out_proj.bias"] = (d,)

    def block(prefix: str, norms: int) -> None:
        names[f"{prefix}.linear1.weight"] = (f, d)
        names[f"{prefix}.linear1.bias"] = (f,)
        names[f"{prefix}.linear2.weight"] = (d, f)
        names[f"{prefix}.linear2.bias"] = (d,)
        for n in range(1, norms + 1):
            names[f"{prefix}.norm{n}.weight"] = (d,)
            names[f"{prefix}.norm{n}.bias"] = (d,)

    for i in range(shape.encoder_layers):
        attention(f"encoder.layers.{i}.self_attn")
        block(f"encoder.layers.{i}", norms=2)
    for i in range(shape.decoder_layers):
        attention(f"decoder.layers.{i}.self_attn")
        attention(f"decoder.layers.{i}.multihead_attn")
        block(f"decoder.layers.{i}", norms=3)
    for side in ("encoder", "decoder"):
        names[f"{side}.norm.weight"] = (d,)
        names[f"{side}.norm.bias"] = (d,)
    return names


def random_weights(shape: ModelShape, vocab_size: int, rng) -> dict:
    """Random weights for every parameter, scaled like a freshly initialised Transformer."""
    import numpy as np

    weights = {}
    for name, dims in _layer_names(shape).items():
        if len(dims) == 1 and "norm" in name.rsplit(".", 2)[-2] and name.endswith(".weight"):
            weights[name] = np.ones(dims, dtype=np.float32)
        elif len(dims) == 1:
            weights[name] = np.zeros(dims, dtype=np.float32)
        else:
            limit = math.sqrt(6.0 / (dims[0] + dims[1]))
            weights[name] = rng.uniform(-limit, limit, size=dims).astype(np.float32)
    weights["embeddings"] = rng.normal(0.0, shape.d_model**-0.5, size=(vocab_size, shape.d_model)).astype(np.float32)
    # ReLU outputs have a positive mean, which the second FFN matrix turns into one constant
    # direction that swamps the input after six layers; the bias takes that mean back out.
    relu_mean = math.sqrt(shape.d_model * 2.0 / (shape.d_model + shape.ffn)) / math.sqrt(2 * math.pi)
    for name in list(weights):
        if name.endswith("linear2.weight"):
            weights[name.replace("weight", "bias")] = -(weights[name].sum(axis=1) * relu_mean).astype(np.float32)
    # An untied output projection: tied random embeddings make the decoder echo its own input
    # forever (the fed-back token is always the best match), which no trained model does.
    weights["projection"] = rng.normal(0.0, shape.d_model**-0.5, size=(vocab_size, shape.d_model)).astype(np.float32)
    weights["output_bias"] = np.zeros((vocab_size,), dtype=np.float32)
    return weights


def transformer_spec(weights: dict, shape: ModelShape, vocabulary: list[str]):
    """Lay ``weights`` (torch nn.Transformer names) out as a CTranslate2 TransformerSpec.

    Pre-norm layers, ReLU, embeddings multiplied by sqrt(d_model) and shared between encoder,
    decoder and output projection, as in Argos's OpenNMT-py models with a shared vocabulary.
    """
    import numpy as np
    from ctranslate2.specs import TransformerSpec

    spec = TransformerSpec.from_config((shape.encoder_layers, shape.decoder_layers), shape.heads)
    spec.config.layer_norm_epsilon = LAYER_NORM_EPSILON
    d = shape.d_model
    table = sinusoid_table(MAX_POSITIONS, d)
    embeddings = np.ascontiguousarray(weights["embeddings"], dtype=np.float32)

    def w(name: str):
        return np.ascontiguousarray(weights[name], dtype=np.float32)

    def norm(target, name: str) -> None:
        target.gamma, target.beta = w(f"{name}.weight"), w(f"{name}.bias")

    def linear(target, weight, bias) -> None:
        target.weight, target.bias = np.ascontiguousarray(weight), np.ascontiguousarray(bias)

    def feed_forward(target, prefix: str, norm_name: str) -> None:
        norm(target.layer_norm, f"{prefix}.{norm_name}")
        linear(target.linear_0, w(f"{prefix}.linear1.weight"), w(f"{prefix}.linear1.bias"))
        linear(target.linear_1, w(f"{prefix}.linear2.weight"), w(f"{prefix}.linear2.bias"))

    def self_attention(target, prefix: str) -> None:
        linear(target.linear[0], w(f"{prefix}.self_attn.in_proj_weight"), w(f"{prefix}.self_attn.in_proj_bias"))
        linear(target.linear[1], w(f"{prefix}.self_attn.out_proj.weight"), w(f"{prefix}.self_attn.out_proj.bias"))
        norm(target.layer_norm, f"{prefix}.norm1")

    for side in (spec.encoder, spec.decoder):
        side.scale_embeddings = True
        side.position_encodings.encodings = table
    spec.encoder.embeddings[0].weight = embeddings
    spec.decoder.embeddings.weight = embeddings
    spec.decoder.projection.weight = w("projection") if "projection" in weights else embeddings
    spec.decoder.projection.bias = w("output_bias")
    norm(spec.encoder.layer_norm, "encoder.norm")
    norm(spec.decoder.layer_norm, "decoder.norm")

    for i, layer in enumerate(spec.encoder.layer):
        self_attention(layer.self_attention, f"encoder.layers.{i}")
        feed_forward(layer.ffn, f"encoder.layers.{i}", "norm2")

    for i, layer in enumerate(spec.decoder.layer):
        prefix = f"decoder.layers.{i}"
        self_attention(layer.self_attention, prefix)
        cross = layer.attention  # torch keeps query, key and value in one matrix; CTranslate2 splits query off
        in_w, in_b = w(f"{prefix}.multihead_attn.in_proj_weight"), w(f"{prefix}.multihead_attn.in_proj_bias")
        linear(cross.linear[0], in_w[:d], in_b[:d])
        linear(cross.linear[1], in_w[d:], in_b[d:])
        linear(cross.linear[2], w(f"{prefix}.multihead_attn.out_proj.weight"), w(f"{prefix}.multihead_attn.out_proj.bias"))
        norm(cross.layer_norm, f"{prefix}.norm2")
        feed_forward(layer.ffn, prefix, "norm3")

    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.validate()
    return spec
