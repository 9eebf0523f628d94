"""Apple Wallet passes (.pkpass) for entries: a zip of pass.json, images, manifest.json
(SHA-1 of every file) and `signature`, a detached PKCS#7 signature of the manifest made
with the seller's Pass Type ID certificate, carrying Apple's WWDR intermediate. Wallet
checks the signature, then every file against the manifest."""

import hashlib
import io
import json
import zipfile
from functools import lru_cache

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw

from postsale.orders.documents.entries import check_printable, holder_name
from postsale.orders.models import Entry
from postsale.sellers.wallet import SigningMaterial

PKPASS_CONTENT_TYPE = "application/vnd.apple.pkpass"
BACKGROUND = (23, 32, 58)  # the customer pages' header colour
FOREGROUND = (255, 255, 255)
LABEL = (190, 200, 230)


def _rgb(color: tuple[int, int, int]) -> str:
    return "rgb({}, {}, {})".format(*color)


@lru_cache(maxsize=8)
def _image(width: int, height: int, scale: int) -> bytes:
    """A plain admission-ticket mark: Wallet requires an icon; the logo is optional."""
    w, h = width * scale, height * scale
    image = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    side = min(w, h)
    draw.rounded_rectangle((0, 0, side - 1, side - 1), radius=side // 5, fill=BACKGROUND)
    pad, notch = side // 5, side // 9
    draw.rounded_rectangle((pad, pad + side // 10, side - pad, side - pad - side // 10),
                           radius=side // 14, fill=FOREGROUND)
    for x in (pad, side - pad):  # the two notches of a paper ticket
        draw.ellipse((x - notch, side // 2 - notch, x + notch, side // 2 + notch),
                     fill=BACKGROUND)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


IMAGES = {"icon.png": (29, 29, 1), "icon@2x.png": (29, 29, 2), "icon@3x.png": (29, 29, 3),
          "logo.png": (50, 50, 1), "logo@2x.png": (50, 50, 2)}


def _when_field(entry: Entry) -> dict:
    slot = entry.time_slot
    if slot is None:
        return {"key": "when", "label": _("When"), "value": _("Any day")}
    # Shown as the seller's local time wherever the phone is: the gate's clock.
    return {"key": "when", "label": _("When"), "dateStyle": "PKDateStyleMedium",
            "timeStyle": "PKDateStyleShort", "ignoresTimeZone": True,
            "value": timezone.localtime(slot.starts_at).isoformat()}


def pass_json(entry: Entry, material: SigningMaterial) -> dict:
    """The pass's content, in the active language and time zone."""
    order, product = entry.order, entry.line.product
    seller = order.seller
    barcode = {"format": "PKBarcodeFormatQR", "message": entry.secret,
               "messageEncoding": "iso-8859-1", "altText": entry.number}
    data = {
        "formatVersion": 1,
        "passTypeIdentifier": material.pass_type_identifier,
        "teamIdentifier": material.team_identifier,
        "serialNumber": entry.number,
        "organizationName": seller.name,
        "description": _("%(product)s – entry %(number)s") % {"product": product.name,
                                                             "number": entry.number},
        "logoText": seller.name,
        "foregroundColor": _rgb(FOREGROUND), "backgroundColor": _rgb(BACKGROUND),
        "labelColor": _rgb(LABEL),
        "barcodes": [barcode],
        "barcode": barcode,  # iOS before 9 reads only this one
        "eventTicket": {
            "primaryFields": [{"key": "event", "label": _("Event"), "value": product.name}],
            "secondaryFields": [_when_field(entry)],
            "auxiliaryFields": [
                {"key": "holder", "label": _("Name"), "value": holder_name(order)},
                {"key": "entry", "label": _("Entry"), "value": entry.number}],
            "backFields": [
                {"key": "order", "label": _("Order"), "value": order.number},
                {"key": "seller", "label": _("Sold by"),
                 "value": f"{seller.name}\n{seller.reply_to_email}"},
                {"key": "terms", "label": _("Good to know"),
                 "value": _("The code lets one person in once: do not share it.")}],
        },
    }
    if entry.time_slot:
        data["relevantDate"] = timezone.localtime(entry.time_slot.starts_at).isoformat()
        data["expirationDate"] = timezone.localtime(entry.time_slot.ends_at).isoformat()
    return data


def sign_manifest(manifest: bytes, material: SigningMaterial) -> bytes:
    """Detached PKCS#7 (DER) over the manifest's exact bytes, with the WWDR intermediate."""
    return (pkcs7.PKCS7SignatureBuilder().set_data(manifest)
            .add_signer(material.certificate, material.private_key, hashes.SHA256())
            .add_certificate(material.wwdr)
            .sign(serialization.Encoding.DER,
                  [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]))


def entry_pass(entry: Entry, material: SigningMaterial) -> bytes:
    """The .pkpass of a valid entry, in the order's language and the seller's time zone."""
    check_printable(entry)
    order = entry.order
    with translation.override(order.language), timezone.override(order.seller.time_zone):
        files = {"pass.json": json.dumps(pass_json(entry, material), ensure_ascii=False,
                                         indent=1).encode()}
    files |= {name: _image(*size) for name, size in IMAGES.items()}
    manifest = json.dumps({name: hashlib.sha1(content).hexdigest()  # noqa: S324 — Apple's format
                           for name, content in files.items()}, indent=1).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
        archive.writestr("manifest.json", manifest)
        archive.writestr("signature", sign_manifest(manifest, material))
    return buffer.getvalue()


def pass_filename(entry: Entry) -> str:
    return f"{entry.number}.pkpass"
