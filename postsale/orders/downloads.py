"""Digital downloads: a paid customer gets a time-limited signed link to the product's
file, made fresh from their order page. The link names only the order line; every check
(paid, not refunded, the file still there) is made again when it is used, and every
download is audited."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils.translation import gettext as _

from postsale.core import clock
from postsale.core.audit import Actor, audit
from postsale.core.errors import DomainError
from postsale.orders.links import absolute
from postsale.orders.models import OrderLine, OrderStatus, ProductKind

SALT = "postsale.download"
PAID = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)


def max_age() -> int:
    return settings.POSTSALE_DOWNLOAD_LINK_HOURS * 3600


def download_token(line: OrderLine) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"l": line.pk})


def download_link_path(line: OrderLine) -> str:
    return reverse("portal:download", args=[download_token(line)])


def download_url(line: OrderLine) -> str:
    return absolute(download_link_path(line))


@dataclass(frozen=True)
class DownloadLink:
    line: OrderLine | None  # None: not a link we made, or too old
    expired: bool = False  # a genuine link past its time: the page says how to renew it


def download_from_token(token: str) -> DownloadLink:
    signer = signing.TimestampSigner(salt=SALT)
    try:
        data = signer.unsign_object(token, max_age=max_age())
    except signing.SignatureExpired:
        return DownloadLink(None, expired=True)
    except (signing.BadSignature, ValueError, TypeError):
        return DownloadLink(None)
    line_id = data.get("l") if isinstance(data, dict) else None
    if not isinstance(line_id, int):
        return DownloadLink(None)
    line = (OrderLine.objects.select_related("order__seller", "order__customer", "product")
            .filter(pk=line_id).first())
    return DownloadLink(line)


def download_refusal(*, order_status: str, product_kind: str, has_file: bool,
                     refunded: bool) -> str | None:
    """None when the line's file may be downloaded now; otherwise why not, for the
    customer."""
    if product_kind != ProductKind.DIGITAL:
        return _("This product has nothing to download.")
    if order_status == OrderStatus.AWAITING_PAYMENT:
        return _("The download becomes available as soon as the payment is confirmed.")
    if refunded or order_status == OrderStatus.REFUNDED:
        return _("This purchase was refunded, so it can no longer be downloaded.")
    if order_status not in PAID:
        return _("This order is not paid, so there is nothing to download.")
    if not has_file:
        return _("The seller has not added the file yet. Please write to them.")
    return None


def downloadable_lines(lines) -> list[OrderLine]:
    return [line for line in lines if line.product.kind == ProductKind.DIGITAL]


def download_serve(*, line: OrderLine, refunded: bool, actor: Actor,
                   now: datetime | None = None) -> FieldFile:
    """Check the line may be downloaded now, audit the download, hand back the file.
    `refunded`: the line is in an active refund (payments.selectors.refunded_line_ids)."""
    now = now or clock.now()
    order, product = line.order, line.product
    reason = download_refusal(order_status=order.status, product_kind=product.kind,
                              has_file=bool(product.download_file), refunded=refunded)
    if reason is None and not product.download_file.storage.exists(product.download_file.name):
        reason = _("The file is missing on our side. Please write to the seller.")
    if reason:
        raise DomainError(code="download_unavailable", message=reason, status=403)
    audit(seller=order.seller, obj=order, action="download.served", actor=actor, now=now,
          data={"line": line.pk, "product": product.sku,
                "file": download_name(line)})
    return product.download_file


def download_name(line: OrderLine) -> str:
    return line.product.download_file.name.rsplit("/", 1)[-1]
