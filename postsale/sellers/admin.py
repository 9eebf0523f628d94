from django.contrib import admin

from postsale.core.audit import Actor
from postsale.sellers.models import ApiToken, ClosureDay, Member, SalesChannel, Seller
from postsale.sellers.services import seller_created


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    autocomplete_fields = ["user"]


class SalesChannelInline(admin.TabularInline):
    model = SalesChannel
    extra = 0


class ClosureDayInline(admin.TabularInline):
    model = ClosureDay
    extra = 0


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "country", "time_zone", "currency", "abuse_flagged_at"]
    list_filter = ["country", "currency"]
    search_fields = ["name", "slug", "account_email"]
    readonly_fields = ["created_at"]
    inlines = [MemberInline, SalesChannelInline, ClosureDayInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:  # what `seller_create` does for a new seller, here too
            seller_created.send(sender=Seller, seller=obj,
                                actor=Actor("user", request.user.get_username(), request.user))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made with `postsale token`, which shows the secret once; here only its
    prefix and hash, and revoking."""

    list_display = ["name", "prefix", "seller", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["seller"]
    search_fields = ["name", "prefix"]
    fields = ["seller", "name", "prefix", "token_hash", "scopes", "created_at", "last_used_at",
              "revoked_at"]
    readonly_fields = ["seller", "prefix", "token_hash", "scopes", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
