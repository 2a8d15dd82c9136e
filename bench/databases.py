"""Throwaway databases for the benchmarks."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432"


@contextmanager
def scratch_database(backend: str = "postgresql", url: str | None = None) -> Iterator[str]:
    """`url` when given (an existing database, kept as it is); else a fresh one of `backend`
    (a SQLite file in a temporary folder, or a PostgreSQL database), removed afterwards."""
    if url is not None:
        yield url
        return
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    name = f"dengta_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{PG_ADMIN}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN}/{name}"
    finally:
        with psycopg.connect(f"{PG_ADMIN}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
