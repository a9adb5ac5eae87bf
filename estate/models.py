"""Whom we serve: communities → buildings → units, and the people linked to units."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from org.models import Company, Office


class Community(models.Model):
    """A managed community (小区/项目). An office serves one or more communities."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="communities"
    )
    office = models.ForeignKey(
        Office,
        verbose_name=_("service office"),
        on_delete=models.PROTECT,
        related_name="communities",
    )
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="community_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="buildings"
    )
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="building_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Residency(models.TextChoices):
    OCCUPIED = "occupied", _("Occupied")
    NOT_MOVED_IN = "not_moved_in", _("Not moved in")
    RENTED = "rented", _("Rented out")
    VACANT = "vacant", _("Vacant")


class Unit(models.Model):
    """A home (房屋). `number` is `building-entrance-room` without suffixes: 3-2-301."""

    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="units"
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
    )
    entrance = models.CharField(_("entrance"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20, blank=True)
    number = models.CharField(_("unit number"), max_length=60)
    area_m2 = models.DecimalField(
        _("floor area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    residency = models.CharField(
        _("residency"), max_length=20, choices=Residency, default=Residency.OCCUPIED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="unit_number_unique"),
        ]
        # varchar_pattern_ops: PostgreSQL serves prefix searches (LIKE 'x%') from these
        # whatever its collation; other databases ignore opclasses.
        indexes = [
            models.Index(
                fields=["number"], name="unit_number_idx", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return self.number


class Attitude(models.TextChoices):
    FAVOURABLE = "favourable", _("Favourable")
    NEUTRAL = "neutral", _("Neutral")
    ADVERSE = "adverse", _("Adverse")


class Channel(models.TextChoices):
    """Ways to reach a person (preferred channels)."""

    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter")
    VISIT = "visit", _("Home visit")


class Person(models.Model):
    """An owner or occupant. One person may hold several units in several communities."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="people"
    )
    # The office that registered the person: keeps a person with no unit yet visible.
    office = models.ForeignKey(
        Office,
        verbose_name=_("service office"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=50)
    # Pinyin for search: 张三 → "zhangsan" and initials "zs". Set by services.
    name_pinyin = models.CharField(max_length=200, blank=True, editable=False)
    name_initials = models.CharField(max_length=50, blank=True, editable=False)
    address_as = models.CharField(
        _("how to address"), max_length=50, blank=True, help_text=_("e.g. 王老师, 李阿姨")
    )
    courtesy_notes = models.TextField(_("courtesy and habits"), blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=20, blank=True)
    preferred_channels = models.JSONField(_("preferred channels"), default=list, blank=True)
    attitude = models.CharField(
        _("attitude"), max_length=20, choices=Attitude, default=Attitude.NEUTRAL
    )
    key_client = models.BooleanField(_("key client"), default=False)
    special_needs = models.TextField(
        _("special needs"),
        blank=True,
        help_text=_("Elderly living alone, disability, hardship household…"),
    )
    id_number = models.CharField(_("ID number"), max_length=30, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["company", "name_initials"],
                name="person_initials_idx",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["company", "name_pinyin"],
                name="person_pinyin_idx",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["company", "name"], name="person_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class PersonPhone(models.Model):
    """One phone of a person, normalised (11-digit mobile or landline with area code)."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="phones"
    )
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("phone"), max_length=20)
    preferred = models.BooleanField(_("preferred"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")
        ordering = ["person_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "number"], name="person_phone_unique"),
        ]
        indexes = [
            models.Index(
                fields=["company", "number"],
                name="phone_lookup_idx",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return self.number


class Relation(models.TextChoices):
    OWNER = "owner", _("Owner")
    TENANT = "tenant", _("Tenant")
    FAMILY = "family", _("Family")


class UnitLink(models.Model):
    """A person's tie to a unit: owner, tenant or family member."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="links"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="unit_links"
    )
    relation = models.CharField(_("relation"), max_length=20, choices=Relation)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("unit link")
        verbose_name_plural = _("unit links")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "person"], name="unit_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.unit_id} ({self.relation})"


class PersonEvent(models.Model):
    """The person's timeline: every change, who made it and when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        PHONES_CHANGED = "phones_changed", _("Phones changed")
        UNITS_CHANGED = "units_changed", _("Units changed")
        ATTITUDE_CHANGED = "attitude_changed", _("Attitude changed")
        IMPORTED = "imported", _("Imported")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=30, choices=Kind)
    # Field name → [old, new]; phones inside are stored masked.
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("person event")
        verbose_name_plural = _("person events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.person_id}"


class AttitudeChange(models.Model):
    """History of a person's attitude class, with the reason given."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="attitude_changes"
    )
    previous = models.CharField(max_length=20, choices=Attitude)
    attitude = models.CharField(max_length=20, choices=Attitude)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attitude change")
        verbose_name_plural = _("attitude changes")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.previous} → {self.attitude}"
