"""The knowledge base (SPEC §10): a seller's articles, each in several languages and
tagged by situation; shown to customers before they open a ticket, and inserted by agents
as canned replies. `Deflection` records each time articles were shown to a customer and
whether they solved the problem."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Article(models.Model):
    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE,
                               related_name="articles")
    slug = models.SlugField(_("short name"), max_length=80)
    active = models.BooleanField(_("active"), default=True)
    # Display order: lower first, in the portal and in the agent's list.
    position = models.PositiveSmallIntegerField(_("order"), default=100)
    # The starter article this began as (empty: written by the seller). Seeding again
    # skips it, so the seller's edits are never overwritten.
    starter_key = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "slug"], name="article_slug_unique"),
            models.UniqueConstraint(fields=["seller", "starter_key"],
                                    condition=~models.Q(starter_key=""),
                                    name="article_starter_unique"),
        ]

    def __str__(self) -> str:
        return self.slug


class ArticleTag(models.Model):
    """A situation the article fits ("email-not-received") or any other keyword agents
    search by."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="tags")
    tag = models.SlugField(max_length=50)

    class Meta:
        ordering = ["tag"]
        constraints = [models.UniqueConstraint(fields=["article", "tag"],
                                               name="article_tag_unique")]
        indexes = [models.Index(fields=["tag", "article"])]

    def __str__(self) -> str:
        return self.tag


class ArticleTranslation(models.Model):
    """An article in one language: title, body and the checklist of steps. Text may hold
    placeholders (`postsale.kb.placeholders`), filled from the order when shown."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE,
                                related_name="translations")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    checklist = models.JSONField(_("checklist"), default=list, blank=True)  # list[str]

    class Meta:
        ordering = ["language"]
        constraints = [models.UniqueConstraint(fields=["article", "language"],
                                               name="article_language_unique")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.language}: {self.title}"


class Deflection(models.Model):
    """One time troubleshooting articles were shown to a customer before a ticket, and the
    answer to "Did this solve it?" (None until answered) — deflection analytics."""

    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE,
                               related_name="+")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+")
    situation = models.SlugField(max_length=50)
    language = models.CharField(max_length=8)
    articles = models.ManyToManyField(Article, related_name="deflections")
    solved = models.BooleanField(null=True)
    shown_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-shown_at", "-id"]
        indexes = [models.Index(fields=["seller", "-shown_at"])]
