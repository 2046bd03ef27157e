"""Callers as the office knows them: one person who calls from several numbers.

A number never linked is its own caller, so every page works by number too; a Caller exists only once
someone linked a second number ("same caller: mobile 06-..."). Links are changed by the services in
callbacks/services/callers.py, which log who linked or unlinked what and when.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class Caller(models.Model):
    """The numbers the office linked to one person or organisation."""

    # Blank: the page names the caller after the newest message's name, which retention may remove.
    display_name = models.CharField(_("name"), max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("caller")
        verbose_name_plural = _("callers")

    def __str__(self) -> str:
        return self.display_name or f"{_('caller')} {self.pk}"


class CallerNumber(models.Model):
    """One number of a caller; a number belongs to at most one caller (unique)."""

    caller = models.ForeignKey(Caller, on_delete=models.CASCADE, related_name="numbers")
    number = PhoneNumberField(_("phone number"), unique=True)
    linked_at = models.DateTimeField(default=timezone.now)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["linked_at", "pk"]


class CallerLinkEvent(models.Model):
    """Who linked or unlinked a number, and when. It names the number, so erasing a caller removes these too."""

    class Action(models.TextChoices):
        LINKED = "linked", _("Number linked")
        UNLINKED = "unlinked", _("Number unlinked")

    # Kept when the caller goes (its last number unlinked): the log outlives what it describes.
    caller = models.ForeignKey(Caller, on_delete=models.SET_NULL, null=True, related_name="link_events")
    number = PhoneNumberField()
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["number"], name="callerlink_number")]
