"""Members of a seller and their roles, as owners manage them on the settings pages.

A seller always keeps at least one owner: removing or demoting owners locks every owner
row of the seller first, so two owners demoting each other at the same moment cannot
leave the seller with none."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from postsale.core.audit import Actor, audit
from postsale.core.contact import normalize_email
from postsale.core.errors import Conflict, Invalid, NotFound
from postsale.notifications.services import notification_queue
from postsale.sellers import rules
from postsale.sellers.models import Member, Role, Seller

MAX_IDENTIFIER = 150


def _role_or_error(role: str) -> str:
    if role not in Role.values:
        raise Invalid(_("Choose a role."), {"role": _("Choose one of the roles offered.")})
    return role


def _find_user(identifier: str):
    """The user with this username, or else with this e-mail address (case ignored).
    Several users sharing an address is ambiguous: the owner must give the username."""
    User = get_user_model()
    user = User.objects.filter(username__iexact=identifier).first()
    if user is not None:
        return user
    users = list(User.objects.filter(email__iexact=identifier)[:2])
    if len(users) > 1:
        raise Invalid(_("Several people use this e-mail address."), {
            "identifier": _("Several users have this e-mail address; enter the username.")})
    return users[0] if users else None


@transaction.atomic
def member_invite(*, seller: Seller, identifier: str, role: str, actor: Actor,
                  now: datetime | None = None) -> tuple[Member, bool]:
    """Add a person by username or e-mail address. Someone without an account gets one
    (their e-mail address is their username) and an e-mail with a link to choose a
    password; someone with an account is told by e-mail that they were added.
    Returns the membership and whether an account was created."""
    identifier = identifier.strip()
    role = _role_or_error(role)
    if not identifier or len(identifier) > MAX_IDENTIFIER:
        raise Invalid(_("Enter a username or an e-mail address."),
                      {"identifier": _("Enter a username or an e-mail address.")})
    user = _find_user(identifier)
    created = user is None
    if created:
        if "@" not in identifier:
            raise Invalid(_("Nobody has this username."), {"identifier": _(
                "Nobody has this username. To invite someone new, enter their e-mail "
                "address.")})
        email = normalize_email(identifier, field="identifier")
        user = get_user_model()(username=email.lower()[:150], email=email)
        user.set_unusable_password()
        user.save()
    seller = Seller.objects.select_for_update().get(pk=seller.pk)
    existing = Member.objects.filter(seller=seller, user=user).first()
    if existing is not None:
        raise Conflict("member_exists", _(
            "%(user)s is already a member (%(role)s). Change their role in the list "
            "instead.") % {"user": user.get_username(), "role": existing.get_role_display()})
    member = Member.objects.create(seller=seller, user=user, role=role)
    audit(seller=seller, obj=member, action="member.added", actor=actor, now=now,
          data={"user": user.get_username(), "role": role, "new_account": created})
    if user.email:
        _queue_invitation(member, actor=actor, new_account=created, now=now)
    return member, created


def _queue_invitation(member: Member, *, actor: Actor, new_account: bool,
                      now: datetime | None) -> None:
    seller, user = member.seller, member.user
    if new_account:
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        path = reverse("backoffice:password_set",
                       args=[uid, default_token_generator.make_token(user)])
    else:
        path = reverse("backoffice:login")
    notification_queue(
        kind="member_invited", to_email=user.email, language=seller.language,
        seller=seller, reply_to=seller.reply_to_email, now=now,
        tags=[f"member:{member.pk}", f"seller:{seller.pk}"],
        context={"seller": {"name": seller.name, "support_email": seller.reply_to_email},
                 "username": user.get_username(), "role": Role(member.role).label,
                 "invited_by": actor.user.get_username() if actor.user else "",
                 "new_account": new_account,
                 "link": settings.POSTSALE_BASE_URL + path})


def _member_locked(seller: Seller, member_id: int) -> tuple[Member, int]:
    """The member's row and the seller's number of owners, with every owner row (and the
    member's) locked for the rest of the transaction."""
    rows = list(Member.objects.select_for_update()
                .filter(Q(role=Role.OWNER) | Q(pk=member_id), seller=seller)
                .select_related("user").order_by("pk"))
    member = next((m for m in rows if m.pk == member_id), None)
    if member is None:
        raise NotFound(_("No such member."), code="member_not_found")
    return member, sum(1 for m in rows if m.role == Role.OWNER)


@transaction.atomic
def member_change_role(*, seller: Seller, member_id: int, role: str, actor: Actor,
                       now: datetime | None = None) -> Member:
    role = _role_or_error(role)
    member, owners = _member_locked(seller, member_id)
    if member.role == role:
        return member
    if refusal := rules.owner_change_refusal(owners=owners, role=member.role, new_role=role):
        raise Conflict("last_owner", refusal)
    old, member.role = member.role, role
    member.save(update_fields=["role"])
    audit(seller=seller, obj=member, action="member.role_changed", actor=actor, now=now,
          data={"user": member.user.get_username(), "from": old, "to": role})
    return member


@transaction.atomic
def member_remove(*, seller: Seller, member_id: int, actor: Actor,
                  now: datetime | None = None) -> None:
    """The person loses access to this seller; their account and their past actions stay."""
    member, owners = _member_locked(seller, member_id)
    if refusal := rules.owner_change_refusal(owners=owners, role=member.role, new_role=None):
        raise Conflict("last_owner", refusal)
    audit(seller=seller, obj=member, action="member.removed", actor=actor, now=now,
          data={"user": member.user.get_username(), "role": member.role})
    member.delete()
