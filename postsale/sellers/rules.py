"""Pure decisions about sellers' settings and members."""

from django.utils.translation import gettext as _

from postsale.sellers.models import Role

MAX_REFUND_DAYS = 3650  # ten years: longer is a typo, not a policy
MAX_HOURS_BEFORE = 24 * 366


def owner_change_refusal(*, owners: int, role: str, new_role: str | None) -> str | None:
    """Why a member of role `role` may not become `new_role` (None: removed), given the
    seller's number of owners; None when allowed. A seller always keeps one owner, or
    nobody could change its settings, members or tokens again."""
    if role == Role.OWNER and new_role != Role.OWNER and owners <= 1:
        if new_role is None:
            return _("This is the seller's only owner. Make another member an owner "
                     "before removing this one.")
        return _("This is the seller's only owner. Make another member an owner before "
                 "changing this one's role.")
    return None


def weekend_refusal(days: list[int]) -> str | None:
    """Why these ISO weekdays (Monday=0) cannot be the weekend; None when they can."""
    if any(not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6 for d in days):
        return _("Weekend days are weekdays from Monday to Sunday.")
    if len(set(days)) >= 7:
        return _("Leave at least one working day in the week.")
    return None


def refund_windows_refusal(*, customer_days: int, seller_days: int) -> dict[str, str]:
    """Field errors for a seller's (or a product's) refund windows; empty when fine."""
    errors = {}
    for field, days in (("customer_refund_days", customer_days),
                        ("seller_refund_days", seller_days)):
        if days is not None and not 0 <= days <= MAX_REFUND_DAYS:
            errors[field] = _("Enter a number of days from 0 to %(max)s.") % {
                "max": MAX_REFUND_DAYS}
    if not errors and customer_days is not None and seller_days is not None \
            and seller_days < customer_days:
        errors["seller_refund_days"] = _(
            "The seller's window cannot be shorter than the customer's: a seller must be "
            "able to refund whatever a customer may ask to refund.")
    return errors
