"""Folders written by Hugging Face `Dataset.save_to_disk`, read with pyarrow alone.

Such a folder holds the dataset's rows as Arrow IPC streams (`data-00000-of-00002.arrow`, ...),
listed in order in its `state.json`, next to `dataset_info.json`. pyarrow reads them directly
(memory-mapped), so the command line needs no `datasets` package to read one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from neardup.errors import InputError
from neardup.io.read import Record, RecordReader, cannot_read, read_batches

if TYPE_CHECKING:
    import pyarrow as pa

STATE = "state.json"
INFO = "dataset_info.json"
#: What `DatasetDict.save_to_disk` writes, with a folder per split.
SPLITS = "dataset_dict.json"


def is_saved_dataset(path: Path) -> bool:
    """Whether the folder `path` was written by `Dataset.save_to_disk` (or a DatasetDict's)."""
    return ((path / STATE).is_file() and (path / INFO).is_file()) or (path / SPLITS).is_file()


def read_saved_dataset(path: Path, reader: RecordReader) -> Iterator[Record]:
    """The rows of a saved Dataset in its order, each named by its Arrow file and row."""
    for shard in data_files(path):
        with open_stream(shard) as stream:
            yield from read_batches(shard, stream.schema.names, stream, reader)


def data_files(path: Path) -> list[Path]:
    """The Arrow files of a saved Dataset, in the order its state.json lists them; a
    DatasetDict's folder, a state.json that cannot be read and a listed file that is not there
    are errors (every engine reads a folder through this)."""
    if (path / SPLITS).is_file():
        raise _splits_error(path)
    state = path / STATE
    try:
        files = [
            path / entry["filename"] for entry in json.loads(state.read_bytes())["_data_files"]
        ]
    except OSError as error:
        raise cannot_read(state, error) from None
    except (ValueError, KeyError, TypeError):
        raise InputError(
            f"{state}: not a Hugging Face dataset's state (no list of data files)"
        ) from None
    for shard in files:
        if not shard.is_file():
            raise InputError(f"{shard}: no such file (listed in {state})")
    return files


@contextmanager
def open_stream(path: Path) -> Iterator[pa.ipc.RecordBatchStreamReader]:
    """One Arrow file of a saved Dataset, memory-mapped (the texts are not copied until a batch
    is read), as a stream of record batches; a file that is not one is an error naming it."""
    import pyarrow as pa

    try:
        source = pa.memory_map(str(path))
    except OSError as error:
        raise cannot_read(path, error) from None
    with source:
        try:
            stream = pa.ipc.open_stream(source)
        except pa.ArrowException as error:
            message = str(error).strip()
            raise InputError(f"{path}: not a readable Arrow stream ({message})") from None
        yield stream


def _splits_error(path: Path) -> InputError:
    """The error for a DatasetDict's folder: which split folders to pass instead."""
    try:
        splits = [str(s) for s in json.loads((path / SPLITS).read_bytes())["splits"]]
    except (OSError, ValueError, KeyError, TypeError):
        splits = []
    named = " ".join(str(path / split) for split in splits) or f"{path}/<split>"
    return InputError(
        f"{path}: a DatasetDict saved with its splits in folders; pass the split folders to "
        f"read, such as {named}"
    )
