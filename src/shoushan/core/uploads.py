"""What kind of file an upload is, from its first bytes (its name and declared type are the
sender's word): photos, evidence scans and seals are each checked against the kinds they allow."""

JPEG = (b"\xff\xd8\xff", "jpg")
PNG = (b"\x89PNG\r\n\x1a\n", "png")
PDF = (b"%PDF-", "pdf")


def upload_kind(upload, kinds) -> str | None:
    """The extension of the first of `kinds` ((signature, extension) pairs) the upload starts
    with, or None; the upload is left at its start."""
    head = upload.read(8)
    upload.seek(0)
    return next((extension for signature, extension in kinds if head.startswith(signature)), None)
