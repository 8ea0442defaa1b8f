"""In-memory tables: pyarrow Tables, pandas DataFrames, Hugging Face Datasets, polars DataFrames.

A Dataset or a polars DataFrame is read through its Arrow data, as a pyarrow Table is: rows are
made from Arrow record batches, never by the library's own (much slower) row formatting. The
kept records go back in the input's own container type.

The libraries are never imported here unless the caller already has: an object of a library that
was never imported cannot be one of its types. So neither is needed to read anything else.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from neardup.errors import InputError

if TYPE_CHECKING:  # numpy only where records are kept: `neardup --help` reads this module
    import numpy as np

#: Rows a Hugging Face Dataset gives at a time: one Arrow slice (taken through the Dataset's
#: indices when it was selected or shuffled), so a large one is never copied whole.
DATASET_BATCH_ROWS = 2048


def _is(records: Any, module: str, name: str) -> bool:
    """Whether `records` is an instance of `module.name`, if that module was imported at all."""
    kind = getattr(sys.modules.get(module), name, None)
    return isinstance(kind, type) and isinstance(records, kind)


def collected(frame: Any) -> Any:
    """A polars LazyFrame computed; a plan that fails (a column it names is missing, a type it
    cannot cast) is a user error, said in one line."""
    import polars as pl  # imported by the caller already: `frame` is a LazyFrame

    try:
        return frame.collect()
    except pl.exceptions.PolarsError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise InputError(f"the polars LazyFrame could not be computed: {first}") from None


def arrow_batches(records: Any) -> Iterator[Any] | None:
    """The Arrow record batches of a pyarrow Table, a Hugging Face Dataset or a polars
    (Lazy)Frame, in row order; None for other records."""
    if hasattr(records, "to_batches"):  # pyarrow.Table
        return iter(records.to_batches())
    if _is(records, "datasets", "Dataset"):
        tables = records.with_format("arrow").iter(batch_size=DATASET_BATCH_ROWS)
        return (batch for table in tables for batch in table.to_batches())
    if _is(records, "polars", "LazyFrame"):
        records = collected(records)
    if _is(records, "polars", "DataFrame"):
        return iter(records.to_arrow().to_batches())  # zero-copy but for a few column types
    return None


def reiterable(records: Any) -> Any:
    """The records as a container that can be read more than once (a run reads them up to three
    times): tables as they are, a polars LazyFrame collected once (rather than computed on each
    read), any other iterable listed. A DatasetDict is an error naming its splits."""
    if _is(records, "datasets", "DatasetDict"):
        splits = ", ".join(map(repr, records))
        raise InputError(
            f"a DatasetDict holds splits ({splits}), not records: pass one, such as "
            f"dataset[{next(iter(records), 'train')!r}]"
        )
    if _is(records, "polars", "LazyFrame"):
        return collected(records)
    if (
        isinstance(records, Sequence)
        or hasattr(records, "to_batches")  # pyarrow.Table
        or hasattr(records, "columns")  # pandas or polars DataFrame
        or _is(records, "datasets", "Dataset")
    ):
        return records
    return list(records)


def kept_records(records: Any, keep: np.ndarray, cluster_id: np.ndarray | None) -> Any:
    """The records where `keep` is true, in input order and the input's container type; with a
    `cluster_id` column (null outside clusters, where `cluster_id` is negative) when given one.

    `records` is what :func:`reiterable` returned.
    """
    ids = None if cluster_id is None else cluster_id[keep]
    if hasattr(records, "to_batches"):
        return _kept_arrow(records, keep, ids)
    if _is(records, "datasets", "Dataset"):
        return _kept_dataset(records, keep, ids)
    if _is(records, "polars", "DataFrame"):
        return _kept_polars(records, keep, ids)
    if hasattr(records, "columns") and hasattr(records, "loc"):
        return _kept_pandas(records, keep, ids)
    if ids is None:
        return [row for row, k in zip(records, keep, strict=True) if k]
    clusters = iter(_nullable(ids))
    return [
        {**row, "cluster_id": next(clusters)} for row, k in zip(records, keep, strict=True) if k
    ]


def _nullable(ids: np.ndarray) -> list[int | None]:
    """Cluster ids as Python values, None outside a cluster."""
    return [None if c < 0 else int(c) for c in ids.tolist()]


def _kept_arrow(table: Any, keep: np.ndarray, ids: np.ndarray | None) -> Any:
    import pyarrow as pa

    kept = table.filter(pa.array(keep))
    return kept if ids is None else _with_cluster_ids(kept, ids)


def _with_cluster_ids(table: Any, ids: np.ndarray) -> Any:
    import pyarrow as pa

    return table.append_column("cluster_id", pa.array(ids, pa.int64(), mask=ids < 0))


def _kept_pandas(frame: Any, keep: np.ndarray, ids: np.ndarray | None) -> Any:
    import pandas as pd

    kept = frame.loc[keep]
    if ids is None:
        return kept
    return kept.assign(cluster_id=pd.array(_nullable(ids), dtype="Int64"))


def _kept_polars(frame: Any, keep: np.ndarray, ids: np.ndarray | None) -> Any:
    import polars as pl

    kept = frame.filter(pl.Series(keep))
    if ids is None:
        return kept
    return kept.with_columns(pl.Series("cluster_id", _nullable(ids), dtype=pl.Int64))


def _kept_dataset(dataset: Any, keep: np.ndarray, ids: np.ndarray | None) -> Any:
    """The kept rows of a Dataset: the same features, `cluster_id` an int64 Value.

    Nothing is written to disk: `select` would otherwise write its indices into the cache folder
    of a Dataset loaded from disk (the user's own folder), and `add_column` rewrites the rows.
    """
    rows = keep.nonzero()[0]
    if ids is None:
        return dataset.select(rows, keep_in_memory=True)
    from datasets import Dataset, Value

    table = dataset.with_format("arrow")[rows]  # the kept rows, taken in Arrow
    info = dataset.info.copy()
    info.features["cluster_id"] = Value("int64")
    kept = Dataset(_with_cluster_ids(table, ids), info=info, split=dataset.split)
    return _formatted_as(kept, dataset)


def _formatted_as(kept: Any, dataset: Any) -> Any:
    """`kept` in the format `dataset` has (as `select` keeps it): its type, and the columns it
    shows if it chose some (all of them, `cluster_id` too, if not)."""
    shown = dataset.format
    columns = None if shown["columns"] == dataset.column_names else shown["columns"]
    return kept.with_format(
        shown["type"],
        columns=columns,
        output_all_columns=shown["output_all_columns"],
        **shown["format_kwargs"],
    )
