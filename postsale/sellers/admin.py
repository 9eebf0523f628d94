from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from postsale.core import clock
from postsale.core.audit import Actor
from postsale.core.errors import DomainError
from postsale.sellers.models import ApiToken, ClosureDay, Member, SalesChannel, Seller, WalletPass
from postsale.sellers.services import seller_created
from postsale.sellers.wallet import check_material, decrypt_key, wallet_pass_configure


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


class WalletPassForm(forms.ModelForm):
    """The private key is write-only: pasted once, stored encrypted, never shown again."""

    private_key = forms.CharField(
        label=_("private key (PEM)"), required=False, strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("The pass certificate's key. Stored encrypted and never shown again; "
                    "leave empty to keep the stored key."))
    key_password = forms.CharField(label=_("key password"), required=False, strip=False,
                                   widget=forms.PasswordInput(render_value=False),
                                   help_text=_("Only if the key above is encrypted."))

    class Meta:
        model = WalletPass
        fields = ["seller", "pass_type_identifier", "team_identifier", "certificate_pem",
                  "private_key", "key_password", "wwdr_certificate_pem", "enabled"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        key = data.get("private_key") or ""
        password = data.get("key_password") or ""
        if not key.strip() and self.instance.pk:
            key, password = decrypt_key(self.instance.private_key_encrypted).decode(), ""
        elif not key.strip():
            self.add_error("private_key", _("Paste the certificate's private key."))
            return data
        try:
            check_material(pass_type_identifier=data["pass_type_identifier"].strip(),
                           team_identifier=data["team_identifier"].strip(),
                           certificate_pem=data["certificate_pem"], private_key_pem=key,
                           key_password=password,
                           wwdr_certificate_pem=data["wwdr_certificate_pem"], now=clock.now())
        except DomainError as exc:
            for field, message in exc.field_errors.items():
                self.add_error(field if field in self.fields else None, message)
        return data


@admin.register(WalletPass)
class WalletPassAdmin(admin.ModelAdmin):
    form = WalletPassForm
    list_display = ["seller", "pass_type_identifier", "team_identifier",
                    "certificate_expires_at", "enabled"]
    list_select_related = ["seller"]
    search_fields = ["seller__name", "seller__slug", "pass_type_identifier"]
    readonly_fields = ["certificate_expires_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "seller"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = wallet_pass_configure(
            seller=obj.seller, pass_type_identifier=data["pass_type_identifier"],
            team_identifier=data["team_identifier"], certificate_pem=data["certificate_pem"],
            wwdr_certificate_pem=data["wwdr_certificate_pem"],
            private_key_pem=data.get("private_key") or None,
            key_password=data.get("key_password") or "", enabled=data["enabled"],
            actor=Actor("user", request.user.get_username(), request.user))
        obj.pk = saved.pk
