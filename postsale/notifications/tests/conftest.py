import pytest

from postsale.notifications.tests.smtp import SmtpSink


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server the outbox sends to, not started yet: the port is closed."""
    sink = SmtpSink()
    settings.MAILERS = {"default": sink.mailer(timeout=5)}
    yield sink
    sink.stop()


@pytest.fixture
def smtp(smtp_sink):
    """A running SMTP server the outbox sends to."""
    return smtp_sink.start()


@pytest.fixture
def retry_policy(settings):
    """Attempts wait 30 s, 60 s, then 100 s (the cap); the third failure is final."""
    settings.POSTSALE_MAIL_RETRY_BASE = 30
    settings.POSTSALE_MAIL_RETRY_CAP = 100
    settings.POSTSALE_MAIL_MAX_ATTEMPTS = 3
    return settings


@pytest.fixture
def no_task_worker(settings):
    """Queued delivery tasks go nowhere (as if the worker lost them): only a sweep sends."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
