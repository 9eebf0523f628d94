from postsale.notifications.models import Notification


def notifications_tagged(tag: str):
    return Notification.objects.filter(tags__tag=tag).order_by("-created_at", "-id")
