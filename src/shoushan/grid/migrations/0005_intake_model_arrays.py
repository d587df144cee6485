"""Stored intake models become arrays and plain metadata instead of pickles of the classifier's
classes (which a reorganisation of the code would have made unreadable)."""

import pickle
import zlib

from django.db import migrations


def arrays_from_pickles(apps, schema_editor):
    IntakeModel = apps.get_model("grid", "IntakeModel")
    for row in IntakeModel.objects.all():
        payload = bytes(row.payload)
        if payload.startswith(b"PK"):  # a numpy archive already
            continue
        # rows this platform wrote itself (zlib-compressed pickles): the last time one is read
        classifier = pickle.loads(zlib.decompress(payload))  # noqa: S301
        row.payload = classifier.to_bytes()
        row.save(update_fields=["payload"])


class Migration(migrations.Migration):
    dependencies = [("grid", "0004_case_merge")]

    operations = [migrations.RunPython(arrays_from_pickles, migrations.RunPython.noop)]
