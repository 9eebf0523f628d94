"""Local fake payment providers: real HTTP servers on 127.0.0.1 (a free port each) that
speak enough of Stripe's and Autopay's protocols for refunds, lookups and payment links,
and helpers that sign notifications exactly as the providers do.

Each server records what it accepted, honours idempotency keys (the same key gives the
same refund back, never a second one) and can misbehave on demand through `mode`:
"ok"; "error" (HTTP 500); "hang" (answers nothing for longer than the client waits);
"hang_after" (does the work, then hangs: the refund is made but the answer is lost;
reads are answered);
"bad_hash" (Autopay: a wrongly signed answer). `stop()` closes the port (connection
refused); `start()` opens the same port again with everything recorded kept."""

import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.etree import ElementTree

HANG_SECONDS = 5.0  # far beyond the clients' timeout in the tests (0.5 s)
_ids = itertools.count(1)


class FakeServer:
    def __init__(self):
        self.port = 0
        self.mode = "ok"
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request
        self._server: ThreadingHTTPServer | None = None
        self._release = threading.Event()
        self.lock = threading.Lock()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                fake._serve(self)

            do_POST = do_GET

            def log_message(self, *args):  # keep test output quiet
                pass

        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        self._release.set()  # wake hanging handlers
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        url = urlsplit(request.path)
        self.requests.append((request.command, url.path))
        mode = self.mode
        if mode == "hang":
            self._release.wait(HANG_SECONDS)
            return  # the connection closes without an answer
        if mode == "error":
            status, content_type, answer = 500, "application/json", b'{"error": {}}'
        else:
            with self.lock:
                status, content_type, answer = self.handle(
                    request.command, url.path, parse_qs(url.query), request.headers, body)
        if mode == "hang_after" and request.command == "POST":
            self._release.wait(HANG_SECONDS)
            return
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(answer)))
        request.end_headers()
        request.wfile.write(answer)

    def handle(self, method, path, query, headers, body) -> tuple[int, str, bytes]:
        raise NotImplementedError


# ---------------------------------------------------------------- Stripe

STRIPE_KEY = "sk_test_fake"
STRIPE_WEBHOOK_SECRET = "whsec_fake_secret"


class FakeStripe(FakeServer):
    """/v1/refunds (create, list), /v1/payment_intents/<id>, /v1/checkout/sessions."""

    def __init__(self):
        super().__init__()
        self.intents: dict[str, dict] = {}
        self.refunds: list[dict] = []
        self.sessions: list[dict] = []
        self._replies: dict[str, tuple[str, tuple]] = {}  # idempotency key → (params, reply)

    def forget_idempotency_keys(self) -> None:
        """What Stripe does after 24 hours."""
        self._replies.clear()

    def config(self, **extra) -> dict:
        return {"secret_key": STRIPE_KEY, "webhook_secret": STRIPE_WEBHOOK_SECRET,
                "api_base": self.url, "timeout": 0.5, **extra}

    def add_intent(self, amount: int, currency: str = "pln", order_number: str = "",
                   status: str = "succeeded") -> str:
        pi = payment_intent(amount, currency, order_number, status)
        self.intents[pi["id"]] = pi
        return pi["id"]

    def handle(self, method, path, query, headers, body):
        if headers.get("Authorization") != f"Bearer {STRIPE_KEY}":
            return _json(401, {"error": {"type": "invalid_request_error",
                                         "message": "Invalid API Key provided."}})
        params = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        key = headers.get("Idempotency-Key")
        if method == "POST" and key in self._replies:
            seen, reply = self._replies[key]
            if seen != json.dumps(params, sort_keys=True):
                return _json(400, {"error": {"type": "idempotency_error",
                                             "message": "Keys for idempotent requests can "
                                                        "only be used with the same "
                                                        "parameters they were first used with."}})
            return reply
        reply = self._route(method, path, query, params)
        if method == "POST" and key:
            self._replies[key] = (json.dumps(params, sort_keys=True), reply)
        return reply

    def _route(self, method, path, query, params):
        if method == "POST" and path == "/v1/refunds":
            return self._refund(params)
        if method == "GET" and path == "/v1/refunds":
            pi = query.get("payment_intent", [""])[0]
            return _json(200, {"object": "list", "url": "/v1/refunds", "has_more": False,
                               "data": [r for r in self.refunds if r["payment_intent"] == pi]})
        if method == "GET" and path.startswith("/v1/payment_intents/"):
            pi = self.intents.get(path.rsplit("/", 1)[1])
            if pi is None:
                return _missing("payment_intent")
            expanded = "latest_charge" in query.get("expand[]", []) + query.get("expand[0]", [])
            return _json(200, pi if expanded else {**pi, "latest_charge": pi["latest_charge"]["id"]})
        if method == "POST" and path == "/v1/checkout/sessions":
            session = {"id": f"cs_test_{next(_ids)}", "object": "checkout.session",
                       "params": params}
            session["url"] = f"{self.url}/c/pay/{session['id']}"
            self.sessions.append(session)
            return _json(200, session)
        return _json(404, {"error": {"type": "invalid_request_error",
                                     "message": f"Unrecognized request URL ({path})."}})

    def _refund(self, params):
        pi = self.intents.get(params.get("payment_intent", ""))
        if pi is None:
            return _missing("payment_intent")
        charge = pi["latest_charge"]
        left = charge["amount"] - charge["amount_refunded"]
        amount = int(params.get("amount", left))
        if left <= 0:
            return _json(400, {"error": {"type": "invalid_request_error",
                                         "code": "charge_already_refunded",
                                         "message": f"Charge {charge['id']} has already been "
                                                    "refunded."}})
        if amount > left:
            return _json(400, {"error": {"type": "invalid_request_error",
                                         "code": "amount_too_large",
                                         "message": "Refund amount is greater than the "
                                                    "unrefunded amount on the charge."}})
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        refund = {"id": f"re_test_{next(_ids)}", "object": "refund", "amount": amount,
                  "currency": pi["currency"], "payment_intent": pi["id"],
                  "charge": charge["id"], "status": "succeeded",
                  "metadata": {k[9:-1]: v for k, v in params.items()
                               if k.startswith("metadata[")}}
        self.refunds.append(refund)
        return _json(200, refund)


def payment_intent(amount: int, currency: str = "pln", order_number: str = "",
                   status: str = "succeeded") -> dict:
    n = next(_ids)
    paid = status == "succeeded"
    return {"id": f"pi_test_{n}", "object": "payment_intent", "amount": amount,
            "amount_received": amount if paid else 0, "currency": currency,
            "status": status, "metadata": {"order_number": order_number} if order_number else {},
            "latest_charge": {"id": f"ch_test_{n}", "object": "charge", "amount": amount,
                              "amount_refunded": 0, "refunded": False, "currency": currency,
                              "payment_intent": f"pi_test_{n}", "paid": paid,
                              "metadata": {"order_number": order_number}}}


def stripe_event(kind: str, obj: dict, *, event_id: str | None = None,
                 created: int | None = None) -> bytes:
    return json.dumps({
        "id": event_id or f"evt_test_{next(_ids)}", "object": "event", "type": kind,
        "api_version": "2025-03-31.basil", "created": created or int(time.time()),
        "livemode": False, "pending_webhooks": 1, "data": {"object": obj},
    }).encode()


def stripe_signature(payload: bytes, secret: str = STRIPE_WEBHOOK_SECRET,
                     timestamp: int | None = None) -> str:
    """The Stripe-Signature header: t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<payload>")."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def _json(status: int, data: dict) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps(data).encode()


def _missing(kind: str):
    return _json(404, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                                 "message": f"No such {kind}."}})


# ---------------------------------------------------------------- Autopay

AUTOPAY_SERVICE_ID = "100123"
AUTOPAY_KEY = "fake-shared-key-0123456789abcdef"


def autopay_hash(values, key: str = AUTOPAY_KEY) -> str:
    return hashlib.sha256("|".join([*(v for v in values if v != ""), key]).encode()).hexdigest()


class FakeAutopay(FakeServer):
    """/transactionRefund and /transactionStatus, form in, XML out."""

    def __init__(self):
        super().__init__()
        self.transactions: dict[str, dict] = {}  # remoteID → ITN transaction fields
        self.refunds: list[dict] = []
        self._replies: dict[str, tuple] = {}  # MessageID → reply

    def config(self, **extra) -> dict:
        return {"service_id": AUTOPAY_SERVICE_ID, "shared_key": AUTOPAY_KEY,
                "hash_algorithm": "sha256", "api_base": self.url, "timeout": 0.5, **extra}

    def add_transaction(self, order_id: str, amount: str, currency: str = "PLN",
                        status: str = "SUCCESS") -> str:
        tx = autopay_transaction(order_id, amount, currency=currency, status=status)
        self.transactions[tx["remoteID"]] = tx | {"refunded": 0}
        return tx["remoteID"]

    def handle(self, method, path, query, headers, body):
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        order = {"/transactionRefund": ("ServiceID", "MessageID", "RemoteID", "Amount",
                                        "Currency"),
                 "/transactionStatus": ("ServiceID", "RemoteID")}.get(path)
        if method != "POST" or order is None:
            return 404, "text/plain", b"Not found"
        if form.get("Hash") != autopay_hash([form.get(k, "") for k in order]) \
                or form.get("ServiceID") != AUTOPAY_SERVICE_ID:
            return _error("WRONG_HASH", "Hash is not valid.")
        tx = self.transactions.get(form["RemoteID"])
        if tx is None:
            return _error("TRANSACTION_NOT_FOUND", "No such transaction.")
        if path == "/transactionStatus":
            return 200, "application/xml", _transaction_list([tx])
        if form["MessageID"] in self._replies:
            return self._replies[form["MessageID"]]
        reply = self._refund(tx, form)
        if reply[0] == 200:
            self._replies[form["MessageID"]] = reply
        return reply

    def _refund(self, tx: dict, form: dict):
        cents = _cents(form["Amount"])
        if cents > _cents(tx["amount"]) - tx["refunded"]:
            return _error("AMOUNT_TOO_BIG", "The amount exceeds what is left to refund.")
        tx["refunded"] += cents
        refund = {"messageID": form["MessageID"], "remoteOutID": f"RO{next(_ids):06d}",
                  "remoteID": tx["remoteID"], "amount": form["Amount"]}
        self.refunds.append(refund)
        values = [AUTOPAY_SERVICE_ID, refund["messageID"], refund["remoteOutID"]]
        hashed = autopay_hash(values) if self.mode != "bad_hash" else "0" * 64
        return 200, "application/xml", _xml("refund", {
            "serviceID": values[0], "messageID": values[1], "remoteOutID": values[2],
            "hash": hashed})


def autopay_transaction(order_id: str, amount: str, *, currency: str = "PLN",
                        status: str = "SUCCESS", remote_id: str | None = None) -> dict:
    """One <transaction> of an ITN, fields in Autopay's order."""
    return {"orderID": order_id, "remoteID": remote_id or f"9{next(_ids):07d}",
            "amount": amount, "currency": currency, "gatewayID": "106",
            "paymentDate": "20261121171238", "paymentStatus": status,
            "paymentStatusDetails": "AUTHORIZED" if status == "SUCCESS" else "",
            }


def autopay_itn(transactions: list[dict], *, key: str = AUTOPAY_KEY,
                service_id: str = AUTOPAY_SERVICE_ID) -> bytes:
    """The form body Autopay POSTs: transactions=<base64 of the XML transaction list>."""
    document = _transaction_list(transactions, key=key, service_id=service_id)
    return urlencode({"transactions": base64.b64encode(document).decode()}).encode()


def _transaction_list(transactions: list[dict], *, key: str = AUTOPAY_KEY,
                      service_id: str = AUTOPAY_SERVICE_ID) -> bytes:
    root = ElementTree.Element("transactionList")
    ElementTree.SubElement(root, "serviceID").text = service_id
    values = [service_id]
    holder = ElementTree.SubElement(root, "transactions")
    for tx in transactions:
        element = ElementTree.SubElement(holder, "transaction")
        for name, value in tx.items():
            if name != "refunded":
                ElementTree.SubElement(element, name).text = value
                values.append(value)
    ElementTree.SubElement(root, "hash").text = autopay_hash(values, key)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _xml(tag: str, fields: dict) -> bytes:
    root = ElementTree.Element(tag)
    for name, value in fields.items():
        ElementTree.SubElement(root, name).text = value
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _error(name: str, description: str):
    return 200, "application/xml", _xml("error", {"statusCode": "ERROR", "name": name,
                                                  "description": description})


def _cents(amount: str) -> int:
    whole, _, fraction = amount.partition(".")
    return int(whole) * 100 + int(fraction.ljust(2, "0"))
