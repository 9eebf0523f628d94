from django.apps import AppConfig


class SellersConfig(AppConfig):
    name = "postsale.sellers"
    label = "sellers"
