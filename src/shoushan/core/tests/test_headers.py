"""The browser's defences on every answer."""

from django.test import Client


def test_pages_forbid_inline_script_and_name_no_server(beijing):
    response = Client().get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split(";")[1]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "geolocation=(self)" in response["Permissions-Policy"]
    assert response["Server"] == "-"
    assert response["X-Frame-Options"] == "DENY"


def test_no_template_carries_inline_script():
    """Inline script would be blocked by the policy: every script is a static file."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offending = []
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text):
            offending.append(str(template))
        if re.search(r"\son[a-z]+=\"|javascript:", text):
            offending.append(str(template))
    assert offending == []


def test_a_workbook_that_unpacks_to_hundreds_of_megabytes_is_refused_unopened():
    """A 300 MB cell squeezed into a few hundred kB grew a worker by 180 MB for seconds."""
    import io
    import zipfile

    import pytest

    from shoushan.core.errors import InvalidInput
    from shoushan.core.tables import table_read

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/sharedStrings.xml", "<t>" + "A" * 50_000_000 + "</t>")
    assert len(buffer.getvalue()) < 200_000
    with pytest.raises(InvalidInput, match="MB"):
        table_read("bomb.xlsx", buffer.getvalue(), max_rows=10)
