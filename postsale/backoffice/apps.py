from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "postsale.backoffice"
    label = "backoffice"
