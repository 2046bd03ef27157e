from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from accounts import roles
from accounts.forms import PresenceForm
from accounts.selectors import presence_for_navigation
from callbacks.selectors import navigation_counts, unread_count
from callbacks.selectors.dashboard import on_phone_duty


def navigation(request: HttpRequest) -> dict[str, object]:
    """Which parts of the navigation this user may see; pages that do not exist yet have no entry."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    handles_callbacks = user.has_perm(f"accounts.{roles.HANDLE_CALLBACKS}")
    # Read when the template asks, so after the view: the worklist sets request.worklist_totals, the very
    # figures the badge shows, and then they are not counted twice.
    counts = SimpleLazyObject(
        lambda: navigation_counts(user=user, now=timezone.now(), owed_totals=getattr(request, "worklist_totals", None))
    )
    # Someone without callbacks has no badge: only their unread notices are counted.
    unread = (lambda: counts.unread) if handles_callbacks else (lambda: unread_count(user=user))
    presence = SimpleLazyObject(lambda: presence_for_navigation(user=user, now=timezone.now()))
    admin = user.has_perm(f"accounts.{roles.MANAGE_OFFICE}") or user.is_staff
    dashboard = user.has_perm(f"accounts.{roles.VIEW_DASHBOARD}")
    rights = [handles_callbacks, user.has_perm(f"accounts.{roles.TAKE_MESSAGES}"), dashboard, admin]
    return {
        "nav": {
            "admin": admin,
            "callbacks": handles_callbacks,
            # Counted only when a template shows them, all three in one query.
            "badge": counts if handles_callbacks else None,
            "unread": SimpleLazyObject(unread),
            # The colleague's own quick status, read only where the navigation shows its control.
            "presence": presence,
            "presence_states": PresenceForm.base_fields["state"].choices,
            "dashboard": dashboard,
            # Protocol step 1: everyone can see who answers the phone first right now.
            "on_duty": SimpleLazyObject(lambda: on_phone_duty(now=timezone.now()) or ""),
            # The key of the navigation's links, kept in the fragments cache (templates/base.html, with the
            # language): everything they show that can change. Another page or other rights give another key,
            # so they are never shown to someone they do not fit. The badge between them is drawn each time.
            "links_key": SimpleLazyObject(lambda: _links_key(request, rights)),
        }
    }


def _links_key(request: HttpRequest, rights: list[bool]) -> str:
    route = request.resolver_match
    shown = [route.app_name if route else "", route.url_name if route else "", *rights]
    return ":".join(map(str, shown))
