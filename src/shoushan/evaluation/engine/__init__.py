"""Composite-indicator engine (综合指数引擎): pure numpy, no Django.

It follows the R package COINr 1.1.14 number for number, so that an index built here can be
checked against COINr's published example. Each step takes a `Table` and returns a new one.
"""

from shoushan.evaluation.engine.data import (
    CompositeData,
    EngineError,
    Framework,
    InputError,
    Node,
    Table,
    composite_data_read,
)

__all__ = [
    "CompositeData",
    "EngineError",
    "Framework",
    "InputError",
    "Node",
    "Table",
    "composite_data_read",
]
