"""Every request from an owner, from intake to closure (DOMAIN §3, §4; API.md Tickets)."""

from datetime import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from estate.models import Community, Person, Unit
from org.models import Company, Department, Office


class Kind(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry")
    COMPLAINT = "complaint", _("Complaint")
    REPAIR = "repair", _("Repair request")
    ENGINEERING = "engineering", _("Engineering quality problem")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")
    DISPUTE = "dispute", _("Dispute between owners")


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    WALK_IN = "walk_in", _("Walk-in")
    VISIT = "visit", _("Staff visit")
    ONLINE = "online", _("Online portal")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("Email")
    SUGGESTION_BOX = "suggestion_box", _("Suggestion box")
    LETTER = "letter", _("Letter")
    MEETING = "meeting", _("Meeting")
    GOV_HOTLINE = "gov_hotline", _("12345 government hotline")


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    ESCALATED = "escalated", _("Escalated")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (Status.NEW, Status.ASSIGNED, Status.ESCALATED, Status.IN_PROGRESS)


class Severity(models.TextChoices):
    GENERAL = "general", _("General")
    MAJOR = "major", _("Major")


class Area(models.TextChoices):
    HOUSEHOLD = "household", _("Inside the home")
    COMMON = "common", _("Common area")


class Dispatch(models.TextChoices):
    SUPERVISOR = "supervisor", _("Supervisor assigns")
    SELF_TAKE = "self_take", _("Staff take open work (抢单)")
    ROUND_ROBIN = "round_robin", _("Round-robin among staff on duty")


class DeadlineMode(models.TextChoices):
    CALENDAR = "calendar", _("Calendar time")
    WORKING = "working", _("Working time (holidays and 调休 respected)")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope, explained")
    REFUSED = "refused", _("Refused (conflicts with rules)")


class Responsibility(models.TextChoices):
    PROPERTY = "property", _("Property company")
    OWNER = "owner", _("Owner")
    DEVELOPER = "developer", _("Developer")
    CONTRACTOR = "contractor", _("Contractor")
    THIRD_PARTY = "third_party", _("Third party")
    NONE = "none", _("No one")


class OfficeSettings(models.Model):
    """How an office runs its desk: deadlines and escalation (督办) thresholds."""

    office = models.OneToOneField(
        Office,
        verbose_name=_("service office"),
        on_delete=models.CASCADE,
        related_name="desk_settings",
    )
    deadline_mode = models.CharField(
        _("deadline mode"), max_length=10, choices=DeadlineMode, default=DeadlineMode.CALENDAR
    )
    work_start = models.TimeField(_("working day starts"), default=time(8, 30))
    work_end = models.TimeField(_("working day ends"), default=time(17, 30))
    # Hours past the deadline at which supervision reaches levels 2, 3, 4
    # (level 1, the assignee, is reached as soon as the deadline passes).
    supervisor_after_hours = models.PositiveIntegerField(default=4)
    manager_after_hours = models.PositiveIntegerField(default=24)
    company_after_hours = models.PositiveIntegerField(default=72)

    class Meta:
        verbose_name = _("desk settings")
        verbose_name_plural = _("desk settings")

    def __str__(self) -> str:
        return f"{self.office} settings"


class Category(models.Model):
    """An office's category (overrides or extends the default list in categories.py)."""

    office = models.ForeignKey(
        Office,
        verbose_name=_("service office"),
        on_delete=models.CASCADE,
        related_name="categories",
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=50)
    department_kind = models.CharField(
        _("responsible department"), max_length=20, choices=Department.Kind
    )
    dispatch = models.CharField(
        _("dispatch"), max_length=20, choices=Dispatch, default=Dispatch.SUPERVISOR
    )
    promise_hours = models.PositiveIntegerField(
        _("default deadline (hours)"), null=True, blank=True
    )
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["office_id", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["office", "code"], name="category_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Holiday(models.Model):
    """A day the library does not know yet (next year's calendar before it is published,
    a local holiday): `workday` False is a holiday, True a make-up working day (调休)."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="holidays"
    )
    day = models.DateField(_("day"))
    workday = models.BooleanField(_("working day"), default=False)
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("holiday override")
        verbose_name_plural = _("holiday overrides")
        constraints = [
            models.UniqueConstraint(fields=["company", "day"], name="holiday_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class Ticket(models.Model):
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="tickets"
    )
    office = models.ForeignKey(
        Office, verbose_name=_("service office"), on_delete=models.PROTECT, related_name="tickets"
    )
    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="tickets"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    number = models.CharField(_("number"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel)
    category = models.CharField(_("category"), max_length=30, default="other")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity, default=Severity.GENERAL
    )
    area = models.CharField(_("area"), max_length=10, choices=Area, blank=True)
    emergency = models.BooleanField(_("emergency"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.NEW)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    promised_method = models.CharField(_("promised method"), max_length=200, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome, blank=True)
    rule_cited = models.CharField(_("rule cited"), max_length=300, blank=True)
    external_ref = models.CharField(_("12345 reference"), max_length=60, blank=True)
    external_due_at = models.DateTimeField(_("12345 reply deadline"), null=True, blank=True)
    # Whether the complainant agreed that their identity may be shown to the other
    # side of a dispute, to contractors and outside the office.
    complainant_consent = models.BooleanField(_("complainant agreed to disclosure"), default=False)
    complaint_valid = models.BooleanField(_("valid complaint"), null=True, blank=True)
    responsibility = models.CharField(
        _("responsibility"), max_length=20, choices=Responsibility, blank=True
    )
    rating = models.PositiveSmallIntegerField(_("owner's rating"), null=True, blank=True)
    rating_comment = models.TextField(_("owner's comment"), blank=True)
    rating_reply = models.TextField(_("reply to the rating"), blank=True)
    agreement = models.TextField(_("agreement reached"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["office", "number"], name="ticket_number_unique"),
        ]
        indexes = [
            # The work lists: newest first within an office (of one status), or the whole
            # company.
            models.Index(
                fields=["office", "status", "-received_at", "-id"], name="ticket_office_status_idx"
            ),
            models.Index(fields=["office", "-received_at", "-id"], name="ticket_office_recv_idx"),
            models.Index(fields=["company", "-received_at", "-id"], name="ticket_company_recv_idx"),
            models.Index(fields=["community", "received_at"], name="ticket_community_recv_idx"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_idx"),
            models.Index(fields=["department", "status"], name="ticket_department_idx"),
            models.Index(fields=["person", "status"], name="ticket_person_idx"),
            models.Index(fields=["unit", "status"], name="ticket_unit_idx"),
            models.Index(fields=["status", "due_at"], name="ticket_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TicketParty(models.Model):
    """One side of a dispute between owners (业主相互投诉): who, which unit, what they say."""

    class Side(models.TextChoices):
        COMPLAINANT = "complainant", _("Complainant")
        RESPONDENT = "respondent", _("Other side")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField(_("side"), max_length=20, choices=Side)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    statement = models.TextField(_("statement"), blank=True)

    class Meta:
        verbose_name = _("dispute party")
        verbose_name_plural = _("dispute parties")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.side}"


class TicketEvent(models.Model):
    """The ticket's timeline: every change, who made it, when, and whether the owner may see it."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    text = models.TextField(blank=True)
    internal = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"], name="ticket_event_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action}"


class Supervision(models.Model):
    """A recorded supervision (督办) of an overdue ticket at one level."""

    class Level(models.IntegerChoices):
        ASSIGNEE = 1, _("Assignee")
        SUPERVISOR = 2, _("Department supervisor")
        MANAGER = 3, _("Office manager")
        COMPANY = 4, _("Company")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="supervisions")
    level = models.PositiveSmallIntegerField(choices=Level)
    due_at = models.DateTimeField()  # the deadline that was missed
    at = models.DateTimeField(auto_now_add=True)
    notified = models.JSONField(default=list, blank=True)  # user ids

    class Meta:
        verbose_name = _("supervision")
        verbose_name_plural = _("supervisions")
        ordering = ["ticket_id", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "level", "due_at"], name="supervision_once_per_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} level {self.level}"


class TicketCounter(models.Model):
    """The last sequence number used for an office's tickets on one day."""

    office = models.ForeignKey(
        Office, verbose_name=_("service office"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "day"], name="counter_day_unique")]

    def __str__(self) -> str:
        return f"{self.office_id} {self.day} {self.last}"


class RoundRobinPointer(models.Model):
    """Who got the last round-robin ticket of a department."""

    department = models.OneToOneField(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="+"
    )
    last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.department_id} → {self.last_user_id}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"tickets/{instance.ticket.office_id}/{instance.ticket_id}/{instance.sha256[:16]}-{filename}"


class Attachment(models.Model):
    """A photo or PDF on a ticket; its type is checked from its content, not its name."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class LiaisonForm(models.Model):
    """The work liaison form (工作联系单) of an engineering quality problem, in three copies:
    property company, engineering department, customer-service centre."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="liaison")
    number = models.CharField(_("form number"), max_length=40)
    contractor = models.CharField(_("contractor"), max_length=100)
    contractor_contact = models.CharField(_("contractor contact"), max_length=100, blank=True)
    committed_date = models.DateField(_("committed repair date"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted by the owner"), null=True, blank=True)
    accepted_by_name = models.CharField(_("accepted by"), max_length=50, blank=True)
    acceptance_note = models.TextField(_("acceptance note"), blank=True)

    class Meta:
        verbose_name = _("work liaison form")
        verbose_name_plural = _("work liaison forms")

    def __str__(self) -> str:
        return self.number


class PriceItem(models.Model):
    """An office's price list for paid special services (特约服务)."""

    office = models.ForeignKey(
        Office,
        verbose_name=_("service office"),
        on_delete=models.CASCADE,
        related_name="price_items",
    )
    name = models.CharField(_("service"), max_length=100)
    unit = models.CharField(_("unit"), max_length=20, default="次")
    price = models.DecimalField(_("price (yuan)"), max_digits=10, decimal_places=2)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("price item")
        verbose_name_plural = _("price list")
        ordering = ["office_id", "name"]

    def __str__(self) -> str:
        return f"{self.name} {self.price}/{self.unit}"


class ServiceQuote(models.Model):
    """The price stated before paid work, the owner's acceptance, payment and receipt."""

    class Payment(models.TextChoices):
        UNPAID = "unpaid", _("Unpaid")
        PAID = "paid", _("Paid")
        WAIVED = "waived", _("Waived")

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="quote")
    lines = models.JSONField(default=list)  # [{"item", "quantity", "unit", "price", "amount"}]
    total = models.DecimalField(_("total (yuan)"), max_digits=10, decimal_places=2)
    quoted_at = models.DateTimeField()
    quoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by_name = models.CharField(max_length=50, blank=True)
    payment = models.CharField(max_length=10, choices=Payment, default=Payment.UNPAID)
    paid_at = models.DateTimeField(null=True, blank=True)
    receipt_number = models.CharField(max_length=40, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)  # owner confirms the work

    class Meta:
        verbose_name = _("service quote")
        verbose_name_plural = _("service quotes")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.total}"


class SavedFilter(models.Model):
    """A work-list filter a staff member saved under a name."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_ticket_filters"
    )
    name = models.CharField(max_length=50)
    query = models.CharField(max_length=500)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_filter_unique")]

    def __str__(self) -> str:
        return self.name
