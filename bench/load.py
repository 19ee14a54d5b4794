"""Load benchmark: `python bench/load.py` (run by hand, never by pytest).

Starts voicebox under gunicorn (gunicorn.conf.py) on loopback with a fresh database in a
temporary instance folder, loads one petition with --signatures rows (bulk SQL plus the
tally counters), then drives it with wrk from a second process:

  * signing at 16 and 64 concurrent clients, every request from a different member;
  * a member's whole path at 64 clients: the petition page, signing, the page again with
    its thanks -- three requests a signature, each member a different one;
  * tally reads (the live counter the page polls, the whole petition page, the JSON API);
  * worker memory (RSS and PSS of each gunicorn worker after the load).

In the same run it serves bench/baseline_app.py (one-row insert, bare hello) under the same
gunicorn settings and prints each figure with its ratio to the baseline, against the
targets in DESIGN.md. Needs wrk (`apt-get install -y wrk`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select

from bench.harness import ROOT, MemberSession, Server, create_member_sessions, gunicorn_server, open_petition
from voicebox import create_app
from voicebox.anonymity import coarse_date, random_id
from voicebox.extensions import db
from voicebox.models import Petition, PetitionDayTally, Signature
from voicebox.settings import instance_settings
from voicebox.tick import count_queued
from voicebox.unit_of_work import unit_of_work

BENCH = Path(__file__).resolve().parent
TARGETS = {"signing": 0.70, "reads": 0.80, "p99_ms": 100.0, "memory_mb": 150.0}


def parse_args() -> argparse.Namespace:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--signatures", type=int, default=1_000_000, help="signatures preloaded")
    parser.add_argument(
        "--members-per-run", type=int, default=20_000, help="distinct members available to each signing run"
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--clients", default="16,64", help="concurrent clients for the signing runs")
    parser.add_argument("--read-clients", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2 * cores + 1)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument(
        "--database-url", default="", help="an EMPTY database to use (default: SQLite in the temp folder)"
    )
    parser.add_argument("--redis-url", default="", help="keep rate limits in this Redis")
    parser.add_argument(
        "--baseline-database-url",
        default="",
        help="database for the baseline app (default: same engine, its own file/table)",
    )
    return parser.parse_args()


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return (
        f"{os.cpu_count()} cores ({model}), {memory_kb / 1024 / 1024:.1f} GiB RAM, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def load_signatures(app, count: int) -> tuple[str, float]:
    """Open a petition and bulk-insert `count` signatures with matching tally counters."""
    started = time.perf_counter()
    today = coarse_date()
    with app.app_context():
        with unit_of_work(db.session):
            instance_settings().headcount = 70_000
        petition_id = open_petition(
            app,
            "Switch off keystroke recording",
            "We ask that the **recording software** be removed.",
            2_000_000,
            open_days=60,
        )
        with unit_of_work(db.session):  # the bulk rows and their counters, together
            days = [today - timedelta(days=n) for n in range(30)]
            per_day: Counter = Counter()
            batch_size = 20_000
            for start in range(0, count, batch_size):
                rows = []
                for _ in range(min(batch_size, count - start)):
                    day = random.choice(days)
                    per_day[day] += 1
                    rows.append(
                        {
                            "id": random_id(),
                            "petition_id": petition_id,
                            "nullifier": os.urandom(32).hex(),
                            "signed_on": day,
                        }
                    )
                db.session.execute(insert(Signature), rows)
            db.session.execute(
                insert(PetitionDayTally),
                [{"petition_id": petition_id, "day": day, "signatures": n} for day, n in per_day.items()],
            )
            db.session.get(Petition, petition_id).signature_count = count
        return petition_id, time.perf_counter() - started


def write_credentials(sessions: list[MemberSession], path: Path) -> Path:
    path.write_text("".join(f"{s.cookie}\t{s.csrf_token}\n" for s in sessions))
    return path


def wrk(url: str, clients: int, duration: int, wrk_threads: int, **env: str) -> dict:
    threads = max(1, min(wrk_threads, clients))
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{clients}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(BENCH / "wrk.lua"),
        url,
        "--",
        str(threads),
    ]
    result = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, check=True)
    line = next(row for row in result.stdout.splitlines() if row.startswith("BENCHJSON "))
    figures = json.loads(line.removeprefix("BENCHJSON "))
    figures["rps"] = figures["requests"] / figures["duration_s"]
    return figures


def worker_memory(server: Server) -> tuple[float, float]:
    """Largest RSS and PSS among the workers, in MB (PSS counts preloaded pages shared)."""
    rss, pss = [], []
    for pid in server.worker_pids():
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss.append(int(line.split()[1]) / 1024)
            elif line.startswith("Pss:"):
                pss.append(int(line.split()[1]) / 1024)
    return max(rss), max(pss)


def run_report_scale_hook(env: dict[str, str]) -> str:
    """Hook for bench/report_scale.py (report build time at 1k and 1M signatures).

    When that script exists it runs as its own process with our 1M-signature database
    named in VOICEBOX_BENCH_DATABASE_URL / _INSTANCE_PATH / _PETITION_ID; its output is
    appended to ours.
    """
    script = BENCH / "report_scale.py"
    if not script.exists():
        return "report build time: bench/report_scale.py not present, skipped"
    result = subprocess.run(
        [sys.executable, str(script)],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return (result.stdout + result.stderr).strip()


def row(
    name: str, ours: str, baseline: str = "", ratio: str = "", target: str = "", met: bool | None = None
) -> str:
    verdict = "" if met is None else ("yes" if met else "**no**")
    return f"| {name} | {ours} | {baseline} | {ratio} | {target} | {verdict} |"


def main() -> None:
    args = parse_args()
    clients = [int(n) for n in args.clients.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="voicebox-bench-"))
    instance = folder / "instance"
    database_url = args.database_url or f"sqlite:///{folder / 'voicebox.sqlite3'}"
    baseline_url = args.baseline_database_url or (
        f"sqlite:///{folder / 'baseline.sqlite3'}" if database_url.startswith("sqlite") else database_url
    )
    print(f"machine: {machine()}; load average before: {os.getloadavg()[0]:.1f}")
    print(
        f"database: {database_url.split('@')[-1]}; gunicorn: {args.workers} workers x {args.threads} threads"
    )

    app = create_app(
        {"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": database_url, "AUTO_MIGRATE": True}
    )
    petition_id, build_seconds = load_signatures(app, args.signatures)
    print(f"loaded {args.signatures:,} signatures in {build_seconds:.1f} s")
    sessions = create_member_sessions(app, args.members_per_run * (len(clients) + 1) + 1)
    reader = sessions.pop()
    env = {
        "VOICEBOX_INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url,
        # Limits on, as in production: every request comes from one address, and no
        # limit may key on it for members (signing and reads carry no limit at all).
        "VOICEBOX_RATELIMIT": "1",
        "BASELINE_DATABASE_URL": baseline_url,
        "VOICEBOX_LOG_LEVEL": "warning",
    }
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    sign_path = f"/petitions/{petition_id}/sign"
    page_path = f"/petitions/{petition_id}"
    api_path = f"/api/v1/petitions/{petition_id}"
    tally_path = f"/petitions/{petition_id}/tally"
    ours: dict[str, dict] = {}
    base: dict[str, dict] = {}
    served = gunicorn_server("app:app", env, workers=args.workers, threads=args.threads, log_dir=folder)
    with served as server:
        with app.app_context():
            before = db.session.scalar(select(func.count()).select_from(Signature))
        for n, level in enumerate(clients):
            pool = sessions[n * args.members_per_run : (n + 1) * args.members_per_run]
            credentials = write_credentials(pool, folder / f"members-{level}.tsv")
            ours[f"sign{level}"] = wrk(
                server.url + sign_path,
                level,
                args.duration,
                args.wrk_threads,
                VOICEBOX_BENCH_MODE="sign",
                VOICEBOX_BENCH_PATH=sign_path,
                VOICEBOX_BENCH_CREDENTIALS=str(credentials),
            )
            if ours[f"sign{level}"]["requests"] > len(pool):
                print(f"warning: {level}-client run reused members; raise --members-per-run")
        walkers = sessions[len(clients) * args.members_per_run : (len(clients) + 1) * args.members_per_run]
        ours["journey"] = wrk(
            server.url + page_path,
            args.read_clients,
            args.duration,
            args.wrk_threads,
            VOICEBOX_BENCH_MODE="journey",
            VOICEBOX_BENCH_PATH=sign_path,
            VOICEBOX_BENCH_PAGE=page_path,
            VOICEBOX_BENCH_CREDENTIALS=str(write_credentials(walkers, folder / "members-journey.tsv")),
        )
        if ours["journey"]["requests"] > 3 * len(walkers):
            print("warning: the journey run reused members; raise --members-per-run")

        def read(path: str) -> dict:
            return wrk(
                server.url + path,
                args.read_clients,
                args.duration,
                args.wrk_threads,
                VOICEBOX_BENCH_MODE="get",
                VOICEBOX_BENCH_COOKIE=reader.cookie,
            )

        ours["tally"] = read(tally_path)
        ours["page"] = read(page_path)
        probe = subprocess.run(
            [
                "curl",
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "-b",
                f"session={reader.cookie}",
                server.url + api_path,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.stdout == "200":
            ours["api"] = read(api_path)
        rss, pss = worker_memory(server)
        failures = server.log().count("Traceback")
    with app.app_context():
        # Signatures wait in their counting window until the next tick: count them now, as
        # the server's background thread would within a minute.
        count_queued(app.extensions["voicebox.secrets"], app.extensions["voicebox.keys"])
        db.session.remove()
        after = db.session.scalar(select(func.count()).select_from(Signature))
        tally = db.session.get(Petition, petition_id).signature_count
    signed = sum(ours[f"sign{level}"]["requests"] for level in clients) + ours["journey"]["requests"] // 3

    with gunicorn_server(
        "bench.baseline_app:app",
        env,
        workers=args.workers,
        threads=args.threads,
        log_dir=folder,
        ready_path="/hello",
    ) as server:
        for level in clients:
            base[f"sign{level}"] = wrk(
                server.url + "/sign",
                level,
                args.duration,
                args.wrk_threads,
                VOICEBOX_BENCH_MODE="sign",
                VOICEBOX_BENCH_PATH="/sign",
                VOICEBOX_BENCH_CREDENTIALS=str(folder / f"members-{level}.tsv"),
            )
        base["hello"] = wrk(
            server.url + "/hello",
            args.read_clients,
            args.duration,
            args.wrk_threads,
            VOICEBOX_BENCH_MODE="get",
        )

    print()
    print("| measure | voicebox | baseline | ratio | target | met |")
    print("| --- | --- | --- | --- | --- | --- |")
    for level in clients:
        o, b = ours[f"sign{level}"], base[f"sign{level}"]
        ratio = o["rps"] / b["rps"]
        print(
            row(
                f"signing, {level} clients (req/s)",
                f"{o['rps']:.0f}",
                f"{b['rps']:.0f}",
                f"{ratio:.0%}",
                f">= {TARGETS['signing']:.0%}",
                ratio >= TARGETS["signing"],
            )
        )
        print(
            row(
                f"signing, {level} clients p50 / p99 (ms)",
                f"{o['p50_ms']:.1f} / {o['p99_ms']:.1f}",
                f"{b['p50_ms']:.1f} / {b['p99_ms']:.1f}",
                "",
                f"p99 < {TARGETS['p99_ms']:.0f}" if level >= 64 else "",
                o["p99_ms"] < TARGETS["p99_ms"] if level >= 64 else None,
            )
        )
    hello = base["hello"]
    journey = ours["journey"]
    print(
        row(
            f"page → sign → page, {args.read_clients} clients (signatures/s)",
            f"{journey['rps'] / 3:.0f}",
            f"{hello['rps'] / 3:.0f} (3 hellos)",
            f"{journey['rps'] / hello['rps']:.0%}",
            ">= 1,000/s",
            journey["rps"] / 3 >= 1000,
        )
    )
    print(
        row(
            "page → sign → page p50 / p99 per request (ms)",
            f"{journey['p50_ms']:.1f} / {journey['p99_ms']:.1f}",
        )
    )
    for key, label in (
        ("tally", "tally read: live counter"),
        ("page", "tally read: petition page"),
        ("api", "tally read: JSON API"),
    ):
        if key in ours:
            o = ours[key]
            ratio = o["rps"] / hello["rps"]
            print(
                row(
                    f"{label}, {args.read_clients} clients (req/s)",
                    f"{o['rps']:.0f}",
                    f"{hello['rps']:.0f} (hello)",
                    f"{ratio:.0%}",
                    f">= {TARGETS['reads']:.0%}",
                    ratio >= TARGETS["reads"],
                )
            )
            print(
                row(
                    f"{label} p50 / p99 (ms)",
                    f"{o['p50_ms']:.1f} / {o['p99_ms']:.1f}",
                    f"{hello['p50_ms']:.1f} / {hello['p99_ms']:.1f}",
                )
            )
    print(
        row(
            "worker memory, largest RSS / PSS (MB)",
            f"{rss:.0f} / {pss:.0f}",
            "",
            "",
            f"< {TARGETS['memory_mb']:.0f}",
            rss < TARGETS["memory_mb"],
        )
    )
    print(row(f"bulk load of {args.signatures:,} signatures (s)", f"{build_seconds:.1f}"))
    print()
    errors = sum(o["status_errors"] + o["socket_errors"] for o in ours.values())
    print(
        f"check: {signed:,} signing requests answered in time, {after - before:,} signatures stored, "
        f"tally {tally:,} = {args.signatures:,} + {tally - args.signatures:,}; "
        f"non-2xx/3xx or socket errors: {errors}; tracebacks in the server log: {failures}"
    )
    print(
        run_report_scale_hook(
            {
                "VOICEBOX_BENCH_DATABASE_URL": database_url,
                "VOICEBOX_BENCH_INSTANCE_PATH": str(instance),
                "VOICEBOX_BENCH_PETITION_ID": petition_id,
            }
        )
    )
    print(f"(working files in {folder})")


if __name__ == "__main__":
    main()
