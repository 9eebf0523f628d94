import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from postsale.sellers.models import Seller


def _wait_for_port(host: str, port: int, *, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


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
            call_command("demo", "--no-logins", stdout=self.stdout._out)

        me = [sys.executable, "-m", "postsale.cli"]
        children: list[subprocess.Popen] = []

        def stop(*_):
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        catch_mail = "EMAIL_HOST" not in os.environ
        if catch_mail:
            # Before the worker, so the first deliveries find the server listening.
            options = settings.MAILERS["default"]["OPTIONS"]
            children.append(subprocess.Popen([*me, "mailcatcher"]))  # noqa: S603
            if not _wait_for_port(options["host"], options["port"]):
                stop()
                raise CommandError(f"The mail catcher did not start on {options['host']}:"
                                   f"{options['port']}; is the port taken? Set EMAIL_HOST "
                                   "to use a real SMTP server.")
        children.append(subprocess.Popen([*me, "web", "--bind", bind]))  # noqa: S603
        children.append(subprocess.Popen([*me, "worker"]))  # noqa: S603
        host, _, port = bind.rpartition(":")
        _wait_for_port(host or "127.0.0.1", int(port))
        self._announce(bind, catch_mail)
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

    def _announce(self, bind: str, catch_mail: bool) -> None:
        from postsale.ops.demo import DEMO_LOGINS, DEMO_SLUG

        url = f"http://{bind}/"
        self.stdout.write(self.style.SUCCESS(f"\npostsale is running at {url}"))
        if Seller.objects.filter(slug=DEMO_SLUG).exists():
            self.stdout.write("Demo logins (username / password):")
            for username, password, role in DEMO_LOGINS:
                self.stdout.write(f"  {username:<8} / {password:<8}  ({role})")
        self.stdout.write(f"API docs: {url}api/docs   Operator admin: {url}admin/")
        if catch_mail:
            self.stdout.write(f"E-mails are caught in {settings.POSTSALE_MAIL_DIR}.")
        self.stdout.write("Press Ctrl+C to stop.\n")
        self.stdout.flush()
