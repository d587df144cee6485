"""Background work of the evaluation: the blue book as PDF (WeasyPrint takes seconds)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoushan.core.jobs import Progress, job_result_save, job_start, job_task
from shoushan.core.models import Job
from shoushan.evaluation import selectors
from shoushan.evaluation.blue_book import blue_book
from shoushan.evaluation.models import Dataset


@job_task
def blue_book_pdf_run(job: Job, progress: Progress) -> dict:
    dataset = Dataset.objects.get(pk=job.params["dataset"])
    progress(10, _("Building the index and its charts"))
    book = blue_book(dataset, selectors.dataset_of_year_before(dataset))
    progress(40, _("Setting the pages (this takes a little while)"))
    job_result_save(job, f"blue-book-{dataset.year or dataset.pk}.pdf", book.pdf())
    return {}


def blue_book_pdf_start(*, actor, dataset_id: int, back: str = "") -> Job:
    """Start making a data set's blue book as PDF, for someone who may read the data set."""
    dataset = selectors.dataset_get(actor, dataset_id)
    return job_start(
        actor=actor,
        runner=blue_book_pdf_run,
        kind="evaluation.blue_book_pdf",
        title=BLUE_BOOK_TITLE % {"name": dataset.name},
        params={"dataset": dataset.pk, "back": back},
    )


BLUE_BOOK_TITLE = gettext_lazy("Blue book (PDF) of %(name)s")
