"""Instructions per request, counted by callgrind: `python bench/request_instructions.py`.

Seconds move with whatever else the machine runs; instruction counts don't (the same total
twice, with the other core loaded). Each request kind runs in its own Python process under
`valgrind --tool=callgrind`, with collection switched on only inside the measured rounds:
the rounds run as a ctypes callback, so `--toggle-collect=ffi_call` counts exactly them --
no imports, app start-up or warm-up. Every request is a different signed-in member's, with
rate limits ON, against the bare hello and bare insert of bench/baseline_app.py measured in
the same run. Run by hand, never by pytest.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# "path" is a member's whole path: the petition page, signing, the page with its thanks.
KINDS = ("hello", "insert", "tally", "page", "api", "sign", "path")
TARGETS = {"tally": ("hello", 1.25), "page": ("hello", 4.0), "api": ("hello", 2.0), "sign": ("insert", 1.6)}
WARM_UP = 10


def _config(folder: Path) -> dict[str, object]:
    return {
        "INSTANCE_PATH": str(folder / "instance"),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'voicebox.sqlite3'}",
        "AUTO_MIGRATE": True,
        "RATELIMIT_ENABLED": True,
    }


def prepare(folder: Path, signatures: int, members: int) -> None:
    """Natively: an instance with one open petition, `signatures` signatures, member cookies."""
    from bench.harness import create_member_sessions
    from bench.load import load_signatures
    from voicebox import create_app

    app = create_app(_config(folder))
    petition_id, _ = load_signatures(app, signatures)
    sessions = create_member_sessions(app, members)
    plan = {"petition": petition_id, "members": [[s.cookie, s.csrf_token] for s in sessions]}
    (folder / "plan.json").write_text(json.dumps(plan))


def _measured(rounds: Callable[[], None]) -> None:
    # Collection is on only while ffi_call runs, i.e. inside this callback.
    callback = ctypes.CFUNCTYPE(None)(rounds)
    callback()


def run_kind(folder: Path, kind: str, rounds: int) -> None:
    """Under callgrind: warm up, then run `rounds` requests of `kind` inside the measured call."""
    plan = json.loads((folder / "plan.json").read_text())
    # Each kind its own members: one who signed in the sign run must not sign again here.
    share = len(plan["members"]) // len(KINDS)
    members = iter(plan["members"][KINDS.index(kind) * share :])
    if kind in {"hello", "insert"}:
        os.environ["BASELINE_DATABASE_URL"] = f"sqlite:///{folder / 'baseline.sqlite3'}"
        from bench.baseline_app import app as baseline

        client = baseline.test_client()

        def one() -> None:
            if kind == "hello":
                assert client.get("/hello").status_code == 200
            else:
                assert client.post("/sign", data={"petition": "p" * 32}).status_code == 302

    else:
        from voicebox import create_app

        app = create_app({**_config(folder), "AUTO_MIGRATE": False})
        petition = plan["petition"]
        paths = {
            "tally": f"/petitions/{petition}/tally",
            "page": f"/petitions/{petition}",
            "api": f"/api/v1/petitions/{petition}",
        }

        client = app.test_client()

        def one() -> None:
            cookie, csrf_token = next(members)
            client.set_cookie("session", cookie)
            if kind == "path":
                assert client.get(paths["page"]).status_code == 200
            if kind in {"sign", "path"}:
                response = client.post(f"/petitions/{petition}/sign", data={"csrf_token": csrf_token})
                assert response.status_code == 302, response.status_code
            if kind == "path":
                thanked = client.get(paths["page"])  # with the thanks cookie signing set
                assert thanked.status_code == 200 and b"flash-success" in thanked.data
                client.delete_cookie("voicebox_thanks", path=paths["page"])
            elif kind != "sign":
                assert client.get(paths[kind]).status_code == 200

    for _ in range(WARM_UP):
        one()

    def measured_rounds() -> None:
        for _ in range(rounds):
            one()

    _measured(measured_rounds)


def count_instructions(folder: Path, kind: str, rounds: int) -> float:
    """Millions of instructions per request of `kind`, from callgrind's collected total."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--toggle-collect=ffi_call",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--worker",
        kind,
        "--folder",
        str(folder),
        "--rounds",
        str(rounds),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or not found:
        raise RuntimeError(f"{kind} failed:\n{done.stderr[-3000:]}")
    return int(found.group(1)) / rounds / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--signatures", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run_kind(Path(args.folder), args.worker, args.rounds)
        return
    if not shutil.which("valgrind"):
        sys.exit("valgrind is needed: apt-get install -y valgrind")
    folder = Path(tempfile.mkdtemp(prefix="voicebox-instructions-"))
    prepare(folder, args.signatures, members=(WARM_UP + args.rounds) * len(KINDS))
    kinds = args.kinds.split(",")
    counts = {kind: count_instructions(folder, kind, args.rounds) for kind in kinds}
    print(f"{args.signatures:,} signatures; {args.rounds} requests each, each by another member; limits on")
    print()
    print("| request | M instructions | × baseline | target |")
    print("| --- | --- | --- | --- |")
    for kind in kinds:
        base, target = TARGETS.get(kind, ("hello" if kind == "path" else kind, 1.0))
        ratio = counts[kind] / counts[base] if base in counts else float("nan")
        goal = "baseline" if kind != "path" else "three requests"
        if kind in TARGETS:
            goal = f"≤ {target}× {base}"
        print(f"| {kind} | {counts[kind]:.2f} | {ratio:.2f}× {base} | {goal} |")
    if "path" in counts and "hello" in counts:
        print()
        print(
            f"a member's whole path (page, sign, page with thanks): {counts['path']:.2f} M instructions, "
            f"{counts['path'] / counts['hello']:.1f} bare hellos"
        )


if __name__ == "__main__":
    main()
