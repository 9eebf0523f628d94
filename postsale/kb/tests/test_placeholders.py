"""Placeholders: one list, filled from the order; anything else in braces stays as
written; in HTML every part is escaped."""

from postsale.kb.canned import canned_text
from postsale.kb.placeholders import (
    PLACEHOLDERS,
    fill,
    fill_html,
    placeholder_list,
    unknown_in,
    values_for,
)
from postsale.kb.selectors import ShownArticle
from postsale.orders import links
from postsale.orders.tests.factories import make_order


def test_values_come_from_the_order_and_the_seller(seller):
    order = make_order(seller, email="jan@example.com")
    values = values_for(order)
    assert set(values) == set(PLACEHOLDERS)
    assert values["customer_name"] == "Anna Kowalska"
    assert values["order_number"] == order.number and values["order_email"] == "jan@example.com"
    assert values["seller_name"] == "Acme Events"
    assert values["support_email"] == "owner@acme.example"  # no support address: the account's
    token = values["order_link"].rsplit("/o/", 1)[1].strip("/")
    assert links.order_from_token(token) == order  # a working link to this very order


def test_the_customers_email_stands_in_for_a_missing_name(seller):
    order = make_order(seller, email="nameless@example.com")
    order.customer.first_name = order.customer.last_name = ""
    assert values_for(order, order_link="/o/x/")["customer_name"] == "nameless@example.com"


def test_fill_replaces_known_names_and_leaves_everything_else():
    values = {"order_number": "PID-ABC", "customer_name": "Anna"}
    text = "Hi {customer_name}, order {order_number}. {unknown} {Order_Number} { } {"
    assert fill(text, values) == "Hi Anna, order PID-ABC. {unknown} {Order_Number} { } {"
    assert unknown_in(text) == ["unknown"]
    assert [p.token for p in placeholder_list()][:2] == ["{customer_name}", "{order_number}"]


def test_fill_html_escapes_text_and_values_and_links_the_order():
    values = {"customer_name": "<b>Eve</b>", "order_link": "https://x.example/o/t/"}
    html = str(fill_html("Hi {customer_name} & co.\n\nOpen {order_link}\nnow <script>",
                         values))
    assert html == ("<p>Hi <bdi>&lt;b&gt;Eve&lt;/b&gt;</bdi> &amp; co.</p>"
                    '<p>Open <a href="https://x.example/o/t/" dir="ltr">'
                    "https://x.example/o/t/</a><br>now &lt;script&gt;</p>")


def test_canned_text_is_the_body_or_the_numbered_steps_filled():
    article = ShownArticle(pk=1, slug="s", language="en", title="T",
                           body="Dear {customer_name},\nsee {order_number}.",
                           checklist=("Open {order_number}", "Check spam"), tags=())
    values = {"customer_name": "Anna", "order_number": "PID-1"}
    assert canned_text(article, part="body", values=values) == "Dear Anna,\nsee PID-1."
    assert canned_text(article, part="checklist", values=values) == (
        "1. Open PID-1\n2. Check spam")
    no_steps = ShownArticle(pk=2, slug="n", language="en", title="T", body="Only text",
                            checklist=(), tags=())
    assert canned_text(no_steps, part="checklist", values=values) == "Only text"
