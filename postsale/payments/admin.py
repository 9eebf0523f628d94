from django.contrib import admin

from postsale.core.admin import ReadOnlyAdmin, ReadOnlyInline
from postsale.payments.models import Invoice, Payment, PaymentEvent, Subscription


class PaymentEventInline(ReadOnlyInline):
    model = PaymentEvent
    fields = ["status", "applied", "source", "key", "occurred_at", "received_at"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["provider_transaction_id", "provider", "order", "amount_display", "status",
                    "created_at"]
    list_filter = ["status", "provider"]
    search_fields = ["=provider_transaction_id", "=order__number"]
    list_select_related = ["order"]
    inlines = [PaymentEventInline]


@admin.register(PaymentEvent)
class PaymentEventAdmin(ReadOnlyAdmin):
    list_display = ["payment", "status", "applied", "source", "received_at"]
    list_filter = ["status", "applied"]
    search_fields = ["=payment__provider_transaction_id", "=key"]
    list_select_related = ["payment"]


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["order", "seller", "status", "started_at", "current_period_end"]
    list_filter = ["status"]
    search_fields = ["=order__number"]
    list_select_related = ["order", "seller"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "seller", "order", "amount_display", "issued_at"]
    search_fields = ["=number", "=order__number"]
    list_select_related = ["order", "seller"]
