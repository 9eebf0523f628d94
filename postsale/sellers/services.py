import hashlib
import secrets
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.dispatch import Signal

from postsale.core import clock
from postsale.core.audit import SYSTEM, Actor, audit
from postsale.core.errors import Invalid
from postsale.core.money import CURRENCIES
from postsale.sellers.models import ApiToken, Member, Role, SalesChannel, Scope, Seller

TOKEN_PREFIX = "pst_"  # noqa: S105 — a public prefix, not a secret

# Sent with `seller` and `actor` inside the new seller's transaction, so packages above
# this one (the knowledge base's starter articles) set a seller up without being imported.
seller_created = Signal()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def seller_create(*, slug: str, name: str, account_email: str, time_zone: str = "Europe/Warsaw",
                  country: str = "PL", language: str = "en", currency: str = "PLN",
                  support_email: str = "", actor: Actor = SYSTEM) -> Seller:
    if currency not in CURRENCIES:
        raise Invalid("Unknown currency.", {"currency": f"Use one of {', '.join(sorted(CURRENCIES))}."})
    if Seller.objects.filter(slug=slug).exists():
        raise Invalid("A seller with this slug exists.", {"slug": "Choose another slug."})
    seller = Seller(slug=slug, name=name, account_email=account_email, time_zone=time_zone,
                    country=country.upper(), language=language, currency=currency,
                    support_email=support_email)
    seller.full_clean()
    seller.save()
    audit(seller=seller, obj=seller, action="seller.created", actor=actor)
    seller_created.send(sender=Seller, seller=seller, actor=actor)
    return seller


def channel_create(*, seller: Seller, code: str, name: str) -> SalesChannel:
    return SalesChannel.objects.create(seller=seller, code=code, name=name)


@transaction.atomic
def member_add(*, seller: Seller, username: str, email: str = "", password: str | None = None,
               role: str = Role.AGENT, actor: Actor = SYSTEM) -> Member:
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"email": email})
    if created or password:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    member, _ = Member.objects.update_or_create(seller=seller, user=user,
                                                defaults={"role": role})
    audit(seller=seller, obj=member, action="member.added", actor=actor, data={"role": role})
    return member


@transaction.atomic
def api_token_create(*, seller: Seller, name: str, scopes: list[str] | None = None,
                     actor: Actor = SYSTEM) -> tuple[ApiToken, str]:
    """Returns the token row and the plain token, which is never stored."""
    scopes = list(scopes) if scopes is not None else [s.value for s in Scope]
    unknown = set(scopes) - {s.value for s in Scope}
    if unknown:
        raise Invalid("Unknown scope.", {"scopes": f"Unknown: {', '.join(sorted(unknown))}."})
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(seller=seller, name=name, prefix=plain[:12],
                                    token_hash=hash_token(plain), scopes=scopes)
    audit(seller=seller, obj=token, action="api_token.created", actor=actor,
          data={"scopes": scopes})
    return token, plain


def api_token_authenticate(plain: str, *, now: datetime | None = None) -> ApiToken | None:
    token = (ApiToken.objects.select_related("seller")
             .filter(token_hash=hash_token(plain), revoked_at__isnull=True).first())
    if token is None:
        return None
    now = now or clock.now()
    # Cheap "last used" without a write on every request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
