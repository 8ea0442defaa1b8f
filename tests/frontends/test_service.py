"""The HTTP service: the real `neardup serve` (uvicorn) on 127.0.0.1, talked to over HTTP."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from conftest import neardup
from synthetic import batch, planted_corpus

from neardup import Index
from neardup.service import MAX_ID, MAX_K, create_app

TOKEN = "s3cret-token"
MAX_BATCH = 50
MAX_BODY = 200_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[Any, str]:
    """A running `neardup serve PATH ARGS` on a free port, and its URL on 127.0.0.1."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "neardup", "serve", str(path), "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return server, url
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError(f"the server did not start: {server.communicate()[1]}")


def stop(server: subprocess.Popen) -> tuple[str, str]:
    """What the server wrote on stdout and on stderr, once it has stopped."""
    server.terminate()
    return server.communicate(timeout=30)


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, str]]:
    return planted_corpus(120)


@pytest.fixture(scope="module")
def service(tmp_path_factory, corpus) -> Iterator[httpx.Client]:
    path = tmp_path_factory.mktemp("service") / "news.ndx"
    with Index(path) as index:
        index.add(corpus[:100])
    env = {**os.environ, "NEARDUP_TOKEN": TOKEN}
    limits = ["--max-batch", str(MAX_BATCH), "--max-body", str(MAX_BODY)]
    server, url = start(path, *limits, env=env)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        yield client
    access_log, log = stop(server)
    assert "Traceback" not in log
    assert access_log == ""  # off by default


def test_query_answers_as_the_index_does(service, corpus, tmp_path):
    with Index(tmp_path / "same.ndx") as index:
        index.add(corpus[:100])
        for record in corpus[100:]:
            response = service.post("/query", json={"text": record["text"], "k": 5})
            assert response.status_code == 200
            expected = [m.to_dict() for m in index.query(record["text"], 5)]
            assert response.json() == {"matches": expected}


def test_concurrent_queries_get_the_answers_of_sequential_ones(service, corpus):
    """8 clients at once (the server queries on a read connection per thread)."""
    texts = [r["text"] for r in corpus] * 2

    def ask(text: str) -> Any:
        response = service.post("/query", json={"text": text, "k": 20})
        return response.status_code, response.json()

    sequential = [ask(text) for text in texts]
    with ThreadPoolExecutor(8) as clients:
        concurrent = list(clients.map(ask, texts))
    assert concurrent == sequential
    assert sum(bool(body["matches"]) for _, body in sequential) >= 100


def test_add_query_remove_stats(service):
    story = " ".join(f"river{i}" for i in range(40))
    added = service.post("/documents", json={"documents": [{"id": "new-1", "text": story}]})
    assert added.status_code == 200 and added.json()["added"] == 1
    matches = service.post("/query", json={"text": story}).json()["matches"]
    assert matches[0]["id"] == "new-1" and matches[0]["relation"] == "exact"
    assert service.get("/stats").json()["documents"] == added.json()["documents"]
    assert service.delete("/documents/new-1").json() == {"removed": 1}
    missing = service.delete("/documents/new-1")
    assert missing.status_code == 404 and "new-1" in missing.json()["detail"]
    assert service.post("/query", json={"text": story}).json() == {"matches": []}


def test_a_token_is_needed_except_for_health(service):
    url = str(service.base_url)
    assert httpx.get(f"{url}/health").json()["status"] == "ok"
    # "Bearer" alone is what a client sends for `Bearer ` (trailing spaces are not sent).
    tries = (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": TOKEN},
        {"Authorization": "Bearer"},
    )
    for headers in tries:
        response = httpx.post(f"{url}/query", json={"text": "x"}, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
    assert httpx.get(f"{url}/stats").status_code == 401


def test_limits_and_bad_requests_are_clear_4xx_json(service):
    too_many = [{"id": f"x{i}", "text": "a b c"} for i in range(MAX_BATCH + 1)]
    response = service.post("/documents", json={"documents": too_many})
    assert response.status_code == 413
    assert f"at most {MAX_BATCH} documents" in response.json()["detail"]
    huge = {"documents": [{"id": "big", "text": "word " * MAX_BODY}]}
    response = service.post("/documents", json=huge)
    assert response.status_code == 413 and "larger than" in response.json()["detail"]

    def streamed() -> Iterator[bytes]:  # no Content-Length: the size is known only by reading
        yield b'{"text": "'
        for _ in range(MAX_BODY // 1000 + 1):
            yield b"w" * 1000
        yield b'"}'

    response = service.post("/query", content=streamed())
    assert response.status_code == 413
    # Types are not converted ("5", 0 for false), but 5.0 is an integer to JSON Schema too.
    unconverted = ({"text": "x", "k": "5"}, {"text": "x", "overlap": 0})
    for bad in ({"text": 3}, {"k": 2}, {"text": "x", "k": 0}, *unconverted):
        response = service.post("/query", json=bad)
        assert response.status_code == 422
        assert "detail" in response.json() and "Traceback" not in response.text
    assert service.post("/query", json={"text": "x", "k": 5.0}).status_code == 200
    response = service.post("/query", content=b"{not json", headers={"content-type": "x"})
    assert response.status_code == 422


def test_an_id_with_a_slash_is_removed_as_is_or_encoded(service):
    """Ids read from folders hold a `/` (`politics/043.txt`)."""
    documents = [{"id": f"politics/04{n}.txt", "text": f"story {n} " * 30} for n in (3, 4)]
    assert service.post("/documents", json={"documents": documents}).status_code == 200
    assert service.delete("/documents/politics/043.txt").json() == {"removed": 1}
    assert service.delete("/documents/politics%2F044.txt").json() == {"removed": 1}
    for given in ("politics/043.txt", "politics%2F044.txt"):
        missing = service.delete(f"/documents/{given}")
        assert missing.status_code == 404
    assert missing.json() == {"detail": "no document with id 'politics/044.txt'"}


def test_long_values_are_shortened_in_errors(service):
    """A 100,000-character id is repeated as its first 80 characters and its length."""
    long_id = "x" * 100_000
    response = service.post("/documents", json={"documents": [{"id": long_id, "text": "a"}]})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_too_long",
                "loc": ["body", "documents", 0, "id"],
                "msg": "String should have at most 4096 characters",
                "input": "x" * 80 + "…(100,000 characters)",
                "ctx": {"max_length": 4096},
            }
        ]
    }
    twice = [{"id": "y" * 3000, "text": "a"}, {"id": "y" * 3000, "text": "b"}]
    response = service.post("/documents", json={"documents": twice})
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"record 2: duplicate id '{'y' * 80}…(3,000 characters)' (first at record 1)"
    }
    response = service.delete(f"/documents/{'z' * 5000}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["input"] == "z" * 80 + "…(5,000 characters)"


def test_inputs_json_cannot_carry_back_are_shown_as_text(service):
    """NaN and a lone surrogate are valid in a request's JSON, not in a reply: a 422, not a 500."""
    given = [
        ("/query", b'{"text": "a", "k": NaN}', "NaN"),
        ("/documents", b'{"documents": [{"id": "\\ud800", "text": "a"}]}', "\\ud800"),
    ]
    for endpoint, body, shown in given:
        json_body = {"content-type": "application/json"}
        response = service.post(endpoint, content=body, headers=json_body)
        assert response.status_code == 422
        assert [e["input"] for e in response.json()["detail"]] == [shown]


def test_a_duplicate_id_is_shortened_in_the_cli_error(tmp_path):
    path = tmp_path / "twice.jsonl"
    long_id = "y" * 1_000_000
    path.write_text(f'{{"id": "{long_id}", "text": "a"}}\n{{"id": "{long_id}", "text": "b"}}\n')
    result = neardup("dedup", path, "--output", tmp_path / "kept.jsonl")
    assert result.returncode == 2
    assert result.stderr == (
        f"neardup: error: {path}:2: duplicate id '{'y' * 80}…(1,000,000 characters)' "
        f"(first at {path}:1)\n"
    )


def test_the_docs_page_loads_nothing_from_elsewhere(service):
    """Swagger UI's page loads its script from a CDN: blank without internet. This one is whole."""
    page = service.get("/docs")
    assert page.status_code == 200
    parser = _Links()
    parser.feed(page.text)
    assert parser.csp == "default-src 'none'; style-src 'unsafe-inline'"
    assert parser.scripts == 0
    elsewhere = {link for link in parser.links if not link.startswith("#")}
    assert elsewhere == {"/openapi.json"}
    assert service.get("/openapi.json").status_code == 200
    assert {link[1:] for link in parser.links if link.startswith("#")} <= parser.ids
    operations = service.get("/openapi.json").json()["paths"].values()
    assert {o["operationId"] for ops in operations for o in ops.values()} <= parser.ids


class _Links(HTMLParser):
    """The links, anchors, scripts and content security policy of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: set[str] = set()
        self.ids: set[str] = set()
        self.scripts = 0
        self.csp = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.links |= {values[a] or "" for a in ("href", "src") if a in values}
        if "id" in values:
            self.ids.add(values["id"] or "")
        self.scripts += tag == "script"
        if values.get("http-equiv") == "Content-Security-Policy":
            self.csp = values["content"] or ""


def test_openapi_declares_the_token_the_errors_and_the_limits(service):
    schema = service.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"] == {
        "HTTPBearer": {
            "type": "http",
            "description": "the token `neardup serve` was given",
            "scheme": "bearer",
        }
    }
    statuses = {
        (method, path): (sorted(operation["responses"]), operation.get("security"))
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }
    token = [{"HTTPBearer": []}]
    assert statuses == {
        ("post", "/documents"): (["200", "400", "401", "413", "422"], token),
        ("post", "/query"): (["200", "400", "401", "413", "422"], token),
        ("delete", "/documents/{doc_id}"): (["200", "401", "404", "422"], token),
        ("get", "/stats"): (["200", "401"], token),
        ("get", "/health"): (["200"], None),
    }
    k = schema["components"]["schemas"]["QueryRequest"]["properties"]["k"]
    assert (k["minimum"], k["maximum"], k["description"]) == (
        1,
        1000,
        "at most this many matches (1..1000)",
    )


def test_every_documented_status_is_real(service):
    """A request that gets each answer the schema documents, and no other."""
    anonymous = httpx.Client(base_url=service.base_url, timeout=30)
    story = {"id": "real/1", "text": "a story told once " * 10}
    too_many = [{"id": f"r{i}", "text": "a"} for i in range(MAX_BATCH + 1)]
    too_large = {"text": "word " * MAX_BODY}
    not_utf8 = {"content": b'{"text": "\xbc"}', "headers": {"content-type": "application/json"}}
    answers = {
        ("post", "/documents"): [
            service.post("/documents", json={"documents": [story]}),
            service.post("/documents", json={"documents": [story, story]}),
            anonymous.post("/documents", json={"documents": [story]}),
            service.post("/documents", json={"documents": too_many}),
            service.post("/documents", json={"documents": [{"id": "", "text": "a"}]}),
        ],
        ("post", "/query"): [
            service.post("/query", json={"text": story["text"]}),
            service.post("/query", **not_utf8),
            anonymous.post("/query", json={"text": "a"}),
            service.post("/query", json=too_large),
            service.post("/query", json={"text": "a", "k": MAX_K + 1}),
        ],
        ("delete", "/documents/{doc_id}"): [
            service.delete("/documents/real/1"),
            anonymous.delete("/documents/real/1"),
            service.delete("/documents/real/1"),
            service.delete(f"/documents/{'z' * (MAX_ID + 1)}"),
        ],
        ("get", "/stats"): [service.get("/stats"), anonymous.get("/stats")],
        ("get", "/health"): [anonymous.get("/health")],
    }
    got = {key: sorted(str(r.status_code) for r in responses) for key, responses in answers.items()}
    schema = service.get("/openapi.json").json()
    documented = {
        (method, path): sorted(operation["responses"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }
    assert got == documented


def test_an_id_holding_a_nul_character_is_replaced_and_removed(service):
    """Found by the fuzz test: SQLite's json_each cut such an id, so adding it again was a 500."""
    for text in ("first telling " * 10, "second telling " * 10):
        added = service.post("/documents", json={"documents": [{"id": "a\x00b", "text": text}]})
        assert added.json()["added"] == 1
    assert service.delete("/documents/a%00b").json() == {"removed": 1}


def test_without_a_token_openapi_declares_no_token(tmp_path):
    with Index(tmp_path / "x.ndx") as index:
        schema = create_app(index).openapi()
    assert "securitySchemes" not in schema.get("components", {})
    assert all(
        "401" not in o["responses"] for ops in schema["paths"].values() for o in ops.values()
    )


def test_an_empty_token_is_refused(tmp_path):
    """It would let in `Authorization: Bearer ` with nothing after it."""
    with Index(tmp_path / "x.ndx"):
        pass
    expected = (
        "neardup: error: the token is empty: give one with --token or NEARDUP_TOKEN, "
        "or neither to serve without a token\n"
    )
    serve = [sys.executable, "-m", "neardup", "serve", str(tmp_path / "x.ndx")]
    given = [(["--token", ""], os.environ), ([], {**os.environ, "NEARDUP_TOKEN": ""})]
    given.append(([], {**os.environ, "NEARDUP_TOKEN": "  "}))
    for args, env in given:
        port = ["--port", str(free_port())]
        result = subprocess.run(
            [*serve, *port, *args], capture_output=True, text=True, env=env, timeout=60
        )
        assert (result.returncode, result.stderr) == (2, expected)


def test_a_port_in_use_is_a_one_line_error(tmp_path):
    with Index(tmp_path / "x.ndx"):
        pass
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "neardup",
                "serve",
                str(tmp_path / "x.ndx"),
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    expected = f"neardup: error: cannot listen on 127.0.0.1 port {port}: Address already in use\n"
    assert (result.returncode, result.stderr) == (2, expected)


def test_serving_beyond_loopback_without_a_token_warns(tmp_path):
    path = tmp_path / "x.ndx"
    with Index(path):
        pass
    env = {k: v for k, v in os.environ.items() if k != "NEARDUP_TOKEN"}
    for host, warned in (("0.0.0.0", True), ("127.0.0.1", False), ("localhost", False)):
        server, url = start(path, "--host", host, env=env)
        _, log = stop(server)
        port = url.rsplit(":", 1)[1]
        warning = (
            f"neardup: warning: serving on {host} without a token: anyone who can reach it "
            "can add and remove documents (set --token or NEARDUP_TOKEN)\n"
        )
        serving = (
            f"serving {path} on http://{host}:{port} (OpenAPI page: http://{host}:{port}/docs)\n"
        )
        assert log == serving + (warning if warned else "")


def test_the_access_log_has_a_line_per_request(tmp_path):
    path = tmp_path / "x.ndx"
    with Index(path):
        pass
    server, url = start(path, "--access-log")
    assert httpx.get(f"{url}/stats").status_code == 200
    assert httpx.delete(f"{url}/documents/politics%2F043.txt").status_code == 404
    access_log, _ = stop(server)
    assert [re.sub(r":\d+ ", ":PORT ", line) for line in access_log.splitlines()] == [
        'INFO:     127.0.0.1:PORT - "GET /health HTTP/1.1" 200 OK',
        'INFO:     127.0.0.1:PORT - "GET /stats HTTP/1.1" 200 OK',
        'INFO:     127.0.0.1:PORT - "DELETE /documents/politics%2F043.txt HTTP/1.1" 404 Not Found',
    ]


def test_the_server_refuses_an_index_it_cannot_read(tmp_path):
    garbage = tmp_path / "garbage.ndx"
    garbage.write_bytes(b"not an index" * 100)
    result = subprocess.run(
        [sys.executable, "-m", "neardup", "serve", str(garbage), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("neardup: error:") and "Traceback" not in result.stderr


def test_without_fastapi_the_message_says_what_to_install(tmp_path):
    with Index(tmp_path / "x.ndx"):
        pass
    code = (
        "import sys; sys.modules['fastapi'] = None\n"
        "from neardup.cli import main\n"
        f"main(['serve', {str(tmp_path / 'x.ndx')!r}])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "neardup: error: the HTTP service needs FastAPI: install neardup[service]"
    )


def test_bounded_load_from_8_clients_has_no_errors(tmp_path):
    """2,000 queries from 8 concurrent clients, stopping by itself after 120 s at most."""
    path = tmp_path / "load.ndx"
    records = batch("doc", 2000, 200, seed=11)
    with Index(path) as index:
        index.add(records)
    server, url = start(path)
    total, clients, cap = 2000, 8, 120.0
    latencies: list[float] = []
    errors = []
    lock = threading.Lock()
    todo = iter(range(total))
    started = time.monotonic()

    def client() -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            while time.monotonic() - started < cap:
                with lock:
                    n = next(todo, None)
                if n is None:
                    return
                t = time.perf_counter()
                response = http.post("/query", json={"text": records[n]["text"]})
                with lock:
                    latencies.append(time.perf_counter() - t)
                    found = response.is_success and response.json()["matches"][0]["id"]
                    if found != records[n]["id"]:
                        errors.append((n, response.status_code))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop(server)
    p50, p99 = np.percentile(np.array(latencies) * 1000, [50, 99])
    print(f"\n{len(latencies)} queries, {clients} clients: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    assert errors == []
    assert len(latencies) == total
