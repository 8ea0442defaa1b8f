"""The page-furniture pre-pass over large JSONL files, on every core.

`furniture.recurring_lines` reads the corpus once in one process before it is sketched; for
JSONL files that pass is pure Python and takes a core for as long as reading does. Here each
worker process reads a byte range of a file (whole lines) and lists the (text key, line key)
pairs of its texts (`furniture.line_pairs`); merged, they are counted by the same functions as
in one process. Anything unusual (a malformed line, a missing field) sends
the caller back to the one-process pass, which names the error.

A worker is `python -m neardup.io.prescan PARENT FILE START STOP ID_FIELD TEXT_FIELD`, which
writes its pairs to stdout as raw uint64 values: it imports what it uses and no more
(multiprocessing's spawn would import the parent's main module, the CLI and what it loads, in
each worker).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from neardup.core.furniture import frequent_lines, line_pairs, texts_per_line
from neardup.errors import InputError
from neardup.io.read import RecordReader, parse_json_line

#: Below this many bytes of input, starting worker processes costs more than it saves.
MIN_BYTES = 32_000_000
_PLAIN_JSONL = (".jsonl", ".ndjson")


def parallel_recurring_lines(
    paths: Sequence[str | Path],
    reader: RecordReader,
    *,
    min_docs: int,
    workers: int | None = None,
    min_bytes: int = MIN_BYTES,
) -> set[int] | None:
    """What `recurring_lines` finds in the texts of these files, or None where this pre-pass does
    not apply (not all plain JSONL files, too small, one core, or a record it cannot read).
    """
    files = [Path(p) for p in paths]
    workers = workers or os.cpu_count() or 1
    # Pages in an html field are extracted by the main read (on every core too).
    if workers < 2 or reader.html_field is not None or not all(_plain_jsonl(f) for f in files):
        return None
    sizes = [f.stat().st_size for f in files]
    if sum(sizes) < min_bytes:
        return None
    ranges = [
        (str(f), size * k // workers, size * (k + 1) // workers)
        for f, size in zip(files, sizes, strict=True)
        for k in range(workers)
    ]
    fields = (reader.id_field, reader.text_field)
    running = [start_worker(*part, *fields) for part in ranges]
    try:
        found = [_pairs_from(worker) for worker in running]
    finally:  # an interrupted parent leaves no worker behind
        for worker in running:
            worker.kill()
    if any(pairs is None for pairs in found):
        return None
    pairs = np.concatenate([np.empty((0, 2), np.uint64), *found])
    return frequent_lines(*texts_per_line(pairs), min_docs=min_docs)


#: A worker's exit status when a record of its range cannot be read.
_UNREADABLE = 3


def start_worker(
    path: str, start: int, stop: int, id_field: str, text_field: str
) -> subprocess.Popen[bytes]:
    """A worker process listing the (text key, line key) pairs of a byte range of a file."""
    # The package where this one was imported from, whatever the parent's sys.path was.
    search = [str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")]
    # One process per core already: each worker's native core runs on its own thread only.
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in search if p),
        "RAYON_NUM_THREADS": "1",
    }
    command = [
        sys.executable,
        "-m",
        "neardup.io.prescan",
        str(os.getpid()),
        path,
        str(start),
        str(stop),
        id_field,
        text_field,
    ]
    # Whatever stops a worker, the one-process pass that follows names it: nothing to show here.
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)


def _pairs_from(worker: subprocess.Popen[bytes]) -> np.ndarray | None:
    """A worker's pairs, or None where it could not read its range (or failed)."""
    output, _ = worker.communicate()
    if worker.returncode != 0:
        return None
    return np.frombuffer(output, dtype=np.uint64).reshape(-1, 2)


def _exit_with(parent: int) -> None:
    """Make a worker leave when its parent is gone (killed, say): nobody would read its pairs.

    The parent's pid comes from the parent: by the time the worker asks, it may be gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _plain_jsonl(path: Path) -> bool:
    return path.is_file() and path.name.lower().endswith(_PLAIN_JSONL)


def _line_pairs(
    path: str, start: int, stop: int, id_field: str, text_field: str
) -> np.ndarray | None:
    """The (text key, line key) pairs of the texts of the lines starting in [start, stop), or
    None if a record there cannot be read."""
    reader = RecordReader(id_field, text_field)

    def texts() -> Iterator[str]:
        for raw in _lines_starting_in(path, start, stop):
            if raw.strip():
                fields, clean = parse_json_line(raw, path)
                yield reader.make(fields, path, clean=clean).text

    try:
        return line_pairs(texts())
    except InputError:
        return None


def _lines_starting_in(path: str, start: int, stop: int) -> Iterator[bytes]:
    """The lines of the file that start at a byte offset in [start, stop)."""
    with open(path, "rb") as handle:
        if start > 0:
            handle.seek(start - 1)
            handle.readline()  # the line that holds byte start - 1 belongs to the range before
        while handle.tell() < stop:
            line = handle.readline()
            if not line:
                return
            yield line


def _worker_main(arguments: list[str]) -> int:
    parent, path, start, stop, id_field, text_field = arguments
    _exit_with(int(parent))
    pairs = _line_pairs(path, int(start), int(stop), id_field, text_field)
    if pairs is None:
        return _UNREADABLE
    sys.stdout.buffer.write(np.ascontiguousarray(pairs).tobytes())
    return 0


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))
