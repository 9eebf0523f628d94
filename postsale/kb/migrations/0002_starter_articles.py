"""Sellers that existed before the knowledge base get the starter articles too (new ones
get them from `seller_create`)."""

from django.db import migrations
from django.utils import timezone


def seed(apps, schema_editor):
    from postsale.kb.starter import seed_starter_articles

    Seller = apps.get_model("sellers", "Seller")
    models = {name: apps.get_model("kb", name)
              for name in ("Article", "ArticleTag", "ArticleTranslation")}
    now = timezone.now()
    for seller_id in Seller.objects.values_list("pk", flat=True).iterator():
        seed_starter_articles(seller_id, now=now, **models)


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0001_initial"),
        ("sellers", "0002_seller_late_payment_policy"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
