"""Arrow batches in and out of the executors: the columns of Spark's rows as the arrays the core
takes (segmented arrays, unsigned keys, scored pairs), and back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from neardup.core.keys import signed
from neardup.core.verify import ScoredPairs

if TYPE_CHECKING:
    from pyspark.sql.types import StructType

#: Scored pairs between documents named by `pos`, with their ids, as Spark rows.
SCORED_SCHEMA = (
    "left long, right long, id_left string, id_right string, relation int, jaccard double, "
    "in_right double, in_left double, numbers boolean, chars boolean, facts boolean"
)


def names(schema: str) -> list[str]:
    """The column names of a schema written as Spark DDL ("a long, b string")."""
    return [column.split()[0] for column in schema.split(", ")]


def keys(values: Any) -> pa.Array:
    """64-bit keys as a column of Spark longs."""
    return pa.array(signed(values))


def list_column(values: np.ndarray, starts: np.ndarray) -> pa.Array:
    """A list<int64> column from a segmented array (row d: values[starts[d]:starts[d + 1]])."""
    return pa.ListArray.from_arrays(pa.array(starts, pa.int32()), keys(values))


def segments(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(uint64 values, starts) of a list<int64> column, as the kernel takes segmented arrays."""
    values = column.flatten().to_numpy(zero_copy_only=False).astype(np.int64).view(np.uint64)
    starts = np.zeros(len(column) + 1, dtype=np.int64)
    np.cumsum(column.value_lengths().fill_null(0).to_numpy(zero_copy_only=False), out=starts[1:])
    return values, starts


def column(batch: pa.RecordBatch, name: str, dtype: Any = np.int64) -> np.ndarray:
    return batch.column(name).to_numpy(zero_copy_only=False).astype(dtype)


def scored_columns(found: ScoredPairs) -> list[pa.Array]:
    """The relation, scores and flags of SCORED_SCHEMA."""
    return [
        pa.array(found.relation.astype(np.int32)),
        pa.array(found.jaccard),
        pa.array(found.containment_left_in_right),
        pa.array(found.containment_right_in_left),
        pa.array(found.differ_in_numbers),
        pa.array(found.by_characters),
        pa.array(found.differ_in_facts),
    ]


def scored_pairs(batch: pa.RecordBatch) -> ScoredPairs:
    """A batch of SCORED_SCHEMA rows as ScoredPairs: left i is document i, right i is n + i."""
    index = np.arange(batch.num_rows)
    return ScoredPairs(
        index,
        index + batch.num_rows,
        column(batch, "relation", np.uint8),
        column(batch, "jaccard", float),
        column(batch, "in_right", float),
        column(batch, "in_left", float),
        column(batch, "numbers", bool),
        column(batch, "chars", bool),
        column(batch, "facts", bool),
    )


def output_rows(positions: list[str], schema: pa.Schema) -> StructType:
    """The Spark schema of an output's rows (`results.pair_schema`, `cluster_schema`) after
    columns of document positions (longs) that keep them in order."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(pa.schema([*((p, pa.int64()) for p in positions), *schema]))
