"""Checking the registry's records, shared by the pages, the API and the file import.

Each `check_*` takes the values as typed (strings, as a form or a file gives them) and returns
(cleaned values, {field: message}); a check never touches the database except through the
`Places` it is given, so an import of 100,000 rows looks each region up once. Choice fields accept
the code, the English label or the usual Chinese term (listed here because an import file uses
them whatever the page's language)."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from shoushan.core.dates import date_acceptable, date_range_reason
from shoushan.core.errors import InvalidInput
from shoushan.core.validators import InvalidNumber, normalise_credit_code
from shoushan.organizations import codes, rules
from shoushan.organizations.models import (
    CreditList,
    Field,
    InspectionResult,
    OrganizationKind,
    RectificationOutcome,
)

CHINESE = {
    "kind": {
        "社会团体": OrganizationKind.SOCIAL_GROUP,
        "社团": OrganizationKind.SOCIAL_GROUP,
        "社会服务机构": OrganizationKind.SOCIAL_SERVICE,
        "民办非企业单位": OrganizationKind.SOCIAL_SERVICE,
        "民非": OrganizationKind.SOCIAL_SERVICE,
        "基金会": OrganizationKind.FOUNDATION,
    },
    "field": {
        "科技与研究": Field.SCIENCE,
        "科技": Field.SCIENCE,
        "生态环境": Field.ENVIRONMENT,
        "教育": Field.EDUCATION,
        "卫生": Field.HEALTH,
        "卫生健康": Field.HEALTH,
        "社会服务": Field.SOCIAL_SERVICE,
        "文化": Field.CULTURE,
        "体育": Field.SPORTS,
        "法律": Field.LAW,
        "工商业服务": Field.BUSINESS,
        "工商服务": Field.BUSINESS,
        "宗教": Field.RELIGION,
        "农业及农村发展": Field.RURAL,
        "农业农村": Field.RURAL,
        "职业及从业组织": Field.PROFESSIONAL,
        "国际及涉外组织": Field.INTERNATIONAL,
        "其他": Field.OTHER,
        "": Field.OTHER,
    },
    "result": {
        "合格": InspectionResult.PASSED,
        "基本合格": InspectionResult.BASICALLY_PASSED,
        "不合格": InspectionResult.FAILED,
        "": "",
    },
    "rectification_outcome": {
        "已整改": RectificationOutcome.RECTIFIED,
        "整改合格": RectificationOutcome.RECTIFIED,
        "未整改": RectificationOutcome.NOT_RECTIFIED,
        "整改不合格": RectificationOutcome.NOT_RECTIFIED,
        "": "",
    },
    "list": {
        "活动异常名录": CreditList.ABNORMAL,
        "异常名录": CreditList.ABNORMAL,
        "严重违法失信名单": CreditList.DISHONEST,
        "失信名单": CreditList.DISHONEST,
    },
}
CHOICES = {
    "kind": OrganizationKind,
    "field": Field,
    "result": InspectionResult,
    "rectification_outcome": RectificationOutcome,
    "list": CreditList,
}


@dataclass
class Places:
    """The regions a check may name: the city, its districts (code → name) and its streets."""

    city: str
    districts: dict[str, str]
    streets: set[str]

    def authority(self, text: str) -> str | None:
        """The region code of a civil-affairs bureau given by code (6 or 12 digits) or by name
        (北京市民政局, 海淀区民政局, 海淀区)."""
        text = text.strip()
        if text.isdigit():
            code = text.ljust(12, "0") if len(text) == 6 else text
            return code if code == self.city or code in self.districts else None
        name = text.removesuffix("民政局")
        if name in ("北京市", "市", "北京"):
            return self.city
        for code, district in self.districts.items():
            if name == district:
                return code
        return None

    def holds(self, region_code: str) -> bool:
        return (
            region_code == self.city or region_code in self.districts or region_code in self.streets
        )


def places_load() -> Places:
    from shoushan.regions.models import Level, Region

    city = Region.objects.filter(level=Level.CITY).values_list("code", flat=True).first() or ""
    districts = dict(Region.objects.filter(level=Level.DISTRICT).values_list("code", "name"))
    streets = set(Region.objects.filter(level=Level.STREET).values_list("code", flat=True))
    return Places(city=city, districts=districts, streets=streets)


def choice(field: str, value) -> str:
    """The code of a choice given as code, English label or Chinese term; ValueError if none."""
    text = str(value or "").strip()
    if text in CHINESE.get(field, {}):
        return CHINESE[field][text]
    for code, label in CHOICES[field].choices:
        if text.lower() in (code, str(label).lower()):
            return code
    raise ValueError(text)


def form_date(text: str) -> date:
    """The date a form gave, or the reason it is not one (in the reader's language)."""
    try:
        return parse_date(text)
    except (ValueError, TypeError):
        raise InvalidInput(
            _("Not a date: %(value)s (write 2024-05-31).") % {"value": text or "—"}
        ) from None


def parse_date(value) -> date:
    """ISO dates, with / or . for -, and the civil-affairs files' day-first D/M/YYYY."""
    if isinstance(value, date):
        return value
    text = str(value or "").strip().split(" ")[0]
    parts = text.replace(".", "/").replace("-", "/").split("/")
    if len(parts) == 3 and len(parts[2]) == 4:  # day-first, as 民政局 publishes
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    if len(parts) == 3:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    raise ValueError(text)


def parse_grade(value) -> int:
    """1–5 from 5, 5A, 5A级, 5A级社会组织 (the ratings' published forms)."""
    text = str(value or "").strip().upper().removesuffix("社会组织").removesuffix("级")
    text = text.removesuffix("A")
    if text.isdigit() and 1 <= int(text) <= 5:
        return int(text)
    raise ValueError(value)


def text_field(
    errors: dict, values: dict, field: str, *, limit: int = 200, required: bool = True
) -> str:
    """A form's text, stripped; its reason in `errors` when missing or too long."""
    text = str(values.get(field) or "").strip()
    if required and not text:
        errors[field] = _("This field is required.")
    elif len(text) > limit:
        errors[field] = _("At most %(n)s characters.") % {"n": limit}
    return text


def date_field(
    cleaned: dict, errors: dict, values: dict, field: str, *, required: bool, years_ahead: int = 1
) -> None:
    text = str(values.get(field) or "").strip()
    if not text:
        if required:
            errors[field] = _("This field is required.")
        else:
            cleaned[field] = None
        return
    try:
        day = parse_date(text)
    except ValueError:
        errors[field] = _("Not a date: %(value)s (write 2024-05-31).") % {"value": text}
        return
    if not date_acceptable(day, years_ahead=years_ahead):
        errors[field] = _("Give %(range)s.") % {"range": date_range_reason(years_ahead=years_ahead)}
        return
    cleaned[field] = day


def _choice(cleaned: dict, errors: dict, values: dict, field: str, default: str | None = None):
    text = str(values.get(field) or "").strip()
    if not text and default is not None:
        cleaned[field] = default
        return
    try:
        cleaned[field] = choice(field, text)
    except ValueError:
        if not text:
            errors[field] = _("This field is required.")
        else:
            errors[field] = _("Unknown value: %(value)s.") % {"value": text}


def credit_code_field(cleaned: dict, errors: dict, values: dict) -> None:
    try:
        cleaned["credit_code"] = normalise_credit_code(str(values.get("credit_code") or ""))
    except InvalidNumber as e:
        errors["credit_code"] = _(str(e))


def check_organization(values: dict, *, places: Places, today: date) -> tuple[dict, dict]:
    """A registry record: the credit code's check character, and its kind and authority digits
    against the kind and authority given; the domicile inside the authority's area."""
    cleaned: dict = {}
    errors: dict = {}
    name = str(values.get("name") or "").strip()
    if not name:
        errors["name"] = _("This field is required.")
    elif len(name) > 200:
        errors["name"] = _("At most 200 characters.")
    cleaned["name"] = name
    credit_code_field(cleaned, errors, values)
    _choice(cleaned, errors, values, "kind")
    _choice(cleaned, errors, values, "field", default=Field.OTHER)
    authority_text = str(values.get("authority") or values.get("authority_code") or "").strip()
    authority = places.authority(authority_text) if authority_text else None
    if not authority_text:
        errors["authority"] = _("This field is required.")
    elif authority is None:
        errors["authority"] = _(
            "Unknown registration authority: %(value)s (give the city's or a district's "
            "civil-affairs bureau, by name or region code)."
        ) % {"value": authority_text}
    else:
        cleaned["authority_code"] = authority
    domicile = str(values.get("region_code") or "").strip() or authority or ""
    if domicile and not places.holds(domicile):
        errors["region_code"] = _(
            "Unknown region: %(value)s (give the code of the district or street of the domicile)."
        ) % {"value": domicile}
    elif authority and authority != places.city and not domicile.startswith(authority[:6]):
        errors["region_code"] = _(
            "A district's bureau registers organisations domiciled in its district; %(value)s "
            "is outside it."
        ) % {"value": domicile}
    cleaned["region_code"] = domicile
    if "credit_code" in cleaned and "kind" in cleaned and authority:
        found = codes.code_disagreement(
            cleaned["credit_code"], kind=cleaned["kind"], authority_division=authority[:6]
        )
        if found:
            message, named = found
            errors["credit_code"] = _(message) % named
    date_field(cleaned, errors, values, "registered_on", required=True)
    if cleaned.get("registered_on") and cleaned["registered_on"] > today:
        errors["registered_on"] = _("The registration date is after today.")
    for field, limit in (
        ("business_scope", 2000),
        ("legal_representative", 50),
        ("contact_name", 50),
        ("contact_phone", 20),
        ("address", 200),
    ):
        text = str(values.get(field) or "").strip()
        if len(text) > limit:
            errors[field] = _("At most %(n)s characters.") % {"n": limit}
        cleaned[field] = text
    return cleaned, errors


def check_inspection(values: dict, *, registered_on: date | None, today: date) -> tuple[dict, dict]:
    """An annual inspection: a finished year not before the registration year; decided results
    need a decision date; a rectification outcome only after a result other than 合格."""
    cleaned: dict = {}
    errors: dict = {}
    text = str(values.get("year") or "").strip()
    if not text.isdigit():
        errors["year"] = _("Give the year reported on, e.g. 2024.")
    else:
        year = int(text)
        if registered_on and year < registered_on.year:
            errors["year"] = _("%(year)s is before the organisation was registered (%(date)s).") % {
                "year": year,
                "date": registered_on.isoformat(),
            }
        elif year >= today.year:
            errors["year"] = _("The report on %(year)s is made in %(next)s at the earliest.") % {
                "year": year,
                "next": year + 1,
            }
        cleaned["year"] = year
    date_field(cleaned, errors, values, "submitted_on", required=False)
    _choice(cleaned, errors, values, "result", default="")
    date_field(cleaned, errors, values, "decided_on", required=bool(cleaned.get("result")))
    _choice(cleaned, errors, values, "rectification_outcome", default="")
    date_field(
        cleaned, errors, values, "rectified_on", required=bool(cleaned.get("rectification_outcome"))
    )
    for field in ("submitted_on", "decided_on", "rectified_on"):
        day = cleaned.get(field)
        if day and day > today:
            errors[field] = _("This date is after today.")
        if day and cleaned.get("year") and day.year <= cleaned["year"]:
            errors[field] = _("The report on %(year)s is made after the year ends.") % {
                "year": cleaned["year"]
            }
    if cleaned.get("result") and not cleaned.get("submitted_on"):
        cleaned["submitted_on"] = cleaned.get("decided_on")
    if cleaned.get("rectification_outcome") and cleaned.get("result") in ("", "passed"):
        errors["rectification_outcome"] = _(
            "Only a result other than 合格 (passed) calls for rectification."
        )
    decided, rectified = cleaned.get("decided_on"), cleaned.get("rectified_on")
    if decided and rectified and rectified < decided:
        errors["rectified_on"] = _("The rectification is checked after the decision.")
    cleaned["note"] = str(values.get("note") or "").strip()[:300]
    return cleaned, errors


def check_list_entry(values: dict, *, today: date) -> tuple[dict, dict]:
    cleaned: dict = {}
    errors: dict = {}
    _choice(cleaned, errors, values, "list")
    date_field(cleaned, errors, values, "entered_on", required=True)
    date_field(cleaned, errors, values, "exited_on", required=False)
    reason = str(values.get("entry_reason") or "").strip()
    if not reason:
        errors["entry_reason"] = _("This field is required.")
    cleaned["entry_reason"] = reason[:300]
    cleaned["exit_reason"] = str(values.get("exit_reason") or "").strip()[:300]
    entered, exited = cleaned.get("entered_on"), cleaned.get("exited_on")
    for field in ("entered_on", "exited_on"):
        if cleaned.get(field) and cleaned[field] > today:
            errors[field] = _("This date is after today.")
    if entered and exited and exited < entered:
        errors["exited_on"] = _("The exit (%(exit)s) is before the entry (%(entry)s).") % {
            "exit": exited.isoformat(),
            "entry": entered.isoformat(),
        }
    if exited and not cleaned["exit_reason"]:
        errors["exit_reason"] = _("Give the reason of the exit.")
    return cleaned, errors


def check_rating(values: dict, *, registered_on: date | None, today: date) -> tuple[dict, dict]:
    cleaned: dict = {}
    errors: dict = {}
    text = str(values.get("grade") or "").strip()
    try:
        cleaned["grade"] = parse_grade(text)
    except ValueError:
        errors["grade"] = _("A grade is 1A to 5A; %(value)s is not.") % {"value": text or "—"}
    date_field(cleaned, errors, values, "awarded_on", required=True)
    awarded = cleaned.get("awarded_on")
    if awarded and awarded > today:
        errors["awarded_on"] = _("This date is after today.")
    if awarded and registered_on and awarded < registered_on:
        errors["awarded_on"] = _("The grade is dated before the registration (%(date)s).") % {
            "date": registered_on.isoformat()
        }
    if awarded:
        cleaned["valid_until"] = rules.rating_valid_until(awarded)
    cleaned["authority"] = str(values.get("authority") or "").strip()[:100]
    return cleaned, errors
