from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "postsale.orders"
    label = "orders"

    def ready(self):
        from postsale.core import periodic
        from postsale.orders.services import orders_expiry_sweep

        periodic.register("orders_expiry", orders_expiry_sweep)
