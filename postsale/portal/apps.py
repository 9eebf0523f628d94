from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "postsale.portal"
    label = "portal"
