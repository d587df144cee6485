import pytest

from shoushan.regions.codes import (
    ancestor_codes,
    contains,
    is_region_code,
    pad_code,
    significant_prefix,
)


@pytest.mark.parametrize(
    ("code", "prefix"),
    [
        ("110000000000", "11"),
        ("110100000000", "1101"),
        ("110105000000", "110105"),
        ("110105001000", "110105001"),
        ("110105001001", "110105001001"),
        ("110105001001003", "110105001001003"),  # a unit grid keeps its three digits
    ],
)
def test_significant_prefix_drops_trailing_zero_segments(code, prefix):
    assert significant_prefix(code) == prefix


def test_scope_containment_is_a_prefix_test():
    assert contains("110105000000", "110105001001")
    assert contains("110105001001", "110105001001")
    assert not contains("110105001000", "110105002001")
    assert not contains("110105000000", "110106000000")


def test_ancestors_run_from_the_province_down():
    assert ancestor_codes("110105001001") == [
        "110000000000",
        "110100000000",
        "110105000000",
        "110105001000",
    ]
    assert ancestor_codes("110000000000") == []


def test_truncated_official_codes_are_padded_and_others_refused():
    assert pad_code("110105001") == "110105001000"
    assert pad_code("11") == "110000000000"
    with pytest.raises(ValueError):
        pad_code("1101050")
    assert is_region_code("110105001001")
    assert not is_region_code("11010500100")
    assert not is_region_code("00010500100A")
