"""The worker's database (a SQLite file, or the PostgreSQL test database) and its
environment, for tests that run `postsale` commands as their own processes."""

import os
from urllib.parse import quote

import pytest
from django.db import connection

from postsale.core.tests.helpers import sqlite_copy
from postsale.notifications.tests.smtp import SmtpSink
from postsale.ops.tests.processes import orm_outbox, sqlite_outbox


@pytest.fixture
def worker_db(transactional_db, tmp_path, request):
    """(DATABASE_URL, outbox reader) for the worker. On a PostgreSQL run: the test database
    itself, outside a test transaction so both processes see committed rows; otherwise a
    copy of a migrated SQLite file."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        auth = db["USER"] + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}", orm_outbox
    path = sqlite_copy(request.getfixturevalue("migrated_sqlite"), tmp_path / "postsale.sqlite3")
    return f"sqlite:///{path}", sqlite_outbox(path)


@pytest.fixture
def worker_env(worker_db, tmp_path):
    """Development settings on the worker's database, mail to a local SMTP server."""
    smtp = SmtpSink()
    url, outbox = worker_db
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev",
           "DATABASE_URL": url, "EMAIL_HOST": "127.0.0.1",
           "EMAIL_PORT": str(smtp.port), "EMAIL_TIMEOUT": "3",
           "POSTSALE_SWEEP_INTERVAL": "1", "POSTSALE_MAIL_RETRY_BASE": "1",
           "MEDIA_ROOT": str(tmp_path / "media"), "PYTHONUNBUFFERED": "1"}
    for name in ("EMAIL_BACKEND", "TASKS_BACKEND", "EMAIL_USE_TLS", "EMAIL_USE_SSL",
                 "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD"):
        env.pop(name, None)
    yield env, outbox, smtp
    smtp.stop()
