"""What `validAt` costs a goals page, in process (starlette's TestClient, no network): a page
of 50 goals with progress, organisation and responsibilities, current, `asOf` and `validAt`,
over the demo and over bench/api.py's seed (the demo and 60 more goals with progress).

Usage: python -m bench.valid_lists [--backend postgresql|sqlite] [--repeat 30]
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from starlette.testclient import TestClient

from app.auth import TokenService
from app.demo import load_demo
from app.http import create_app
from app.settings import Settings
from bench.api import PAGE, SECRET, seed
from bench.databases import scratch_database
from domain.application import DengtaApplication
from store.url import DatabaseURL

VALID_PAGE = PAGE.replace("$at: DateTime", "$at: Date").replace("asOf: $at", "validAt: $at")


def timed(client: TestClient, query: str, variables: dict[str, Any], headers: dict[str, str],
          repeat: int) -> float:
    """The median milliseconds of a request, after one to warm the caches."""
    durations = []
    for attempt in range(repeat + 1):
        started = time.perf_counter()
        answer = client.post("/graphql", json={"query": query, "variables": variables},
                             headers=headers).json()
        assert "errors" not in answer, answer
        if attempt:
            durations.append((time.perf_counter() - started) * 1000)
    return statistics.median(durations)


def measure(url: str, moment: str | None, repeat: int) -> dict[str, float]:
    headers = {"Authorization": f"Bearer {TokenService(SECRET).mint('admin')}"}
    with TestClient(create_app(Settings(database_url=url, jwt_secret=SECRET))) as client:
        return {
            "current": timed(client, PAGE, {}, headers, repeat),
            "asOf": timed(client, PAGE, {"at": moment}, headers, repeat) if moment else 0.0,
            "validAt": timed(client, VALID_PAGE, {"at": "2026-06-30"}, headers, repeat),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with scratch_database(args.backend) as url:
        app = DengtaApplication(env=DatabaseURL(url).library_env())
        load_demo(app)
        app.close()
        print(f"demo ({args.backend}):", measure(url, None, args.repeat))
    with scratch_database(args.backend) as url:
        _, moment = seed(url)
        print(f"bench seed ({args.backend}):", measure(url, moment, args.repeat))


if __name__ == "__main__":
    main()
