"""The permission to edit the promise rules of every team, and the role (group) that holds it.

A superuser grants the role; managers without it edit the rules of the teams they manage.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE, PERMISSION = "all_teams_rules", "edit_all_team_rules"


def create_role(apps, schema_editor):
    app_config = apps.get_app_config("accounts")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=ROLE)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="accounts", codename=PERMISSION))


def remove_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=ROLE).delete()
    apps.get_model("auth", "Permission").objects.filter(content_type__app_label="accounts", codename=PERMISSION).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="user",
            options={
                "ordering": ["full_name", "username"],
                "permissions": [
                    ("take_messages", "Can take callback messages"),
                    ("handle_callbacks", "Can handle callbacks"),
                    ("view_all_callbacks", "Can see every callback"),
                    ("view_dashboard", "Can see the manager dashboard"),
                    ("manage_office", "Can manage users, teams and absences"),
                    ("edit_all_team_rules", "Can edit the promise rules of every team"),
                ],
                "verbose_name": "user",
                "verbose_name_plural": "users",
            },
        ),
        migrations.RunPython(create_role, remove_role),
    ]
