"""The committed browser bundle is exactly what `npm ci && npm run build` makes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "static" / "js" / "blind-token.bundle.js"


def test_the_committed_bundle_is_what_the_pinned_build_produces(tmp_path: Path) -> None:
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.skip("node and npm are not installed: the bundle can't be rebuilt here")
    if not (ROOT / "node_modules" / "@cloudflare" / "blindrsa-ts").is_dir():
        pytest.skip("node_modules is missing: run `npm ci` to rebuild and compare the bundle")
    # The package.json build command, writing beside the committed file instead of over it
    # (run from the project root: esbuild names bundled modules by their relative paths).
    command = json.loads((ROOT / "package.json").read_text())["scripts"]["build"].split()
    built = tmp_path / "blind-token.bundle.js"
    command = [f"--outfile={built}" if part.startswith("--outfile=") else part for part in command]
    subprocess.run(["npx", "--no-install", *command], cwd=ROOT, check=True, capture_output=True, timeout=120)
    assert built.read_bytes() == BUNDLE.read_bytes()


def test_every_browser_dependency_is_pinned_to_an_exact_version() -> None:
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    for name, version in package["devDependencies"].items():
        assert version[0].isdigit(), f"{name} is not pinned: {version}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
