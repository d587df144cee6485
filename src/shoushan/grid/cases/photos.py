"""Photos of cases (intake and handling): checked to be real JPEG or PNG images of a sane size,
kept under MEDIA_ROOT, served only through the case page's scope check."""

from django.utils.translation import gettext as _

from shoushan.core.errors import InvalidInput
from shoushan.core.uploads import JPEG, PNG, upload_kind
from shoushan.grid.models import Case, CaseEvent, CasePhoto

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 6
PHOTO_KINDS = (JPEG, PNG)


def photos_check(files) -> None:
    if len(files) > MAX_PHOTOS:
        raise InvalidInput(_("At most %(n)s photos.") % {"n": MAX_PHOTOS})
    for upload in files:
        if upload_kind(upload, PHOTO_KINDS) is None:
            raise InvalidInput(
                _("“%(name)s” is not a JPEG or PNG photo.") % {"name": upload.name[:60]}
            )
        if upload.size > MAX_PHOTO_BYTES:
            raise InvalidInput(_("“%(name)s” is larger than 8 MB.") % {"name": upload.name[:60]})


def photos_attach(*, case: Case, event: CaseEvent | None, files) -> None:
    """Save checked photos with the case (call inside the transaction of the move)."""
    for upload in files:
        extension = upload_kind(upload, PHOTO_KINDS)
        upload.name = f"case-{case.pk}.{extension}"
        CasePhoto.objects.create(case=case, event=event, image=upload)
