from django.core.management.base import BaseCommand, CommandError

from postsale.core.periodic import run_sweep


class Command(BaseCommand):
    help = ("Process everything that is due now (outbox retries, timers) once, then exit. "
            "Exits with status 1 if a job failed, so cron and monitoring notice.")

    def handle(self, *args, **options):
        done = run_sweep()
        for name, count in done.items():
            status = "failed (see log)" if count < 0 else f"{count} processed"
            self.stdout.write(f"{name}: {status}")
        failed = sorted(name for name, count in done.items() if count < 0)
        if failed:
            raise CommandError(f"Failed: {', '.join(failed)}. Their items stay due and are "
                               "retried by the next sweep.")
