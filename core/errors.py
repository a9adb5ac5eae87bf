"""The one application error type that services raise and views/API map to responses.

API.md's error shape: {"error": {"code", "message", "fields"}}. Subclasses fix the
HTTP status: 400 bad input, 403 not allowed, 404 not found or not visible,
409 state conflict, 422 rule violation.
"""

from typing import Any


class ApplicationError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.fields = fields or {}
        self.extra = extra or {}

    def as_body(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "fields": self.fields,
                **self.extra,
            }
        }


class BadInput(ApplicationError):
    status = 400
    code = "bad_input"


class NotAllowed(ApplicationError):
    status = 403
    code = "forbidden"


class NotFound(ApplicationError):
    status = 404
    code = "not_found"


class Conflict(ApplicationError):
    status = 409
    code = "conflict"


class RuleViolation(ApplicationError):
    status = 422
    code = "rule_violation"


def fields_from_validation_error(exc) -> dict[str, list[str]]:
    """Map a Django ValidationError to API.md's `fields` (name → messages)."""
    if hasattr(exc, "message_dict"):
        return {
            ("non_field" if k == "__all__" else k): [str(m) for m in v]
            for k, v in exc.message_dict.items()
        }
    return {"non_field": [str(m) for m in exc.messages]}


def full_clean_or_bad_input(obj, message: str | None = None, **full_clean_options) -> None:
    """Validate a model instance; its ValidationError becomes a BadInput (400) carrying
    the field map. `full_clean_options` go to `full_clean` (exclude, validate_unique…)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext

    try:
        obj.full_clean(**full_clean_options)
    except ValidationError as exc:
        raise BadInput(
            message or gettext("Invalid data."), fields=fields_from_validation_error(exc)
        ) from exc
