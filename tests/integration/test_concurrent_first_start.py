"""Processes that start together on a new PostgreSQL store (an API and its projection worker,
several API workers) all create the schema as the library would: their DDL must take turns,
not fail on each other ("tuple concurrently updated")."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from app.bootstrap import open_application
from app.settings import Settings
from tests.conftest import reset_postgres


@pytest.mark.postgres
def test_processes_starting_together_on_a_new_store_all_open_it(postgres_database: str) -> None:
    for _ in range(3):
        reset_postgres(postgres_database)

        def start(_: int) -> None:
            open_application(Settings(database_url=postgres_database, pool_size=2)).close()

        with ThreadPoolExecutor(6) as starting:
            list(starting.map(start, range(6)))  # raises what any start raised
