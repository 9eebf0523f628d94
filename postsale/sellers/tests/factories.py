import itertools

from postsale.sellers.models import Role
from postsale.sellers.services import api_token_create, channel_create, member_add, seller_create

_n = itertools.count(1)


def make_seller(*, slug: str | None = None, **kwargs):
    slug = slug or f"seller-{next(_n)}"
    kwargs.setdefault("name", slug.replace("-", " ").title())
    kwargs.setdefault("account_email", f"owner@{slug}.example")
    seller = seller_create(slug=slug, **kwargs)
    channel_create(seller=seller, code="web-shop", name="Web shop")
    channel_create(seller=seller, code="box-office", name="Box office")
    return seller


def make_member(seller, *, role=Role.AGENT, username: str | None = None, password="pw"):
    return member_add(seller=seller, username=username or f"user-{next(_n)}",
                      password=password, role=role)


def make_token(seller, scopes=None) -> str:
    _, plain = api_token_create(seller=seller, name="test", scopes=scopes)
    return plain
