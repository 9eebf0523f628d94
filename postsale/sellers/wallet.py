"""A seller's Apple Wallet signing setup: checking what the seller pastes in, keeping the
private key encrypted at rest, and a self-signed development certificate for demos.

The key is encrypted with a key derived from SECRET_KEY (and SECRET_KEY_FALLBACKS, so a
rotated secret still opens old keys); a database dump alone cannot sign passes."""

import base64
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from postsale.core import clock
from postsale.core.audit import SYSTEM, Actor, audit
from postsale.core.errors import Invalid
from postsale.sellers.models import Seller, WalletPass

PASS_TYPE_RE = re.compile(r"^pass(\.[A-Za-z0-9-]+)+$")
TEAM_RE = re.compile(r"^[A-Z0-9]{10}$")
DEV_TEAM = "POSTSALE00"  # development certificates only; Apple's team IDs look alike


# The private key at rest.

def _fernet() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(
        HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
             info=b"postsale.wallet-pass-key").derive(secret.encode())))
        for secret in secrets])


def encrypt_key(pem: bytes) -> str:
    return _fernet().encrypt(pem).decode()


def decrypt_key(token: str) -> bytes:
    """Raises cryptography.fernet.InvalidToken when neither SECRET_KEY nor a fallback
    encrypted it."""
    return _fernet().decrypt(token.encode())


# Checking what the seller sends.

@dataclass(frozen=True)
class SigningMaterial:
    """Everything a pass signature needs, loaded and checked."""

    pass_type_identifier: str
    team_identifier: str
    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey
    wwdr: x509.Certificate


def _certificate(pem: str, field: str, errors: dict[str, str]) -> x509.Certificate | None:
    try:
        return x509.load_pem_x509_certificate(pem.strip().encode())
    except ValueError:
        errors[field] = _("This is not a certificate in PEM format (it starts with "
                          "-----BEGIN CERTIFICATE-----).")
        return None


def _private_key(pem: str, password: str, errors: dict[str, str]):
    try:
        return serialization.load_pem_private_key(pem.strip().encode(),
                                                  password=password.encode() or None)
    except TypeError:
        errors["key_password"] = _("The key is encrypted: enter its password.")
    except ValueError:
        errors["private_key"] = _("This is not a private key in PEM format, or the "
                                  "password is wrong.")
    return None


def _check_pair(certificate, key, wwdr, identifier: str, now: datetime,
                errors: dict[str, str]) -> None:
    if key is not None and certificate is not None and (
            key.public_key().public_numbers() != certificate.public_key().public_numbers()):
        errors["private_key"] = _("This key does not belong to the pass certificate.")
    if certificate is None:
        return
    if certificate.not_valid_after_utc <= now:
        errors["certificate_pem"] = _("This certificate expired on %(date)s; ask Apple for "
                                      "a new one.") % {
            "date": certificate.not_valid_after_utc.date().isoformat()}
    uids = certificate.subject.get_attributes_for_oid(NameOID.USER_ID)
    if uids and uids[0].value != identifier:
        errors.setdefault("pass_type_identifier", _("The certificate is for %(id)s.") % {
            "id": uids[0].value})
    if wwdr is not None:
        try:
            certificate.verify_directly_issued_by(wwdr)
        except (ValueError, TypeError, InvalidSignature):
            errors["wwdr_certificate_pem"] = _("This is not the certificate that issued the "
                                               "pass certificate.")


def check_material(*, pass_type_identifier: str, team_identifier: str, certificate_pem: str,
                   private_key_pem: str, key_password: str, wwdr_certificate_pem: str,
                   now: datetime) -> SigningMaterial:
    """Load and check everything; every problem at once, by form field."""
    errors: dict[str, str] = {}
    if not PASS_TYPE_RE.match(pass_type_identifier):
        errors["pass_type_identifier"] = _("Use the identifier registered with Apple, e.g. "
                                           "pass.com.example.tickets.")
    if not TEAM_RE.match(team_identifier):
        errors["team_identifier"] = _("Apple team IDs are 10 capital letters and digits.")
    certificate = _certificate(certificate_pem, "certificate_pem", errors)
    wwdr = _certificate(wwdr_certificate_pem, "wwdr_certificate_pem", errors)
    key = _private_key(private_key_pem, key_password, errors)
    if key is not None and not isinstance(key, rsa.RSAPrivateKey):
        errors["private_key"] = _("Apple pass certificates use RSA keys; this key is not "
                                  "one.")
        key = None
    _check_pair(certificate, key, wwdr, pass_type_identifier, now, errors)
    if errors:
        raise Invalid(_("The Apple Wallet setup is not complete."), errors,
                      code="wallet_pass_invalid")
    return SigningMaterial(pass_type_identifier, team_identifier, certificate, key, wwdr)


def _unencrypted_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@transaction.atomic
def wallet_pass_configure(*, seller: Seller, pass_type_identifier: str, team_identifier: str,
                          certificate_pem: str, wwdr_certificate_pem: str,
                          private_key_pem: str | None, key_password: str = "",
                          enabled: bool = True, actor: Actor = SYSTEM,
                          now: datetime | None = None) -> WalletPass:
    """Create or replace the seller's setup. `private_key_pem` None keeps the stored key
    (the admin never shows it back), which must then still fit the certificate."""
    now = now or clock.now()
    current = WalletPass.objects.select_for_update().filter(seller=seller).first()
    if private_key_pem is None or not private_key_pem.strip():
        if current is None:
            raise Invalid(_("The Apple Wallet setup is not complete."),
                          {"private_key": _("Paste the certificate's private key.")},
                          code="wallet_pass_invalid")
        private_key_pem, key_password = decrypt_key(current.private_key_encrypted).decode(), ""
    material = check_material(
        pass_type_identifier=pass_type_identifier.strip(),
        team_identifier=team_identifier.strip(), certificate_pem=certificate_pem,
        private_key_pem=private_key_pem, key_password=key_password,
        wwdr_certificate_pem=wwdr_certificate_pem, now=now)
    row = current or WalletPass(seller=seller)
    row.pass_type_identifier = material.pass_type_identifier
    row.team_identifier = material.team_identifier
    row.certificate_pem = material.certificate.public_bytes(serialization.Encoding.PEM).decode()
    row.wwdr_certificate_pem = material.wwdr.public_bytes(serialization.Encoding.PEM).decode()
    row.private_key_encrypted = encrypt_key(_unencrypted_pem(material.private_key))
    row.certificate_expires_at = material.certificate.not_valid_after_utc
    row.enabled, row.updated_at = enabled, now
    row.save()
    audit(seller=seller, obj=row, action="wallet_pass.configured", actor=actor, now=now,
          data={"pass_type_identifier": row.pass_type_identifier,
                "team_identifier": row.team_identifier, "enabled": enabled,
                "certificate_serial": format(material.certificate.serial_number, "x"),
                "expires": row.certificate_expires_at.isoformat()})
    return row


def wallet_signing_material(seller: Seller) -> SigningMaterial | None:
    """The seller's enabled setup, ready to sign with; None without one."""
    row = WalletPass.objects.filter(seller=seller, enabled=True).first()
    if row is None:
        return None
    return SigningMaterial(
        row.pass_type_identifier, row.team_identifier,
        x509.load_pem_x509_certificate(row.certificate_pem.encode()),
        serialization.load_pem_private_key(decrypt_key(row.private_key_encrypted),
                                           password=None),
        x509.load_pem_x509_certificate(row.wwdr_certificate_pem.encode()))


def wallet_pass_offered(seller: Seller) -> bool:
    return WalletPass.objects.filter(seller=seller, enabled=True).exists()


# Development certificates: a self-signed CA standing in for Apple's WWDR, and a pass
# certificate it issued. iPhones will not accept them; `openssl cms -verify` does.

@dataclass(frozen=True)
class DevCertificates:
    ca_pem: str  # the trust anchor for `openssl cms -verify -CAfile`
    certificate_pem: str
    private_key_pem: str
    pass_type_identifier: str
    team_identifier: str


def _name(common_name: str, **extra) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                  x509.NameAttribute(NameOID.ORGANIZATION_NAME, "postsale development")]
    attributes += [x509.NameAttribute(oid, value) for oid, value in extra.values()]
    return x509.Name(attributes)


def _issue(subject: x509.Name, key, issuer: x509.Name, issuer_key, *, ca: bool,
           now: datetime, days: int) -> x509.Certificate:
    usage = {"digital_signature": not ca, "key_cert_sign": ca, "crl_sign": ca,
             "content_commitment": False, "key_encipherment": False,
             "data_encipherment": False, "key_agreement": False, "encipher_only": False,
             "decipher_only": False}
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(hours=1))
            .not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None),
                           critical=True)
            .add_extension(x509.KeyUsage(**usage), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(issuer_key, hashes.SHA256()))


def dev_certificates(*, seller: Seller, now: datetime) -> DevCertificates:
    identifier = f"pass.example.postsale.{seller.slug}"
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = _name(f"postsale development WWDR ({seller.slug})")
    ca = _issue(ca_name, ca_key, ca_name, ca_key, ca=True, now=now, days=3650)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = _name(f"Pass Type ID: {identifier}", uid=(NameOID.USER_ID, identifier),
                    ou=(NameOID.ORGANIZATIONAL_UNIT_NAME, DEV_TEAM))
    certificate = _issue(subject, key, ca_name, ca_key, ca=False, now=now, days=730)
    pem = serialization.Encoding.PEM
    return DevCertificates(
        ca_pem=ca.public_bytes(pem).decode(),
        certificate_pem=certificate.public_bytes(pem).decode(),
        private_key_pem=_unencrypted_pem(key).decode(),
        pass_type_identifier=identifier, team_identifier=DEV_TEAM)


def wallet_pass_configure_dev(*, seller: Seller, actor: Actor = SYSTEM,
                              now: datetime | None = None) -> tuple[WalletPass, DevCertificates]:
    """Sign the seller's passes with fresh development certificates (demos, tests)."""
    now = now or clock.now()
    dev = dev_certificates(seller=seller, now=now)
    row = wallet_pass_configure(
        seller=seller, pass_type_identifier=dev.pass_type_identifier,
        team_identifier=dev.team_identifier, certificate_pem=dev.certificate_pem,
        wwdr_certificate_pem=dev.ca_pem, private_key_pem=dev.private_key_pem, actor=actor,
        now=now)
    return row, dev

