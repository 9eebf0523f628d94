from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "postsale.api"
    label = "api"
