from postsale.core.audit import Actor
from postsale.kb.services import ArticleDraft, TranslationDraft, article_create

EDITOR = Actor("user", "editor")


def make_article(seller, *, slug: str, tags=(), position: int = 100, active: bool = True,
                 **translations):
    """`translations`: language=(title, body[, checklist])."""
    drafts = {lang: TranslationDraft(title=t[0], body=t[1],
                                     checklist=tuple(t[2]) if len(t) > 2 else ())
              for lang, t in translations.items()}
    return article_create(seller=seller, actor=EDITOR, draft=ArticleDraft(
        slug=slug, tags=tuple(tags), position=position, active=active, translations=drafts))
