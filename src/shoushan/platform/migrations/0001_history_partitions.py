"""On PostgreSQL, the history tables become partitioned by month (shoushan.core.partitions):
their rows are copied into the new table, so on a large existing database run it in a
maintenance window. SQLite keeps plain tables. Going back leaves the partitions in place: they
serve the same rows to the same models."""

from django.db import migrations

from shoushan.core.partitions import partition_convert, partitions_ensure


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.utils import timezone

    from shoushan.platform.history import HISTORY, months_around

    with schema_editor.connection.cursor() as cursor:
        for history in HISTORY.values():
            partition_convert(cursor, history)
            partitions_ensure(cursor, history, months_around(timezone.localdate()))


class Migration(migrations.Migration):
    dependencies = [
        ("grid", "0010_category_attributes"),
        ("audit", "0002_hash_chain"),
    ]

    operations = [migrations.RunPython(partition, migrations.RunPython.noop, elidable=False)]
