from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("grid", "0005_intake_model_arrays")]

    operations = [
        migrations.RenameField(model_name="grid", old_name="responsible_party", new_name="owner"),
        migrations.AlterField(
            model_name="grid",
            name="owner",
            field=models.CharField(
                blank=True,
                help_text="Empty: the locality (the street) answers for it (属地兜底).",
                max_length=100,
                verbose_name="owner",
            ),
        ),
    ]
