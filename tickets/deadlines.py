"""Promised deadlines in calendar time or working time, and how overdue a ticket is.

Working time counts only the office's working hours on working days. Working days
come from `chinese_calendar` (public holidays and make-up working days, 调休), then
the company's own Holiday rows (for a year the library does not cover yet, or a
local holiday); past the library's years, Monday to Friday.
"""

import logging
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

from tickets.models import Area, DeadlineMode, Holiday, Kind, OfficeSettings

log = logging.getLogger(__name__)

# Hours promised by default (DOMAIN §4: "promise a method and a deadline").
PROMISE_HOURS = {
    Kind.INQUIRY: 24,
    Kind.COMPLAINT: 72,
    Kind.REPAIR: 24,
    Kind.ENGINEERING: 7 * 24,
    Kind.SUGGESTION: 7 * 24,
    Kind.PRAISE: 72,
    Kind.DISPUTE: 72,
}
COMMON_AREA_REPAIR_HOURS = 48
EMERGENCY_HOURS = 2  # burst pipe, lift entrapment: on calendar time, whatever the office mode

PROMISED_METHOD = {
    Kind.INQUIRY: "电话答复",
    Kind.COMPLAINT: "调查处理并回复业主",
    Kind.REPAIR: "上门维修",
    Kind.ENGINEERING: "登记并发工作联系单,由施工单位维修",
    Kind.SUGGESTION: "研究后答复",
    Kind.PRAISE: "转达并致谢",
    Kind.DISPUTE: "上门调解",
}


def promise_hours(*, kind: str, area: str, emergency: bool, category_hours: int | None) -> int:
    if emergency:
        return EMERGENCY_HOURS
    if category_hours:
        return category_hours
    if kind == Kind.REPAIR and area == Area.COMMON:
        return COMMON_AREA_REPAIR_HOURS
    return PROMISE_HOURS[kind]


@lru_cache(maxsize=4096)
def _library_workday(day: date) -> bool | None:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def is_workday(day: date, overrides: dict[date, bool]) -> bool:
    if day in overrides:
        return overrides[day]
    known = _library_workday(day)
    if known is None:
        return day.weekday() < 5
    return known


def holiday_overrides(company_id: int, start: date, end: date) -> dict[date, bool]:
    rows = Holiday.objects.filter(company_id=company_id, day__range=(start, end))
    return {h.day: h.workday for h in rows}


def add_working_hours(
    start: datetime,
    hours: float,
    *,
    tz: ZoneInfo,
    work_start: time,
    work_end: time,
    overrides: dict[date, bool],
) -> datetime:
    """`start` plus `hours` counted only inside working hours of working days."""
    remaining = timedelta(hours=hours)
    cursor = start.astimezone(tz)
    for _day in range(3660):
        day = cursor.date()
        if is_workday(day, overrides):
            opens = datetime.combine(day, work_start, tz)
            closes = datetime.combine(day, work_end, tz)
            cursor = max(cursor, opens)
            if cursor < closes:
                available = closes - cursor
                if remaining <= available:
                    return cursor + remaining
                remaining -= available
        cursor = datetime.combine(day + timedelta(days=1), time(0), tz)
    raise ValueError("no working time within ten years")


def deadline(
    *,
    start: datetime,
    hours: int,
    office_settings: OfficeSettings | None,
    company_id: int,
    tz: ZoneInfo,
    calendar_only: bool = False,
) -> datetime:
    """The deadline `hours` after `start` under the office's deadline mode."""
    if (
        calendar_only
        or office_settings is None
        or office_settings.deadline_mode == DeadlineMode.CALENDAR
    ):
        return start + timedelta(hours=hours)
    local = start.astimezone(tz).date()
    overrides = holiday_overrides(company_id, local, local + timedelta(days=max(60, hours)))
    return add_working_hours(
        start,
        hours,
        tz=tz,
        work_start=office_settings.work_start,
        work_end=office_settings.work_end,
        overrides=overrides,
    )


def supervision_level(
    *, due_at: datetime | None, now: datetime, office_settings: OfficeSettings | None
) -> int:
    """0 when not overdue; else 1 (assignee) to 4 (company) by hours past the deadline."""
    if due_at is None or now <= due_at:
        return 0
    s = office_settings or OfficeSettings()
    late = (now - due_at).total_seconds() / 3600
    if late >= s.company_after_hours:
        return 4
    if late >= s.manager_after_hours:
        return 3
    if late >= s.supervisor_after_hours:
        return 2
    return 1
