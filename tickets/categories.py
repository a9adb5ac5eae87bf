"""The default category list (API.md) and how an office's own list overrides it."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from org.models import Office
from tickets.models import Category, Dispatch


@dataclass(frozen=True)
class CategoryConfig:
    code: str
    name: str
    department_kind: str
    dispatch: str = Dispatch.SUPERVISOR
    promise_hours: int | None = None


DEFAULTS: tuple[CategoryConfig, ...] = (
    CategoryConfig("water", _("Water"), "engineering"),
    CategoryConfig("electricity", _("Electricity"), "engineering"),
    CategoryConfig("heating", _("Heating"), "engineering"),
    CategoryConfig("lift", _("Lift"), "engineering"),
    CategoryConfig("noise", _("Noise"), "security"),
    CategoryConfig("pets", _("Pets"), "security"),
    CategoryConfig("parking", _("Parking"), "security"),
    CategoryConfig("hygiene", _("Hygiene"), "cleaning"),
    CategoryConfig("security", _("Security"), "security"),
    CategoryConfig("decoration", _("Decoration"), "engineering"),
    CategoryConfig("fees", _("Fees"), "accounting"),
    CategoryConfig("facilities", _("Facilities"), "engineering"),
    CategoryConfig("other", _("Other"), "customer_service"),
)
DEFAULT_CODES = tuple(c.code for c in DEFAULTS)


def categories_for(office: Office) -> dict[str, CategoryConfig]:
    """The office's categories by code: the defaults, overridden or extended by its own rows.
    An inactive row removes the code from the list."""
    result = {c.code: c for c in DEFAULTS}
    for row in Category.objects.filter(office=office).order_by("position", "code"):
        if not row.active:
            result.pop(row.code, None)
            continue
        result[row.code] = CategoryConfig(
            row.code, row.name, row.department_kind, row.dispatch, row.promise_hours
        )
    return result
