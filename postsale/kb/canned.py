"""Canned replies: an article inserted by an agent into the reply box, in the customer's
language, with the placeholders filled from the ticket's order. The agent edits it
before sending; nothing is sent from here."""

from postsale.kb.placeholders import fill
from postsale.kb.selectors import ShownArticle


def canned_text(article: ShownArticle, *, part: str, values: dict[str, str]) -> str:
    """The article's text ("body") or its steps as a numbered list ("checklist")."""
    if part == "checklist" and article.checklist:
        steps = "\n".join(f"{i}. {step}" for i, step in enumerate(article.checklist, 1))
        return fill(steps, values)
    return fill(article.body or article.title, values)
