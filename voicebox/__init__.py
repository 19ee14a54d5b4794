"""voicebox: anonymous petitions, concerns and reports for a workplace."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask
from sqlalchemy.engine import Engine

from voicebox.sqlite_engine import configure_sqlite

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = PROJECT_ROOT / "templates"
STATIC = PROJECT_ROOT / "static"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _configure_engine(engine: Engine, synchronous: str) -> None:
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine, synchronous)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the voicebox app from the environment, `instance/`, and `config` overrides."""
    from voicebox.auth.passwords import PasswordPolicy
    from voicebox.config import engine_options, load_secrets, load_settings

    overrides = dict(config or {})
    environ: Mapping[str, str] = overrides.pop("ENVIRON", os.environ)
    instance_path = Path(
        overrides.pop("INSTANCE_PATH", None)
        or environ.get("VOICEBOX_INSTANCE_PATH")
        or PROJECT_ROOT / "instance"
    ).resolve()
    instance_path.mkdir(parents=True, exist_ok=True)
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(TEMPLATES),
        static_folder=str(STATIC),
    )
    app.config.from_mapping(load_settings(instance_path, environ).as_flask_config())
    secrets = load_secrets(instance_path, environ)
    app.config["SECRET_KEY"] = secrets.secret_key
    app.config.update(overrides)
    # Who the proxies in front of us are: used by the rate limiter's address ceilings only.
    app.config.setdefault("TRUSTED_PROXIES", environ.get("VOICEBOX_TRUSTED_PROXIES", ""))
    if "SQLALCHEMY_DATABASE_URI" in overrides and "SQLALCHEMY_ENGINE_OPTIONS" not in overrides:
        # Options follow the engine actually used, not the one the environment named.
        settings = app.config["SETTINGS"]
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
            overrides["SQLALCHEMY_DATABASE_URI"],
            settings["db_pool_size"],
            settings["db_max_overflow"],
            settings["db_connect_timeout"],
            settings["db_statement_timeout"],
        )
    app.extensions["voicebox.secrets"] = secrets
    from voicebox.keystore import KeyStore

    keys = KeyStore(
        Path(app.config["KEYSTORE_PATH"]).resolve(), secrets.master_key, secrets.previous_master_keys
    )
    keys.ensure_folder()
    app.extensions["voicebox.keys"] = keys
    app.extensions["voicebox.password_policy"] = PasswordPolicy(
        time_cost=app.config["ARGON2_TIME_COST"], memory_cost=app.config["ARGON2_MEMORY_COST"]
    )

    from voicebox.log_privacy import install_log_scrubbing
    from voicebox.request_guard import init_request_guard
    from voicebox.security import init_security

    install_log_scrubbing()
    init_request_guard(app)
    _init_extensions(app)
    init_security(app)
    from voicebox.i18n import init_i18n

    init_i18n(app)
    _register_blueprints(app)
    _init_templates(app)

    from voicebox.cli import register_cli
    from voicebox.tick import init_background

    register_cli(app)
    init_background(app)
    if app.config.get("SIGN_SHORT_PATH", True):
        from voicebox.petitions.sign_path import install_sign_path

        install_sign_path(app)
    if app.config.get("PAGE_SHORT_PATH", True):
        from voicebox.petitions.page_path import install_page_path

        install_page_path(app)
    if app.config.get("SHORT_READ_PATHS", True):
        from voicebox.short_reads import install_short_reads

        install_short_reads(app)
    if app.config.get("AUTO_MIGRATE"):
        from voicebox.database import upgrade_database

        upgrade_database(app)
    return app


def _init_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext

    from voicebox import models  # noqa: F401 - every table registered before use
    from voicebox.auth.service import load_user_by_session_token
    from voicebox.extensions import csrf, db, login_manager, migrate
    from voicebox.ratelimits import init_rate_limits

    db.init_app(app)
    with app.app_context():
        _configure_engine(db.engine, app.config["SETTINGS"]["sqlite_synchronous"])
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    csrf.init_app(app)
    init_rate_limits(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Sign in to continue.")
    login_manager.login_message_category = "info"
    # Session protection would put a hash of IP and user agent in the cookie (A4);
    # sessions are instead ended by rotating the account's session token.
    login_manager.session_protection = None
    login_manager.user_loader(load_user_by_session_token)


def _register_blueprints(app: Flask) -> None:
    from voicebox.admin.views import bp as admin_bp
    from voicebox.api.token_views import bp as api_tokens_bp
    from voicebox.api.views import bp as api_bp
    from voicebox.auditlog.views import bp as audit_bp
    from voicebox.auth.account_views import bp as account_bp
    from voicebox.auth.views import bp as auth_bp

    # Imported for what they do: each adds its routes to the concerns or petitions blueprint.
    from voicebox.concerns import confirm_views, moderation_views, views  # noqa: F401
    from voicebox.concerns.blueprint import bp as concerns_bp
    from voicebox.concerns.followup_views import bp as followup_bp
    from voicebox.dashboard.views import bp as dashboard_bp
    from voicebox.main.views import bp as main_bp
    from voicebox.main.views import register_error_pages
    from voicebox.petitions import manage_views, page_views  # noqa: F401
    from voicebox.petitions import views as petition_views  # noqa: F401
    from voicebox.petitions.blueprint import bp as petitions_bp
    from voicebox.reports.views import bp as reports_bp
    from voicebox.responses.views import bp as responses_bp
    from voicebox.tokens.views import bp as tokens_bp

    blueprints: tuple[Blueprint, ...] = (main_bp, auth_bp, petitions_bp, concerns_bp, followup_bp, admin_bp)
    blueprints += (reports_bp, responses_bp, dashboard_bp, api_bp, account_bp, audit_bp)
    blueprints += (api_tokens_bp, tokens_bp)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    register_error_pages(app)


def _init_templates(app: Flask) -> None:
    from voicebox.labels import iso_date, kind_label, role_label, status_label
    from voicebox.navigation import navigation_for
    from voicebox.text import plain_excerpt, render_markdown

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["excerpt"] = plain_excerpt
    # Stored English values (statuses, roles, item kinds) shown in the reader's language.
    app.jinja_env.filters.update(
        status_label=status_label, role_label=role_label, kind_label=kind_label, iso_date=iso_date
    )
    app.context_processor(lambda: {"navigation": navigation_for()})
