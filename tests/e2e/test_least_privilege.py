"""Least privilege on PostgreSQL: an owner role migrates the schema; the server runs as an
application role that reads and appends, folds its read models, and is refused every way of
rewriting history or switching the protection off. Roles are cluster-wide: each run makes
its own (unique names) in databases of its own, and drops them all at the end."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import psycopg
import pytest
from psycopg import errors
from starlette.testclient import TestClient

from app.bootstrap import open_application
from app.cli import main
from app.http import create_app
from app.settings import Settings
from projections import ALL
from projections.organization_tree import OrganizationTree
from projections.rebuild import rebuild
from store import chain
from store.roles import READ_SCHEMA, SchemaNotReadyError
from tests.conftest import IN_CI, PG_ADMIN_URL
from tests.e2e.test_api import ADMIN, SECRET, draft, gql, register

pytestmark = pytest.mark.postgres
EVENTS, AUDIT, SNAPSHOTS = "dengta_events", "dengta_audit", "dengta_snapshots"


@dataclass(frozen=True)
class Cluster:
    owner_url: str  # a role with CREATEROLE that owns the database, not a superuser
    app_url: str  # the server's role, made by `dengta migrate`
    app_role: str
    empty_url: str  # the same application role, on a database nobody migrated
    admin_db_url: str  # the superuser, on the migrated database (for catalogue look-ups)

    def app(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.app_url, autocommit=True) as conn:
            cursor = conn.execute(sql, params)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []

    def admin(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.admin_db_url, autocommit=True) as conn:
            cursor = conn.execute(sql, params)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []


def migrate(cluster: Cluster, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    saved = os.environ.get("DENGTA_DATABASE_URL")
    os.environ["DENGTA_DATABASE_URL"] = cluster.app_url
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["migrate", "--owner-url", cluster.owner_url, *args])
    finally:
        if saved is None:
            del os.environ["DENGTA_DATABASE_URL"]
        else:
            os.environ["DENGTA_DATABASE_URL"] = saved
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    suffix = uuid4().hex[:10]
    owner, role = f"dengta_owner_{suffix}", f"dengta_app_{suffix}"
    database, empty = f"dengta_lp_{suffix}", f"dengta_lp_empty_{suffix}"
    try:
        admin = psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI=true and is not reachable: {error}")
        pytest.skip(f"PostgreSQL not reachable: {error}")
    place = urlsplit(PG_ADMIN_URL)
    server = f"{place.hostname}:{place.port or 5432}"
    with admin:
        admin.execute(f"CREATE ROLE {owner} LOGIN CREATEROLE PASSWORD 'owner-secret'")
        admin.execute(f"CREATE DATABASE {database} OWNER {owner}")
        admin.execute(f"CREATE DATABASE {empty} OWNER {owner}")
    try:
        yield Cluster(owner_url=f"postgresql://{owner}:owner-secret@{server}/{database}",
                      app_url=f"postgresql://{role}:app-secret@{server}/{database}",
                      app_role=role, empty_url=f"postgresql://{role}:app-secret@{server}/{empty}",
                      admin_db_url=f"{PG_ADMIN_URL}/{database}")
    finally:
        with psycopg.connect(f"{PG_ADMIN_URL}/postgres", autocommit=True) as admin:
            for name in (database, empty):
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.execute(f"DROP ROLE IF EXISTS {role}")
            admin.execute(f"DROP ROLE IF EXISTS {owner}")
            assert not admin.execute("SELECT 1 FROM pg_roles WHERE rolname IN (%s, %s)",
                                     (role, owner)).fetchall()


@pytest.fixture(scope="module")
def migrated(cluster: Cluster) -> str:
    code, out, err = migrate(cluster)
    assert code == 0, err
    return out


def test_migrate_grants_the_application_role_reading_and_appending_only(
        cluster: Cluster, migrated: str) -> None:
    assert f"application role {cluster.app_role}: role {cluster.app_role} created" in migrated
    assert f"read models: {len(ALL)} created (or kept) in schema {READ_SCHEMA}" in migrated
    flags = cluster.admin("SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls "
                          "FROM pg_roles WHERE rolname = %s", [cluster.app_role])
    assert flags == [(False, False, False, False)]
    privileges = {
        table: {p for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES",
                            "TRIGGER")
                if cluster.admin("SELECT has_table_privilege(%s, %s, %s)",
                                 [cluster.app_role, f"public.{table}", p])[0][0]}
        for table in (EVENTS, AUDIT, SNAPSHOTS, "dengta_schema", "dengta_receipts")}
    assert privileges == {EVENTS: {"SELECT"}, AUDIT: {"SELECT"}, SNAPSHOTS: {"SELECT", "INSERT"},
                          "dengta_schema": {"SELECT"}, "dengta_receipts": {"SELECT", "INSERT"}}
    definer = cluster.admin("SELECT prosecdef, proconfig, has_function_privilege(%s, oid, "
                            "'EXECUTE'), has_function_privilege('public', oid, 'EXECUTE') "
                            "FROM pg_proc WHERE proname = 'dengta_append'", [cluster.app_role])
    assert definer == [(True, ["search_path=public, pg_temp"], True, False)]
    owners = cluster.admin("SELECT n.nspname, c.relname, pg_get_userbyid(c.relowner) "
                           "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                           "WHERE c.relkind = 'r' AND n.nspname IN ('public', %s)",
                           [READ_SCHEMA])
    owner = urlsplit(cluster.owner_url).username
    assert {table for schema, table, who in owners if schema == "public"} >= {
        EVENTS, AUDIT, SNAPSHOTS, "dengta_schema"}
    assert all(who == (owner if schema == "public" else cluster.app_role)
               for schema, _table, who in owners)
    assert {t for s, t, _ in owners if s == READ_SCHEMA} >= {"dengta_tracking"}
    # Again: nothing to create, the same grants, no error.
    code, out, err = migrate(cluster)
    assert code == 0, err
    assert "created" not in out.split("application role")[1].split(";")[0]


def test_the_server_runs_as_the_application_role(cluster: Cluster, migrated: str) -> None:
    settings = Settings(database_url=cluster.app_url, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        org = register(client, "市局党委", "committee")["data"]["registerOrganization"]
        assert org["userErrors"] == []
        org_id = org["organization"]["id"]
        goal = draft(client, org_id, "党建引领")["data"]["draftGoal"]
        assert goal["userErrors"] == [] and goal["goal"]["status"] == "drafted"
        # An idempotency key is kept (and replayed) as the application role too.
        rename = """mutation($input: RenameOrganizationInput!) { renameOrganization(
            input: $input) { status recorded { position replayed } } }"""
        keyed = {"organizationId": org_id, "name": "市局机关党委", "reason": "更名",
                 "clientMutationId": "rename-1"}
        first = gql(client, rename, ADMIN, input=keyed)["data"]["renameOrganization"]
        again = gql(client, rename, ADMIN, input=keyed)["data"]["renameOrganization"]
        assert first["status"] == "APPLIED" and again["recorded"] == {
            "position": first["recorded"]["position"], "replayed": True}
        # Read your writes: the followers, as the application role, folded both.
        read = gql(client, "{ goals(first: 5) { nodes { title organization { name } } } }",
                   ADMIN)
        assert read["data"]["goals"]["nodes"] == [
            {"title": "党建引领", "organization": {"name": "市局机关党委"}}]
        services = client.app.state.services  # type: ignore[attr-defined]
        app = services.app
        assert chain.verify(chain.audited(app.recorder)).ok
        # A snapshot, written as the application role.
        app.take_snapshot(app.recorder.select_notifications(1, 1)[0].originator_id)
    assert cluster.app(f"SELECT count(*) FROM {SNAPSHOTS}")[0][0] == 1
    assert cluster.app("SELECT current_user")[0][0] == cluster.app_role
    # Rebuilding read models is the application role's own business (it owns them).
    folded = rebuild(cluster.app_url, [OrganizationTree])
    assert folded >= 1
    assert cluster.app("SELECT count(*) FROM view_org_nodes WHERE valid_to IS NULL"
                       ) == [(1,)]


CHAIN = f"SELECT count(*), string_agg(encode(hash, 'hex'), '' ORDER BY position) FROM {AUDIT}"
REFUSED = [
    *(f"UPDATE {table} SET {column} = {column}" for table, column in
      ((EVENTS, "topic"), (AUDIT, "actor"), (SNAPSHOTS, "topic"))),
    *(f"DELETE FROM {table}" for table in (EVENTS, AUDIT, SNAPSHOTS, "dengta_receipts")),
    "UPDATE dengta_receipts SET position = 0",
    *(f"TRUNCATE {table}" for table in (EVENTS, AUDIT, SNAPSHOTS)),
    *(f"ALTER TABLE {table} DISABLE TRIGGER dengta_append_only"
      for table in (EVENTS, AUDIT, SNAPSHOTS)),
    f"ALTER TABLE {EVENTS} DISABLE TRIGGER ALL",
    f"ALTER TABLE {AUDIT} OWNER TO CURRENT_USER",
    *(f"DROP TABLE {table} CASCADE" for table in (EVENTS, AUDIT, SNAPSHOTS)),
    *(f"DROP TRIGGER dengta_no_truncate ON {table}" for table in (EVENTS, AUDIT, SNAPSHOTS)),
    "DROP FUNCTION dengta_refuse_change() CASCADE",
    "DROP FUNCTION dengta_append CASCADE",
    "CREATE OR REPLACE FUNCTION public.dengta_refuse_change() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
    "SET session_replication_role = replica",  # would skip every trigger
    f"INSERT INTO {EVENTS} (originator_id, originator_version, topic, state) "
    "VALUES (gen_random_uuid(), 1, 'dengta:Forged', '')",  # around the chain
    f"INSERT INTO {AUDIT} SELECT * FROM {AUDIT} LIMIT 1",
    "UPDATE dengta_schema SET fingerprint = 'any'",
    "CREATE TABLE public.dengta_shadow (x int)",
]


@pytest.mark.parametrize("statement", REFUSED)
def test_the_application_role_cannot_rewrite_history_or_switch_protection_off(
        cluster: Cluster, migrated: str, statement: str) -> None:
    before = cluster.admin(CHAIN)
    with pytest.raises(errors.InsufficientPrivilege):
        cluster.app(statement)
    assert cluster.admin(CHAIN) == before
    triggers = cluster.admin("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'dengta_%%' "
                             "AND tgenabled = 'O'")
    assert triggers == [(8,)]  # two each on events, audit, snapshots and receipts
    with closing(open_application(Settings(database_url=cluster.app_url, pool_size=1))) as app:
        assert chain.verify(chain.audited(app.recorder)).ok


def test_before_migrate_the_application_role_is_told_what_to_run(cluster: Cluster,
                                                                migrated: str) -> None:
    with pytest.raises(SchemaNotReadyError, match="finds no dengta schema and may not create "
                                                  "one: run `dengta migrate` with the owner"):
        open_application(Settings(database_url=cluster.empty_url))
    env = {**os.environ, "DENGTA_DATABASE_URL": cluster.empty_url, "DENGTA_JWT_SECRET": SECRET}
    for command in (["serve", "--port", "0"], ["project"]):
        done = subprocess.run([sys.executable, "-m", "app.cli", *command], env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode != 0
        said = [line for line in done.stderr.splitlines() if "dengta migrate" in line]
        assert len(said) == 1, done.stderr
        assert "Traceback" not in done.stderr, done.stderr
    # Nothing was created there by the attempt.
    with psycopg.connect(cluster.empty_url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
                            ).fetchone() == (0,)


def test_an_older_schema_is_named_and_migrate_brings_it_up_to_date(cluster: Cluster,
                                                                  migrated: str) -> None:
    with psycopg.connect(cluster.owner_url, autocommit=True) as owner:
        owner.execute("UPDATE dengta_schema SET fingerprint = 'an-older-fingerprint'")
    with pytest.raises(SchemaNotReadyError, match=r"of another version \(an-older-fin"):
        open_application(Settings(database_url=cluster.app_url))
    code, _out, err = migrate(cluster)
    assert code == 0, err
    # The owner replaced dengta_append (CREATE OR REPLACE): it still runs as its owner.
    with closing(open_application(Settings(database_url=cluster.app_url))) as app:
        app.register_person("system:test", name="张三", party_member=True)
        assert chain.verify(chain.audited(app.recorder)).ok


def test_migrate_refuses_an_application_role_the_protection_would_not_bind(
        cluster: Cluster, migrated: str) -> None:
    owner = urlsplit(cluster.owner_url).username
    assert owner is not None
    code, _out, err = migrate(cluster, "--app-role", owner)
    assert code == 2 and "must not be the owner" in err
    code, _out, err = migrate(cluster, "--app-role", "postgres")
    assert code == 2 and "superuser" in err
