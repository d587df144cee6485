"""Checking party-building records, shared by the pages, the API and the file import. Each
`check_*` takes the values as typed (strings, as a form or a file gives them) and returns
(cleaned values, {field: message}); it never touches the database. Choice fields accept the code,
the English label or the usual Chinese term."""

import re

from django.utils.translation import gettext as _

from shoushan.organizations.validation import credit_code_field, date_field
from shoushan.party import rules
from shoushan.party.models import PartyKind

KIND_CHINESE = {
    "基层党委": PartyKind.COMMITTEE,
    "党委": PartyKind.COMMITTEE,
    "党总支": PartyKind.GENERAL_BRANCH,
    "党总支部": PartyKind.GENERAL_BRANCH,
    "党支部": PartyKind.BRANCH,
    "支部": PartyKind.BRANCH,
    "联合党支部": PartyKind.JOINT_BRANCH,
}
YES = {"1", "true", "yes", "y", "是", "在营", "有"}
NO = {"0", "false", "no", "n", "否", "停业", "注销", "无", "歇业"}
MAX_COUNT = 1_000_000
SEPARATORS = re.compile(r"[;；,，、\s]+")


def count_field(cleaned: dict, errors: dict, values: dict, field: str, *, default=None) -> None:
    """A whole number of people, 0 or more ("12", 12 or 12.0 from a spreadsheet)."""
    raw = values.get(field)
    text = str("" if raw is None else raw).strip()
    if not text and default is not None:
        cleaned[field] = default
        return
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or int(text) > MAX_COUNT:
        errors[field] = _("A count is a whole number, 0 or more: %(value)s.") % {
            "value": text or "—"
        }
        return
    cleaned[field] = int(text)


def flag_field(cleaned: dict, errors: dict, values: dict, field: str, *, default: bool) -> None:
    raw = values.get(field)
    if isinstance(raw, bool):
        cleaned[field] = raw
        return
    text = str(raw or "").strip().lower()
    if not text:
        cleaned[field] = default
    elif text in YES:
        cleaned[field] = True
    elif text in NO:
        cleaned[field] = False
    else:
        errors[field] = _("Write yes or no (是 / 否): %(value)s.") % {"value": text}


def party_kind(value) -> str:
    """The kind's code from its code, English label or Chinese name; ValueError if none."""
    text = str(value or "").strip()
    if text in KIND_CHINESE:
        return KIND_CHINESE[text]
    for code, label in PartyKind.choices:
        if text.lower() in (code, str(label).lower()):
            return code
    raise ValueError(text)


def check_enterprise(values: dict) -> tuple[dict, dict]:
    """An enterprise: name, a valid credit code that is not a civil-affairs one, counts."""
    cleaned: dict = {}
    errors: dict = {}
    name = str(values.get("name") or "").strip()
    if not name:
        errors["name"] = _("Give the enterprise's name.")
    cleaned["name"] = name[:200]
    credit_code_field(cleaned, errors, values)
    if cleaned.get("credit_code", "").startswith("5"):
        errors["credit_code"] = _(
            "This code was issued by civil affairs to a social organisation, not to an enterprise."
        )
    cleaned["region_code"] = str(values.get("region_code") or "").strip()
    flag_field(cleaned, errors, values, "operating", default=True)
    count_field(cleaned, errors, values, "employees", default=0)
    count_field(cleaned, errors, values, "full_members", default=0)
    return cleaned, errors


def check_party_organization(values: dict) -> tuple[dict, dict]:
    """A party organisation's own values (its units are checked by the service): kind, counts,
    dates, and the term against the kind's limit."""
    cleaned: dict = {}
    errors: dict = {}
    name = str(values.get("name") or "").strip()
    if not name:
        errors["name"] = _("Give the organisation's name.")
    cleaned["name"] = name[:200]
    try:
        cleaned["kind"] = party_kind(values.get("kind"))
    except ValueError as e:
        errors["kind"] = (
            _("Unknown kind: %(value)s.") % {"value": e.args[0]}
            if e.args[0]
            else _("This field is required.")
        )
    count_field(cleaned, errors, values, "full_members")
    count_field(cleaned, errors, values, "probationary_members", default=0)
    cleaned["secretary_name"] = str(values.get("secretary_name") or "").strip()[:50]
    cleaned["secretary_phone"] = str(values.get("secretary_phone") or "").strip()[:20]
    date_field(cleaned, errors, values, "established_on", required=True)
    date_field(cleaned, errors, values, "term_start", required=True)
    # a term runs up to five years from its start
    date_field(cleaned, errors, values, "term_end", required=True, years_ahead=6)
    if "kind" in cleaned and "term_start" in cleaned and "term_end" in cleaned:
        problem = rules.term_problem(cleaned["kind"], cleaned["term_start"], cleaned["term_end"])
        if problem:
            errors["term_end"] = _(problem[0]) % problem[1]
    return cleaned, errors


def unit_keys(text) -> list[str]:
    """Unit keys from a list or from a cell separating them by ; , 、 or spaces."""
    items = (
        [str(t) for t in text]
        if isinstance(text, list | tuple)
        else SEPARATORS.split(str(text or ""))
    )
    return list(dict.fromkeys(k.strip() for k in items if k.strip()))
