"""Log records that can never carry a client's network address (A4).

Nothing in voicebox logs an address on purpose; this is the second line of defence for
the libraries that might (the development server's error log, a proxy's access line).
Every record is scrubbed when it is created, before any handler or file sees it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

IPV4 = r"\b(?:\d{1,3}\.){3}\d{1,3}\b"
# Loose on purpose: anything made of hex groups and colons with at least two colons.
IPV6 = r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%\w+)?(?![\w:])"
ADDRESS = re.compile(f"{IPV4}|{IPV6}")
REDACTED = "[address removed]"
_MARK = "_voicebox_scrubbing"


def scrub(text: str) -> str:
    """Replace every IPv4 or IPv6 address in `text` with a placeholder."""
    return ADDRESS.sub(REDACTED, text)


def _scrubbing_factory(previous: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        cleaned = scrub(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, ()
        return record

    setattr(factory, _MARK, True)
    return factory


def install_log_scrubbing() -> None:
    """Make every log record in this process address-free (idempotent)."""
    current = logging.getLogRecordFactory()
    if not getattr(current, _MARK, False):
        logging.setLogRecordFactory(_scrubbing_factory(current))
