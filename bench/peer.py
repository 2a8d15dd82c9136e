"""dengta against the tool a user would pick instead (issue 18): PostGraphile 4 over plain tables
with an audit trigger and hand-written history tables (bench/peer/), filled row for row from
dengta's read models in the same PostgreSQL database (bench/peer_data.py). Both sides get the
same work (bench/peer_work.py) and must return identical content before anything is measured;
then each work runs on both sides in turn (wrk, concurrency 16; one client for the serial
latency), round after round, with 1 and then 2 processes per side, and the CPU each request cost
the server's process tree and PostgreSQL's backends (bench/cpu.py). Prints the issue's table:
dengta's requests/s over the peer's, medians over rounds (the range in brackets).

The checks run once, before the first measurement: the mutations then add different progress
to each side, so later pages differ in their counts (not in their shape or size).

Usage: python -m bench.peer [--seconds 10] [--rounds 3] [--processes 1,2]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from app.auth import TokenService
from bench.api import SECRET, load, start
from bench.cpu import CpuMeter, process_tree
from bench.databases import scratch_database
from bench.peer_data import fill_peer, seed
from bench.peer_work import Work, works

PEER = Path(__file__).parent / "peer"
OURS_PORT, PEER_PORT = 8711, 8712
SIDES = ("dengta", "peer")
Stats = dict[str, float]


def ready() -> str | None:
    """Why the benchmark cannot run here, or None."""
    for tool, why in (("node", "node 20+ (PostGraphile 4)"), ("npm", "npm (PostGraphile 4)"),
                      ("wrk", "wrk, the HTTP load generator: apt-get install wrk")):
        if shutil.which(tool) is None:
            return f"bench/peer.py skipped: it needs {why}, and `{tool}` is not on PATH"
    return None


def install_peer() -> None:
    """PostGraphile as pinned by bench/peer/package-lock.json, on first run."""
    if not (PEER / "node_modules").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=PEER, check=True,
                       stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def servers(url: str, processes: int, folder: str) -> Iterator[dict[str, int]]:
    """Both sides served with `processes` processes each; their root process ids."""
    ours_env = {"DENGTA_DATABASE_URL": url, "DENGTA_JWT_SECRET": SECRET,
                "DENGTA_JWT_SECRET_FILE": f"{folder}/secret",
                # the projections fold in a worker process, as `make bench` serves dengta
                "DENGTA_PROJECTIONS": "worker"}
    started = []
    try:
        started.append(start([sys.executable, "-m", "app.cli", "serve", "--workers",
                              str(processes), "--port", str(OURS_PORT)], ours_env, OURS_PORT))
        started.append(start(["node", "server.js", str(PEER_PORT), str(processes)],
                             {"DATABASE_URL": url, "JWT_SECRET": SECRET}, PEER_PORT,
                             folder=str(PEER)))
        time.sleep(1)
        yield {"dengta": started[0].pid, "peer": started[1].pid}
    finally:
        for process in started:
            process.terminate()
            process.wait(timeout=15)


def endpoint(side: str) -> str:
    return f"http://127.0.0.1:{OURS_PORT if side == 'dengta' else PEER_PORT}/graphql"


def ask(side: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    answer = httpx.post(endpoint(side), json=body, headers=headers, timeout=30).json()
    if "errors" in answer or not isinstance(answer.get("data"), dict):
        sys.exit(f"refusing to measure: {side} answered {json.dumps(answer)[:600]}")
    data: dict[str, Any] = answer["data"]
    return data


def first_difference(ours: Any, peer: Any, path: str = "") -> str | None:
    if isinstance(ours, dict) and isinstance(peer, dict):
        for key in sorted(ours.keys() | peer.keys()):
            found = first_difference(ours.get(key), peer.get(key), f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(ours, list) and isinstance(peer, list):
        if len(ours) != len(peer):
            return f"{path}: {len(ours)} items against {len(peer)}"
        for index, (a, b) in enumerate(zip(ours, peer, strict=True)):
            found = first_difference(a, b, f"{path}[{index}]")
            if found:
                return found
        return None
    return None if ours == peer else f"{path}: dengta {ours!r}, peer {peer!r}"


def check(all_works: dict[str, Work], headers: dict[str, str]) -> None:
    """Both sides answer every work without errors, with the same content where there is
    content; the mutation leaves the same count of reports on both. Exits when not."""
    for work in all_works.values():
        ours = ask("dengta", work.ours[0], headers)
        peer = ask("peer", work.peers[0], headers)
        if work.ours_shape is not None and work.peer_shape is not None:
            difference = first_difference(work.ours_shape(ours), work.peer_shape(peer))
            if difference is not None:
                sys.exit(f"refusing to measure: {work.label} differs at {difference}")
    # The work lists post the same reports in the same order: their first is the same report.
    ours = ask("dengta", all_works["report"].ours[0], headers)["reportProgress"]["goal"]
    peer = ask("peer", all_works["report"].peers[0], headers)["createProgressReport"]
    if ours["progress"]["reports"] != peer["progressReport"]["goal"]["progress"]["reports"]:
        sys.exit("refusing to measure: reportProgress left different counts of reports")
    print(f"  checked: both sides return identical content for {len(all_works)} works")


def measured(side: str, work: Work, pid: int, database: str, headers: dict[str, str],
             seconds: float) -> Stats:
    """A run of `work` on `side`, and what it cost the side's processes and PostgreSQL."""
    bodies = work.ours if side == "dengta" else work.peers
    with CpuMeter(database) as postgres:
        before = process_tree([pid])
        result = load(endpoint(side), bodies, headers, seconds, work.concurrency)
        server = process_tree([pid]) - before
    requests = max(result["rps"] * seconds, 1)
    return {**result, "server_ms": server / requests * 1000,
            "postgres_ms": postgres.postgres / requests * 1000}


def median(runs: list[Stats], stat: str) -> float:
    return statistics.median(run[stat] for run in runs)


def ratio_cell(ours: list[Stats], peer: list[Stats]) -> str:
    ratios = sorted(a["rps"] / b["rps"] for a, b in zip(ours, peer, strict=True))
    spread = f" ({ratios[0]:.2f}–{ratios[-1]:.2f})" if len(ratios) > 1 else ""
    return f"**{statistics.median(ratios):.2f}**{spread}"


def report(all_works: dict[str, Work], runs: dict[tuple[int, str, str], list[Stats]],
           processes: list[int]) -> None:
    counts = " | ".join(f"{n} process{'es' if n > 1 else ''} each: req/s ratio"
                        for n in processes)
    cpus = " | ".join(f"CPU per request, dengta vs peer ({n} proc)" for n in processes)
    print(f"\n| work | {counts} | {cpus} |\n|---|{'---|' * 2 * len(processes)}")
    for key, work in all_works.items():
        cells, cpu = [], []
        for n in processes:
            ours, peer = runs[(n, key, "dengta")], runs[(n, key, "peer")]
            if work.concurrency == 1:
                cells.append(f"{median(ours, 'p50'):.1f} vs {median(peer, 'p50'):.1f} ms")
            else:
                cells.append(ratio_cell(ours, peer))
            cpu.append(" vs ".join(f"{median(side, 'server_ms'):.1f} + "
                                   f"{median(side, 'postgres_ms'):.1f} ms"
                                   for side in (ours, peer)))
        print(f"| {work.label} | {' | '.join(cells)} | {' | '.join(cpu)} |")
    print("\nrequests/s (medians), dengta / peer; failed requests where any:")
    for key, work in all_works.items():
        line = []
        for n in processes:
            ours, peer = runs[(n, key, "dengta")], runs[(n, key, "peer")]
            errors = sum(run["errors"] for run in ours + peer)
            line.append(f"{n}p {median(ours, 'rps'):7.0f} / {median(peer, 'rps'):7.0f}"
                        + (f" ({errors:.0f} failed)" if errors else ""))
        print(f"  {work.label:<42} {'   '.join(line)}")
    print("CPU per request: the server's process tree + PostgreSQL's backends.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--processes", default="1,2",
                        help="processes per side, comma-separated (default: 1,2)")
    parser.add_argument("--only", default=None,
                        help="comma-separated works to measure (default: all)")
    args = parser.parse_args()
    missing = ready()
    if missing is not None:
        print(missing)
        return
    install_peer()
    processes = [int(n) for n in args.processes.split(",")]
    headers = {"Authorization": f"Bearer {TokenService(SECRET).mint('admin')}"}
    runs: dict[tuple[int, str, str], list[Stats]] = {}
    with scratch_database("postgresql") as url, tempfile.TemporaryDirectory() as folder:
        seeded = seed(url)
        fill_peer(url)
        all_works = works(seeded)
        chosen = {key: work for key, work in all_works.items()
                  if args.only is None or key in args.only.split(",")}
        database = url.rsplit("/", 1)[1]
        for n in processes:
            with servers(url, n, folder) as pids:
                if n == processes[0]:
                    check(all_works, headers)
                for work in chosen.values():  # warm up: JIT, plan and parser caches
                    for side in SIDES:
                        measured(side, work, pids[side], database, headers, 1)
                for round_number in range(args.rounds):
                    # each work on both sides in turn, who goes first alternating by round
                    sides = SIDES if round_number % 2 == 0 else SIDES[::-1]
                    for key, work in chosen.items():
                        for side in sides:
                            runs.setdefault((n, key, side), []).append(measured(
                                side, work, pids[side], database, headers, args.seconds))
    print(f"bench/peer.py  {time.strftime('%Y-%m-%d %H:%M')}  PostgreSQL, dengta against "
          f"PostGraphile 4.14.1, wrk concurrency 16, {args.seconds:.0f} s each, "
          f"{args.rounds} round(s), sides interleaved; medians over rounds (range)")
    report(chosen, runs, processes)


if __name__ == "__main__":
    main()
