from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import set_language

from config.api import api


def _api_urls():
    """The API answers 401 in its own error format instead of the UI's login redirect,
    and serves its OpenAPI document and docs without a token."""
    patterns, app_name, namespace = api.urls

    def exempt(entries):
        for entry in entries:
            if isinstance(entry, URLResolver):
                exempt(entry.url_patterns)
            elif isinstance(entry, URLPattern):
                entry.callback.login_required = False

    exempt(patterns)
    return patterns, app_name, namespace


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", _api_urls()),
    # The language can be chosen on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("", include("core.urls")),
    path("estate/", include("estate.urls")),
    path("tickets/docs/", include("tickets.urls_documents")),
    path("tickets/", include("tickets.urls")),
    path("visits/", include("visits.urls")),
    path("reports/", include("reports.urls")),
    path("hotline/", include("hotline.urls")),
    path("relations/", include("relations.urls")),
    path("incidents/", include("incidents.urls")),
]
