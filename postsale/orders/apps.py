from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "postsale.orders"
    label = "orders"
