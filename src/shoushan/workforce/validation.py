"""Checking a worker's fields, shared by the form, the API and the xlsx import.

Choice fields accept the code, the English label or the usual Chinese term (the Chinese terms
are listed here because an import file uses them whatever the page's language)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from shoushan.core.validators import InvalidNumber, birth_date_from_id_number, normalise_id_number
from shoushan.workforce.models import Education, Gender, PoliticalStatus, Post, Qualification

CHINESE = {
    "gender": {"男": Gender.MALE, "女": Gender.FEMALE},
    "education": {
        "初中及以下": Education.JUNIOR_HIGH,
        "初中": Education.JUNIOR_HIGH,
        "高中": Education.HIGH_SCHOOL,
        "中专": Education.HIGH_SCHOOL,
        "高中/中专": Education.HIGH_SCHOOL,
        "大专": Education.ASSOCIATE,
        "专科": Education.ASSOCIATE,
        "本科": Education.BACHELOR,
        "硕士": Education.MASTER,
        "硕士研究生": Education.MASTER,
        "博士": Education.DOCTORATE,
        "博士研究生": Education.DOCTORATE,
    },
    "political_status": {
        "中共党员": PoliticalStatus.PARTY_MEMBER,
        "党员": PoliticalStatus.PARTY_MEMBER,
        "中共预备党员": PoliticalStatus.PROBATIONARY_MEMBER,
        "预备党员": PoliticalStatus.PROBATIONARY_MEMBER,
        "共青团员": PoliticalStatus.YOUTH_LEAGUE,
        "民主党派": PoliticalStatus.OTHER_PARTY,
        "群众": PoliticalStatus.MASSES,
    },
    "qualification": {
        "无": Qualification.NONE,
        "": Qualification.NONE,
        "助理社会工作师": Qualification.ASSISTANT,
        "社会工作师": Qualification.SOCIAL_WORKER,
        "高级社会工作师": Qualification.SENIOR,
    },
    "post": {
        "书记、主任": Post.SECRETARY_DIRECTOR,
        "书记兼主任": Post.SECRETARY_DIRECTOR,
        "书记、主任一肩挑": Post.SECRETARY_DIRECTOR,
        "书记": Post.SECRETARY,
        "主任": Post.DIRECTOR,
        "副书记": Post.DEPUTY_SECRETARY,
        "副主任": Post.DEPUTY_DIRECTOR,
        "委员": Post.MEMBER,
        "社区专职工作者": Post.FULL_TIME,
        "专职工作者": Post.FULL_TIME,
        "社区工作者": Post.FULL_TIME,
    },
}
CHOICES = {
    "gender": Gender,
    "education": Education,
    "political_status": PoliticalStatus,
    "qualification": Qualification,
    "post": Post,
}


def parse_choice(field: str, value: str) -> str:
    """The code of a choice given as code, label (English or the active language) or Chinese."""
    text = str(value or "").strip()
    if text in CHINESE[field]:
        return CHINESE[field][text]
    for code, label in CHOICES[field].choices:
        if text.lower() in (code, str(label).lower()):
            return code
    raise ValueError(text)


def parse_date(value) -> date:
    if isinstance(value, date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    return date.fromisoformat(text[:10])


def check_worker(values: dict, *, today: date, partial: bool = False) -> tuple[dict, dict]:
    """(cleaned values, {field: message}). Gender and birth date come from the ID number; when
    they are also given they must agree with it."""
    cleaned: dict = {}
    errors: dict[str, str] = {}

    def given(field: str) -> bool:
        return field in values and values[field] not in (None, "")

    def required(field: str) -> bool:
        if given(field):
            return True
        if not partial:
            errors[field] = _("This field is required.")
        return False

    if required("name"):
        name = str(values["name"]).strip()
        if len(name) > 60:
            errors["name"] = _("A name has at most 60 characters.")
        else:
            cleaned["name"] = name
    number = None
    if required("id_number"):
        try:
            number = normalise_id_number(str(values["id_number"]), today=today)
            cleaned["id_number"] = number
        except InvalidNumber as e:
            errors["id_number"] = _(str(e))
    if number:
        derived_gender = "male" if int(number[16]) % 2 else "female"
        derived_birth = birth_date_from_id_number(number)
        cleaned["gender"], cleaned["birth_date"] = derived_gender, derived_birth
        if given("gender"):
            try:
                entered = parse_choice("gender", values["gender"])
            except ValueError:
                errors["gender"] = _("Gender is male or female.")
            else:
                if entered != derived_gender:
                    errors["gender"] = _(
                        "The gender entered does not match the ID number, which says %(g)s."
                    ) % {"g": Gender(derived_gender).label}
        if given("birth_date"):
            try:
                entered_birth = parse_date(values["birth_date"])
            except ValueError:
                errors["birth_date"] = _("A date is written YYYY-MM-DD.")
            else:
                if entered_birth != derived_birth:
                    errors["birth_date"] = _(
                        "The birth date entered does not match the ID number, which says %(d)s."
                    ) % {"d": derived_birth.isoformat()}
    for field in ("education", "political_status", "post"):
        if required(field):
            try:
                cleaned[field] = parse_choice(field, values[field])
            except ValueError:
                errors[field] = _("Choose one of: %(choices)s.") % {
                    "choices": ", ".join(str(label) for _c, label in CHOICES[field].choices)
                }
    if "qualification" in values or not partial:
        try:
            cleaned["qualification"] = parse_choice("qualification", values.get("qualification"))
        except ValueError:
            errors["qualification"] = _("Choose one of: %(choices)s.") % {
                "choices": ", ".join(str(label) for _c, label in Qualification.choices)
            }
    if "certificate_number" in values or not partial:
        cleaned["certificate_number"] = str(values.get("certificate_number") or "").strip()[:40]
    if "certificate_year" in values or not partial:
        year = values.get("certificate_year")
        if year in (None, ""):
            cleaned["certificate_year"] = None
        else:
            try:
                year = int(str(year).strip().split(".")[0])
                if not 2008 <= year <= today.year:
                    raise ValueError
                cleaned["certificate_year"] = year
            except ValueError:
                errors["certificate_year"] = _(
                    "The certificate year is a year from 2008 (the first national examination) "
                    "to this year."
                )
    if cleaned.get("qualification") == Qualification.NONE and (
        cleaned.get("certificate_number") or cleaned.get("certificate_year")
    ):
        errors["qualification"] = _("A certificate is recorded but no qualification is chosen.")
    if cleaned.get("qualification") not in (None, Qualification.NONE) and not cleaned.get(
        "certificate_number"
    ):
        errors["certificate_number"] = _("Enter the certificate number of the qualification.")
    if ("hire_date" in values or not partial) and required("hire_date"):
        try:
            hired = parse_date(values["hire_date"])
        except ValueError:
            errors["hire_date"] = _("A date is written YYYY-MM-DD.")
        else:
            if hired > today:
                errors["hire_date"] = _("The hire date cannot be in the future.")
            elif number and (hired.year - derived_birth.year) < 16:
                errors["hire_date"] = _("The hire date is before the worker was 16.")
            else:
                cleaned["hire_date"] = hired
    if "pay_grade" in values or not partial:
        cleaned["pay_grade"] = str(values.get("pay_grade") or "").strip()[:20]
    if "monthly_pay" in values or not partial:
        pay = values.get("monthly_pay")
        if pay in (None, ""):
            cleaned["monthly_pay"] = None
        else:
            try:
                amount = Decimal(str(pay).strip().replace(",", ""))
                if not Decimal(0) < amount < Decimal(1_000_000):
                    raise InvalidOperation
                cleaned["monthly_pay"] = amount.quantize(Decimal("0.01"))
            except InvalidOperation:
                errors["monthly_pay"] = _("Monthly pay is an amount of yuan, such as 8500.")
    if "phone" in values or not partial:
        phone = str(values.get("phone") or "").strip()
        if phone and not all(c.isdigit() or c in "+- " for c in phone):
            errors["phone"] = _("A phone number has digits only (and + or -).")
        cleaned["phone"] = phone[:20]
    return cleaned, errors
