"""Which entries may be shown with their QR code, printed or put in a wallet — and, when
not, why, in words the customer reads. Pure: the caller says how a void entry ended."""

from enum import StrEnum

from django.utils.translation import gettext as _

from postsale.orders.models import EntryStatus, OrderStatus


class VoidCause(StrEnum):
    REFUNDED = "refunded"
    EXCHANGED = "exchanged"  # replaced by another entry of the same order
    UNKNOWN = "unknown"


def entry_refusal(*, entry_status: str, order_status: str,
                  void_cause: VoidCause = VoidCause.UNKNOWN) -> str | None:
    """None when the entry is valid (its code lets someone in); otherwise the reason."""
    if entry_status == EntryStatus.VALID:
        return None
    if entry_status == EntryStatus.USED:
        return _("This entry has already been used at the entrance.")
    if entry_status == EntryStatus.PENDING:
        if order_status == OrderStatus.EXPIRED:
            return _("The payment was not confirmed in time, so this entry is not valid.")
        if order_status == OrderStatus.CANCELED:
            return _("This order was canceled, so this entry is not valid.")
        return _("Not valid yet: we are waiting for the payment to be confirmed. The code "
                 "appears here as soon as it is.")
    if order_status == OrderStatus.CANCELED:
        return _("This order was canceled, so this entry is not valid.")
    if void_cause == VoidCause.REFUNDED or order_status == OrderStatus.REFUNDED:
        return _("This entry was refunded, so it is no longer valid.")
    if void_cause == VoidCause.EXCHANGED:
        return _("This entry was exchanged for another one; use the new entry.")
    return _("This entry is no longer valid.")
