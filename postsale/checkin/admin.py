from django.contrib import admin

from postsale.checkin.models import CheckIn
from postsale.core.admin import ReadOnlyAdmin


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdmin):
    list_display = ["scanned_at", "result", "entry", "gate", "device", "method", "actor",
                    "undone_at", "seller"]
    list_filter = ["result", "method"]
    search_fields = ["=entry__number", "=nonce", "=gate"]
    list_select_related = ["entry", "seller"]
    exclude = ["code"]  # may be another seller's secret
