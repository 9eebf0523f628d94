"""The Autopay provider: ITN hashes, confirmations, amounts, and refunds and lookups against a
local fake Autopay over HTTP."""

import base64
import time
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postsale.payments.providers.autopay import AutopayProvider, major, minor
from postsale.payments.providers.base import (
    InvalidNotification,
    ProviderEvent,
    ProviderRejected,
    ProviderUnavailable,
)
from postsale.payments.tests.fakes import (
    AUTOPAY_KEY,
    AUTOPAY_SERVICE_ID,
    FakeAutopay,
    autopay_hash,
    autopay_itn,
    autopay_transaction,
)

autopay = AutopayProvider()
CONFIG = {"service_id": AUTOPAY_SERVICE_ID, "shared_key": AUTOPAY_KEY,
          "hash_algorithm": "sha256"}


@pytest.fixture
def server():
    with FakeAutopay() as fake:
        yield fake


def parse(body: bytes, config=CONFIG):
    return autopay.parse_notification(body=body, headers={}, config=config)


def test_hashes_match_autopays_own_published_examples():
    # The ITN and its confirmation from Autopay's PHP SDK test fixtures
    # (bluepayment-plugin/bm-sdk, tests/Fixtures/Itn), made with their test shared key.
    config = {"service_id": "123456", "shared_key": "QCBm3N0oFjzQAWsTIVN8mPLK12TW6HU6InSfjvnF"}
    document = (
        b'<?xml version="1.0" encoding="UTF-8"?><transactionList><serviceID>123456</serviceID>'
        b"<transactions><transaction><orderID>123</orderID><remoteID>102686</remoteID>"
        b"<amount>500.00</amount><currency>PLN</currency><gatewayID>106</gatewayID>"
        b"<paymentDate>20200621171238</paymentDate><paymentStatus>SUCCESS</paymentStatus>"
        b"<paymentStatusDetails>ACCEPTED</paymentStatusDetails></transaction></transactions>"
        b"<hash>422fbd7c1bbac1eb745b647980dd63c2e8ccf261ea196739ab8043eff8dd4e17</hash>"
        b"</transactionList>")
    body = urlencode({"transactions": base64.b64encode(document)}).encode()
    [event] = parse(body, config)
    assert (event.order_number, event.transaction_id, event.status, event.amount) == (
        "123", "102686", "confirmed", 50000)
    reply = ElementTree.fromstring(autopay.reply([event], config=config).body)  # noqa: S314 (our own reply)
    assert reply.findtext("hash") == (
        "7194a50431ce359cc4c201a0f154400f89f49f765b8eeb60299fc6fee1a01228")


@pytest.mark.parametrize(("status", "ours"), [
    ("SUCCESS", "confirmed"), ("PENDING", "pending"), ("FAILURE", "failed")])
def test_an_itn_maps_each_transaction_to_an_event(status, ours):
    tx = autopay_transaction("PID-ABC", "123.45", status=status, remote_id="9000001")
    [event] = parse(autopay_itn([tx]))
    assert (event.order_number, event.transaction_id, event.status, event.event_id) == (
        "PID-ABC", "9000001", ours, f"autopay:9000001:{status}")
    assert (event.amount, event.currency) == (12345, "PLN")
    assert event.occurred_at.isoformat() == "2026-11-21T17:12:38+01:00"  # Warsaw time


def test_an_order_id_with_a_reference_maps_to_the_order():
    [event] = parse(autopay_itn([autopay_transaction("PID-ABC.XCH-7", "1.00")]))
    assert (event.order_number, event.raw["reference"]) == ("PID-ABC", "XCH-7")


def test_a_plus_of_base64_that_arrives_as_a_space_still_verifies():
    body = autopay_itn([autopay_transaction("PID-A", "1.00")])
    form = parse_qs(body.decode())["transactions"][0]
    raw = f"transactions={form}".replace("+", " ").encode()  # "+" not percent-encoded
    assert parse(raw)


@pytest.mark.parametrize("body", [
    autopay_itn([autopay_transaction("PID-A", "1.00")], key="another-key"),
    autopay_itn([autopay_transaction("PID-A", "1.00")], service_id="999"),
    autopay_itn([]),
    autopay_itn([autopay_transaction("PID-A", "1.00", status="REFUNDED")]),
    autopay_itn([autopay_transaction("PID-A", "1,00")]),
    autopay_itn([autopay_transaction("PID-A", "-1.00")]),
    autopay_itn([autopay_transaction("PID-A", "1.001")]),
    autopay_itn([autopay_transaction("PID-A", "1.00") | {"remoteID": ""}]),
    b"", b"transactions=", b"transactions=%%%", b"transactions=bm90IHhtbA==",
    b"\xff\xfe", b"foo=bar",
    urlencode({"transactions": base64.b64encode(b'<!DOCTYPE x [<!ENTITY a "a">]><x/>')}
              ).encode(),
    urlencode({"transactions": base64.b64encode(b"<error/>")}).encode(),
], ids=["other-key", "other-service", "no-transactions", "unknown-status", "amount-comma",
        "amount-negative", "amount-3-places", "no-remote-id", "empty", "empty-field",
        "not-form", "not-xml", "not-utf8", "no-field", "dtd", "other-document"])
def test_a_wrong_hash_or_a_malformed_itn_is_invalid(body):
    with pytest.raises(InvalidNotification):
        parse(body)


def test_an_itn_hash_changes_with_every_value():
    tx = autopay_transaction("PID-A", "10.00", remote_id="9000009")
    body = autopay_itn([tx])
    document = base64.b64decode(parse_qs(body.decode())["transactions"][0])
    tampered = document.replace(b"<amount>10.00<", b"<amount>1000.00<")
    with pytest.raises(InvalidNotification, match="hash"):
        parse(urlencode({"transactions": base64.b64encode(tampered)}).encode())


def test_the_reply_confirms_each_transaction_with_its_own_hash():
    events = [ProviderEvent("PID-A", "1", "confirmed", "e1", raw={"orderID": "PID-A"}),
              ProviderEvent("PID-B", "2", "confirmed", "e2", raw={"orderID": "PID-B"})]
    reply = autopay.reply(events, config=CONFIG, declined=frozenset({"e2"}))
    root = ElementTree.fromstring(reply.body)  # noqa: S314 (our own reply)
    assert reply.content_type == "application/xml" and root.tag == "confirmationList"
    pairs = [(t.findtext("orderID"), t.findtext("confirmation"))
             for t in root.iter("transactionConfirmed")]
    assert pairs == [("PID-A", "CONFIRMED"), ("PID-B", "NOTCONFIRMED")]
    assert root.findtext("hash") == autopay_hash(
        [AUTOPAY_SERVICE_ID, "PID-A", "CONFIRMED", "PID-B", "NOTCONFIRMED"])


@given(st.integers(min_value=0, max_value=10**12))
def test_amounts_round_trip_between_strings_and_minor_units(amount):
    assert minor(major(amount, "PLN"), "PLN") == amount
    assert minor(major(amount, "JPY"), "JPY") == amount


@pytest.mark.parametrize(("text", "minor_units"), [
    ("0.01", 1), ("12.3", 1230), ("12.34", 1234), ("100", 10000), ("0.10", 10)])
def test_amount_strings_become_minor_units_without_floats(text, minor_units):
    assert minor(text, "PLN") == minor_units


@pytest.mark.parametrize("text", ["", "1e3", "-1", "12,34", "1.234", " 1", "0x10", "١٢", "1.00\n"])
def test_odd_amount_strings_are_refused(text):
    with pytest.raises(ValueError):
        minor(text, "PLN")


def test_a_refund_is_sent_with_a_message_id_from_the_idempotency_key(server):
    remote = server.add_transaction("PID-A", "40.00")
    result = autopay.refund(transaction_id=remote, amount=1500, currency="PLN",
                            idempotency_key="RFD-XYZ-1", config=server.config())
    [refund] = server.refunds
    assert result.provider_refund_id == refund["remoteOutID"]
    assert (refund["remoteID"], refund["amount"], len(refund["messageID"])) == (
        remote, "15.00", 32)


def test_the_same_idempotency_key_never_refunds_twice(server):
    remote = server.add_transaction("PID-A", "40.00")
    first = autopay.refund(transaction_id=remote, amount=4000, currency="PLN",
                           idempotency_key="RFD-XYZ-1", config=server.config())
    again = autopay.refund(transaction_id=remote, amount=4000, currency="PLN",
                           idempotency_key="RFD-XYZ-1", config=server.config())
    assert first == again and len(server.refunds) == 1


@pytest.mark.parametrize("mode", ["error", "hang", "hang_after", "stopped"])
def test_an_outage_is_unavailable_so_the_worker_retries(server, mode):
    remote = server.add_transaction("PID-A", "40.00")
    if mode == "stopped":
        server.stop()
    else:
        server.mode = mode
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable):
        autopay.refund(transaction_id=remote, amount=100, currency="PLN",
                       idempotency_key="K", config=server.config())
    assert time.monotonic() - started < 3


def test_refusals_and_a_wrongly_signed_answer_are_rejected(server):
    remote = server.add_transaction("PID-A", "40.00")
    with pytest.raises(ProviderRejected, match="AMOUNT_TOO_BIG"):
        autopay.refund(transaction_id=remote, amount=4001, currency="PLN",
                       idempotency_key="A", config=server.config())
    with pytest.raises(ProviderRejected, match="TRANSACTION_NOT_FOUND"):
        autopay.refund(transaction_id="404", amount=1, currency="PLN", idempotency_key="B",
                       config=server.config())
    with pytest.raises(ProviderRejected, match="WRONG_HASH"):
        autopay.refund(transaction_id=remote, amount=1, currency="PLN", idempotency_key="C",
                       config=server.config(shared_key="not-the-key"))
    with pytest.raises(ProviderRejected, match="shared_key"):
        autopay.refund(transaction_id=remote, amount=1, currency="PLN", idempotency_key="D",
                       config={"service_id": "1", "api_base": server.url})
    with pytest.raises(ProviderRejected, match="api_base"):
        autopay.refund(transaction_id=remote, amount=1, currency="PLN", idempotency_key="E",
                       config=server.config(api_base="file:///etc/passwd"))
    server.mode = "bad_hash"
    with pytest.raises(ProviderRejected, match="hash"):
        autopay.refund(transaction_id=remote, amount=1, currency="PLN", idempotency_key="F",
                       config=server.config())


def test_lookup_reads_the_transaction_status(server):
    remote = server.add_transaction("PID-A", "40.00", status="PENDING")
    found = autopay.lookup(transaction_id=remote, config=server.config())
    assert (found.transaction_id, found.status, found.amount, found.currency) == (
        remote, "pending", 4000, "PLN")
    with pytest.raises(ProviderRejected):
        autopay.lookup(transaction_id="404", config=server.config())


def test_a_payment_link_is_a_hashed_gateway_address():
    config = CONFIG | {"api_base": "https://testpay.autopay.eu/"}
    url = autopay.payment_link(order_number="PID-A", reference="XCH-1", amount=1250,
                               currency="PLN", description="Difference", config=config)
    parts = urlsplit(url)
    fields = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://testpay.autopay.eu/payment"
    assert fields["OrderID"] == "PID-A.XCH-1" and fields["Amount"] == "12.50"
    assert fields["Hash"] == autopay_hash([AUTOPAY_SERVICE_ID, "PID-A.XCH-1", "12.50",
                                           "Difference", "PLN"])
