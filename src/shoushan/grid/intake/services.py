"""Smart intake (智能分拨), the Django side: trained classifier versions in the database and the
prediction stored on each arriving case (a hook into case reporting, registered by the grid app).
The engines are the pure modules `classify` and `segment` beside this one."""

import csv
import hashlib
import io
import secrets
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.accounts.roles import CITY_ADMINISTRATORS, require_role
from shoushan.audit.services import audit_record
from shoushan.core.errors import InvalidInput, NotFound
from shoushan.core.tables import text_decode
from shoushan.core.versioned import VersionedCache, version_bump
from shoushan.grid.intake import classify
from shoushan.grid.models import Case, CaseKind, Category, Channel, IntakeModel, Open311Key
from shoushan.regions.selectors import region_names

INTAKE_MODEL_VERSION = "intake_model"

# Patrol cases are filed by grid workers who choose the category themselves; every other channel
# (12345, residents, Open311 clients) brings free text from the public and is classified.
CLASSIFIED_CHANNELS = {Channel.HOTLINE, Channel.RESIDENT, Channel.OPEN311}
MAX_TRAINING_BYTES = 200 * 1024 * 1024
# what a dispatcher needs of what the system dispatches alone: 19 of 20 to the right domain
TARGET_PRECISION = 0.95
DEFAULT_THRESHOLD = 0.6  # a model trained without evaluation (the demo's)


# ---- labelled files ----------------------------------------------------------------------------


@dataclass
class LabelledFile:
    texts: list[str]
    labels: list[str]
    departments: list[str] | None
    checksum: str
    name: str


def labelled_file_read(
    path: str | Path, *, text_column: str, label_column: str, department_column: str = ""
) -> LabelledFile:
    """The rows of a labelled CSV (UTF-8 with or without BOM, or GB18030); rows without text or
    label are skipped. Raises InvalidInput for a missing file or column or no usable row."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(_("There is no file %(path)s.") % {"path": path})
    content = path.read_bytes()
    if len(content) > MAX_TRAINING_BYTES:
        raise InvalidInput(_("The file is larger than 200 MB."))
    text = text_decode(content)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise InvalidInput(_("The file is empty."))
    wanted = [text_column, label_column] + ([department_column] if department_column else [])
    missing = [c for c in wanted if c not in header]
    if missing:
        raise InvalidInput(
            _("Missing columns: %(names)s (the file has: %(header)s).")
            % {"names": ", ".join(missing), "header": ", ".join(header)}
        )
    texts, labels, departments = [], [], []
    for row in reader:
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        if row.get(text_column) and row.get(label_column):
            texts.append(row[text_column])
            labels.append(row[label_column])
            departments.append(row.get(department_column, "") if department_column else "")
    if not texts:
        raise InvalidInput(_("The file has no row with both a text and a label."))
    return LabelledFile(
        texts=texts,
        labels=labels,
        departments=departments if department_column else None,
        checksum=hashlib.sha256(content).hexdigest(),
        name=path.name,
    )


# ---- departments, dictionary -------------------------------------------------------------------


def request_departments() -> dict[str, str]:
    """Domain → department from the case catalogue: each 12345 major class (named like a
    domain: 城乡建设, 交通运输, …) answers through the department most of its sub-classes name."""
    departments: dict[str, Counter] = {}
    rows = Category.objects.filter(kind=CaseKind.REQUEST, major_class__isnull=False).values_list(
        "major_class__name", "default_department"
    )
    for domain, department in rows:
        if department:
            departments.setdefault(domain, Counter())[department] += 1
    return {domain: counts.most_common(1)[0][0] for domain, counts in departments.items()}


def _file_departments(labelled: LabelledFile) -> dict[str, str]:
    """Domain → the department the training file names most often for it."""
    counts: dict[str, Counter] = {}
    for label, department in zip(labelled.labels, labelled.departments or [], strict=False):
        if department:
            counts.setdefault(label, Counter())[department] += 1
    return {label: c.most_common(1)[0][0] for label, c in counts.items()}


def intake_segmenter():
    """jieba's segment function with the region names and category terms added."""
    from shoushan.grid.intake import segment

    segment.dictionary_add(segment.region_words(region_names()))
    segment.dictionary_add(Category.objects.values_list("name", flat=True), tag="n")
    return segment.segment


# ---- training and the active model -------------------------------------------------------------


def intake_model_train(
    *,
    actor,
    path: str | Path,
    text_column: str,
    label_column: str,
    department_column: str = "",
    folds: int = 5,
    threshold: float | None = None,
    target_precision: float = TARGET_PRECISION,
) -> IntakeModel:
    """Train a classifier on a labelled file, evaluate it by stratified k-fold cross-validation
    grouped by near-duplicates and plain (folds=0: no evaluation), and save it as the next
    version, active. The confidence threshold of automatic dispatch is the city's `threshold`,
    else the lowest at which the grouped cross-validation dispatched with `target_precision`
    (none reaching it: 1, nothing dispatched without a person), else, without evaluation,
    DEFAULT_THRESHOLD. Reaching the precision means overall and for every domain: what each
    department receives alone must be right as often (`classify.threshold_for_precision`)."""
    require_role(actor, CITY_ADMINISTRATORS, _("The city administrator trains the intake model."))
    labelled = labelled_file_read(
        path,
        text_column=text_column,
        label_column=label_column,
        department_column=department_column,
    )
    counts = Counter(labelled.labels)
    if len(counts) < 2:
        raise InvalidInput(_("Training needs messages of at least two domains."))
    if threshold is not None and not 0 <= threshold <= 1:
        raise InvalidInput(_("The confidence threshold lies between 0 and 1."))
    if not 0 < target_precision <= 1:
        raise InvalidInput(_("The wanted precision lies between 0 and 1."))
    segmenter = intake_segmenter()
    departments = {**request_departments(), **_file_departments(labelled)}
    report: dict = {}
    folds = min(folds, min(counts.values()))
    if folds >= 2:
        started = time.perf_counter()
        report = classify.cross_validate(
            labelled.texts, labelled.labels, folds=folds, segmenter=segmenter
        )
        report["seconds"] = round(time.perf_counter() - started, 1)
        report["target_precision"] = target_precision
        found = classify.threshold_for_precision(
            report["dispatch"], target_precision, report["dispatch_by_domain"]
        )
        report["threshold_found"] = found
        if threshold is None:
            threshold = 1.0 if found is None else found
    model = classify.train(
        labelled.texts, labelled.labels, departments=departments, segmenter=segmenter
    )
    report["training_seconds"] = round(model.training_seconds, 2)
    report["class_counts"] = dict(counts)
    return intake_model_save(
        actor=actor,
        classifier=model,
        source=labelled,
        report=report,
        threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
    )


def intake_model_save(
    *,
    actor,
    classifier: classify.IntakeClassifier,
    source: LabelledFile,
    report: dict,
    threshold: float = DEFAULT_THRESHOLD,
) -> IntakeModel:
    """Store a trained classifier as the next version, active (its arrays, not a pickle), with
    the file it learnt from and its evaluation; audited."""
    require_role(actor, CITY_ADMINISTRATORS, _("The city administrator trains the intake model."))
    if not 0 <= threshold <= 1:
        raise InvalidInput(_("The confidence threshold lies between 0 and 1."))
    model, labelled, departments = classifier, source, classifier.departments
    payload = model.to_bytes()
    with transaction.atomic():
        last = IntakeModel.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0
        IntakeModel.objects.filter(is_active=True).update(is_active=False)
        row = IntakeModel.objects.create(
            version=last + 1,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            training_file=labelled.name[:255],
            training_checksum=labelled.checksum,
            training_rows=len(labelled.texts),
            classes=model.classes,
            departments={c: departments.get(c, "") for c in model.classes},
            report=report,
            threshold=threshold,
            is_active=True,
            payload=payload,
        )
        audit_record(
            actor=actor,
            action="intake_model.train",
            obj=row,
            object_repr=str(row),
            changes={
                "version": row.version,
                "training_file": row.training_file,
                "training_checksum": row.training_checksum,
                "rows": row.training_rows,
                "macro_f1": report.get("grouped", {}).get("macro_f1"),
                "threshold": threshold,
            },
        )
        version_bump(INTAKE_MODEL_VERSION)
    return row


def intake_model_activate(*, actor, version: int, threshold: float | None = None) -> IntakeModel:
    """Make a trained version the active one (and set its threshold)."""
    require_role(actor, CITY_ADMINISTRATORS, _("The city administrator chooses the intake model."))
    if threshold is not None and not 0 <= threshold <= 1:
        raise InvalidInput(_("The confidence threshold lies between 0 and 1."))
    with transaction.atomic():
        row = IntakeModel.objects.select_for_update().filter(version=version).first()
        if row is None:
            raise NotFound(_("There is no intake model version %(v)s.") % {"v": version})
        IntakeModel.objects.exclude(pk=row.pk).filter(is_active=True).update(is_active=False)
        changes: dict[str, list[bool] | list[float]] = {"is_active": [row.is_active, True]}
        if threshold is not None:
            changes["threshold"] = [row.threshold, threshold]
            row.threshold = threshold
        row.is_active = True
        row.save(update_fields=["is_active", "threshold"])
        audit_record(actor=actor, action="intake_model.activate", obj=row, changes=changes)
        version_bump(INTAKE_MODEL_VERSION)
    return row


@dataclass(frozen=True)
class ActiveModel:
    version: int
    threshold: float
    classifier: classify.IntakeClassifier


def _active_model_load() -> ActiveModel | None:
    row = (
        IntakeModel.objects.filter(is_active=True)
        .values_list("version", "threshold", "payload")
        .first()
    )
    if row is None:
        return None
    version, threshold, payload = row
    classifier = classify.IntakeClassifier.from_bytes(bytes(payload))
    return ActiveModel(version=version, threshold=threshold, classifier=classifier)


_active: VersionedCache[ActiveModel | None] = VersionedCache(
    INTAKE_MODEL_VERSION, _active_model_load
)


def intake_model_active() -> ActiveModel | None:
    """The active model as this process holds it (at most VERSION_CHECK_SECONDS old)."""
    return _active.get()


def intake_fields(reports: list[tuple[str, str]]) -> list[dict]:
    """The intake fields of new cases from their (channel, description): the active model's
    prediction, and whether the case needs manual triage (confidence below the model's
    threshold). Nothing without a model, and nothing for patrol cases. Registered as a hook of
    case reporting (grid's AppConfig.ready)."""
    fields: list[dict] = [{} for _report in reports]
    model = intake_model_active()
    if model is None:
        return fields
    wanted = [i for i, (channel, _text) in enumerate(reports) if channel in CLASSIFIED_CHANNELS]
    if len(wanted) == 1:
        predictions = [model.classifier.predict_one(reports[wanted[0]][1])]
    else:
        predictions = model.classifier.predict([reports[i][1] for i in wanted]) if wanted else []
    for i, prediction in zip(wanted, predictions, strict=True):
        fields[i] = _fields(prediction, model)
    return fields


def _fields(prediction: classify.Prediction, model: ActiveModel) -> dict:
    return {
        "intake_domain": prediction.domain[:50],
        "intake_department": prediction.department[:100],
        "intake_confidence": round(prediction.confidence, 4),
        "intake_model_version": model.version,
        "needs_triage": prediction.confidence < model.threshold,
    }


def cases_intake_classify(
    *, case_ids: list[int] | None = None, limit: int | None = None, require_model: bool = True
) -> int:
    """Classify the cases that arrived without a prediction (before a model was active), or only
    those of `case_ids`; returns how many. Without an active model: InvalidInput, or 0 when
    `require_model` is false."""
    model = intake_model_active()
    if model is None:
        if not require_model:
            return 0
        raise InvalidInput(_("No intake model is trained yet: run `shoushan intake train`."))
    pending = Case.objects.filter(
        intake_model_version__isnull=True, channel__in=CLASSIFIED_CHANNELS
    ).order_by("id")
    if case_ids is not None:  # a batch's ids: their range (no huge IN list); others waiting
        if not case_ids:  # in it are classified too, which does no harm
            return 0
        pending = pending.filter(pk__gte=min(case_ids), pk__lte=max(case_ids))
    pairs = pending.values_list("id", "description")
    ids_texts = list(pairs[:limit] if limit else pairs)
    done = 0
    for start in range(0, len(ids_texts), 2000):
        chunk = ids_texts[start : start + 2000]
        predictions = model.classifier.predict([text for _id, text in chunk])
        cases = []
        for (case_id, _text), prediction in zip(chunk, predictions, strict=True):
            case = Case(pk=case_id)
            for name, value in _fields(prediction, model).items():
                setattr(case, name, value)
            cases.append(case)
        with transaction.atomic():
            Case.objects.bulk_update(
                cases,
                [
                    "intake_domain",
                    "intake_department",
                    "intake_confidence",
                    "intake_model_version",
                    "needs_triage",
                ],
            )
        done += len(cases)
    if done:
        audit_record(
            actor=None,
            action="case.intake_classify",
            object_type="grid.case",
            object_repr=_("%(n)s cases classified") % {"n": done},
            changes={"cases": done, "model_version": model.version},
        )
    return done


def intake_evaluate(*, path: str | Path, text_column: str, label_column: str) -> dict:
    """Score the active model on a labelled file (raw or segmented text): per class and overall,
    and what automatic dispatch would do at the model's threshold: the share of messages
    dispatched without a person (`auto_coverage`) and the share of those right
    (`auto_precision`), and the domain dispatched least right (`weakest_domain`: domain and
    precision, None when no domain has enough messages dispatched to judge); and the lowest
    threshold at which this file's messages would be dispatched with the precision the model
    was trained for, overall and in every domain (`threshold_for_target`, None if none), with
    its coverage:
    a city that labels some of its own raw messages can set the threshold from them."""
    model = intake_model_active()
    if model is None:
        raise InvalidInput(_("No intake model is trained yet: run `shoushan intake train`."))
    labelled = labelled_file_read(path, text_column=text_column, label_column=label_column)
    predictions = model.classifier.predict(labelled.texts)
    predicted = [p.domain for p in predictions]
    report = classify.evaluation_report(labelled.labels, predicted)
    confidence = [p.confidence for p in predictions]
    correct = [p == label for p, label in zip(predicted, labelled.labels, strict=True)]
    report["auto_precision"], report["auto_coverage"] = classify.dispatch_figures(
        confidence, correct, model.threshold
    )
    curve = classify.dispatch_curve(confidence, correct)
    domains = classify.domain_dispatch_curves(confidence, correct, predicted)
    report["weakest_domain"] = classify.weakest_domain_at(domains, model.threshold)
    trained = IntakeModel.objects.filter(version=model.version).values_list("report", flat=True)
    target = (trained.first() or {}).get("target_precision", TARGET_PRECISION)
    found = classify.threshold_for_precision(curve, target, domains)
    report["threshold_for_target"], report["target_precision"] = found, target
    report["target_coverage"] = (
        classify.dispatch_figures(confidence, correct, found)[1] if found is not None else 0.0
    )
    report["version"], report["threshold"] = model.version, model.threshold
    return report


# ---- Open311 clients' keys ---------------------------------------------------------------------

OPEN311_KEYS_VERSION = "open311_keys"


def _live_key_hashes() -> frozenset[str]:
    return frozenset(
        Open311Key.objects.filter(revoked_at__isnull=True).values_list("key_hash", flat=True)
    )


_live_keys: VersionedCache[frozenset[str]] = VersionedCache(OPEN311_KEYS_VERSION, _live_key_hashes)


def open311_key_live(key: str) -> bool:
    """Whether an api_key is live (a revoked key stops within VERSION_CHECK_SECONDS everywhere)."""
    return bool(key) and hashlib.sha256(key.encode()).hexdigest() in _live_keys.get()


def open311_key_create(*, actor, name: str, key: str | None = None) -> tuple[Open311Key, str]:
    """A new Open311 `api_key` for a client; the key is returned once, only its hash is kept."""
    require_role(actor, CITY_ADMINISTRATORS, _("Only city administrators manage Open311 keys."))
    name = name.strip()
    if not name:
        raise InvalidInput(_("Name the client that will use the key."))
    key = key or "o311_" + secrets.token_urlsafe(24)
    with transaction.atomic():
        record = Open311Key.objects.create(
            name=name[:100], prefix=key[:8], key_hash=hashlib.sha256(key.encode()).hexdigest()
        )
        version_bump(OPEN311_KEYS_VERSION)
        audit_record(
            actor=actor,
            action="open311_key.create",
            obj=record,
            region_code="110000000000",
            changes={"name": record.name, "prefix": record.prefix},
        )
    return record, key


def open311_key_revoke(*, actor, key_id: int) -> Open311Key:
    require_role(actor, CITY_ADMINISTRATORS, _("Only city administrators manage Open311 keys."))
    with transaction.atomic():
        record = Open311Key.objects.select_for_update().filter(pk=key_id).first()
        if record is None:
            raise NotFound(_("No such key."))
        if record.revoked_at is None:
            record.revoked_at = timezone.now()
            record.save(update_fields=["revoked_at"])
            version_bump(OPEN311_KEYS_VERSION)
            audit_record(
                actor=actor,
                action="open311_key.revoke",
                obj=record,
                region_code="110000000000",
                changes={"revoked_at": record.revoked_at.isoformat()},
            )
    _live_keys.forget()  # this process stops trusting it at once
    return record
