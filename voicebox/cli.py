"""`flask --app app voicebox ...`: accounts, invites, set-up link, backup/restore, purge, key rotation."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from voicebox.auditlog.record import record_event
from voicebox.auth import service as accounts
from voicebox.backup import BackupError, restore_backup, write_backup
from voicebox.extensions import db
from voicebox.models import Role
from voicebox.retention import purge_expired
from voicebox.unit_of_work import unit_of_work
from voicebox.web import current_secrets, today

# Tables of actions waiting to be counted: never backed up (see `backup`).
QUEUE_TABLES = frozenset({"pending_actions", "counting_windows"})

voicebox_cli = AppGroup("voicebox", help="Administer this voicebox instance.")

ROLE_NAMES = [role.value for role in Role]


@voicebox_cli.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLE_NAMES), default=Role.MEMBER.value, show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(username: str, role: str, password_stdin: bool) -> None:
    """Create an account. The password comes from stdin or an interactive prompt."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with unit_of_work(db.session):
            accounts.create_user(
                username, password, Role(role), current_app.extensions["voicebox.password_policy"]
            )
            record_event(db.session, "admin", "created an account from the console", role)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {role} account {username!r}.", err=True)


@voicebox_cli.command("invite")
@click.option("--role", type=click.Choice(ROLE_NAMES), default=Role.MEMBER.value, show_default=True)
@click.option("--uses", type=click.IntRange(1, 100_000), default=1, show_default=True)
@click.option("--expires", "expires_on", type=click.DateTime(["%Y-%m-%d"]), default=None)
def invite(role: str, uses: int, expires_on: object) -> None:
    """Create an invite and print its code alone on stdout."""
    try:
        with unit_of_work(db.session):
            code = accounts.create_invite(
                Role(role),
                uses=uses,
                expires_on=expires_on.date() if expires_on else None,  # type: ignore[attr-defined]
                pepper=current_secrets().pepper,
                actor_role="admin",
                today=today(),
            )
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(code)


@voicebox_cli.command("setup-link")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True)
def setup_link(base_url: str) -> None:
    """Print a fresh one-time link that creates the first admin (only while none exists)."""
    with unit_of_work(db.session):
        token = accounts.issue_setup_token(current_secrets().pepper)
    if token is None:
        raise click.ClickException("An admin already exists; sign in as them instead.")
    click.echo(f"{base_url.rstrip('/')}/setup/{token}")


@voicebox_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def backup(path: Path) -> None:
    """Write a consistent online backup of the database to PATH (never the secrets or item keys)."""
    from voicebox.tick import count_queued

    # Queued actions are counted first and their tables left out: a queued blob is sealed
    # under a window key that is never backed up, so it would restore as noise.
    count_queued(current_secrets(), current_app.extensions["voicebox.keys"])
    tables = [table for table in db.metadata.sorted_tables if table.name not in QUEUE_TABLES]
    try:
        summary = write_backup(db.engine, tables, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    with unit_of_work(db.session):
        record_event(db.session, "admin", "made a backup", f"{summary.total} rows")
    click.echo(
        f"Backed up {summary.total} rows from {len(summary.rows)} tables to {path} (mode 0600).\n"
        "It holds no secrets and no item keys: keep instance/secrets.json (or the VOICEBOX_* "
        "keys) and the key store (instance/keys/) safe and separate, or the restored open "
        "petitions can't be signed.",
        err=True,
    )


@voicebox_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore(path: Path, force: bool) -> None:
    """Restore the database from a backup made by `voicebox backup`."""
    db.session.remove()
    try:
        summary = restore_backup(db.engine, db.metadata.sorted_tables, path, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {summary.total} rows into {len(summary.rows)} tables from {path}.", err=True)


@voicebox_cli.command("purge")
def purge() -> None:
    """Delete follow-up threads and closed items older than the retention period."""
    with unit_of_work(db.session):
        result = purge_expired(db.session, today())
    for line in result.as_lines():
        click.echo(line)


@voicebox_cli.command("tick")
def tick() -> None:
    """Count queued actions, close due petitions, record thresholds, purge expired data.

    For cron or a systemd timer; running servers do the same in the background.
    """
    from voicebox.tick import run_tick

    summary = run_tick(current_secrets(), current_app.extensions["voicebox.keys"], today())
    for line in summary.as_lines():
        click.echo(line)


@voicebox_cli.command("verify-inclusion")
@click.option(
    "--kind",
    type=click.Choice(["signature", "support", "cosponsor"]),
    default="signature",
    show_default=True,
    help="What the token did: signed a petition, said “me too” to a concern, co-sponsored a draft.",
)
@click.argument("item_id")
@click.argument("phrase_or_hash", nargs=-1, required=True)
def verify_inclusion(kind: str, item_id: str, phrase_or_hash: tuple[str, ...]) -> None:
    """Check that a token (its phrase, or its hash) is among an item's counted tokens.

    ITEM_ID is the petition's id (signature, cosponsor) or the concern's (support).
    """
    from voicebox.tokens.service import counted, find_counted

    wanted, is_counted = find_counted(item_id, " ".join(phrase_or_hash), kind)
    found = counted(kind, item_id)
    click.echo(f"token hash:  {wanted}")
    click.echo(f"merkle root: {found.root} over {len(found.token_hashes):,} counted {kind} tokens")
    if not is_counted:
        click.echo(f"NOT COUNTED: this token is not in the item's {kind} list.", err=True)
        sys.exit(1)
    click.echo(f"COUNTED: this token is in the item's {kind} list.")


@voicebox_cli.command("rotate-master-key")
def rotate_master_key_command() -> None:
    """Re-wrap every petition, concern, window and token key under a new master key.

    For when secrets.json may have been copied: the old master key stops opening anything.
    Stop the app first (or restart every worker right after): running workers keep the old key.
    """
    from voicebox.config import SECRETS_FILE, load_secrets
    from voicebox.key_rotation import rotate_master_key
    from voicebox.keystore import KeyStoreError

    instance_path = Path(current_app.instance_path)
    secrets = current_secrets()
    if not (instance_path / SECRETS_FILE).exists() or load_secrets(instance_path, {}) != secrets:
        raise click.ClickException(
            "The keys come from VOICEBOX_* environment variables, not instance/secrets.json: "
            "rotate them where they are set."
        )
    try:
        done = rotate_master_key(secrets, instance_path, current_app.extensions["voicebox.keys"])
    except KeyStoreError as exc:
        raise click.ClickException(f"{exc}; secrets.json still lists every key, nothing is lost") from exc
    current_app.extensions["voicebox.secrets"] = done.secrets
    current_app.extensions["voicebox.keys"] = done.keys
    with unit_of_work(db.session):
        record_event(db.session, "admin", "rotated the master key", f"new key {done.new_key_id}")
    click.echo(f"{done.rewrapped} keys re-wrapped under master key {done.new_key_id}.")
    click.echo(f"Retired {', '.join(done.retired_key_ids)}.")


@voicebox_cli.command("rotate-keys")
def rotate_keys() -> None:
    """Add a new data key, re-encrypt every private text under it in one transaction, retire the old.

    Stop the app first (or restart every worker right after): running workers keep the old key.
    """
    from voicebox.config import SECRETS_FILE, load_secrets
    from voicebox.key_rotation import RotationError, rotate_data_key
    from voicebox.tick import count_queued

    instance_path = Path(current_app.instance_path)
    secrets = current_secrets()
    # Queued comments are encrypted when counted: count them under the key being retired now.
    count_queued(secrets, current_app.extensions["voicebox.keys"])
    if not (instance_path / SECRETS_FILE).exists() or load_secrets(instance_path, {}) != secrets:
        raise click.ClickException(
            "The keys come from VOICEBOX_* environment variables, not instance/secrets.json: "
            "rotate them where they are set."
        )
    try:
        rotated, summary = rotate_data_key(db.session, secrets, instance_path)
    except RotationError as exc:
        raise click.ClickException(str(exc)) from exc
    current_app.extensions["voicebox.secrets"] = rotated
    with unit_of_work(db.session):
        record_event(db.session, "admin", "rotated the data key", f"new key {summary.new_key_id}")
    for column, count in summary.rewritten.items():
        click.echo(f"{column}: {count} re-encrypted")
    click.echo(f"New data key {summary.new_key_id}; retired {', '.join(summary.retired_key_ids)}.")


@voicebox_cli.command("demo")
def demo() -> None:
    """Fill an EMPTY instance with sample data to look around; refuses one holding data."""
    from voicebox.demo import DEMO_PASSWORD, DemoRefused, build_demo

    try:
        summary = build_demo(
            secrets=current_secrets(),
            keys=current_app.extensions["voicebox.keys"],
            policy=current_app.extensions["voicebox.password_policy"],
            today=today(),
        )
    except DemoRefused as exc:
        raise click.ClickException(str(exc)) from exc
    created = ", ".join(
        f"{count} {what[:-1] if count == 1 else what}" for what, count in summary.counts.items()
    )
    click.echo(f"Demo data created: {created}.")
    click.echo(f"Sign in with any of these accounts; the password is {DEMO_PASSWORD}")
    for username, role in summary.accounts:
        click.echo(f"  {username:<18} {role}")
    click.echo(
        f"  {summary.colleague_names[0]} … {summary.colleague_names[-1]}"
        "  members who signed, posted and supported (same password)"
    )
    click.echo(f"Read and answer leadership's reply at /followup with the receipt: {summary.receipt}")
    click.echo("This is sample data with a published password: never use it for real.")


def register_cli(app: Flask) -> None:
    """Attach the voicebox command group to the app."""
    app.cli.add_command(voicebox_cli)
