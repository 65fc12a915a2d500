"""Runs a page's blocks in CPython at build time, so the page ships real output.

Each page's jobs run in one child process (``python -m tools.prerender``), so a
block that loops, exits or crashes cannot take the build down with it, and a
timeout names the page. Outcomes are cached by the job and the demos' sources.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

TIMEOUT_S = 120  # a whole page; demos run in < 0.3 s each, so this only catches a hang


class PrerenderError(RuntimeError):
    pass


def job_for_cell(code: str) -> dict:
    return {"kind": "cell", "code": code}


def job_for_demo(module: str, function: str, kwargs: dict) -> dict:
    return {"kind": "demo", "module": module, "function": function, "kwargs": kwargs}


def run_jobs(jobs: list[dict], root: Path, cache_dir: Path) -> list[dict]:
    """Outcomes, in order: {"ok", "streams": [[stream, text]...], "result"?, "error"?}."""
    salt = _demos_fingerprint(root / "demos")
    keys = [
        hashlib.sha256((salt + json.dumps(j, sort_keys=True)).encode()).hexdigest()[:24]
        for j in jobs
    ]
    cache_dir.mkdir(parents=True, exist_ok=True)
    outcomes: dict[int, dict] = {}
    todo = []
    for i, key in enumerate(keys):
        cached = cache_dir / f"{key}.json"
        if cached.exists():
            outcomes[i] = json.loads(cached.read_text())
        else:
            todo.append(i)
    if todo:
        fresh = _run_child([jobs[i] for i in todo], root)
        for i, outcome in zip(todo, fresh, strict=True):
            outcomes[i] = outcome
            if outcome["ok"]:  # failures are not cached: the author is about to fix them
                (cache_dir / f"{keys[i]}.json").write_text(json.dumps(outcome))
    return [outcomes[i] for i in range(len(jobs))]


def _run_child(jobs: list[dict], root: Path) -> list[dict]:
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "tools.prerender"],
            input=json.dumps(jobs),
            capture_output=True,
            text=True,
            cwd=root,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as exc:
        raise PrerenderError(
            f"pre-render took over {TIMEOUT_S} s: a block loops forever or is far too slow; "
            'give a pyodide block prerender="false", or lower a demo\'s defaults'
        ) from exc
    if proc.returncode != 0:
        raise PrerenderError(f"the pre-render process failed:\n{proc.stderr}")
    # The child prints its JSON on the last line; blocks may have printed to the real stdout.
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _demos_fingerprint(package: Path) -> str:
    digest = hashlib.sha256()
    for p in sorted(package.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            digest.update(str(p.relative_to(package)).encode() + p.read_bytes())
    return digest.hexdigest()


def _child_main() -> None:
    from demos import _runtime

    jobs = json.loads(sys.stdin.read())
    outcomes = []
    for job in jobs:
        with _runtime.capture() as streams:
            if job["kind"] == "cell":
                outcome = _runtime.run_cell(job["code"])
            else:
                outcome = _runtime.call_demo(
                    job["module"], job["function"], json.dumps(job["kwargs"])
                )
        outcome["streams"] = streams
        if "result" in outcome:
            outcome["result"] = json.loads(outcome["result"])
        outcomes.append(outcome)
    sys.__stdout__.write("\n" + json.dumps(outcomes, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    _child_main()
