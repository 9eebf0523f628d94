"""Ratings (CSAT, SPEC §10): after a person closed a ticket, the customer rates the help
received, 1–5 with an optional comment; one rating per ticket, which the customer may
change while the ticket's rating window is open."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MAX_COMMENT = 2000


class Score(models.IntegerChoices):
    VERY_WELL = 5, _("5 – Very well")
    WELL = 4, _("4 – Well")
    OKAY = 3, _("3 – Okay")
    BADLY = 2, _("2 – Badly")
    VERY_BADLY = 1, _("1 – Very badly")


class Rating(models.Model):
    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE, related_name="+")
    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE,
                                  related_name="rating")
    score = models.PositiveSmallIntegerField(choices=Score.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(score__gte=1, score__lte=5),
                                              name="rating_score_1_to_5")]
        indexes = [models.Index(fields=["seller", "-created_at"], name="rating_seller_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}"
