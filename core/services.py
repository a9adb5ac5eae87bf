"""Writes shared by every app: the access log of revealed personal data."""

from collections.abc import Iterable

from django.http import HttpRequest

from core.models import AccessLog


def access_log_record(
    *,
    user,
    object_type: str,
    object_ids: Iterable[object],
    field: str,
    request: HttpRequest | None = None,
) -> int:
    """Log that `user` saw `field` of these objects in full. Returns the rows written."""
    path = request.get_full_path()[:300] if request is not None else ""
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    rows = [
        AccessLog(
            user=user, object_type=object_type, object_id=str(oid), field=field, path=path, ip=ip
        )
        for oid in dict.fromkeys(object_ids)
    ]
    AccessLog.objects.bulk_create(rows)
    return len(rows)
