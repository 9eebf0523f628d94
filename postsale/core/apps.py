from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "postsale.core"
    label = "core"
