from django.core.management.base import BaseCommand

from postsale.core.periodic import run_sweep


class Command(BaseCommand):
    help = "Process everything that is due now (outbox retries, timers) once, then exit."

    def handle(self, *args, **options):
        for name, count in run_sweep().items():
            status = "failed (see log)" if count < 0 else f"{count} processed"
            self.stdout.write(f"{name}: {status}")
