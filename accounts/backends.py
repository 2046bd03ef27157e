"""Django's ModelBackend, with each person's permission set kept with the office's configuration.

Every page asks for permissions (the navigation, Message.objects.visible_to, the templates' `perms`), and
the stock backend reads them with two joined ORM queries on every request; building those queries costs
about as much as a bare page. Roles and their permissions are part of the office's configuration, so the
set is kept by accounts/configuration_cache.py under the configuration version: whatever changes a role,
a membership or a group's permissions (the services, the admin, and the model signals in callbacks/apps.py,
which include saves and deletes of the membership rows themselves) moves the version on, and every
process reads the set from the database again on its next request. A change that bypasses all of these
(raw SQL, a database console) applies within configuration_cache.MAX_AGE_SECONDS.

Deactivation still applies at once: the user row, with is_active and is_superuser, is read on every
request, and both are checked here before anything kept is used.
"""

from django.contrib.auth.backends import ModelBackend

from accounts.configuration_cache import remembered


def permissions_key(user) -> str:
    # A superuser holds every permission: the flag is in the key, so granting it needs no version move.
    return f"permissions:{user.pk}:{user.is_superuser}"


class ConfiguredPermissionBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = remembered(permissions_key(user_obj), lambda: self._read_permissions(user_obj))
        return user_obj._perm_cache

    def _read_permissions(self, user_obj) -> frozenset[str]:
        return frozenset(super().get_all_permissions(user_obj))
