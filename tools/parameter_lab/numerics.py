"""Numeric environments: the same demo computed with another CPU's rounding.

A float result depends on the order of its additions, and that order is picked per
machine: OpenBLAS chooses a matrix kernel for the CPU (SkylakeX, Haswell, Prescott …), and
numpy chooses SIMD loops (AVX-512, AVX2, SSE). A stable result comes out the same on all
of them. A chaotic one, such as training at far too large a learning rate, ends
differently on each, and differently again in the reader's browser (Pyodide: WebAssembly,
no OpenBLAS). So the build runs every pre-render and scenario in several environments that
this machine can be forced into, and the page may only show what they all agree on.

``python -m parameter_lab.numerics`` is the probe: it prints what the running interpreter's
numpy computes with, which is both the cache key's part and the environment's name.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

# The reader's browser runs one thread, and OpenBLAS splits sums differently per thread
# count: every pre-render runs with one.
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass(frozen=True)
class Variant:
    """A forced environment: an OpenBLAS kernel, and numpy's SIMD capped at a level."""

    name: str
    kernel: str  # OPENBLAS_CORETYPE
    needs: str  # the CPU feature the kernel's instructions need (numpy's name)
    # numpy's dispatch targets above this level are switched off (NPY_DISABLE_CPU_FEATURES)
    too_new: tuple[str, ...] = field(default=())


# Any x86-64 CPU with AVX2 can run all three; between them they cover the kernels and
# SIMD widths CI machines and readers' laptops use (AVX-512, AVX2, SSE).
_AVX512 = ("AVX512", "X86_V4")  # numpy < 2.4 names AVX512F …, numpy 2.4 X86_V4, AVX512_ICL …
VARIANTS = (
    Variant("Haswell/AVX2", "Haswell", "AVX2", _AVX512),
    Variant("Prescott/SSE3", "Prescott", "SSE3", (*_AVX512, "X86_V3", "AVX", "F16C", "FMA")),
)


@dataclass(frozen=True)
class Environment:
    name: str  # how messages name it: "this machine (SkylakeX, X86_V4)", "Prescott/SSE3"
    variables: dict[str, str]  # set in the pre-render child, on top of the build's own
    fingerprint: str  # what the probe reported: part of every cache key


@dataclass(frozen=True)
class Environments:
    each: tuple[Environment, ...]  # this machine's first: its results are the page's
    note: str = ""  # why other environments could not be forced here, if they could not


def environments(forced: bool = True) -> Environments:
    """This machine's environment and, where it can be forced into them, the variants that
    differ from it (one probe each, run at once)."""
    here = probe({})
    if not forced:
        return Environments((_here(here),))
    reason = _cannot_force(here)
    if reason:
        return Environments((_here(here),), reason)
    candidates = [_variables(v, here["simd"]["dispatch"]) for v in VARIANTS]
    with ThreadPoolExecutor(len(candidates)) as pool:
        probes = list(pool.map(probe, candidates))
    found = [_here(here)]
    for variant, variables, seen in zip(VARIANTS, candidates, probes):
        env = Environment(variant.name, variables, _fingerprint(seen))
        if env.fingerprint not in {e.fingerprint for e in found}:
            found.append(env)  # on a Haswell, "Haswell/AVX2" is this machine: run once
    return Environments(tuple(found))


def probe(variables: dict[str, str]) -> dict:
    """What numpy computes with under ``variables``: asked of a new interpreter, as the
    kernel and SIMD choice are made once, when numpy loads. Asked once per process."""
    env = {**os.environ, **ONE_THREAD, **variables}
    key = json.dumps({k: v for k, v in env.items() if k.startswith(_NUMERIC_VARS)}, sort_keys=True)
    if key not in _probed:
        _probed[key] = _ask(env)
    return _probed[key]


_NUMERIC_VARS = ("OPENBLAS", "NPY_", "OMP_", "MKL_", "GOTO", "PYTHON")
_probed: dict[str, dict] = {}


def _ask(env: dict[str, str]) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "parameter_lab.numerics"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"the numeric probe failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def describe() -> dict:
    """The running interpreter's numeric environment."""
    info: dict = {"machine": platform.machine(), "python": sys.version.split()[0]}
    try:
        import numpy as np
        from numpy._core import _multiarray_umath as umath
    except ImportError:
        return {**info, "numpy": None, "blas": None, "simd": {"enabled": [], "dispatch": []}}
    features = umath.__cpu_features__
    dispatch = list(umath.__cpu_dispatch__)
    info["numpy"] = np.__version__
    info["cpu"] = sorted(k for k, on in features.items() if on)
    info["simd"] = {
        "baseline": list(umath.__cpu_baseline__),
        "dispatch": dispatch,
        "enabled": [f for f in dispatch if features.get(f)],
    }
    info["blas"] = _blas()
    return info


def _blas() -> dict:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # then the kernel is known only when forced
        import numpy as np

        name = np.show_config(mode="dicts")["Build Dependencies"]["blas"].get("name", "")
        return {
            "api": "openblas" if "openblas" in name else name or "unknown",
            "kernel": os.environ.get("OPENBLAS_CORETYPE", "unknown"),
            "threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        }
    for lib in threadpool_info():
        if lib.get("user_api") == "blas":
            return {
                "api": lib.get("internal_api"),
                "version": lib.get("version"),
                "kernel": lib.get("architecture"),
                "threads": lib.get("num_threads"),
            }
    return {"api": "none"}


def _here(seen: dict) -> Environment:
    blas = seen.get("blas") or {}
    simd = (seen.get("simd") or {}).get("enabled") or ["baseline"]
    detail = f"{blas.get('kernel') or blas.get('api') or 'no BLAS'}, {simd[-1]}"
    return Environment(f"this machine ({detail})", {}, _fingerprint(seen))


def _cannot_force(seen: dict) -> str:
    if seen.get("numpy") is None:
        return "numpy is not installed here"
    if seen["machine"].lower() not in ("x86_64", "amd64"):
        return f"OpenBLAS kernels can be forced on x86-64 only, and this is {seen['machine']}"
    if (seen.get("blas") or {}).get("api") != "openblas":
        return f"numpy uses {(seen.get('blas') or {}).get('api')}, not OpenBLAS"
    missing = [v.needs for v in VARIANTS if v.needs not in seen.get("cpu", [])]
    if missing:
        return f"this CPU lacks {', '.join(missing)}"
    return ""


def _variables(variant: Variant, dispatch: list[str]) -> dict[str, str]:
    variables = {"OPENBLAS_CORETYPE": variant.kernel}
    off = [f for f in dispatch if f.startswith(variant.too_new)]
    if off:  # only dispatch targets: numpy warns about any other name
        variables["NPY_DISABLE_CPU_FEATURES"] = " ".join(off)
    return variables


def _fingerprint(seen: dict) -> str:
    # Not the CPU's flags: only what numpy picked from them changes a result.
    return json.dumps({k: v for k, v in seen.items() if k != "cpu"}, sort_keys=True)


if __name__ == "__main__":
    print(json.dumps(describe()))


# ---- the check: what a page shows must be the same in every environment ---------------------


@dataclass(frozen=True)
class Shown:
    """One thing a page shows that a result decides: a figure, a claim's verdict, a part of
    a block's pre-rendered output."""

    line: int | None
    what: str  # how a message names it
    kind: str  # figure | claim | block
    value: str  # compared across environments
    display: str = ""  # how a message shows the value, when the value is long (an SVG)


_FIX = {
    "figure": "this figure depends on floating-point rounding; quote a value that is the "
    "same on every machine, or choose a setting that is not chaotic",
    "claim": "this claim depends on floating-point rounding; claim what holds with a margin, "
    "or choose a setting that is not chaotic",
    "block": "this output depends on floating-point rounding; choose defaults that are not "
    "chaotic, or print fewer digits",
}


def disagreements(
    path: str, environments: tuple[Environment, ...], shown: list[list[Shown]]
) -> list[str]:
    """``path:line: …`` for each thing not shown the same in every environment; ``shown``
    holds one list per environment, in the same order (the same page, evaluated in each)."""
    messages = []
    for items in zip(*shown, strict=True):
        first = items[0]
        if all(item.value == first.value for item in items):
            continue
        where = f"{path}:{first.line}" if first.line is not None else path
        if first.kind == "claim":
            holds = [env.name for env, item in zip(environments, items) if item.value == "holds"]
            fails = [(env, item) for env, item in zip(environments, items) if item.value != "holds"]
            detail = f"it holds on {', '.join(holds)} but not on " + "; ".join(
                f"{env.name} ({item.value})" for env, item in fails
            )
        else:
            detail = "it is " + ", ".join(
                f"{item.display or repr(item.value)} on {env.name}"
                for env, item in zip(environments, items)
            )
        messages.append(f"{where}: {first.what}: {detail}: {_FIX[first.kind]}")
    return messages
