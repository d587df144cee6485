"""Photos of cases (intake and handling): checked to be real JPEG or PNG images of a sane size,
kept under MEDIA_ROOT, served only through the case page's scope check."""

from django.utils.translation import gettext as _

from shoushan.core.errors import InvalidInput
from shoushan.grid.models import Case, CaseEvent, CasePhoto

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 6
_SIGNATURES = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}


def photos_check(files) -> None:
    if len(files) > MAX_PHOTOS:
        raise InvalidInput(_("At most %(n)s photos.") % {"n": MAX_PHOTOS})
    for upload in files:
        head = upload.read(8)
        upload.seek(0)
        if not any(head.startswith(signature) for signature in _SIGNATURES):
            raise InvalidInput(
                _("“%(name)s” is not a JPEG or PNG photo.") % {"name": upload.name[:60]}
            )
        if upload.size > MAX_PHOTO_BYTES:
            raise InvalidInput(_("“%(name)s” is larger than 8 MB.") % {"name": upload.name[:60]})


def photos_attach(*, case: Case, event: CaseEvent | None, files) -> None:
    """Save checked photos with the case (call inside the transaction of the move)."""
    for upload in files:
        head = upload.read(8)
        upload.seek(0)
        extension = next(
            ext for signature, ext in _SIGNATURES.items() if head.startswith(signature)
        )
        upload.name = f"case-{case.pk}.{extension}"
        CasePhoto.objects.create(case=case, event=event, image=upload)
