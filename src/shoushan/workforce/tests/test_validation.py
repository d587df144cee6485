from datetime import date

import pytest
from django.utils import translation

from shoushan.core.errors import InvalidInput
from shoushan.workforce.models import CommunityWorker
from shoushan.workforce.tests.helpers import id_number, make_worker
from shoushan.workforce.validation import check_worker, parse_choice

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def base(**values):
    return {
        "name": "张三",
        "education": "本科",
        "political_status": "群众",
        "post": "社区专职工作者",
        "hire_date": "2018-01-02",
    } | values


def test_gender_and_birth_date_come_from_the_id_number():
    female = id_number(date(1990, 2, 28), male=False)
    cleaned, errors = check_worker(base(id_number=female), today=TODAY)
    assert errors == {}
    assert cleaned["gender"] == "female" and cleaned["birth_date"] == date(1990, 2, 28)
    assert cleaned["education"] == "bachelor" and cleaned["post"] == "full_time"


def test_a_wrong_check_character_is_refused():
    number = id_number()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    _cleaned, errors = check_worker(base(id_number=wrong), today=TODAY)
    assert "check character" in errors["id_number"]


def test_entered_gender_or_birth_date_must_match_the_id_number():
    male = id_number(date(1980, 5, 6), male=True)
    _c, errors = check_worker(base(id_number=male, gender="女"), today=TODAY)
    assert "does not match" in errors["gender"]
    _c, errors = check_worker(base(id_number=male, birth_date="1980-05-07"), today=TODAY)
    assert "1980-05-06" in errors["birth_date"]
    _c, errors = check_worker(
        base(id_number=male, gender="男", birth_date="1980-05-06"), today=TODAY
    )
    assert errors == {}


def test_a_qualification_needs_its_certificate_and_a_sensible_year():
    number = id_number()
    _c, errors = check_worker(base(id_number=number, qualification="社会工作师"), today=TODAY)
    assert "certificate_number" in errors
    _c, errors = check_worker(
        base(
            id_number=number,
            qualification="社会工作师",
            certificate_number="X1",
            certificate_year="2001",
        ),
        today=TODAY,
    )
    assert "certificate_year" in errors


def test_choices_accept_codes_and_chinese_terms():
    assert parse_choice("education", "大专") == "associate"
    assert parse_choice("political_status", "预备党员") == "probationary_member"
    assert parse_choice("qualification", "高级社会工作师") == "senior"
    assert parse_choice("post", "书记") == "secretary"
    with pytest.raises(ValueError):
        parse_choice("post", "队长")


def test_a_mismatch_is_refused_and_nothing_is_recorded(demo_city):
    number = id_number(date(1988, 8, 8), male=True)
    with pytest.raises(InvalidInput) as refused:
        make_worker(id_number=number, gender="female")
    assert "gender" in refused.value.details
    assert not CommunityWorker.objects.filter(id_number=number).exists()


def test_the_same_id_number_is_refused_twice(demo_city):
    number = id_number()
    make_worker(id_number=number)
    with pytest.raises(InvalidInput):
        make_worker(id_number=number)
