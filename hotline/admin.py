from django.contrib import admin

from core.admin import CompanyScopedAdmin, ReadOnlyMixin
from hotline.kb import search_text_of
from hotline.models import Article, Call, CallBack, PhoneSystem, Script


@admin.register(Article)
class ArticleAdmin(CompanyScopedAdmin):
    list_display = ("title", "category", "office", "helped")
    list_filter = ("category",)
    search_fields = ("title", "problem", "solution")
    exclude = ("company",)

    def save_model(self, request, obj, form, change) -> None:
        obj.company_id = obj.company_id or request.user.company_id
        obj.search_text = search_text_of(obj.title, obj.problem, obj.solution)
        super().save_model(request, obj, form, change)


@admin.register(Script)
class ScriptAdmin(CompanyScopedAdmin):
    list_display = ("title", "category", "situation", "position", "active")
    list_filter = ("situation", "active")
    exclude = ("company",)

    def save_model(self, request, obj, form, change) -> None:
        obj.company_id = obj.company_id or request.user.company_id
        super().save_model(request, obj, form, change)


@admin.register(PhoneSystem)
class PhoneSystemAdmin(ReadOnlyMixin, CompanyScopedAdmin):
    list_display = ("name", "key", "office", "active")


@admin.register(Call)
class CallAdmin(ReadOnlyMixin, CompanyScopedAdmin):
    list_display = ("started_at", "direction", "number", "agent", "outcome", "duration_s")
    list_filter = ("direction", "outcome")


@admin.register(CallBack)
class CallBackAdmin(ReadOnlyMixin, CompanyScopedAdmin):
    list_display = ("due_at", "number", "agent", "reason", "done_at")
