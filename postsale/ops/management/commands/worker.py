import logging
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.crypto import get_random_string

from postsale.core.periodic import run_sweep

log = logging.getLogger("postsale.worker")

DB_BACKEND = "django_tasks_db.DatabaseBackend"
CELERY_BACKEND = "django_tasks_celery.CeleryBackend"


class Command(BaseCommand):
    help = ("Run a background worker: executes queued tasks and, every "
            "POSTSALE_SWEEP_INTERVAL seconds, processes whatever is due. Start as many as "
            "you need; row locks keep them from doing the same work twice.")

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds between polls for new tasks (default 1).")
        parser.add_argument("--no-sweep", action="store_true",
                            help="Only run tasks; leave due items to other workers.")
        parser.add_argument("--concurrency", type=int, default=4,
                            help="Tasks run at once by the Celery backend (default 4); the "
                                 "database backend runs one at a time per worker.")

    def handle(self, *args, interval, no_sweep, concurrency, **options):
        backend = settings.TASKS["default"]["BACKEND"]
        run = {DB_BACKEND: self._run_db_worker, CELERY_BACKEND: self._run_celery_worker}.get(
            backend)
        if run is None:
            raise CommandError(f"`postsale worker` runs the database ({DB_BACKEND}) or the "
                               f"Celery ({CELERY_BACKEND}) task backend; the configured "
                               f"backend is {backend}.")
        stop = threading.Event()
        if not no_sweep:
            threading.Thread(target=self._sweep_forever, args=(stop,), daemon=True,
                             name="sweep").start()
        self.stdout.write("Worker started (tasks only)." if no_sweep else
                          "Worker started (tasks + sweep every "
                          f"{settings.POSTSALE_SWEEP_INTERVAL}s).")
        try:
            run(interval=interval, concurrency=concurrency)
        finally:
            stop.set()

    @staticmethod
    def _run_db_worker(*, interval: float, concurrency: int) -> None:
        from django_tasks_db.management.commands.db_worker import Worker

        worker = Worker(queue_names=["default"], interval=interval, batch=False,
                        backend_name="default", startup_delay=True, max_tasks=None,
                        worker_id=get_random_string(32), excluded_queue_names=[])
        worker.configure_signals()
        worker.run()

    @staticmethod
    def _run_celery_worker(*, interval: float, concurrency: int) -> None:
        from config.celery import app, import_tasks

        import_tasks()
        # Threads, not forked children: the sweep thread of this process must not be
        # copied half-way through a lock into a fork. Tasks wait on SMTP and providers.
        app.worker_main(["worker", "--pool", "threads", "--concurrency", str(concurrency),
                         "--loglevel", "WARNING", "--without-gossip", "--without-mingle"])

    @staticmethod
    def _sweep_forever(stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                done = run_sweep()
            except Exception:
                # e.g. the database is briefly unreachable. A dead sweep thread would leave
                # every retry undone while tasks keep running, so log and go on.
                log.exception("Sweep failed; trying again in %ss",
                              settings.POSTSALE_SWEEP_INTERVAL)
            else:
                if any(done.values()):
                    log.info("Sweep: %s", done)
            stop.wait(settings.POSTSALE_SWEEP_INTERVAL)
        connection.close()
