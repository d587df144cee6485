import pytest
from django.core.exceptions import ImproperlyConfigured

from shoushan.config.env import env_bool, env_int, env_list, env_str


def test_unset_or_empty_variables_take_their_default(monkeypatch):
    monkeypatch.setenv("SHOUSHAN_X", "")
    assert env_str("SHOUSHAN_X", "d") == "d"
    assert env_bool("SHOUSHAN_X", True) is True
    assert env_int("SHOUSHAN_UNSET_FOR_TEST", 30) == 30
    assert env_list("SHOUSHAN_X", ["a"]) == ["a"]


def test_values_are_typed_and_bad_ones_refused(monkeypatch):
    monkeypatch.setenv("SHOUSHAN_X", " yes ")
    assert env_bool("SHOUSHAN_X", False) is True
    monkeypatch.setenv("SHOUSHAN_X", "a.example, b.example,")
    assert env_list("SHOUSHAN_X", []) == ["a.example", "b.example"]
    monkeypatch.setenv("SHOUSHAN_X", "thirty")
    with pytest.raises(ImproperlyConfigured, match="integer"):
        env_int("SHOUSHAN_X", 30)
    with pytest.raises(ImproperlyConfigured, match="true or false"):
        env_bool("SHOUSHAN_X", False)
