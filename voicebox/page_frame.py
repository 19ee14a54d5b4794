"""A whole rendered page with holes: built once per version, filled per request.

Most of a petition page is the same for every member who stands where this one stands
(same role, language, signed or not). What differs is a handful of values: the CSRF
token, the name in the header, and the parts moderators get with their own forms. A
frame is the page rendered once with a marked hole in each of those places; serving it is
one join. No Flask here, so the rule is tested on its own.

Hole marks carry a random per-process nonce: text a member wrote (a title, a comment) is
rendered into the frame too, and must never be able to open a hole of its own.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

_NONCE = secrets.token_hex(8)
_SEPARATOR = "\x1e"
_HOLE = re.compile(rf"{_SEPARATOR}{_NONCE}:([a-z_]+){_SEPARATOR}")


class UnfilledHole(KeyError):
    """A frame was filled without a value for one of its holes."""


def hole(name: str) -> Markup:
    """The mark standing in for the value `name` while a frame is rendered."""
    return Markup(f"{_SEPARATOR}{_NONCE}:{name}{_SEPARATOR}")  # noqa: S704 - a fixed mark, no input


@dataclass(frozen=True)
class Frame:
    """Rendered text split at its holes: text, name, text, name, ..., text."""

    parts: tuple[str, ...]

    @classmethod
    def of(cls, rendered: str) -> Frame:
        """The frame of a page rendered with `hole(...)` marks in it."""
        return cls(tuple(_HOLE.split(rendered)))

    @property
    def holes(self) -> frozenset[str]:
        return frozenset(self.parts[1::2])

    def fill(self, values: Mapping[str, str]) -> str:
        """The page with each hole replaced by its value; raises UnfilledHole for a missing one."""
        missing = self.holes - values.keys()
        if missing:
            raise UnfilledHole(", ".join(sorted(missing)))
        parts = list(self.parts)
        for index in range(1, len(parts), 2):
            parts[index] = values[parts[index]]
        return "".join(parts)
