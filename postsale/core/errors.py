"""Domain errors. Services raise them; each front end maps them to its medium in one place
(the API to HTTP status codes, pages to form errors and messages)."""

from dataclasses import dataclass, field


@dataclass
class DomainError(Exception):
    """A rule said no. `code` is stable and machine-readable; `message` tells the user what
    to do; `field_errors` points at the input that was wrong (field path → message)."""

    code: str
    message: str
    field_errors: dict[str, str] = field(default_factory=dict)
    status: int = 400  # the HTTP status the API answers with

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class NotFound(DomainError):
    def __init__(self, message: str, code: str = "not_found"):
        super().__init__(code=code, message=message, status=404)


class Conflict(DomainError):
    def __init__(self, code: str, message: str):
        super().__init__(code=code, message=message, status=409)


class Invalid(DomainError):
    def __init__(self, message: str, field_errors: dict[str, str] | None = None,
                 code: str = "invalid"):
        super().__init__(code=code, message=message, field_errors=field_errors or {},
                         status=422)


class RateLimited(DomainError):
    """Too many attempts in a short time; the message says when to try again."""

    def __init__(self, message: str, code: str = "rate_limited"):
        super().__init__(code=code, message=message, status=429)
