"""shoushan intake train | evaluate | classify | activate | locate"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shoushan.core.errors import DomainError
from shoushan.grid.intake.classify import report_lines
from shoushan.grid.intake.dispatch import cases_auto_dispatch
from shoushan.grid.intake.services import (
    cases_intake_classify,
    intake_evaluate,
    intake_model_activate,
    intake_model_train,
)
from shoushan.regions.selectors import address_region


class Command(BaseCommand):
    help = (
        "Smart intake: train a versioned classifier of request domains on a labelled CSV, "
        "score the active one, classify waiting cases, activate a version, locate an address."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="train, cross-validate and activate a new version")
        evaluate = sub.add_parser("evaluate", help="score the active model on a labelled CSV")
        for p in (train, evaluate):
            p.add_argument("--csv", required=True, help="labelled CSV file (UTF-8 or GB18030)")
            p.add_argument("--text-column", required=True)
            p.add_argument("--label-column", required=True)
        train.add_argument("--department-column", default="")
        train.add_argument(
            "--folds", type=int, default=5, help="stratified cross-validation folds (0: none)"
        )
        train.add_argument("--threshold", type=float, default=0.6)
        classify = sub.add_parser("classify", help="classify the cases without a prediction")
        classify.add_argument("--limit", type=int, default=None)
        dispatch = sub.add_parser(
            "dispatch", help="dispatch the confidently classified new requests (every minute)"
        )
        dispatch.add_argument("--limit", type=int, default=1000)
        activate = sub.add_parser("activate", help="make a trained version the active one")
        activate.add_argument("version", type=int)
        activate.add_argument("--threshold", type=float, default=None)
        locate = sub.add_parser("locate", help="the region a free-text address names")
        locate.add_argument("address")

    def handle(self, *args, **options):
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as error:
            raise CommandError(error.message) from None

    def _dispatch(self, options):
        n = cases_auto_dispatch(limit=options["limit"])
        self.stdout.write(_("%(n)s cases dispatched without a person.") % {"n": n})

    def _train(self, options):
        row = intake_model_train(
            actor=None,
            path=options["csv"],
            text_column=options["text_column"],
            label_column=options["label_column"],
            department_column=options["department_column"],
            folds=options["folds"],
            threshold=options["threshold"],
        )
        report = row.report
        self.stdout.write(
            _("Intake model version %(v)s: %(n)s messages, %(k)s domains, trained in %(s)s s.")
            % {
                "v": row.version,
                "n": row.training_rows,
                "k": len(row.classes),
                "s": report.get("training_seconds"),
            }
        )
        for key, title in (("segmented", _("as given")), ("raw_like", _("spaces removed"))):
            if key in report:
                self.stdout.write(f"{report['method']}, {title}:")
                for line in report_lines(report[key]):
                    self.stdout.write(line)

    def _evaluate(self, options):
        report = intake_evaluate(
            path=options["csv"],
            text_column=options["text_column"],
            label_column=options["label_column"],
        )
        self.stdout.write(_("Intake model version %(v)s:") % {"v": report["version"]})
        for line in report_lines(report):
            self.stdout.write(line)

    def _classify(self, options):
        count = cases_intake_classify(limit=options["limit"])
        self.stdout.write(_("%(n)s cases classified.") % {"n": count})

    def _activate(self, options):
        row = intake_model_activate(
            actor=None, version=options["version"], threshold=options["threshold"]
        )
        self.stdout.write(
            _("Intake model version %(v)s is active (threshold %(t)s).")
            % {"v": row.version, "t": row.threshold}
        )

    def _locate(self, options):
        result = address_region(options["address"])
        self.stdout.write(f"status={result.status} code={result.code or ''}")
        for code in result.candidates:
            self.stdout.write(code)
