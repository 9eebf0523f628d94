"""The demo's documents: Apple Wallet passes signed with a development certificate, and a
small file behind the digital product (a second of silence as an MP3)."""

from datetime import datetime

from django.core.files.base import ContentFile

from postsale.core.audit import Actor
from postsale.orders.models import Product, ProductKind
from postsale.sellers.models import Seller
from postsale.sellers.wallet import wallet_pass_configure_dev

# One MPEG-1 Layer III frame header (128 kbit/s, 44.1 kHz, no padding): 417 bytes per
# frame (144 × 128000 / 44100); all-zero side information decodes as silence.
_FRAME = bytes([0xFF, 0xFB, 0x90, 0x00]) + bytes(413)


def silent_mp3(seconds: int = 1) -> bytes:
    return _FRAME * (seconds * 38)


def load_demo_documents(seller: Seller, products: dict[str, Product], *,
                        now: datetime) -> None:
    wallet_pass_configure_dev(seller=seller, actor=Actor("system", "demo"), now=now)
    for product in products.values():
        if product.kind == ProductKind.DIGITAL and not product.download_file:
            # No product service yet: the file is attached with the ORM.
            product.download_file.save(f"{product.sku}.mp3", ContentFile(silent_mp3()),
                                       save=True)
