from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "postsale.payments"
    label = "payments"

    def ready(self):
        from postsale.core import periodic
        from postsale.payments.exchanges import exchanges_expiry_sweep
        from postsale.payments.refunds import refunds_sweep

        periodic.register("refunds", refunds_sweep)
        periodic.register("exchanges_expiry", exchanges_expiry_sweep)
