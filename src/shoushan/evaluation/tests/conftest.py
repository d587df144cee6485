import pytest
from django.utils import translation


@pytest.fixture
def english():
    """The engine's messages checked in English; the clerk's language is tested on the pages."""
    with translation.override("en"):
        yield
