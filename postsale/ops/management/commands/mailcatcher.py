import signal
import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.management.base import BaseCommand


class _Keep:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        message = message_from_bytes(envelope.content, policy=policy.default)
        name = f"{len(list(self.folder.glob('*.eml'))) + 1:06d}.eml"
        (self.folder / name).write_bytes(envelope.content)
        print(f"mail → {', '.join(envelope.rcpt_tos)}: {message['subject']}", flush=True)
        return "250 Message accepted for delivery"


class Command(BaseCommand):
    help = "A local SMTP server for development: keeps every message as a .eml file."

    def add_arguments(self, parser):
        options = settings.MAILERS["default"].get("OPTIONS", {})
        parser.add_argument("--host", default=options.get("host", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=options.get("port", 1025))

    def handle(self, *args, host, port, **options):
        folder = settings.VAR_DIR / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        controller = Controller(_Keep(folder), hostname=host, port=port)
        controller.start()
        self.stdout.write(f"Mail catcher on {host}:{port}, keeping mail in {folder}")
        done = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: done.set())
        signal.signal(signal.SIGINT, lambda *_: done.set())
        done.wait()
        controller.stop()
