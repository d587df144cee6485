"""shoushan intake train | evaluate | classify | activate | locate"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shoushan.core.errors import DomainError
from shoushan.grid.intake.classify import curve_at, report_lines, weakest_domain_at
from shoushan.grid.intake.dispatch import cases_auto_dispatch
from shoushan.grid.intake.services import (
    TARGET_PRECISION,
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
        train.add_argument(
            "--threshold",
            type=float,
            default=None,
            help="confidence for dispatch without a person (default: read from the grouped "
            "cross-validation for --precision)",
        )
        train.add_argument(
            "--precision",
            type=float,
            default=TARGET_PRECISION,
            help="the share of automatically dispatched requests that must be right",
        )
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
            target_precision=options["precision"],
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
        for key, title in (
            ("grouped", _("near-duplicates kept in one fold (the estimate for new messages)")),
            ("plain", _("random folds (near-duplicates on both sides)")),
        ):
            if key in report:
                self.stdout.write(
                    _("%(method)s, %(title)s:") % {"method": self._method(report), "title": title}
                )
                for line in report_lines(report[key]):
                    self.stdout.write(line)
        self._threshold_explain(row)

    @staticmethod
    def _method(report: dict) -> str:
        if "folds" not in report:  # a model trained before the report kept its folds and seed
            return report["method"]
        return _("stratified %(k)s-fold cross-validation (shuffled, seed %(s)s)") % {
            "k": report["folds"],
            "s": report["seed"],
        }

    def _threshold_explain(self, row):
        report, threshold = row.report, row.threshold
        found = curve_at(report.get("dispatch") or [], threshold)
        if found is None:
            self.stdout.write(
                _(
                    "Threshold %(t)s, not evaluated (--folds 0, or a domain with fewer than two "
                    "messages): nothing says how many of the requests dispatched without a person "
                    "are right."
                )
                % {"t": threshold}
            )
            return
        if report.get("threshold_found") is None and threshold >= 1:
            self.stdout.write(
                _(
                    "No threshold reaches precision %(p)s in cross-validation, overall and in "
                    "every domain: nothing is dispatched without a person (threshold 1). Set one "
                    "with --threshold."
                )
                % {"p": report["target_precision"]}
            )
            return
        if not report.get("grouped_by_near_duplicates", True):
            self.stdout.write(
                _(
                    "The file's messages are too alike to keep near-duplicates apart: the "
                    "figures come from random folds and may overstate."
                )
            )
        precision, coverage = found
        self.stdout.write(
            _(
                "Threshold %(t)s: in the grouped cross-validation %(c).1f %% of the messages reach "
                "it and would be dispatched without a person; %(p).1f %% of those are right."
            )
            % {"t": threshold, "c": 100 * coverage, "p": 100 * precision}
        )
        self._weakest_explain(weakest_domain_at(report.get("dispatch_by_domain"), threshold))

    def _weakest_explain(self, weakest):
        if weakest is not None:
            self.stdout.write(
                _(
                    "Of the messages dispatched to each domain's department, at least %(p).1f %% "
                    "are right; the lowest is %(d)s."
                )
                % {"p": 100 * weakest[1], "d": weakest[0]}
            )

    def _evaluate(self, options):
        report = intake_evaluate(
            path=options["csv"],
            text_column=options["text_column"],
            label_column=options["label_column"],
        )
        self.stdout.write(
            _("Intake model version %(v)s, threshold %(t)s:")
            % {"v": report["version"], "t": report["threshold"]}
        )
        self._weakest_explain(report["weakest_domain"])
        found, target = report["threshold_for_target"], report["target_precision"]
        if found is None:
            self.stdout.write(
                _(
                    "On this file no threshold dispatches with precision %(p)s, overall and in "
                    "every domain."
                )
                % {"p": target}
            )
        else:
            self.stdout.write(
                _(
                    "On this file, precision %(p)s is reached, overall and in every domain, from "
                    "threshold %(t)s, which would "
                    "dispatch %(c).1f %% of the messages without a person "
                    "(`shoushan intake activate %(v)s --threshold %(t)s` sets it)."
                )
                % {
                    "p": target,
                    "t": found,
                    "c": 100 * report["target_coverage"],
                    "v": report["version"],
                }
            )
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
