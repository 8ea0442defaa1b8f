"""schemathesis against the real server's own OpenAPI schema: every answer is one it documents.

The server (`neardup serve` with a token and small limits, on 127.0.0.1) gets requests generated
from `/openapi.json`, valid and invalid, a bounded number per operation; each answer must be no
5xx, a documented status code, and a body and headers that match the documented schema.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from synthetic import planted_corpus
from test_service import MAX_BATCH, MAX_BODY, TOKEN, start, stop

from neardup import Index

#: Requests per operation and kind (valid, invalid): bounded, so that the test takes seconds.
EXAMPLES = 25
#: What schemathesis accepts besides what the schema says: bodies over --max-body and batches over
#: --max-batch get a 413 whatever they hold; an id not indexed a 404; and a batch naming an id twice
#: a 400 (documented), as JSON Schema cannot say "ids unique within the list".
CONFIG = {
    "checks": {
        "positive_data_acceptance": {"expected-statuses": ["2xx", "404", "413"]},
        "negative_data_rejection": {"expected-statuses": ["400", "401", "404", "413", "422"]},
    },
    "operations": [
        {
            "include-path": "/documents",
            "include-method": "POST",
            "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "413"]}},
        }
    ],
}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.ndx"
    with Index(path) as index:
        index.add(planted_corpus(30))
    limits = ["--max-batch", str(MAX_BATCH), "--max-body", str(MAX_BODY)]
    server, url = start(path, *limits, env={**os.environ, "NEARDUP_TOKEN": TOKEN})
    yield url
    _, log = stop(server)
    assert "Traceback" not in log


@pytest.fixture(scope="module")
def api(server: str) -> Any:
    config = schemathesis.Config.from_dict(CONFIG)
    return schemathesis.openapi.from_url(f"{server}/openapi.json", config=config)


# A loop over the operations rather than `schema.parametrize()`: schemathesis's lazy loading from a
# fixture (the server starts in one) fails on pytest 9 (it sets `Function._nodeid`).
@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_every_answer_is_documented(api: Any, mode: str) -> None:
    """Valid requests (positive) and requests that break the schema (negative)."""
    generation = schemathesis.GenerationMode(mode)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for result in api.get_all_operations():
        operation = result.ok()
        if generation.is_negative and not (operation.body or operation.path_parameters):
            continue  # nothing to break (`/health`, `/stats` take no input)

        @given(operation.as_strategy(generation))
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,  # the same requests in every run, as in test_fuzz.py
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_documented(case: Any) -> None:
            case.call_and_validate(headers=auth, timeout=120)  # a loaded machine can be slow

        answers_as_documented()
