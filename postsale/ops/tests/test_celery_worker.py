"""The broker-based backend: `postsale worker` on Celery with Redis and with RabbitMQ, as
its own process, delivers what the web side queued — through the broker, not the sweep."""

import socket
import uuid

import pytest

from postsale.ops.tests.processes import pay_an_order, rows_if, sent, wait_until, worker_process

BROKERS = {
    "redis": ("127.0.0.1", 6379, "redis://127.0.0.1:6379/0"),
    "rabbitmq": ("127.0.0.1", 5672, "amqp://guest:guest@127.0.0.1:5672//"),
}


def reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture(params=sorted(BROKERS))
def celery_env(request, worker_env):
    host, port, url = BROKERS[request.param]
    if not reachable(host, port):
        pytest.skip(f"{request.param} is not running on {host}:{port}")
    env, outbox, smtp = worker_env
    env = {**env, "TASKS_BACKEND": "django_tasks_celery.CeleryBackend",
           "CELERY_BROKER_URL": url,
           # A queue of its own, so parallel runs sharing the broker never take each
           # other's tasks (which point at rows of another database).
           "CELERY_TASK_DEFAULT_QUEUE": f"postsale-test-{uuid.uuid4().hex}",
           # The sweep runs once at start, before anything is queued, then sleeps: what
           # gets delivered went through the broker.
           "POSTSALE_SWEEP_INTERVAL": "3600"}
    return env, outbox, smtp


def test_celery_worker_delivers_queued_mail_through_the_broker(celery_env, tmp_path):
    env, outbox, smtp = celery_env
    log = tmp_path / "worker.log"
    smtp.start()
    with worker_process(env, log, "--concurrency", "2") as worker:
        number = pay_an_order(env, slug="acme", name="Acme Events", email="anna@example.com")
        rows = wait_until(rows_if(outbox, "anna@example.com", 2, sent), 60,
                          "the order e-mails to be sent through the broker", log)
        assert rows == [("sent", 1, "")] * 2
        assert worker.poll() is None, log.read_text()
    assert sorted(m["subject"] for m in smtp.messages) == [
        f"Receipt for order {number} – Acme Events",
        f"Your entries for order {number} – Acme Events"]
