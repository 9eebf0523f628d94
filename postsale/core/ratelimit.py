"""Counting attempts per key in fixed windows, in Django's cache (shared by every web
process when the cache is: see CACHE_URL). Used where one person could otherwise make us
send mail to anyone, or probe for orders."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from postsale.core import clock


@dataclass(frozen=True)
class Rate:
    count: int  # attempts allowed per window; 0: no limit
    seconds: int = 3600


def _key(scope: str, value: str, window: int) -> str:
    # Hashed: keys may hold e-mail addresses, which are neither short nor cache-key safe.
    digest = hashlib.sha256(f"{scope}\x00{value}".encode()).hexdigest()[:32]
    return f"ratelimit:{digest}:{window}"


def rate_hit(scope: str, value: str, rate: Rate) -> bool:
    """Count one attempt of `value` in `scope`; False when it is over the rate."""
    if rate.count <= 0:
        return True
    window = int(clock.now().timestamp()) // rate.seconds
    key = _key(scope, value, window)
    if cache.add(key, 1, timeout=rate.seconds + 60):
        return True
    try:
        return cache.incr(key) <= rate.count
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=rate.seconds + 60)
        return True


def client_ip(request: HttpRequest) -> str:
    """The client's address. Behind POSTSALE_PROXY_COUNT trusted proxies it is the entry
    the outermost of them added to X-Forwarded-For (anything before it can be forged)."""
    proxies = settings.POSTSALE_PROXY_COUNT
    if proxies > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                     if p.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
