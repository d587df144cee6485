"""Smart intake in the application: `shoushan intake train / evaluate`, versioned models, the
prediction stored on arriving cases, manual triage below the threshold, addresses to regions.
Training uses a subset of the real labelled messages (../shared/data/complaints)."""

import csv
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from shoushan.accounts.models import User
from shoushan.audit.models import AuditRecord
from shoushan.core.errors import InvalidInput
from shoushan.grid.cases.selectors import case_duplicate_candidates
from shoushan.grid.intake import classify
from shoushan.grid.intake.services import (
    LabelledFile,
    cases_intake_classify,
    intake_model_activate,
    intake_model_active,
    intake_model_save,
    intake_segmenter,
    request_departments,
)
from shoushan.grid.models import Case, IntakeModel
from shoushan.grid.tests.helpers import DUOFUXIANG, full_address, report
from shoushan.regions.selectors import address_region


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English; pages are tested in the clerk's language."""
    with translation.override("en"):
        yield


LABELLED = (
    settings.SHARED_DATA_DIR / "complaints" / "tipdm2020c_attachment2_segmented_labelled_train.csv"
)
RAW = settings.SHARED_DATA_DIR / "complaints" / "tipdm2020c_attachment3_hotspot4326.csv"
pytestmark = pytest.mark.skipif(
    not (LABELLED.is_file() and RAW.is_file()), reason=f"no labelled messages at {LABELLED}"
)
BUS = "出租车司机拒载绕路，乱收费，希望运管处查处。"  # a 交通运输 request


@pytest.fixture(scope="module")
def subset_rows():
    with LABELLED.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return rows[::8], rows[3::16]  # ~1,075 for training, ~538 held out


@pytest.fixture(scope="module")
def trained(subset_rows, django_db_blocker):
    """The classifier trained once for the module, as `shoushan intake train` trains it (the tests
    of training itself train their own)."""
    texts, labels = [r["分词文本"] for r in subset_rows[0]], [r["一级标签"] for r in subset_rows[0]]
    with django_db_blocker.unblock():
        classifier = classify.train(
            texts, labels, departments=request_departments(), segmenter=intake_segmenter()
        )
    return classifier, LabelledFile(texts, labels, None, "0" * 64, "train.csv")


def activate(trained, threshold: float = 0.6):
    """Store the module's classifier as the next version, active, through the service."""
    classifier, source = trained
    return intake_model_save(
        actor=None, classifier=classifier, source=source, report={}, threshold=threshold
    )


def write(path, rows, columns):
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def train(tmp_path, rows, *args):
    path = write(
        tmp_path / "train.csv", [(r["分词文本"], r["一级标签"]) for r in rows], ["text", "label"]
    )
    out = StringIO()
    call_command(
        "intake",
        "train",
        "--csv",
        str(path),
        "--text-column",
        "text",
        "--label-column",
        "label",
        *args,
        stdout=out,
    )
    return out.getvalue()


def test_train_saves_an_active_version_with_its_report(beijing, tmp_path, subset_rows):
    output = train(tmp_path, subset_rows[0], "--folds", "2")
    row = IntakeModel.objects.get()
    assert row.version == 1 and row.is_active and row.training_rows == len(subset_rows[0])
    assert len(row.training_checksum) == 64 and row.training_file == "train.csv"
    assert sorted(row.classes) == sorted({r["一级标签"] for r in subset_rows[0]})
    assert row.report["method"].startswith("stratified 2-fold")
    assert row.report["grouped"]["macro_f1"] > 0.75 and row.report["plain"]["macro_f1"] > 0.75
    # the threshold is where the grouped cross-validation dispatched 95 % right, and is said
    found = row.report["threshold_found"]
    assert found is not None and row.threshold == found
    precision, coverage = classify.curve_at(row.report["dispatch"], found)
    assert precision >= 0.95 and 0 < coverage <= 1
    assert f"Threshold {found}: in the grouped cross-validation {100 * coverage:.1f} %" in output
    # and so does each domain's department, where enough of its messages went out to judge
    for curve in row.report["dispatch_by_domain"].values():
        domain_precision, dispatched = classify.curve_at(curve, found)
        assert domain_precision >= 0.95 or dispatched < classify.DOMAIN_JUDGED_FROM
    weakest = classify.weakest_domain_at(row.report["dispatch_by_domain"], found)
    assert f"at least {100 * weakest[1]:.1f} % are right; the lowest is {weakest[0]}." in output
    # the departments are the catalogue's: 交通运输 answers through 区交通委员会
    assert row.departments["交通运输"] == request_departments()["交通运输"] == "区交通委员会"
    assert "Intake model version 1" in output and "macro_f1=" in output
    assert "stratified 2-fold cross-validation (shuffled, seed 0), near-duplicates kept" in output
    assert AuditRecord.objects.filter(action="intake_model.train").exists()
    train(tmp_path, subset_rows[0], "--folds", "0", "--threshold", "0.5")
    assert list(IntakeModel.objects.values_list("version", "is_active")) == [(2, True), (1, False)]
    second = IntakeModel.objects.get(version=2)
    assert second.report.get("grouped") is None and second.threshold == 0.5


def test_a_department_column_names_the_departments(beijing, tmp_path, subset_rows):
    rows = [(r["分词文本"], r["一级标签"], f"{r['一级标签']}办") for r in subset_rows[0]]
    path = write(tmp_path / "d.csv", rows, ["t", "l", "d"])
    call_command(
        "intake", "train", "--csv", str(path), "--text-column", "t", "--label-column", "l",
        "--department-column", "d", "--folds", "0", stdout=StringIO(),
    )  # fmt: skip
    assert IntakeModel.objects.get().departments["交通运输"] == "交通运输办"


def test_evaluate_prints_per_class_scores_then_accuracy_and_macro_f1(
    beijing, tmp_path, subset_rows, trained
):
    activate(trained)
    held_out = [("".join(r["分词文本"].split()), r["一级标签"]) for r in subset_rows[1]]
    path = write(tmp_path / "test.csv", held_out, ["留言", "标签"])
    out = StringIO()
    call_command(
        "intake", "evaluate", "--csv", str(path), "--text-column", "留言", "--label-column", "标签",
        stdout=out,
    )  # fmt: skip
    lines = out.getvalue().strip().splitlines()
    match = re.fullmatch(
        r"accuracy=(0\.\d{3}) macro_f1=(0\.\d{3}) auto_precision=(\d\.\d{3}) "
        r"auto_coverage=(\d\.\d{3})",
        lines[-1],
    )
    assert match and float(match.group(2)) > 0.8
    # at threshold 0.6, what goes out alone is more often right than the whole
    assert float(match.group(3)) > float(match.group(1)) and 0.5 < float(match.group(4)) < 1
    assert "threshold 0.6" in lines[0]
    # and the threshold that would dispatch this file's messages with precision 0.95
    reached = [line for line in lines if "precision 0.95 is reached" in line]
    assert re.search(r"in every domain, from threshold 0\.\d+", reached[0])
    assert "shoushan intake activate" in reached[0]
    assert re.search(r"at least \d+\.\d % are right; the lowest is \w+\.", lines[1])
    assert any(line.startswith("交通运输") for line in lines)


def test_commands_refuse_bad_input_clearly(beijing, tmp_path, subset_rows):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    args = ["--text-column", "text", "--label-column", "label"]
    with pytest.raises(CommandError, match="No intake model"):
        call_command("intake", "evaluate", "--csv", str(empty), *args)
    with pytest.raises(CommandError, match="empty"):
        call_command("intake", "train", "--csv", str(empty), *args)
    with pytest.raises(CommandError, match="no file"):
        call_command("intake", "train", "--csv", str(tmp_path / "nope.csv"), *args)
    wrong = write(tmp_path / "wrong.csv", [("a", "b")], ["message", "label"])
    with pytest.raises(CommandError, match="Missing columns: text"):
        call_command("intake", "train", "--csv", str(wrong), *args)
    header_only = write(tmp_path / "header.csv", [], ["text", "label"])
    with pytest.raises(CommandError, match="no row"):
        call_command("intake", "train", "--csv", str(header_only), *args)
    one_domain = write(tmp_path / "one.csv", [("有垃圾", "环境保护")] * 5, ["text", "label"])
    with pytest.raises(CommandError, match="two domains"):
        call_command("intake", "train", "--csv", str(one_domain), *args)
    assert not IntakeModel.objects.exists()


def test_without_a_model_cases_arrive_as_before(demo_city):
    assert intake_model_active() is None
    case, _created = report()
    assert case.intake_model_version is None and case.intake_domain == ""
    assert case.needs_triage is False


def test_arriving_cases_carry_the_prediction_and_low_confidence_goes_to_triage(demo_city, trained):
    activate(trained)
    case, _created = report(description=BUS)
    case.refresh_from_db()
    assert case.intake_model_version == 1 and case.intake_domain == "交通运输"
    assert case.intake_department == "区交通委员会"
    assert 0 < case.intake_confidence <= 1
    assert case.needs_triage is (case.intake_confidence < 0.6)
    # patrol cases are classified by the grid worker who files them
    patrol, _created = report(channel="patrol", actor=User.objects.get(username="street_staff"))
    assert patrol.intake_model_version is None
    # a threshold above every confidence sends the next case to manual triage
    intake_model_activate(actor=None, version=1, threshold=1.0)
    doubtful, _created = report(description=BUS)
    assert doubtful.needs_triage is True and doubtful.intake_domain == "交通运输"


def test_a_new_active_version_is_used_at_once(demo_city, trained):
    activate(trained)
    report(description=BUS)
    activate(trained)
    case, _created = report(description=BUS)
    assert case.intake_model_version == 2
    intake_model_activate(actor=None, version=1)
    case, _created = report(description=BUS)
    assert case.intake_model_version == 1


def test_cases_without_a_prediction_are_classified_in_a_batch(demo_city, trained):
    with RAW.open(encoding="utf-8", newline="") as f:
        raw = [f"{r['留言主题']}\n{r['留言详情']}" for r in list(csv.DictReader(f))[:40]]
    for text in raw:
        report(description=text, channel="hotline")
    activate(trained)
    out = StringIO()
    call_command("intake", "classify", stdout=out)
    assert "40" in out.getvalue()
    classified = Case.objects.filter(intake_model_version=1)
    assert classified.count() == 40
    assert all(c.intake_domain and c.intake_confidence for c in classified)


def test_addresses_are_located_with_the_region_table(beijing):
    result = address_region("北京市朝阳区三里屯街道幸福二村3号楼")
    assert result.status == "found" and result.code == "110105004033"
    assert address_region("海淀 学院路").code == "110108010000"
    assert address_region("朝阳区学院路").status == "ambiguous"
    out = StringIO()
    call_command("intake", "locate", "东城区多福巷", stdout=out)
    assert "status=found code=110101001001" in out.getvalue()


def test_an_imported_batch_is_classified_by_its_ids(demo_city, trained):
    first, _c = report(description=BUS, channel="hotline")
    assert cases_intake_classify(case_ids=[first.pk], require_model=False) == 0
    with pytest.raises(InvalidInput):
        cases_intake_classify(case_ids=[first.pk])
    activate(trained)
    other = Case.objects.create(**{**_fields_of(first), "token": "x" * 32, "idempotency_key": None})
    assert cases_intake_classify(case_ids=[first.pk]) == 1
    first.refresh_from_db()
    other.refresh_from_db()
    assert first.intake_domain == "交通运输" and other.intake_model_version is None


def _fields_of(case):
    return {
        f.attname: getattr(case, f.attname)
        for f in case._meta.concrete_fields
        if f.attname not in ("id", "token")
    }


def test_the_segmenter_knows_the_region_names(beijing):
    segment = intake_segmenter()
    assert "多福巷社区" in segment("东城区多福巷社区门口有暴露垃圾")


def test_the_triage_page_lists_the_doubtful_cases_in_scope(demo_city, login, trained):
    activate(trained, 1.0)
    doubtful, _c = report(description=BUS)
    page = login("street_staff").get("/grid/triage/")
    assert page.status_code == 200
    assert doubtful.number in page.content.decode()
    assert login("street_staff_2").get("/grid/triage/").content.decode().count(doubtful.number) == 0
    assert login("resident").get("/grid/triage/").status_code == 403
    assert "训练时未做评估" in page.content.decode()  # the page speaks the clerk's language


def test_the_triage_page_says_what_automatic_dispatch_does_in_words(demo_city, login, trained):
    row = activate(trained, 0.7)
    row.report = {
        "grouped": {"macro_f1": 0.91},
        "plain": {"macro_f1": 0.93},
        "target_precision": 0.95,
        "dispatch": [[0.6, 0.94, 0.9], [0.7, 0.962, 0.804], [0.8, 0.97, 0.7]],
        "dispatch_by_domain": {
            "城乡建设": [[0.6, 0.93, 300], [0.7, 0.97, 280], [0.8, 0.98, 250]],
            "卫生计生": [[0.6, 0.95, 120], [0.7, 0.951, 100], [0.8, 0.96, 90]],
        },
    }
    row.save(update_fields=["report"])
    page = login("street_staff").get("/grid/triage/").content.decode()
    assert "每 100 件诉求中有 80 件达到阈值" in page
    assert "其中每 100 件有 96 件派到了正确的领域" in page
    assert "每 100 件中至少有 95 件确属该部门；比例最低的是卫生计生" in page
    assert "train.csv" in page


def test_possible_duplicates_are_shown_to_the_dispatcher(demo_city, login):
    lon, lat = DUOFUXIANG
    first, _c = report(description="胡同口有一堆暴露垃圾，好几天没人清理，味道很大")
    again, _c = report(description="胡同口暴露垃圾好几天没人清理了", lon=lon, lat=lat + 0.0004)
    report(description="路灯不亮了，晚上很黑", lon=lon, lat=lat + 0.0004)  # same place, other text
    staff = User.objects.get(username="street_staff")
    found = case_duplicate_candidates(staff, first.pk)
    assert [case.pk for case, _candidate in found] == [again.pk]
    assert found[0][1].distance_m == pytest.approx(44.5, abs=1)
    page = login("street_staff").get(f"/grid/cases/{first.pk}/duplicates/")
    assert page.status_code == 200 and again.number in page.content.decode()
    assert login("street_staff_2").get(f"/grid/cases/{first.pk}/duplicates/").status_code == 404


def test_a_12345_batch_of_raw_messages_is_classified_after_import(demo_city, trained):
    """The import classifies each order as it becomes a case and dispatches the confident ones
    without a person; the doubtful ones wait for triage."""
    from shoushan.grid.intake.hotline import hotline_orders_import

    with RAW.open(encoding="utf-8", newline="") as f:
        raw = list(csv.DictReader(f))[:60]
    rows = [
        (
            i + 2,
            {
                "order_id": f"TD{r['留言编号']}",
                "received_at": "2026-11-02 09:15",
                "category": "R1001",
                "description": f"{r['留言主题']}\n{r['留言详情']}",
                # half the callers gave only an address: the orders are located by it
                **(
                    {"community_code": "110101001001"}
                    if i % 2
                    else {"address": full_address("110101001002", "小区东门")}
                ),
            },
        )
        for i, r in enumerate(raw)
    ]
    activate(trained)
    result = hotline_orders_import(actor=None, rows=rows)
    assert (result.created, result.located_by_address, result.classified) == (60, 30, 60)
    assert result.dispatched + result.triage == 60 and result.dispatched > 0
    batch = list(Case.objects.filter(external_id__startswith="TD").values_list("pk", flat=True))
    assert cases_intake_classify(case_ids=batch, require_model=False) == 0  # done on import
    cases = Case.objects.filter(pk__in=batch)
    assert cases.filter(intake_model_version=1).count() == 60
    confident = cases.filter(needs_triage=False)
    assert confident.exists()  # the confident ones went on unattended …
    assert set(confident.values_list("stage", flat=True)) == {"dispatched"}
    assert all(c.unit_id and c.deadline for c in confident)
    assert set(cases.filter(needs_triage=True).values_list("stage", flat=True)) <= {"reported"}
    assert len(set(cases.values_list("intake_domain", flat=True))) >= 3
    # each went to the department the model named, in the case's district (东城区)
    for case in confident.select_related("unit"):
        department = case.intake_department
        expected = "东城区" + department[1:] if department.startswith("区") else department
        assert case.unit.name == (expected or case.unit.name)
    assert confident.exclude(intake_department="").exists()
    by_address = confident.filter(community_id="110101001002")
    assert (
        by_address.exists()
        and by_address.count() + confident.filter(community_id="110101001001").count()
        == confident.count()
    )


def test_the_predicted_department_answers_requests_not_events_the_reporter_chose(
    demo_city, trained
):
    from shoushan.grid.intake.dispatch import cases_auto_dispatch
    from shoushan.grid.models import Category

    activate(trained, 0)  # all confident
    text = "小区门口的垃圾桶满了好几天没人清运，垃圾堆到路边，臭味很大"
    event, _c = report(description=text)  # 暴露垃圾, an event the resident chose
    request, _c = report(
        channel="hotline", category=Category.objects.get(code="R1001"), description=text
    )
    assert cases_auto_dispatch() == 2
    event.refresh_from_db()
    request.refresh_from_db()
    assert event.unit.kind == "street"  # where the catalogue sends an event
    department = request.intake_department
    assert department and request.unit.name == "东城区" + department.removeprefix("区")


def test_a_confident_case_for_a_unit_with_nobody_in_it_goes_to_triage(demo_city, trained):
    from shoushan.grid.intake.dispatch import cases_auto_dispatch
    from shoushan.grid.models import Category, Unit

    activate(trained, 0)  # all confident
    text = "小区门口的垃圾桶满了好几天没人清运，垃圾堆到路边，臭味很大"
    case, _c = report(
        channel="hotline", category=Category.objects.get(code="R1001"), description=text
    )
    for unit in Unit.objects.filter(region_id="110101000000"):
        unit.members.clear()
    assert cases_auto_dispatch() == 0
    case.refresh_from_db()
    assert case.stage == "reported" and case.needs_triage and case.unit is None


def test_the_dispatcher_accepts_a_prediction_at_triage(demo_city, login, trained):
    activate(trained, 1.0)  # everything doubtful
    from shoushan.grid.models import Category

    case, _c = report(
        channel="hotline", category=Category.objects.get(code="R1001"), description=BUS
    )
    client = login("street_staff")
    assert "dispatch-predicted" in client.get("/grid/triage/").content.decode()
    answer = client.post(
        f"/grid/cases/{case.pk}/dispatch-predicted/", {"next": "https://evil.example/"}
    )
    assert answer.status_code == 302 and answer["Location"] == "/grid/triage/"
    case.refresh_from_db()
    assert case.stage == "dispatched" and case.unit.name.endswith(case.intake_department[1:])
    assert list(case.events.values_list("actor_name", flat=True)) == [
        "system",
        "street_staff",
        "street_staff",
    ]
    other, _c = report(
        channel="hotline", category=Category.objects.get(code="R1001"), description=BUS
    )
    assert (
        login("street_staff_2").post(f"/grid/cases/{other.pk}/dispatch-predicted/").status_code
        == 404
    )
    assert Case.objects.get(pk=other.pk).stage == "reported"


def test_the_api_gives_the_model_the_triage_queue_and_accepts_a_prediction(
    demo_city, login, trained
):
    from shoushan.grid.models import Category

    client = login("street_staff")
    assert client.get("/api/v1/intake/model").status_code == 404  # no model yet
    row = activate(trained, 1.0)  # everything doubtful
    row.report = {
        "grouped": {"macro_f1": 0.91},
        "plain": {"macro_f1": 0.93},
        "target_precision": 0.95,
        "dispatch": [[0.9, 0.96, 0.7], [0.99, 0.99, 0.2]],
        "dispatch_by_domain": {
            "城乡建设": [[0.9, 0.97, 40], [0.99, 1.0, 12]],
            "交通运输": [[0.9, 0.95, 30], [0.99, 0.98, 25]],
        },
    }
    row.save(update_fields=["report"])
    model = client.get("/api/v1/intake/model").json()
    assert model["version"] == row.version and model["threshold"] == 1.0
    assert (model["auto_precision"], model["auto_coverage"]) == (0, 0)  # nothing goes out alone
    intake_model_activate(actor=None, version=row.version, threshold=0.95)
    model = client.get("/api/v1/intake/model").json()
    assert (model["auto_precision"], model["auto_coverage"]) == (0.99, 0.2)  # read at 0.99
    assert (model["weakest_domain"], model["weakest_precision"]) == ("交通运输", 0.98)
    intake_model_activate(actor=None, version=row.version, threshold=1.0)
    assert model["grouped_macro_f1"] == 0.91 and model["plain_macro_f1"] == 0.93
    assert login("resident").get("/api/v1/intake/model").status_code == 403
    case, _c = report(
        channel="hotline", category=Category.objects.get(code="R1001"), description=BUS
    )
    waiting = client.get("/api/v1/intake/triage").json()
    listed = {item["id"]: item for item in waiting["items"]}
    assert listed[case.pk]["needs_triage"] and listed[case.pk]["intake_domain"]
    other = login("street_staff_2")
    assert case.pk not in {i["id"] for i in other.get("/api/v1/intake/triage").json()["items"]}
    assert other.post(f"/api/v1/intake/triage/{case.pk}/dispatch").status_code == 404
    done = client.post(f"/api/v1/intake/triage/{case.pk}/dispatch")
    assert done.status_code == 200 and done.json()["stage"] == "dispatched"
    assert done.json()["unit"].endswith(case.intake_department[1:])
    again = client.post(f"/api/v1/intake/triage/{case.pk}/dispatch")
    assert again.status_code == 409  # no longer new: nothing changes
