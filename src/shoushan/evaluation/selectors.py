"""Reads of the evaluation: its data sets, for the people who build and read indices."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoushan.accounts.roles import CITY_ADMINISTRATORS, EVALUATORS, has_role, require_role
from shoushan.core.errors import NotFound
from shoushan.evaluation.models import Dataset

EVALUATORS_ONLY = gettext_lazy("Your role does not work with the evaluation index.")


def datasets_visible(viewer) -> QuerySet[Dataset]:
    """Every data set (the indices are published research): for city and district
    administrators and researchers."""
    require_role(viewer, EVALUATORS, EVALUATORS_ONLY)
    return Dataset.objects.select_related("created_by")


def dataset_get(viewer, pk: int) -> Dataset:
    dataset = datasets_visible(viewer).filter(pk=pk).first()
    if dataset is None:
        raise NotFound(_("There is no such data set."))
    return dataset


def dataset_editable_by(viewer, dataset: Dataset) -> bool:
    """Who changes a data set's framework or pipeline: the person who uploaded it, or the city
    administrator (data sets the platform built, such as the demo's, are the city's)."""
    owner = dataset.created_by_id is not None and dataset.created_by_id == getattr(
        viewer, "pk", None
    )
    return owner or has_role(viewer, CITY_ADMINISTRATORS)


def datasets_other(viewer, dataset: Dataset) -> QuerySet[Dataset]:
    require_role(viewer, EVALUATORS, EVALUATORS_ONLY)
    return Dataset.objects.exclude(pk=dataset.pk).only("pk", "name")


def dataset_of_year_before(dataset: Dataset) -> Dataset | None:
    """The latest data set of the year before, for the blue book's rank change."""
    if dataset.year is None:
        return None
    return Dataset.objects.filter(year=dataset.year - 1).order_by("-created_at", "-id").first()
