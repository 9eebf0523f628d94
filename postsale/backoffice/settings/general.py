"""Settings: the seller's name, language, currency and e-mail addresses."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from postsale.backoffice.access import seller_required
from postsale.backoffice.permissions import Cap
from postsale.backoffice.settings.forms import GeneralForm, apply_errors
from postsale.backoffice.views import actor_of
from postsale.core.errors import DomainError
from postsale.sellers.services import seller_update_general


def currency_locked(seller) -> bool:
    return seller.orders.exists() or seller.products.exists()


@seller_required(can=Cap.MANAGE_SETTINGS)
@require_http_methods(["GET", "POST"])
def settings_general(request: HttpRequest) -> HttpResponse:
    seller = request.access.seller
    locked = currency_locked(seller)
    form = GeneralForm(request.POST or None, seller=seller, currency_locked=locked)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            seller_update_general(seller=seller, name=data["name"], language=data["language"],
                                  currency=data["currency"],
                                  account_email=data["account_email"],
                                  support_email=data["support_email"] or "",
                                  actor=actor_of(request))
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("backoffice:settings")
    status = 422 if form.errors else 200
    return render(request, "backoffice/settings/general.html",
                  {"form": form, "section": "general"}, status=status)
