"""The Celery application for the broker-based task backend (Redis or RabbitMQ).

Used only when TASKS_BACKEND is `django_tasks_celery.CeleryBackend`; `postsale worker`
starts a Celery worker on it (plus the sweep of due items), so the same command runs
either backend. Tasks are our `django.tasks` functions: django-tasks-celery registers
each with this app when its module is imported, hence the imports in `import_tasks`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("postsale")
app.config_from_object("django.conf:settings", namespace="CELERY")


def import_tasks() -> None:
    """Import every module that defines tasks, so a worker knows them all by name."""
    from importlib import import_module

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("postsale."):
            try:
                import_module(f"{config.name}.tasks")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.tasks":
                    raise
