from postsale.notifications.services import render
from postsale.notifications.tests.factories import RECEIPT_CONTEXT

NAME = "Tom & Jerry's <Shop>"
CONTEXT = RECEIPT_CONTEXT | {"seller": {"name": NAME, "support_email": "help@tj.example"}}


def test_subject_and_text_are_plain_text_while_html_is_escaped():
    subject, text, html = render("order_receipt", CONTEXT, "en")
    assert subject == f"Receipt for order PID-TEST – {NAME}"
    assert f"placed an order with {NAME} and" in text
    assert "&amp;" not in text + subject
    assert "Tom &amp; Jerry&#x27;s &lt;Shop&gt;" in html and NAME not in html


def test_subject_is_one_line_even_if_the_context_has_line_breaks():
    context = CONTEXT | {"order": CONTEXT["order"] | {"number": "PID-1\r\nBcc: x@evil.example"}}
    subject, _, _ = render("order_receipt", context, "en")
    assert "\n" not in subject and "\r" not in subject


def test_html_runs_right_to_left_in_hebrew():
    _, _, html = render("order_receipt", CONTEXT, "he")
    assert '<html lang="he" dir="rtl">' in html
