"""The HTTP service: the real `neardup serve` (uvicorn) on 127.0.0.1, talked to over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from synthetic import batch, planted_corpus

from neardup import Index

TOKEN = "s3cret-token"
MAX_BATCH = 50
MAX_BODY = 200_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[Any, str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "neardup", "serve", str(path), "--port", str(port), *args],
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


def stop(server: subprocess.Popen) -> str:
    server.terminate()
    return server.communicate(timeout=30)[1]


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
    log = stop(server)
    assert "Traceback" not in log


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
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
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
    for bad in ({"text": 3}, {"k": 2}, {"text": "x", "k": 0}):
        response = service.post("/query", json=bad)
        assert response.status_code == 422
        assert "detail" in response.json() and "Traceback" not in response.text
    response = service.post("/query", content=b"{not json", headers={"content-type": "x"})
    assert response.status_code == 422
    assert "/documents" in service.get("/openapi.json").json()["paths"]
    assert "swagger" in service.get("/docs").text.lower()


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
