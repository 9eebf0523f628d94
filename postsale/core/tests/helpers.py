"""Helpers shared by tests of several apps."""

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

from django.db import connection, transaction


@contextmanager
def row_locked_elsewhere(queryset):
    """Hold `SELECT … FOR UPDATE` on the queryset's rows in another thread (another
    database connection, as a second worker would) for the duration of the block."""
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                list(queryset.select_for_update())
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(10), "the other thread did not get the lock"
        yield
    finally:
        release.set()
        thread.join()


def sqlite_copy(template: Path, target: Path) -> Path:
    """A consistent copy of a SQLite database (its WAL included), through SQLite's own
    backup API."""
    with sqlite3.connect(template) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return target
