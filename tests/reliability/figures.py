"""The suite's figures, printed as a `reliability:` block at the end of the pytest output.

Each test records one line (`record`): what it ran (cases per transport, processes x operations,
faults injected) and what it measured (crashes, lost writes). Under pytest-xdist the tests run in
worker processes and only the controller prints the summary, so the lines go through files in a
folder the controller makes and names in VESTIGE_RELIABILITY_FIGURES (the workers inherit it).
This module is a plugin, registered by tests/conftest.py (`pytest_plugins`): the controller of
`pytest -n N` loads no conftest below tests/, so a hook in tests/reliability/conftest.py would
never run there. bench/soak.py prints the same lines without pytest.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

FOLDER = "VESTIGE_RELIABILITY_FIGURES"
_made = pytest.StashKey[str]()  # the folder this process made (and removes at the end)


def record(name: str, line: str) -> None:
    """Keep one figure line (`name: line`) for the summary; outside pytest, print it."""
    folder = os.environ.get(FOLDER)
    if folder is None:
        print(f"  {name}: {line}", flush=True)
        return
    Path(folder, f"{uuid.uuid4().hex}.txt").write_text(f"{name}: {line}\n")


def pytest_configure(config: pytest.Config) -> None:
    """The controller (or a run without xdist) makes the folder; a worker inherits its name."""
    if hasattr(config, "workerinput") or FOLDER in os.environ:
        return
    folder = tempfile.mkdtemp(prefix="vestige-reliability-")
    os.environ[FOLDER] = folder
    config.stash[_made] = folder


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Print every recorded line, sorted, under `reliability:` (nothing when no test recorded one)."""
    folder = os.environ.get(FOLDER)
    if hasattr(config, "workerinput") or folder is None:
        return
    lines = sorted(path.read_text().rstrip("\n") for path in Path(folder).glob("*.txt"))
    if lines:
        terminalreporter.write_sep("-", "reliability")
        terminalreporter.write_line("reliability:")
        for line in lines:
            terminalreporter.write_line(f"  {line}")


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_made, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(FOLDER, None)
