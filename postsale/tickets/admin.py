from django.contrib import admin

from postsale.core.admin import ReadOnlyAdmin, ReadOnlyInline
from postsale.tickets.models import AssignmentConsultant, AssignmentRule, Message, Ticket


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


class ConsultantInline(ReadOnlyInline):
    model = AssignmentConsultant
    fields = ["position", "user"]


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(ReadOnlyAdmin):
    """Read-only: owners keep their rules on the back office's settings page (audited)."""

    list_display = ["seller", "position", "channel", "type", "turns"]
    list_select_related = ["seller", "channel"]
    inlines = [ConsultantInline]
