"""Periodic jobs: each processes whatever is due now (rows with a due time in the
database), idempotently, with row locks. Apps register theirs in AppConfig.ready();
`postsale sweep` runs them once and the worker runs them every few seconds."""

import logging
from collections.abc import Callable
from datetime import datetime

from django.db import connections

from postsale.core import clock

log = logging.getLogger(__name__)

SweepJob = Callable[..., int]  # job(now=...) -> number of items processed
_jobs: dict[str, SweepJob] = {}


def register(name: str, job: SweepJob) -> None:
    _jobs[name] = job


def jobs() -> dict[str, SweepJob]:
    return dict(_jobs)


def run_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Run every registered job once. A failing job is logged and does not stop the
    others; its rows stay due and are retried at the next sweep."""
    now = now or clock.now()
    done: dict[str, int] = {}
    for name, job in _jobs.items():
        try:
            done[name] = job(now=now)
        except Exception:
            log.exception("Sweep job %s failed", name)
            done[name] = -1
        finally:
            _close_stale_connections()
    return done


def _close_stale_connections() -> None:
    """Between jobs, drop connections that broke or outlived CONN_MAX_AGE (what
    close_old_connections does), except one inside a transaction: closing that would roll
    back the caller's atomic block (a test's, or a sweep run inside a transaction)."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()
