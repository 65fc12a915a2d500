"""Character-level language models of growing size on a small Japanese corpus (chapter 4).

n-gram tables of order 1..N and a small neural model are trained on the same text.
Their training and validation losses against parameter count show both sides of
scale: more parameters fit the training text better, and past a point (with this
little data) generalise worse.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from importlib import resources

import numpy as np

from demos import _checks


@dataclass
class CharLMConfig:
    max_order: int = 5  # n-gram orders 1..5: from character frequencies to 4 characters of context
    smoothing: float = 0.01  # add-k: probability kept for continuations never seen in training
    neural: bool = True  # also train the small neural model
    context: int = 3  # characters the neural model sees
    embed: int = 16  # neural: vector size per character
    hidden: int = 64  # neural: hidden units
    steps: int = 200  # neural: Adam steps; enough to fit the training text closely
    lr: float = 0.01
    sample_model: str = "ngram3"  # which model writes the sample: "ngramN" or "neural"
    prompt: str = "朝の"
    temperature: float = 0.5  # < 1 picks likely characters; > 1 wanders
    length: int = 60  # characters to sample
    seed: int = 0

    def __post_init__(self) -> None:
        self.max_order = _checks.integer("max_order", self.max_order, 1, 8)
        self.smoothing = _checks.number("smoothing", self.smoothing, 1e-4, 10.0)
        self.neural = _checks.flag("neural", self.neural)
        self.context = _checks.integer("context", self.context, 1, 8)
        self.embed = _checks.integer("embed", self.embed, 1, 64)
        self.hidden = _checks.integer("hidden", self.hidden, 1, 256)
        self.steps = _checks.integer("steps", self.steps, 0, 3000)
        self.lr = _checks.number("lr", self.lr, 1e-5, 1.0)
        allowed = [f"ngram{n}" for n in range(1, self.max_order + 1)]
        allowed += ["neural"] if self.neural else []
        self.sample_model = _checks.choice("sample_model", self.sample_model, allowed)
        if not isinstance(self.prompt, str) or len(self.prompt) > 32:
            raise ValueError(f"prompt must be text of at most 32 characters, got {self.prompt!r}")
        self.temperature = _checks.number("temperature", self.temperature, 0.05, 5.0)
        self.length = _checks.integer("length", self.length, 1, 500)
        self.seed = _checks.integer("seed", self.seed, 0, 2**31 - 1)


def load_corpus() -> tuple[str, str]:
    """(train, validation): every sixth line is held out, so both cover every topic."""
    text = (resources.files("demos") / "data" / "corpus_ja.txt").read_text(encoding="utf-8")
    lines = [line + "\n" for line in text.splitlines() if line.strip()]
    train = "".join(line for i, line in enumerate(lines) if i % 6 != 5)
    val = "".join(line for i, line in enumerate(lines) if i % 6 == 5)
    return train, val


class NGram:
    """Counts of the next character after each (order-1)-character context, with add-k smoothing."""

    def __init__(self, order: int, vocab: list[str], smoothing: float) -> None:
        assert order >= 1, "order counts the predicted character, so it is at least 1"
        self.order, self.vocab, self.k = order, vocab, smoothing
        self.counts: dict[str, Counter] = defaultdict(Counter)

    def fit(self, text: str) -> NGram:
        padded = "\n" * (self.order - 1) + text
        for i in range(self.order - 1, len(padded)):
            self.counts[padded[i - self.order + 1 : i]][padded[i]] += 1
        return self

    @property
    def n_params(self) -> int:
        """Numbers the model stores: one per (context, next character) pair it has seen."""
        return sum(len(c) for c in self.counts.values())

    def probs(self, context: str) -> np.ndarray:
        """P(next | last order-1 characters of context), over the vocabulary. Sums to 1."""
        padded = "\n" * (self.order - 1) + context
        ctx = padded[len(padded) - (self.order - 1) :]  # the last order-1 characters
        seen = self.counts.get(ctx, Counter())
        total = sum(seen.values())
        counts = np.array([seen.get(ch, 0) for ch in self.vocab], dtype=float)  # (V,)
        return (counts + self.k) / (total + self.k * len(self.vocab))

    def loss(self, text: str) -> float:
        """Mean negative log-likelihood per character, in nats."""
        index = {ch: i for i, ch in enumerate(self.vocab)}
        padded = "\n" * (self.order - 1) + text
        V, nll = len(self.vocab), 0.0
        for i in range(self.order - 1, len(padded)):
            seen = self.counts.get(padded[i - self.order + 1 : i], Counter())
            p = (seen.get(padded[i], 0) + self.k) / (sum(seen.values()) + self.k * V)
            nll -= math.log(p)
            assert padded[i] in index, f"{padded[i]!r} is outside the vocabulary"
        return nll / len(text)


class NeuralLM:
    """Embeddings of the last `context` characters → tanh hidden layer → softmax (Bengio 2003)."""

    def __init__(self, cfg: CharLMConfig, vocab: list[str], rng: np.random.Generator) -> None:
        V, d, H, C = len(vocab), cfg.embed, cfg.hidden, cfg.context
        self.cfg, self.vocab = cfg, vocab
        self.index = {ch: i for i, ch in enumerate(vocab)}
        self.p = {
            "E": rng.normal(0, 1.0, size=(V, d)),  # (V, d)
            "W1": rng.normal(0, 1 / math.sqrt(C * d), size=(C * d, H)),  # (C·d, H)
            "b1": np.zeros(H),
            "W2": rng.normal(0, 1 / math.sqrt(H), size=(H, V)),  # (H, V)
            "b2": np.zeros(V),
        }

    @property
    def n_params(self) -> int:
        return sum(v.size for v in self.p.values())

    def _windows(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        ids = np.array([self.index["\n"]] * self.cfg.context + [self.index[c] for c in text])
        C = self.cfg.context
        X = np.stack([ids[i : len(ids) - C + i] for i in range(C)], axis=1)  # (N, C)
        return X, ids[C:]  # (N, C), (N,)

    def _forward(self, X: np.ndarray):
        emb = self.p["E"][X].reshape(len(X), -1)  # (N, C·d)
        h = np.tanh(emb @ self.p["W1"] + self.p["b1"])  # (N, H)
        logits = h @ self.p["W2"] + self.p["b2"]  # (N, V)
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        return probs / probs.sum(axis=1, keepdims=True), emb, h

    def fit(self, text: str, rng: np.random.Generator) -> NeuralLM:
        X, y = self._windows(text)
        m = {k: np.zeros_like(v) for k, v in self.p.items()}
        s = {k: np.zeros_like(v) for k, v in self.p.items()}
        for t in range(1, self.cfg.steps + 1):
            batch = rng.integers(0, len(X), size=64)
            probs, emb, h = self._forward(X[batch])
            d = probs
            d[np.arange(len(batch)), y[batch]] -= 1
            d /= len(batch)  # (B, V)
            g = {"W2": h.T @ d, "b2": d.sum(0)}
            dh = (d @ self.p["W2"].T) * (1 - h**2)  # (B, H)
            g["W1"], g["b1"] = emb.T @ dh, dh.sum(0)
            demb = (dh @ self.p["W1"].T).reshape(len(batch), self.cfg.context, -1)  # (B, C, d)
            g["E"] = np.zeros_like(self.p["E"])
            np.add.at(g["E"], X[batch], demb)
            for k in self.p:  # Adam
                m[k] = 0.9 * m[k] + 0.1 * g[k]
                s[k] = 0.999 * s[k] + 0.001 * g[k] ** 2
                step = m[k] / (1 - 0.9**t) / (np.sqrt(s[k] / (1 - 0.999**t)) + 1e-8)
                self.p[k] -= self.cfg.lr * step
        return self

    def probs(self, context: str) -> np.ndarray:
        X, _ = self._windows(context + "\n")
        return self._forward(X[-1:])[0][0]

    def loss(self, text: str) -> float:
        X, y = self._windows(text)
        probs, _, _ = self._forward(X)
        return float(-np.mean(np.log(probs[np.arange(len(y)), y])))


def sample(model: NGram | NeuralLM, prompt: str, length: int, temperature: float, seed: int) -> str:
    rng = np.random.default_rng(seed)
    text = prompt
    for _ in range(length):
        logp = np.log(model.probs(text)) / temperature
        p = np.exp(logp - logp.max())
        text += model.vocab[rng.choice(len(p), p=p / p.sum())]
    return text


def run(**controls) -> dict:
    cfg = _checks.build(CharLMConfig, controls)
    train, val = load_corpus()
    vocab = sorted(set(train + val + cfg.prompt + "\n"))
    models = {
        f"ngram{n}": NGram(n, vocab, cfg.smoothing).fit(train) for n in range(1, cfg.max_order + 1)
    }
    if cfg.neural:
        models["neural"] = NeuralLM(cfg, vocab, np.random.default_rng(cfg.seed)).fit(
            train, np.random.default_rng(cfg.seed + 1)
        )
    rows = [
        {
            "model": name,
            "kind": "n-gram" if name.startswith("ngram") else "neural",
            "params": model.n_params,
            "train_loss": round(model.loss(train), 4),
            "val_loss": round(model.loss(val), 4),
        }
        for name, model in models.items()
    ]
    best = min(rows, key=lambda r: r["val_loss"])
    return {
        "config": asdict(cfg),
        "vocab_size": len(vocab),
        "train_chars": len(train),
        "val_chars": len(val),
        "models": sorted(rows, key=lambda r: r["params"]),
        "best_model": best["model"],
        "sample": sample(
            models[cfg.sample_model], cfg.prompt, cfg.length, cfg.temperature, cfg.seed
        ),
    }
