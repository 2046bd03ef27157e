"""The fixed choices of a message: type of call, the caller's tone, status, outcome, priority."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CallType(models.TextChoices):
    QUESTION = "question", _("Question")
    COMPLAINT = "complaint", _("Complaint")
    SALES = "sales", _("Quote / sales")
    APPOINTMENT = "appointment", _("Appointment")
    OTHER = "other", _("Other")
    # Filed by the phone system (telephony/): nobody took the call, so nobody typed a reason.
    MISSED_CALL = "missed_call", _("Missed call")


class Tone(models.TextChoices):
    CALM = "calm", _("Calm")
    ANNOYED = "annoyed", _("Annoyed")
    ANGRY = "angry", _("Angry")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    HANDLED = "handled", _("Handled")
    INFORMATIONAL = "informational", _("For information, no callback")
    HANDLED_AT_INTAKE = "handled_at_intake", _("Helped at reception")
    # The receptionist put the caller through to the colleague: no callback owed, counted in the statistics.
    PUT_THROUGH = "put_through", _("Put through")


class Outcome(models.TextChoices):
    SOLVED = "solved", _("Solved")
    FOLLOW_UP = "follow_up", _("Follow-up needed")
    FORWARDED = "forwarded", _("Forwarded")


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
