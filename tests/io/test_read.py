"""Every input kind, and a one-line error naming the place for each kind of bad input."""

import gzip
import json
import os
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
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "z.txt").write_text("zed")
    (tmp_path / "notes.md").write_text("not a document")
    records, reader = _read(tmp_path)
    assert [(r.id, r.text) for r in records] == [
        ("a/z.txt", "zed"),
        ("a.txt", "ay"),
        ("sub/b.txt", "bee"),
    ]
    assert reader.stats.skipped == [
        f"skipped 1 file in {tmp_path}/ that does not match *.txt: notes.md "
        "(use --glob to read them)"
    ]


def test_folder_extensions_in_any_case_and_every_file_not_read_is_named(tmp_path: Path) -> None:
    for name in ("a.txt", "B.TXT", "c.Txt", "d.md", "e.html", "f", "g.md", "h.md", "i.md"):
        (tmp_path / name).write_text(f"text of {name}")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "more").symlink_to(tmp_path)  # followed, it would never end
    os.mkfifo(tmp_path / "pipe.txt")  # read, it would wait for a writer forever
    records, reader = _read(tmp_path)
    assert [r.id for r in records] == ["B.TXT", "a.txt", "c.Txt"]
    assert reader.stats.skipped == [
        f"skipped 6 files in {tmp_path}/ that do not match *.txt: d.md, e.html, f, g.md, h.md "
        "and 1 more (use --glob to read them)",
        f"skipped 3 entries in {tmp_path}/ that are not files: gone.txt (a dangling link), "
        "more (a link to a folder), pipe.txt (not a regular file)",
    ]


def test_glob_reads_folders_of_extensionless_files(tmp_path: Path) -> None:
    """20 Newsgroups: alt.atheism/49960, a post a file without an extension."""
    for name in ("alt.atheism/49960", "alt.atheism/51060", "sci.space/59497"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(f"post {name}")
    with pytest.raises(InputError) as refused:
        _read(tmp_path)
    assert str(refused.value) == (
        f"{tmp_path}: the folder holds no files matching *.txt (it holds 3 other files: "
        "alt.atheism/49960, alt.atheism/51060, sci.space/59497; use --glob to read them)"
    )
    reader = RecordReader("id", "text", glob="*")
    records = list(read_paths([tmp_path], reader))
    assert [(r.id, r.text) for r in records] == [
        ("alt.atheism/49960", "post alt.atheism/49960"),
        ("alt.atheism/51060", "post alt.atheism/51060"),
        ("sci.space/59497", "post sci.space/59497"),
    ]
    assert reader.stats.skipped == []
    only_space = RecordReader("id", "text", glob="5949?")
    assert [r.id for r in read_paths([tmp_path], only_space)] == ["sci.space/59497"]
    assert only_space.stats.skipped == [
        f"skipped 2 files in {tmp_path}/ that do not match 5949?: alt.atheism/49960, "
        "alt.atheism/51060 (use --glob to read them)"
    ]


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
    assert reader.stats.invalid_utf8_ids == ["bad.txt", "j"]


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
        (
            '{"id": "a", "text": "x"}\n{"id": "b", "text": \n',
            "d.jsonl:2: malformed JSON (Expecting value at column 21)",
        ),
        (
            '{"id": "a", "text": "tab\there"}\n',
            "d.jsonl:1: malformed JSON (Invalid control character at column 25)",
        ),
        (
            '{"id": "a", "txt": "x"}\n',
            "d.jsonl:1: no text field 'text' (choose it with --text-field)",
        ),
        ('{"text": "x"}\n', "d.jsonl:1: no id field 'id' (choose it with --id-field)"),
        ('{"id": "a", "text": 5}\n', "d.jsonl:1: text field 'text' is an integer, not a string"),
        ('{"id": "a", "text": 1.5}\n', "d.jsonl:1: text field 'text' is a number, not a string"),
        ('{"id": "a", "text": ["x"]}\n', "d.jsonl:1: text field 'text' is a list, not a string"),
        ('["id", "text"]\n', "d.jsonl:1: expected an object with fields, got list"),
    ],
)
def test_bad_jsonl_names_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(content)
    with pytest.raises(InputError) as raised:
        _read(path)
    assert str(raised.value) == f"{tmp_path}/{message}"


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
    with pytest.raises(InputError, match=r"empty: the folder holds no files matching \*\.txt$"):
        _read(tmp_path / "empty")
    (tmp_path / "cut.jsonl.gz").write_bytes(gzip.compress(b'{"id": "a", "text": "x"}\n' * 50)[:30])
    with pytest.raises(InputError, match=r"cut\.jsonl\.gz: cannot be read"):
        _read(tmp_path / "cut.jsonl.gz")


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ('id,text\n"a","unterminated quote\nb,hello\n', 2),  # the file
        ('id,text\n"a","unterminated quote\nb,hello', 2),
        ('id,text\r\na,"fine\r\nover two lines"\r\nb,"open\r\nc,d\r\n', 4),
        ('id,text\na,"ends ""quoted""\n', 2),
        ('id,text\na,b,"an extra value\n', 2),
        ('id,text\na,"', 2),
        ('"id,text\na,b\n', 1),
    ],
)
def test_an_unclosed_csv_quote_names_the_line_where_it_starts(
    tmp_path: Path, content: str, line: int
) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(content.encode())
    with pytest.raises(InputError) as refused:
        _read(path)
    assert str(refused.value) == (
        f"{path}:{line}: malformed CSV (a quoted field starts here and never ends)"
    )


def test_closed_csv_quotes_are_read(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text('id,text\na,"two\nlines, ""quoted"""\nb,"last"')
    records, _ = _read(path)
    assert [(r.id, r.text) for r in records] == [("a", 'two\nlines, "quoted"'), ("b", "last")]


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
