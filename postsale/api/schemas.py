"""Request and response bodies of API v1. Input types refuse what the database cannot
store (NUL bytes, out-of-range integers and times), so bad input is a 422, never a 500."""

import re
from datetime import UTC, datetime
from typing import Annotated, Literal

from ninja import Path, Schema
from pydantic import AfterValidator, BaseModel, Field, StringConstraints, field_validator

# Largest id / integer PostgreSQL and SQLite store (signed 64 bit), and the largest
# PositiveIntegerField (unit prices are one).
MAX_ID = 2**63 - 1
MAX_INT32 = 2**31 - 1

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_EXCEPT_NEWLINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"  # for query and path parameters
OrderNumber = Annotated[str, Path(max_length=32, pattern=PRINTABLE, description="PID-…")]
CURRENCY = r"^[A-Z]{3}$"
# What to tell people instead of "String should match pattern …".
PATTERN_HINTS = {PRINTABLE: "Remove control characters (line breaks, tabs, NUL).",
                 CURRENCY: "Use a three-letter ISO 4217 code in capitals, e.g. PLN."}


def _single_line(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("Remove control characters (line breaks, tabs, NUL).")
    return value


def text(max_length: int, min_length: int = 0):
    """A one-line string, stripped, within the given length."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length,
                                            max_length=max_length),
                     AfterValidator(_single_line)]


def _utc(value: datetime) -> datetime:
    """Naive times are UTC (the API's convention); every time is stored as UTC."""
    try:
        return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC))
    except OverflowError:
        raise ValueError("The time is out of range.") from None


Moment = Annotated[datetime, AfterValidator(_utc)]
Currency = Annotated[str, StringConstraints(pattern=CURRENCY)]


class In(BaseModel):
    """A request body. Plain pydantic, not ninja's Schema: Schema reads attributes of any
    object, so `"customer": null` would be reported as a missing `customer.email`."""


class CustomerIn(In):
    email: text(254, min_length=3)
    first_name: text(100) = ""
    last_name: text(100) = ""
    phone: text(32) = Field("", description="Any common format; stored as E.164.")
    language: Literal["", "en", "pl", "it", "he", "uk"] = Field(
        "", description="Empty: the seller's language.")


class LineIn(In):
    product: text(64, min_length=1) = Field(description="The product's code (sku).")
    quantity: int = Field(ge=1, le=100)
    time_slot: int | None = Field(None, ge=1, le=MAX_ID,
                                  description="TimeSlot id; required for timed entries.")
    unit_price: int | None = Field(None, ge=0, le=MAX_INT32,
                                   description="Minor units; empty: the product's price.")


class PaymentIn(In):
    provider: text(32, min_length=1)
    transaction_id: text(128, min_length=1) = Field(
        description="The provider's id of the payment (what the bank statement shows).")
    status: Literal["pending", "confirmed", "failed"] = "confirmed"
    amount: int | None = Field(None, ge=0, le=10**12, description="Empty: the order total.")


class OrderIn(In):
    channel: text(50, min_length=1) = Field(description="Sales channel code.")
    external_id: text(100, min_length=1) | None = Field(
        None, description="The channel's own order id; the same id twice gives one order.")
    currency: Currency = Field(description="ISO 4217, e.g. PLN; the products' currency.")
    customer: CustomerIn
    lines: list[LineIn] = Field(min_length=1, max_length=100)
    answers: dict[str, str] = Field(default_factory=dict,
                                    description="Answers to checkout questions (at most 20; "
                                                "questions 1–100 characters, answers up to "
                                                "500).")
    payment: PaymentIn | None = Field(None, description="A payment the channel already took.")

    @field_validator("answers")
    @classmethod
    def _answers_short(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > 20:
            raise ValueError("At most 20 answers.")
        for question, answer in value.items():
            if not question.strip() or len(question) > 100 or len(answer) > 500:
                raise ValueError("Questions need 1–100 characters, answers at most 500.")
            if _CONTROL.search(question) or _CONTROL_EXCEPT_NEWLINES.search(answer):
                raise ValueError("Remove control characters (such as NUL).")
        return value


class TimeSlotOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime


class LineOut(Schema):
    product: str = Field(description="The product's code (sku).")
    name: str
    quantity: int
    unit_price: int = Field(description="Minor units.")
    total: int = Field(description="Minor units.")
    time_slot: TimeSlotOut | None


class EntryOut(Schema):
    number: str = Field(description="TID-…")
    secret: str = Field(description="What the QR code holds; grants entry. Keep it private.")
    status: Literal["pending", "valid", "used", "void"] = Field(
        description="`pending` until the order is paid.")
    product: str
    time_slot: TimeSlotOut | None


class PaymentOut(Schema):
    provider: str
    transaction_id: str
    amount: int = Field(description="Minor units.")
    currency: str
    status: Literal["pending", "confirmed", "failed", "refunded"]
    created_at: datetime
    confirmed_at: datetime | None


class CustomerOut(Schema):
    email: str
    first_name: str
    last_name: str
    phone: str = Field(description="E.164, or empty.")
    language: str


class WarningOut(Schema):
    field: str = Field(description="The field path the warning is about, e.g. "
                                   "`customer.email`.")
    code: Literal["email_typo"] = Field(description="`email_typo`: the address was "
                                                    "accepted but looks mistyped.")
    message: str = Field(description="What to check, for people.")
    suggestion: str | None = Field(None, description="The likely intended value, e.g. "
                                                     "`jan@gmail.com` for `jan@gmial.com`.")


class OrderOut(Schema):
    number: str = Field(description="PID-…; use it in the order URL.")
    status: Literal["awaiting_payment", "paid", "partially_refunded", "refunded", "canceled",
                    "expired"]
    channel: str
    external_id: str | None
    currency: str
    total: int = Field(description="Minor units.")
    created_at: datetime
    paid_at: datetime | None
    email: str = Field(description="Where this order's e-mail goes.")
    customer: CustomerOut
    lines: list[LineOut]
    entries: list[EntryOut]
    payments: list[PaymentOut]
    answers: dict[str, str]
    order_page_url: str = Field(description="The customer's order page (a signed link that "
                                            "expires and can be revoked): put it in your "
                                            "own e-mails.")
    thank_you_url: str = Field(description="Send the customer here after they paid: it "
                                           "waits for the payment confirmation, then shows "
                                           "the entries and the way to the order page.")
    warnings: list[WarningOut] = Field(
        default_factory=list,
        description="Accepted, but worth checking with the customer (a likely e-mail "
                    "typo). Empty when there is nothing to check.")


class OrderPage(Schema):
    items: list[OrderOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on "
                                                "the last page.")


class PaymentEventIn(In):
    order: text(16, min_length=1) = Field(description="The order number, PID-…")
    provider: text(32, min_length=1)
    transaction_id: text(128, min_length=1)
    status: Literal["pending", "confirmed", "failed"]
    amount: int | None = Field(None, ge=0, le=10**12,
                               description="Minor units; needed for a new payment unless it "
                                           "is the order total.")
    currency: Currency | None = Field(None, description="Empty: the order's currency.")
    event_id: text(150) | None = Field(
        None, description="Your id for this report; repeats are ignored.")
    occurred_at: Moment | None = Field(None, description="Empty: when we received it.")


class PaymentEventOut(Schema):
    applied: bool = Field(description="False: a repeat, or a change the payment's state "
                                      "does not allow; nothing changed.")
    detail: str
    payment: PaymentOut
    order: OrderOut


# -- Refunds and exchanges -------------------------------------------------------------

ITEM_KEY = r"^(entry|line|invoice):[^\x00-\x1f\x7f]{1,40}$"
PATTERN_HINTS[ITEM_KEY] = "Use entry:TID-…, line:<id> or invoice:INV-… from the order."
ItemKey = Annotated[str, StringConstraints(strip_whitespace=True, max_length=48,
                                           pattern=ITEM_KEY)]
By = Literal["customer", "seller"]
BY_DESCRIPTION = ("Whose terms apply: `customer` (the customer's window, non-refundable "
                  "products, deadlines before the time slot, fees, used entries) or "
                  "`seller` (the seller's longer window only).")


class RefundIn(In):
    items: list[ItemKey] | None = Field(
        None, min_length=1, max_length=200,
        description="What to refund: `entry:TID-…`, `line:<id>` (a line without entries) "
                    "or `invoice:INV-…` (a subscription's last invoice). Omitted: "
                    "everything not refunded yet.")
    by: By = Field("seller", description=BY_DESCRIPTION)
    reason: text(500) = Field("", description="Why, for the records (not shown to the "
                                              "customer).")


class ItemDecisionOut(Schema):
    key: str = Field(description="`entry:TID-…`, `line:<id>` or `invoice:INV-…`.")
    label: str = Field(description="What the customer recognizes, e.g. the entry number "
                                   "and product name.")
    allowed: bool
    amount: int = Field(description="Refund for this item after the fee, minor units.")
    fee: int = Field(description="Minor units.")
    reasons: list[str] = Field(description="Why not, or what to know, in the customer's "
                                           "words.")


class RefundEligibilityOut(Schema):
    allowed: bool = Field(description="False: nothing of what was asked may be refunded; "
                                      "`reasons` say why.")
    amount: int = Field(description="Total to refund after fees, minor units; never more "
                                    "than what was paid and not refunded yet.")
    fee: int = Field(description="Total fees kept, minor units.")
    currency: str
    reasons: list[str]
    items: list[ItemDecisionOut] = Field(description="The decision for each item asked "
                                                     "about (all not refunded yet when no "
                                                     "`items` were given).")
    refunded: list[str] = Field(description="Keys of the order's items already refunded or "
                                            "being refunded.")


class RefundItemOut(Schema):
    key: str = Field(description="`entry:TID-…`, `line:<id>` or `invoice:INV-…`.")
    amount: int = Field(description="Minor units.")


class RefundOut(Schema):
    number: str = Field(description="RFD-…")
    status: Literal["requested", "processing", "succeeded", "failed"] = Field(
        description="`requested`: decided, not sent yet; `processing`: being sent to the "
                    "payment provider (or retried); `succeeded`: the money was returned; "
                    "`failed`: gave up after repeated failures, an agent must look at it.")
    amount: int = Field(description="Minor units, after the fee.")
    fee: int = Field(description="Minor units.")
    currency: str
    requested_by: str = Field(description="`customer`, `seller` or `system`.")
    reason: str
    reasons: list[str] = Field(description="The eligibility reasons when it was requested.")
    items: list[RefundItemOut]
    attempts: int = Field(description="Attempts at the payment provider so far.")
    last_error: str = Field(description="The provider's last error, if any.")
    created_at: datetime
    succeeded_at: datetime | None


class RefundList(Schema):
    items: list[RefundOut] = Field(description="Newest first.")


class ExchangeIn(In):
    entry: text(16, min_length=1) = Field(description="The entry to move, TID-…")
    time_slot: int = Field(ge=1, le=MAX_ID, description="The TimeSlot id to move it to.")
    by: By = Field("seller", description="Whose terms apply: `customer` (the "
                                                  "product's deadline before the slot) or "
                                                  "`seller`.")


class ExchangeOut(Schema):
    status: Literal["awaiting_payment", "completed", "canceled"] = Field(
        description="`awaiting_payment`: the customer must pay `difference` "
                    "(`payment_link`) before the new entry is valid; `completed`: the old "
                    "entry is void and the new one valid; `canceled`: never paid.")
    old_entry: str = Field(description="TID-… of the entry moved away from.")
    new_entry: str = Field(description="TID-… of the new entry.")
    time_slot: TimeSlotOut | None
    difference: int = Field(description="Minor units, fee included. Positive: the customer "
                                        "pays this much more; negative: refunded.")
    fee: int = Field(description="Minor units.")
    currency: str
    payment_link: str = Field(description="Where the customer pays the difference; empty "
                                          "when nothing is due or the provider has no "
                                          "links (then a bank transfer with `reference` in "
                                          "its title).")
    reference: str = Field(description="XCH-…: our reference for the difference; a payment "
                                       "reported with it completes the exchange. Empty when "
                                       "nothing is due.")
    expires_at: datetime | None = Field(description="Until when the new place is held for "
                                                    "the payment; then the exchange is "
                                                    "canceled and the old entry stays.")
    refund: str | None = Field(description="RFD-… of the refund of a negative difference.")
    created_at: datetime
    completed_at: datetime | None


class ExchangeQuoteOut(Schema):
    allowed: bool
    code: Literal["", "slot_full", "not_exchangeable"] = Field(
        description="Why not, for machines: `slot_full` (choose another time) or "
                    "`not_exchangeable`; empty when allowed.")
    reasons: list[str] = Field(description="Why not, or what to know (fee, what is charged "
                                           "or refunded), in the customer's words.")
    old_price: int = Field(description="What the entry was paid with, minor units.")
    new_price: int = Field(description="The price of the new time, minor units.")
    fee: int = Field(description="Exchange fee, minor units (customers only).")
    difference: int = Field(description="new − old + fee, minor units. Positive: to pay; "
                                        "negative: refunded.")
    currency: str
    places_left: int = Field(description="Free places in the new time slot.")
