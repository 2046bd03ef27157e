"""Indexes for search (callbacks.selectors.search), on PostgreSQL only; SQLite searches without them.

Each index is the expression the search's conditions compile to: UPPER(col::text) for icontains,
col::text for contains, Django's SearchVector("reason", config="dutch") for the full-text search.
They are not in Message.Meta because SQLite has neither GIN nor pg_trgm.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations


# Name: the indexed expression, as Django's lookups write it.
TRIGRAM = {
    # Name and company: caller_name__icontains, caller_company__icontains.
    "msg_search_name": 'UPPER("caller_name"::text)',
    "msg_search_company": 'UPPER("caller_company"::text)',
    # A part of a number: caller_number__contains (a whole number uses msg_caller_history).
    "msg_search_number": '"caller_number"::text',
}


def _reason_index() -> GinIndex:
    """Words in the reason (callbacks.selectors.search.REASON_CONFIG), built by Django from the same expression
    the search filters on."""
    return GinIndex(SearchVector("reason", config="dutch"), name="msg_search_reason")


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in TRIGRAM.items():
        schema_editor.execute(f"CREATE INDEX {name} ON callbacks_message USING gin (({expression}) gin_trgm_ops)")
    schema_editor.add_index(apps.get_model("callbacks", "Message"), _reason_index())


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in [*TRIGRAM, _reason_index().name]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("callbacks", "0012_notification_state_labels"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
