"""Django admin for raw data fixes: company admins see only their company's rows."""

from django.contrib import admin

from core.models import AccessLog, SmsMessage


def is_company_admin(user) -> bool:
    return user.is_active and user.is_staff and "company_admin" in getattr(user, "roles", [])


class CompanyScopedAdmin(admin.ModelAdmin):
    """Rows reach their company through `company_path`; the platform superuser sees all."""

    company_path = "company"

    def _allowed(self, request) -> bool:
        return request.user.is_superuser or is_company_admin(request.user)

    def has_module_permission(self, request) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser and request.user.company_id is None:
            return qs
        return qs.filter(**{self.company_path: request.user.company_id})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        _limit_to_company(field, request)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        _limit_to_company(field, request)
        return field


# How each model that appears as a choice reaches its company.
COMPANY_PATHS = {
    "org.Company": "id",
    "org.Office": "company",
    "org.Department": "office__company",
    "org.User": "company",
    "estate.Community": "company",
    "estate.Building": "community__company",
    "estate.Unit": "community__company",
    "estate.Person": "company",
}


def _limit_to_company(field, request) -> None:
    """Choices of another company never show in a company admin's forms."""
    if field is None or request.user.company_id is None:
        return
    path = COMPANY_PATHS.get(field.queryset.model._meta.label)
    if path is not None:
        field.queryset = field.queryset.filter(**{path: request.user.company_id})


class ReadOnlyMixin:
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyMixin, CompanyScopedAdmin):
    company_path = "user__company"
    list_display = ("at", "user", "object_type", "object_id", "field", "path", "ip")
    list_filter = ("object_type", "field")
    search_fields = ("object_id", "user__username", "user__name")
    date_hierarchy = "at"


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyMixin, CompanyScopedAdmin):
    """The SMS outbox: what was handed to the SMS backend (in the demo, not sent)."""

    list_display = ("created_at", "phone", "text", "backend", "sent_at")
    search_fields = ("phone",)
    date_hierarchy = "created_at"
