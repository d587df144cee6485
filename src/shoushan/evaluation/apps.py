from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "shoushan.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from django.utils.translation import gettext

        from shoushan.evaluation.engine.messages import translator_install

        translator_install(gettext)
