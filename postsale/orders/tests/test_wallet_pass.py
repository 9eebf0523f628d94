"""Apple Wallet passes: what is in the zip, and that the signature verifies with
`openssl cms -verify` against the seller's CA — and stops verifying when a file changes."""

import hashlib
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from postsale.core.errors import DomainError
from postsale.orders.documents.wallet import entry_pass, pass_filename
from postsale.orders.models import ProductKind
from postsale.orders.tests.documents_helpers import (
    make_named_order,
    manifest_matches,
    openssl_verify,
    pkpass_files,
)
from postsale.orders.tests.factories import make_order, make_product, make_slot
from postsale.sellers.wallet import wallet_pass_configure_dev, wallet_signing_material

pytestmark = pytest.mark.django_db
WAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture(scope="module")
def dev_material(django_db_setup, django_db_blocker):
    """One development CA and certificate for the module: RSA keys take a while to make."""
    from django.db import transaction

    from postsale.sellers.tests.factories import make_seller

    with django_db_blocker.unblock(), transaction.atomic():
        seller = make_seller(slug="wallet-module")
        _row, dev = wallet_pass_configure_dev(seller=seller)
        material = wallet_signing_material(seller)
        transaction.set_rollback(True)
    return material, dev


@pytest.fixture
def timed_order(seller):
    with time_machine.travel(datetime(2026, 11, 27, 9, 0, tzinfo=WAW), tick=False):
        product = make_product(seller, name="Museum Night", kind=ProductKind.TIMED_ENTRY)
        slot = make_slot(product, starts_in=datetime(2026, 12, 4, 18, tzinfo=WAW)
                         - datetime(2026, 11, 27, 9, tzinfo=WAW))
        yield make_named_order(seller, product, slot=slot, language="pl", quantity=2,
                               first_name="Zofia", last_name="Wróblewska")


def a_pass(order, material) -> tuple:
    entry = order.entries.select_related("line__product", "time_slot").first()
    entry.order = order
    return entry, pkpass_files(entry_pass(entry, material))


def test_the_pass_has_what_wallet_needs(timed_order, dev_material):
    material, _dev = dev_material
    entry, files = a_pass(timed_order, material)
    assert set(files) == {"pass.json", "manifest.json", "signature", "icon.png",
                          "icon@2x.png", "icon@3x.png", "logo.png", "logo@2x.png"}
    assert all(files[name].startswith(b"\x89PNG") for name in files if name.endswith(".png"))
    assert manifest_matches(files)
    data = json.loads(files["pass.json"])
    assert data["formatVersion"] == 1
    assert data["passTypeIdentifier"] == "pass.example.postsale.wallet-module"
    assert data["teamIdentifier"] == "POSTSALE00"
    assert data["serialNumber"] == entry.number
    assert data["organizationName"] == "Acme Events"
    assert data["barcodes"][0] == {"format": "PKBarcodeFormatQR", "message": entry.secret,
                                   "messageEncoding": "iso-8859-1", "altText": entry.number}
    # Relevant on the seller's wall clock: 18:00 in Warsaw.
    assert data["relevantDate"] == "2026-12-04T18:00:00+01:00"
    assert data["expirationDate"] == "2026-12-04T20:00:00+01:00"
    fields = {f["key"]: f for group in data["eventTicket"].values() for f in group}
    assert fields["event"]["value"] == "Museum Night"
    assert fields["holder"]["value"] == "Zofia Wróblewska"
    assert fields["order"]["value"] == timed_order.number
    assert fields["when"]["value"] == "2026-12-04T18:00:00+01:00"
    assert pass_filename(entry) == f"{entry.number}.pkpass"


def test_the_pass_speaks_the_customers_language(timed_order, dev_material):
    _entry, files = a_pass(timed_order, dev_material[0])
    fields = {f["key"]: f for group in json.loads(files["pass.json"])["eventTicket"].values()
              for f in group}
    assert fields["order"]["label"] == "Zamówienie"


def test_openssl_verifies_the_signature_with_the_sellers_ca(timed_order, dev_material,
                                                            tmp_path):
    material, dev = dev_material
    _entry, files = a_pass(timed_order, material)
    result = openssl_verify(files, dev.ca_pem, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr
    assert (tmp_path / "verified").read_bytes() == files["manifest.json"]


def test_an_altered_file_breaks_the_pass(timed_order, dev_material, tmp_path):
    material, dev = dev_material
    _entry, files = a_pass(timed_order, material)
    changed = json.loads(files["pass.json"])
    changed["barcodes"][0]["message"] = "someone-elses-secret"
    forged = files | {"pass.json": json.dumps(changed).encode()}
    # Wallet compares every file with the manifest: the changed file no longer matches…
    assert not manifest_matches(forged)
    # …and a manifest rewritten to match is no longer what the seller signed.
    manifest = json.loads(files["manifest.json"])
    manifest["pass.json"] = hashlib.sha1(forged["pass.json"]).hexdigest()  # noqa: S324
    forged["manifest.json"] = json.dumps(manifest).encode()
    assert manifest_matches(forged)
    result = openssl_verify(forged, dev.ca_pem, tmp_path)
    assert result.returncode != 0
    assert "Verification failure" in result.stderr or "verify error" in result.stderr


def test_a_pass_does_not_verify_against_another_ca(timed_order, dev_material, other_seller,
                                                   tmp_path):
    _entry, files = a_pass(timed_order, dev_material[0])
    _row, stranger = wallet_pass_configure_dev(seller=other_seller)
    result = openssl_verify(files, stranger.ca_pem, tmp_path)
    assert result.returncode != 0


def test_an_entry_that_is_not_valid_gets_no_pass(seller, dev_material):
    order = make_order(seller, make_product(seller), quantity=1, paid=False)
    entry = order.entries.select_related("line__product", "time_slot").get()
    entry.order = order
    with pytest.raises(DomainError) as refused:
        entry_pass(entry, dev_material[0])
    assert refused.value.code == "entry_not_valid"


def test_an_open_entry_has_no_dates(seller, dev_material):
    order = make_named_order(seller, make_product(seller, name="Exhibition pass"),
                             language="en", first_name="Ann", last_name="Lee")
    _entry, files = a_pass(order, dev_material[0])
    data = json.loads(files["pass.json"])
    assert "relevantDate" not in data and "expirationDate" not in data
    assert data["eventTicket"]["secondaryFields"][0]["value"] == "Any day"
