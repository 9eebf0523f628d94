from django.db import models


class IdempotencyRecord(models.Model):
    """The first response to a request with an `Idempotency-Key`, replayed for repeats."""

    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    operation = models.CharField(max_length=64)  # e.g. "orders.create"
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    # JSON text, not a JSONField: PostgreSQL's jsonb reorders object keys, and a replay must
    # be the same body as the first response, byte for byte.
    response = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seller", "key"],
                                               name="idempotency_key_unique")]
