"""Character-level language models of growing size on a small Japanese corpus (chapter 4).

n-gram tables of order 1..N and a small neural model are trained on the same text.
Their training and validation losses against parameter count show both sides of
scale: more parameters fit the training text better, and past a point (with this
little data) generalise worse.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass
from importlib import resources

import numpy as np

from demos import _checks
from demos.nn import Adam


@dataclass
class CharLMConfig:
    max_order: int = 5  # n-gram orders 1..5: from character frequencies to 4 characters of context
    smoothing: float = 0.01  # add-k: probability kept for continuations never seen in training
    neural: bool = True  # also train the small neural model
    context: int = 3  # characters the neural model sees
    embed: int = 16  # neural: vector size per character
    hidden: int = 64  # neural: hidden units
    steps: int = 100  # neural: Adam steps; the training loss falls well below the 2-gram's
    # validation loss while the validation loss rises past it: overfitting, in under 150 ms
    batch: int = 64  # neural: windows per step (about 3 passes over the text in 100 steps)
    lr: float = 0.02  # twice the usual 0.01, so 100 steps fit the training text as 200 did
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
        self.batch = _checks.integer("batch", self.batch, 1, 1024)
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
        self.grams: Counter[str] = Counter()  # context + next character -> times seen
        self.totals: Counter[str] = Counter()  # context -> times seen
        self._next: dict[str, tuple[list[int], list[int]]] | None = None  # for probs()

    def _grams(self, text: str) -> list[str]:
        """Every (context + next character) of ``text``, the start padded with newlines."""
        padded = "\n" * (self.order - 1) + text
        return [padded[i : i + self.order] for i in range(len(text))]

    def fit(self, text: str) -> NGram:
        self.grams.update(self._grams(text))
        self.totals, self._next = Counter(), None
        for gram, n in self.grams.items():
            self.totals[gram[:-1]] += n
        return self

    @property
    def n_params(self) -> int:
        """Numbers the model stores: one per (context, next character) pair it has seen."""
        return len(self.grams)

    def probs(self, context: str) -> np.ndarray:
        """P(next | last order-1 characters of context), over the vocabulary. Sums to 1."""
        padded = "\n" * (self.order - 1) + context
        ctx = padded[len(padded) - (self.order - 1) :]  # the last order-1 characters
        if self._next is None:  # context -> (next characters' ids, counts), built on first use
            index = {ch: i for i, ch in enumerate(self.vocab)}
            self._next = {}
            for gram, n in self.grams.items():
                ids, ns = self._next.setdefault(gram[:-1], ([], []))
                ids.append(index[gram[-1]])
                ns.append(n)
        counts = np.zeros(len(self.vocab))  # (V,)
        ids, ns = self._next.get(ctx, ([], []))
        counts[ids] = ns
        return (counts + self.k) / (self.totals.get(ctx, 0) + self.k * len(self.vocab))

    def unseen_share(self, text: str) -> float:
        """The share of ``text``'s characters whose context never occurred in training: there
        add-k gives every character about the same probability, as nothing backs off to a
        shorter context."""
        grams = self._grams(text)
        return sum(self.totals.get(g[:-1], 0) == 0 for g in grams) / len(grams)

    def loss(self, text: str) -> float:
        """Mean negative log-likelihood per character, in nats."""
        grams = self._grams(text)
        outside = set(text) - set(self.vocab)
        assert not outside, f"{sorted(outside)} are outside the vocabulary"
        counts = np.array([self.grams.get(g, 0) for g in grams], dtype=float)  # (N,)
        totals = np.array([self.totals.get(g[:-1], 0) for g in grams], dtype=float)  # (N,)
        p = (counts + self.k) / (totals + self.k * len(self.vocab))  # (N,)
        return float(-np.log(p).mean())


class NeuralLM:
    """Embeddings of the last `context` characters → tanh hidden layer → softmax (Bengio 2003)."""

    def __init__(self, cfg: CharLMConfig, vocab: list[str], rng: np.random.Generator) -> None:
        V, d, H, C = len(vocab), cfg.embed, cfg.hidden, cfg.context
        self.cfg, self.vocab = cfg, vocab
        self.index = {ch: i for i, ch in enumerate(vocab)}
        p = {
            "E": rng.normal(0, 1.0, size=(V, d)),  # (V, d)
            "W1": rng.normal(0, 1 / math.sqrt(C * d), size=(C * d, H)),  # (C·d, H)
            "b1": np.zeros(H),
            "W2": rng.normal(0, 1 / math.sqrt(H), size=(H, V)),  # (H, V)
            "b2": np.zeros(V),
        }
        # float32, as in LLM training: its exp and tanh are vectorised, several times faster
        self.p = {k: v.astype(np.float32) for k, v in p.items()}

    @property
    def n_params(self) -> int:
        return sum(v.size for v in self.p.values())

    def _windows(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        ids = np.array([self.index["\n"]] * self.cfg.context + [self.index[c] for c in text])
        C = self.cfg.context
        X = np.stack([ids[i : len(ids) - C + i] for i in range(C)], axis=1)  # (N, C)
        return X, ids[C:]  # (N, C), (N,)

    def _exp_scores(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """exp(logits - max) per row (N, V), unnormalised, and the activations it came from.

        In place, one (N, V) array: for the whole text that is megabytes, and a fresh
        allocation of that size costs more than the arithmetic."""
        emb = self.p["E"][X].reshape(len(X), -1)  # (N, C·d)
        h = np.tanh(emb @ self.p["W1"] + self.p["b1"])  # (N, H)
        scores = h @ self.p["W2"]  # (N, V)
        scores += self.p["b2"]
        scores -= scores.max(axis=1, keepdims=True)  # stable softmax
        return np.exp(scores, out=scores), emb, h

    def _forward(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Next-character probabilities (N, V), the embeddings (N, C·d) and hidden units (N, H)."""
        probs, emb, h = self._exp_scores(X)
        probs /= probs.sum(axis=1, keepdims=True)
        return probs, emb, h

    def fit(self, text: str, rng: np.random.Generator) -> NeuralLM:
        X, y = self._windows(text)
        adam = Adam(self.p, self.cfg.lr)
        for _ in range(self.cfg.steps):
            batch = rng.integers(0, len(X), size=self.cfg.batch)
            probs, emb, h = self._forward(X[batch])
            d = probs
            d[np.arange(len(batch)), y[batch]] -= 1
            d /= len(batch)  # (B, V)
            g = {"W2": h.T @ d, "b2": d.sum(0)}
            dh = (d @ self.p["W2"].T) * (1 - h**2)  # (B, H)
            g["W1"], g["b1"] = emb.T @ dh, dh.sum(0)
            demb = (dh @ self.p["W1"].T).reshape(len(batch), self.cfg.context, -1)  # (B, C, d)
            g["E"] = self._embedding_grad(X[batch], demb)
            adam.step(g)
        return self

    def _embedding_grad(self, X: np.ndarray, demb: np.ndarray) -> np.ndarray:
        """Sum ``demb`` (B, C, d) into the rows of E that ``X`` (B, C) names: a character seen
        twice gets both gradients. One bincount over flat (row, column) cells is the fast
        form of ``np.add.at``."""
        V, d = self.p["E"].shape
        cells = (X[..., None] * d + np.arange(d)).ravel()  # (B·C·d,)
        grad = np.bincount(cells, weights=demb.ravel(), minlength=V * d)
        return grad.reshape(V, d).astype(self.p["E"].dtype)

    def probs(self, context: str) -> np.ndarray:
        X, _ = self._windows(context + "\n")
        return self._forward(X[-1:])[0][0]

    def loss(self, text: str) -> float:
        X, y = self._windows(text)
        e, _, _ = self._exp_scores(X)  # normalise only the probabilities the loss reads
        return float(-np.mean(np.log(e[np.arange(len(y)), y] / e.sum(axis=1))))


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
            # n-grams only: where the validation text leaves the table (see unseen_share)
            "val_unseen": round(model.unseen_share(val), 4) if isinstance(model, NGram) else None,
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
