"""An HTTP service over an :class:`~neardup.index.store.Index` (FastAPI; `neardup serve PATH`).

Endpoints: `POST /documents` (add a batch), `POST /query`, `DELETE /documents/{id}`,
`GET /stats`, `GET /health`; the OpenAPI page is `/docs`, one page that loads nothing from
elsewhere (it works offline). With a token, every endpoint but `/health` and the OpenAPI pages
needs `Authorization: Bearer TOKEN`. Bodies larger than `max_body` bytes and batches larger than
`max_batch` documents get a 413; errors are JSON `{"detail": ...}`, never a stack trace, and
repeat at most the first characters of a long value the client sent.

FastAPI is imported only here, so that the rest of neardup does not need it. (No `from
__future__ import annotations`: FastAPI reads the endpoints' annotations, which name models
defined inside `create_app`.)
"""

import contextlib
import copy
import functools
import hmac
import ipaddress
import json
import logging
import os
import socket
import sys
from typing import TYPE_CHECKING, Annotated, Any

from neardup.errors import EngineUnavailable, NeardupError, OptionsError, shortened
from neardup.explain.pages import load_template
from neardup.limits import MAX_BATCH, MAX_BODY_BYTES, MAX_ID, MAX_K

if TYPE_CHECKING:  # imported where an index is opened
    from neardup.index.store import Index


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
    ['/documents', '/documents/{doc_id:path}']
    """
    _check_token(token)
    fastapi, pydantic = _fastapi()
    from fastapi.encoders import jsonable_encoder
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import HTMLResponse, JSONResponse
    from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

    # Requests are strict: `"k": "5"` or `"overlap": 0` is a 422, as the schema says, not a guess.
    strict = pydantic.ConfigDict(strict=True)

    class Document(pydantic.BaseModel):
        model_config = strict
        id: str = pydantic.Field(
            min_length=1, max_length=MAX_ID, description="an indexed id is replaced"
        )
        text: str

    class AddRequest(pydantic.BaseModel):
        model_config = strict
        documents: list[Document]

    class AddResponse(pydantic.BaseModel):
        added: int
        documents: int

    class QueryRequest(pydantic.BaseModel):
        model_config = strict
        text: str = pydantic.Field(description="the text to look for (A)")
        k: Annotated[int, pydantic.BeforeValidator(_whole)] = pydantic.Field(
            10, ge=1, le=MAX_K, description=f"at most this many matches (1..{MAX_K})"
        )
        overlap: bool = pydantic.Field(
            False, description="also documents that only share passages (relation `overlap`)"
        )

    class MatchOut(pydantic.BaseModel):
        id: str = pydantic.Field(description="the matched indexed document (B)")
        relation: str = pydantic.Field(description="exact, near-duplicate, contains or overlap")
        jaccard: float
        containment_a_in_b: float = pydantic.Field(
            description="share of the query inside the matched document"
        )
        containment_b_in_a: float = pydantic.Field(
            description="share of the matched document inside the query"
        )
        differs_only_in: str | None = pydantic.Field(
            None, description="`numbers` when the texts differ only in their numbers"
        )

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

    class Error(pydantic.BaseModel):
        detail: str

    bearer = HTTPBearer(auto_error=False, description="the token `neardup serve` was given")

    def authorize(
        credentials: Annotated[HTTPAuthorizationCredentials | None, fastapi.Depends(bearer)],
    ) -> None:
        given = "" if credentials is None else credentials.credentials
        if not hmac.compare_digest(given.encode(), str(token).encode()):
            raise fastapi.HTTPException(
                401, "a bearer token is needed", headers={"WWW-Authenticate": "Bearer"}
            )

    app = fastapi.FastAPI(
        title="neardup",
        summary="Query new documents against an index of near-duplicates.",
        version=_version(),
        docs_url=None,  # Swagger UI and ReDoc load their scripts from a CDN: see docs() below
        redoc_url=None,
    )
    guarded = [fastapi.Depends(authorize)] if token is not None else []
    # The error replies each operation can give, declared so that the OpenAPI schema is whole.
    unauthorized = (
        {401: {"model": Error, "description": "No token, or a wrong one"}}
        if token is not None
        else {}
    )
    too_large = {413: {"model": Error, "description": f"The body is over {max_body:,} bytes"}}
    unparsable = "The body cannot be parsed (not UTF-8, or nested too deeply)"

    @app.post(
        "/documents",
        response_model=AddResponse,
        dependencies=guarded,
        responses={
            **unauthorized,
            400: {"model": Error, "description": f"{unparsable}, or the batch names an id twice"},
            413: {
                "model": Error,
                "description": f"The body is over {max_body:,} bytes, "
                f"or the batch over {max_batch:,} documents",
            },
        },
    )
    def add_documents(request: AddRequest) -> AddResponse:
        """Add a batch of documents (one transaction); an indexed id is replaced."""
        if len(request.documents) > max_batch:
            raise fastapi.HTTPException(
                413, f"at most {max_batch} documents per request, got {len(request.documents)}"
            )
        added = index.add(d.model_dump() for d in request.documents)
        return AddResponse(added=added, documents=len(index))

    @app.post(
        "/query",
        response_model=QueryResponse,
        dependencies=guarded,
        responses={**unauthorized, 400: {"model": Error, "description": unparsable}, **too_large},
    )
    def query(request: QueryRequest) -> QueryResponse:
        """The indexed documents most related to the text (A is the query, B the match)."""
        matches = index.query(request.text, request.k, report_overlap=request.overlap)
        return QueryResponse(matches=[MatchOut(**m.to_dict()) for m in matches])

    # `:path` lets the id hold a `/`, as ids read from folders do (`politics/043.txt`), given as
    # is or encoded (%2F): the server decodes the path before it is matched.
    @app.delete(
        "/documents/{doc_id:path}",
        response_model=RemoveResponse,
        dependencies=guarded,
        responses={**unauthorized, 404: {"model": Error, "description": "No document has this id"}},
    )
    def remove(
        doc_id: Annotated[str, fastapi.Path(min_length=1, max_length=MAX_ID)],
    ) -> RemoveResponse:
        """Remove one document by id (404 when it is not indexed); a `/` in it may be sent as is
        or as %2F."""
        if not index.remove([doc_id]):
            raise fastapi.HTTPException(404, f"no document with id '{shortened(doc_id)}'")
        return RemoveResponse(removed=1)

    @app.get("/stats", response_model=Stats, dependencies=guarded, responses=unauthorized)
    def stats() -> Stats:
        """What the index holds."""
        return Stats(**{k: v for k, v in index.stats().to_dict().items() if k != "path"})

    @app.get("/health", response_model=Health)
    def health() -> Health:
        """Whether the service is up (needs no token)."""
        return Health(status="ok", format_version=index.stats().format_version)

    @functools.cache
    def docs_page() -> str:
        """The docs page, rendered once: the schema does not change while the app runs."""
        page = load_template("openapi.html.j2")
        return page.render(api=app.openapi(), openapi_url=app.openapi_url)

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> str:
        return docs_page()

    @app.exception_handler(RequestValidationError)
    def invalid_request(_: Any, error: RequestValidationError) -> Any:
        details = [_with_input_shortened(e) for e in jsonable_encoder(error.errors())]
        return JSONResponse({"detail": details}, status_code=422)

    @app.exception_handler(NeardupError)
    def user_error(_: Any, error: NeardupError) -> Any:
        return JSONResponse({"detail": str(error)}, status_code=400)

    @app.exception_handler(Exception)
    def internal_error(_: Any, error: Exception) -> Any:
        _log.exception("internal error", exc_info=error)
        return JSONResponse({"detail": "internal error"}, status_code=500)

    app.add_middleware(_BodyLimit, max_body=max_body)
    return app


def _whole(value: Any) -> Any:
    """A float without a fraction as the integer it is: JSON Schema counts `19.0` as an integer."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _check_token(token: str | None) -> None:
    if token is not None and not token.strip():
        # It would let in `Authorization: Bearer ` with nothing after it.
        raise OptionsError(
            "the token is empty: give one with --token or NEARDUP_TOKEN, "
            "or neither to serve without a token"
        )


def _with_input_shortened(error: dict[str, Any]) -> dict[str, Any]:
    """A validation error whose `input` (what the client sent) is text, cut to its start.

    As text, so that what JSON cannot carry back is shown rather than failing the reply: NaN (which
    the request's JSON may hold) and lone surrogates ("\\ud800", escaped).
    """
    if "input" not in error:
        return error
    value = error["input"]
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.encode("utf-8", "backslashreplace").decode()
    return {**error, "input": shortened(text)}


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
    access_log: bool = False,
) -> None:
    """Serve the index at `path` with uvicorn until interrupted.

    With `access_log`, uvicorn writes a line per request on stdout (client, request line, status).
    """
    _check_token(token)
    _fastapi()
    try:
        import uvicorn
    except ImportError:
        raise EngineUnavailable(
            "the HTTP service needs uvicorn: install neardup[service]"
        ) from None
    from neardup.index.store import Index

    with Index(path, create=False) as index, _listening_socket(host, port) as listening:
        app = create_app(index, token=token, max_body=max_body, max_batch=max_batch)
        url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        print(f"serving {path} on {url} (OpenAPI page: {url}/docs)", file=sys.stderr, flush=True)
        if token is None and not _is_loopback(host):
            print(
                f"neardup: warning: serving on {host} without a token: anyone who can reach it "
                "can add and remove documents (set --token or NEARDUP_TOKEN)",
                file=sys.stderr,
                flush=True,
            )
        config = uvicorn.Config(app, log_config=_uvicorn_logging(), access_log=access_log)
        # uvicorn stops gracefully on SIGINT or SIGTERM, then raises the signal again for the
        # handlers it replaced: for a server, that is how it is meant to stop.
        with contextlib.suppress(KeyboardInterrupt):
            uvicorn.Server(config).run(sockets=[listening])


def _listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port), or a one-line error saying why not (a port in use, an
    unknown host): bound here rather than by uvicorn, which logs and exits with a status of its
    own."""
    try:
        family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        return socket.create_server(address, family=family)
    except OSError as error:
        # create_server appends the address to the system's reason; a host name that does not
        # resolve has a negative code of getaddrinfo's and its own reason.
        reason = os.strerror(error.errno) if (error.errno or 0) > 0 else error.strerror
        raise OptionsError(f"cannot listen on {host} port {port}: {reason}") from None


def _is_loopback(host: str) -> bool:
    """Whether every address `host` names is on this machine only (127.0.0.0/8, ::1)."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
        return all(ipaddress.ip_address(a).is_loopback for a in addresses)
    except (OSError, ValueError):
        return False  # unresolvable: uvicorn says so when it binds


def _uvicorn_logging() -> dict[str, Any]:
    """uvicorn's logging, its own messages from warnings up (the access log has its own level)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    for name in ("uvicorn", "uvicorn.error"):
        config["loggers"][name]["level"] = "WARNING"
    return config


def _version() -> str:
    from neardup import __version__

    return __version__
