"""The HTTP API at /api/v1/ (API.md): one NinjaAPI, one router per app."""

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import HttpBearer, SessionAuth

from core.api import install_error_handlers
from org.services import api_token_user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_user(raw=token)
        if user is not None:
            request.user = user  # so code shared with the web UI sees the same user
        return user


api = NinjaAPI(
    title="OwnerDesk API",
    version="1",
    description="业主服务台 OwnerDesk: the HTTP API. Contract: API.md.",
    auth=[BearerToken(), SessionAuth()],
    urls_namespace="api-v1",
)
install_error_handlers(api)

api.add_router("", "org.api.router")
api.add_router("", "estate.api.router")
# Before tickets: its literal /tickets/suggest must win over /tickets/{ticket_id}.
api.add_router("", "hotline.api.router")
api.add_router("", "tickets.api.router")
api.add_router("", "tickets.api_documents.router")
api.add_router("", "visits.api.router")
api.add_router("", "relations.api.router")
api.add_router("", "incidents.api.router")
api.add_router("", "reports.api.router")
