"""Public numbers (PID-…, TID-…) and secrets.

Numbers are for reading aloud on the phone: short, no look-alike characters. They never
grant access; secrets (≥128 bits) do."""

import secrets

# Crockford-style alphabet without I, L, O, U: nothing to confuse with 1, 0 or V.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def public_number(prefix: str, length: int = 8) -> str:
    return f"{prefix}-" + "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_secret() -> str:
    """192 random bits, URL-safe: fits a QR code and a signed link."""
    return secrets.token_urlsafe(24)
