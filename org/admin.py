from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from core.admin import CompanyScopedAdmin
from org.models import Company, Department, Office, User


@admin.register(Company)
class CompanyAdmin(CompanyScopedAdmin):
    company_path = "id"
    list_display = ("code", "name", "timezone")

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser and request.user.company_id is None

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_add_permission(request)


@admin.register(Office)
class OfficeAdmin(CompanyScopedAdmin):
    list_display = ("code", "name", "kind", "company")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(Department)
class DepartmentAdmin(CompanyScopedAdmin):
    company_path = "office__company"
    list_display = ("name", "kind", "office")
    list_filter = ("kind", "office")


@admin.register(User)
class StaffAdmin(CompanyScopedAdmin, UserAdmin):
    list_display = ("username", "name", "roles", "company", "is_active")
    list_filter = ("is_active",)
    search_fields = ("username", "name")
    filter_horizontal = ("offices", "departments")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Profile", {"fields": ("name", "phone", "email", "company", "roles")}),
        ("Where they work", {"fields": ("offices", "departments")}),
        ("Status", {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_readonly_fields(self, request, obj=None):
        # A company admin must not make anyone a platform superuser or move staff out.
        fields = list(super().get_readonly_fields(request, obj))
        if request.user.company_id is not None:
            fields += ["company", "is_staff"]
        return fields

    def save_model(self, request, obj, form, change) -> None:
        if request.user.company_id is not None:
            obj.company_id = request.user.company_id
            obj.is_superuser = False
            obj.is_staff = "company_admin" in (obj.roles or [])
        super().save_model(request, obj, form, change)
