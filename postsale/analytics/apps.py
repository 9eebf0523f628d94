from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "postsale.analytics"
    label = "analytics"
