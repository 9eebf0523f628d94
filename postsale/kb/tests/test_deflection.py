"""Recording "Did this solve it?": which articles were shown for which situation, and the
answer."""

import pytest

from postsale.core.errors import Invalid, NotFound
from postsale.kb.models import Article, Deflection
from postsale.kb.selectors import deflection_get
from postsale.kb.services import deflection_answer, deflection_start
from postsale.orders.tests.factories import make_order


def test_showing_records_the_articles_and_the_answer(seller):
    order = make_order(seller)
    deflection, shown = deflection_start(order=order, situation="access-not-working",
                                         language="uk")
    assert [a.slug for a in shown] == ["access-details-do-not-work"]
    assert shown[0].language == "uk" and "Дані" in shown[0].title
    assert deflection.solved is None and deflection.answered_at is None
    assert list(deflection.articles.values_list("slug", flat=True)) == [
        "access-details-do-not-work"]
    deflection_answer(deflection=deflection, solved=True)
    deflection.refresh_from_db()
    assert deflection.solved is True and deflection.answered_at is not None
    deflection_answer(deflection=deflection, solved=False)  # changed their mind
    deflection.refresh_from_db()
    assert deflection.solved is False


def test_a_situation_without_active_articles_is_refused(seller):
    order = make_order(seller)
    Article.objects.filter(seller=seller, starter_key="content-not-loading").update(
        active=False)
    for situation in ("content-not-loading", "made-up"):
        with pytest.raises(Invalid):
            deflection_start(order=order, situation=situation, language="en")
    assert not Deflection.objects.exists()


def test_a_deflection_is_found_only_through_its_own_order(seller):
    order, other = make_order(seller), make_order(seller, email="other@example.com")
    deflection, _ = deflection_start(order=order, situation="access-not-working",
                                     language="en")
    assert deflection_get(order=order, pk=deflection.pk) == deflection
    with pytest.raises(NotFound):
        deflection_get(order=other, pk=deflection.pk)
