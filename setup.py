"""Bundle the Sqitch project (sqitch.plan and db/{deploy,revert,verify}) into the package, so an
installed `vestige` can deploy the schema without a checkout. Everything else is in pyproject.toml."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildPyWithSqitch(build_py):
    """Copy the Sqitch plan and scripts to vestige_client/sqitch/ in the build."""

    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "vestige_client" / "sqitch"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        shutil.copy2(ROOT / "sqitch.plan", target / "sqitch.plan")
        for kind in ("deploy", "revert", "verify"):
            shutil.copytree(ROOT / "db" / kind, target / kind)


setup(cmdclass={"build_py": BuildPyWithSqitch})
