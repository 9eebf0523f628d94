"""Where an order's mail goes, from the back office (SPEC §8): correct the e-mail address
and resend the entries, resend the receipt, revoke the customer's links and send a new
one. Owners and agents; each is one call to postsale.orders.mail_services, the services
behind the customer's order page too."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from postsale.backoffice.access import seller_required
from postsale.backoffice.views import ORDER_ACTION_ROLES, actor_of, order_or_404
from postsale.core.errors import DomainError
from postsale.core.forms import EmailTypoCheckMixin, TypedEmailField
from postsale.orders.mail_services import (
    order_email_change,
    order_links_revoke,
    order_receipt_resend,
)
from postsale.orders.models import Order


class EmailCorrectionForm(EmailTypoCheckMixin, forms.Form):
    email = TypedEmailField(label=gettext_lazy("Correct e-mail address"))


def _back(order: Order, anchor: str = "emails-title") -> HttpResponse:
    return redirect(reverse("backoffice:order", args=[order.number]) + f"#{anchor}")


def _form_page(request: HttpRequest, order: Order, form: EmailCorrectionForm, *,
               error: str = "", status: int = 200) -> HttpResponse:
    return render(request, "backoffice/orders/email.html",
                  {"order": order, "form": form, "error": error}, status=status)


@seller_required(roles=ORDER_ACTION_ROLES)
@require_http_methods(["GET", "POST"])
def order_email_view(request: HttpRequest, number: str) -> HttpResponse:
    """GET: the form, the current address filled in. POST: correct it; the customer gets
    a confirmation with a new link and, when paid, the receipt and entries again."""
    order = order_or_404(request, number)
    if request.method == "GET":
        return _form_page(request, order, EmailCorrectionForm(initial={"email": order.email}))
    form = EmailCorrectionForm(request.POST)
    if not form.is_valid():
        return _form_page(request, order, form, status=422,
                          error=_("Check the e-mail address."))
    try:
        order = order_email_change(order=order, email=form.cleaned_data["email"],
                                   actor=actor_of(request),
                                   typo_confirmed=form.is_typo_confirmed("email"))
    except DomainError as exc:
        for field, message in exc.field_errors.items():
            form.add_error(field if field in form.fields else None, message)
        return _form_page(request, order, form, error=exc.message, status=exc.status)
    messages.success(request, _(
        "The e-mail address is now %(email)s. The customer was sent a confirmation with a "
        "new link%(entries)s; the old address was told.") % {
            "email": order.email,
            "entries": _(", the receipt and the entries") if order.paid_at else ""})
    return _back(order)


@seller_required(roles=ORDER_ACTION_ROLES)
@require_POST
def order_receipt_resend_view(request: HttpRequest, number: str) -> HttpResponse:
    order = order_or_404(request, number)
    try:
        order_receipt_resend(order=order, actor=actor_of(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The receipt and the entries were sent again to "
                                    "%(email)s.") % {"email": order.email})
    return _back(order)


@seller_required(roles=ORDER_ACTION_ROLES)
@require_POST
def order_links_revoke_view(request: HttpRequest, number: str) -> HttpResponse:
    order = order_links_revoke(order=order_or_404(request, number), actor=actor_of(request))
    messages.success(request, _("Every earlier link to this order stopped working; a new "
                                "one was sent to %(email)s.") % {"email": order.email})
    return _back(order)
