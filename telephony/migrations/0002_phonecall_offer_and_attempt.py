import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("callbacks", "0015_missed_call_type"),
        ("telephony", "0001_phone_systems_and_calls"),
    ]

    operations = [
        migrations.AddField(
            model_name="phonecall",
            name="offered_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="offered at"),
        ),
        migrations.AddField(
            model_name="phonecall",
            name="offer_closed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="offer closed at"),
        ),
        migrations.AddField(
            model_name="phonecall",
            name="attempt",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="callbacks.attempt",
            ),
        ),
        migrations.AddIndex(
            model_name="phonecall",
            index=models.Index(
                condition=models.Q(("offer_closed_at__isnull", True), ("offered_at__isnull", False)),
                fields=["agent"],
                name="phonecall_open_offers",
            ),
        ),
    ]
