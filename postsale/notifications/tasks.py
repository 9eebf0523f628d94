from django.tasks import task

from postsale.notifications.services import notification_deliver


@task
def deliver_notification(notification_id: int) -> str | None:
    return notification_deliver(notification_id=notification_id)
