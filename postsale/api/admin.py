from django.contrib import admin

from postsale.api.models import IdempotencyRecord
from postsale.core.admin import ReadOnlyAdmin


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ["key", "seller", "operation", "status_code", "created_at"]
    search_fields = ["=key"]
    list_select_related = ["seller"]
