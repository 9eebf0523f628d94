from django import template

register = template.Library()


@register.inclusion_tag("core/_email_typo.html")
def email_typo_choice(field) -> dict:
    """The "did you mean …?" buttons under an e-mail field of an EmailTypoCheckMixin form,
    when its address looks mistyped."""
    typo = getattr(field.form, "email_typos", {}).get(field.name)
    if not typo:
        return {"typo": None}
    typed, suggestion = typo
    return {"typo": True, "typed": typed, "suggestion": suggestion,
            "name": field.html_name, "id": field.auto_id}
