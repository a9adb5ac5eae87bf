from django.contrib import admin

from core.admin import CompanyScopedAdmin
from incidents.models import Incident


@admin.register(Incident)
class IncidentAdmin(CompanyScopedAdmin):
    list_display = ("title", "kind", "office", "started_at", "ended_at")
    list_filter = ("kind",)
    filter_horizontal = ("communities", "buildings")
    exclude = ("company", "created_by")

    def save_model(self, request, obj, form, change) -> None:
        obj.company_id = obj.office.company_id
        obj.created_by_id = obj.created_by_id or request.user.id
        super().save_model(request, obj, form, change)
