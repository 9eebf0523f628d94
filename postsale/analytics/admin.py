from django.contrib import admin

from postsale.analytics.models import Rating
from postsale.core.admin import ReadOnlyAdmin


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "seller", "score", "created_at", "updated_at"]
    list_filter = ["score", "seller"]
    list_select_related = ["ticket", "seller"]
    search_fields = ["ticket__number"]
