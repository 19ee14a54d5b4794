"""Extension objects, created unbound; `create_app` binds them."""

from __future__ import annotations

from flask import current_app, request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from voicebox.crypto import keyed_hash
from voicebox.models.base import Base


def client_rate_key() -> str:
    """Rate-limit key: a keyed hash of the client address, never the address itself (A4)."""
    pepper: bytes = current_app.extensions["voicebox.secrets"].pepper
    return keyed_hash(pepper, "rate-limit", request.remote_addr or "unknown")


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate()
limiter = Limiter(key_func=client_rate_key, key_prefix="voicebox")
