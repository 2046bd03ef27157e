"""Signals for what other apps store about a caller, so the privacy rights reach it without callbacks
importing those apps (the phone system's call log is one: .importlinter keeps callbacks from importing it).

This module imports nothing of callbacks, so services and selectors of every layer may send its signals.
Receivers run inside the sender's transaction: an exception rolls the whole erasure back.
"""

from django.dispatch import Signal

# Sent by callbacks.services.privacy.caller_erase inside its transaction, with `numbers` (list of E.164
# strings) and `now`. A receiver erases what it holds about those numbers, the way its own retention does,
# and returns how many records it erased (0 when there was nothing left: an erasure is safe to repeat).
caller_erased = Signal()

# Sent by callbacks.selectors.privacy.caller_data, for the privacy page and its export, with `numbers`.
# A receiver returns a list of callbacks.selectors.privacy_export.Section (built with its `record_of`):
# every record it holds about those numbers, every field. The page counts their records; the export lists them.
caller_export_requested = Signal()
