"""Settings: who works for the seller, and in which role. Also the page where someone
invited without an account chooses their password."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from postsale.backoffice.access import seller_required
from postsale.backoffice.permissions import Cap
from postsale.backoffice.settings.forms import MemberInviteForm, apply_errors
from postsale.backoffice.views import actor_of
from postsale.core.errors import DomainError
from postsale.sellers.members import member_change_role, member_invite, member_remove
from postsale.sellers.models import Member, Role


def _members(seller):
    return (Member.objects.filter(seller=seller).select_related("user")
            .order_by("user__username", "pk"))


@seller_required(can=Cap.MANAGE_MEMBERS)
@require_http_methods(["GET", "POST"])
def settings_members(request: HttpRequest) -> HttpResponse:
    seller = request.access.seller
    form = MemberInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member, created = member_invite(seller=seller, actor=actor_of(request),
                                            **form.cleaned_data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            name = member.user.get_username()
            messages.success(request, _(
                "%(user)s was added as %(role)s and got an e-mail with a link to choose a "
                "password.") % {"user": name, "role": member.get_role_display().lower()}
                if created else _("%(user)s was added as %(role)s.") % {
                    "user": name, "role": member.get_role_display().lower()})
            return redirect("backoffice:settings_members")
    return render(request, "backoffice/settings/members.html", {
        "form": form, "section": "members", "members": _members(seller),
        "roles": Role.choices,
    }, status=422 if form.errors else 200)


def _member_id(value: int) -> int:
    return value if 0 < value < 2**63 else 0


@seller_required(can=Cap.MANAGE_MEMBERS)
@require_POST
def member_role_view(request: HttpRequest, member: int) -> HttpResponse:
    try:
        changed = member_change_role(seller=request.access.seller, member_id=_member_id(member),
                                     role=request.POST.get("role", ""),
                                     actor=actor_of(request))
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(user)s is now %(role)s.") % {
            "user": changed.user.get_username(), "role": changed.get_role_display().lower()})
    return redirect("backoffice:settings_members")


@seller_required(can=Cap.MANAGE_MEMBERS)
@require_POST
def member_remove_view(request: HttpRequest, member: int) -> HttpResponse:
    seller = request.access.seller
    target = Member.objects.filter(seller=seller, pk=_member_id(member)).select_related(
        "user").first()
    try:
        member_remove(seller=seller, member_id=_member_id(member), actor=actor_of(request))
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, exc.message)
        return redirect("backoffice:settings_members")
    messages.success(request, _("%(user)s no longer has access to %(seller)s.") % {
        "user": target.user.get_username(), "seller": seller.name})
    if target.user_id == request.user.pk and not request.user.is_superuser:
        return redirect("backoffice:orders")  # they left; the next seller (if any) shows
    return redirect("backoffice:settings_members")


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """The link in the invitation e-mail: choose a password, then log in."""

    template_name = "backoffice/password_set.html"
    success_url = reverse_lazy("backoffice:login")

    def form_valid(self, form):
        messages.success(self.request, _("Your password is set. Log in with it."))
        return super().form_valid(form)
