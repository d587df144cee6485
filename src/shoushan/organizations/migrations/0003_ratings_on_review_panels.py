"""The ratings' assessors move to the shared review panels (reviews.Panel and Seat): each
application's assessors become the seats of its panel, their scores the panel's one criterion."""

from django.db import migrations

RATING_PANEL = "organizations.ratingapplication"
RUBRIC = [["评估总分", 1000]]


def assessments_to_seats(apps, schema_editor):
    Assessment = apps.get_model("organizations", "RatingAssessment")
    Panel = apps.get_model("reviews", "Panel")
    Seat = apps.get_model("reviews", "Seat")
    panels: dict[int, object] = {}
    for assessment in Assessment.objects.select_related(
        "application__round", "application__organization"
    ).order_by("pk"):
        application = assessment.application
        if application.pk not in panels:
            organization = application.organization
            panels[application.pk], _made = Panel.objects.get_or_create(
                subject_type=RATING_PANEL,
                subject_id=application.pk,
                defaults={
                    "region_code": application.round.authority_code,
                    "field": organization.field,
                    "bodies": [organization.credit_code] if organization.credit_code else [],
                    "label": organization.name,
                    "rubric": RUBRIC,
                    "cooling_off_years": 2,
                },
            )
        score = assessment.score
        Seat.objects.get_or_create(
            panel=panels[application.pk],
            expert_id=assessment.expert_id,
            defaults={
                "drawn": False,
                "marks": {RUBRIC[0][0]: str(score)} if score is not None else {},
                "total": score,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0002_service_records"),
        ("reviews", "0003_panel_cooling_off"),
    ]

    operations = [
        migrations.RunPython(assessments_to_seats, migrations.RunPython.noop),
        migrations.DeleteModel(name="RatingAssessment"),
    ]
