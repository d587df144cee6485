from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shoushan.core.errors import InvalidInput

MAX_PAGE_SIZE = 200


def page_of(queryset: QuerySet, *, page: int, page_size: int) -> tuple[list, int]:
    """One page of a query and the total count; a page past the end is empty, not an error."""
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            _("page starts at 1 and page_size is between 1 and %(max)s.") % {"max": MAX_PAGE_SIZE}
        )
    start = (page - 1) * page_size
    return list(queryset[start : start + page_size]), queryset.count()
