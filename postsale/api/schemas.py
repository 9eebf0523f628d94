from datetime import datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StringConstraints, field_validator

Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]


class CustomerIn(Schema):
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]
    first_name: Short = ""
    last_name: Short = ""
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] = ""
    language: Literal["", "en", "pl", "it", "he", "uk"] = Field(
        "", description="Empty: the seller's language.")


class LineIn(Schema):
    product: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=64)] = Field(
        description="The product's code (sku).")
    quantity: int = Field(ge=1, le=100)
    time_slot: int | None = Field(None, description="TimeSlot id; required for timed entries.")
    unit_price: int | None = Field(None, ge=0, le=10**10,
                                   description="Minor units; empty: the product's price.")


class PaymentIn(Schema):
    provider: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=32)]
    transaction_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                    max_length=128)]
    status: Literal["pending", "confirmed", "failed"] = "confirmed"
    amount: int | None = Field(None, ge=0, le=10**12, description="Empty: the order total.")


class OrderIn(Schema):
    channel: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=50)] = Field(
        description="Sales channel code.")
    external_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                  max_length=100)] | None = Field(
        None, description="The channel's own order id; the same id twice gives one order.")
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = Field(
        description="ISO 4217, e.g. PLN.")
    customer: CustomerIn
    lines: list[LineIn] = Field(min_length=1, max_length=100)
    answers: dict[str, str] = Field(default_factory=dict,
                                    description="Answers to checkout questions.")
    payment: PaymentIn | None = Field(None, description="A payment the channel already took.")

    @field_validator("answers")
    @classmethod
    def _answers_short(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > 20:
            raise ValueError("At most 20 answers.")
        for question, answer in value.items():
            if not question.strip() or len(question) > 100 or len(answer) > 500:
                raise ValueError("Questions need 1–100 characters, answers at most 500.")
        return value


class TimeSlotOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime


class LineOut(Schema):
    product: str
    name: str
    quantity: int
    unit_price: int
    total: int
    time_slot: TimeSlotOut | None


class EntryOut(Schema):
    number: str
    secret: str = Field(description="What the QR code holds; grants entry. Keep it private.")
    status: str
    product: str
    time_slot: TimeSlotOut | None


class PaymentOut(Schema):
    provider: str
    transaction_id: str
    amount: int
    currency: str
    status: str
    created_at: datetime
    confirmed_at: datetime | None


class CustomerOut(Schema):
    email: str
    first_name: str
    last_name: str
    phone: str
    language: str


class OrderOut(Schema):
    number: str
    status: str
    channel: str
    external_id: str | None
    currency: str
    total: int = Field(description="Minor units.")
    created_at: datetime
    paid_at: datetime | None
    email: str
    customer: CustomerOut
    lines: list[LineOut]
    entries: list[EntryOut]
    payments: list[PaymentOut]
    answers: dict[str, str]
    warnings: list[str] = Field(default_factory=list,
                                description="Things worth checking, e.g. a likely e-mail typo.")


class OrderPage(Schema):
    items: list[OrderOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class PaymentEventIn(Schema):
    order: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                            max_length=16)] = Field(description="PID-…")
    provider: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=32)]
    transaction_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                    max_length=128)]
    status: Literal["pending", "confirmed", "failed"]
    amount: int | None = Field(None, ge=0, le=10**12,
                               description="Minor units; needed for a new payment unless it "
                                           "is the order total.")
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    event_id: Annotated[str, StringConstraints(max_length=150)] | None = Field(
        None, description="Your id for this report; repeats are ignored.")
    occurred_at: datetime | None = None


class PaymentEventOut(Schema):
    applied: bool
    detail: str
    payment: PaymentOut
    order: OrderOut
