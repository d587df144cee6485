import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("grid", "0006_grid_owner")]

    operations = [
        migrations.RenameField(model_name="category", old_name="parent", new_name="major_class"),
        migrations.AlterField(
            model_name="category",
            name="major_class",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sub_classes",
                to="grid.category",
                verbose_name="major class",
            ),
        ),
    ]
