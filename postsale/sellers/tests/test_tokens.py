import pytest

from postsale.core.errors import Invalid
from postsale.sellers.models import ApiToken
from postsale.sellers.services import api_token_authenticate, api_token_create


def test_only_a_hash_of_the_token_is_stored(seller):
    token, plain = api_token_create(seller=seller, name="shop")
    assert plain.startswith("pst_") and len(plain) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert plain not in (stored.token_hash, stored.prefix + stored.token_hash)
    assert api_token_authenticate(plain) == token


def test_revoked_and_unknown_tokens_do_not_authenticate(seller):
    token, plain = api_token_create(seller=seller, name="shop")
    assert api_token_authenticate(plain + "x") is None
    token.revoked_at = token.created_at
    token.save()
    assert api_token_authenticate(plain) is None


def test_unknown_scopes_are_refused(seller):
    with pytest.raises(Invalid) as exc:
        api_token_create(seller=seller, name="shop", scopes=["orders:read", "everything"])
    assert "everything" in exc.value.field_errors["scopes"]
    assert not ApiToken.objects.exists()
