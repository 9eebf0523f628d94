"""`Idempotency-Key`: the first response to a key is stored and replayed for repeats; the
same key with another body is an error. The record is written in the same transaction as
the work, so a failed request leaves no record and may be retried.

Concurrent requests with one key: on PostgreSQL the second INSERT waits on the unique
index until the first transaction commits, then fails and replays what the first stored
(or succeeds and does the work, if the first rolled back). On SQLite, transactions start
IMMEDIATE (settings), so the second waits for the write lock and then finds the record."""

import hashlib
import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from postsale.api.models import IdempotencyRecord
from postsale.core.errors import DomainError
from postsale.sellers.models import Seller

MAX_KEY_LENGTH = 255


def body_hash(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def run_idempotent(*, seller: Seller, key: str | None, operation: str, payload: dict,
                   work: Callable[[], tuple[int, dict]]) -> tuple[int, dict]:
    """Run `work` (→ status, JSON-able body) once per key and seller."""
    if not key:
        return work()
    if len(key) > MAX_KEY_LENGTH:
        raise DomainError(code="invalid", status=422, message="Idempotency-Key is too long.",
                          field_errors={"Idempotency-Key": "Use at most 255 characters."})
    digest = body_hash(payload)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    seller=seller, key=key, operation=operation, request_hash=digest,
                    status_code=0, response="")
        except IntegrityError:
            return _replay(seller=seller, key=key, operation=operation, digest=digest)
        status, body = work()
        record.status_code = status
        record.response = json.dumps(body, cls=DjangoJSONEncoder)
        record.save(update_fields=["status_code", "response"])
    # The first answer is the stored one, so it matches every replay exactly.
    return status, json.loads(record.response)


def _replay(*, seller, key, operation, digest) -> tuple[int, dict]:
    record = IdempotencyRecord.objects.get(seller=seller, key=key)
    if record.operation != operation or record.request_hash != digest:
        raise DomainError(
            code="idempotency_key_reused", status=422,
            message="This Idempotency-Key was used for a different request. Use a new key "
                    "for a new request.",
            field_errors={"Idempotency-Key": "Already used with another body."})
    return record.status_code, json.loads(record.response)
