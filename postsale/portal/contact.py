"""The customer's own mail on the order page: correct the e-mail address (asked again
when it looks mistyped) and get the receipt and entries again. Each is one call to
postsale.orders.mail_services, the same as in the back office."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from postsale.core.errors import DomainError
from postsale.orders.links import order_token
from postsale.orders.mail_services import order_email_change, order_receipt_resend

from .access import Link, order_link
from .contact_forms import EmailChangeForm
from .forms import apply_field_errors


def _email_page(request: HttpRequest, link: Link, form: EmailChangeForm, *, errors=(),
                status: int = 200) -> HttpResponse:
    return render(request, "portal/email_change.html",
                  {"link": link, "order": link.order, "form": form, "errors": errors},
                  status=status)


@require_http_methods(["GET", "POST"])
@order_link
def email_change(request: HttpRequest, link: Link) -> HttpResponse:
    if request.method == "GET":
        return _email_page(request, link, EmailChangeForm())
    form = EmailChangeForm(request.POST)
    if not form.is_valid():
        return _email_page(request, link, form, status=422,
                           errors=[_("Please correct the marked fields.")])
    try:
        order = order_email_change(order=link.order, email=form.cleaned_data["email"],
                                   actor=link.actor,
                                   typo_confirmed=form.is_typo_confirmed("email"))
    except DomainError as exc:
        errors = [exc.message, *apply_field_errors(form, exc.field_errors)]
        return _email_page(request, link, form, errors=list(dict.fromkeys(errors)),
                           status=exc.status)
    messages.success(request, _(
        "Your e-mail address is now %(email)s. We have sent a confirmation with a new link "
        "to it; links in earlier e-mails no longer work.") % {"email": order.email})
    # This page's own link was revoked with the others: carry on with the new one.
    return redirect(reverse("portal:order", args=[order_token(order)]))


@require_POST
@order_link
def receipt_resend(request: HttpRequest, link: Link) -> HttpResponse:
    try:
        order = order_receipt_resend(order=link.order, actor=link.actor)
    except DomainError as exc:
        return render(request, "portal/problem.html",
                      {"link": link, "order": link.order, "message": exc.message},
                      status=exc.status)
    messages.success(request, _("We have sent your receipt and entries again to %(email)s. "
                                "If they do not arrive in a few minutes, check your spam and "
                                "other folders.") % {"email": order.email})
    return redirect(link.url)
