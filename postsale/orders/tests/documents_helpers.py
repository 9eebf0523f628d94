"""Helpers for document tests: orders with a customer's real-world name and language, the
text of a PDF (poppler's pdftotext), and checking a .pkpass the way Wallet does."""

import hashlib
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from postsale.core.audit import SYSTEM
from postsale.orders.drafts import CustomerDraft, LineDraft, OrderDraft, PaymentDraft
from postsale.orders.tests.factories import _n

# Direction marks pdftotext puts around right-to-left runs.
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def make_named_order(seller, product, *, first_name: str, last_name: str, language: str,
                     quantity: int = 1, slot=None, paid: bool = True,
                     email: str | None = None):
    from postsale.payments.services import order_submit

    n = next(_n)
    draft = OrderDraft(
        channel="web-shop", currency=product.currency,
        customer=CustomerDraft(email=email or f"customer-{n}@example.com",
                               first_name=first_name, last_name=last_name, language=language),
        lines=[LineDraft(product=product.sku, quantity=quantity,
                         time_slot=slot.pk if slot else None)],
        payment=PaymentDraft(provider="manual", transaction_id=f"tx-doc-{n}") if paid else None)
    order, _ = order_submit(seller=seller, draft=draft, actor=SYSTEM, source="test")
    return order


def pdf_text(content: bytes) -> str:
    """The PDF's text, direction marks removed; skips the test without pdftotext."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is missing (Debian: apt-get install -y poppler-utils)")
    assert content.startswith(b"%PDF-")
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content,
                            capture_output=True, check=True)
    return _BIDI.sub("", result.stdout.decode())


def pdf_pages(content: bytes) -> int:
    """Pages counted by form feeds between pdftotext's pages."""
    return pdf_text(content).count("\f")


def pkpass_files(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def manifest_matches(files: dict[str, bytes]) -> bool:
    """Every file but the manifest and the signature has the SHA-1 the manifest lists."""
    manifest = json.loads(files["manifest.json"])
    listed = set(manifest)
    present = set(files) - {"manifest.json", "signature"}
    return listed == present and all(
        hashlib.sha1(files[name]).hexdigest() == digest  # noqa: S324 — Apple's format
        for name, digest in manifest.items())


def openssl_verify(files: dict[str, bytes], ca_pem: str, tmp: Path) -> subprocess.CompletedProcess:
    """`openssl cms -verify` of the pass's signature over its manifest, with `ca_pem` as
    the only trust anchor."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is missing")
    (tmp / "signature").write_bytes(files["signature"])
    (tmp / "manifest.json").write_bytes(files["manifest.json"])
    (tmp / "ca.pem").write_text(ca_pem)
    return subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER",
         "-in", str(tmp / "signature"), "-content", str(tmp / "manifest.json"),
         "-CAfile", str(tmp / "ca.pem"), "-out", str(tmp / "verified")],
        capture_output=True, text=True, check=False)
