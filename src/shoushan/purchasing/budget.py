"""A district's published purchase-of-services budget (政府购买服务预算情况表, e.g. Miyun's for
2024) turned into envelopes and calls: each line names its catalogue entry (指导性目录 levels 1–3)
and amount. Public services go to the envelope of basic public services, the auxiliary services
of government (政府履职辅助性服务) to management projects; each envelope is set to the sum of its
lines as published, and a line the rules exclude (art. 10: no hiring of staff, goods, works,
financing) or whose entry is not in the catalogue is left out of the call with its reason, so the
gap between the budget and what is called for is visible in the ledger."""

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from shoushan.core.errors import InvalidInput
from shoushan.core.validators import InvalidNumber
from shoushan.purchasing import rules, services
from shoushan.purchasing.models import CatalogueItem, Fund

MIYUN_BUDGET = (
    Path("social_orgs") / "miyun_2024_gov_purchase_services.csv"
)  # not shipped: no licence

COLUMNS = ("一级项目名称", "政府购买服务项目名称", "指导性目录-一级目录", "指导性目录-三级目录",
           "预算金额")  # fmt: skip
PUBLIC_SERVICES = "公共服务"


@dataclass
class BudgetLoaded:
    calls: int = 0
    lines: int = 0
    planned: Decimal = Decimal("0.00")
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (line, reason)


def _title(row: dict[str, str]) -> str:
    """The budget project and the service bought: the first says what the money pays for."""
    return " ".join(f"{row['一级项目名称']}·{row['政府购买服务项目名称']}".split())[:200]


@transaction.atomic
def budget_load(
    *, actor, fund: Fund, rows: list[dict[str, str]], opens_on: str, closes_on: str
) -> BudgetLoaded:
    """Set the fund's envelopes to the budget's sums and open one call per envelope on its
    lines; all or nothing (a refusal by the services undoes every envelope and call)."""
    missing = [c for c in COLUMNS if rows and c not in rows[0]]
    if not rows or missing:
        raise InvalidInput(
            _("The budget table needs the columns: %(columns)s.") % {"columns": "、".join(COLUMNS)}
        )
    codes = dict(CatalogueItem.objects.filter(level=3).values_list("name", "code"))
    groups: dict[str, tuple[Decimal, list[dict]]] = {}
    loaded = BudgetLoaded()
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        kind = "basic" if row["指导性目录-一级目录"].strip() == PUBLIC_SERVICES else "projects"
        try:
            amount = rules.amount_parse(row["预算金额"])
        except InvalidNumber as e:
            raise InvalidInput(
                _("Row %(n)s: %(reason)s") % {"n": number, "reason": _(str(e))}
            ) from e
        total, lines = groups.get(kind, (Decimal("0.00"), []))
        groups[kind] = (total + amount, lines)
        title = _title(row)
        item = codes.get(row["指导性目录-三级目录"].strip())
        reason = rules.excluded_reason(title)
        if item is None:
            loaded.left_out.append((title, _("its entry is not in the catalogue")))
        elif reason:
            loaded.left_out.append((title, _(reason)))
        else:
            lines.append({"item": item, "title": title, "amount": str(amount)})
    for kind, (total, lines) in groups.items():
        envelope = services.envelope_set(actor=actor, fund=fund, kind=kind, amount_text=str(total))
        if not lines:
            continue
        services.call_open(
            actor=actor,
            envelope=envelope,
            values={"title": f"{fund.name}·{envelope.get_kind_display()}", "opens_on": opens_on,
                    "closes_on": closes_on},
            lines=lines,
        )  # fmt: skip
        loaded.calls += 1
        loaded.lines += len(lines)
        loaded.planned += sum((Decimal(line["amount"]) for line in lines), Decimal("0.00"))
    return loaded
