import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from postsale.sellers.models import Member, SalesChannel, Seller
from postsale.sellers.services import api_token_authenticate


@pytest.mark.django_db
def test_seller_create_with_owner_and_first_channel():
    call_command("seller", "create", "kino", "--name", "Kino Luna", "--email", "a@kino.pl",
                 "--owner", "luna", "--password", "s3cret-pass", stdout=io.StringIO())
    seller = Seller.objects.get(slug="kino")
    assert SalesChannel.objects.filter(seller=seller, code="web-shop").exists()
    assert Member.objects.get(seller=seller).role == "owner"
    assert authenticate(username="luna", password="s3cret-pass")


@pytest.mark.django_db
def test_seller_create_refuses_a_taken_slug_or_bad_currency(seller):
    with pytest.raises(CommandError, match="slug"):
        call_command("seller", "create", seller.slug, "--name", "X", "--email", "x@x.pl")
    with pytest.raises(CommandError, match="currency"):
        call_command("seller", "create", "new", "--name", "X", "--email", "x@x.pl",
                     "--currency", "XYZ")
    assert Seller.objects.count() == 1


@pytest.mark.django_db
def test_token_create_prints_a_working_token_once(seller):
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "create", seller.slug, "--scope", "orders:read", stdout=out,
                 stderr=err)
    token = api_token_authenticate(out.getvalue().strip())
    assert token.seller == seller and token.scopes == ["orders:read"]
    assert "not shown again" in err.getvalue()


@pytest.mark.django_db
def test_token_create_for_unknown_seller():
    with pytest.raises(CommandError, match="No seller"):
        call_command("token", "create", "nobody")
