"""A seller's Apple Wallet setup: what is refused (and that nothing changes then), the key
encrypted at rest and never shown again, the operator admin, and `postsale wallet`."""

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from postsale.core import clock
from postsale.core.errors import Invalid
from postsale.core.models import AuditEvent
from postsale.sellers.models import WalletPass
from postsale.sellers.wallet import (
    decrypt_key,
    dev_certificates,
    wallet_pass_configure,
    wallet_pass_offered,
    wallet_signing_material,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def certs(django_db_setup, django_db_blocker):
    """Two unrelated development sets (RSA keys take a while to make)."""
    from types import SimpleNamespace

    seller = SimpleNamespace(slug="acme")
    now = clock.now()
    return dev_certificates(seller=seller, now=now), dev_certificates(seller=seller, now=now)


def configure(seller, dev, **changes):
    values = {"pass_type_identifier": dev.pass_type_identifier,
              "team_identifier": dev.team_identifier, "certificate_pem": dev.certificate_pem,
              "wwdr_certificate_pem": dev.ca_pem, "private_key_pem": dev.private_key_pem}
    return wallet_pass_configure(seller=seller, **(values | changes))


def test_a_setup_keeps_the_key_encrypted_and_offers_passes(seller, certs):
    dev, _other = certs
    assert not wallet_pass_offered(seller) and wallet_signing_material(seller) is None
    row = configure(seller, dev)
    assert "PRIVATE KEY" not in row.private_key_encrypted
    assert dev.private_key_pem.split("\n")[1] not in row.private_key_encrypted
    assert decrypt_key(row.private_key_encrypted).decode() == dev.private_key_pem
    assert wallet_pass_offered(seller)
    assert wallet_signing_material(seller).team_identifier == "POSTSALE00"
    event = AuditEvent.objects.get(action="wallet_pass.configured")
    assert "PRIVATE" not in str(event.data) and event.data["enabled"] is True


def test_a_disabled_setup_offers_nothing(seller, certs):
    configure(seller, certs[0], enabled=False)
    assert not wallet_pass_offered(seller) and wallet_signing_material(seller) is None


GARBAGE = "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n"


@pytest.mark.parametrize(("changes", "field", "words"), [
    (lambda other: {"private_key_pem": other.private_key_pem}, "private_key",
     "does not belong to the pass certificate"),
    (lambda other: {"wwdr_certificate_pem": other.ca_pem}, "wwdr_certificate_pem",
     "not the certificate that issued"),
    (lambda other: {"certificate_pem": GARBAGE}, "certificate_pem", "not a certificate in PEM"),
    (lambda other: {"private_key_pem": "nope"}, "private_key", "not a private key"),
    (lambda other: {"pass_type_identifier": "com.example"}, "pass_type_identifier",
     "pass.com.example"),
    (lambda other: {"pass_type_identifier": "pass.example.other"}, "pass_type_identifier",
     "The certificate is for pass.example.postsale.acme"),
    (lambda other: {"team_identifier": "abc"}, "team_identifier", "10 capital letters"),
])
def test_a_wrong_setup_is_refused_by_field_and_nothing_is_stored(seller, certs, changes, field,
                                                                 words):
    dev, other = certs
    with pytest.raises(Invalid) as refused:
        configure(seller, dev, **changes(other))
    assert words in refused.value.field_errors[field]
    assert not WalletPass.objects.exists()
    assert not AuditEvent.objects.filter(action="wallet_pass.configured").exists()


def test_an_expired_certificate_is_refused(seller, certs):
    with pytest.raises(Invalid) as refused:
        configure(seller, certs[0], now=clock.now() + timedelta(days=800))
    assert "expired" in refused.value.field_errors["certificate_pem"]


def test_an_encrypted_key_needs_its_password(seller, certs):
    dev = certs[0]
    key = serialization.load_pem_private_key(dev.private_key_pem.encode(), password=None)
    locked = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                               serialization.BestAvailableEncryption(b"s3cret")).decode()
    with pytest.raises(Invalid) as refused:
        configure(seller, dev, private_key_pem=locked)
    assert "password" in refused.value.field_errors["key_password"]
    with pytest.raises(Invalid):
        configure(seller, dev, private_key_pem=locked, key_password="wrong")
    row = configure(seller, dev, private_key_pem=locked, key_password="s3cret")
    # Stored decrypted by the password, encrypted by our own key: no password to keep.
    assert decrypt_key(row.private_key_encrypted).decode() == dev.private_key_pem


def test_changing_the_setup_without_a_key_keeps_the_stored_key(seller, certs):
    dev, other = certs
    configure(seller, dev)
    row = configure(seller, dev, private_key_pem=None, enabled=False)
    assert decrypt_key(row.private_key_encrypted).decode() == dev.private_key_pem
    # A new certificate needs its own key: the stored one does not fit it.
    with pytest.raises(Invalid) as refused:
        configure(seller, other, private_key_pem=None)
    assert "private_key" in refused.value.field_errors
    assert WalletPass.objects.get().certificate_pem == dev.certificate_pem
    with pytest.raises(Invalid):
        WalletPass.objects.all().delete()
        configure(seller, dev, private_key_pem="")


def test_a_rotated_secret_key_still_opens_the_stored_key(seller, certs):
    row = configure(seller, certs[0])
    with override_settings(SECRET_KEY="a-new-secret-key-" + "x" * 40,
                           SECRET_KEY_FALLBACKS=["postsale-development-only-not-secret"]):
        assert decrypt_key(row.private_key_encrypted).decode() == certs[0].private_key_pem


# The operator admin.

@pytest.fixture
def operator(db):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", password="pw"))
    return client


def form_data(seller, dev, **changes) -> dict:
    return {"seller": seller.pk, "pass_type_identifier": dev.pass_type_identifier,
            "team_identifier": dev.team_identifier, "certificate_pem": dev.certificate_pem,
            "private_key": dev.private_key_pem, "key_password": "",
            "wwdr_certificate_pem": dev.ca_pem, "enabled": "on"} | changes


def test_the_admin_stores_a_setup_and_never_shows_the_key_again(operator, seller, certs):
    dev = certs[0]
    add = reverse("admin:sellers_walletpass_add")
    response = operator.post(add, form_data(seller, dev))
    assert response.status_code == 302, response.text
    row = WalletPass.objects.get(seller=seller)
    assert AuditEvent.objects.filter(action="wallet_pass.configured",
                                     actor="user:root").exists()
    page = operator.get(reverse("admin:sellers_walletpass_change", args=[row.pk])).text
    body = dev.private_key_pem.split("\n")[1]
    assert body not in page and row.private_key_encrypted not in page
    assert dev.pass_type_identifier in page
    # Saving again with the key field left empty keeps the key.
    response = operator.post(reverse("admin:sellers_walletpass_change", args=[row.pk]),
                             form_data(seller, dev, private_key="", enabled=""))
    assert response.status_code == 302
    row.refresh_from_db()
    assert not row.enabled
    assert decrypt_key(row.private_key_encrypted).decode() == dev.private_key_pem


def test_the_admin_explains_a_key_that_does_not_fit(operator, seller, certs):
    dev, other = certs
    response = operator.post(reverse("admin:sellers_walletpass_add"),
                             form_data(seller, dev, private_key=other.private_key_pem))
    assert response.status_code == 200
    assert "This key does not belong to the pass certificate." in response.text
    assert not WalletPass.objects.exists()


# The console command.

def test_wallet_dev_cert_configures_the_seller_and_writes_its_ca(seller, tmp_path, capsys):
    path = tmp_path / "ca.pem"
    call_command("wallet", "dev-cert", seller.slug, "--ca-out", str(path))
    row = WalletPass.objects.get(seller=seller)
    assert row.pass_type_identifier == "pass.example.postsale.acme"
    assert row.wwdr_certificate_pem.strip() == path.read_text().strip()
    assert "openssl cms -verify" in capsys.readouterr().out


def test_wallet_dev_cert_for_an_unknown_seller_fails_clearly(db):
    with pytest.raises(CommandError, match="No seller 'nobody'"):
        call_command("wallet", "dev-cert", "nobody")
