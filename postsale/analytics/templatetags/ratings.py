from django import template

from postsale.analytics.models import MAX_COMMENT, Score
from postsale.analytics.selectors import rating_of, rating_offer_for
from postsale.core import clock

register = template.Library()


@register.simple_tag
def ticket_rating(ticket):
    """The customer's rating of `ticket`, or None."""
    return rating_of(ticket)


@register.simple_tag
def ticket_rating_offer(ticket):
    """Whether the customer may rate `ticket` now (a RatingOffer)."""
    return rating_offer_for(ticket, now=clock.now())


@register.simple_tag
def rating_form_state(form, rating) -> dict:
    """What the rating form shows: what the customer just sent (a form with errors), else
    their current rating."""
    if form:  # an unset template variable arrives as ""
        score, comment, errors = form["score"].value(), form["comment"].value(), \
            form["score"].errors
    else:
        score, comment, errors = rating.score if rating else None, \
            rating.comment if rating else "", []
    return {"score": str(score or ""), "comment": comment or "", "errors": errors,
            "choices": [(str(value), label) for value, label in Score.choices],
            "max_comment": MAX_COMMENT}
