from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from postsale.core.admin import ReadOnlyAdmin, ReadOnlyInline
from postsale.orders.models import Entry, Order, OrderLine, Product, ProductKind, TimeSlot


class TimeSlotInline(admin.TabularInline):
    model = TimeSlot
    extra = 0


class ProductForm(forms.ModelForm):
    """The admin builds the fields (ModelAdmin.get_form); this adds the file check."""

    def clean(self):
        data = super().clean()
        if data.get("download_file") and data.get("kind") != ProductKind.DIGITAL:
            self.add_error("download_file", _("Only digital downloads have a file; change "
                                              "the kind or remove the file."))
        return data


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductForm
    list_display = ["name", "sku", "seller", "kind", "price", "currency", "active"]
    list_filter = ["kind", "active", "seller"]
    search_fields = ["name", "sku"]
    list_select_related = ["seller"]
    inlines = [TimeSlotInline]


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["product", "time_slot", "quantity", "unit_price"]
    show_change_link = False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "seller", "created_at", "email", "total_display", "status"]
    list_filter = ["status", "seller"]
    search_fields = ["=number", "=email", "=external_id"]
    list_select_related = ["seller"]
    inlines = [OrderLineInline]


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    # The secret grants entry at the gate; it is never shown.
    list_display = ["number", "seller", "order", "status", "used_at"]
    list_filter = ["status"]
    search_fields = ["=number"]
    list_select_related = ["seller", "order"]
    exclude = ["secret"]
