from datetime import timedelta

from django.db import migrations, models


def existing_tokens_and_passwords(apps, schema_editor):
    """Tokens made before expiry existed keep working for a year from their creation and keep the
    writes they could always make; existing passwords count as set when the account was made."""
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.all():
        token.expires_at = token.created_at + timedelta(days=365)
        token.read_only = False
        token.save(update_fields=["expires_at", "read_only"])
    User = apps.get_model("accounts", "User")
    User.objects.update(password_changed_at=models.F("date_joined"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="password_changed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="password changed"),
        ),
        migrations.AddField(
            model_name="user",
            name="password_change_required",
            field=models.BooleanField(default=False, verbose_name="must change password"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="read_only",
            field=models.BooleanField(default=True, verbose_name="read only"),
        ),
        migrations.RunPython(existing_tokens_and_passwords, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires"),
        ),
    ]
