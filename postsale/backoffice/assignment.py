"""Assignment rules in the seller's settings (owner only): which consultants get new
tickets of which sales channel and type, in which order the rules are tried, and whose
turn is next. The rotation itself is in `postsale.tickets.assignment`."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from postsale.backoffice.access import seller_required
from postsale.backoffice.permissions import Cap
from postsale.backoffice.views import actor_of
from postsale.core.errors import DomainError
from postsale.sellers.models import SalesChannel
from postsale.tickets.assignment import (
    RuleDraft,
    assignment_rule_create,
    assignment_rule_delete,
    assignment_rule_move,
    assignment_rule_update,
    consultants_of,
)
from postsale.tickets.models import AssignmentRule, TicketType


class RuleForm(forms.Form):
    channel = forms.ChoiceField(label=gettext_lazy("Sales channel"), required=False)
    type = forms.ChoiceField(label=gettext_lazy("Ticket type"), required=False,
                             choices=[("", gettext_lazy("Any type")), *TicketType.choices])
    consultants = forms.MultipleChoiceField(
        label=gettext_lazy("Consultants, in turn"), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one consultant.")})

    def __init__(self, *args, seller, **kwargs):
        super().__init__(*args, **kwargs)
        self.seller = seller
        self.channels = {str(c.pk): c for c in SalesChannel.objects.filter(seller=seller)}
        self.users = {str(u.pk): u for u in consultants_of(seller)}
        self.fields["channel"].choices = [("", _("Any channel")),
                                          *[(k, c.name) for k, c in self.channels.items()]]
        self.fields["consultants"].choices = [(k, u.get_username())
                                              for k, u in self.users.items()]

    @classmethod
    def for_rule(cls, rule: AssignmentRule) -> "RuleForm":
        return cls(seller=rule.seller, initial={
            "channel": str(rule.channel_id or ""), "type": rule.type,
            "consultants": [str(c.user_id) for c in rule.consultants.all()]})

    def to_draft(self) -> RuleDraft:
        data = self.cleaned_data
        return RuleDraft(channel=self.channels.get(data["channel"]), type=data["type"],
                         consultants=[self.users[k] for k in data["consultants"]])


def _rule_or_404(request: HttpRequest, pk: int) -> AssignmentRule:
    rule = (AssignmentRule.objects.filter(seller=request.access.seller, pk=pk)
            .select_related("seller", "channel").first())
    if rule is None:
        raise Http404
    return rule


def _page(request: HttpRequest, *, form: RuleForm | None = None, editing=None,
          error: str = "", status: int = 200) -> HttpResponse:
    seller = request.access.seller
    rules = list(AssignmentRule.objects.filter(seller=seller).select_related("channel")
                 .prefetch_related("consultants__user"))
    eligible = set(consultants_of(seller).values_list("pk", flat=True))
    for rule in rules:
        users = [c.user for c in rule.consultants.all() if c.user_id in eligible]
        rule.rotation = users
        rule.next_user = users[rule.turns % len(users)] if users else None
        rule.dropped = [c.user for c in rule.consultants.all() if c.user_id not in eligible]
    return render(request, "backoffice/settings/assignment.html", {"section": "assignment",
        "rules": rules, "form": form or RuleForm(seller=seller), "editing": editing,
        "error": error}, status=status)


@seller_required(can=Cap.MANAGE_SETTINGS)
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _save(request: HttpRequest, rule: AssignmentRule | None) -> HttpResponse:
    form = RuleForm(request.POST, seller=request.access.seller)
    if not form.is_valid():
        return _page(request, form=form, editing=rule, status=422,
                     error=_("Please correct the marked fields."))
    try:
        if rule is None:
            assignment_rule_create(seller=request.access.seller, draft=form.to_draft(),
                                   actor=actor_of(request))
        else:
            assignment_rule_update(rule=rule, draft=form.to_draft(), actor=actor_of(request))
    except DomainError as exc:
        for field, message in exc.field_errors.items():
            form.add_error(field if field in form.fields else None, message)
        return _page(request, form=form, editing=rule, error=exc.message, status=exc.status)
    messages.success(request, _("Assignment rule saved."))
    return redirect("backoffice:assignment_rules")


@seller_required(can=Cap.MANAGE_SETTINGS)
@require_POST
def rule_new(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@seller_required(can=Cap.MANAGE_SETTINGS)
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule_or_404(request, pk)
    if request.method == "GET":
        return _page(request, form=RuleForm.for_rule(rule), editing=rule)
    return _save(request, rule)


@seller_required(can=Cap.MANAGE_SETTINGS)
@require_POST
def rule_move(request: HttpRequest, pk: int) -> HttpResponse:
    assignment_rule_move(rule=_rule_or_404(request, pk), up=request.POST.get("up") == "1",
                         actor=actor_of(request))
    return redirect("backoffice:assignment_rules")


@seller_required(can=Cap.MANAGE_SETTINGS)
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    assignment_rule_delete(rule=_rule_or_404(request, pk), actor=actor_of(request))
    messages.success(request, _("Assignment rule deleted; new tickets it matched now follow "
                                "the next matching rule."))
    return redirect("backoffice:assignment_rules")
