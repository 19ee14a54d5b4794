"""Refresh docs/screenshots/: run the browser journeys with screenshots switched on.

    python tests/browser/screenshots.py

Every page a journey checks is saved as `<page>-<desktop|phone>.png`, on the demo data
the test server is seeded with. The journeys assert as usual, so a broken page fails
here instead of producing a misleading picture. Afterwards each picture is reduced to a
256-colour palette (Pillow, already installed with fpdf2): interface screenshots lose
nothing visible and the folder stays a few megabytes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "docs" / "screenshots"


def main() -> int:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for old in FOLDER.glob("*.png"):
        old.unlink()
    env = dict(os.environ, VOICEBOX_SCREENSHOTS=str(FOLDER))
    command = [sys.executable, "-m", "pytest", "-q", "-m", "browser", "tests/browser", *sys.argv[1:]]
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)
    for picture in FOLDER.glob("*.png"):
        with Image.open(picture) as image:
            small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        small.save(picture, optimize=True)
    print(f"screenshots in {FOLDER.relative_to(ROOT)}: {len(list(FOLDER.glob('*.png')))}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
