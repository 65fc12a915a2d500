"""Shrinking a trained model: quantisation, magnitude pruning, and LoRA counts (chapter 6).

The chapter-2 MLP is trained once, then its weight matrices are compressed in
several ways; each variant's size is set against its validation accuracy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from demos import _checks, mlp


@dataclass
class CompressConfig:
    hidden: int = 64  # wide enough that pruning has something to remove
    epochs: int = 60
    sparsity: float = 0.8  # fraction of weights pruned in the reader's own row
    lora_rank: int = 8  # LoRA's r: 8 is a common default in fine-tuning recipes
    lora_d_model: int = 4096  # Llama-2-7B's width, for the LoRA-vs-full comparison
    lora_layers: int = 32  # Llama-2-7B's depth
    seed: int = 0

    def __post_init__(self) -> None:
        self.hidden = _checks.integer("hidden", self.hidden, 2, 512)
        self.epochs = _checks.integer("epochs", self.epochs, 1, 1000)
        self.sparsity = _checks.number("sparsity", self.sparsity, 0.0, 0.99)
        self.lora_rank = _checks.integer("lora_rank", self.lora_rank, 1, 1024)
        self.lora_d_model = _checks.integer("lora_d_model", self.lora_d_model, 1, 65536)
        self.lora_layers = _checks.integer("lora_layers", self.lora_layers, 1, 200)
        self.seed = _checks.integer("seed", self.seed, 0, 2**31 - 1)


WEIGHTS = ("W1", "W2")  # biases stay in fp32, as in common int8 schemes


def quantize(w: np.ndarray, bits: int, per_channel: bool) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric round-to-nearest: (integer codes, scale). Per channel = per output column."""
    assert bits in (4, 8), f"bits must be 4 or 8, got {bits}"
    qmax = 2 ** (bits - 1) - 1  # 127 or 7: symmetric, so -qmax..qmax
    absmax = np.abs(w).max(axis=0, keepdims=True) if per_channel else np.abs(w).max()
    scale = np.where(absmax > 0, absmax / qmax, 1.0)  # (1, out) or ()
    codes = np.clip(np.round(w / scale), -qmax, qmax).astype(np.int8)
    return codes, scale


def dequantize(codes: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return codes.astype(float) * scale


def prune(w: np.ndarray, sparsity: float) -> np.ndarray:
    """Zero exactly round(sparsity·size) weights, those of least magnitude (stable ties)."""
    k = round(sparsity * w.size)
    out = w.copy().ravel()
    out[np.argsort(np.abs(out), kind="stable")[:k]] = 0.0
    return out.reshape(w.shape)


def lora_params(shapes: list[tuple[int, int]], rank: int) -> int:
    """A (d_in × r) and B (r × d_out) per adapted matrix: r·(d_in + d_out) each."""
    return sum(rank * (d_in + d_out) for d_in, d_out in shapes)


def _accuracy(params: dict, X: np.ndarray, y: np.ndarray) -> float:
    return mlp.evaluate(params, X, y)[1]


def run(**controls) -> dict:
    cfg = _checks.build(CompressConfig, controls)
    params, _, (_, (Xv, yv)), _ = mlp.train(
        mlp.MLPConfig(hidden=cfg.hidden, epochs=cfg.epochs, seed=cfg.seed), curves=False
    )
    n_weights = sum(params[k].size for k in WEIGHTS)
    n_bias = sum(params[k].size for k in params if k not in WEIGHTS)
    rows = [
        {
            "variant": "fp32",
            "kind": "original",
            "bits": 32,
            "bytes": 4 * (n_weights + n_bias),
            "accuracy": _accuracy(params, Xv, yv),
        }
    ]
    for bits in (8, 4):
        for per_channel in (False, True):
            q = dict(params)
            n_scales = 0
            for k in WEIGHTS:
                codes, scale = quantize(params[k], bits, per_channel)
                q[k] = dequantize(codes, scale)
                n_scales += np.size(scale)
            rows.append(
                {
                    "variant": f"int{bits}-{'channel' if per_channel else 'tensor'}",
                    "kind": "quantized",
                    "bits": bits,
                    # codes + one fp32 scale per tensor or channel + fp32 biases
                    "bytes": n_weights * bits // 8 + 4 * n_scales + 4 * n_bias,
                    "accuracy": _accuracy(q, Xv, yv),
                }
            )
    for sparsity in sorted({0.5, 0.9, cfg.sparsity}):
        pruned = dict(params)
        for k in WEIGHTS:
            pruned[k] = prune(params[k], sparsity)
        nonzero = sum(int(np.count_nonzero(pruned[k])) for k in WEIGHTS)
        if sparsity == cfg.sparsity:
            chosen = len(rows)  # the row of the reader's own sparsity
        rows.append(
            {
                "variant": f"prune-{round(sparsity * 100)}",
                "kind": "pruned",
                "bits": 32,
                # surviving fp32 values + a 1-bit mask per weight + fp32 biases
                "bytes": 4 * nonzero + -(-n_weights // 8) + 4 * n_bias,
                "accuracy": _accuracy(pruned, Xv, yv),
            }
        )
    n_channels = sum(params[k].shape[1] for k in WEIGHTS)  # one scale per output column
    d, layers, r = cfg.lora_d_model, cfg.lora_layers, cfg.lora_rank
    adapted = [(d, d), (d, d)] * layers  # query and value projections in every layer
    full = sum(a * b for a, b in adapted)
    variants = [{**row, "accuracy": round(row["accuracy"], 4)} for row in rows]
    return {
        "config": asdict(cfg),
        "variants": variants,
        # The reader's pruning row, found by name rather than by its place in the table.
        "pruned": {"sparsity": cfg.sparsity, **variants[chosen]},
        # Where the bytes of a small model go: the 4-bit codes are few, the fp32 extras not.
        "parts": {
            "weights": n_weights,
            "biases": n_bias,
            "channel_scales": n_channels,
            "int4_weight_bytes": n_weights * 4 // 8,
            "bias_bytes": 4 * n_bias,
            "channel_scale_bytes": 4 * n_channels,
        },
        "lora": {
            "rank": r,
            "adapted_matrices": len(adapted),
            "lora_params": lora_params(adapted, r),
            "full_params": full,
            "ratio": round(lora_params(adapted, r) / full, 6),
        },
    }
