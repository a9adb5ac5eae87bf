"""Print the demo logins: who to sign in as, with which password, where."""

import unicodedata

from django.core.management.base import BaseCommand
from django.db.models import Prefetch
from django.utils import translation

from demo import generator, history
from estate.models import PersonPhone
from hotline.models import PhoneSystem
from org.models import Office, Role, User
from tickets.models import OPEN_STATUSES, Ticket


def width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(columns - width(text), 0)


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # must answer in well under a second
    help = "List the demo logins (username, name, roles, offices) and the shared password."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000")

    def handle(self, *args, url="http://127.0.0.1:8000", **options):
        company = generator.demo_company()
        if company is None:
            self.stdout.write(
                "No demo data yet. Load it with: python manage.py seed_demo (or: make demo)"
            )
            return
        order = {u: i for i, u in enumerate(generator.demo_usernames())}
        users = sorted(
            User.objects.filter(company=company, is_active=True).prefetch_related(
                Prefetch("offices", queryset=Office.objects.order_by("id")), "departments"
            ),
            key=lambda u: (order.get(u.username, len(order)), u.username),
        )
        rows = [("用户名 username", "姓名", "角色 roles", "服务处 / 部门")]
        for u in users:
            with translation.override("zh-hans"):  # the labels the staff UI shows
                roles = "、".join(str(Role(r).label) if r in Role.values else r for r in u.roles)
            where = "、".join(o.name for o in u.offices.all()) or "全公司"
            departments = "、".join(d.name for d in u.departments.all())
            rows.append(
                (u.username, u.name, roles, f"{where} · {departments}" if departments else where)
            )
        widths = [max(width(r[i]) for r in rows) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"OwnerDesk demo — {company.name}"))
        for i, row in enumerate(rows):
            line = "  ".join(pad(cell, widths[j]) for j, cell in enumerate(row[:3]))
            self.stdout.write(f"  {line}  {row[3]}")
            if i == 0:
                self.stdout.write("  " + "-" * (sum(widths) + 6 + width(row[3])))
        self.stdout.write("")
        self.stdout.write(f"  Password for every demo login: {generator.DEMO_PASSWORD}")
        self.stdout.write(f"  Open {url}")
        self.stdout.write("")
        self._phone_system(company, url)

    def _phone_system(self, company, url: str) -> None:
        """The 400 centre's phone system, and a call to push as it would."""
        system = PhoneSystem.objects.filter(company=company, key=history.DEMO_PHONE_KEY).first()
        if system is None:
            return
        agents = ", ".join(
            f"{u.username} {u.extension}"
            for u in User.objects.filter(company=company)
            .exclude(extension="")
            .order_by("extension")
        )
        # An owner with open work, so the screen-pop has something to show.
        caller = (
            Ticket.objects.filter(company=company, status__in=OPEN_STATUSES, person__isnull=False)
            .order_by("-received_at")
            .values_list("person_id", flat=True)
            .first()
        )
        number = (
            PersonPhone.objects.filter(person_id=caller)
            .order_by("position")
            .values_list("number", flat=True)
            .first()
            or "13800138000"
        )
        self.stdout.write(f"  Phone system of the 400 centre: {system.name}")
        self.stdout.write(f"    key    {system.key}")
        self.stdout.write(f"    secret {history.DEMO_PHONE_SECRET}")
        self.stdout.write(f"    agent extensions: {agents}")
        self.stdout.write(
            "  Push a ringing call to extension 8001 (sign in as hy_hotline1 to see it pop):"
        )
        self.stdout.write(
            f"    curl -X POST {url.rstrip('/')}/api/v1/phone/push"
            " -H 'Content-Type: application/json'"
            f" -H 'X-Phone-System: {system.key}' -H 'X-Phone-Secret: {history.DEMO_PHONE_SECRET}'"
            f""" -d '{{"number": "{number}", "event": "ringing", "extension": "8001"}}'"""
        )
        self.stdout.write("")
