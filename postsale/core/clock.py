"""The one source of "now". Services take `now=` and default to this, so tests can move
time (time-machine) and rules stay pure."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
