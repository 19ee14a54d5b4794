"""A4: no IP address, user agent or referrer in any log record, rate-limit key or table."""

from __future__ import annotations

import logging

from flask import url_for

from tests.support import PASSWORD, dump_database
from voicebox.extensions import limiter
from voicebox.log_privacy import scrub
from voicebox.petitions import drafts
from voicebox.unit_of_work import unit_of_work

ADDRESS = "203.0.113.77"
IPV6 = "2001:db8:77::dead:beef"
AGENT = "ZebraBrowser/9.9 (distinctive-agent-string)"
REFERER = "https://referrer.example/distinctive-referer-path"
FOOTPRINTS = (
    ADDRESS,
    IPV6,
    AGENT,
    "distinctive-agent-string",
    "referrer.example",
    "distinctive-referer-path",
)


def _client(app, address: str = ADDRESS):
    client = app.test_client()
    client.environ_base.update(
        {
            "REMOTE_ADDR": address,
            "HTTP_USER_AGENT": AGENT,
            "HTTP_REFERER": REFERER,
            "HTTP_X_FORWARDED_FOR": address,
        }
    )
    return client


def _records_text(caplog) -> str:
    lines = []
    for record in caplog.records:
        lines.append(record.getMessage())
        lines.append(repr(record.args))
        lines.append(str(record.__dict__))
    return "\n".join(lines)


def test_a4_no_network_identity_in_logs_limits_or_database(make_app, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="werkzeug")
    app = make_app(RATELIMIT_ENABLED=True, PROPAGATE_EXCEPTIONS=False)

    @app.get("/crash-for-test")
    def crash() -> str:
        raise RuntimeError("crash during the A4 scenario")

    with app.test_request_context():
        from voicebox.extensions import db
        from voicebox.models import Role, User
        from voicebox.petitions import service

        policy = app.extensions["voicebox.password_policy"]
        db.session.add(User(username="ann", password_hash=policy.hash(PASSWORD), role=Role.MEMBER.value))
        db.session.commit()
        author = db.session.query(User).filter_by(username="ann").one()
        keys = app.extensions["voicebox.keys"]
        from voicebox.anonymity import coarse_date

        with unit_of_work(db.session):
            petition = service.start_petition(
                author.id, "Log test", "body", 10, None, keys=keys, today=coarse_date()
            )
        with unit_of_work(db.session):
            drafts.open_petition(
                petition.id, cosponsors_needed=0, actor_role="organizer", today=coarse_date()
            )
        for address in (ADDRESS, IPV6):
            client = _client(app, address)
            client.post(
                "/register",
                data={"invite_code": "bogus", "username": "x", "password": "p", "password_confirm": "p"},
            )
            client.post("/login", data={"username": "ann", "password": "wrong-password-000"})
            client.login("ann")
            client.post(
                url_for("petitions.sign", petition_id=petition.id),
                data={"display_name": "", "comment": "from the log test"},
            )
            client.post(url_for("petitions.withdraw", petition_id=petition.id))
            client.get("/no/such/page")
            client.post(url_for("petitions.sign", petition_id=petition.id), data={}, csrf=False)
            client.get("/crash-for-test")
            client.get(url_for("account.data"))
            client.logout()
        logged = _records_text(caplog)
        dump = repr(dump_database(app))
        limit_keys = repr(getattr(limiter.storage, "storage", {})) + repr(
            getattr(limiter.storage, "expirations", {})
        )
    assert caplog.records, "the scenario should have logged something (the crash at least)"
    for footprint in FOOTPRINTS:
        assert footprint not in logged, f"{footprint} in a log record"
        assert footprint not in dump, f"{footprint} in the database"
        assert footprint not in limit_keys, f"{footprint} in a rate-limit key"


def test_a4_library_log_lines_are_scrubbed_of_addresses(caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("werkzeug").error("%s - - [x] code 400, message %s", ADDRESS, "Bad request")
    logging.getLogger("gunicorn.access").info(f'{IPV6} - - "GET / HTTP/1.1" 200')
    logging.getLogger("test").warning("connection from ::ffff:203.0.113.77 closed")
    text = _records_text(caplog)
    assert ADDRESS not in text and IPV6 not in text
    assert text.count("[address removed]") >= 3


def test_a4_the_dev_server_request_log_is_silent(monkeypatch, tmp_path):
    monkeypatch.setenv("VOICEBOX_INSTANCE_PATH", str(tmp_path))
    import app as entry

    handler = entry.QuietRequestHandler.__new__(entry.QuietRequestHandler)
    assert handler.log_request(200, 10) is None


def test_a4_scrub_keeps_ordinary_text():
    assert scrub("version 1.2.3 of thing::method at 10:30") == "version 1.2.3 of thing::method at 10:30"
    assert scrub("from 10.0.0.1 and fe80::1") == "from [address removed] and [address removed]"
