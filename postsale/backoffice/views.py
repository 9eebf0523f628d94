"""Back-office pages. Each view parses input, calls one selector or service, renders."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from postsale.backoffice import presenters
from postsale.backoffice.access import seller_access, seller_required, seller_select
from postsale.backoffice.forms import OrderFilterForm
from postsale.backoffice.pagination import keyset_page
from postsale.backoffice.permissions import Cap, roles_for
from postsale.backoffice.selectors import order_page, order_rows
from postsale.core.audit import Actor
from postsale.core.errors import NotFound
from postsale.orders.models import EntryStatus, Order
from postsale.orders.rules import cancel_decision
from postsale.orders.search import Hit, search_orders
from postsale.orders.selectors import order_get
from postsale.payments.refunds import REFUNDABLE_ORDER
from postsale.sellers.selectors import sellers_for_user

PAGE_SIZE = 50
SWITCH_LIST_LIMIT = 100
# Who may refund, exchange and otherwise change an order (see permissions.py).
ORDER_ACTION_ROLES = roles_for(Cap.ACT_ON_ORDERS)


def is_htmx_fragment(request: HttpRequest) -> bool:
    # A history restore asks for the whole page, not the fragment.
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def actor_of(request: HttpRequest) -> Actor:
    return Actor("user", request.user.get_username(), request.user)


def order_or_404(request: HttpRequest, number: str) -> Order:
    """The current seller's order; another seller's is a 404 like a missing one."""
    try:
        return order_get(seller=request.access.seller, number=number.upper())
    except NotFound:
        raise Http404 from None


@seller_required(can=Cap.SEARCH)
def order_list(request: HttpRequest) -> HttpResponse:
    seller = request.access.seller
    form = OrderFilterForm(request.GET, seller=seller)
    filters = form.selector_kwargs()
    q = filters.pop("q")
    rows = order_rows(seller=seller, **filters)
    if q:  # the search box: best matches, each saying what matched; no pages
        search, page = search_orders(seller=seller, q=q, orders=rows, limit=PAGE_SIZE), None
        hits = search.hits
    else:
        search = None
        page = keyset_page(rows, after=request.GET.get("after"),
                           before=request.GET.get("before"), size=PAGE_SIZE)
        hits = [Hit(order) for order in page.items]
    fragment = is_htmx_fragment(request)
    template = "backoffice/orders/_results.html" if fragment else "backoffice/orders/list.html"
    response = render(request, template, {"form": form, "page": page, "search": search,
                                          "hits": hits, "fragment": fragment})
    patch_vary_headers(response, ["HX-Request"])
    return response


@seller_required(can=Cap.VIEW_ORDERS)
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        data = order_page(seller=request.access.seller, number=number.upper())
    except NotFound:
        raise Http404 from None
    status = data.order.status
    entries = data.order.entries.all()
    return render(request, "backoffice/orders/detail.html", {
        "data": data, "order": data.order,
        "status_help": presenters.order_status_help(status),
        "status_advice": presenters.order_advice(status),
        "can_act": request.access.has(Cap.ACT_ON_ORDERS),
        "refundable": status in REFUNDABLE_ORDER,
        "exchangeable": any(e.time_slot_id for e in entries),
        # The action menu (orders/_actions.html): what is possible now, or why not.
        "cancel": cancel_decision(status),
        "exchange_entries": [e for e in entries
                             if e.status == EntryStatus.VALID and e.time_slot_id],
        "open_flags": sum(1 for f in data.flags if not f.resolved_at),
    })


@login_required
@require_http_methods(["GET", "POST"])
def seller_switch(request: HttpRequest) -> HttpResponse:
    """GET: choose among your sellers; POST: switch. A seller you do not belong to is a 404,
    whether it exists or not."""
    if request.method == "POST":
        slug = request.POST.get("seller", "")
        seller = sellers_for_user(request.user).filter(slug=slug).first()
        if seller is None:
            raise Http404
        seller_select(request, seller)
        return redirect("backoffice:orders")
    access = seller_access(request)
    if access is None:
        return render(request, "backoffice/no_access.html", status=403)
    request.access = access
    # Platform operators may reach thousands of sellers: a search and the first page.
    q = request.GET.get("q", "").strip()[:100]
    sellers = sellers_for_user(request.user)
    if q:
        sellers = sellers.filter(Q(name__icontains=q) | Q(slug__icontains=q))
    rows = list(sellers.order_by("name", "pk")[: SWITCH_LIST_LIMIT + 1])
    return render(request, "backoffice/seller_switch.html", {
        "sellers": rows[:SWITCH_LIST_LIMIT], "truncated": len(rows) > SWITCH_LIST_LIMIT,
        "q": q, "limit": SWITCH_LIST_LIMIT})
