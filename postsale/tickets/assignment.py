"""Who handles a ticket (SPEC §8 inbox, §4.5 returns): assignment rules per sales channel
and ticket type, round-robin among a rule's consultants, and the writes that keep the
rules. `assign_new_ticket` is the one place a new ticket gets its assignee; it runs inside
`ticket_open`'s transaction."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from postsale.core import clock
from postsale.core.audit import Actor, audit
from postsale.core.errors import Conflict, Invalid
from postsale.sellers.models import Member, Role, SalesChannel, Seller
from postsale.tickets.models import AssignmentConsultant, AssignmentRule, Side, TicketType

# Who may be given tickets: people who can answer them.
CONSULTANT_ROLES = (Role.OWNER, Role.AGENT)


@dataclass(frozen=True)
class Assigned:
    user: object
    rule_id: int | None  # None: the agent who opened the ticket took it
    turn: int | None  # the rule's turn this ticket took (0, 1, 2, …)

    def audit_data(self) -> dict:
        return {"assignee": self.user.get_username(), "assignment_rule": self.rule_id,
                "turn": self.turn}


def pick_rule(rules: Sequence, *, channel_id: int | None, type: str):
    """The rule a new ticket follows: the first (in order) whose channel and type match,
    "any" matching everything. A return prefers a rule naming its sales channel: the
    consultant responsible for that channel handles its returns."""
    matching = [r for r in rules if r.channel_id in (None, channel_id) and r.type in ("", type)]
    if type == TicketType.RETURN:
        own = [r for r in matching if r.channel_id is not None]
        if own:
            return own[0]
    return matching[0] if matching else None


def consultants_of(seller: Seller) -> QuerySet:
    """Users who may be assigned the seller's tickets, by name."""
    return (get_user_model().objects
            .filter(memberships__seller=seller, memberships__role__in=CONSULTANT_ROLES,
                    is_active=True)
            .order_by("username"))


def is_consultant(seller: Seller, user) -> bool:
    return bool(user and user.is_authenticated and Member.objects.filter(
        seller=seller, user=user, role__in=CONSULTANT_ROLES, user__is_active=True).exists())


def assign_new_ticket(ticket, *, actor: Actor) -> Assigned | None:
    """Set the assignee of a ticket about to be saved: the agent who opened it from the
    back office keeps it; otherwise the next consultant in turn of the first matching
    rule. Consultants who lost their role since the rule was made are skipped."""
    seller = ticket.seller
    if ticket.opened_by == Side.SELLER and is_consultant(seller, actor.user):
        ticket.assignee = actor.user
        return Assigned(actor.user, None, None)
    rules = list(AssignmentRule.objects.filter(seller=seller).only("id", "channel_id", "type"))
    rule = pick_rule(rules, channel_id=ticket.order.channel_id, type=ticket.type)
    if rule is None:
        return None
    # The row lock makes concurrent new tickets take turns one after the other.
    rule = AssignmentRule.objects.select_for_update().filter(pk=rule.pk).first()
    users = _rotation(rule) if rule else []
    if not users:
        return None
    turn = rule.turns
    ticket.assignee = users[turn % len(users)]
    rule.turns = turn + 1
    rule.save(update_fields=["turns"])
    return Assigned(ticket.assignee, rule.pk, turn)


def _rotation(rule: AssignmentRule) -> list:
    eligible = set(Member.objects.filter(seller_id=rule.seller_id, role__in=CONSULTANT_ROLES,
                                         user__is_active=True).values_list("user_id", flat=True))
    return [c.user for c in rule.consultants.select_related("user") if c.user_id in eligible]


@dataclass(frozen=True)
class RuleDraft:
    channel: SalesChannel | None
    type: str
    consultants: Sequence  # users, in rotation order


def _check(seller: Seller, draft: RuleDraft, *, rule: AssignmentRule | None) -> None:
    errors = {}
    if draft.channel is not None and draft.channel.seller_id != seller.pk:
        errors["channel"] = _("Choose one of your sales channels.")
    if draft.type and draft.type not in TicketType.values:
        errors["type"] = _("Choose a ticket type.")
    eligible = set(consultants_of(seller).values_list("pk", flat=True))
    if not draft.consultants:
        errors["consultants"] = _("Choose at least one consultant.")
    elif any(u.pk not in eligible for u in draft.consultants):
        errors["consultants"] = _("Consultants are members with the owner or agent role.")
    if errors:
        raise Invalid(_("The rule was not saved; correct the marked fields."), errors)
    same = AssignmentRule.objects.filter(seller=seller, channel=draft.channel, type=draft.type)
    if same.exclude(pk=rule.pk if rule else None).exists():
        raise Conflict("rule_exists", _(
            "A rule for this sales channel and ticket type exists already; change that one."))


def _set_consultants(rule: AssignmentRule, users: Sequence) -> None:
    rule.consultants.all().delete()
    AssignmentConsultant.objects.bulk_create([
        AssignmentConsultant(rule=rule, user=user, position=i)
        for i, user in enumerate(dict.fromkeys(users))])


def _audit_data(draft: RuleDraft) -> dict:
    return {"channel": draft.channel.code if draft.channel else None, "type": draft.type,
            "consultants": [u.get_username() for u in draft.consultants]}


def assignment_rule_create(*, seller: Seller, draft: RuleDraft, actor: Actor,
                           now: datetime | None = None) -> AssignmentRule:
    """A new rule, last in order."""
    now = now or clock.now()
    with transaction.atomic():
        Seller.objects.select_for_update().filter(pk=seller.pk).first()  # one writer at a time
        _check(seller, draft, rule=None)
        last = AssignmentRule.objects.filter(seller=seller).aggregate(m=Max("position"))["m"]
        rule = AssignmentRule.objects.create(seller=seller, channel=draft.channel,
                                             type=draft.type, created_at=now,
                                             position=0 if last is None else last + 1)
        _set_consultants(rule, draft.consultants)
        audit(seller=seller, obj=rule, action="assignment_rule.created", actor=actor, now=now,
              data=_audit_data(draft))
    return rule


def assignment_rule_update(*, rule: AssignmentRule, draft: RuleDraft, actor: Actor,
                           now: datetime | None = None) -> AssignmentRule:
    """Change what a rule matches and its consultants; the rotation goes on from where it
    was."""
    now = now or clock.now()
    with transaction.atomic():
        rule = AssignmentRule.objects.select_for_update().select_related("seller").get(
            pk=rule.pk)
        _check(rule.seller, draft, rule=rule)
        rule.channel, rule.type = draft.channel, draft.type
        rule.save(update_fields=["channel", "type"])
        _set_consultants(rule, draft.consultants)
        audit(seller=rule.seller, obj=rule, action="assignment_rule.updated", actor=actor,
              now=now, data=_audit_data(draft))
    return rule


def assignment_rule_delete(*, rule: AssignmentRule, actor: Actor,
                           now: datetime | None = None) -> None:
    with transaction.atomic():
        rule = AssignmentRule.objects.select_for_update().select_related("seller").get(
            pk=rule.pk)
        audit(seller=rule.seller, obj=rule, action="assignment_rule.deleted", actor=actor,
              now=now, data={"channel": rule.channel_id, "type": rule.type})
        rule.delete()


def assignment_rule_move(*, rule: AssignmentRule, up: bool, actor: Actor,
                         now: datetime | None = None) -> None:
    """Swap a rule with the one before (up) or after it: the order decides which of two
    matching rules wins."""
    with transaction.atomic():
        rules = list(AssignmentRule.objects.select_for_update()
                     .filter(seller_id=rule.seller_id).order_by("position", "id"))
        i = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
        j = i - 1 if up else i + 1
        if not 0 <= j < len(rules):
            return
        rules[i], rules[j] = rules[j], rules[i]
        for position, r in enumerate(rules):
            if r.position != position:
                r.position = position
                r.save(update_fields=["position"])
        audit(seller=rule.seller, obj=rule, action="assignment_rule.moved", actor=actor,
              now=now, data={"up": up, "position": j})
