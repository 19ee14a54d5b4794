"""CPU per signature, token path against today's: `python bench/token_cost.py` (by hand, never pytest).

In one process and one run, for the same number of members on one open petition:
  account signing  petitions.service.sign_petition (today's path: nullifier, queued)
  token issuance   tokens.service.issue_tokens, one blinded message (blind RSA-2048 signing)
  token signing    tokens.service.redeem_token (PSS verification, queued like the above)
  client work      blind + finalize in Python (tests/blind_client.py; the browser does this)
Each is CPU seconds per operation (time.process_time), reported with its ratio to account
signing measured in the same run, so the machine's neighbours cancel out.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import machine
from tests import blind_client
from voicebox import blind_rsa, create_app
from voicebox.anonymity import coarse_date, new_receipt_phrase, random_id
from voicebox.extensions import db
from voicebox.models import Role, User
from voicebox.petitions import drafts
from voicebox.petitions import service as petitions
from voicebox.tokens import service as tokens
from voicebox.unit_of_work import unit_of_work


def in_unit(action: Callable[[int], object]) -> Callable[[int], object]:
    """The action as a request runs it: in its own unit of work, commit included."""

    def run(index: int) -> object:
        with unit_of_work(db.session):
            return action(index)

    return run


def timed(work: Callable[[int], object], count: int) -> float:
    started = time.process_time()
    for index in range(count):
        work(index)
    return (time.process_time() - started) / count


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="voicebox-token-cost-"))
    app = create_app(
        {
            "INSTANCE_PATH": str(folder / "instance"),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'voicebox.sqlite3'}",
            "AUTO_MIGRATE": True,
            "BACKGROUND_TICK": False,
        }
    )
    today = coarse_date()
    n = args.members
    with app.app_context():
        keys = app.extensions["voicebox.keys"]
        members = [random_id() for _ in range(2 * n)]
        with unit_of_work(db.session):
            for member_id in members:
                db.session.add(
                    User(
                        id=member_id,
                        username=f"m{member_id[:12]}",
                        password_hash=random_id(),
                        role=Role.MEMBER.value,
                    )
                )
        author = members[0]
        ids = []
        for title in ("account", "token"):
            with unit_of_work(db.session):
                petition = petitions.start_petition(author, title, "body", 100, None, keys=keys, today=today)
            with unit_of_work(db.session):
                drafts.open_petition(petition.id, cosponsors_needed=0, actor_role="organizer", today=today)
            ids.append(petition.id)
        account_id, token_id = ids
        (key,) = [k for k in tokens.token_keys(keys=keys, today=today) if k.item_id == token_id]
        public = blind_rsa.load_public_key(key.public_key_der)
        signers = members[n:]

        account = timed(
            in_unit(
                lambda i: petitions.sign_petition(
                    account_id, signers[i], petitions.SignatureChoice(), keys=keys, today=today
                )
            ),
            n,
        )
        messages = [tokens.token_message(token_id, new_receipt_phrase()) for _ in range(n)]
        blinded = []
        client_blind = timed(lambda i: blinded.append(blind_client.blind(public, messages[i])), n)
        answers = []
        issuance = timed(
            in_unit(
                lambda i: answers.append(
                    tokens.issue_tokens(
                        signers[i], {token_id: blinded[i].blinded_msg}, keys=keys, today=today
                    )[token_id]
                )
            ),
            n,
        )
        signatures = []
        client_finalize = timed(
            lambda i: signatures.append(
                blind_client.finalize(public, messages[i], answers[i], blinded[i].inv)
            ),
            n,
        )
        redemption = timed(
            in_unit(
                lambda i: tokens.redeem_token(
                    token_id, messages[i], signatures[i], petitions.SignatureChoice(), keys=keys, today=today
                )
            ),
            n,
        )
    print(f"machine: {machine()}; {n} members; SQLite; RSA-{blind_rsa.MODULUS_BITS}")
    print(f"{'operation':<34}{'CPU ms/op':>10}{'x account signing':>20}")
    for name, cost in (
        ("account signing (baseline)", account),
        ("token issuance (server)", issuance),
        ("token signing (server)", redemption),
        ("issuance + token signing (server)", issuance + redemption),
        ("blind (client, Python)", client_blind),
        ("finalize (client, Python)", client_finalize),
    ):
        print(f"{name:<34}{cost * 1000:>10.2f}{cost / account:>20.2f}")


if __name__ == "__main__":
    main()
