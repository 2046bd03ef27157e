from django.http import HttpRequest

from accounts import roles


def navigation(request: HttpRequest) -> dict[str, object]:
    """Which parts of the navigation this user may see; pages that do not exist yet have no entry."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "admin": user.has_perm(f"accounts.{roles.MANAGE_OFFICE}") or user.is_staff,
        }
    }
