"""The application's plumbing, shared by every group of use cases: the store's settings,
typed loading, one atomic commit per use case, and what a use case returns."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Recording, StoredEvent
from eventsourcing.utils import Environment, EnvType

from domain.base import DateAsISO, DengtaAggregate, require_actor
from domain.errors import AlreadyExistsError, ConcurrencyError, NotFoundError

A = TypeVar("A", bound=Aggregate)

LIBRARY_DEFAULTS = {
    "IS_SNAPSHOTTING_ENABLED": "y",
    # Recently used aggregates stay in memory; each load reads only the events recorded since
    # (by any process) and hands out a copy, so a refused use case leaves the cache as it was.
    # A write then costs ~0.9 instead of ~1.5 ms of CPU (loads were a snapshot and up to 49
    # events read and decoded).
    "AGGREGATE_CACHE_MAXSIZE": "4096",
    "AGGREGATE_CACHE_FASTFORWARD": "y",
    "DEEPCOPY_FROM_AGGREGATE_CACHE": "y",
}


@dataclass(frozen=True)
class Written:
    """What a use case wrote: the id of the aggregate it is about, and the global position of
    the last event it recorded (None when nothing needed to change)."""

    id: UUID
    position: int | None


@dataclass(frozen=True)
class Receipt:
    """A client's idempotency key for one write: stored with the write's events, in the same
    transaction, so a committed write always has its key (and a refused one never has).
    `record_id` is the use case's record, filled in by `commit`."""

    principal: str
    key: str
    fingerprint: str
    record_id: UUID | None = None


@dataclass(frozen=True)
class Terms:
    """What the caller of a use case asks of its one write: that its record is still at
    `expected_version` (else CONFLICT, nothing written), and the key to keep it under."""

    expected_version: int | None = None
    receipt: Receipt | None = None


_terms: ContextVar[Terms | None] = ContextVar("dengta_write_terms", default=None)


@contextmanager
def terms(expected_version: int | None = None,
          receipt: Receipt | None = None) -> Iterator[None]:
    """Use cases called inside write under these terms (in this thread or task)."""
    token = _terms.set(Terms(expected_version, receipt))
    try:
        yield
    finally:
        _terms.reset(token)


def loaded_version(aggregate: Aggregate) -> int:
    """The version an aggregate had when it was loaded, before this use case's new events."""
    pending = aggregate.pending_events
    return pending[0].originator_version - 1 if pending else aggregate.version


class ApplicationBase(Application[UUID]):
    """Each group of use cases (a module named `*_cases.py`) subclasses this;
    `domain.application.DengtaApplication` composes them."""

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Only the env the composition root passes, never os.environ: the library would
        otherwise let stray POSTGRES_* or DENGTA_* variables override the configured store."""
        return Environment(name, {**LIBRARY_DEFAULTS, **(env or {})})

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # ---- plumbing ------------------------------------------------------------------------

    def get(self, cls: type[A], aggregate_id: UUID, field: str = "id") -> A:
        """Load an aggregate of the expected type, or raise NotFoundError naming the input."""
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFoundError(f"no {cls.__name__.lower()} with id {aggregate_id}",
                                field=field) from None
        if not isinstance(aggregate, cls):
            raise NotFoundError(f"{aggregate_id} is not a {cls.__name__.lower()}", field=field)
        return aggregate

    def exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.repository

    def commit(self, actor: str, *aggregates: Aggregate | None,
               record: UUID | None = None) -> int | None:
        """Save the aggregates' new events as one atomic write by `actor`; returns the last
        position written. A concurrent writer who got there first makes it a ConcurrencyError.

        The first aggregate is the use case's record (the one its `Written` names, unless
        `record` names a part of it): under `terms`, it must still be at the expected version
        it was loaded at, else nothing is written (CONFLICT). The check is atomic with the
        save: a writer who moved the record on since the load makes the save itself fail."""
        first = next((a for a in aggregates if a is not None), None)
        kept = _terms.get()
        options: dict[str, Any] = {}
        if kept is not None and first is not None:
            if (kept.expected_version is not None
                    and loaded_version(first) != kept.expected_version):
                raise ConcurrencyError(
                    f"this record is at version {loaded_version(first)}, not the expected "
                    f"{kept.expected_version}: someone changed it since you read it; nothing "
                    "was written, reload and try again", field="expectedVersion")
            if kept.receipt is not None:
                options["receipt"] = replace(kept.receipt, record_id=record or first.id)
        try:
            recordings = self.save(*aggregates, actor=require_actor(actor), **options)
        except IntegrityError as error:
            raise ConcurrencyError(
                "someone else changed this record at the same time; nothing was written, "
                "reload and try again"
            ) from error
        return recordings[-1].notification.id if recordings else None

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        """Snapshots are taken before the write, from the aggregates in hand, and the store
        hashes each into the audit row of the event it was taken at (same transaction, no
        extra round trip): a snapshot is then trusted only as far as the chain. They are
        stored once the write succeeded."""
        due = self._snapshots_due(processing_event)
        if due:
            processing_event.saved_kwargs["snapshots"] = due
        recordings = super()._record(processing_event)
        if due and self.snapshots is not None:
            # One taken by hand at that version already is as good (the events are written).
            with suppress(IntegrityError):
                self.snapshots.recorder.insert_events(due)
        return recordings

    def _snapshots_due(self, processing_event: ProcessingEvent[UUID]) -> list[StoredEvent]:
        """A snapshot of each aggregate whose new events cross a multiple of its
        `snapshotting_intervals`, at the aggregate's new version (the last event it saves)."""
        if self.snapshots is None or not self.snapshotting_intervals:
            return []
        first_versions: dict[UUID, int] = {}
        for event in processing_event.events:
            first_versions.setdefault(event.originator_id, event.originator_version)
        due = []
        for aggregate_id, first in first_versions.items():
            aggregate = processing_event.aggregates.get(aggregate_id)
            if not isinstance(aggregate, DengtaAggregate):
                continue
            interval = self.snapshotting_intervals.get(type(aggregate))
            if interval and aggregate.version // interval > (first - 1) // interval:
                snapshot = aggregate.Snapshot.take(aggregate)
                due.append(self.snapshots.mapper.to_stored_event(snapshot))
        return due

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """Taken in `_record`, before the write (the library takes them after)."""

    def _new_id(self, requested: UUID | None) -> UUID:
        if requested is None:
            return uuid4()
        if self.exists(requested):
            raise AlreadyExistsError(f"id {requested} is already taken", field="id")
        return requested
