"""The customer rates the help on a closed ticket (and may change the rating for a while):
one call to postsale.analytics.services. The form is on the ticket page
(portal/_rating.html), which the "ticket closed" e-mail links to."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from postsale.analytics.services import rating_submit
from postsale.core.errors import DomainError

from .access import Link, order_link, ticket_or_404
from .contact_forms import RatingForm
from .forms import apply_field_errors
from .tickets import _ticket_page


@require_POST
@order_link
def ticket_rating(request: HttpRequest, link: Link, number: str) -> HttpResponse:
    ticket = ticket_or_404(link, number)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _ticket_page(request, link, ticket, rating_form=form, status=422,
                            errors=[_("Please choose a score from 1 to 5.")])
    try:
        rating_submit(ticket=ticket, score=form.cleaned_data["score"],
                      comment=form.cleaned_data["comment"], actor=link.actor)
    except DomainError as exc:
        errors = [exc.message, *apply_field_errors(form, exc.field_errors)]
        return _ticket_page(request, link, ticket, rating_form=form, status=exc.status,
                            errors=list(dict.fromkeys(errors)))
    messages.success(request, _("Thank you for your rating."))
    return redirect(link.ticket_url(ticket.number) + "#rating")
