"""Incidents (DOMAIN §8): an outage or emergency affecting part of the estate, with the
text prepared for residents who call about it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from estate.models import Building, Community
from org.models import Company, Office


class Incident(models.Model):
    class Kind(models.TextChoices):
        WATER = "water", _("Water outage or burst pipe")
        POWER = "power", _("Power cut")
        LIFT = "lift", _("Lift failure or entrapment")
        FIRE = "fire", _("Fire")
        FLOOD = "flood", _("Flood")
        GAS = "gas", _("Gas")
        WEATHER = "weather", _("Natural disaster")
        HEALTH = "health", _("Public health")
        OTHER = "other", _("Other")

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey(
        Office, verbose_name=_("service office"), on_delete=models.PROTECT, related_name="incidents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    title = models.CharField(_("title"), max_length=200)
    communities = models.ManyToManyField(
        Community, verbose_name=_("communities"), related_name="incidents"
    )
    # Empty: the whole of the communities above.
    buildings = models.ManyToManyField(
        Building, verbose_name=_("buildings"), blank=True, related_name="incidents"
    )
    started_at = models.DateTimeField(_("started"))
    expected_end_at = models.DateTimeField(_("expected end"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    resident_text = models.TextField(
        _("what to tell residents"),
        help_text=_("Read out by the hotline to callers from the affected area."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return self.title
