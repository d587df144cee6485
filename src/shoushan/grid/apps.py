from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridConfig(AppConfig):
    """Grid work in three packages, each with its own job: `registry` (grids, units, the rules
    that are data), `cases` (the closed loop) and `intake` (12345, Open311 and smart intake), in
    that order of dependence. Intake adds its prediction to every new case through the closed
    loop's report hook, so the loop knows nothing of it."""

    name = "shoushan.grid"
    label = "grid"
    verbose_name = _("Grid work")

    def ready(self) -> None:
        from shoushan.grid.cases.services import report_hook_add
        from shoushan.grid.intake.services import intake_fields

        report_hook_add(intake_fields)
