"""Helpers for tests that run `postsale` commands as their own processes: run a command,
start a worker, read the outbox of the worker's database, wait for a condition."""

import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from postsale.notifications.models import Notification

# Runs in `postsale shell` in the worker's database: a seller, an order, its payment.
PAY_AN_ORDER = """
from postsale.orders.tests.factories import make_order
from postsale.sellers.tests.factories import make_seller
order = make_order(make_seller(slug="{slug}", name="{name}"), paid=True, email="{email}")
print("ORDER", order.number)
"""


def postsale(*args: str, env: dict) -> str:
    result = subprocess.run([sys.executable, "-m", "postsale.cli", *args], env=env,
                            cwd=settings.BASE_DIR, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def pay_an_order(env: dict, *, slug: str, name: str, email: str) -> str:
    out = postsale("shell", "--no-imports", "-c",
                   PAY_AN_ORDER.format(slug=slug, name=name, email=email), env=env)
    return next(line.split()[1] for line in out.splitlines() if line.startswith("ORDER "))


def sqlite_outbox(db: Path):
    def rows(email: str) -> list[tuple]:
        with sqlite3.connect(db, timeout=10) as con:
            return con.execute("SELECT status, attempts, last_error FROM "
                               "notifications_notification WHERE to_email = ?",
                               (email,)).fetchall()
    return rows


def orm_outbox(email: str) -> list[tuple]:
    return list(Notification.objects.filter(to_email=email)
                .values_list("status", "attempts", "last_error"))


def wait_until(condition, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}\n{log.read_text()}"
        time.sleep(0.1)
    return result


@contextmanager
def worker_process(env: dict, log: Path, *args: str):
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "postsale.cli", "worker", *args],
                                   env=env,
                                   cwd=settings.BASE_DIR, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def sent(status, attempts, error):
    return status == "sent"


def failed_once(status, attempts, error):
    return status == "queued" and attempts >= 1


def rows_if(outbox, email: str, count: int, condition):
    """The outbox rows to `email` once there are `count` and all meet `condition`."""
    def check():
        rows = outbox(email)
        return rows if len(rows) == count and all(condition(*r) for r in rows) else None
    return check
