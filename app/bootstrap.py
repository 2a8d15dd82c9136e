"""The composition root: builds the application on the configured store."""

from __future__ import annotations

from eventsourcing.postgres import PostgresAggregateRecorder

from app.settings import Settings
from domain.application import DengtaApplication
from store.postgres import AuditedPostgresRecorder
from store.roles import open_schema
from store.url import DatabaseURL


def open_application(settings: Settings) -> DengtaApplication:
    """The application on the configured store, created when there is none: the command line
    lets only `dengta init` and `dengta demo` get here without a store (app.startup). On
    PostgreSQL a role that may create the schema creates it on first use; any other role
    finds it current and granted, or raises store.roles.SchemaNotReadyError, whose message
    says to run `dengta migrate`."""
    url = DatabaseURL(settings.database_url)
    env = url.library_env(pool_size=settings.pool_size)
    if url.backend != "postgresql":
        url.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        return DengtaApplication(env=env)
    env["CREATE_TABLE"] = "no"  # store.roles decides: the owner creates, others check
    app = DengtaApplication(env=env)
    try:
        recorder = app.recorder
        assert isinstance(recorder, AuditedPostgresRecorder)
        snapshots = app.snapshots.recorder if app.snapshots is not None else None
        assert snapshots is None or isinstance(snapshots, PostgresAggregateRecorder)
        open_schema(recorder, snapshots)
    except BaseException:
        app.close()
        raise
    return app
