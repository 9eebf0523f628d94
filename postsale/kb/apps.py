from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "postsale.kb"
    label = "kb"
    verbose_name = "Knowledge base"

    def ready(self):
        from postsale.kb.services import kb_seed_on_seller_created
        from postsale.sellers.services import seller_created

        # Every new seller starts with the starter articles (SPEC §6, §10).
        seller_created.connect(kb_seed_on_seller_created, dispatch_uid="kb-starter-articles")
