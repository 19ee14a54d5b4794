"""Run voicebox: `python app.py` serves http://127.0.0.1:5000 (PORT overrides).

Also the entry point for `flask --app app ...` and gunicorn (`app:app`).
"""

from __future__ import annotations

import os

from werkzeug.serving import WSGIRequestHandler

from voicebox import create_app
from voicebox.config import ConfigError
from voicebox.startup import announce_setup_link

try:
    app = create_app()
except ConfigError as problem:
    # One line that says what to fix, not a traceback (python app.py, flask, gunicorn).
    raise SystemExit(f"voicebox: {problem}") from None


class QuietRequestHandler(WSGIRequestHandler):
    """The development server's request log would record every client address (A4)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "5000"))
    host = os.environ.get("HOST", "127.0.0.1")
    # The reloader would run this twice and print a second, different link.
    if os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        announce_setup_link(app, f"http://{host}:{port}")
    app.run(host=host, port=port, request_handler=QuietRequestHandler, use_reloader=False)
