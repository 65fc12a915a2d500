"""Runs a page's blocks in CPython at build time, so the page ships real output.

A page's jobs run in order in one child process (``python -m parameter_lab.prerender``),
as they share one interpreter in the reader's browser. A block that loops, exits or
crashes cannot take the build down, and whatever goes wrong is blamed on that block.

Outcomes are cached. A job's key covers everything its output can depend on: the Python
and numpy versions, the numeric environment (BLAS kernel, SIMD, threads: see
``numerics``), the runner, the demos package's files, and every job before it on the page
(an earlier cell can leave state behind).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from parameter_lab import caches, numerics

TIMEOUT_S = 120  # a whole page; demos run in < 0.15 s each, so this only catches a hang
_RUNNER = Path(__file__).with_name("runner.py")


class PrerenderError(RuntimeError):
    """The child failed; ``index`` is the job it was running (None: before any job)."""

    def __init__(self, index: int | None, message: str) -> None:
        super().__init__(message)
        self.index = index


def job_for_cell(code: str) -> dict:
    return {"kind": "cell", "code": code}


def job_for_demo(module: str, function: str, kwargs: dict, labels: dict | None = None) -> dict:
    job = {"kind": "demo", "module": module, "function": function, "kwargs": kwargs}
    if labels:
        job["labels"] = labels
    return job


def run_everywhere(
    jobs: list[dict],
    site_root: Path,
    package_dir: Path,
    cache_dir: Path,
    environments: tuple[numerics.Environment, ...],
) -> list[list[dict]]:
    """``run_jobs`` in each numeric environment at once (one child each): outcomes per
    environment, in the order given."""
    if len(environments) == 1:
        return [run_jobs(jobs, site_root, package_dir, cache_dir, environments[0])]
    with ThreadPoolExecutor(min(len(environments), os.cpu_count() or 1)) as pool:
        runs = [
            pool.submit(run_jobs, jobs, site_root, package_dir, cache_dir, env)
            for env in environments
        ]
        outcomes = []
        for env, run in zip(environments, runs):
            try:
                outcomes.append(run.result())
            except PrerenderError as exc:  # only there: say where, the author cannot guess
                raise PrerenderError(exc.index, f"{exc} (with {env.name}'s arithmetic)") from exc
        return outcomes


def run_jobs(
    jobs: list[dict],
    site_root: Path,
    package_dir: Path,
    cache_dir: Path,
    environment: numerics.Environment | None = None,
) -> list[dict]:
    """Outcomes, in order: {"ok", "streams": [[stream, text]...], "result"?, "error"?}.

    ``environment`` (default: this machine's, as it is) is where the child computes.
    """
    variables = environment.variables if environment else {}
    fingerprint = environment.fingerprint if environment else ""
    keys = cache_keys(jobs, package_dir, fingerprint)
    cached = [cache_dir / f"{key}.json" for key in keys]
    outcomes = [caches.read_json(p, _is_outcome) for p in cached]
    if all(o is not None for o in outcomes):
        return outcomes
    outcomes = _run_child(jobs, site_root, variables)
    for path, outcome in zip(cached, outcomes, strict=True):
        if outcome["ok"]:  # failures are not cached: the author is about to fix them
            caches.write_atomic(path, json.dumps(outcome))
    return outcomes


def _is_outcome(value: object) -> bool:
    return isinstance(value, dict) and value.get("ok") is True and "streams" in value


def cache_keys(jobs: list[dict], package_dir: Path, numeric: str = "") -> list[str]:
    """One key per job. Each covers the Python, numpy and numeric environment (``numeric``,
    a probe's fingerprint), the runner, the demos, the job, and every job before it."""
    digest = hashlib.sha256(environment_salt(package_dir).encode() + numeric.encode())
    keys = []
    for job in jobs:  # chained: each key covers the jobs before it
        digest.update(json.dumps(job, sort_keys=True).encode())
        keys.append(digest.copy().hexdigest()[:24])
    return keys


def environment_salt(package_dir: Path) -> str:
    try:
        numpy = importlib.metadata.version("numpy")
    except importlib.metadata.PackageNotFoundError:
        numpy = "none"
    digest = hashlib.sha256(f"{sys.version}\0{numpy}\0".encode() + _RUNNER.read_bytes())
    caches.digest_files(digest, package_dir, caches.package_files(package_dir))
    return digest.hexdigest()


def _run_child(jobs: list[dict], site_root: Path, variables: dict[str, str]) -> list[dict]:
    # The site's demos package, and this plugin even when it is not installed (a checkout).
    paths = [str(site_root), str(Path(__file__).resolve().parents[1])]
    paths += [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]  # src/ layouts
    env = {**os.environ, **numerics.ONE_THREAD, **variables, "PYTHONPATH": os.pathsep.join(paths)}
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "outcomes.jsonl"
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "parameter_lab.prerender", str(results)],
                input=json.dumps(jobs),
                capture_output=True,
                text=True,
                cwd=site_root,
                env=env,
                timeout=TIMEOUT_S,
            )
        except subprocess.TimeoutExpired as exc:
            done = _read(results)
            raise PrerenderError(
                len(done),
                f"pre-render took over {TIMEOUT_S} s in this block: it loops forever or is far "
                'too slow; give a pyodide block prerender="false", or lower a demo\'s defaults',
            ) from exc
        outcomes = _read(results)
    if len(outcomes) < len(jobs):
        tail = (proc.stderr or proc.stdout or "").strip()[-2000:]
        raise PrerenderError(
            len(outcomes),
            f"the pre-render process ended (exit code {proc.returncode}) while running this "
            "block, before it reported a result; a block must not exit the interpreter "
            "(os._exit, a crash in a C extension)" + (f":\n{tail}" if tail else ""),
        )
    return outcomes


def _read(path: Path) -> list[dict]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _child_main(results_path: str) -> None:
    from parameter_lab import runner

    jobs = json.loads(sys.stdin.read())
    # Outcomes go to their own file, one line per finished job: whatever the blocks print,
    # now or at exit, cannot corrupt them, and an early exit shows which block caused it.
    with open(results_path, "w", encoding="utf-8") as results:
        for job in jobs:
            with runner.capture() as streams:
                if job["kind"] == "cell":
                    outcome = runner.run_cell(job["code"])
                else:
                    outcome = runner.call_demo(
                        job["module"],
                        job["function"],
                        json.dumps(job["kwargs"]),
                        labels_json=json.dumps(job.get("labels", {})),
                    )
            outcome["streams"] = streams
            if "result" in outcome:
                outcome["result"] = json.loads(outcome["result"])
            outcome.pop("views", None)  # drawn by the plugin, from the result
            results.write(json.dumps(outcome, ensure_ascii=False) + "\n")
            results.flush()


if __name__ == "__main__":
    _child_main(sys.argv[1])
