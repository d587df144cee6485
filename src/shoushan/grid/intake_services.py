"""Smart intake (智能分拨), the Django side: trained classifier versions in the database, the
prediction stored on each arriving case, and addresses located to regions. The engines are the
pure modules in shoushan.grid.intake."""

import csv
import hashlib
import io
import pickle
import threading
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from shoushan.audit.services import audit_record
from shoushan.core.errors import InvalidInput, NotFound
from shoushan.grid.intake import classify
from shoushan.grid.intake.address import AMBIGUOUS, AddressResult, Gazetteer
from shoushan.grid.models import Case, CaseKind, Category, Channel, IntakeModel
from shoushan.regions.models import Level, Region

# Patrol cases are filed by grid workers who choose the category themselves; every other channel
# (12345, residents, Open311 clients) brings free text from the public and is classified.
CLASSIFIED_CHANNELS = {Channel.HOTLINE, Channel.RESIDENT, Channel.OPEN311}
MAX_TRAINING_BYTES = 200 * 1024 * 1024


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
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput(_("The file is neither UTF-8 nor GB18030 text."))
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
    rows = Category.objects.filter(kind=CaseKind.REQUEST, parent__isnull=False).values_list(
        "parent__name", "default_department"
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


def _region_rows() -> list[tuple[str, str, str, str | None]]:
    return list(
        Region.objects.filter(
            level__in=[Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY]
        ).values_list("code", "name", "level", "parent_id")
    )


def intake_segmenter():
    """jieba's segment function with the region names and category terms added."""
    from shoushan.grid.intake import segment

    segment.dictionary_add(segment.region_words(_region_rows()))
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
    threshold: float = 0.6,
) -> IntakeModel:
    """Train a classifier on a labelled file, evaluate it by stratified k-fold cross-validation
    (folds=0: no evaluation), and save it as the next version, active."""
    labelled = labelled_file_read(
        path,
        text_column=text_column,
        label_column=label_column,
        department_column=department_column,
    )
    counts = Counter(labelled.labels)
    if len(counts) < 2:
        raise InvalidInput(_("Training needs messages of at least two domains."))
    if not 0 <= threshold <= 1:
        raise InvalidInput(_("The confidence threshold lies between 0 and 1."))
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
    model = classify.train(
        labelled.texts, labelled.labels, departments=departments, segmenter=segmenter
    )
    report["training_seconds"] = round(model.training_seconds, 2)
    report["class_counts"] = dict(counts)
    payload = zlib.compress(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL), 1)
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
                "macro_f1": report.get("raw_like", {}).get("macro_f1"),
            },
        )
    _active.forget()
    return row


def intake_model_activate(*, actor, version: int, threshold: float | None = None) -> IntakeModel:
    """Make a trained version the active one (and set its threshold)."""
    if threshold is not None and not 0 <= threshold <= 1:
        raise InvalidInput(_("The confidence threshold lies between 0 and 1."))
    with transaction.atomic():
        row = IntakeModel.objects.select_for_update().filter(version=version).first()
        if row is None:
            raise NotFound(_("There is no intake model version %(v)s.") % {"v": version})
        IntakeModel.objects.exclude(pk=row.pk).filter(is_active=True).update(is_active=False)
        changes = {"is_active": [row.is_active, True]}
        if threshold is not None:
            changes["threshold"] = [row.threshold, threshold]
            row.threshold = threshold
        row.is_active = True
        row.save(update_fields=["is_active", "threshold"])
        audit_record(actor=actor, action="intake_model.activate", obj=row, changes=changes)
    _active.forget()
    return row


@dataclass(frozen=True)
class ActiveModel:
    version: int
    threshold: float
    classifier: classify.IntakeClassifier


class _ActiveModelCache:
    """This process's active model, loaded once and reloaded when the active version (or its
    threshold) changes; whether it changed is asked at most every GRID_INDEX_REFRESH_SECONDS."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: tuple | None = None
        self.checked = -1e9
        self.model: ActiveModel | None = None

    def forget(self) -> None:
        with self.lock:
            self.checked = -1e9

    def current(self) -> ActiveModel | None:
        interval = settings.GRID_INDEX_REFRESH_SECONDS  # the same knob as the grid index
        if time.monotonic() - self.checked >= interval:
            with self.lock:
                if time.monotonic() - self.checked >= interval:
                    self._refresh()
        return self.model

    def _refresh(self) -> None:
        key = IntakeModel.objects.filter(is_active=True).values_list("version", "threshold").first()
        if key != self.key:
            if key is None:
                self.model = None
            else:
                payload = IntakeModel.objects.values_list("payload", flat=True).get(version=key[0])
                # our own row, written by intake_model_train: safe to unpickle
                classifier = pickle.loads(zlib.decompress(bytes(payload)))
                self.model = ActiveModel(version=key[0], threshold=key[1], classifier=classifier)
            self.key = key
        self.checked = time.monotonic()


_active = _ActiveModelCache()


def intake_model_active() -> ActiveModel | None:
    return _active.current()


def intake_case_fields(*, channel: str, description: str) -> dict:
    """The intake fields of a new case: the active model's prediction, and whether the case
    needs manual triage (confidence below the model's threshold). Nothing without a model, and
    nothing for patrol cases."""
    if channel not in CLASSIFIED_CHANNELS:
        return {}
    model = intake_model_active()
    if model is None:
        return {}
    prediction = model.classifier.predict_one(description)
    return _fields(prediction, model)


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
    """Classify the cases that arrived without a prediction (a 12345 batch from the importer,
    which writes rows directly, or cases from before a model was active), or only those of
    `case_ids`; returns how many. Without an active model: InvalidInput, or 0 when
    `require_model` is false (the importer's call)."""
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
    """Score the active model on a labelled file (raw or segmented text)."""
    model = intake_model_active()
    if model is None:
        raise InvalidInput(_("No intake model is trained yet: run `shoushan intake train`."))
    labelled = labelled_file_read(path, text_column=text_column, label_column=label_column)
    predicted = [p.domain for p in model.classifier.predict(labelled.texts)]
    report = classify.evaluation_report(labelled.labels, predicted)
    report["version"] = model.version
    return report


# ---- addresses ---------------------------------------------------------------------------------


class _GazetteerCache:
    """The gazetteer of the regions, rebuilt when the number of regions changes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: int | None = None
        self.gazetteer: Gazetteer | None = None

    def current(self) -> Gazetteer:
        key = Region.objects.count()
        if key != self.key or self.gazetteer is None:
            with self.lock:
                self.gazetteer = Gazetteer(_region_rows())
                self.key = key
        return self.gazetteer


_gazetteer = _GazetteerCache()


def address_region(text: str) -> AddressResult:
    """The most specific region a free-text address names (or the candidates, if ambiguous)."""
    return _gazetteer.current().parse(text)


def address_place(text: str) -> tuple[str | None, str]:
    """(community code or None, street code) of a free-text address, for a case that came with
    neither a point nor a community. An address that names no street or community, or could be
    several places, raises InvalidInput saying so (with the candidates): never a guess."""
    result = address_region(text)
    if result.status == AMBIGUOUS:
        places = Region.objects.filter(code__in=result.candidates[:6]).select_related("parent")
        raise InvalidInput(
            _("The address “%(address)s” could be several places: %(places)s. Say which.")
            % {
                "address": text,
                "places": "、".join(
                    f"{r.parent.name}{r.name}" if r.parent_id else r.name for r in places
                ),
            }
        )
    if result.status != "found" or result.level not in (Level.STREET, Level.COMMUNITY):
        raise InvalidInput(
            _("The address “%(address)s” names no street or community of the city.")
            % {"address": text}
        )
    if result.level == Level.STREET:
        return None, result.code
    street = Region.objects.filter(code=result.code).values_list("parent_id", flat=True).get()
    return result.code, street
