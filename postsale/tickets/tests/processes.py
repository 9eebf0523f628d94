"""postsale's own processes in tests: `postsale worker`, `postsale sweep` and `postsale
shell` as separate processes, on a database the test sees too, sending to a real SMTP
server (notifications.tests.smtp.SmtpSink). The same approach as ops/tests/test_worker.py.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from postsale.notifications.tests.smtp import SmtpSink

# `postsale sweep` with the process clock moved to a timestamp (argv[1]) by time-machine:
# the command itself is unchanged, only its process sees another "now".
SWEEP_AT = """
import sys
import time_machine
from postsale.cli import main
with time_machine.travel(float(sys.argv[1]), tick=True):
    sys.argv = ["postsale", "sweep"]
    main()
"""


def database_url(tmp_path: Path) -> str:
    """On a PostgreSQL run, the test database itself (the test must be transactional, so
    both sides see committed rows); otherwise a fresh SQLite file (migrate it first)."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        auth = db["USER"] + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{tmp_path / 'postsale.sqlite3'}"


def process_env(url: str, smtp: SmtpSink, tmp_path: Path, **extra: str) -> dict:
    """Development settings on `url`, mail to `smtp`, fast retries."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev",
           "DATABASE_URL": url, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port),
           "EMAIL_TIMEOUT": "5", "POSTSALE_SWEEP_INTERVAL": "1",
           "POSTSALE_MAIL_RETRY_BASE": "1", "MEDIA_ROOT": str(tmp_path / "media"),
           "PYTHONUNBUFFERED": "1", "DEBUG": "false", "LOG_LEVEL": "WARNING", **extra}
    for name in ("EMAIL_BACKEND", "TASKS_BACKEND", "EMAIL_USE_TLS", "EMAIL_USE_SSL",
                 "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD"):
        env.pop(name, None)
    return env


def run(args: list[str], *, env: dict, timeout: float = 120) -> str:
    result = subprocess.run(args, env=env, cwd=settings.BASE_DIR, capture_output=True,
                            text=True, timeout=timeout, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def postsale(*args: str, env: dict, timeout: float = 120) -> str:
    return run([sys.executable, "-m", "postsale.cli", *args], env=env, timeout=timeout)


def sweep_at(timestamp: float, *, env: dict) -> str:
    return run([sys.executable, "-c", SWEEP_AT, str(timestamp)], env=env)


def shell(code: str, *, env: dict) -> dict[str, str]:
    """Run `code` in `postsale shell`; lines it prints as "KEY rest" come back by key."""
    out = postsale("shell", "--no-imports", "-c", code, env=env)
    return dict(line.partition(" ")[::2] for line in out.splitlines() if line.strip())


def start_worker(env: dict, log: Path, *args: str) -> subprocess.Popen:
    with log.open("a") as out:
        return subprocess.Popen([sys.executable, "-m", "postsale.cli", "worker", *args],
                                env=env, cwd=settings.BASE_DIR, stdout=out,
                                stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until(condition, *, timeout: float, what: str, log: Path | None = None,
               interval: float = 0.1, state=None):
    """Poll `condition` until it returns something true. On timeout, the failure shows
    `state()` (what there is instead) and the end of `log`."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}"
                                 + (f"; instead: {state()}" if state else "") + "\n"
                                 + (log.read_text()[-5000:] if log else ""))
        time.sleep(interval)
    return result
