"""Settings: API tokens. A new token is shown once, on the answer to the form that made
it (never stored, never cached); the list shows prefixes, scopes and last use."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from postsale.backoffice.access import seller_required
from postsale.backoffice.permissions import Cap
from postsale.backoffice.settings.forms import TokenForm, apply_errors
from postsale.backoffice.views import actor_of
from postsale.core.errors import DomainError
from postsale.sellers.models import ApiToken, Scope
from postsale.sellers.services import api_token_create, api_token_revoke


@seller_required(can=Cap.MANAGE_TOKENS)
@require_http_methods(["GET", "POST"])
def settings_tokens(request: HttpRequest) -> HttpResponse:
    seller = request.access.seller
    form = TokenForm(request.POST or None)
    created = plain = None
    if request.method == "POST" and form.is_valid():
        try:
            created, plain = api_token_create(seller=seller, name=form.cleaned_data["name"],
                                              scopes=form.cleaned_data["scopes"],
                                              actor=actor_of(request))
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            form = TokenForm()
    tokens = ApiToken.objects.filter(seller=seller).order_by("revoked_at", "-created_at")
    response = render(request, "backoffice/settings/tokens.html", {
        "form": form, "section": "tokens", "tokens": tokens, "created": created,
        "plain": plain, "scope_labels": dict(Scope.choices),
    }, status=422 if form.errors else 200)
    if created:
        add_never_cache_headers(response)
    return response


@seller_required(can=Cap.MANAGE_TOKENS)
@require_POST
def token_revoke_view(request: HttpRequest, token: int) -> HttpResponse:
    try:
        revoked = api_token_revoke(seller=request.access.seller,
                                   token_id=token if 0 < token < 2**63 else 0,
                                   actor=actor_of(request))
    except DomainError:
        raise Http404 from None
    messages.success(request, _("Token %(name)s (%(prefix)s…) is revoked: requests with it "
                                "are refused from now on.") % {
        "name": revoked.name, "prefix": revoked.prefix})
    return redirect("backoffice:settings_tokens")
