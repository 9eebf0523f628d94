from django.apps import AppConfig


class CheckinConfig(AppConfig):
    name = "postsale.checkin"
    label = "checkin"
