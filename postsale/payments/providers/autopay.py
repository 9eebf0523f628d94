"""Autopay (formerly Blue Media), the Polish pay-by-link gateway: instant transaction
notifications (ITN) verified by a shared-key hash, refunds through its refund API.

Config (`ProviderAccount.config`):
- `service_id`: the shop's ServiceID in the Autopay panel.
- `shared_key`: the shared key every hash is made with.
- `hash_algorithm`: `sha256` (default) or `sha512`, as set in the panel.
- `api_base`: the gateway, e.g. `https://pay.autopay.eu` (tests: a local fake server).
- `timeout` (optional): seconds to wait for the API, default 10.

Protocol, as Autopay documents it:
- A hash is the hex digest of the non-empty values, in the order of the fields, joined
  with "|" and followed by "|" and the shared key.
- ITN: a form POST whose `transactions` field is base64 of `<transactionList>` (serviceID,
  transactions/transaction: orderID, remoteID, amount "12.34", currency, gatewayID,
  paymentDate, paymentStatus SUCCESS|PENDING|FAILURE, paymentStatusDetails…, then hash).
  We answer `<confirmationList>` with CONFIRMED or NOTCONFIRMED per orderID (Autopay
  sends NOTCONFIRMED ones again) and its own hash.
- OrderID is our order number, or "<order number>.<reference>" for a further payment of
  the order (payment links); the transaction id is Autopay's remoteID.
- Refund: POST `/transactionRefund` ServiceID, MessageID, RemoteID, Amount, Currency, Hash
  → `<refund>` serviceID, messageID, remoteOutID, hash, or `<error>`. MessageID (32
  characters) is derived from our idempotency key, so a retry repeats the same message.
- Lookup: POST `/transactionStatus` ServiceID, RemoteID, Hash → a `<transactionList>` like
  the ITN. Modelled on the ITN; not checked against the live gateway.
- Payment link: `/payment?ServiceID&OrderID&Amount&Description&Currency&Hash`."""

import base64
import binascii
import hashlib
import hmac
import http.client
import re
import urllib.error
import urllib.request
from datetime import datetime
from urllib.parse import parse_qs, urlencode
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

from postsale.core.money import exponent
from postsale.payments.models import PaymentStatus
from postsale.payments.providers.base import (
    InvalidNotification,
    PaymentProvider,
    ProviderEvent,
    ProviderRejected,
    ProviderUnavailable,
    RefundResult,
    Reply,
    Transaction,
)

TIMEOUT = 10.0
_ALGORITHMS = {"sha256": hashlib.sha256, "sha512": hashlib.sha512}
_STATUSES = {"SUCCESS": PaymentStatus.CONFIRMED, "PENDING": PaymentStatus.PENDING,
             "FAILURE": PaymentStatus.FAILED}
_AMOUNT = re.compile(r"([0-9]{1,15})(?:\.([0-9]{1,3}))?")
_WARSAW = ZoneInfo("Europe/Warsaw")  # paymentDate is Polish local time


class AutopayProvider(PaymentProvider):
    name = "autopay"
    label = "Autopay"

    def parse_notification(self, *, body, headers, config):
        try:
            root = _xml(_itn_document(body))
        except ValueError as exc:
            raise InvalidNotification(f"Not an Autopay ITN: {exc}") from None
        try:
            return [_event_of(tx) for tx in _verified(root, config)]
        except (KeyError, ValueError) as exc:
            raise InvalidNotification(f"Autopay ITN rejected: {exc}") from None

    def reply(self, events, *, config, declined=frozenset()):
        root = ElementTree.Element("confirmationList")
        ElementTree.SubElement(root, "serviceID").text = str(config["service_id"])
        confirmations = ElementTree.SubElement(root, "transactionsConfirmations")
        for event in events:
            item = ElementTree.SubElement(confirmations, "transactionConfirmed")
            ElementTree.SubElement(item, "orderID").text = event.raw["orderID"]
            ElementTree.SubElement(item, "confirmation").text = (
                "NOTCONFIRMED" if event.event_id in declined else "CONFIRMED")
        ElementTree.SubElement(root, "hash").text = _hash(_values(root), config)
        body = ElementTree.tostring(root, encoding="unicode", xml_declaration=True)
        return Reply(status=200, body=body, content_type="application/xml")

    def refund(self, *, transaction_id, amount, currency, idempotency_key, config):
        message_id = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
        root = _post(config, "/transactionRefund", {
            "ServiceID": _setting(config, "service_id"), "MessageID": message_id,
            "RemoteID": transaction_id, "Amount": major(amount, currency),
            "Currency": currency})
        refund = _fields(root)
        if refund.get("messageID") != message_id or not refund.get("remoteOutID"):
            raise ProviderRejected("Autopay answered the refund with an unexpected document.")
        return RefundResult(provider_refund_id=refund["remoteOutID"])

    def lookup(self, *, transaction_id, config):
        root = _post(config, "/transactionStatus", {
            "ServiceID": _setting(config, "service_id"), "RemoteID": transaction_id})
        try:
            event = _event_of(_verified(root, config)[0])
        except (KeyError, ValueError, IndexError) as exc:
            raise ProviderRejected(f"Autopay status answer not understood: {exc}") from None
        return Transaction(transaction_id=event.transaction_id, status=event.status,
                           amount=event.amount, currency=event.currency)

    def payment_link(self, *, order_number, reference, amount, currency, description, config):
        order_id = (order_number if reference in ("", order_number)
                    else f"{order_number}.{reference}")
        if len(order_id) > 32:
            raise ProviderRejected("The payment reference is too long for Autopay.")
        fields = {"ServiceID": _setting(config, "service_id"), "OrderID": order_id,
                  "Amount": major(amount, currency),
                  "Description": description[:79] or order_number, "Currency": currency}
        fields["Hash"] = _hash(fields.values(), config)
        return f"{_base(config)}/payment?{urlencode(fields)}"


def minor(value: str, currency: str) -> int:
    """"12.34" → 1234, in the currency's minor units; no floats."""
    match = _AMOUNT.fullmatch(value or "")
    places = exponent(currency)
    if not match or len(match[2] or "") > places:
        raise ValueError(f"amount {value!r}")
    return int(match[1]) * 10**places + int((match[2] or "").ljust(places, "0") or 0)


def major(amount: int, currency: str) -> str:
    """1234 → "12.34"."""
    places = exponent(currency)
    whole, fraction = divmod(amount, 10**places)
    return f"{whole}.{fraction:0{places}d}" if places else str(whole)


def _itn_document(body: bytes) -> bytes:
    form = parse_qs(body.decode("utf-8"), max_num_fields=20)
    if len(form.get("transactions", [])) != 1:
        raise ValueError("one `transactions` field expected")
    # A "+" of base64 that was not percent-encoded arrives as a space.
    encoded = form["transactions"][0].replace(" ", "+")
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise ValueError("`transactions` is not base64") from None


def _xml(document: bytes) -> ElementTree.Element:
    # Entity declarations are how XML bombs work; Autopay never sends a DTD.
    if re.search(rb"<!(DOCTYPE|ENTITY)", document, re.IGNORECASE):
        raise ValueError("DTDs are not accepted")
    try:
        return ElementTree.fromstring(document)  # noqa: S314 (no DTD, see above)
    except ElementTree.ParseError as exc:
        raise ValueError(f"malformed XML ({exc})") from None


def _verified(root: ElementTree.Element, config: dict) -> list[ElementTree.Element]:
    """The transactions of a `<transactionList>` whose hash and serviceID are right."""
    if root.tag != "transactionList":
        raise ValueError(f"unexpected document <{root.tag}>")
    if root.findtext("serviceID", "").strip() != str(_setting(config, "service_id",
                                                               ValueError)):
        raise ValueError("it is for another ServiceID")
    _check_hash(root, config, ValueError)
    transactions = root.findall("transactions/transaction")
    if not transactions:
        raise ValueError("no transactions")
    return transactions


def _event_of(tx: ElementTree.Element) -> ProviderEvent:
    fields = {child.tag: (child.text or "").strip() for child in tx}
    if fields.get("paymentStatus") not in _STATUSES:
        raise ValueError(f"unknown paymentStatus {fields.get('paymentStatus')!r}")
    currency = (fields.get("currency") or "PLN").upper()[:3]
    order_id, remote_id = fields["orderID"][:32], fields["remoteID"][:128]
    if not remote_id:
        raise ValueError("empty remoteID")
    order_number, _, reference = order_id.partition(".")
    return ProviderEvent(
        order_number=order_number, transaction_id=remote_id,
        status=_STATUSES[fields["paymentStatus"]],
        event_id=f"autopay:{remote_id}:{fields['paymentStatus']}",
        amount=minor(fields["amount"], currency), currency=currency,
        occurred_at=_payment_date(fields.get("paymentDate", "")),
        raw={"reference": reference} | {
            k: fields[k][:64] for k in ("orderID", "remoteID", "amount", "currency",
                                        "gatewayID", "paymentStatus", "paymentStatusDetails")
            if k in fields})


def _payment_date(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=_WARSAW)
    except ValueError:
        return None


def _values(root: ElementTree.Element) -> list[str]:
    """The values a document's hash covers: every non-empty leaf, in order, but the hash."""
    return [el.text.strip() for el in root.iter()
            if el is not root and len(el) == 0 and el.tag != "hash"
            and el.text and el.text.strip()]


def _hash(values, config: dict, error=ProviderRejected) -> str:
    algorithm = _ALGORITHMS.get(config.get("hash_algorithm") or "sha256")
    if algorithm is None:
        raise error("Autopay hash_algorithm must be sha256 or sha512.")
    text = "|".join([*(str(v) for v in values if str(v) != ""),
                     _setting(config, "shared_key", error)])
    return algorithm(text.encode("utf-8")).hexdigest()


def _check_hash(root: ElementTree.Element, config: dict, error) -> None:
    given = root.findtext("hash", "").strip().lower().encode("utf-8", "replace")
    expected = _hash(_values(root), config, error).encode()
    if not hmac.compare_digest(expected, given):
        raise error("wrong hash")


def _fields(root: ElementTree.Element) -> dict[str, str]:
    return {child.tag: (child.text or "").strip() for child in root}


def _setting(config: dict, key: str, error=ProviderRejected) -> str:
    if not config.get(key):
        raise error(f"Autopay `{key}` is not configured for this seller.")
    return str(config[key])


def _base(config: dict) -> str:
    base = _setting(config, "api_base").rstrip("/")
    if not base.startswith(("https://", "http://")):
        raise ProviderRejected("Autopay `api_base` must be an http(s) address.")
    return base


def _post(config: dict, path: str, fields: dict) -> ElementTree.Element:
    """Send a hashed form; the answer's document, hash checked. Errors in Autopay's
    `<error>` document are final; outages are worth retrying."""
    fields = {**fields, "Hash": _hash(fields.values(), config)}
    request = urllib.request.Request(  # noqa: S310 (http(s) only, checked in _base)
        _base(config) + path, data=urlencode(fields).encode(), method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(  # noqa: S310
                request, timeout=float(config.get("timeout", TIMEOUT))) as response:
            body = response.read(1_000_000)
    except urllib.error.HTTPError as exc:
        if exc.code >= 500 or exc.code == 429:
            raise ProviderUnavailable(f"Autopay answered HTTP {exc.code}.") from None
        raise ProviderRejected(f"Autopay answered HTTP {exc.code}.") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        raise ProviderUnavailable(f"Autopay did not answer: {exc}.") from None
    try:
        root = _xml(body)
    except ValueError as exc:
        raise ProviderUnavailable(f"Autopay answered something else than XML: {exc}.") from None
    if root.tag == "error":
        error = _fields(root)
        raise ProviderRejected(f"Autopay: {error.get('name') or 'error'} "
                               f"{error.get('description', '')}".strip())
    if root.tag != "transactionList":  # a status list has its own checks in _verified
        _check_hash(root, config, ProviderRejected)
    return root
