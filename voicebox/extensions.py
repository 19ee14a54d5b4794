"""Extension objects, created unbound; `create_app` binds them."""

from __future__ import annotations

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from voicebox.models.base import Base
from voicebox.ratelimits import limiter

__all__ = ["csrf", "db", "limiter", "login_manager", "migrate"]

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate()
