"""Cross-cutting records: the access log of revealed personal data, idempotency keys."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLog(models.Model):
    """One reveal of masked personal data (a phone, an ID number) to one user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50)
    field = models.CharField(max_length=30)
    path = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="accesslog_object_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.field} {self.object_type}:{self.object_id}"


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an Idempotency-Key, per caller."""

    class State(models.TextChoices):
        RUNNING = "running"
        DONE = "done"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State, default=State.RUNNING)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class Notification(models.Model):
    """A message to a staff member's inbox (supervision notices, hand-overs…)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    verb = models.CharField(max_length=40)
    text = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.text[:40]}"


class SmsMessage(models.Model):
    """An SMS handed to the SMS backend. The default backend only keeps it here (the
    outbox, visible in the admin); a gateway backend also sends it."""

    company = models.ForeignKey(
        "org.Company",
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
    )
    phone = models.CharField(max_length=20)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    backend = models.CharField(max_length=100)

    class Meta:
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS outbox")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.phone}: {self.text[:30]}"
