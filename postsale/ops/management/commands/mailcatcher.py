import signal
import threading
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.management.base import BaseCommand


class _Keep:
    """aiosmtpd handler: every message becomes the next numbered .eml file."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.last = max((int(p.stem) for p in folder.glob("*.eml") if p.stem.isdigit()),
                        default=0)

    async def handle_DATA(self, server, session, envelope):
        path = self._write(envelope.content)
        message = message_from_bytes(envelope.content, policy=policy.default)
        print(f"mail → {', '.join(envelope.rcpt_tos)}: {message['subject']} ({path.name})",
              flush=True)
        return "250 Message accepted for delivery"

    def _write(self, content: bytes) -> Path:
        # Never overwrite a kept message, even if someone deleted or added files meanwhile.
        while True:
            self.last += 1
            path = self.folder / f"{self.last:06d}.eml"
            try:
                with path.open("xb") as file:
                    file.write(content)
                return path
            except FileExistsError:
                continue


def default_folder() -> Path:
    return Path(settings.POSTSALE_MAIL_DIR)


class Command(BaseCommand):
    help = "A local SMTP server for development: keeps every message as a .eml file."

    def add_arguments(self, parser):
        options = settings.MAILERS["default"].get("OPTIONS", {})
        parser.add_argument("--host", default=options.get("host", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=options.get("port", 1025))
        parser.add_argument("--folder", type=Path, default=None,
                            help="Where to keep the .eml files (default: the "
                                 "POSTSALE_MAIL_DIR setting, else var/mail).")

    def handle(self, *args, host, port, folder, **options):
        folder = folder or default_folder()
        folder.mkdir(parents=True, exist_ok=True)
        controller = Controller(_Keep(folder), hostname=host, port=port)
        controller.start()
        self.stdout.write(f"Mail catcher on {host}:{port}, keeping mail in {folder}")
        self.stdout.flush()
        done = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: done.set())
        signal.signal(signal.SIGINT, lambda *_: done.set())
        done.wait()
        controller.stop()
