"""Refresh docs/screenshots/: run the browser journeys with screenshots switched on.

    python tests/browser/screenshots.py

Every page a journey checks is saved as `<page>-<desktop|phone>.png`, on the demo data
the test server is seeded with. The journeys assert as usual, so a broken page fails
here instead of producing a misleading picture.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "docs" / "screenshots"


def main() -> int:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for old in FOLDER.glob("*.png"):
        old.unlink()
    env = dict(os.environ, VOICEBOX_SCREENSHOTS=str(FOLDER))
    command = [sys.executable, "-m", "pytest", "-q", "-m", "browser", "tests/browser", *sys.argv[1:]]
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)
    print(f"screenshots in {FOLDER.relative_to(ROOT)}: {len(list(FOLDER.glob('*.png')))}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
