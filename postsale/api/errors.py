"""Every API error has one shape: {"code", "message", "fields"}. Mapped here, once."""

from django.core.exceptions import RequestDataTooBig
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from postsale.core.errors import DomainError


class Error(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 413: Error, 422: Error}


def _loc(parts) -> str:
    path = ""
    for part in parts:
        if part in ("body", "query", "path", "header", "payload"):
            continue
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def install(api: NinjaAPI) -> None:
    def error(request, status, code, message, fields=None):
        return api.create_response(
            request, {"code": code, "message": message, "fields": fields or {}}, status=status)

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return error(request, exc.status, exc.code, exc.message, exc.field_errors)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        fields = {}
        for item in exc.errors:
            fields.setdefault(_loc(item.get("loc", ())), item.get("msg", "Invalid value."))
        return error(request, 422, "invalid", "The request has invalid fields; see `fields`.",
                     fields)

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return error(request, 401, "unauthorized",
                     "Send a valid API token: `Authorization: Bearer pst_…`.")

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if isinstance(exc.__cause__, RequestDataTooBig):
            return error(request, 413, "too_large", "The request body is too large.")
        if exc.status_code == 400:
            return error(request, 400, "malformed",
                         "The request body is not valid JSON. Send a JSON object with "
                         "`Content-Type: application/json`.")
        return error(request, exc.status_code, "error", str(exc))
