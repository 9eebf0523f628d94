from django.core.management.base import BaseCommand, CommandError

from postsale.core.audit import Actor
from postsale.core.errors import DomainError
from postsale.sellers.models import Role
from postsale.sellers.services import channel_create, member_add, seller_create


class Command(BaseCommand):
    help = "Manage sellers: `postsale seller create SLUG --name … --email …`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a seller with an owner login.")
        create.add_argument("slug")
        create.add_argument("--name", required=True)
        create.add_argument("--email", required=True, help="Account e-mail address.")
        create.add_argument("--support-email", default="")
        create.add_argument("--time-zone", default="Europe/Warsaw")
        create.add_argument("--country", default="PL")
        create.add_argument("--language", default="en")
        create.add_argument("--currency", default="PLN")
        create.add_argument("--channel", default="web-shop",
                            help="Code of a first sales channel (default web-shop).")
        create.add_argument("--owner", help="Username of an owner login to create.")
        create.add_argument("--password", help="Password for --owner.")

    def handle(self, *args, action, **o):
        actor = Actor("system", "cli")
        try:
            seller = seller_create(slug=o["slug"], name=o["name"], account_email=o["email"],
                                   support_email=o["support_email"], time_zone=o["time_zone"],
                                   country=o["country"], language=o["language"],
                                   currency=o["currency"], actor=actor)
        except DomainError as exc:
            raise CommandError(f"{exc.message} {exc.field_errors or ''}") from None
        channel_create(seller=seller, code=o["channel"], name=o["channel"].replace("-", " ").title())
        if o["owner"]:
            member_add(seller=seller, username=o["owner"], email=o["email"],
                       password=o["password"], role=Role.OWNER, actor=actor)
        self.stdout.write(self.style.SUCCESS(f"Seller {seller.slug} created (id {seller.pk})."))
