"""Idempotency-Key for API POSTs (API.md, Conventions).

The same key with the same request returns the first response and runs nothing;
the same key with another request is 422; a retry while the first is still running
is 409. Keys belong to the caller, so one user's key never returns another's
response. A response of 500 or more is not kept, so the client may retry.
"""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


def _ttl() -> timedelta:
    return timedelta(hours=settings.OWNERDESK["IDEMPOTENCY_TTL_HOURS"])


def request_fingerprint(request: HttpRequest) -> str:
    """A digest of what the request asks: method, path, query and body.

    Multipart bodies are hashed by their fields and file contents, not their bytes,
    because each client picks its own boundary.
    """
    h = hashlib.sha256()
    h.update(f"{request.method} {request.path}?{request.META.get('QUERY_STRING', '')}\n".encode())
    if request.content_type == "multipart/form-data":
        fields = sorted((k, v) for k in request.POST for v in request.POST.getlist(k))
        h.update(json.dumps(fields, ensure_ascii=False).encode())
        for name in sorted(request.FILES):
            for f in request.FILES.getlist(name):
                h.update(f"\n{name}:{f.name}:".encode())
                for chunk in f.chunks():
                    h.update(chunk)
                f.seek(0)
    else:
        h.update(_canonical(request))
    return h.hexdigest()


def _canonical(request: HttpRequest) -> bytes:
    """The body; a JSON body as its content, so that key order and spacing do not make
    the same request look like another one."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body)
        except ValueError:
            return request.body
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return request.body


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status)


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.resolve_user = import_string(settings.OWNERDESK["API_USER_RESOLVER"])

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if not key or request.method != "POST" or not request.path.startswith("/api/"):
            return self.get_response(request)
        user = self.resolve_user(request)
        if user is None:  # the API answers 401 itself
            return self.get_response(request)
        if len(key) > MAX_KEY_LENGTH:
            return _error(400, "bad_input", _("Idempotency-Key is too long."))
        digest = request_fingerprint(request)
        record = self._claim(user, key, request, digest)
        if isinstance(record, HttpResponse):
            return record
        response = self.get_response(request)
        if response.status_code >= 500 or response.streaming:
            record.delete()
        else:
            record.state = IdempotencyRecord.State.DONE
            record.status_code = response.status_code
            record.content_type = response.get("Content-Type", "")
            record.body = response.content
            record.save(update_fields=["state", "status_code", "content_type", "body"])
        return response

    def _claim(self, user, key: str, request: HttpRequest, digest: str):
        for _attempt in range(2):
            try:
                with transaction.atomic():
                    return IdempotencyRecord.objects.create(
                        user=user,
                        key=key,
                        method=request.method,
                        path=request.path[:300],
                        request_hash=digest,
                    )
            except IntegrityError:
                existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
                if existing is None:
                    continue  # removed meanwhile (a 5xx); claim again
                if existing.created_at < timezone.now() - _ttl():
                    existing.delete()
                    continue
                if existing.request_hash != digest:
                    return _error(
                        422,
                        "idempotency_key_reused",
                        _("This Idempotency-Key was used with a different request."),
                    )
                if existing.state == IdempotencyRecord.State.RUNNING:
                    return _error(
                        409,
                        "idempotency_in_progress",
                        _("A request with this Idempotency-Key is still running."),
                    )
                response = HttpResponse(
                    bytes(existing.body or b""),
                    status=existing.status_code,
                    content_type=existing.content_type,
                )
                response["Idempotent-Replayed"] = "true"
                return response
        return _error(
            409,
            "idempotency_in_progress",
            _("A request with this Idempotency-Key is still running."),
        )


def idempotency_prune() -> int:
    """Delete records older than the retention period. Returns how many."""
    deleted, _detail = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - _ttl()
    ).delete()
    return deleted
