"""Settings: the business calendar (SPEC §3) — time zone, country and region, weekend
days, whether public holidays pause the clock, closure days — with a preview of what the
calendar does to a refund request opened now."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import holidays as holidays_lib
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dates import WEEKDAYS
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from postsale.backoffice.access import seller_required
from postsale.backoffice.permissions import Cap
from postsale.backoffice.settings.forms import CalendarForm, ClosureForm, apply_errors
from postsale.backoffice.views import actor_of
from postsale.core import clock
from postsale.core.calendar import BusinessCalendar, calendar_for
from postsale.core.errors import DomainError
from postsale.sellers.services import closure_day_add, closure_day_remove, seller_update_calendar

# A customer's refund or cancellation request waits this much business time (SPEC §4.1).
REQUEST_WAIT = timedelta(hours=24)
PREVIEW_DAYS = 21


@dataclass(frozen=True)
class DayOff:
    day: date
    why: str


@dataclass(frozen=True)
class Preview:
    now: datetime
    processed_at: datetime | None
    days_off: list[DayOff]
    error: str = ""
    time_zone: str = "UTC"  # the calendar's, which the form may be changing
    weekend: tuple[str, ...] = ()  # names of the weekend days
    holidays_pause: bool = True


def _holiday_names(cal: BusinessCalendar, language: str):
    """The country's holidays named in the page's language where the library has it."""
    if not cal.country:
        return {}
    names = holidays_lib.country_holidays(cal.country, subdiv=cal.subdivision or None)
    wanted = next((code for code in names.supported_languages
                   if code.split("_")[0] == language), None)
    if wanted is None:
        return names
    return holidays_lib.country_holidays(cal.country, subdiv=cal.subdivision or None,
                                         language=wanted)


def preview(cal: BusinessCalendar, *, now: datetime) -> Preview:
    """When a request opened `now` would be processed, and the days that do not count in
    the next weeks, each with its reason."""
    local_today = now.astimezone(cal.tz).date()
    names = _holiday_names(cal, get_language() or "en")
    days_off = []
    for n in range(PREVIEW_DAYS):
        day = local_today + timedelta(days=n)
        if cal.is_business_day(day):
            continue
        if day in cal.closures:
            why = _("Closure day")
        elif day.weekday() in cal.weekend_days:
            why = _("Weekend")
        else:
            why = names.get(day) or cal.holiday_name(day) or _("Public holiday")
        days_off.append(DayOff(day, why))
    return Preview(now=now, processed_at=cal.add_business(now, REQUEST_WAIT),
                   days_off=days_off, time_zone=cal.time_zone,
                   weekend=tuple(str(WEEKDAYS[d]) for d in sorted(cal.weekend_days)),
                   holidays_pause=cal.pause_on_holidays)


def _preview_of_form(form: CalendarForm, seller, *, now: datetime) -> Preview:
    if not form.is_valid():
        return Preview(now, None, [], _("Correct the highlighted fields to see the preview."))
    data = form.service_kwargs()
    try:
        cal = BusinessCalendar(
            time_zone=data["time_zone"], country=data["country"],
            subdivision=data["subdivision"],
            weekend=frozenset(data["weekend_days"]) or None,
            closures=frozenset(seller.closure_days.values_list("date", flat=True)),
            pause_on_holidays=data["pause_on_holidays"])
        return preview(cal, now=now)
    except (ValueError, NotImplementedError):
        return Preview(now, None, [], _("Leave at least one working day in the week."))


def _page(request: HttpRequest, form: CalendarForm, closure_form: ClosureForm, *,
          status: int = 200) -> HttpResponse:
    seller = request.access.seller
    now = clock.now()
    shown = (_preview_of_form(form, seller, now=now) if form.is_bound
             else preview(calendar_for(seller), now=now))
    today = now.astimezone(request.access.tz).date()
    closures = list(seller.closure_days.order_by("date"))
    return render(request, "backoffice/settings/calendar.html", {
        "form": form, "closure_form": closure_form, "preview": shown, "section": "calendar",
        "upcoming": [c for c in closures if c.date >= today],
        "past": [c for c in closures if c.date < today][-10:],
    }, status=status)


@seller_required(can=Cap.MANAGE_SETTINGS)
@require_http_methods(["GET", "POST"])
def settings_calendar(request: HttpRequest) -> HttpResponse:
    seller = request.access.seller
    form = CalendarForm(request.POST or None, seller=seller)
    if request.method == "POST" and form.is_valid():
        try:
            seller_update_calendar(seller=seller, actor=actor_of(request),
                                   **form.service_kwargs())
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Calendar saved. Timers set from now on follow it."))
            return redirect("backoffice:settings_calendar")
    return _page(request, form, ClosureForm(), status=422 if form.errors else 200)


@seller_required(can=Cap.MANAGE_SETTINGS)
@require_GET
def calendar_preview(request: HttpRequest) -> HttpResponse:
    """The preview for the calendar form as it is being edited (htmx), nothing saved."""
    seller = request.access.seller
    form = CalendarForm(request.GET, seller=seller)
    return render(request, "backoffice/settings/_calendar_preview.html", {
        "preview": _preview_of_form(form, seller, now=clock.now()), "form": form,
        # The region list follows the country: swap it when the country changed.
        "swap_regions": request.GET.get("regions_for") != request.GET.get("country"),
    })


@seller_required(can=Cap.MANAGE_SETTINGS)
@require_POST
def closure_add_view(request: HttpRequest) -> HttpResponse:
    seller = request.access.seller
    closure_form = ClosureForm(request.POST)
    if closure_form.is_valid():
        data = closure_form.cleaned_data
        try:
            closure_day_add(seller=seller, day=data["date"], note=data["note"],
                            actor=actor_of(request))
        except DomainError as exc:
            apply_errors(closure_form, exc)
        else:
            messages.success(request, _("%(day)s is now a closure day.") % {
                "day": data["date"].isoformat()})
            return redirect(reverse("backoffice:settings_calendar") + "#closures")
    return _page(request, CalendarForm(seller=seller), closure_form, status=422)


@seller_required(can=Cap.MANAGE_SETTINGS)
@require_POST
def closure_remove_view(request: HttpRequest, day: str) -> HttpResponse:
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    try:
        closure_day_remove(seller=request.access.seller, day=parsed, actor=actor_of(request))
    except DomainError as exc:  # removed meanwhile (a second click)
        messages.info(request, exc.message)
    else:
        messages.success(request, _("%(day)s is no longer a closure day.") % {
            "day": parsed.isoformat()})
    return redirect(reverse("backoffice:settings_calendar") + "#closures")
