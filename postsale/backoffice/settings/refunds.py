"""Settings: refund windows and the late-payment policy of the seller, and each product's
refund terms and exchange policy (SPEC §4.3, §4.4)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from postsale.backoffice.access import seller_required
from postsale.backoffice.permissions import Cap
from postsale.backoffice.settings.forms import ProductTermsForm, RefundPolicyForm, apply_errors
from postsale.backoffice.views import actor_of
from postsale.core.errors import DomainError
from postsale.orders.models import Product
from postsale.orders.products import product_terms_update
from postsale.sellers.services import seller_update_refund_policy

PRODUCTS_SHOWN = 500


@seller_required(can=Cap.MANAGE_SETTINGS)
@require_http_methods(["GET", "POST"])
def settings_refunds(request: HttpRequest) -> HttpResponse:
    seller = request.access.seller
    initial = {f: getattr(seller, f) for f in
               ("customer_refund_days", "seller_refund_days", "late_payment_policy")}
    form = RefundPolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            seller_update_refund_policy(seller=seller, actor=actor_of(request),
                                        **form.cleaned_data)
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Refund windows saved. They apply to requests made "
                                        "from now on."))
            return redirect("backoffice:settings_refunds")
    products = list(Product.objects.filter(seller=seller)
                    .order_by("-active", "name", "pk")[:PRODUCTS_SHOWN + 1])
    return render(request, "backoffice/settings/refunds.html", {
        "form": form, "section": "refunds", "products": products[:PRODUCTS_SHOWN],
        "products_truncated": len(products) > PRODUCTS_SHOWN,
    }, status=422 if form.errors else 200)


@seller_required(can=Cap.MANAGE_SETTINGS)
@require_http_methods(["GET", "POST"])
def product_terms(request: HttpRequest, sku: str) -> HttpResponse:
    seller = request.access.seller
    product = Product.objects.filter(seller=seller, sku=sku).first()
    if product is None:
        raise Http404
    form = ProductTermsForm(request.POST or None, product=product, seller=seller)
    if request.method == "POST" and form.is_valid():
        try:
            product_terms_update(seller=seller, sku=product.sku, terms=form.terms(),
                                 actor=actor_of(request))
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Terms of %(product)s saved.") % {
                "product": product.name})
            return redirect("backoffice:settings_refunds")
    return render(request, "backoffice/settings/product_terms.html", {
        "form": form, "section": "refunds", "product": product,
    }, status=422 if form.errors else 200)
