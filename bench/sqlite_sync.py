"""What synchronous=FULL costs the embedded SQLite: `python bench/sqlite_sync.py`.

Runs the write a signature makes (insert a row, bump a counter, one commit) against a WAL
database with the app's pragmas, under synchronous=NORMAL and =FULL, from 1 and from 4
processes at once (writers queue as the app's do), on the filesystem of --folder (default:
a temporary folder beside this file, i.e. the disk the instance folder would live on).
Prints commits per second and per-commit latency. Never run by pytest.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path


def _connect(path: Path, synchronous: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(f"PRAGMA synchronous={synchronous}")
    connection.execute("PRAGMA secure_delete=ON")
    return connection


def _prepare(path: Path) -> None:
    connection = _connect(path, "NORMAL")
    connection.execute("CREATE TABLE signatures (id TEXT PRIMARY KEY, petition INT, nullifier TEXT)")
    connection.execute("CREATE TABLE petitions (id INT PRIMARY KEY, signature_count INT)")
    connection.execute("INSERT INTO petitions VALUES (1, 0)")
    connection.close()


def _writer(args: tuple[str, str, int, int]) -> list[float]:
    path, synchronous, commits, worker = args
    connection = _connect(Path(path), synchronous)
    latencies = []
    for n in range(commits):
        started = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO signatures VALUES (?, 1, ?)", (f"{worker}-{n}", os.urandom(32).hex()))
        connection.execute("UPDATE petitions SET signature_count = signature_count + 1 WHERE id = 1")
        connection.execute("COMMIT")
        latencies.append(time.perf_counter() - started)
    connection.close()
    return latencies


def measure(folder: Path, synchronous: str, processes: int, commits: int) -> str:
    path = folder / f"sync-{synchronous}-{processes}.sqlite3"
    _prepare(path)
    started = time.perf_counter()
    with multiprocessing.Pool(processes) as pool:
        runs = pool.map(_writer, [(str(path), synchronous, commits, w) for w in range(processes)])
    elapsed = time.perf_counter() - started
    latencies = sorted(x for run in runs for x in run)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    return (
        f"synchronous={synchronous:<6} writers={processes}  {len(latencies) / elapsed:8.0f} commits/s"
        f"  median {statistics.median(latencies) * 1000:6.2f} ms  p99 {p99 * 1000:6.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=2000, help="commits per writer")
    parser.add_argument("--folder", type=Path, default=Path(__file__).resolve().parent)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=options.folder, prefix="sync-bench-") as folder:
        for processes in (1, 4):
            for synchronous in ("NORMAL", "FULL"):
                print(measure(Path(folder), synchronous, processes, options.commits), flush=True)


if __name__ == "__main__":
    main()
