import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from neardup.core.furniture import recurring_lines
from neardup.io.prescan import parallel_recurring_lines
from neardup.io.read import RecordReader


def _corpus(rng: random.Random) -> list[str]:
    furniture = ["Follow us on Facebook", "Sign in to read more", "Photo: Reuters"]
    texts = []
    for n in range(300):
        lines = [f"Story {n} begins with words {rng.random()} and more words here."]
        lines += rng.sample(furniture, rng.randrange(4))
        lines.append(f"It ends with line {rng.randrange(30)}.")  # recurs in about 10 texts
        texts.append("\n".join(lines))
    # One story copied 40 times: its own lines count once, so they are not furniture.
    copied = "A syndicated story\nwith a short line of its own\nand a last line."
    for _ in range(40):
        texts.insert(rng.randrange(len(texts)), copied)
    return texts


@pytest.mark.parametrize("workers", [2, 3])
def test_the_parallel_pre_pass_finds_what_the_serial_one_does(tmp_path: Path, workers: int) -> None:
    texts = _corpus(random.Random(workers))
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps({"id": n, "text": t}) + "\n" for n, t in enumerate(texts)))
    expected = recurring_lines(texts, min_docs=20)
    assert len(expected) == 3
    found = parallel_recurring_lines(
        [path, path], RecordReader("id", "text"), min_docs=20, workers=workers, min_bytes=0
    )
    # The file twice: every text is a copy of one already counted, so nothing changes.
    assert found == expected


def test_the_workers_find_what_one_process_finds(tmp_path: Path) -> None:
    texts = _corpus(random.Random(5))
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps({"id": n, "text": t}) + "\n" for n, t in enumerate(texts)))
    reader = RecordReader("id", "text")
    found = parallel_recurring_lines([path], reader, min_docs=20, workers=2, min_bytes=0)
    assert found == recurring_lines(texts, min_docs=20)
    # Below the size where workers pay for themselves, the pre-pass steps aside.
    assert parallel_recurring_lines([path], reader, min_docs=20) is None


def test_the_parallel_pre_pass_steps_aside_where_it_does_not_apply(tmp_path: Path) -> None:
    reader = RecordReader("id", "text")
    good = tmp_path / "a.jsonl"
    good.write_text('{"id": 1, "text": "x"}\n' * 50)
    bad = tmp_path / "b.jsonl"
    bad.write_text('{"id": 1, "text": "x"}\n{"id": 2, "text": \n')
    csv = tmp_path / "c.csv"
    csv.write_text("id,text\n1,x\n")
    run = dict(min_docs=2, workers=2, min_bytes=0)
    assert parallel_recurring_lines([good], reader, **run) == set()  # "x" is one text
    assert parallel_recurring_lines([bad], reader, **run) is None  # the serial pass names the error
    assert parallel_recurring_lines([good, csv], reader, **run) is None
    assert parallel_recurring_lines([good], reader, min_docs=2, workers=1, min_bytes=0) is None
    assert parallel_recurring_lines([good], reader, min_docs=2, workers=2) is None  # too small


def test_workers_leave_when_their_parent_is_killed(tmp_path: Path) -> None:
    # The worker's input is a pipe nobody writes to: it waits until its parent is gone.
    never = tmp_path / "never.jsonl"
    os.mkfifo(never)
    script = tmp_path / "parent.py"
    script.write_text(
        "import os\n"
        "from neardup.io.prescan import start_worker\n"
        f"worker = start_worker({str(never)!r}, 0, 100, 'id', 'text')\n"
        "print(worker.pid, flush=True)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    parent = subprocess.run([sys.executable, script], capture_output=True, text=True, timeout=60)
    worker = int(parent.stdout.split()[0])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(worker):
        time.sleep(0.2)
    assert not _alive(worker)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
