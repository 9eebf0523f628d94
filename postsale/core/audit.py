from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser

from postsale.core import clock
from postsale.core.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who is acting: a back-office user, an API token, the customer, or the system."""

    kind: str  # "user" | "api" | "customer" | "system" | "import"
    label: str = ""
    user: AbstractBaseUser | None = None

    def __str__(self) -> str:
        return f"{self.kind}:{self.label}" if self.label else self.kind


SYSTEM = Actor("system")


def subject_of(obj) -> str:
    return f"{obj._meta.model_name}:{obj.pk}"


def audit(*, seller, obj, action: str, actor: Actor, data: dict | None = None,
          now: datetime | None = None) -> AuditEvent:
    return AuditEvent.objects.create(
        seller=seller,
        subject=subject_of(obj),
        action=action,
        actor=str(actor)[:64],
        actor_user=actor.user if actor.user and actor.user.is_authenticated else None,
        data=data or {},
        created_at=now or clock.now(),
    )
