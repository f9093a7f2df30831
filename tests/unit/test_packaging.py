"""The wheel ships the seeds and themes, so an installed `reader` finds them from any folder."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_seeds_and_themes(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    wheels = list(tmp_path.glob("reader-*.whl"))
    assert len(wheels) == 1
    names = set(zipfile.ZipFile(wheels[0]).namelist())
    seed = "reader/_data/seeds/000_23062d0d2c77e25f.txt"
    assert seed in names
    shipped = zipfile.ZipFile(wheels[0]).read(seed)
    assert shipped == (ROOT / "seeds" / "000_23062d0d2c77e25f.txt").read_bytes()
    theme_files = {n for n in names if n.startswith("reader/_data/themes/")}
    assert theme_files, "no themes in the wheel"
    assert "reader/cli.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "reader = reader.cli:main" in zipfile.ZipFile(wheels[0]).read(entry_points).decode()
