"""A base applies for a topic, experts review it, the city approves it with money from the
purchasing ledger, it passes its mid-term check, reports, is adopted with an instruction and
finished; the base's yearly score and the city's adoption rate come out of the records. Bad input
is refused with its reason and changes nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from shoushan.core.errors import Conflict, InvalidInput
from shoushan.purchasing import selectors as ledger
from shoushan.purchasing import services as purchasing
from shoushan.purchasing.tests.factories import call, fund
from shoushan.reviews.services import expert_create
from shoushan.thinktank import selectors, services
from shoushan.thinktank.models import InstitutionKind, ProjectStatus, ReminderKind

pytestmark = pytest.mark.usefixtures("beijing", "fixed_now")  # the dates written are past

CITY = "110000000000"
UNIVERSITY = "12100000400000624D"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def city(user):
    return user("city_admin")


def _institution(city, name, code="", kind=InstitutionKind.UNIVERSITY):
    return services.institution_create(
        actor=city, values={"name": name, "kind": kind, "credit_code": code}
    )


def _expert(city, name, employer=None, tie=None):
    return expert_create(
        actor=city,
        name=name,
        field="社会治理",
        region_code=CITY,
        employments=[(employer, "某单位", date(2010, 1, 1), None)] if employer else [],
        ties=[(tie, "配偶在该校任教")] if tie else [],
    )


def _topic_called(city, cap="200000.00"):
    money = fund(city, amount="1000000.00", region_code=CITY)
    envelope = purchasing.envelope_set(
        actor=city, fund=money, kind="advice", amount_text="500000.00"
    )
    line = call(city, envelope, [("B0201", "300000.00")]).lines.get()
    topic = services.topic_create(
        actor=city,
        values={"year": "2023", "title": "超大城市基层减负路径研究", "kind": "applied",
                "indicator": "社区工作者职业化水平", "budget_cap": cap},
    )  # fmt: skip
    services.topic_call(
        actor=city, topic=topic, line=line, opens_on=date(2023, 2, 1), closes_on=date(2023, 2, 28)
    )
    return money, line, topic


def _base(city, host):
    return services.base_create(
        actor=city,
        values={"name": f"{host.name}社会建设研究基地", "host": host, "field": "社会治理",
                "director": "张教授", "recognised_on": date(2023, 1, 1),
                "valid_until": date(2027, 12, 31)},
    )  # fmt: skip


def _apply(city, topic, base, amount="180000.00", on=date(2023, 2, 10)):
    return services.project_apply(
        actor=city,
        topic=topic,
        base=base,
        values={"lead": "李研究员", "plan": "问卷调查与案例研究。", "amount": amount,
                "applied_on": on},
    )  # fmt: skip


def test_a_topic_from_application_to_adoption_and_the_scores(city):
    money, _line, topic = _topic_called(city)
    host = _institution(city, "北京某大学", UNIVERSITY)
    base = _base(city, host)
    project = _apply(city, topic, base)
    with pytest.raises(Conflict, match="applied"):
        _apply(city, topic, base)
    # review: the shared panels; one expert of the applicant's university at most
    colleague = _expert(city, "校内专家", employer=UNIVERSITY)
    second = _expert(city, "校内专家二", employer=UNIVERSITY)
    tied = _expert(city, "有关联专家", tie=UNIVERSITY)
    seats = [services.project_expert_assign(actor=city, project=project, expert=colleague)]
    with pytest.raises(Conflict, match="At most 1 expert from the applicant's institution"):
        services.project_expert_assign(actor=city, project=project, expert=second)
    with pytest.raises(Conflict, match="declared an interest"):
        services.project_expert_assign(actor=city, project=project, expert=tied)
    for name in ("甲", "乙"):
        seats.append(
            services.project_expert_assign(
                actor=city, project=project, expert=_expert(city, f"{name}专家")
            )
        )
    with pytest.raises(Conflict, match="At least 3 experts"):
        services.project_decide(actor=city, project=project, approve=True, on=date(2023, 3, 20),
                                starts_on=date(2023, 4, 1), ends_on=date(2023, 12, 31))  # fmt: skip
    marks = {"选题价值": "18", "研究设计": "26", "研究基础": "17", "预期成果与应用": "18",
             "经费合理性": "9"}  # fmt: skip
    for seat in seats:
        services.project_score(actor=city, seat=seat, marks=marks)
    seats_now, result = selectors.panel_of(project)
    assert len(seats_now) == 3 and result.mean == Decimal("88.00")
    project = services.project_decide(
        actor=city, project=project, approve=True, on=date(2023, 3, 20),
        starts_on=date(2023, 4, 1), ends_on=date(2023, 12, 31),
    )  # fmt: skip
    # the money went through the purchasing ledger, to the university
    assert project.award.recipient == "北京某大学" and project.award.amount == Decimal("180000.00")
    assert ledger.ledger(money).committed == Decimal("180000.00")
    # checks
    with pytest.raises(Conflict, match="after the opening report"):
        services.midterm_record(actor=city, project=project, on=date(2023, 7, 1), passed=True)
    services.opening_record(actor=city, project=project, on=date(2023, 4, 20))
    with pytest.raises(Conflict, match="mid-term check was passed"):
        services.final_report_record(actor=city, project=project, on=date(2023, 12, 20))
    services.midterm_record(actor=city, project=project, on=date(2023, 8, 15), passed=True)
    # an extension asked later than 2 months before the end is refused
    with pytest.raises(InvalidInput, match="2 months before"):
        services.extension_grant(actor=city, project=project, asked_on=date(2023, 11, 15),
                                 new_end=date(2024, 3, 31), reason="调研延后")  # fmt: skip
    with pytest.raises(InvalidInput, match="at most 1 year"):
        services.extension_grant(actor=city, project=project, asked_on=date(2023, 9, 1),
                                 new_end=date(2027, 3, 31), reason="调研延后")  # fmt: skip
    assert project.extensions.count() == 0
    services.final_report_record(actor=city, project=project, on=date(2024, 1, 10))  # on time
    chapter = services.output_add(
        actor=city, project=project,
        values={"kind": "chapter", "title": "基层减负的北京实践", "authors": "李研究员、王博士",
                "blue_book_year": "2023", "submitted_on": date(2024, 1, 10)},
        upload=SimpleUploadedFile("chapter.pdf", PDF_BYTES, content_type="application/pdf"),
    )  # fmt: skip
    assert chapter.file.name.endswith(".pdf")
    with pytest.raises(InvalidInput, match="An adoption is of a result"):
        services.adoption_record(actor=city, output=None, values={})
    services.adoption_record(
        actor=city, output=chapter,
        values={"adopted_by": "北京市委社会工委", "level": "provincial",
                "adopted_on": date(2024, 2, 1), "reference": "京社委〔2024〕3号",
                "instruction": "请相关部门参照落实。", "instructed_by": "市领导",
                "policy": "关于进一步为基层减负的若干措施"},
    )  # fmt: skip
    finished = services.final_review_record(
        actor=city, project=project, on=date(2024, 2, 10), passed=True
    )
    assert finished.status == ProjectStatus.FINISHED
    assert finished.final_result == "waived"  # adopted at provincial level
    year = selectors.base_year(base, 2023)
    assert (year.due, year.on_time, year.finished, year.adopted) == (1, 1, 1, 1)
    assert year.score == Decimal("100.0")
    city_2024 = selectors.city_year(city, 2024)
    assert (city_2024.finished, city_2024.adopted, city_2024.instructions) == (1, 1, 1)
    assert city_2024.adoption_rate == Decimal("1.0000")
    [listed] = selectors.blue_book_chapters(2023)
    assert listed.author_list == ["李研究员", "王博士"]


def test_bad_input_is_refused_and_changes_nothing(city):
    _money, line, topic = _topic_called(city)
    base = _base(city, _institution(city, "北京某研究院", UNIVERSITY, InstitutionKind.INSTITUTE))
    with pytest.raises(InvalidInput, match="at most"):
        _apply(city, topic, base, amount="200000.01")
    with pytest.raises(InvalidInput, match="only while its call is open"):
        _apply(city, topic, base, on=date(2023, 3, 5))
    project = _apply(city, topic, base)
    for name in ("甲", "乙", "丙"):
        seat = services.project_expert_assign(
            actor=city, project=project, expert=_expert(city, f"{name}评审")
        )
        services.project_score(
            actor=city, seat=seat,
            marks={"选题价值": "10", "研究设计": "10", "研究基础": "10", "预期成果与应用": "10",
                   "经费合理性": "5"},
        )  # fmt: skip
    project = services.project_decide(
        actor=city, project=project, approve=True, on=date(2023, 3, 20),
        starts_on=date(2023, 4, 1), ends_on=date(2023, 12, 31),
    )  # fmt: skip
    fake = SimpleUploadedFile("report.pdf", b"PK\x03\x04 not a pdf", content_type="application/pdf")
    with pytest.raises(InvalidInput, match="not the PDF or Word"):
        services.output_add(
            actor=city, project=project,
            values={"kind": "report", "title": "报告", "authors": "李", "submitted_on":
                    date(2023, 6, 1)},
            upload=fake,
        )  # fmt: skip
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b" " * (20 * 1024 * 1024))
    with pytest.raises(InvalidInput, match="larger than 20 MB"):
        services.output_add(
            actor=city, project=project,
            values={"kind": "report", "title": "报告", "authors": "李", "submitted_on":
                    date(2023, 6, 1)},
            upload=big,
        )  # fmt: skip
    assert project.outputs.count() == 0
    # a research topic is bought only from the decision-consulting envelope's research item
    other = purchasing.envelope_set(
        actor=city, fund=line.call.envelope.fund, kind="governance", amount_text="100000.00"
    )
    wrong_line = call(city, other, [("A1003", "100000.00")]).lines.get()
    new_topic = services.topic_create(
        actor=city, values={"year": "2023", "title": "另一课题", "kind": "basic",
                            "budget_cap": "50000.00"},
    )  # fmt: skip
    with pytest.raises(InvalidInput, match="research service"):
        services.topic_call(actor=city, topic=new_topic, line=wrong_line,
                            opens_on=date(2023, 2, 1), closes_on=date(2023, 2, 28))  # fmt: skip
    # terminated for poor quality: nothing paid, so the money returns to the line
    services.project_terminate(actor=city, project=project, on=date(2023, 9, 1),
                               reason="中期成果质量差")  # fmt: skip
    assert ledger.ledger(line.call.envelope.fund).committed == Decimal("0.00")


def test_overdue_milestones_are_flagged_once_for_the_base(city):
    _money, _line, topic = _topic_called(city)
    base = _base(city, _institution(city, "北京某学院", UNIVERSITY))
    project = _apply(city, topic, base)
    for name in ("甲", "乙", "丙"):
        seat = services.project_expert_assign(
            actor=city, project=project, expert=_expert(city, f"{name}委员")
        )
        services.project_score(
            actor=city, seat=seat,
            marks={"选题价值": "15", "研究设计": "20", "研究基础": "15", "预期成果与应用": "15",
                   "经费合理性": "5"},
        )  # fmt: skip
    services.project_decide(actor=city, project=project, approve=True, on=date(2023, 3, 20),
                            starts_on=date(2023, 4, 1), ends_on=date(2023, 12, 31))  # fmt: skip
    assert services.reminders_flag(date(2023, 5, 10)) == 1  # the opening report (due 1 May)
    assert services.reminders_flag(date(2023, 5, 11)) == 0  # flagged once
    assert [r.kind for r in selectors.reminders_of(base)] == [ReminderKind.OPENING]
    services.opening_record(actor=city, project=project, on=date(2023, 5, 12))
    assert list(selectors.reminders_of(base)) == []
    assert services.reminders_flag(date(2024, 2, 1)) == 2  # mid-term and final report


def test_an_institutions_list_loads_once():
    rows = [{"名称": "某某经济发展研究院（测试）"}, {"名称": " 某某经济社会发展研究所（测试） "}]
    assert services.institutions_load(actor=None, rows=rows, kind="private", source="市社科联") == 2
    assert services.institutions_load(actor=None, rows=rows, kind="private", source="市社科联") == 0
    with pytest.raises(InvalidInput):
        services.institutions_load(actor=None, rows=[{"name": "x"}], kind="private", source="")
