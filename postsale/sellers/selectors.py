from django.contrib.auth.models import AbstractBaseUser

from postsale.sellers.models import Member, Seller


def sellers_for_user(user: AbstractBaseUser):
    """Sellers a back-office user may switch to. Superusers (platform operators) see all."""
    if user.is_superuser:
        return Seller.objects.all()
    return Seller.objects.filter(members__user=user)


def member_role(user: AbstractBaseUser, seller: Seller) -> str | None:
    if user.is_superuser:
        return "owner"
    return (Member.objects.filter(user=user, seller=seller)
            .values_list("role", flat=True).first())
