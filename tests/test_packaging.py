"""The built wheel carries what an installed `vestige` needs: the Sqitch plan and scripts, the
registry DDL and the console script."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from vestige_client.deployer import deploy

REPO = Path(__file__).resolve().parent.parent
FILES = ["pyproject.toml", "setup.py", "README.md", "LICENSE", "sqitch.plan"]
DIRS = ["vestige_client", "db"]
PROBE = (
    "from vestige_client.deployer import deploy; p = deploy.bundled_plan(); "
    "print(p.top_dir, p.changes[-1].change_id)"
)


def test_the_wheel_bundles_the_plan_the_checkout_deploys(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in FILES:
        shutil.copy2(REPO / name, source / name)
    for name in DIRS:
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "wheels"
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    subprocess.run([*pip_wheel, "-w", str(wheels), str(source)], check=True, capture_output=True)
    site = tmp_path / "site"
    with zipfile.ZipFile(next(wheels.glob("*.whl"))) as wheel:
        wheel.extractall(site)
        entry_points = next(n for n in wheel.namelist() if n.endswith("entry_points.txt"))
        assert "vestige = vestige_client.cli:main" in wheel.read(entry_points).decode()
    # -S and cwd outside the checkout: its editable install must not shadow the unpacked wheel
    # (the venv's site-packages follow the wheel on the path, for psycopg and the rest).
    paths = [str(site), *(p for p in sys.path if p.endswith("site-packages"))]
    env = {"PYTHONPATH": ":".join(paths)}
    result = subprocess.run(
        [sys.executable, "-S", "-c", PROBE], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    top_dir, last_id = result.stdout.split()
    assert top_dir == str(site / "vestige_client" / "sqitch")
    assert last_id == deploy.bundled_plan().changes[-1].change_id
    assert (site / "vestige_client" / "deployer" / "registry.sql").is_file()
    assert (site / "vestige_client" / "migrate" / "copy.py").is_file(), "subpackages are in the wheel"
