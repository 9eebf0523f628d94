import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from postsale.ops.demo import DEMO_LOGINS, DEMO_SLUG, load_demo


class Command(BaseCommand):
    help = gettext_lazy("Load the demo seller (slug demo) with products, about 300 orders of the last "
             "60 days and logins for each role. Does nothing if the demo seller exists. "
             "The orders' e-mails are queued for the worker, not sent now.")

    def add_arguments(self, parser):
        parser.add_argument("--no-logins", action="store_true",
                            help=gettext_lazy("Do not list the demo logins."))

    def handle(self, *args, no_logins=False, **options):
        started = time.monotonic()
        result = load_demo()
        if result.seller is None:
            self.stdout.write(_("The demo seller %(slug)r exists already; nothing loaded.")
                              % {"slug": DEMO_SLUG})
            return
        self.stdout.write(self.style.SUCCESS(
            _("Demo data loaded in %(seconds).1f s: seller %(slug)r with %(orders)s orders.")
            % {"seconds": time.monotonic() - started, "slug": DEMO_SLUG,
               "orders": result.orders}))
        for username, password, role in [] if no_logins else DEMO_LOGINS:
            if username in result.skipped_logins:
                self.stdout.write(_("  %(user)s: a user with this name exists; left "
                                    "unchanged.") % {"user": username})
            else:
                self.stdout.write(f"  {username:<8} / {password:<8}  ({role})")
