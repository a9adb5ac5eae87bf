"""API plumbing shared by every app's router: error format, visible-or-404 lookups,
cursor pagination.

Errors follow API.md: {"error": {"code", "message", "fields"}}. `fields` maps a
body field by name or dotted path ("units.0.relation") to its messages.
"""

import base64
import binascii
from collections.abc import Callable
from datetime import datetime
from typing import Any, overload
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import PaginationBase

from core.errors import ApplicationError, BadInput, NotFound

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
_PARAM_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _field_path(loc: list | tuple, param_names: set[str]) -> str:
    parts = list(loc)
    if parts and parts[0] in _PARAM_SOURCES:
        parts = parts[1:]
        # Ninja nests the body under the view's parameter name ("payload"); drop it.
        if len(parts) > 1 and parts[0] in param_names:
            parts = parts[1:]
    return ".".join(str(p) for p in parts) or "non_field"


def _message(error: dict) -> str:
    msg = error.get("msg", "")
    return msg.removeprefix("Value error, ")


def validation_fields(exc: ValidationError, request: HttpRequest) -> dict[str, list[str]]:
    param_names = {"payload", "data", "filters", "query", "body"}
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        fields.setdefault(_field_path(err.get("loc", ()), param_names), []).append(_message(err))
    return fields


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request, status: int, body: dict) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(ApplicationError)
    def application_error(request, exc: ApplicationError):
        return respond(request, exc.status, exc.as_body())

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        return respond(
            request,
            400,
            error_body("bad_input", _("Invalid input."), validation_fields(exc, request)),
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        return respond(
            request,
            401,
            error_body("unauthenticated", _("Authentication required: send a valid token.")),
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, error_body("not_found", _("Not found.")))

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return respond(request, 403, error_body("forbidden", _("You are not allowed to do this.")))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        code = {400: "bad_input", 401: "unauthenticated", 403: "forbidden", 404: "not_found"}.get(
            exc.status_code, "error"
        )
        return respond(request, exc.status_code, error_body(code, str(exc)))


@overload
def visible_or_404[M: Model](
    qs: QuerySet[M], obj_id: int, *, label: str, field: str | None = None
) -> M: ...
@overload
def visible_or_404[M: Model](
    qs: QuerySet[M], obj_id: int | None, *, label: str, field: str | None = None
) -> M | None: ...
def visible_or_404[M: Model](
    qs: QuerySet[M], obj_id: int | None, *, label: str, field: str | None = None
) -> M | None:
    """The object `obj_id` of `qs` (already scoped to what the caller may see); None for
    no id. Otherwise 404 "<label> not found.", naming `field` when the id came from a
    body or query field (a path id names none)."""
    if obj_id is None:
        return None
    obj = qs.filter(id=obj_id).first()
    if obj is None:
        raise NotFound(f"{label} not found.", fields={field: ["Not found."]} if field else None)
    return obj


def reveal_requested(
    request: HttpRequest, reveal: str | None, *, check: Callable[..., None]
) -> bool:
    """Honour `?reveal=phone`: False without it, 400 for anything else, and
    `check(actor=…)` raises for a role that may not (403). Marks the request so the
    schemas show numbers in full; the caller logs what was shown."""
    if reveal is None:
        return False
    if reveal != "phone":
        raise BadInput("Unknown reveal.", fields={"reveal": ["Only 'phone' can be revealed."]})
    check(actor=request.auth)
    request.reveal_phones = True
    return True


def company_time(value: datetime | None, user) -> datetime | None:
    """Times sent without an offset are in the caller's company time zone (API.md)."""
    if value is None or timezone.is_aware(value):
        return value
    company = getattr(user, "company", None)
    return value.replace(tzinfo=ZoneInfo(company.timezone if company else settings.TIME_ZONE))


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _sep, value = raw.partition(":")
        if prefix != "id":
            raise ValueError(cursor)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadInput(_("Invalid cursor."), fields={"after": [_("Invalid cursor.")]}) from exc


class CursorPagination(PaginationBase):
    """`?limit=` (≤ 200) and opaque cursor `?after=`; `{"results": [...], "next": ...}`.

    Rows are walked in id order, so a cursor stays valid while rows are added.
    """

    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
        after: str | None = None

    class Output(Schema):
        results: list[Any]
        next: str | None = None

    items_attribute = "results"

    def paginate_queryset(self, queryset: QuerySet, pagination: Input, **params: Any) -> dict:
        return cursor_page(queryset, limit=pagination.limit, after=pagination.after)


def cursor_page(queryset: QuerySet, *, limit: int, after: str | None) -> dict:
    """One page of `queryset` in id order after the cursor: {"results", "next"}."""
    qs = queryset.order_by("id")
    if after:
        qs = qs.filter(id__gt=decode_cursor(after))
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {"results": rows, "next": encode_cursor(rows[-1].id) if more and rows else None}
