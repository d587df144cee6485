"""The demo's think tanks: the research institutions of the Beijing Federation of Social Science
Circles' lists where SHOUSHAN_SHARED_DATA holds them (real names, no codes), and — generated and
marked so — 18 research bases at demo institutes, an expert pool, last year's topics run to the
end (reviewed, approved through the purchasing ledger, checked, reported, some adopted with a
written instruction, blue-book chapters among the results) and this year's guide called on the
city fund's decision-consulting envelope, as far as the date allows. Everything goes through the
services, so the demo obeys every rule."""

import random
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shoushan.core.validators import credit_code_check_character
from shoushan.purchasing import services as purchasing
from shoushan.purchasing.catalogue import catalogue_rows
from shoushan.purchasing.models import CatalogueItem, Envelope, Fund
from shoushan.regions.models import Level, Region
from shoushan.reviews.services import expert_create
from shoushan.thinktank import rules, services
from shoushan.thinktank.models import Institution, InstitutionKind, ResearchBase
from shoushan.thinktank.selectors import panel_of

LISTS = (  # (file in SHOUSHAN_SHARED_DATA, kind, source)
    ("social_orgs/bj_skl_private_research_institutes.csv", InstitutionKind.PRIVATE,
     "市社科联所属民办社科研究机构名单"),
    ("social_orgs/bj_skl_social_science_societies.csv", InstitutionKind.SOCIETY,
     "市社科联所属社科类社会团体名单"),
)  # fmt: skip
FIELDS = ("社会治理", "社区建设", "社会组织", "社会工作", "公共服务", "城市治理")
TOPICS = (
    ("超大城市基层减负增效路径研究", "社区工作者职业化水平"),
    ("接诉即办诉求的源头治理机制研究", "满意率"),
    ("一刻钟便民生活圈覆盖评估研究", "一刻钟社区服务圈覆盖率"),
    ("新就业群体融入社区治理研究", "党组织覆盖率"),
    ("社会组织参与社区服务的绩效评价研究", "政府购买服务资金使用率"),
    ("老旧小区适老化改造的居民参与研究", ""),
)
MARKS = ("选题价值", "研究设计", "研究基础", "预期成果与应用", "经费合理性")


def _code(serial: int) -> str:
    first17 = f"12110000MJY{serial:06d}"  # a public institution (事业单位) of the city
    return first17 + credit_code_check_character(first17)


def institutions_from_shared_data() -> int:
    """The federation's lists where SHOUSHAN_SHARED_DATA holds them (not shipped: no licence)."""
    loaded = 0
    for path, kind, source in LISTS:
        file = settings.SHARED_DATA_DIR / path
        if file.exists():
            rows = catalogue_rows(file.read_bytes())
            loaded += services.institutions_load(actor=None, rows=rows, kind=kind, source=source)
    return loaded


def _research_line(fund: Fund, amount: str):
    envelope = Envelope.objects.filter(fund=fund, kind="advice").first()
    if envelope is None:
        envelope = purchasing.envelope_set(actor=None, fund=fund, kind="advice", amount_text=amount)
    call = purchasing.call_open(
        actor=None,
        envelope=envelope,
        values={"title": f"{fund.year}年社会建设研究课题（演示）", "opens_on":
                f"{fund.year}-01-05", "closes_on": f"{fund.year}-02-28"},
        lines=[{"item": "B0201", "title": "社会建设研究基地课题研究", "amount": amount}],
    )  # fmt: skip
    return call.lines.get()


@transaction.atomic
def demo_thinktank_create(*, seed: int = 8) -> dict:
    """Unless generated bases exist already."""
    counts = {"institutions": institutions_from_shared_data()}
    if ResearchBase.objects.filter(is_generated=True).exists():
        return counts
    if not CatalogueItem.objects.filter(code="B0201").exists():
        return counts  # no catalogue: no research can be bought, and the pages say why
    rng = random.Random(seed)
    today = timezone.localdate()
    districts = list(Region.objects.filter(level=Level.DISTRICT).order_by("code"))
    hosts = [
        Institution.objects.create(
            name=f"{d.name}社会建设研究院（演示）",
            kind=InstitutionKind.INSTITUTE,
            credit_code=_code(n),
            is_generated=True,
        )
        for n, d in enumerate(districts, start=1)
    ] + [
        Institution.objects.create(
            name=name, kind=InstitutionKind.UNIVERSITY, credit_code=_code(90 + n),
            is_generated=True,
        )
        for n, name in enumerate(("首善演示大学", "京华演示学院"), start=1)
    ]  # fmt: skip
    listed = list(Institution.objects.filter(is_generated=False).order_by("name")[:30])
    bases = [
        services.base_create(
            actor=None,
            values={
                "name": host.name.removesuffix("（演示）").removesuffix("社会建设研究院")
                + "社会建设研究基地（演示）",
                "host": host,
                "field": FIELDS[n % len(FIELDS)],
                "director": "基地主任",
                "recognised_on": date(today.year - 3, 1, 1),
                "valid_until": date(today.year + 2, 12, 31),
            },
            partners=rng.sample(listed, min(2, len(listed))),
            is_generated=True,
        )
        for n, host in enumerate(hosts[:18])
    ]
    experts = [
        expert_create(
            actor=None,
            name=f"评审专家{n:02d}",
            field=FIELDS[n % len(FIELDS)],
            region_code=rules.CITY,
            affiliation=hosts[n % len(hosts)].name,
            employments=[
                (hosts[n % len(hosts)].credit_code, hosts[n % len(hosts)].name, None, None)
            ],
            is_generated=True,
        )
        for n in range(1, 31)
    ]
    counts.update({"bases": len(bases), "experts": len(experts), "projects": 0, "adoptions": 0})
    last = today.year - 1
    fund = Fund.objects.filter(region_code=rules.CITY, year=last).first() or purchasing.fund_create(
        actor=None,
        values={"name": f"北京市{last}年社会建设决策咨询经费（演示）", "year": str(last),
                "region_code": rules.CITY, "amount": "3000000.00"},
        is_generated=True,
    )  # fmt: skip
    _run_year(rng, counts, bases, experts, _research_line(fund, "2400000.00"), last, today)
    this_year = Fund.objects.filter(
        region_code=rules.CITY, year=today.year, is_generated=True
    ).first()
    if this_year is not None and today >= date(today.year, 1, 5):
        _run_year(rng, counts, bases, experts, _research_line(this_year, "2400000.00"),
                  today.year, today)  # fmt: skip
    return counts


def _run_year(rng, counts, bases, experts, line, year: int, today: date) -> None:
    """The year's guide called on the line; two bases apply for each topic; one is approved
    and carried as far as `today` allows."""
    for n, (title, indicator) in enumerate(TOPICS):
        topic = services.topic_create(
            actor=None,
            values={"year": str(year), "title": title, "kind": "applied" if n % 3 else "basic",
                    "indicator": indicator, "budget_cap": "300000.00",
                    "direction": "围绕首都社会建设的重点难点问题开展研究，提出可操作的政策建议。"},
        )  # fmt: skip
        services.topic_call(
            actor=None,
            topic=topic,
            line=line,
            opens_on=date(year, 1, 5),
            closes_on=date(year, 2, 28),
        )
        applied_on = date(year, 1, 20)
        if applied_on > today:
            continue
        chosen = rng.sample(bases, 2)
        projects = [
            services.project_apply(
                actor=None,
                topic=topic,
                base=base,
                values={
                    "lead": f"{base.field}课题组负责人",
                    "plan": "文献研究、问卷调查与案例分析。",
                    "amount": str(rng.randrange(150_000, 300_001, 10_000)),
                    "applied_on": applied_on,
                },
            )
            for base in chosen
        ]
        counts["projects"] += len(projects)
        if date(year, 3, 20) > today:
            continue
        means = []
        for project in projects:
            services.project_experts_draw(
                actor=None, project=project, size=5, seed=rng.randrange(2**31)
            )
            total = 0
            for seat in panel_of(project)[0]:
                marks = {
                    "选题价值": str(rng.randint(12, 20)),
                    "研究设计": str(rng.randint(18, 30)),
                    "研究基础": str(rng.randint(12, 20)),
                    "预期成果与应用": str(rng.randint(12, 20)),
                    "经费合理性": str(rng.randint(6, 10)),
                }
                services.project_score(actor=None, seat=seat, marks=marks)
                total += sum(int(v) for v in marks.values())
            means.append((total, project))
        means.sort(key=lambda m: -m[0])
        winner, loser = means[0][1], means[1][1]
        services.project_decide(actor=None, project=loser, approve=False, on=date(year, 3, 20))
        services.project_decide(
            actor=None,
            project=winner,
            approve=True,
            on=date(year, 3, 20),
            starts_on=date(year, 4, 1),
            ends_on=date(year, 11, 30),
        )
        _carry(rng, counts, winner, year, today, chapter=n < 3)


def _carry(rng, counts, project, year: int, today: date, *, chapter: bool) -> None:
    steps = [
        (date(year, 4, 20), lambda on: services.opening_record(actor=None, project=project, on=on)),
        (date(year, 7, 20), lambda on: services.midterm_record(actor=None, project=project, on=on,
                                                               passed=True)),
        (date(year, 12, 10) + timedelta(days=rng.choice((0, 0, 0, 25))),
         lambda on: services.final_report_record(actor=None, project=project, on=on)),
    ]  # fmt: skip
    for on, step in steps:
        if on > today:
            return
        step(on)
    report_on = project.__class__.objects.get(pk=project.pk).final_report_on
    output = services.output_add(
        actor=None,
        project=project,
        values={"kind": "chapter" if chapter else "report", "title": f"{project.topic.title}总报告",
                "authors": f"{project.lead}、课题组成员", "blue_book_year": str(year),
                "submitted_on": report_on},
    )  # fmt: skip
    adopted_on = report_on + timedelta(days=30)
    if adopted_on <= today and rng.random() < 0.7:
        services.adoption_record(
            actor=None,
            output=output,
            values={"adopted_by": "中共北京市委社会工作部", "level": rng.choice(("city",
                    "city", "provincial")), "adopted_on": adopted_on,
                    "reference": f"京社工〔{adopted_on.year}〕{rng.randint(1, 60)}号",
                    "instruction": "请有关处室研究吸收，纳入下一年度工作要点。",
                    "instructed_by": "市委社会工作部负责同志",
                    "policy": "首都社会建设年度工作要点"},
        )  # fmt: skip
        counts["adoptions"] += 1
    review_on = report_on + timedelta(days=45)
    if review_on <= today:
        services.final_review_record(actor=None, project=project, on=review_on, passed=True)
