"""Generated community workers for the demo districts, marked generated, with well-formed ID
numbers (correct GB 11643 check character, not real people) and careers replayable by the
statistics. Distributions are set near Beijing's published profile of its community workers
(average age about 39, most with college education, about half party members, about 40 %
certified) — plausible, not real.

Their education, party membership, qualification and pay have dated histories too: about a
quarter of the graduates earned their degree while in post, about a third of the party members
who are not secretaries joined while in post (probationary first, full member a year later), each
certificate is a change dated in its certificate year, and the pay steps up every three years
with the grade and the general pay rises. So the yearly trend of each share moves as a real one
does."""

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from shoushan.audit.services import audit_record
from shoushan.core.validators import id_number_check_character
from shoushan.regions.models import Level, Region
from shoushan.workforce.models import (
    Attribute,
    AttributeChange,
    CareerEvent,
    CityAverageWage,
    CommunityWorker,
    Education,
    EventKind,
    PoliticalStatus,
    Post,
    Qualification,
    WorkerStatus,
)

DEMO_DISTRICTS = ("110101000000", "110102000000")  # 东城区, 西城区
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建峰波宁晶欣悦婷颖雪琳晨浩宇佳文博思雨倩楠凯鑫"  # noqa: E501
ORGANS = ("街道办事处", "区民政局", "区委社会工委", "区社区服务中心")


def _pick(rng: random.Random, table: list[tuple[str, float]]) -> str:
    x, total = rng.random(), 0.0
    for value, weight in table:
        total += weight
        if x < total:
            return value
    return table[-1][0]


EDUCATION = [
    (Education.HIGH_SCHOOL, 0.05),
    (Education.ASSOCIATE, 0.36),
    (Education.BACHELOR, 0.53),
    (Education.MASTER, 0.058),
    (Education.DOCTORATE, 0.002),
]
POLITICAL = [  # of the posts other than secretary, who are all members: about 55 % overall
    (PoliticalStatus.PARTY_MEMBER, 0.46),
    (PoliticalStatus.PROBATIONARY_MEMBER, 0.03),
    (PoliticalStatus.YOUTH_LEAGUE, 0.12),
    (PoliticalStatus.OTHER_PARTY, 0.01),
    (PoliticalStatus.MASSES, 0.38),
]
QUALIFICATION = [
    (Qualification.NONE, 0.6),
    (Qualification.ASSISTANT, 0.26),
    (Qualification.SOCIAL_WORKER, 0.13),
    (Qualification.SENIOR, 0.01),
]
PAY = {  # post → (grade tier, base monthly pay in yuan)
    Post.SECRETARY_DIRECTOR: ("一岗", 11500),
    Post.SECRETARY: ("一岗", 11000),
    Post.DIRECTOR: ("一岗", 10800),
    Post.DEPUTY_SECRETARY: ("二岗", 9800),
    Post.DEPUTY_DIRECTOR: ("二岗", 9600),
    Post.MEMBER: ("三岗", 8800),
    Post.FULL_TIME: ("三岗", 8000),
}


def _posts(rng: random.Random) -> list[str]:
    head = [Post.SECRETARY_DIRECTOR] if rng.random() < 0.8 else [Post.SECRETARY, Post.DIRECTOR]
    deputies = [rng.choice([Post.DEPUTY_SECRETARY, Post.DEPUTY_DIRECTOR])]
    if rng.random() < 0.5:
        deputies.append(Post.DEPUTY_DIRECTOR)
    return (
        head + deputies + [Post.MEMBER] * rng.randint(2, 3) + [Post.FULL_TIME] * rng.randint(3, 7)
    )


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def demo_workers_create(*, district_codes=DEMO_DISTRICTS, seed: int = 7) -> int:
    """Generate workers for every residents' community (社区) of the districts, unless generated
    workers exist in the first of them already. Returns how many were made.

    Each post of a community is a slot held by one worker after another since the community's
    start (2003–2009): a holder stays some years, then leaves, is promoted to an organ or moves
    to another community, and the next is hired a few months later; so the head count is steady
    and the history has the turnover a real one has."""
    prefixes = [c[:6] for c in district_codes]
    if CommunityWorker.objects.filter(
        is_generated=True, region_code__startswith=prefixes[0]
    ).exists():
        return 0
    rng = random.Random(seed)
    history_rng = random.Random(seed + 1)  # the attribute histories: the careers stay as they were
    today = timezone.localdate()
    communities: dict[str, list[str]] = {}
    # community workers staff the residents' committees (社区); villages are run by their committees
    for code in Region.objects.filter(level=Level.COMMUNITY, kind="社区").values_list(
        "code", flat=True
    ):
        if code[:6] in prefixes:
            communities.setdefault(code[:6], []).append(code)
    used = set(CommunityWorker.objects.values_list("id_number", flat=True))
    workers: list[CommunityWorker] = []
    careers: list[list[tuple]] = []
    histories: list[list[tuple]] = []
    for district, codes in sorted(communities.items()):
        for code in sorted(codes):
            for post in _posts(rng):
                hired = _day_between(rng, date(2003, 1, 1), date(2009, 12, 31))
                while hired < today:
                    worker = _worker(rng, district, code, post, hired, today, used, len(workers))
                    career, ended = _career(rng, worker, codes, today)
                    workers.append(worker)
                    careers.append(career)
                    histories.append(_attribute_history(history_rng, worker, career, today))
                    if ended is None:
                        break
                    hired = ended + timedelta(days=rng.randint(20, 120))
    with transaction.atomic():
        CommunityWorker.objects.bulk_create(workers, batch_size=2000)
        if any(w.pk is None for w in workers):
            ids = dict(
                CommunityWorker.objects.filter(is_generated=True).values_list("id_number", "pk")
            )
            for w in workers:
                w.pk = ids[w.id_number]
        CareerEvent.objects.bulk_create(
            [
                CareerEvent(
                    worker_id=w.pk,
                    kind=kind,
                    on=on,
                    community_code=community,
                    post=post,
                    status=status,
                    from_community_code=from_community,
                    from_post=from_post,
                    organization=organization,
                    note=GENERATED_NOTE,
                )
                for w, career in zip(workers, careers, strict=True)
                for (
                    kind,
                    on,
                    community,
                    post,
                    status,
                    from_community,
                    from_post,
                    organization,
                ) in (career)
            ],
            batch_size=5000,
        )
        changes = [
            AttributeChange(worker_id=w.pk, note=GENERATED_NOTE, **change)
            for w, history in zip(workers, histories, strict=True)
            for change in history
        ]
        AttributeChange.objects.bulk_create(changes, batch_size=5000)
        audit_record(
            actor=None,
            action="community_worker.demo_generate",
            object_type="workforce.communityworker",
            region_code="110000000000",
            changes={
                "workers": len(workers),
                "attribute_changes": len(changes),
                "districts": list(district_codes),
            },
        )
    return len(workers)


GENERATED_NOTE = "演示数据（生成）"


def demo_staff_counts(district_codes) -> dict[str, int]:
    """Community code → its generated workers in post (active or seconded), so that a generated
    community profile counts the same staff as the workforce register."""
    prefixes = tuple(c[:6] for c in district_codes)
    counts: dict[str, int] = {}
    for code in CommunityWorker.objects.filter(
        is_generated=True, status__in=[WorkerStatus.ACTIVE, WorkerStatus.SECONDED]
    ).values_list("community_id", flat=True):
        if code and code.startswith(prefixes):
            counts[code] = counts.get(code, 0) + 1
    return counts


def _worker(rng, district, code, post, hired, today, used, index) -> CommunityWorker:
    age_at_hire = max(22, min(48, int(rng.gauss(30, 6))))
    born = _day_between(
        rng,
        date(hired.year - age_at_hire - 1, hired.month, 1),
        date(hired.year - age_at_hire, hired.month, 28),
    )
    male = rng.random() < 0.32
    while True:
        sequence = rng.randrange(0, 500) * 2 + (1 if male else 0)
        first17 = f"{district}{born:%Y%m%d}{sequence:03d}"
        number = first17 + id_number_check_character(first17)
        if number not in used:
            used.add(number)
            break
    education = _pick(rng, EDUCATION)
    political = (
        PoliticalStatus.PARTY_MEMBER
        if post in (Post.SECRETARY, Post.SECRETARY_DIRECTOR, Post.DEPUTY_SECRETARY)
        else _pick(rng, POLITICAL)
    )
    qualification = _pick(rng, QUALIFICATION)
    certificate_year = (
        rng.randint(max(2008, hired.year), max(2008, hired.year, today.year - 1))
        if qualification != Qualification.NONE
        else None
    )
    tier, base = PAY[post]
    level = min(9, 1 + max(0, today.year - hired.year) // 3)
    return CommunityWorker(
        name=rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
        id_number=number,
        gender="male" if male else "female",
        birth_date=born,
        education=education,
        political_status=political,
        qualification=qualification,
        certificate_number=f"DEMO{certificate_year}{index:06d}" if certificate_year else "",
        certificate_year=certificate_year,
        post=post,
        community_id=code,
        region_code=code,
        hire_date=hired,
        pay_grade=f"{tier}{level}级",
        monthly_pay=base + 150 * level + rng.randint(-3, 3) * 100,
        phone=f"139{rng.randrange(10**8):08d}",
        status=WorkerStatus.ACTIVE,
        is_generated=True,
    )


def _career(rng: random.Random, worker: CommunityWorker, codes: list[str], today: date):
    """The worker's events (the first is the hire) and the day the slot fell vacant (None if the
    worker still holds it). The worker's current state is set to the state after the last event."""
    hired = worker.hire_date
    events = [(EventKind.HIRE, hired, worker.region_code, worker.post, "active", "", "", "")]
    tenure_days = int(rng.expovariate(1 / 10) * 365) + 180
    retire = date(worker.birth_date.year + 60, worker.birth_date.month, 1)
    end = min(hired + timedelta(days=tenure_days), retire)
    if worker.post == Post.FULL_TIME and rng.random() < 0.15:
        on = _day_between(rng, hired + timedelta(days=365), min(end, today) - timedelta(days=1))
        if hired < on < min(end, today):
            events.append(
                (
                    EventKind.POST_CHANGE,
                    on,
                    worker.region_code,
                    Post.MEMBER,
                    "active",
                    "",
                    Post.FULL_TIME,
                    "",
                )
            )
            worker.post = Post.MEMBER
    if end >= today:
        if rng.random() < 0.03:
            on = _day_between(rng, max(events[-1][1], today - timedelta(days=700)), today)
            if on > events[-1][1]:
                organ = rng.choice(ORGANS)
                events.append(
                    (
                        EventKind.SECONDMENT,
                        on,
                        worker.region_code,
                        worker.post,
                        "seconded",
                        "",
                        "",
                        organ,
                    )
                )
                worker.status, worker.organization = WorkerStatus.SECONDED, organ
        return events, None
    x = rng.random()
    if x < 0.1:
        organ = rng.choice(ORGANS)
        events.append(
            (EventKind.PROMOTION, end, worker.region_code, worker.post, "left", "", "", organ)
        )
        worker.status, worker.organization, worker.left_date = WorkerStatus.LEFT, organ, end
    elif x < 0.2 and len(codes) > 1:
        # moves to a community nearby and stays there
        destination = rng.choice([c for c in codes if c != worker.region_code])
        events.append(
            (
                EventKind.TRANSFER,
                end,
                destination,
                worker.post,
                "active",
                worker.region_code,
                "",
                "",
            )
        )
        worker.community_id = worker.region_code = destination
    else:
        events.append((EventKind.LEAVE, end, worker.region_code, worker.post, "left", "", "", ""))
        worker.status, worker.left_date = WorkerStatus.LEFT, end
    return events, end


LOWER_EDUCATION = {
    Education.ASSOCIATE: Education.HIGH_SCHOOL,
    Education.BACHELOR: Education.ASSOCIATE,
    Education.MASTER: Education.BACHELOR,
}
PAY_RISE = 1.06  # general pay rise a year: the pay of earlier years is lower


def _pay(base: int, noise: int, level: int, day: date, today: date) -> int:
    """The monthly pay of a grade level on `day`, after the general rises up to then."""
    pay = (base + 150 * level + noise) * PAY_RISE ** (day.year - today.year)
    return int(round(pay, -1))


def _attribute_history(
    rng: random.Random, worker: CommunityWorker, career: list[tuple], today: date
) -> list[dict]:
    """The worker's dated changes of education, party membership, qualification and pay (as the
    fields of AttributeChange), within the worker's service; the worker's fields are set to the
    latest values. The values before the first change are those at hire."""
    hired = worker.hire_date
    last = career[-1]
    until = last[1] if last[0] in (EventKind.LEAVE, EventKind.PROMOTION) else today
    changes: list[dict] = []

    def change(attribute: str, on: date, before: dict, after: dict) -> None:
        changes.append(
            {"attribute": attribute, "on": on} | {f"from_{k}": v for k, v in before.items()} | after
        )

    span = (until - hired).days
    if worker.education in LOWER_EDUCATION and span > 730 and rng.random() < 0.25:
        on = hired + timedelta(days=rng.randint(365, span))
        before = LOWER_EDUCATION[Education(worker.education)]
        change(Attribute.EDUCATION, on, {"value": before}, {"value": worker.education})
    if (
        worker.political_status == PoliticalStatus.PARTY_MEMBER
        and worker.post not in (Post.SECRETARY, Post.SECRETARY_DIRECTOR, Post.DEPUTY_SECRETARY)
        and span > 400
        and rng.random() < 0.35
    ):
        age = hired.year - worker.birth_date.year
        first = PoliticalStatus.YOUTH_LEAGUE if age < 28 else PoliticalStatus.MASSES
        admitted = hired + timedelta(days=rng.randint(200, span))
        change(
            Attribute.POLITICAL_STATUS,
            admitted,
            {"value": first},
            {"value": PoliticalStatus.PROBATIONARY_MEMBER},
        )
        full = admitted + timedelta(days=365)
        if full <= until:
            change(
                Attribute.POLITICAL_STATUS,
                full,
                {"value": PoliticalStatus.PROBATIONARY_MEMBER},
                {"value": PoliticalStatus.PARTY_MEMBER},
            )
        else:
            worker.political_status = PoliticalStatus.PROBATIONARY_MEMBER
    if worker.certificate_year:
        year = worker.certificate_year
        start, end = max(hired, date(year, 1, 1)), min(date(year, 12, 31), until)
        if start <= end:
            on = _day_between(rng, start, end)
            change(
                Attribute.QUALIFICATION,
                on,
                {"value": Qualification.NONE, "certificate_number": "", "certificate_year": None},
                {
                    "value": worker.qualification,
                    "certificate_number": worker.certificate_number,
                    "certificate_year": year,
                },
            )
    tier, base = PAY[worker.post if worker.post in PAY else Post.FULL_TIME]
    noise = rng.randint(-3, 3) * 100
    level, pay, step = 1, _pay(base, noise, 1, hired, today), hired
    while True:  # a grade up every three years (level 9 at most), with the rises since
        step = date(step.year + 3, step.month, min(step.day, 28))
        if step > until:
            break
        new_level = min(9, level + 1)
        new_pay = _pay(base, noise, new_level, step, today)
        change(
            Attribute.PAY,
            step,
            {"value": f"{tier}{level}级", "monthly_pay": pay},
            {"value": f"{tier}{new_level}级", "monthly_pay": new_pay},
        )
        level, pay = new_level, new_pay
    worker.pay_grade, worker.monthly_pay = f"{tier}{level}级", pay
    return changes


GPI_FILE = "provincial_stats/gpi_china_provinces_1985_2018_long.csv"


def demo_city_wages_load() -> int:
    """Beijing's average annual wage 1985–2018 (城镇非私营单位, yuan at current prices) from the
    provincial GPI replication data in SHOUSHAN_SHARED_DATA (research input, its source kept on
    each row), so that "pay against the city's average wage" has a wage to compare with; later
    years are the city administrator's to enter. Years already recorded are left alone."""
    import csv

    from django.conf import settings

    path = settings.SHARED_DATA_DIR / GPI_FILE
    if not path.is_file():
        return 0
    known = set(CityAverageWage.objects.values_list("year", flat=True))
    with path.open(encoding="utf-8", newline="") as f:
        rows = [
            CityAverageWage(
                year=int(row["year"]),
                yuan=round(float(row["value"])),
                source="GPI replication data (Ji et al.), wage-average, Beijing — research input",
            )
            for row in csv.DictReader(f)
            if row["sheet"] == "wage-average"
            and row["province_code"] == "11"
            and int(row["year"]) not in known
        ]
    CityAverageWage.objects.bulk_create(rows)
    if rows:
        audit_record(
            actor=None,
            action="city_average_wage.set",
            object_type="workforce.cityaveragewage",
            object_repr=f"{len(rows)} years",
            region_code="110000000000",
            changes={"years": [rows[0].year, rows[-1].year], "source": GPI_FILE},
        )
    return len(rows)
