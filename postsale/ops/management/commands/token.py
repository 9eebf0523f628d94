from django.core.management.base import BaseCommand, CommandError

from postsale.core.audit import Actor
from postsale.core.errors import DomainError
from postsale.sellers.models import Scope, Seller
from postsale.sellers.services import api_token_create


class Command(BaseCommand):
    help = "Manage API tokens: `postsale token create SELLER_SLUG --name shop`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token; it is printed once.")
        create.add_argument("seller", help="Seller slug.")
        create.add_argument("--name", default="api")
        create.add_argument("--scope", action="append", dest="scopes",
                            help=f"Repeatable. Default: all of {', '.join(Scope.values)}.")

    def handle(self, *args, action, seller, name, scopes, **options):
        seller_obj = Seller.objects.filter(slug=seller).first()
        if seller_obj is None:
            raise CommandError(f"No seller with slug {seller!r}.")
        try:
            token, plain = api_token_create(seller=seller_obj, name=name, scopes=scopes,
                                            actor=Actor("system", "cli"))
        except DomainError as exc:
            raise CommandError(f"{exc.message} {exc.field_errors}") from None
        self.stdout.write(plain)
        self.stderr.write(f"Token {token.prefix}… for {seller_obj.slug} with scopes "
                          f"{', '.join(token.scopes)}. Store it now; it is not shown again.")
