"""Who may see what in the back office: the one place that resolves the current seller and
the user's role there. Views declare what they need with `@seller_required(can=Cap.…)`,
from the table in `permissions.py`."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from postsale.backoffice.permissions import Cap, Capabilities, caps_of, roles_for
from postsale.sellers.models import Role, Seller
from postsale.sellers.selectors import member_role, sellers_for_user

SESSION_KEY = "backoffice_seller_id"
ALL_ROLES = frozenset(Role.values)
# Past this many sellers (platform operators), the header links to the full list instead.
SWITCHER_LIMIT = 20


@dataclass(frozen=True)
class SellerAccess:
    """The seller a request acts for and the user's role there."""

    seller: Seller
    role: str
    # The first sellers the user may switch to, for the header (at most SWITCHER_LIMIT + 1).
    choices: tuple[Seller, ...] = ()
    # A platform operator (superuser): acts as an owner of every seller, member or not.
    operator: bool = False

    @property
    def choices_truncated(self) -> bool:
        return len(self.choices) > SWITCHER_LIMIT

    @property
    def role_label(self) -> str:
        return _("Platform operator") if self.operator else Role(self.role).label

    @property
    def can(self) -> Capabilities:
        """For templates: `request.access.can.act_on_orders`."""
        return Capabilities(caps_of(self.role))

    def has(self, cap: Cap) -> bool:
        return cap in caps_of(self.role)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.seller.time_zone)


def seller_access(request: HttpRequest) -> SellerAccess | None:
    """The session's seller if the user may still use it, else their first seller; None
    when the user belongs to no seller."""
    sellers = sellers_for_user(request.user).order_by("name", "pk")
    choices = tuple(sellers[: SWITCHER_LIMIT + 1])
    if not choices:
        return None
    seller_id = request.session.get(SESSION_KEY)
    seller = next((s for s in choices if s.pk == seller_id), None)
    if seller is None and seller_id and len(choices) > SWITCHER_LIMIT:
        seller = sellers.filter(pk=seller_id).first()
    if seller is None:
        seller = choices[0]
        request.session[SESSION_KEY] = seller.pk
    role = member_role(request.user, seller)
    if not role:
        return None
    return SellerAccess(seller=seller, role=role, choices=choices,
                        operator=request.user.is_superuser)


def seller_select(request: HttpRequest, seller: Seller) -> None:
    """Make `seller` the current one. The caller has checked the user may use it."""
    request.session[SESSION_KEY] = seller.pk


def seller_required(view: Callable | None = None, *, can: Cap | None = None,
                    roles: Iterable[str] = ALL_ROLES):
    """Log-in required, a current seller resolved into `request.access`, the user's role
    there allowed to do `can` (or among `roles`), and times rendered in the seller's time
    zone. A role that may not is answered 403 with a page that says so."""
    allowed = roles_for(can) if can is not None else frozenset(roles)

    def decorator(func: Callable) -> Callable:
        @wraps(func)
        @login_required
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            access = seller_access(request)
            if access is None:
                return render(request, "backoffice/no_access.html", status=403)
            request.access = access
            if access.role not in allowed:
                return render(request, "backoffice/forbidden.html", status=403)
            with timezone.override(access.tz):
                return func(request, *args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator
