import hashlib
import secrets
from datetime import date, datetime
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from postsale.core import calendar, clock
from postsale.core.audit import SYSTEM, Actor, audit
from postsale.core.contact import normalize_email
from postsale.core.errors import Invalid, NotFound
from postsale.core.money import CURRENCIES
from postsale.sellers import rules
from postsale.sellers.models import (
    ApiToken,
    ClosureDay,
    Member,
    Role,
    SalesChannel,
    Scope,
    Seller,
)

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
    member, _created = Member.objects.update_or_create(seller=seller, user=user,
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
    name = name.strip()
    if not name or len(name) > 100:
        raise Invalid(_("Name the token."),
                      {"name": _("Enter a name of at most 100 characters, e.g. web shop.")})
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


# --- settings (back office, owners) ------------------------------------------------------
# Each section of the settings pages has its own service: lock the seller's row, check,
# save the changed fields, audit what changed (old and new values).

def _locked(seller: Seller) -> Seller:
    return Seller.objects.select_for_update().get(pk=seller.pk)


def _save_changes(seller: Seller, values: dict, *, action: str, actor: Actor,
                  now: datetime | None) -> Seller:
    changed = {f: [getattr(seller, f), v] for f, v in values.items() if getattr(seller, f) != v}
    if not changed:
        return seller
    for field, (_old, new) in changed.items():
        setattr(seller, field, new)
    seller.save(update_fields=list(changed))
    audit(seller=seller, obj=seller, action=action, actor=actor, now=now,
          data={"changed": changed})
    return seller


@transaction.atomic
def seller_update_general(*, seller: Seller, name: str, language: str, currency: str,
                          account_email: str, support_email: str, actor: Actor,
                          now: datetime | None = None) -> Seller:
    """Name, language, currency (only while the seller has no products or orders: their
    amounts are in the old one) and the two e-mail addresses."""
    seller = _locked(seller)
    errors, values = {}, {"name": name.strip(), "language": language, "currency": currency}
    if not values["name"] or len(values["name"]) > 200:
        errors["name"] = _("Enter a name of at most 200 characters.")
    if language not in dict(settings.LANGUAGES):
        errors["language"] = _("Choose one of the languages offered.")
    if currency != seller.currency:
        if currency not in CURRENCIES:
            errors["currency"] = _("Choose one of the currencies offered.")
        elif seller.orders.exists() or seller.products.exists():
            errors["currency"] = _("The currency cannot change once there are products or "
                                   "orders: their prices are in %(currency)s.") % {
                "currency": seller.currency}
    for field, value in (("account_email", account_email), ("support_email", support_email)):
        if not value.strip() and field == "support_email":
            values[field] = ""
            continue
        try:
            values[field] = normalize_email(value, field=field)
        except Invalid as exc:
            errors.update(exc.field_errors)
    if errors:
        raise Invalid(_("Check the highlighted fields; nothing was saved."), errors)
    return _save_changes(seller, values, action="seller.updated", actor=actor, now=now)


@transaction.atomic
def seller_update_calendar(*, seller: Seller, time_zone: str, country: str, subdivision: str,
                           weekend_days: list[int], pause_on_holidays: bool, actor: Actor,
                           now: datetime | None = None) -> Seller:
    """The business calendar (SPEC §3). `weekend_days` empty: the country's weekend.
    Timers already set keep their due times; what is set from now on follows the new
    calendar."""
    seller = _locked(seller)
    errors = {}
    country, subdivision = country.strip().upper(), subdivision.strip().upper()
    if time_zone not in available_timezones():
        errors["time_zone"] = _("Choose a time zone from the list, e.g. Europe/Warsaw.")
    if country not in dict(calendar.countries()):
        errors["country"] = _("Choose a country from the list.")
    elif subdivision and subdivision not in dict(calendar.subdivisions(country)):
        errors["subdivision"] = _("This country has no subdivision %(code)s with its own "
                                  "holidays.") % {"code": subdivision}
    weekend = sorted(set(weekend_days))
    if refusal := rules.weekend_refusal(weekend):
        errors["weekend_days"] = refusal
    if errors:
        raise Invalid(_("Check the highlighted fields; nothing was saved."), errors)
    return _save_changes(seller, {
        "time_zone": time_zone, "country": country, "subdivision": subdivision,
        "weekend_days": weekend, "pause_on_holidays": bool(pause_on_holidays),
    }, action="seller.calendar_updated", actor=actor, now=now)


@transaction.atomic
def closure_day_add(*, seller: Seller, day: date, note: str = "", actor: Actor,
                    now: datetime | None = None) -> ClosureDay:
    seller = _locked(seller)
    if seller.closure_days.filter(date=day).exists():
        raise Invalid(_("Check the date."),
                      {"date": _("%(day)s is already a closure day.") % {"day": day}},
                      code="closure_day_exists")
    closure = ClosureDay.objects.create(seller=seller, date=day, note=note.strip()[:200])
    audit(seller=seller, obj=seller, action="seller.closure_day_added", actor=actor, now=now,
          data={"date": day.isoformat(), "note": closure.note})
    return closure


@transaction.atomic
def closure_day_remove(*, seller: Seller, day: date, actor: Actor,
                       now: datetime | None = None) -> None:
    seller = _locked(seller)
    deleted, _n = seller.closure_days.filter(date=day).delete()
    if not deleted:
        raise NotFound(_("%(day)s is not a closure day.") % {"day": day},
                       code="closure_day_not_found")
    audit(seller=seller, obj=seller, action="seller.closure_day_removed", actor=actor,
          now=now, data={"date": day.isoformat()})


@transaction.atomic
def seller_update_refund_policy(*, seller: Seller, customer_refund_days: int,
                                seller_refund_days: int, late_payment_policy: str,
                                actor: Actor, now: datetime | None = None) -> Seller:
    """The seller's refund windows (products may override them) and what happens to a
    payment confirmed after its order expired."""
    seller = _locked(seller)
    errors = rules.refund_windows_refusal(customer_days=customer_refund_days,
                                          seller_days=seller_refund_days)
    policies = dict(Seller._meta.get_field("late_payment_policy").choices)
    if late_payment_policy not in policies:
        errors["late_payment_policy"] = _("Choose one of the policies offered.")
    if errors:
        raise Invalid(_("Check the highlighted fields; nothing was saved."), errors)
    return _save_changes(seller, {
        "customer_refund_days": customer_refund_days, "seller_refund_days": seller_refund_days,
        "late_payment_policy": late_payment_policy,
    }, action="seller.refund_policy_updated", actor=actor, now=now)


@transaction.atomic
def api_token_revoke(*, seller: Seller, token_id: int, actor: Actor,
                     now: datetime | None = None) -> ApiToken:
    """From now on the token is refused. Revoking a revoked token changes nothing."""
    token = ApiToken.objects.select_for_update().filter(seller=seller, pk=token_id).first()
    if token is None:
        raise NotFound(_("No such API token."), code="api_token_not_found")
    if token.revoked_at is None:
        token.revoked_at = now or clock.now()
        token.save(update_fields=["revoked_at"])
        audit(seller=seller, obj=token, action="api_token.revoked", actor=actor, now=now,
              data={"prefix": token.prefix, "name": token.name})
    return token
