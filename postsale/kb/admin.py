from django.contrib import admin

from postsale.core.admin import ReadOnlyAdmin, ReadOnlyInline
from postsale.kb.models import Article, ArticleTag, ArticleTranslation, Deflection


class TranslationInline(ReadOnlyInline):
    model = ArticleTranslation
    fields = ["language", "title", "body", "checklist"]


class TagInline(ReadOnlyInline):
    model = ArticleTag
    fields = ["tag"]


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    """Read-only: sellers edit their articles in the back office (audited)."""

    list_display = ["slug", "seller", "active", "position", "starter_key", "updated_at"]
    list_filter = ["active"]
    search_fields = ["slug", "translations__title"]
    list_select_related = ["seller"]
    inlines = [TranslationInline, TagInline]


@admin.register(Deflection)
class DeflectionAdmin(ReadOnlyAdmin):
    list_display = ["shown_at", "seller", "order", "situation", "language", "solved"]
    list_filter = ["situation", "solved", "language"]
    list_select_related = ["seller", "order"]
