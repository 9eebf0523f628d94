"""The platform operator's pages (SPEC §1, §4.1): the review list of refund requests that
sellers closed or changed before processing, across sellers, and the abuse flag per
seller. Superusers only; to anyone else these pages do not exist (404)."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from postsale.backoffice.access import seller_access, seller_select
from postsale.backoffice.views import actor_of
from postsale.core.errors import DomainError
from postsale.core.models import AuditEvent
from postsale.sellers.models import Seller
from postsale.tickets.models import Ticket
from postsale.tickets.operator import seller_abuse_flag, ticket_review_done
from postsale.tickets.selectors import review_list

REVIEW_LIMIT = 200
SELLER_LIMIT = 100
MAX_NOTE = 500


def operator_required(view: Callable) -> Callable:
    """Log-in required and a platform operator (superuser); the header still shows the
    seller the operator is working as, if any."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_superuser:
            raise Http404
        request.access = seller_access(request)
        return view(request, *args, **kwargs)

    return wrapped


@operator_required
@require_GET
def review_page(request: HttpRequest) -> HttpResponse:
    rows = list(review_list()[: REVIEW_LIMIT + 1])
    return render(request, "backoffice/operator/review.html", {
        "tickets": rows[:REVIEW_LIMIT], "truncated": len(rows) > REVIEW_LIMIT,
        "limit": REVIEW_LIMIT})


@operator_required
@require_POST
def review_done(request: HttpRequest, number: str) -> HttpResponse:
    ticket = Ticket.objects.filter(number=number.strip().upper()).first()
    if ticket is None:
        raise Http404
    try:
        ticket_review_done(ticket=ticket, actor=actor_of(request),
                           note=request.POST.get("note", "").strip()[:MAX_NOTE])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Ticket %(number)s marked as reviewed.")
                         % {"number": ticket.number})
    return redirect("backoffice:review")


@operator_required
@require_GET
def operator_ticket(request: HttpRequest, number: str) -> HttpResponse:
    """Open any seller's ticket: switch to its seller, then show the ticket page."""
    ticket = Ticket.objects.filter(number=number.strip().upper()).select_related(
        "seller").first()
    if ticket is None:
        raise Http404
    seller_select(request, ticket.seller)
    return redirect("backoffice:ticket", ticket.number)


def _flag_reasons(sellers: list[Seller]) -> dict[int, AuditEvent]:
    """The latest abuse-flag change of each seller: who, when and why."""
    events = (AuditEvent.objects.filter(subject__in=[f"seller:{s.pk}" for s in sellers],
                                        action="seller.abuse_flag")
              .select_related("actor_user").order_by("created_at", "id"))
    return {e.seller_id: e for e in events}


@operator_required
@require_GET
def seller_flags(request: HttpRequest) -> HttpResponse:
    """Sellers, flagged ones first, with their flag and its latest reason."""
    q = request.GET.get("q", "").strip()[:100]
    sellers = Seller.objects.all()
    if q:
        sellers = sellers.filter(Q(name__icontains=q) | Q(slug__icontains=q))
    rows = list(sellers.order_by(F("abuse_flagged_at").desc(nulls_last=True), "name",
                                 "pk")[: SELLER_LIMIT + 1])
    latest = _flag_reasons(rows[:SELLER_LIMIT])
    return render(request, "backoffice/operator/sellers.html", {
        "rows": [(s, latest.get(s.pk)) for s in rows[:SELLER_LIMIT]], "q": q,
        "truncated": len(rows) > SELLER_LIMIT, "limit": SELLER_LIMIT})


@operator_required
@require_POST
def seller_flag(request: HttpRequest, slug: str) -> HttpResponse:
    """Flag a seller for abuse, or lift the flag; either way with a reason."""
    seller = Seller.objects.filter(slug=slug).first()
    if seller is None:
        raise Http404
    flagged = request.POST.get("flagged") == "1"
    reason = request.POST.get("reason", "").strip()[:MAX_NOTE]
    if not reason:
        messages.error(request, _("Give a reason for changing the flag of %(seller)s.")
                       % {"seller": seller.name})
        return redirect("backoffice:operator_sellers")
    seller_abuse_flag(seller=seller, flagged=flagged, actor=actor_of(request), reason=reason)
    messages.success(request, (_("%(seller)s is flagged for abuse: its refund and "
                                 "cancellation requests are processed at once.") if flagged
                               else _("The abuse flag of %(seller)s was lifted."))
                     % {"seller": seller.name})
    return redirect("backoffice:operator_sellers")
