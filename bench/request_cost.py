"""CPU per request, in-process: `python bench/request_cost.py` (run by hand, never by pytest).

On a shared machine wrk's latencies mostly measure the neighbours. This counts only this
process's CPU (time.process_time) for the live tally, the petition page and the JSON API,
each as a signed-in member with rate limits ON, against the bare hello of
bench/baseline_app.py, and turns it into the floor that Little's law puts under latency:
with C clients always waiting on 2 cores, the mean response time is at least
C x (CPU per request) / cores -- before any HTTP, gunicorn or wrk cost.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import create_member_sessions
from bench.load import load_signatures, machine
from voicebox import create_app


def cpu_per_request(client, path: str, rounds: int, cookie: str = "") -> float:
    if cookie:
        client.set_cookie("session", cookie)
    for _ in range(20):  # warm caches and pools
        assert client.get(path).status_code == 200, path
    started = time.process_time()
    for _ in range(rounds):
        client.get(path)
    return (time.process_time() - started) / rounds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--signatures", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--database-url", default="", help="an EMPTY database (default: SQLite)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="voicebox-cost-"))
    url = args.database_url or f"sqlite:///{folder / 'voicebox.sqlite3'}"
    app = create_app(
        {
            "INSTANCE_PATH": str(folder / "instance"),
            "SQLALCHEMY_DATABASE_URI": url,
            "AUTO_MIGRATE": True,
            "RATELIMIT_ENABLED": True,
        }
    )
    petition_id, _ = load_signatures(app, args.signatures)
    reader = create_member_sessions(app, 1)[0]
    os.environ.setdefault("BASELINE_DATABASE_URL", f"sqlite:///{folder / 'baseline.sqlite3'}")
    from bench.baseline_app import app as baseline

    cores = os.cpu_count() or 1
    hello = cpu_per_request(baseline.test_client(), "/hello", args.rounds)
    print(
        f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}; database {url.split(':')[0]}; "
        f"{args.signatures:,} signatures; rate limits on"
    )
    print()
    print(f"| request | CPU per request (µs) | x hello | latency floor at {args.clients} clients (ms) |")
    print("| --- | --- | --- | --- |")
    print(f"| bare hello | {hello * 1e6:.0f} | 1.0 | {args.clients * hello / cores * 1000:.0f} |")
    for label, path in (
        ("live tally", f"/petitions/{petition_id}/tally"),
        ("petition page", f"/petitions/{petition_id}"),
        ("JSON API", f"/api/v1/petitions/{petition_id}"),
    ):
        cost = cpu_per_request(app.test_client(), path, args.rounds, reader.cookie)
        floor_ms = args.clients * cost / cores * 1000
        print(f"| {label} | {cost * 1e6:.0f} | {cost / hello:.1f} | {floor_ms:.0f} |")


if __name__ == "__main__":
    main()
