"""Who is calling the API: a bearer token, else the browser session."""

from django.http import HttpRequest

from org.models import User
from org.services import api_token_user


def bearer_token(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def api_user(request: HttpRequest) -> User | None:
    """The user behind the request, cached on it; None when unauthenticated."""
    if hasattr(request, "_api_user"):
        return request._api_user
    raw = bearer_token(request)
    if raw is not None:
        user = api_token_user(raw=raw)
    else:
        session_user = getattr(request, "user", None)
        user = session_user if session_user is not None and session_user.is_authenticated else None
    request._api_user = user
    return user
