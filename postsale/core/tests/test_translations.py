"""The shipped catalogs (postsale/locale) are complete, compiled, and used: e-mails and the
back office come out in the customer's or agent's language."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from postsale.notifications.services import render
from postsale.orders.emails import order_context
from postsale.orders.models import Entry, EntryStatus
from postsale.orders.tests.factories import make_order, make_product
from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member

LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = ["pl", "it", "he", "uk"]
PLURAL_FORMS = {"pl": 3, "it": 2, "he": 3, "uk": 3}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%\(\w+\)\.\d+f")
# HTML markup only: "answer:<question>" in a console help is words, and is translated.
TAG = re.compile(r"</?(?:a|b|br|code|em|i|p|span|strong)\b[^>]*>")



def _unquote(line: str) -> str:
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), line[1:-1])


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file, header first: msgctxt, msgid, msgid_plural, flags and
    msgstr (by plural form). Enough of the format for the files makemessages writes."""
    entries, entry, field = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry is not None and "msgid" in entry:  # not an obsolete (#~) entry
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"] |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            target = entry["msgstr"] if isinstance(field, int) else entry
            target[field] += _unquote(line)
        else:
            keyword, value = line.split(" ", 1)
            plural = re.fullmatch(r"msgstr\[(\d)\]", keyword)
            field = int(plural[1]) if plural else (0 if keyword == "msgstr" else keyword)
            target = entry["msgstr"] if isinstance(field, int) else entry
            target[field] = _unquote(value)
    assert entries[0]["msgid"] == "", "the header comes first"
    return entries


def _po(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def _key(entry: dict) -> str:
    return (entry["msgctxt"] + "\x04" if "msgctxt" in entry else "") + entry["msgid"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    header, *entries = read_po(_po(language))
    assert len(entries) > 200
    assert "fuzzy" not in header["flags"]
    nplurals = PLURAL_FORMS[language]
    assert f"nplurals={nplurals};" in header["msgstr"][0]
    for entry in entries:
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        forms = entry["msgstr"]
        assert len(forms) == (nplurals if "msgid_plural" in entry else 1), entry["msgid"]
        assert all(text.strip() for text in forms.values()), entry["msgid"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders_and_html_tags(language):
    _, *entries = read_po(_po(language))
    for entry in entries:
        source = entry["msgid"] + entry.get("msgid_plural", "")
        for form, text in entry["msgstr"].items():
            # The "one" (and Hebrew "two") form may spell the number out.
            may_drop = {"%(counter)s"} if "msgid_plural" in entry and form < 2 else set()
            wanted = set(PLACEHOLDER.findall(source))
            assert wanted - may_drop <= set(PLACEHOLDER.findall(text)) <= wanted, text
            assert sorted(TAG.findall(entry["msgid"])) == sorted(TAG.findall(text)), text


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_the_po_file(language):
    """The .mo files are committed (a machine without gettext still has translations), so
    they must be recompiled after every change to a .po file."""
    _, *entries = read_po(_po(language))
    mo = LOCALE / language / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as stream:
        catalog = gettext.GNUTranslations(stream)._catalog
    compiled = {key: text for key, text in catalog.items() if key != ""}
    expected = {}
    for entry in entries:
        if "msgid_plural" in entry:
            expected |= {(_key(entry), n): text for n, text in entry["msgstr"].items()}
        else:
            expected[_key(entry)] = entry["msgstr"][0]
    assert compiled == expected, "run `postsale compilemessages --ignore=.venv`"


RECEIPT = {
    "pl": ("Potwierdzenie zakupu", "Otrzymują Państwo tę wiadomość", "Suma"),
    "it": ("Ricevuta dell'ordine", "Riceve questa e-mail perché", "Totale"),
    "he": ("אישור תשלום להזמנה", "קיבלת הודעה זו", "סה״כ"),
    "uk": ("Підтвердження оплати замовлення", "Ви отримали цей лист", "Усього"),
}
ENTRIES = {
    "pl": ("Bilety do zamówienia", "Przy wejściu prosimy okazać kod QR"),
    "it": ("I Suoi biglietti per l'ordine", "All'ingresso mostri il codice QR"),
    "he": ("הכרטיסים שלך להזמנה", "יש להציג בכניסה את קוד ה־QR"),
    "uk": ("Ваші квитки за замовленням", "На вході покажіть QR-код"),
}


@pytest.fixture
def paid_order(seller):
    return make_order(seller, make_product(seller, name="Museum"), paid=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_order_receipt_is_rendered_in_the_customers_language(paid_order, language):
    subject, text, html = render("order_receipt", order_context(paid_order), language)
    title, why, total = RECEIPT[language]
    assert subject.startswith(title) and paid_order.number in subject
    assert why in text and f"{total}:" in text
    assert why in html and f'<html lang="{language}"' in html
    for english in ("Receipt for", "You are receiving", "Questions?", "Paid:", "Total:", ">Qty<"):
        assert english not in subject + text + html


@pytest.mark.parametrize("language", LANGUAGES)
def test_entries_delivery_is_rendered_in_the_customers_language(paid_order, language):
    entries = Entry.objects.filter(order=paid_order, status=EntryStatus.VALID)
    context = order_context(paid_order) | {"entries": [
        {"number": e.number, "product": "Museum", "time_slot": None, "qr_cid": e.number}
        for e in entries]}
    subject, text, html = render("entries_delivery", context, language)
    title, show = ENTRIES[language]
    assert entries and subject.startswith(title)
    assert show in text and show in html
    assert "QR code" not in html and "Show the QR code" not in text


def test_hebrew_login_page_is_right_to_left_and_in_hebrew(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "he"
    text = client.get(reverse("backoffice:login")).text
    assert '<html lang="he" dir="rtl">' in text
    assert "התחברות לממשק הניהול" in text and "סיסמה" in text
    assert "Log in to the back office" not in text


def test_order_list_shows_statuses_in_the_agents_language(client, seller, paid_order):
    client.force_login(make_member(seller, role=Role.AGENT).user)
    expected = {"pl": "Opłacono", "it": "Pagato", "he": "שולם", "uk": "Оплачено"}
    for language, paid in expected.items():
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        text = client.get(reverse("backoffice:orders")).text
        assert f'data-status="paid">{paid}</span>' in text, language
