from django.contrib import admin

from postsale.core.admin import ReadOnlyAdmin, ReadOnlyInline
from postsale.tickets.models import Message, Ticket


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ["created_at", "side", "author_name", "internal", "body"]


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    """Read-only: tickets change through their services (back office, portal, API)."""

    list_display = ["number", "seller", "order", "type", "status", "resolution", "due_step",
                    "due_at", "created_at"]
    list_filter = ["type", "status", "resolution", "due_step"]
    search_fields = ["=number", "=order__number"]
    list_select_related = ["seller", "order"]
    inlines = [MessageInline]
