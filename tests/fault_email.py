"""An email backend for the worker processes of tests/test_faults.py.

Emails are files (Django's file backend), so the count survives a killed worker. While the file named
by FAULT_EMAIL_HOLD exists, a send first leaves a marker `entered-<pid>` next to it and then waits:
the test kills the worker there, inside the send, before anything went out.
"""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend

MAX_HOLD_SECONDS = 120


class HoldingFileBackend(FileBackend):
    def __init__(self, *args, **kwargs):
        kwargs["file_path"] = os.environ["FAULT_EMAIL_DIR"]
        super().__init__(*args, **kwargs)

    def send_messages(self, email_messages):
        hold = Path(os.environ["FAULT_EMAIL_HOLD"])
        if hold.exists():
            (hold.parent / f"entered-{os.getpid()}").write_text(str(len(email_messages)))
            started = time.monotonic()
            while hold.exists() and time.monotonic() - started < MAX_HOLD_SECONDS:
                time.sleep(0.05)
        return super().send_messages(email_messages)
