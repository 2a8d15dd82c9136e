"""PostgreSQL (production): the library's recorders plus the audit chain and append-only
triggers. A write is one call of a database function, `dengta_append`, which takes the events
table's lock, inserts the events, continues the audit chain (the same hashes as
`store.audit.chain_rows`, which `dengta verify` checks) and notifies, in one round trip: the
lock is held for no round trip to the client, and the writing thread waits on the network once.

Saves from concurrent threads are committed in groups: while one call holds the lock, the
saves that arrive meanwhile queue, and the next call writes them all (one lock, one flush to
disk). A group that fails (one save's version conflict, say) is written again save by save, so
each save still succeeds or fails alone, as if it had been by itself."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    AggregateRecorder,
    InterfaceError,
    OperationalError,
    PersistenceError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresFactory,
)
from eventsourcing.utils import retry

from store import receipts, schema
from store.audit import (
    AUDIT_TABLE,
    CHAIN_VERSION,
    AuditRow,
    ChainEvent,
    Digest,
    SnapshotDigests,
    chain_event,
    checked_audit_row,
    each_actor,
    micros,
    snapshot_digests,
    split_topic,
)
from store.snapshots import SnapshotAnchor, anchored_select, trusted

AUDIT_DDL = (
    f"""CREATE TABLE IF NOT EXISTS {AUDIT_TABLE} (
        position bigint PRIMARY KEY,
        recorded_at timestamptz NOT NULL,
        actor text NOT NULL,
        aggregate_type text NOT NULL,
        aggregate_id uuid NOT NULL,
        aggregate_version bigint NOT NULL,
        event_type text NOT NULL,
        hash bytea NOT NULL)""",
    # Chain version 2 (store.audit): a log made before it gets the columns; its rows keep
    # version 1 (the default, set without rewriting a row) and verify by their own formula.
    f"ALTER TABLE {AUDIT_TABLE} ADD COLUMN IF NOT EXISTS chain_version smallint NOT NULL "
    "DEFAULT 1",
    f"ALTER TABLE {AUDIT_TABLE} ADD COLUMN IF NOT EXISTS snapshot_hash bytea",
    # The version 1 writer: a process still running the old code fails instead of linking
    # rows by the old formula after new ones.
    "DROP FUNCTION IF EXISTS dengta_append(uuid[], bigint[], text[], bytea[], text[], text[], "
    "text[], text)",
    f"CREATE INDEX IF NOT EXISTS {AUDIT_TABLE}_recorded_at ON {AUDIT_TABLE} (recorded_at)",
    """CREATE OR REPLACE FUNCTION dengta_refuse_change() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'dengta: % on % is refused: the record is append-only',
           TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
       END $$""",
)
# The chain's link, as store.audit.link(previous, canonical_bytes_v2(...)) computes it. Recorded
# time is read after the table lock (clock_timestamp, not the transaction's start), so it never
# goes backwards along positions and a moment maps to a position by index.
APPEND_FUNCTION = """
CREATE OR REPLACE FUNCTION dengta_append(
    ids uuid[], versions bigint[], topics text[], states bytea[], actors text[],
    aggregate_types text[], event_types text[], snapshot_hashes bytea[], lock_timeout text)
    RETURNS SETOF bigint
LANGUAGE plpgsql AS $body$
DECLARE
    previous bytea;
    moment timestamptz;
    micros bigint;
    positions bigint[];
    actor_bytes bytea;
    topic_bytes bytea;
    type_bytes bytea;
    event_type_bytes bytea;
    snapshot bytea;
BEGIN
    -- Under a stricter level the call's snapshot predates the lock: it would read a stale
    -- chain head and link from the wrong hash.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'dengta_append needs READ COMMITTED, not %',
            current_setting('transaction_isolation');
    END IF;
    PERFORM set_config('lock_timeout', lock_timeout, true);
    LOCK TABLE {events} IN EXCLUSIVE MODE;
    NOTIFY {channel};
    SELECT hash INTO previous FROM {audit} ORDER BY position DESC LIMIT 1;
    previous := coalesce(previous, decode(repeat('00', 32), 'hex'));
    moment := clock_timestamp();
    micros := (extract(epoch FROM moment) * 1000000)::bigint;
    WITH inserted AS (
        INSERT INTO {events} (originator_id, originator_version, topic, state)
        SELECT * FROM unnest(ids, versions, topics, states)
        RETURNING notification_id)
    SELECT array_agg(notification_id ORDER BY notification_id) INTO positions FROM inserted;
    FOR i IN 1 .. cardinality(ids) LOOP
        actor_bytes := convert_to(actors[i], 'UTF8');
        topic_bytes := convert_to(topics[i], 'UTF8');
        type_bytes := convert_to(aggregate_types[i], 'UTF8');
        event_type_bytes := convert_to(event_types[i], 'UTF8');
        snapshot := coalesce(snapshot_hashes[i], ''::bytea);
        previous := sha256(previous || decode('02', 'hex') || int8send(positions[i])
            || int8send(micros) || uuid_send(ids[i]) || int8send(versions[i])
            || int4send(octet_length(actor_bytes)) || actor_bytes
            || int4send(octet_length(topic_bytes)) || topic_bytes
            || int4send(octet_length(type_bytes)) || type_bytes
            || int4send(octet_length(event_type_bytes)) || event_type_bytes
            || int4send(octet_length(snapshot)) || snapshot || states[i]);
        INSERT INTO {audit} (position, recorded_at, actor, aggregate_type, aggregate_id,
                             aggregate_version, event_type, hash, chain_version, snapshot_hash)
        VALUES (positions[i], moment, actors[i], aggregate_types[i], ids[i], versions[i],
                event_types[i], previous, {version}, snapshot_hashes[i]);
    END LOOP;
    RETURN QUERY SELECT unnest(positions);
END $body$"""
APPEND = "SELECT * FROM dengta_append(%s, %s, %s, %s, %s, %s, %s, %s::bytea[], %s)"
AUDIT_COLUMNS = ("position, recorded_at, actor, aggregate_type, aggregate_id, "
                 "aggregate_version, event_type, hash, chain_version, snapshot_hash")
# dengta_append runs as its owner (SECURITY DEFINER): LOCK TABLE ... IN EXCLUSIVE MODE needs
# UPDATE, DELETE or TRUNCATE on the events table, which the application role must not hold
# (store/roles.py grants it SELECT there and EXECUTE here; the triggers refuse changes anyway).
# Running as its owner, it pins its search path to the schema it was created in, pg_temp last,
# so a caller's own tables, functions or operators never stand in for the owner's; and PUBLIC
# may not call it. CREATE OR REPLACE makes it run as its caller again (grants stay): this runs
# after it, in the same transaction, whatever the function's parameters.
APPEND_SECURITY = """DO $do$ DECLARE f regprocedure; BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
           WHERE p.proname = 'dengta_append' AND p.pronamespace = current_schema()::regnamespace
  LOOP
    EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = %I, pg_temp',
                   f, current_schema());
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
END $do$"""
DDL_LOCK = "SELECT pg_advisory_xact_lock(7231007)"  # serialises concurrent first starts


def append_only_triggers(table: str) -> list[str]:
    return [
        f"CREATE OR REPLACE TRIGGER dengta_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION dengta_refuse_change()",
        f"CREATE OR REPLACE TRIGGER dengta_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION dengta_refuse_change()",
    ]


def run_ddl(recorder: PostgresAggregateRecorder, statements: Sequence[str]) -> None:
    with recorder.datastore.transaction(commit=True) as curs:
        curs.execute(DDL_LOCK)
        for statement in statements:
            curs.execute(statement)


class _Save:
    """One save's events, waiting to be written (perhaps in a group), then its answer."""

    __slots__ = ("actor", "done", "error", "positions", "receipt", "snapshots",
                 "stored_events")

    def __init__(self, stored_events: Sequence[StoredEvent], actor: str,
                 snapshots: SnapshotDigests, receipt: Any = None) -> None:
        self.stored_events = stored_events
        self.actor = actor
        self.snapshots = snapshots
        self.receipt = receipt  # the client's idempotency key, kept in the same transaction
        self.positions: Sequence[int] | None = None
        self.error: Exception | None = None
        self.done = False


class AuditedPostgresRecorder(PostgresApplicationRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._turn = threading.Condition()
        self._queue: list[_Save] = []
        self._writing = False
        self.group_sizes: list[int] = []  # saves per transaction, the latest few (for tests)

    def create_table(self) -> None:
        if self.datastore.enable_db_functions:
            # The function path skips the table lock; tailing readers would skip events.
            raise ProgrammingError("POSTGRES_ENABLE_DB_FUNCTIONS must stay off for dengta")
        super().create_table()
        statements = self.dengta_ddl()
        run_ddl(self, [*statements, *schema.record(self.datastore.schema, statements)])

    def dengta_ddl(self) -> list[str]:
        """What dengta adds to the library's tables (its fingerprint names the schema)."""
        events = f'"{self.datastore.schema}"."{self.events_table_name}"'
        append = APPEND_FUNCTION.format(events=events, channel=f'"{self.channel_name}"',
                                        audit=AUDIT_TABLE, version=CHAIN_VERSION)
        return [*AUDIT_DDL, *append_only_triggers(self.events_table_name),
                *append_only_triggers(AUDIT_TABLE), append, APPEND_SECURITY,
                receipts.POSTGRES_DDL, *append_only_triggers(receipts.RECEIPTS_TABLE)]

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if kwargs.get("tracking") is not None or set(kwargs) - {"actor", "tracking",
                                                                  "snapshots", "receipt"}:
            raise ProgrammingError("dengta's PostgreSQL recorder takes an actor, snapshots and "
                                   "a receipt, no tracking")
        if not stored_events:
            return []
        save = _Save(stored_events, kwargs.get("actor", ""),
                     snapshot_digests(kwargs.get("snapshots")), kwargs.get("receipt"))
        with self._turn:
            self._queue.append(save)
            while self._writing and not save.done:
                self._turn.wait()
            leading = not save.done
            if leading:  # nobody is writing: write everything queued so far
                self._writing = True
                group, self._queue = self._queue, []
        if leading:
            try:
                self._write_group(group)
            finally:
                with self._turn:
                    for unanswered in (s for s in group if not s.done):  # the leader broke off
                        unanswered.error = PersistenceError("the write was interrupted")
                        unanswered.done = True
                    self._writing = False
                    self._turn.notify_all()
        if save.error is not None:
            raise save.error
        return save.positions

    def _write_group(self, group: list[_Save]) -> None:
        del self.group_sizes[:-100]
        self.group_sizes.append(len(group))
        if len(group) > 1:
            try:
                positions = self._insert(
                    [event for save in group for event in save.stored_events],
                    actor=[save.actor for save in group for _ in save.stored_events],
                    saves=group)
            except Exception:  # each save is written again, alone, and answered for itself
                pass
            else:
                assert positions is not None
                start = 0
                for save in group:
                    end = start + len(save.stored_events)
                    save.positions, save.done = positions[start:end], True
                    start = end
                return
        for save in group:
            try:
                save.positions = self._insert(save.stored_events, actor=save.actor,
                                              saves=[save])
            except Exception as error:  # raised in the saving thread
                save.error = error
            save.done = True

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)  # as the library
    def _insert(self, stored_events: Sequence[StoredEvent], actor: str | Sequence[str],
                saves: Sequence[_Save]) -> Sequence[int]:
        actors = each_actor(actor, len(stored_events))
        kinds = [split_topic(stored.topic) for stored in stored_events]
        snapshots = {key: digest for save in saves for key, digest in save.snapshots.items()}
        arguments = ([stored.originator_id for stored in stored_events],
                     [stored.originator_version for stored in stored_events],
                     [stored.topic for stored in stored_events],
                     [stored.state for stored in stored_events], actors,
                     [kind[0] for kind in kinds], [kind[1] for kind in kinds],
                     [snapshots.get((stored.originator_id, stored.originator_version))
                      for stored in stored_events],
                     f"{self.datastore.lock_timeout}s")
        # The connection commits each statement: a write with idempotency receipts takes a
        # transaction of its own, so its events and receipts commit together or not at all.
        keeps = any(save.receipt is not None for save in saves)
        with (self.datastore.get_connection() as conn,
              conn.transaction() if keeps else nullcontext(), conn.cursor() as curs):
            curs.execute(APPEND, arguments, prepare=True)
            positions = [row["dengta_append"] for row in curs.fetchall()]
            keep_receipts(curs, saves, positions)
            return positions

    def select_audit(self, after: int, limit: int) -> list[AuditRow]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(f"SELECT {AUDIT_COLUMNS} FROM {AUDIT_TABLE} WHERE position > %s "
                         "ORDER BY position LIMIT %s", (after, limit))
            return [
                checked_audit_row(
                    r["position"], micros(r["recorded_at"]), r["actor"], r["aggregate_type"],
                    r["aggregate_id"], r["aggregate_version"], r["event_type"], r["hash"],
                    r["chain_version"], r["snapshot_hash"])
                for r in curs.fetchall()
            ]

    def select_chain_events(self, after: int, limit: int) -> list[ChainEvent]:
        """Stored events as the chain covers them, read without the library's decoding."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute("SELECT notification_id, originator_id, originator_version, topic, "
                         f"state FROM {self.events_table_name} WHERE notification_id > %s "
                         "ORDER BY notification_id LIMIT %s", (after, limit))
            return [chain_event(r["notification_id"], r["originator_id"],
                                r["originator_version"], r["topic"], r["state"])
                    for r in curs.fetchall()]

    def find_receipt(self, principal: str, key: str) -> receipts.Kept | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(receipts.SELECT_POSTGRES, (principal, key))
            row = curs.fetchone()
        return receipts.kept((row["fingerprint"], row["record_id"], row["position"])
                             ) if row else None

    def audit_head(self) -> Digest | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(f"SELECT position, hash FROM {AUDIT_TABLE} "
                         "ORDER BY position DESC LIMIT 1")
            row = curs.fetchone()
        return Digest(row["position"], bytes(row["hash"])) if row else None


def keep_receipts(curs: Any, saves: Sequence[_Save], positions: Sequence[int]) -> None:
    """The saves' idempotency keys, in the transaction of their events (`positions`, in the
    order of the saves' events)."""
    end = 0
    for save in saves:
        end += len(save.stored_events)
        if save.receipt is not None:
            curs.execute(receipts.INSERT_POSTGRES,
                         receipts.values(save.receipt, positions[end - 1], sqlite=False))


class AppendOnlyPostgresAggregateRecorder(PostgresAggregateRecorder):
    """Snapshots: kept, never altered, and read only when the chain vouches for them
    (`store.snapshots`)."""

    chain_events_table = "dengta_events"  # set by the factory: the events whose rows anchor

    def create_table(self) -> None:
        super().create_table()
        run_ddl(self, [AUDIT_DDL[-1], *append_only_triggers(self.events_table_name)])

    def _anchors_sql(self, join: str) -> str:
        schema = self.datastore.schema
        return (f"SELECT s.originator_id, s.originator_version, s.topic, s.state, "
                f"e.notification_id, a.snapshot_hash FROM \"{schema}\".{self.events_table_name} s "
                f"{join} JOIN \"{schema}\".{self.chain_events_table} e ON "
                "e.originator_id = s.originator_id AND e.originator_version = "
                f"s.originator_version {join} JOIN {AUDIT_TABLE} a "
                "ON a.position = e.notification_id ")

    def select_events(
        self, originator_id: UUID | str, *, gt: int | None = None, lte: int | None = None,
        desc: bool = False, limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        statement, params = anchored_select(self._anchors_sql(""), "%s", originator_id, gt,
                                            lte, desc, limit)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params, prepare=True)
            return trusted([snapshot_anchor(row) for row in curs.fetchall()], limit)

    def select_snapshot_anchors(self, after: tuple[UUID, int] | None,
                                limit: int) -> list[SnapshotAnchor]:
        statement = self._anchors_sql("LEFT")
        params: list[Any] = []
        if after is not None:
            statement += "WHERE (s.originator_id, s.originator_version) > (%s, %s) "
            params += list(after)
        statement += "ORDER BY s.originator_id, s.originator_version LIMIT %s"
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, [*params, limit])
            return [snapshot_anchor(row) for row in curs.fetchall()]


def snapshot_anchor(row: Any) -> SnapshotAnchor:
    digest = row["snapshot_hash"]
    state = row["state"]
    return SnapshotAnchor(
        StoredEvent(row["originator_id"], row["originator_version"], row["topic"],
                    bytes(state) if isinstance(state, bytes | memoryview) else state),
        row["notification_id"], bytes(digest) if digest is not None else None)


class AuditedPostgresFactory(PostgresFactory):
    application_recorder_class = AuditedPostgresRecorder
    aggregate_recorder_class = AppendOnlyPostgresAggregateRecorder

    def aggregate_recorder(self, purpose: str = "events") -> AggregateRecorder:
        recorder = super().aggregate_recorder(purpose)
        if isinstance(recorder, AppendOnlyPostgresAggregateRecorder):
            recorder.chain_events_table = f"{self.env.name.lower() or 'stored'}_events"
        return recorder
