import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web app (gunicorn). Stateless: run as many as you need."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("POSTSALE_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int,
                            default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args, bind, workers, threads, **options):
        args = [sys.executable, "-m", "gunicorn", "config.wsgi:application",
                "--bind", bind, "--workers", str(workers), "--threads", str(threads),
                "--access-logfile", "-", "--graceful-timeout", "10"]
        sys.stdout.flush()
        os.execv(sys.executable, args)  # noqa: S606 — replaces this process with gunicorn
