"""The hotline desk (DOMAIN §3, §10 phone service): calls, call-backs, phone systems
that push incoming numbers, the knowledge base, scripts, and the category model."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from estate.models import Person
from org.models import Company, Office
from tickets.models import Ticket


class PhoneSystem(models.Model):
    """A telephone system (PBX/CTI) allowed to push incoming calls, with its secret.
    Only a digest of the secret is kept."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="+"
    )
    office = models.ForeignKey(
        Office,
        verbose_name=_("service office"),
        on_delete=models.CASCADE,
        related_name="phone_systems",
    )
    name = models.CharField(_("name"), max_length=100)
    key = models.SlugField(_("key"), max_length=40, unique=True)
    secret_digest = models.CharField(max_length=64)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("phone system")
        verbose_name_plural = _("phone systems")

    def __str__(self) -> str:
        return self.name


class Call(models.Model):
    class Direction(models.TextChoices):
        IN = "in", _("Incoming")
        OUT = "out", _("Outgoing")

    class Outcome(models.TextChoices):
        RINGING = "ringing", _("Ringing")
        ANSWERED = "answered", pgettext_lazy("call outcome", "Answered")
        MISSED = "missed", _("Missed")
        VOICEMAIL = "voicemail", _("Voicemail")
        NO_ANSWER = "no_answer", _("No answer (outgoing)")

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey(
        Office, verbose_name=_("service office"), on_delete=models.PROTECT, related_name="calls"
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction)
    number = models.CharField(_("number"), max_length=20)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
    )
    extension = models.CharField(_("extension"), max_length=20, blank=True)
    started_at = models.DateTimeField(_("started"))
    duration_s = models.PositiveIntegerField(_("duration (s)"), default=0)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome, default=Outcome.RINGING
    )
    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    note = models.TextField(_("note"), blank=True)
    phone_system = models.ForeignKey(
        PhoneSystem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    external_id = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["office", "started_at"], name="call_office_time_idx"),
            models.Index(fields=["agent", "started_at"], name="call_agent_time_idx"),
            models.Index(fields=["number"], name="call_number_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.number}"


class CallBack(models.Model):
    """A promise to call an owner back at a time (scheduled call-back, or a missed call)."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey(
        Office, verbose_name=_("service office"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("number"), max_length=20)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="callbacks",
    )
    due_at = models.DateTimeField(_("call back at"))
    reason = models.CharField(_("reason"), max_length=200)
    source_call = models.ForeignKey(
        Call, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_call = models.ForeignKey(
        Call, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("call-back")
        verbose_name_plural = _("call-backs")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["agent", "done_at", "due_at"], name="callback_agent_due_idx")
        ]

    def __str__(self) -> str:
        return f"call back {self.number} at {self.due_at}"


class Article(models.Model):
    """The database of problems and their solutions (问题及其解决方法)."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="+"
    )
    office = models.ForeignKey(
        Office,
        verbose_name=_("service office"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: for every office"),
    )
    category = models.CharField(_("category"), max_length=30)
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem"))
    solution = models.TextField(_("solution"))
    # Words of title, problem and solution as jieba segments them, space-separated:
    # searched word by word, not by substring.
    search_text = models.TextField(editable=False, blank=True)
    helped = models.PositiveIntegerField(_("times it helped"), default=0)
    source_ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge base")
        ordering = ["-helped", "-id"]

    def __str__(self) -> str:
        return self.title


class Script(models.Model):
    """What to say (话术) for a category and a situation."""

    class Situation(models.TextChoices):
        GENERAL = "general", _("General")
        EMERGENCY = "emergency", _("Emergency")
        ANGRY = "angry", _("Angry caller")
        FEES = "fees", _("Fee question")
        OUTAGE = "outage", _("Known outage")

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="+"
    )
    category = models.CharField(
        _("category"), max_length=30, blank=True, help_text=_("Empty: any category")
    )
    situation = models.CharField(
        _("situation"), max_length=20, choices=Situation, default=Situation.GENERAL
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("what to say"))
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("script")
        verbose_name_plural = _("scripts")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class CategoryModel(models.Model):
    """A category suggester trained on an office's resolved tickets."""

    office = models.OneToOneField(Office, on_delete=models.CASCADE, related_name="category_model")
    trained_at = models.DateTimeField()
    samples = models.PositiveIntegerField()
    holdout_accuracy = models.FloatField(null=True)
    blob = models.BinaryField()  # the fitted pipeline, pickled with joblib

    def __str__(self) -> str:
        return f"category model of {self.office_id}"
