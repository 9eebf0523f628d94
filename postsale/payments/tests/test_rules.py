from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postsale.payments.rules import Item, RequestedBy, Terms, decide

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
CUSTOMER, SELLER = RequestedBy.CUSTOMER, RequestedBy.SELLER


def item(price=5000, days_ago=1, slot_in=None, used=False, refunded=False, **terms):
    return Item(key="entry:TID-1", label="TID-1", price=price,
                sold_at=NOW - timedelta(days=days_ago), terms=Terms(**terms),
                slot_start=NOW + slot_in if slot_in is not None else None,
                used=used, refunded=refunded)


@pytest.mark.parametrize(("case", "it", "by", "allowed", "amount", "reason"), [
    ("fresh sale", item(), CUSTOMER, True, 5000, None),
    ("day 60 is still in", item(days_ago=60), CUSTOMER, True, 5000, None),
    ("day 61 is out for the customer", item(days_ago=61), CUSTOMER, False, 0, "60 days"),
    ("day 61 is in for the seller", item(days_ago=61), SELLER, True, 5000, None),
    ("day 91 is out for the seller", item(days_ago=91), SELLER, False, 0, "90 days"),
    ("product window", item(days_ago=20, customer_days=14), CUSTOMER, False, 0, "14 days"),
    ("non-refundable", item(non_refundable=True), CUSTOMER, False, 0, "non-refundable"),
    ("seller goodwill on non-refundable", item(non_refundable=True), SELLER, True, 5000,
     "you may still refund"),
    ("used entry", item(used=True), CUSTOMER, False, 0, "already been used"),
    ("used entry allowed by terms", item(used=True, no_refund_when_used=False), CUSTOMER,
     True, 5000, None),
    ("before the slot cut-off", item(slot_in=timedelta(hours=49), until_hours_before=48),
     CUSTOMER, True, 5000, None),
    ("after the slot cut-off", item(slot_in=timedelta(hours=47), until_hours_before=48),
     CUSTOMER, False, 0, "48 hours before"),
    ("fixed fee", item(fee_fixed=500), CUSTOMER, True, 4500, "refund fee of 500"),
    ("percent fee", item(fee_percent=10), CUSTOMER, True, 4500, "refund fee of 500"),
    ("a fee eating the whole price leaves nothing", item(price=300, fee_fixed=500), CUSTOMER,
     False, 0, "Nothing is left"),
    ("sellers pay no fee", item(fee_fixed=500), SELLER, True, 5000, None),
    ("already refunded", item(refunded=True), SELLER, False, 0, "already refunded"),
])
def test_eligibility_rules(case, it, by, allowed, amount, reason):
    result = decide([it], by=by, now=NOW, refundable_left=10_000)
    assert (result.allowed, result.amount) == (allowed, amount), case
    if reason:
        assert any(reason in r for r in result.reasons), result.reasons


def test_refund_is_capped_at_what_is_left_to_refund():
    result = decide([item(), item()], by=CUSTOMER, now=NOW, refundable_left=6000)
    assert result.amount == 6000 and "limited" in result.reasons[-1]


def test_nothing_left_to_refund_is_not_allowed():
    result = decide([item()], by=SELLER, now=NOW, refundable_left=0)
    assert not result.allowed and "Nothing is left to refund." in result.reasons


def test_nothing_chosen():
    assert not decide([], by=CUSTOMER, now=NOW, refundable_left=100).allowed


def test_mixed_items_refund_only_the_eligible_ones_and_explain_the_rest():
    result = decide([item(price=1000), item(price=2000, used=True)], by=CUSTOMER, now=NOW,
                    refundable_left=3000)
    assert result.allowed and result.amount == 1000
    assert [d.allowed for d in result.items] == [True, False]


items_strategy = st.builds(
    item, price=st.integers(0, 10**7), days_ago=st.integers(0, 200),
    used=st.booleans(), refunded=st.booleans(),
    fee_fixed=st.integers(0, 10**6), fee_percent=st.integers(0, 100),
    non_refundable=st.booleans())


@given(st.lists(items_strategy, max_size=6), st.sampled_from(list(RequestedBy)),
       st.integers(-1000, 10**8))
def test_amount_is_never_negative_nor_more_than_what_is_left(items, by, left):
    result = decide(items, by=by, now=NOW, refundable_left=left)
    assert 0 <= result.amount <= max(left, 0)
    assert result.amount <= sum(i.price for i in items)
    assert all(d.amount >= 0 for d in result.items)
    assert result.allowed == (any(d.allowed for d in result.items) and result.amount > 0)
