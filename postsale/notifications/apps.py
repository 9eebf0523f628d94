from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "postsale.notifications"
    label = "notifications"

    def ready(self):
        from postsale.core import periodic
        from postsale.notifications.services import notifications_sweep

        periodic.register("notifications", notifications_sweep)
