"""Every input kind, and a one-line error naming the place for each kind of bad input."""

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from neardup.errors import InputError
from neardup.io.read import RecordReader, read_paths, read_paths_at, read_records

RECORDS = [{"id": "a", "text": "first text", "extra": 1}, {"id": "b", "text": "second", "extra": 2}]


def _read(*paths: Path, **fields: str) -> tuple[list, RecordReader]:
    reader = RecordReader(fields.get("id_field", "id"), fields.get("text_field", "text"))
    return list(read_paths(list(paths), reader)), reader


def _write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_all_formats_give_the_same_records(tmp_path: Path) -> None:
    jsonl = _write_jsonl(tmp_path / "d.jsonl", RECORDS)
    gz = tmp_path / "d.jsonl.gz"
    gz.write_bytes(gzip.compress(jsonl.read_bytes()))
    parquet = tmp_path / "d.parquet"
    pq.write_table(pa.Table.from_pylist(RECORDS), parquet)
    csv = tmp_path / "d.csv"
    csv.write_text("id,text,extra\na,first text,1\nb,second,2\n")
    for path in (jsonl, gz, parquet, csv):
        records, reader = _read(path)
        assert [(r.id, r.text) for r in records] == [("a", "first text"), ("b", "second")]
        assert reader.stats.documents == 2
    parquet_records, _ = _read(parquet)
    assert parquet_records[0].fields == RECORDS[0]  # the record itself, unchanged


def test_txt_folder_ids_are_relative_paths_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("bee")
    (tmp_path / "a.txt").write_text("\ufeffay")
    (tmp_path / "notes.md").write_text("not a document")
    records, _ = _read(tmp_path)
    assert [(r.id, r.text) for r in records] == [("a.txt", "ay"), ("sub/b.txt", "bee")]


def test_custom_fields(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "d.jsonl", [{"doc": 7, "body": "x"}])
    records, _ = _read(path, id_field="doc", text_field="body")
    assert (records[0].id, records[0].text) == ("7", "x")


def test_invalid_utf8_is_replaced_and_counted(tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_bytes(b"caf\xe9 au lait")
    (tmp_path / "good.txt").write_bytes("café".encode())
    jsonl = tmp_path / "d.jsonl"
    jsonl.write_bytes(b'{"id": "j", "text": "na\xefve"}\n')
    records, reader = _read(tmp_path / "bad.txt", tmp_path / "good.txt", jsonl)
    assert records[0].text == "caf\ufffd au lait"
    assert records[2].text == "na\ufffdve"
    assert reader.stats.invalid_utf8 == 2


def test_lone_surrogate_escapes_in_valid_utf8_json_are_repaired(tmp_path: Path) -> None:
    jsonl = tmp_path / "d.jsonl"
    jsonl.write_bytes(b'{"id": "x\\uDC80", "text": "a\\ud800b", "note": "c\\udfffd"}\n')
    records, reader = _read(jsonl)
    assert (records[0].id, records[0].text) == ("x\ufffd", "a\ufffdb")
    assert records[0].fields["note"] == "c\ufffdd"
    assert reader.stats.invalid_utf8 == 1


def test_json_lines_the_fast_parser_refuses_are_read_as_the_json_module_reads_them(
    tmp_path: Path,
) -> None:
    lines = [
        b'\xef\xbb\xbf{"id": "bom", "text": "a BOM before the first line"}',
        b'{"id": "nan", "text": "not a number below", "score": NaN}',
        b'{"id": "big", "text": "a huge integer", "n": 123456789012345678901234567890}',
        b'{"id": "pair", "text": "an escaped pair \\ud83d\\ude00 is one character"}',
    ]
    jsonl = tmp_path / "d.jsonl"
    jsonl.write_bytes(b"\n".join(lines) + b"\n")
    records, reader = _read(jsonl)
    assert [r.id for r in records] == ["bom", "nan", "big", "pair"]
    assert records[1].fields["score"] != records[1].fields["score"]  # NaN
    assert records[2].fields["n"] == 123456789012345678901234567890
    assert records[3].text == "an escaped pair \U0001f600 is one character"
    assert reader.stats.invalid_utf8 == 0


def test_null_text_is_an_empty_document(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "d.jsonl", [{"id": "a", "text": None}])
    assert _read(path)[0][0].text == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "a", "text": "x"}\n{"id": "b", "text": \n', r"d\.jsonl:2: malformed JSON"),
        ('{"id": "a", "txt": "x"}\n', r"d\.jsonl:1: no text field 'text'"),
        ('{"text": "x"}\n', r"d\.jsonl:1: no id field 'id'"),
        ('{"id": "a", "text": 5}\n', r"d\.jsonl:1: text field 'text' is a int"),
        ('{"id": "a", "text": 1.5}\n', r"d\.jsonl:1: text field 'text' is a float"),
        ('["id", "text"]\n', r"d\.jsonl:1: expected an object"),
    ],
)
def test_bad_jsonl_names_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        _read(path)


def test_bad_files(tmp_path: Path) -> None:
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputError, match=r"bad\.parquet: not a readable Parquet file"):
        _read(tmp_path / "bad.parquet")
    (tmp_path / "d.csv").write_text("name,body\nx,y\n")
    with pytest.raises(InputError, match=r"d\.csv: no column 'id' \(columns: name, body\)"):
        _read(tmp_path / "d.csv")
    with pytest.raises(InputError, match="no such file"):
        _read(tmp_path / "missing.jsonl")
    (tmp_path / "x.xml").write_text("<a/>")
    with pytest.raises(InputError, match="unknown input kind"):
        _read(tmp_path / "x.xml")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"holds no \.txt files"):
        _read(tmp_path / "empty")
    (tmp_path / "cut.jsonl.gz").write_bytes(gzip.compress(b'{"id": "a", "text": "x"}\n' * 50)[:30])
    with pytest.raises(InputError, match=r"cut\.jsonl\.gz: cannot be read"):
        _read(tmp_path / "cut.jsonl.gz")


def test_in_memory_tables() -> None:
    import pandas as pd

    reader = RecordReader("id", "text")
    for source in (RECORDS, pa.Table.from_pylist(RECORDS), pd.DataFrame(RECORDS)):
        assert [r.id for r in read_records(source, reader)] == ["a", "b"]


def test_records_at_positions_across_files(tmp_path: Path) -> None:
    rows = [{"id": f"j{n}", "text": f"jsonl text {n}"} for n in range(5)]
    first = tmp_path / "a.jsonl"
    # Blank lines are no records; a broken line the pass does not want is not even parsed.
    first.write_text(
        json.dumps(rows[0]) + "\n\n" + json.dumps(rows[1]) + "\n{broken\n" + json.dumps(rows[2])
    )
    second = tmp_path / "b.csv"
    second.write_text("id,text\nc0,csv text 0\nc1,csv text 1\n")
    third = _write_jsonl(tmp_path / "c.jsonl", rows[3:])
    paths = [first, second, third]
    found = read_paths_at(paths, RecordReader("id", "text"), {0, 3, 4, 6})
    assert [(p, r.id, r.where) for p, r in found] == [
        (0, "j0", f"{first}:1"),
        (3, "j2", f"{first}:5"),
        (4, "c0", f"{second}:2"),
        (6, "j3", f"{third}:1"),
    ]
    with pytest.raises(InputError, match=r"a\.jsonl:4: malformed JSON"):
        list(read_paths_at(paths, RecordReader("id", "text"), {2}))
    assert list(read_paths_at(paths, RecordReader("id", "text"), set())) == []
    # Nothing after the last position is read: the missing file after it is never opened.
    beyond = [first, tmp_path / "missing.jsonl"]
    assert [p for p, _ in read_paths_at(beyond, RecordReader("id", "text"), {1})] == [1]
