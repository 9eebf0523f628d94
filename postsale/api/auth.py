from ninja.security import HttpBearer

from postsale.core.errors import DomainError
from postsale.sellers.models import ApiToken
from postsale.sellers.services import api_token_authenticate


class TokenAuth(HttpBearer):
    """`Authorization: Bearer pst_…` — a seller's token. Every query is scoped to it."""

    openapi_description = "A seller's API token (`postsale token create SELLER`)."

    def authenticate(self, request, token: str) -> ApiToken | None:
        return api_token_authenticate(token)


def require_scope(request, scope: str) -> ApiToken:
    token: ApiToken = request.auth
    if scope not in token.scopes:
        raise DomainError(code="missing_scope", status=403,
                          message=f"This token lacks the {scope!r} scope; create one with it.")
    return token


def actor_of(token: ApiToken):
    from postsale.core.audit import Actor

    return Actor("api", token.prefix)
