from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from postsale.core.audit import Actor
from postsale.core.errors import DomainError
from postsale.sellers.models import Seller
from postsale.sellers.wallet import wallet_pass_configure_dev


class Command(BaseCommand):
    help = ("Apple Wallet passes: `postsale wallet dev-cert SELLER` signs the seller's "
            "passes with a self-signed development certificate (demos and testing).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        dev = sub.add_parser(
            "dev-cert", help="Create a development CA and pass certificate for SELLER and "
                             "use them for its passes (replaces its current setup).")
        dev.add_argument("seller", help="The seller's slug.")
        dev.add_argument("--ca-out", type=Path,
                         help="Where to write the development CA certificate (PEM), the "
                              "trust anchor for `openssl cms -verify` (default "
                              "var/wallet/SELLER-dev-ca.pem).")

    def handle(self, *args, action, seller, ca_out, **options):
        found = Seller.objects.filter(slug=seller).first()
        if found is None:
            raise CommandError(f"No seller {seller!r}.")
        try:
            row, dev = wallet_pass_configure_dev(seller=found, actor=Actor("system", "cli"))
        except DomainError as exc:
            raise CommandError(f"{exc.message} {exc.field_errors or ''}") from None
        path = ca_out or Path(settings.VAR_DIR) / "wallet" / f"{found.slug}-dev-ca.pem"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dev.ca_pem)
        self.stdout.write(self.style.SUCCESS(
            f"Passes of {found.slug} are now signed with a development certificate for "
            f"{row.pass_type_identifier} (team {row.team_identifier}), valid until "
            f"{row.certificate_expires_at:%Y-%m-%d}."))
        self.stdout.write(
            f"Development CA: {path}\n"
            "Wallet on a phone will not accept these passes; to check one:\n"
            "  unzip ENTRY.pkpass -d pass && openssl cms -verify -binary -inform DER "
            f"-in pass/signature -content pass/manifest.json -CAfile {path} -out /dev/null")
