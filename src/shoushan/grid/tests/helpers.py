"""What grid tests share: a resident's report at 多福巷, through the real intake service."""

from shoushan.grid.cases.services import case_report
from shoushan.grid.models import Category
from shoushan.regions.models import Region

DUOFUXIANG = (116.4069014, 39.9215538)  # 多福巷社区's published point (WGS84)


def report(**kwargs):
    """(case, created) for an exposed-rubbish report at 多福巷; any argument can be changed."""
    values = {
        "actor": None,
        "channel": "resident",
        "category": Category.objects.get(code="E0102"),
        "description": "胡同口有暴露垃圾",
        "lon": DUOFUXIANG[0],
        "lat": DUOFUXIANG[1],
    }
    values.update(kwargs)
    return case_report(**values)


def full_address(code: str, tail: str = "") -> str:
    """北京市 + district + street + community, as a caller would say it."""
    community = Region.objects.select_related("parent__parent").get(code=code)
    street, district = community.parent, community.parent.parent
    return f"北京市{district.name}{street.name}{community.name}{tail}"
