"""The password-reset mail: queued in the outbox by account id, written when it is delivered.

The request only records which account asked (settings.PASSWORD_RESET_MAIL_QUEUE, the outbox in
callbacks/services/notifications.py); the link's token is made at delivery. Django's reset tokens are
stateless (a hash of the account's password and last login), so no token is stored or passed on.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.module_loading import import_string

from accounts.models import User
from accounts.throttle import throttle_allow


def password_reset_request(*, user: User) -> bool:
    """Queue a reset mail for this account unless it has had its share this window (said to no one)."""
    allowed = throttle_allow(
        scope="password-reset-account",
        key=str(user.pk),
        limit=settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT,
        window_seconds=settings.PASSWORD_RESET_WINDOW_MINUTES * 60,
    )
    if allowed:
        import_string(settings.PASSWORD_RESET_MAIL_QUEUE)(user_id=user.pk)
    return allowed


def password_reset_mail(*, user: User) -> tuple[str, str]:
    """Subject and body of the reset mail, in the account's own language, with a fresh link."""
    context = {
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "site_url": settings.SITE_URL,
    }
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("registration/password_reset_subject.txt", context).split())
        body = render_to_string("registration/password_reset_email.html", context)
    return subject, body
