"""Door staff pages (SPEC §9): the scanner (phone camera or typed code), the time slots of
a day with their occupancy, one slot's list with marking use, and the mark used / unused
actions the order page uses too. Every write is one call to `postsale.checkin.services`,
the services behind the gate devices' API.

Door staff, owners and agents scan and mark; viewers see the occupancy only."""

from datetime import date
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from postsale.backoffice.access import seller_required
from postsale.backoffice.permissions import Cap
from postsale.backoffice.views import actor_of, is_htmx_fragment
from postsale.checkin.messages import headline, scan_message
from postsale.checkin.models import CheckIn, ScanResult
from postsale.checkin.selectors import (
    active_use,
    entry_lookup,
    occupancies,
    occupancy,
    slot_entries,
    slots_of_day,
    time_slot_get,
    uses_of,
)
from postsale.checkin.services import (
    Scan,
    checkin_scan,
    checkin_undo,
    entry_mark_unused,
    entry_mark_used,
)
from postsale.core import clock
from postsale.core.errors import DomainError, NotFound
from postsale.orders.models import EntryStatus

# Who scans and marks entries; viewers only look at the occupancy.
GATE_KEY, SLOT_KEY = "checkin_gate", "checkin_slot"  # the scanner's choices, per session
PAGE_SIZE = 100
DEVICE = "scanner page"


class ScanForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=500, strip=True,
                           error_messages={"required": gettext_lazy(
                               "Scan a QR code or type its text, or an entry number.")})
    gate = forms.CharField(label=gettext_lazy("Gate"), max_length=100, required=False)
    time_slot = forms.TypedChoiceField(label=gettext_lazy("Admit"), required=False,
                                       coerce=int, empty_value=None)

    def __init__(self, *args, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_slot"].choices = [("", _("Any time slot (each entry's own time)")),
                                            *((s.pk, _slot_label(s)) for s in slots)]


def _slot_label(slot) -> str:
    starts = timezone.localtime(slot.starts_at)
    return f"{starts:%H:%M}–{timezone.localtime(slot.ends_at):%H:%M} · {slot.product.name}"


def _entry_number(number: str) -> str:
    """An entry number from the URL; anything the database cannot even compare (NUL) is no
    entry's."""
    if not number.isprintable():
        raise Http404
    return number.upper()


def _is_number(code: str) -> bool:
    """An entry or order number (read aloud, printed), which only finds entries; anything
    else is a secret from a QR code, which checks the entry in."""
    return code[:4].upper() in ("TID-", "PID-")


def _today(request: HttpRequest) -> date:
    return clock.now().astimezone(request.access.tz).date()


def _result_context(request: HttpRequest, checkin: CheckIn) -> dict:
    use = active_use(checkin.entry) if checkin.result == ScanResult.ALREADY_USED else None
    tz: ZoneInfo = request.access.tz
    return {"checkin": checkin, "use": use, "headline": headline(checkin.result),
            "message": scan_message(checkin, use=use, tz=tz)}


def _render_scanner(request: HttpRequest, form: ScanForm, *, checkin: CheckIn | None = None,
                    found=None, status: int = 200) -> HttpResponse:
    context = {"form": form, "found": found, "lookup": found is not None,
               **(_result_context(request, checkin) if checkin else {})}
    fragment = is_htmx_fragment(request)
    template = ("backoffice/checkin/_result.html" if fragment
                else "backoffice/checkin/scanner.html")
    # htmx swaps only 2xx answers in; the fragment itself says what was wrong.
    response = render(request, template, context, status=200 if fragment else status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@seller_required(can=Cap.CHECK_IN)
@require_http_methods(["GET", "POST"])
def scanner(request: HttpRequest) -> HttpResponse:
    """GET: the scanner. POST: a scanned or typed code — a secret checks the entry in; an
    entry or order number (read aloud, printed) only finds the entries, which staff then
    let in with a button."""
    slots = slots_of_day(seller=request.access.seller, day=_today(request))
    if request.method == "GET":
        form = ScanForm(slots=slots, initial={"gate": request.session.get(GATE_KEY, ""),
                                              "time_slot": request.session.get(SLOT_KEY)})
        # From the search results: an order's or entry's entries, to let them in.
        number = request.GET.get("find", "")[:40]
        if _is_number(number) and number.isprintable():
            found = list(entry_lookup(seller=request.access.seller, q=number))
            return _render_scanner(request, form, found=found, status=200 if found else 404)
        return _render_scanner(request, form)
    form = ScanForm(request.POST, slots=slots)
    if not form.is_valid():
        return _render_scanner(request, form, status=422)
    code, gate, slot_id = (form.cleaned_data[k] for k in ("code", "gate", "time_slot"))
    request.session[GATE_KEY], request.session[SLOT_KEY] = gate, slot_id
    if _is_number(code):
        found = list(entry_lookup(seller=request.access.seller, q=code))
        return _render_scanner(request, form, found=found, status=200 if found else 404)
    checkin = checkin_scan(seller=request.access.seller, actor=actor_of(request),
                           scan=Scan(secret=code, gate=gate, device=DEVICE,
                                     time_slot_id=slot_id))
    return _render_scanner(request, form, checkin=checkin)


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = fallback
    return redirect(target)


@seller_required(can=Cap.CHECK_IN)
@require_POST
def entry_use(request: HttpRequest, number: str) -> HttpResponse:
    """Let the holder of an entry in by hand (from the scanner's lookup, a slot's list or
    the order page)."""
    try:
        checkin = entry_mark_used(seller=request.access.seller, number=_entry_number(number),
                                  actor=actor_of(request),
                                  gate=request.session.get(GATE_KEY, ""))
    except NotFound:
        raise Http404 from None
    if is_htmx_fragment(request):
        return render(request, "backoffice/checkin/_result.html",
                      _result_context(request, checkin))
    context = _result_context(request, checkin)
    level = messages.success if checkin.result == ScanResult.OK else messages.error
    level(request, f"{context['headline']}: {context['message']}")
    return _back(request, reverse("backoffice:checkin"))


@seller_required(can=Cap.CHECK_IN)
@require_POST
def entry_unuse(request: HttpRequest, number: str) -> HttpResponse:
    """Take back an entry's use (let in by mistake): it is valid again."""
    try:
        entry = entry_mark_unused(seller=request.access.seller, number=_entry_number(number),
                                  actor=actor_of(request))
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(number)s is valid again: it was marked unused.")
                         % {"number": entry.number})
    return _back(request, reverse("backoffice:checkin"))


@seller_required(can=Cap.CHECK_IN)
@require_POST
def checkin_undo_view(request: HttpRequest, checkin: int) -> HttpResponse:
    """The scanner's "Undo" right after a check-in."""
    try:
        undone = checkin_undo(seller=request.access.seller, checkin_id=checkin,
                              actor=actor_of(request))
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        undone, error = None, exc.message
    else:
        error = ""
    context = {"undone": undone, "error": error}
    if is_htmx_fragment(request):
        return render(request, "backoffice/checkin/_undone.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Check-in of %(number)s undone: the entry is valid again.")
                         % {"number": undone.entry.number})
    return redirect("backoffice:checkin")


# Occupancy.

@seller_required(can=Cap.VIEW_OCCUPANCY)
def slot_list(request: HttpRequest) -> HttpResponse:
    """A day's time slots (today by default) with sold, used and capacity."""
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = _today(request)
    slots = slots_of_day(seller=request.access.seller, day=day)
    return render(request, "backoffice/checkin/slots.html", {
        "day": day, "rows": occupancies(slots), "today": _today(request),
        "previous": date.fromordinal(day.toordinal() - 1),
        "next": date.fromordinal(day.toordinal() + 1)})


@seller_required(can=Cap.VIEW_OCCUPANCY)
def slot_detail(request: HttpRequest, slot: int) -> HttpResponse:
    """One slot: occupancy and its entries, searchable by entry or order number or the
    code; door staff, owners and agents mark entries used or unused from here."""
    try:
        target = time_slot_get(seller=request.access.seller, slot_id=slot)
    except NotFound:
        raise Http404 from None
    q = request.GET.get("q", "").strip()[:100]
    q = q if q.isprintable() else ""
    status = request.GET.get("status", "")
    status = status if status in EntryStatus.values else ""
    if q:
        entries, more = list(entry_lookup(seller=request.access.seller, q=q, slot=target,
                                          limit=PAGE_SIZE)), False
    else:
        qs = slot_entries(slot=target, status=status or None)
        after = request.GET.get("after", "")
        if after.isdigit() and int(after) < 2**63:
            qs = qs.filter(pk__gt=int(after))
        entries = list(qs[: PAGE_SIZE + 1])
        more, entries = len(entries) > PAGE_SIZE, entries[:PAGE_SIZE]
    uses = uses_of(entries)
    for entry in entries:
        entry.use = uses.get(entry.pk)
    return render(request, "backoffice/checkin/slot.html", {
        "slot": target, "occupancy": occupancy(target), "entries": entries,
        "q": q, "status": status, "statuses": EntryStatus.choices,
        "next_after": entries[-1].pk if more else None,
        "can_mark": request.access.has(Cap.CHECK_IN), "here": request.get_full_path()})
