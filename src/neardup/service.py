"""An HTTP service over an :class:`~neardup.index.store.Index` (FastAPI; `neardup serve PATH`).

Endpoints: `POST /documents` (add a batch), `POST /query`, `DELETE /documents/{id}`,
`GET /stats`, `GET /health`; the OpenAPI page is `/docs`. With a token, every endpoint but
`/health` and the OpenAPI pages needs `Authorization: Bearer TOKEN`. Bodies larger than
`max_body` bytes and batches larger than `max_batch` documents get a 413; errors are JSON
`{"detail": ...}`, never a stack trace.

FastAPI is imported only here, so that the rest of neardup does not need it. (No `from
__future__ import annotations`: FastAPI reads the endpoints' annotations, which name models
defined inside `create_app`.)
"""

import hmac
import logging
import sys
from typing import TYPE_CHECKING, Any

from neardup.errors import EngineUnavailable, NeardupError

if TYPE_CHECKING:  # imported where an index is opened: the CLI reads the limits below at start
    from neardup.index.store import Index

#: Defaults of the request limits.
MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_BATCH = 1000
MAX_K = 1000

_log = logging.getLogger("neardup.service")


def _fastapi() -> Any:
    try:
        import fastapi
        import pydantic
    except ImportError:
        raise EngineUnavailable(
            "the HTTP service needs FastAPI: install neardup[service]"
        ) from None
    return fastapi, pydantic


def create_app(
    index: "Index",
    *,
    token: str | None = None,
    max_body: int = MAX_BODY_BYTES,
    max_batch: int = MAX_BATCH,
) -> Any:
    """A FastAPI application serving `index`.

    >>> import os, tempfile
    >>> from neardup import Index
    >>> app = create_app(Index(os.path.join(tempfile.mkdtemp(), "x.ndx")), token="s3cret")
    >>> sorted(r.path for r in app.routes if r.path.startswith("/documents"))
    ['/documents', '/documents/{doc_id}']
    """
    fastapi, pydantic = _fastapi()
    from fastapi.responses import JSONResponse

    class Document(pydantic.BaseModel):
        id: str = pydantic.Field(min_length=1, max_length=4096)
        text: str

    class AddRequest(pydantic.BaseModel):
        documents: list[Document]

    class AddResponse(pydantic.BaseModel):
        added: int
        documents: int

    class QueryRequest(pydantic.BaseModel):
        text: str
        k: int = pydantic.Field(10, ge=1, le=MAX_K)
        overlap: bool = False

    class MatchOut(pydantic.BaseModel):
        id: str
        relation: str
        jaccard: float
        containment_a_in_b: float = pydantic.Field(
            description="share of the query inside the matched document"
        )
        containment_b_in_a: float = pydantic.Field(
            description="share of the matched document inside the query"
        )
        differs_only_in: str | None = None

    class QueryResponse(pydantic.BaseModel):
        matches: list[MatchOut]

    class RemoveResponse(pydantic.BaseModel):
        removed: int

    class Health(pydantic.BaseModel):
        status: str
        format_version: int

    class Stats(pydantic.BaseModel):
        documents: int
        segments: int
        postings: int
        bytes: int
        format_version: int
        options: dict[str, Any]

    def authorize(request: fastapi.Request) -> None:
        if token is None:
            return
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.encode(), token.encode()):
            raise fastapi.HTTPException(
                401, "a bearer token is needed", headers={"WWW-Authenticate": "Bearer"}
            )

    app = fastapi.FastAPI(
        title="neardup",
        summary="Query new documents against an index of near-duplicates.",
        version=_version(),
    )
    guarded = [fastapi.Depends(authorize)]

    @app.post("/documents", response_model=AddResponse, dependencies=guarded)
    def add_documents(request: AddRequest) -> AddResponse:
        """Add a batch of documents (one transaction); an indexed id is replaced."""
        if len(request.documents) > max_batch:
            raise fastapi.HTTPException(
                413, f"at most {max_batch} documents per request, got {len(request.documents)}"
            )
        added = index.add(d.model_dump() for d in request.documents)
        return AddResponse(added=added, documents=len(index))

    @app.post("/query", response_model=QueryResponse, dependencies=guarded)
    def query(request: QueryRequest) -> QueryResponse:
        """The indexed documents most related to the text (A is the query, B the match)."""
        matches = index.query(request.text, request.k, report_overlap=request.overlap)
        return QueryResponse(matches=[MatchOut(**m.to_dict()) for m in matches])

    @app.delete("/documents/{doc_id}", response_model=RemoveResponse, dependencies=guarded)
    def remove(doc_id: str) -> RemoveResponse:
        """Remove one document by id (404 when it is not indexed)."""
        if not index.remove([doc_id]):
            raise fastapi.HTTPException(404, f"no document with id '{doc_id}'")
        return RemoveResponse(removed=1)

    @app.get("/stats", response_model=Stats, dependencies=guarded)
    def stats() -> Stats:
        """What the index holds."""
        return Stats(**{k: v for k, v in index.stats().to_dict().items() if k != "path"})

    @app.get("/health", response_model=Health)
    def health() -> Health:
        """Whether the service is up (needs no token)."""
        return Health(status="ok", format_version=index.stats().format_version)

    @app.exception_handler(NeardupError)
    def user_error(_: Any, error: NeardupError) -> Any:
        return JSONResponse({"detail": str(error)}, status_code=400)

    @app.exception_handler(Exception)
    def internal_error(_: Any, error: Exception) -> Any:
        _log.exception("internal error", exc_info=error)
        return JSONResponse({"detail": "internal error"}, status_code=500)

    app.add_middleware(_BodyLimit, max_body=max_body)
    return app


class _BodyLimit:
    """Answer 413 to a body over `max_body` bytes, declared or streamed, before it is parsed."""

    def __init__(self, app: Any, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await self._refuse(send)
            return
        # The body is read here, whole (the app would buffer it anyway), so that a streamed body
        # without a length is refused before it is parsed too.
        chunks: list[bytes] = []
        received = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            received += len(chunks[-1])
            if received > self.max_body:
                await self._refuse(send)
                return
            more = message.get("more_body", False)
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, send: Any) -> None:
        body = b'{"detail":"request body larger than %d bytes"}' % self.max_body
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def serve(
    path: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    max_body: int = MAX_BODY_BYTES,
    max_batch: int = MAX_BATCH,
) -> None:
    """Serve the index at `path` with uvicorn until interrupted."""
    _fastapi()
    try:
        import uvicorn
    except ImportError:
        raise EngineUnavailable(
            "the HTTP service needs uvicorn: install neardup[service]"
        ) from None
    from neardup.index.store import Index

    with Index(path, create=False) as index:
        app = create_app(index, token=token, max_body=max_body, max_batch=max_batch)
        url = f"http://{host}:{port}"
        print(f"serving {path} on {url} (OpenAPI page: {url}/docs)", file=sys.stderr, flush=True)
        uvicorn.run(app, host=host, port=port, log_level="warning")


def _version() -> str:
    from neardup import __version__

    return __version__
