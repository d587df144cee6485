"""Denominate (按分母折算): divide an indicator by a size variable (population, GDP, area…) so
that large and small units can be compared. COINr takes the denominator of each indicator from
the iMeta Denominator column; indicators without one pass through unchanged."""

from collections.abc import Mapping

import numpy as np

from shoushan.evaluation.engine.data import Table


def denominate(table: Table, denominators: Table, by: Mapping[str, str | None]) -> Table:
    """`by` maps an indicator code to the code of its denominator (or None)."""
    values = np.array(table.values)
    for j, code in enumerate(table.codes):
        denominator = by.get(code)
        if denominator:
            values[:, j] = values[:, j] / denominators.column(denominator)
    return table.with_values(values)
