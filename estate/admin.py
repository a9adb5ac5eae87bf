from django.contrib import admin

from core.admin import CompanyScopedAdmin, ReadOnlyMixin
from core.phones import mask_id_number
from estate.models import (
    AttitudeChange,
    Building,
    Community,
    Person,
    PersonEvent,
    PersonPhone,
    Unit,
    UnitLink,
)
from estate.pinyin import name_keys


def _shown(name: str, value) -> str:
    text = "" if value is None else str(value)
    return mask_id_number(text) if name == "id_number" and text else text


@admin.register(Community)
class CommunityAdmin(CompanyScopedAdmin):
    list_display = ("code", "name", "office", "address")
    search_fields = ("code", "name")


@admin.register(Building)
class BuildingAdmin(CompanyScopedAdmin):
    company_path = "community__company"
    list_display = ("name", "community")
    list_filter = ("community",)


class UnitLinkInline(admin.TabularInline):
    model = UnitLink
    extra = 0
    raw_id_fields = ("unit", "person")


@admin.register(Unit)
class UnitAdmin(CompanyScopedAdmin):
    company_path = "community__company"
    list_display = ("number", "community", "building", "area_m2", "residency")
    list_filter = ("residency", "community")
    search_fields = ("number",)
    raw_id_fields = ("building",)
    inlines = (UnitLinkInline,)


class PhoneInline(admin.TabularInline):
    model = PersonPhone
    extra = 0
    fields = ("number", "preferred", "position")


@admin.register(Person)
class PersonAdmin(CompanyScopedAdmin):
    list_display = ("name", "attitude", "key_client", "office")
    list_filter = ("attitude", "key_client")
    search_fields = ("name", "name_initials", "phones__number")
    inlines = (PhoneInline, UnitLinkInline)
    exclude = ("company",)

    def save_model(self, request, obj, form, change) -> None:
        # Admin fixes keep the person's timeline complete, like the services do.
        if request.user.company_id is not None:
            obj.company_id = request.user.company_id
        elif obj.office_id:
            obj.company_id = obj.office.company_id
        obj.name_pinyin, obj.name_initials = name_keys(obj.name)
        super().save_model(request, obj, form, change)
        PersonEvent.objects.create(
            person=obj,
            actor=request.user,
            kind=PersonEvent.Kind.UPDATED if change else PersonEvent.Kind.CREATED,
            changes={
                name: [
                    _shown(name, form.initial.get(name)),
                    _shown(name, form.cleaned_data.get(name)),
                ]
                for name in form.changed_data
            },
            note="Django admin",
        )

    def save_formset(self, request, form, formset, change) -> None:
        for phone in formset.save(commit=False):
            if isinstance(phone, PersonPhone):
                phone.company_id = form.instance.company_id
            phone.save()
        formset.save_m2m()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(PersonEvent)
class PersonEventAdmin(ReadOnlyMixin, CompanyScopedAdmin):
    company_path = "person__company"
    list_display = ("at", "person", "kind", "actor")
    list_filter = ("kind",)


@admin.register(AttitudeChange)
class AttitudeChangeAdmin(ReadOnlyMixin, CompanyScopedAdmin):
    company_path = "person__company"
    list_display = ("at", "person", "previous", "attitude", "actor")
