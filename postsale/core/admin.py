from django.contrib import admin

from postsale.core.models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that only services write (with their audit rows): the operator looks,
    the admin never changes them behind the services' back."""

    show_full_result_count = False  # no second COUNT(*) on tables with millions of rows

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "seller", "actor", "action", "subject"]
    list_filter = ["action"]
    search_fields = ["=subject", "actor"]
    list_select_related = ["seller"]
