"""The benchmark's yardstick: the least a Flask app can do for the same work.

`POST /sign` inserts one row shaped like a signature (random 128-bit id, petition id,
64-hex nullifier, date) and commits; `GET /hello` returns a word. Served by gunicorn with
the same gunicorn.conf.py as voicebox, on the same engine (BASELINE_DATABASE_URL), with
the same SQLite pragmas.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, request
from sqlalchemy import Column, Date, MetaData, String, Table, create_engine, insert

from voicebox import _configure_engine
from voicebox.config import engine_options, load_settings

DATABASE_URL = os.environ["BASELINE_DATABASE_URL"]
metadata = MetaData()
rows = Table(
    "baseline_signatures",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("petition_id", String(32), nullable=False, index=True),
    Column("nullifier", String(64), unique=True),
    Column("signed_on", Date, nullable=False),
    sqlite_with_rowid=False,
)
engine = create_engine(DATABASE_URL, **engine_options(DATABASE_URL))
# The same durability setting as voicebox in the same run, so the ratio compares like with like.
_configure_engine(engine, load_settings(Path("."), os.environ).sqlite_synchronous)
metadata.create_all(engine)
engine.dispose()  # no connection crosses gunicorn's fork

app = Flask(__name__)


@app.post("/sign")
def sign() -> tuple[str, int, dict[str, str]]:
    petition_id = request.form.get("petition", "p" * 32)
    with engine.begin() as connection:
        connection.execute(
            insert(rows).values(
                id=secrets.token_hex(16),
                petition_id=petition_id,
                nullifier=secrets.token_hex(32),
                signed_on=datetime.now(UTC).date(),
            )
        )
    return "", 302, {"Location": "/hello"}


@app.get("/hello")
def hello() -> str:
    return "hello"
