"""Multi-head scaled dot-product self-attention over a Japanese sentence (chapter 3).

Tokens are characters; embeddings are small and seeded, with no positional encoding,
so the block sees a bag of characters: permuting the input permutes the output.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from demos import _checks


@dataclass
class AttentionConfig:
    text: str = "猫がマットの上で寝ている"  # short enough that a T×T map stays readable on a phone
    d_model: int = 16  # width of each token vector; real LLMs use 768–16384
    heads: int = 4  # each head gets d_model / heads dimensions
    temperature: float = 1.0  # divides the scores: < 1 sharpens, > 1 flattens the weights
    causal: bool = False  # True: a token may only look at itself and earlier tokens, as in GPT
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not 1 <= len(self.text) <= 64:
            raise ValueError(f"text must be 1 to 64 characters, got {self.text!r}")
        self.d_model = _checks.integer("d_model", self.d_model, 2, 256)
        self.heads = _checks.integer("heads", self.heads, 1, 32)
        if self.d_model % self.heads:
            raise ValueError(f"heads must divide d_model ({self.d_model}); got heads={self.heads}")
        self.temperature = _checks.number("temperature", self.temperature, 0.01, 100.0)
        self.causal = _checks.flag("causal", self.causal)
        self.seed = _checks.integer("seed", self.seed, 0, 2**31 - 1)


def init_weights(d_model: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Projections with biases, as in GPT-2: Q, K, V and the output O, each (d, d) + (d,)."""
    scale = 1.0 / np.sqrt(d_model)
    weights = {}
    for name in ("q", "k", "v", "o"):
        weights[f"W{name}"] = rng.normal(0.0, scale, size=(d_model, d_model))  # (d, d)
        weights[f"b{name}"] = np.zeros(d_model)  # (d,)
    return weights


def embed(text: str, d_model: int, rng: np.random.Generator) -> np.ndarray:
    """One seeded random vector per distinct character, in order of first appearance."""
    vocab = list(dict.fromkeys(text))
    table = rng.normal(0.0, 1.0, size=(len(vocab), d_model))  # (V, d)
    index = {ch: i for i, ch in enumerate(vocab)}
    return table[[index[ch] for ch in text]]  # (T, d)


def softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=-1, keepdims=True)
    e = np.exp(scores)
    return e / e.sum(axis=-1, keepdims=True)


def attention(
    x: np.ndarray, weights: dict, heads: int, temperature: float = 1.0, causal: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Return (output (T, d), attention weights (heads, T, T))."""
    T, d = x.shape
    dk = d // heads

    def split(m: np.ndarray) -> np.ndarray:  # (T, d) -> (heads, T, dk)
        return m.reshape(T, heads, dk).transpose(1, 0, 2)

    q = split(x @ weights["Wq"] + weights["bq"])
    k = split(x @ weights["Wk"] + weights["bk"])
    v = split(x @ weights["Wv"] + weights["bv"])
    scores = q @ k.transpose(0, 2, 1) / (np.sqrt(dk) * temperature)  # (heads, T, T)
    if causal:
        future = np.triu(np.ones((T, T), dtype=bool), k=1)
        scores = np.where(future, -np.inf, scores)
    att = softmax(scores)  # (heads, T, T)
    mixed = (att @ v).transpose(1, 0, 2).reshape(T, d)  # (T, d)
    return mixed @ weights["Wo"] + weights["bo"], att


def param_breakdown(weights: dict[str, np.ndarray]) -> dict[str, int]:
    """Counted from the arrays ``attention`` multiplies by, so that what the chapter says
    about heads and width is checked against the block, not against a formula."""
    names = {"q": "query", "k": "key", "v": "value", "o": "output"}
    parts = {names[n]: int(weights[f"W{n}"].size + weights[f"b{n}"].size) for n in names}
    parts["total"] = sum(parts.values())
    return parts


def max_future_weight(att: np.ndarray) -> float:
    """The largest weight any head gives a later token (key after query): 0 under the mask."""
    future = np.triu(np.ones(att.shape[-2:], dtype=bool), k=1)  # (T, T)
    return float(att[:, future].max()) if future.any() else 0.0


def run(**controls) -> dict:
    cfg = _checks.build(AttentionConfig, controls)
    rng = np.random.default_rng(cfg.seed)
    weights = init_weights(cfg.d_model, rng)
    x = embed(cfg.text, cfg.d_model, rng)  # (T, d)
    out, att = attention(x, weights, cfg.heads, cfg.temperature, cfg.causal)
    tokens = list(cfg.text)
    assert np.allclose(att.sum(axis=-1), 1.0), "every attention row must sum to 1"
    return {
        "config": asdict(cfg),
        "tokens": tokens,
        "weights": [
            {
                "head": h + 1,
                "query": i,
                "key": j,
                "q": tokens[i],
                "k": tokens[j],
                "weight": round(float(att[h, i, j]), 4),
            }
            for h in range(cfg.heads)
            for i in range(len(tokens))
            for j in range(len(tokens))
        ],
        "output_norms": [round(float(n), 4) for n in np.linalg.norm(out, axis=1)],
        "max_future_weight": round(max_future_weight(att), 4),
        "param_count": param_breakdown(weights),
    }
