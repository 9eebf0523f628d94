from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Console commands (`postsale up`, `worker`, `demo`, `import-orders`, …): a front end
    like the API and the back office."""

    name = "postsale.ops"
    label = "ops"
