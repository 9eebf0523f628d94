from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "postsale.tickets"
    label = "tickets"

    def ready(self):
        from postsale.core import periodic
        from postsale.tickets.timers import tickets_sweep

        # Registered after the payments jobs, so a refund this sweep asks for is sent by
        # the refunds job of the next sweep or, sooner, by its own task.
        periodic.register("tickets", tickets_sweep)
