"""Treat (异常值处理): tame outliers so that one extreme unit does not decide a whole indicator.

COINr's default, reproduced here: an indicator passes when |skew| < 2 OR kurtosis < 3.5 (so it
fails only when both are high). A failing indicator is winsorised, one extreme value (or tied
group of values) at a time, on the side its current skew points to, until it passes or at least
`winmax` points sit at the winsorised value. If it still fails, the winsorisation is discarded and
the *original* values get the "COIN Tool" log transform instead.
"""

from dataclasses import dataclass

import numpy as np

from shoushan.evaluation.engine.data import EngineError, Table


def skewness(x: np.ndarray) -> float:
    """Sample skewness as e1071's type 2 (Excel's SKEW), NaNs ignored."""
    x = x[~np.isnan(x)]
    n = len(x)
    if n < 3:
        raise EngineError("skewness needs at least 3 values")
    d = x - x.mean()
    y = np.sqrt(n) * np.sum(d**3) / np.sum(d**2) ** 1.5
    return float(y * np.sqrt(n * (n - 1)) / (n - 2))


def kurtosis(x: np.ndarray) -> float:
    """Sample excess kurtosis as e1071's type 2 (Excel's KURT), NaNs ignored."""
    x = x[~np.isnan(x)]
    n = len(x)
    if n < 4:
        raise EngineError("kurtosis needs at least 4 values")
    d = x - x.mean()
    r = n * np.sum(d**4) / np.sum(d**2) ** 2
    return float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))


@dataclass(frozen=True)
class SkewKurtCheck:
    passed: bool
    skew: float
    kurt: float


def skew_kurt_check(
    x: np.ndarray, skew_thresh: float = 2, kurt_thresh: float = 3.5
) -> SkewKurtCheck:
    """COINr `check_SkewKurt`."""
    skew, kurt = skewness(x), kurtosis(x)
    return SkewKurtCheck(abs(skew) < skew_thresh or kurt < kurt_thresh, skew, kurt)


def winsorise(
    x: np.ndarray, winmax: int = 5, skew_thresh: float = 2, kurt_thresh: float = 3.5
) -> tuple[np.ndarray, int]:
    """COINr `winsorise`: returns the treated vector and COINr's `nwin`.

    Each round replaces the maximum (positive skew) or minimum (negative skew) by the next value
    in. The winsorised points then tie with that value, so the next round moves them all again.
    `nwin` is therefore the size of the last tied group moved at the top plus at the bottom, not a
    running count — COINr's own definition, kept so that the stopping rule matches."""
    x = np.array(x, dtype=float)
    high: np.ndarray = np.array([], dtype=int)
    low: np.ndarray = np.array([], dtype=int)
    nwin = 0
    passed = skew_kurt_check(x, skew_thresh, kurt_thresh).passed
    while not passed and nwin < winmax:
        if skewness(x) >= 0:
            high = np.flatnonzero(x == np.nanmax(x))
            x[high] = np.nanmax(np.delete(x, high))
        else:
            low = np.flatnonzero(x == np.nanmin(x))
            x[low] = np.nanmin(np.delete(x, low))
        nwin = len(high) + len(low)
        passed = skew_kurt_check(x, skew_thresh, kurt_thresh).passed
    return x, nwin


def log_ct(x: np.ndarray) -> np.ndarray:
    """COINr `log_CT`: log(x - min + 0.01 (max - min)); the offset keeps the minimum finite."""
    lo, hi = np.nanmin(x), np.nanmax(x)
    return np.log(x - lo + 0.01 * (hi - lo))


@dataclass(frozen=True)
class TreatmentDetail:
    """One indicator's row of COINr's `Dets_Table`: check 0 on the input, check 1 after
    winsorising, check 2 after the log transform (None where that stage did not run)."""

    code: str
    check0: SkewKurtCheck
    nwin: int | None = None
    check1: SkewKurtCheck | None = None
    log_transformed: bool = False
    check2: SkewKurtCheck | None = None


def treat_column(
    code: str, x: np.ndarray, winmax: int, skew_thresh: float, kurt_thresh: float
) -> tuple[np.ndarray, TreatmentDetail]:
    check0 = skew_kurt_check(x, skew_thresh, kurt_thresh)
    if check0.passed:
        return x, TreatmentDetail(code, check0)
    winsorised, nwin = winsorise(x, winmax, skew_thresh, kurt_thresh)
    check1 = skew_kurt_check(winsorised, skew_thresh, kurt_thresh)
    if check1.passed:
        return winsorised, TreatmentDetail(code, check0, nwin, check1)
    logged = log_ct(x)
    check2 = skew_kurt_check(logged, skew_thresh, kurt_thresh)
    return logged, TreatmentDetail(code, check0, nwin, check1, True, check2)


def treat(
    table: Table, winmax: int = 5, skew_thresh: float = 2, kurt_thresh: float = 3.5
) -> tuple[Table, tuple[TreatmentDetail, ...]]:
    """COINr `Treat` with its default specification, applied to every column."""
    columns, details = [], []
    for code, x in zip(table.codes, table.values.T, strict=True):
        treated, detail = treat_column(code, x, winmax, skew_thresh, kurt_thresh)
        columns.append(treated)
        details.append(detail)
    return table.with_values(np.column_stack(columns)), tuple(details)
