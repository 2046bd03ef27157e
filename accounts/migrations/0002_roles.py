"""Create the role groups with their permissions.

Permissions are normally created after all migrations ran; create them here first so a
fresh database has working roles straight after `migrate`.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "receptionist": ["take_messages"],
    "colleague": ["handle_callbacks"],
    "manager": [
        "take_messages",
        "handle_callbacks",
        "view_all_callbacks",
        "view_dashboard",
        "manage_office",
        *[f"{action}_{model}" for model in ("user", "team", "absence") for action in ("view", "add", "change", "delete")],
    ],
}


def create_roles(apps, schema_editor):
    app_config = apps.get_app_config("accounts")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="accounts", codename__in=codenames))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
