from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallbacksConfig(AppConfig):
    name = "callbacks"
    verbose_name = _("Callbacks")

    def ready(self) -> None:
        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from accounts.configuration_cache import configuration_changed
        from accounts.models import Team, User
        from callbacks.models import ClosureDay, HandlingPolicy, OpeningHours, PhoneDuty, TeamSettings

        # What accounts/configuration_cache.py keeps: recipients (users, teams, roles), promise rules, roster.
        # The services and the admin move its version on themselves; these receivers are the belt for
        # any other save through the ORM (a shell, a data migration). `.update()` and raw SQL send none.
        for model in (User, Team, Group, OpeningHours, ClosureDay, HandlingPolicy, TeamSettings, PhoneDuty):
            post_save.connect(configuration_changed, sender=model, dispatch_uid=f"config-save-{model.__name__}")
            post_delete.connect(configuration_changed, sender=model, dispatch_uid=f"config-delete-{model.__name__}")
        for through in (
            Team.members.through,
            Team.managers.through,
            User.groups.through,
            User.user_permissions.through,
            Group.permissions.through,
        ):
            m2m_changed.connect(configuration_changed, sender=through, dispatch_uid=f"config-m2m-{through.__name__}")
        # Permission sets are kept too (accounts/backends.py): a membership row saved or deleted directly,
        # without the m2m manager, must move the version on as well.
        for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
            post_save.connect(configuration_changed, sender=through, dispatch_uid=f"config-save-{through.__name__}")
            post_delete.connect(configuration_changed, sender=through, dispatch_uid=f"config-delete-{through.__name__}")
        # Registers the Celery tasks in every process, also the web ones, where services queue a delivery
        # by the task's name (callbacks.services.notifications.DELIVER_TASK) and tests run it eagerly.
        import callbacks.tasks  # noqa: F401
