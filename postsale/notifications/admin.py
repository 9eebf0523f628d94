from django.contrib import admin

from postsale.core.admin import ReadOnlyAdmin, ReadOnlyInline
from postsale.notifications.models import Notification, NotificationTag


class NotificationTagInline(ReadOnlyInline):
    model = NotificationTag
    show_change_link = False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "to_email", "subject", "status", "attempts"]
    list_filter = ["status", "kind"]
    search_fields = ["=to_email", "=tags__tag"]
    exclude = ["inline_images"]  # base64 images: noise in a form
    inlines = [NotificationTagInline]
