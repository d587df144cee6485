from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shoushan.core.errors import InvalidInput
from shoushan.evaluation.blue_book import blue_book_for_year


class Command(BaseCommand):
    help = (
        "Write the year's blue book (蓝皮书) in Chinese as HTML and PDF: methodology, framework, "
        "rankings with their change from the year before, pillar tables, the map, charts and a "
        "profile of every unit. Uses the newest data set of that year."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="The year of the data.")
        parser.add_argument(
            "--out-dir", default=".", help="Where to write blue-book-YEAR.html and .pdf."
        )

    def handle(self, *args, year: int, out_dir: str, **options):
        folder = Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            book = blue_book_for_year(year)
            pdf = book.pdf()
        except InvalidInput as e:
            raise CommandError(e.message) from None
        html_path, pdf_path = folder / f"blue-book-{year}.html", folder / f"blue-book-{year}.pdf"
        html_path.write_text(book.html, encoding="utf-8")
        pdf_path.write_bytes(pdf)
        self.stdout.write(f"{book.dataset.name}: {html_path} and {pdf_path} ({len(pdf):,} bytes)")
