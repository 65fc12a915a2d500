"""Pieces the neural demos share: the Adam optimiser, written once.

Used by ``demos.mlp`` (and so ``demos.compress``) and ``demos.charlm``; tested against the
update rule of Kingma & Ba (2015), Algorithm 1, in ``tests/demos/test_nn.py``.
"""

from __future__ import annotations

import numpy as np

Params = dict[str, np.ndarray]


class Adam:
    """Adam over a dict of arrays, updated in place.

    The arrays are moved into one flat buffer (the dict's values become views of it), so a
    step is a dozen numpy calls however many arrays there are, each writing into scratch
    buffers allocated once: the demos take hundreds of small steps, where allocation and the
    cost per call, not the arithmetic, are what the reader waits for. Each element sees the
    arithmetic of the textbook form below, in the same order, so results match it exactly:

        m = b1·m + (1 - b1)·g;  v = b2·v + (1 - b2)·g²
        p -= lr·m̂ / (√v̂ + eps),  m̂ = m / (1 - b1^t),  v̂ = v / (1 - b2^t)
    """

    def __init__(
        self,
        params: Params,
        lr: float,
        beta1: float = 0.9,  # the paper's defaults, which both demos use
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        self.lr, self.b1, self.b2, self.eps, self.t = lr, beta1, beta2, eps, 0
        self.keys = list(params)
        sizes = [params[k].size for k in self.keys]
        self.flat = np.concatenate([params[k].ravel() for k in self.keys])  # (P,), params' dtype
        for k, start, size in zip(self.keys, np.cumsum([0, *sizes]), sizes):
            params[k] = self.flat[start : start + size].reshape(params[k].shape)  # a view
        self.m = np.zeros_like(self.flat)  # (P,) first moment
        self.v = np.zeros_like(self.flat)  # (P,) second moment
        self._g, self._a, self._b = (np.empty_like(self.flat) for _ in range(3))  # scratch

    def step(self, grads: Params) -> None:
        """One update from ``grads`` (same keys and shapes as the params)."""
        g, a, b = self._g, self._a, self._b
        np.concatenate([grads[k].ravel() for k in self.keys], out=g)  # (P,)
        self.t += 1
        self.m *= self.b1
        self.m += np.multiply(1 - self.b1, g, out=a)
        self.v *= self.b2
        self.v += np.multiply(1 - self.b2, np.square(g, out=a), out=a)
        # bias correction: the moments start at 0, so early steps would be too short
        np.multiply(self.lr, np.divide(self.m, 1 - self.b1**self.t, out=a), out=a)  # lr·m̂
        np.sqrt(np.divide(self.v, 1 - self.b2**self.t, out=b), out=b)  # √v̂
        b += self.eps
        self.flat -= np.divide(a, b, out=a)
