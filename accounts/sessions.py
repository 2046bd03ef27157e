"""The database session store, except that a database outage is a server error, not the user's."""

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import InterfaceError, OperationalError


class SessionStore(DatabaseSessionStore):
    """Django reads every failed session write as "deleted meanwhile" and answers 400 Bad Request.

    When the connection was lost (PostgreSQL restarting), let that error through instead: the person
    gets templates/500.html, which says nothing saved is lost and to try again (tests/test_faults.py).
    """

    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as error:
            if isinstance(error.__context__, (OperationalError, InterfaceError)):
                raise error.__context__ from None
            raise
