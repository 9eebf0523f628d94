"""Entry sync versions: how a gate device that downloaded a time slot's entries for
offline scanning learns what changed since (SPEC §9).

Every change of an entry goes through `entries_update`, which stamps the changed rows with
a new `sync_version`. A device keeps a cursor — the highest version it has seen — and asks
only for rows above it.

The catch is commit order. A version is drawn when a row changes but becomes visible when
its transaction commits, so a reader could see version 11 while 10 is still in flight,
move its cursor past 10 and never see it. A counter row locked until commit would order
them, but then every scan of a slot would wait for the previous scan's commit (an fsync
each: a few milliseconds, times the number of gates). Instead, on PostgreSQL:
- a writer takes a shared advisory lock per time slot, then draws its version from a
  sequence: writers never wait for each other;
- a reader (`sync_horizon`) takes the same lock exclusively for an instant, which waits
  for the writers in flight on that slot; a writer that comes later draws a higher
  version. The sequence's value read then is a safe horizon: every change of the slot's
  entries at or below it is committed and visible.
SQLite runs one writer at a time, so the newest version + 1 is already in commit order."""

from collections.abc import Iterable

from django.db import OperationalError, connection, transaction
from django.db.models import BigIntegerField, Expression, QuerySet

from postsale.core.errors import DomainError

SEQUENCE = "orders_entry_sync_seq"  # created by migration orders.0005_entry_sync
LOCK_CLASS = 0x53594E43  # "SYNC": the first key of the two-key advisory locks
_INT4 = 2**31 - 1
_LAST_VERSION = "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM orders_entry_sync_seq"


class NextSyncVersion(Expression):
    """A new version, higher than every version drawn before it."""

    output_field = BigIntegerField()

    def as_sql(self, compiler, connection):
        if connection.vendor == "postgresql":
            return f"nextval('{SEQUENCE}')", []
        return "(SELECT COALESCE(MAX(sync_version), 0) + 1 FROM orders_entry)", []


def entries_update(entries: QuerySet, *, slot_ids: Iterable[int | None] | None = None,
                   **fields) -> int:
    """The one way entries change once created (status, used_at, voided_at): updates
    `entries` with `fields` and a new sync version; returns the number of rows changed.
    With no fields, only stamps them (new entries). `slot_ids`: their time slots, when
    the caller knows them (saves a query)."""
    # Callers are mostly inside a transaction already: no savepoint, two round trips less.
    with transaction.atomic(savepoint=False):
        if slot_ids is None:
            slot_ids = entries.order_by().values_list("time_slot_id", flat=True).distinct()
        _hold_slots(slot_ids)
        return entries.update(sync_version=NextSyncVersion(), **fields)


def _slot_key(slot_id: int) -> int:
    return slot_id % _INT4


def _hold_slots(slot_ids: Iterable[int | None]) -> None:
    """Shared advisory locks on the slots until commit (see the module's docstring)."""
    keys = sorted({_slot_key(pk) for pk in slot_ids if pk is not None})
    if not keys or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, k) FROM unnest(%s::int[]) k",
                       [LOCK_CLASS, keys])


def sync_horizon(slot_id: int, *, lock_timeout_ms: int = 5000) -> int:
    """The highest version at or below which every change of the slot's entries is
    committed; read the entries after calling this. Waits (at most `lock_timeout_ms`) for
    changes of the slot in flight."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("SELECT COALESCE(MAX(sync_version), 0) FROM orders_entry")
            return cursor.fetchone()[0]
        cursor.execute(f"SET LOCAL lock_timeout = {int(lock_timeout_ms)}")
        try:
            with transaction.atomic():
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                               [LOCK_CLASS, _slot_key(slot_id)])
        except OperationalError:
            raise DomainError(code="busy", status=503,
                              message="Entries of this time slot are changing right now; "
                                      "try again in a few seconds.") from None
        cursor.execute(_LAST_VERSION)
        return cursor.fetchone()[0]
