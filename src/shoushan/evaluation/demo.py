"""The demo's evaluation data sets: the provinces' social-spending index of the two latest years
from the official statistics that ship with Shoushan; Shoushan's fuller provincial index for 2017
and 2018, built from the research data in SHOUSHAN_SHARED_DATA when it is there (it may not be
shipped); and the districts' index of the current year."""

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shoushan.evaluation.models import Dataset
from shoushan.evaluation.provinces import FRAMEWORK, PIPELINE, official, provincial_idata
from shoushan.evaluation.services import dataset_create, district_dataset_create

GPI_FILE = "provincial_stats/gpi_china_provinces_1985_2018_long.csv"
DEMO_YEARS = (2017, 2018)


def demo_districts_create() -> int:
    """The districts' index of the current year, from the census and whatever the platform
    holds; 0 if one exists already."""
    year = timezone.localdate().year
    with translation.override("zh-hans"):
        name = _("Beijing districts' social-construction index %(year)s") % {"year": year}
        if Dataset.objects.filter(name=name).exists():
            return 0
        district_dataset_create(actor=None, year=year)
    return 1


def demo_datasets_create() -> int:
    """Create the missing demo data sets of the provinces; returns how many were created."""
    created = 0
    for year in official.official_years()[:2]:
        created += _provinces_dataset(
            name=f"31 省（区、市）社会建设财政投入指数 {year}",
            year=year,
            note=(
                f"{year} 年国家统计局数据：中国统计年鉴{year + 1} 表7-6 分地区一般公共预算支出，"
                "分省年度数据（人口抽样调查）；随首善发布，来源见 shoushan/data/README.md。"
                "衡量各省财政投向社会领域的比重，而非社会建设的成效。"
            ),
            data=lambda year=year: official.official_idata(year),
            framework=official.FRAMEWORK,
        )
    source = settings.SHARED_DATA_DIR / GPI_FILE
    if not source.is_file():
        return created
    for year in DEMO_YEARS:
        created += _provinces_dataset(
            name=f"31 省（区、市）社会建设综合评价（演示）{year}",
            year=year,
            note=(
                f"{year} 年数据：省级真实发展指数（GPI）研究数据（Ji 等，北京大学），"
                "指标体系见 shoushan/evaluation/provinces/README.md。"
            ),
            data=lambda year=year: provincial_idata(source, year),
            framework=FRAMEWORK,
        )
    return created


def _provinces_dataset(*, name: str, year: int, note: str, data, framework) -> bool:
    """Store one provinces' data set (`data()` gives its iData text) unless it exists."""
    if Dataset.objects.filter(name=name).exists():
        return False
    dataset_create(
        actor=None,
        name=name,
        year=year,
        note=note,
        data_file=SimpleUploadedFile(f"provinces_{year}.csv", data().encode()),
        meta_file=SimpleUploadedFile("imeta.csv", framework.read_bytes()),
        pipeline_file=SimpleUploadedFile("pipeline.yaml", PIPELINE.read_bytes()),
    )
    return True
