"""Where an order's mail goes, and sending it again (SPEC §6, §8): correct the e-mail
address, resend the receipt and entries, e-mail a fresh link, revoke the links. The same
services behind the customer's order page, "find my order", and the back office.

A customer (or anyone who has a customer's link, or guesses an e-mail and an order number)
must not be able to make us mail-bomb an address: what a customer's action sends about one
order is limited per hour (POSTSALE_CUSTOMER_MAIL_PER_ORDER). Agents are not limited;
everything is audited."""

import logging
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from postsale.core import clock
from postsale.core.audit import Actor, audit
from postsale.core.contact import check_email, mask_email
from postsale.core.errors import Conflict, Invalid, RateLimited
from postsale.core.ratelimit import Rate, rate_hit
from postsale.notifications.services import notification_queue
from postsale.orders import emails
from postsale.orders.links import order_url
from postsale.orders.models import Customer, Order
from postsale.orders.selectors import orders_for_customer
from postsale.orders.services import order_lock

log = logging.getLogger(__name__)

# Why an "order link" e-mail was sent; the e-mail says it in its first line.
LINK_REASONS = ("requested", "revoked")


def _lock(order: Order) -> Order:
    return order_lock(seller=order.seller, number=order.number)


def _customer_mail_allowed(order: Order, actor: Actor) -> None:
    if actor.kind != "customer":
        return
    if not rate_hit("order-mail", str(order.pk),
                    Rate(settings.POSTSALE_CUSTOMER_MAIL_PER_ORDER)):
        raise RateLimited(_(
            "We have already sent several e-mails about order %(number)s in the last hour. "
            "Please check your spam and other folders, and try again in an hour.")
            % {"number": order.number})


def order_receipt_resend(*, order: Order, actor: Actor,
                         now: datetime | None = None) -> Order:
    """The receipt again, with the entries (their QR codes) when the order has valid
    ones, to the order's address."""
    now = now or clock.now()
    with transaction.atomic():
        order = _lock(order)
        if order.paid_at is None:
            raise Conflict("order_not_paid", _(
                "Order %(number)s has no receipt yet: it is %(status)s. The receipt and the "
                "entries are e-mailed as soon as the payment is confirmed.")
                % {"number": order.number, "status": order.get_status_display().lower()})
        _customer_mail_allowed(order, actor)
        audit(seller=order.seller, obj=order, action="order.receipt_resent", actor=actor,
              now=now, data={"to": order.email})
        emails.queue_paid_order_mail(order, now=now)
    return order


def order_link_send(*, order: Order, actor: Actor, reason: str = "requested",
                    now: datetime | None = None) -> Order:
    """E-mail the order's address a link to the order page (the current generation)."""
    assert reason in LINK_REASONS, reason
    now = now or clock.now()
    with transaction.atomic():
        order = _lock(order)
        _customer_mail_allowed(order, actor)
        audit(seller=order.seller, obj=order, action="order.link_sent", actor=actor, now=now,
              data={"to": order.email, "reason": reason})
        _queue_link(order, reason=reason, now=now)
    return order


def _queue_link(order: Order, *, reason: str, now: datetime) -> None:
    notification_queue(
        kind="order_link", **emails.to_customer(order, now),
        context=emails.order_context(order) | {"link": order_url(order), "reason": reason})


def order_links_revoke(*, order: Order, actor: Actor, send: bool = True,
                       now: datetime | None = None) -> Order:
    """Every link to the order sent so far stops working (a forwarded or leaked e-mail);
    with `send`, the order's address gets a fresh one."""
    now = now or clock.now()
    with transaction.atomic():
        order = _lock(order)
        order.link_generation += 1
        order.save(update_fields=["link_generation"])
        audit(seller=order.seller, obj=order, action="order.links_revoked", actor=actor,
              now=now, data={"generation": order.link_generation, "sent_to": order.email
                             if send else None})
        if send:
            _queue_link(order, reason="revoked", now=now)
    return order


def order_email_change(*, order: Order, email: str, actor: Actor,
                       typo_confirmed: bool = False, now: datetime | None = None) -> Order:
    """Correct the order's e-mail address. The new address gets a confirmation with a
    fresh link (earlier links are revoked: they may sit in a mailbox that is not the
    customer's) and, for a paid order, the receipt and entries again; the old address
    gets a notice without any link. A likely typo raises EmailTypo unless confirmed."""
    now = now or clock.now()
    new = check_email(email, field="email", typo_confirmed=typo_confirmed)
    if len(new) > Order._meta.get_field("email").max_length:
        raise Invalid(_("The e-mail address is too long."),
                      {"email": _("The e-mail address is too long.")})
    with transaction.atomic():
        order = _lock(order)
        old = order.email
        if new == old:
            message = _("%(email)s is already this order's address.") % {"email": old}
            raise Invalid(message, {"email": message}, code="email_unchanged")
        _customer_mail_allowed(order, actor)
        order.customer = _customer_for(order, new=new)
        order.email = new
        order.link_generation += 1
        order.save(update_fields=["email", "customer", "link_generation"])
        audit(seller=order.seller, obj=order, action="order.email_changed", actor=actor,
              now=now, data={"from": old, "to": new, "customer": order.customer_id})
        _queue_email_changed(order, old=old, now=now)
        if order.paid_at is not None:
            emails.queue_paid_order_mail(order, now=now)
    return order


def _customer_for(order: Order, *, new: str) -> Customer:
    """Whose order it is at the new address: the seller's customer who already has that
    address; else the same customer with the address corrected, when no other order of
    theirs still uses their old one; else a new customer with the same name (the old
    address keeps its other orders)."""
    customer = Customer.objects.select_for_update().get(pk=order.customer_id)
    existing = Customer.objects.filter(seller=order.seller, email=new).first()
    if existing is not None:
        return existing
    still_used = (Order.objects.filter(customer=customer, email=customer.email)
                  .exclude(pk=order.pk).exists())
    try:
        with transaction.atomic():
            if not still_used:
                customer.email = new
                customer.save(update_fields=["email"])
                return customer
            return Customer.objects.create(
                seller=order.seller, email=new, first_name=customer.first_name,
                last_name=customer.last_name, phone=customer.phone,
                language=customer.language)
    except IntegrityError:  # an order for the new address created that customer meanwhile
        return Customer.objects.get(seller=order.seller, email=new)


def _queue_email_changed(order: Order, *, old: str, now: datetime) -> None:
    context = emails.order_context(order) | {"paid": order.paid_at is not None}
    common = emails.to_customer(order, now)
    notification_queue(kind="email_changed", context=context | {
        "to_old": False, "link": order_url(order), "old_email": old,
        "new_email": order.email}, **common)
    # The old address may not be the customer's (that is why it is corrected): no link,
    # and only a hint of the new address.
    notification_queue(kind="email_changed", context=context | {
        "to_old": True, "link": "", "old_email": old, "new_email": mask_email(order.email),
        "customer": {"name": "", "email": old}}, **common | {"to_email": old})


def order_links_find_send(*, email: str, reference: str, seller=None,
                          now: datetime | None = None) -> int:
    """"Find my order": e-mail a fresh link for each order with this address and this
    order number, channel order number or payment id. Returns how many were sent; the
    person asking is never told (see the portal's find page)."""
    sent = 0
    for order in orders_for_customer(email=email, reference=reference, seller=seller):
        try:
            order_link_send(order=order, actor=Actor("customer", label=email[:50]), now=now)
        except RateLimited:
            log.info("Find my order: link for %s not sent, over the rate", order.number)
        else:
            sent += 1
    return sent
