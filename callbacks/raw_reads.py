"""What the few reads written as one SQL statement need to hand back what the ORM would.

The detail page and the live dashboard are read on every view and every 30 seconds. Built with the ORM
their reads cost 0.5 to 1 ms a query on PostgreSQL, most of it compiling the query; written as one
statement each (callbacks.selectors.message_timeline, callbacks.selectors.dashboard) they cost a fraction
of that. These helpers keep their parameters and results the ORM's: values go in prepared by their field
and come back through the same converters (aware datetimes on SQLite too, decoded JSON), and rows become
model instances holding only the columns read, the rest deferred, exactly as ``.only()`` builds them.
"""

from collections.abc import Callable

from django.db import connection
from django.db.models import Field, Model


def parameter(field: Field, value: object) -> object:
    """A value as the ORM sends it for this field: on SQLite an aware datetime becomes UTC text, as stored."""
    return field.get_db_prep_value(value, connection)


def converter(field: Field) -> Callable[[object], object]:
    """What the ORM applies to this field's column as it reads it: the backend's and the field's converters."""
    column = field.get_col(field.model._meta.db_table)
    functions = [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]

    def convert(value: object) -> object:
        for function in functions:
            value = function(value, column, connection)
        return value

    return convert


def partial_instance[M: Model](model: type[M], **values: object) -> M:
    """A model instance holding only these fields (by attname), the others deferred."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])
