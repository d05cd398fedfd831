"""The suite's own configuration: a leaked file must fail the run.

A file object that is garbage-collected while open emits ResourceWarning
from its finaliser, where no exception can propagate; pytest turns it into
PytestUnraisableExceptionWarning, and ``filterwarnings = error`` in
pyproject.toml makes that a failure. This runs a throwaway test module under
the project's real configuration to prove it, with a closed file as control.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import ROOT

LEAKS = """
def test_reads(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"data")
    assert open(path, "rb").read() == b"data"
"""

CLOSES = """
def test_reads(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"data")
    with open(path, "rb") as file:
        assert file.read() == b"data"
"""


def run_with_project_config(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    module = tmp_path / "test_throwaway.py"
    module.write_text(source)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(ROOT / "pyproject.toml"),
            "--rootdir",
            str(ROOT),
            "--no-cov",
            "-p",
            "no:randomly",
            str(module),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("source", "returncode", "outcome"),
    [
        (LEAKS, pytest.ExitCode.TESTS_FAILED, "1 failed"),
        (CLOSES, pytest.ExitCode.OK, "1 passed"),
    ],
    ids=["leaked-file-fails", "closed-file-passes"],
)
@pytest.mark.timeout(180)  # a whole pytest run in a subprocess, itself given 120 s
def test_project_config_fails_a_test_that_leaks_a_file(
    tmp_path: Path, source: str, returncode: int, outcome: str
) -> None:
    result = run_with_project_config(tmp_path, source)
    assert result.returncode == returncode, result.stdout + result.stderr
    assert outcome in result.stdout.splitlines()[-1]
    assert ("ResourceWarning" in result.stdout) is (returncode != 0)
