"""Every API error has one shape: {"code", "message", "fields"}. Mapped here, once, and
declared here for the OpenAPI document."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import Field

from postsale.api.schemas import PATTERN_HINTS
from postsale.core.errors import DomainError


class Error(Schema):
    code: str = Field(description="Stable and machine-readable, e.g. `order_not_found`.")
    message: str = Field(description="What went wrong and what to do, for people.")
    fields: dict[str, str] = Field(
        default_factory=dict,
        description="Field path (`lines[0].quantity`, `customer.email`) → message.")


# What each status means on every endpoint; an endpoint may say more (see `errors()`).
DESCRIPTIONS = {
    400: "The body is not JSON (`malformed`).",
    401: "Missing, unknown or revoked token (`unauthorized`).",
    403: "The token lacks the scope this operation needs (`missing_scope`).",
    404: "No such order for this token's seller (`order_not_found`).",
    409: "Conflicts with what exists.",
    413: "The body is larger than the server accepts (`too_large`).",
    422: "Invalid input (`invalid`, `unknown_channel`, `invalid_email`, `invalid_phone`); "
         "`fields` lists each problem by field path.",
    503: "A payment provider could not be reached (`provider_unavailable`); nothing changed. "
         "Try again in a few minutes.",
}


def errors(*statuses: int, **details: str) -> tuple[dict, dict]:
    """(responses, openapi_extra) declaring the error statuses an operation can answer with.
    `details` (`e409="…"`) replaces the generic description of a status."""
    descriptions = {s: details.get(f"e{s}", DESCRIPTIONS[s]) for s in statuses}
    return ({s: Error for s in statuses},
            {"responses": {s: {"description": d} for s, d in descriptions.items()}})


def install(api: NinjaAPI) -> None:
    def error(request, status, code, message, fields=None):
        return api.create_response(
            request, {"code": code, "message": message, "fields": fields or {}}, status=status)

    def too_large(request):
        return error(request, 413, "too_large",
                     "The request body is too large: send at most 100 lines per order, "
                     "and attach files of at most "
                     f"{settings.POSTSALE_ATTACHMENT_MAX_BYTES // 1048576} MB each.")

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return error(request, exc.status, exc.code, exc.message, exc.field_errors)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        fields = {}
        for item in exc.errors:
            path = _loc(item.get("loc", ()))
            fields.setdefault(path, "Send a JSON object." if path == "body" else _message(item))
        return error(request, 422, "invalid", "The request has invalid fields; see `fields`.",
                     fields)

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return error(request, 401, "unauthorized",
                     "Send a valid API token: `Authorization: Bearer pst_…`.")

    # Django raises this when the body is read; ninja reads it outside its own parse guard.
    @api.exception_handler(RequestDataTooBig)
    def request_too_big(request, exc):
        return too_large(request)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return error(request, 404, "not_found", "Nothing here; check the URL.")

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if isinstance(exc.__cause__, RequestDataTooBig):
            return too_large(request)
        if exc.status_code == 400:
            return error(request, 400, "malformed",
                         "The request body is not valid JSON. Send a JSON object with "
                         "`Content-Type: application/json`.")
        return error(request, exc.status_code, "error", str(exc))


# Where ninja puts the parameter itself in an error location; what follows is the field path.
_SOURCES = ("body", "query", "path", "header", "cookie", "form", "file")


def _loc(parts) -> str:
    """("body", "body", "lines", 0, "quantity") → "lines[0].quantity"."""
    parts = list(parts)
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
        # A body parameter adds its own name ("body", "payload"…) before the fields.
        if len(parts) > 1 and not isinstance(parts[0], int) and parts[0] in ("body", "payload"):
            parts = parts[1:]
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def _message(item: dict) -> str:
    if item.get("type") in ("model_type", "model_attributes_type", "dict_type"):
        return "Expected a JSON object."
    if item.get("type") == "string_pattern_mismatch":
        hint = PATTERN_HINTS.get((item.get("ctx") or {}).get("pattern"))
        if hint:
            return hint
    return str(item.get("msg") or "Invalid value.").removeprefix("Value error, ")
