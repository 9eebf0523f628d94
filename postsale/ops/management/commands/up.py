import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from postsale.sellers.models import Seller


class Command(BaseCommand):
    help = ("Start everything in one process group: migrations, demo data on the first "
            "start, the web server, a background worker and (unless EMAIL_HOST is set) a "
            "local mail catcher that keeps every e-mail under var/mail/.")

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("POSTSALE_BIND", "127.0.0.1:8000"))
        parser.add_argument("--no-demo", action="store_true", help="Do not load demo data.")

    def handle(self, *args, bind, no_demo, **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready.")
        if not no_demo and not Seller.objects.exists():
            self.stdout.write("First start: loading demo data…")
            call_command("demo")

        me = [sys.executable, "-m", "postsale.cli"]
        children = []
        if "EMAIL_HOST" not in os.environ:
            children.append(subprocess.Popen([*me, "mailcatcher"]))  # noqa: S603
        children.append(subprocess.Popen([*me, "web", "--bind", bind]))  # noqa: S603
        children.append(subprocess.Popen([*me, "worker"]))  # noqa: S603

        from postsale.ops.demo import DEMO_LOGINS

        url = f"http://{bind}/"
        self.stdout.write(self.style.SUCCESS(f"\npostsale is running at {url}"))
        if Seller.objects.filter(slug="demo").exists():
            self.stdout.write("Demo logins (username / password):")
            for username, password, role in DEMO_LOGINS:
                self.stdout.write(f"  {username:<8} / {password}   ({role})")
        self.stdout.write(f"API docs: {url}api/docs   Operator admin: {url}admin/")
        if "EMAIL_HOST" not in os.environ:
            self.stdout.write(f"E-mails are caught in {settings.POSTSALE_MAIL_DIR}.")
        self.stdout.write("Press Ctrl+C to stop.\n")
        sys.stdout.flush()

        def stop(*_):
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
