from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "postsale.payments"
    label = "payments"
