"""What the server queries: the project's graph (in memory or on disk) or a remote endpoint.

Every page, API answer and protocol request runs SPARQL through one :class:`Dataset`,
so that ``kg serve --endpoint URL`` serves the same pages as the local graph. Each
query has a time limit and a result cap:

- a query runs in a worker thread of a bounded pool; the request is answered at the
  time limit with :class:`QueryTimeout` whatever the query does. pyoxigraph cannot
  stop a query it is evaluating: rows are read lazily and the reading stops at the
  limit, but a query that computes everything before its first row (ORDER BY,
  GROUP BY over many rows) runs on in its thread until done, holding one worker of
  the pool (``workers``), so that runaway queries cannot take the whole machine;
- a SELECT answering more than ``max_rows`` rows is refused with
  :class:`ResultCapExceeded` (it names the cap and says to add LIMIT).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
import threading
import traceback
from concurrent.futures import Executor, Future
from queue import SimpleQueue
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, cast

import pyoxigraph as ox

from ..errors import KGError, QueryError
from ..results import QueryResult
from ..sparqltext import query_kind, refuse_service, star_order

if TYPE_CHECKING:
    from ..backends import RemoteBackend
    from ..graph import KnowledgeGraph
    from ..project import Project
    from ..queries import QueryLibrary

T = TypeVar("T")

#: Rows read between two looks at the clock.
_CHECK_EVERY = 256
#: Work that took less than this (seconds) runs on the event loop the next time (_in_thread).
QUICK = 0.002
#: The most pieces of quick work remembered.
QUICK_KEYS = 10_000


class QueryTimeout(QueryError):
    """A query ran past the server's time limit."""


class ResultCapExceeded(QueryError):
    """A query answered more rows than the server's result cap."""


#: The fewest bytes one row takes in each results format (``{}``, ``<result></result>``,
#: a line end): an answer written in fewer bytes than ``max_rows`` times this cannot
#: have more than ``max_rows`` rows.
_ROW_BYTES = {ox.QueryResultsFormat.JSON: 3, ox.QueryResultsFormat.XML: 17,
              ox.QueryResultsFormat.CSV: 2, ox.QueryResultsFormat.TSV: 1}


class Written(NamedTuple):
    """An answer pyoxigraph wrote: ``kind`` "SELECT", "ASK" or "CONSTRUCT" (a CONSTRUCT or a
    DESCRIBE), ``body`` in the results format (rows, boolean) or the RDF format (triples)."""

    kind: str
    body: bytes


class _Budget:
    """Where pyoxigraph writes an answer: stops it past the deadline or past a size."""

    __slots__ = ("chunks", "size", "limit", "deadline", "stopped")

    def __init__(self, limit: int, deadline: float) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.limit = limit
        self.deadline = deadline
        self.stopped = ""

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            self.stopped = "size"
            raise OSError("the answer is larger than the budget")
        if time.monotonic() > self.deadline:
            self.stopped = "time"
            raise OSError("past the time limit")
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


@contextmanager
def query_errors(text: str) -> Iterator[None]:
    """pyoxigraph's errors about the query ``text`` as :class:`QueryError` (an update says so)."""
    from ..graph import syntax_message

    try:
        yield
    except SyntaxError as exc:
        query_kind(text)  # an update says so
        raise QueryError(f"the query does not parse: {syntax_message(exc, text)}") from None
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        raise QueryError(f"the query failed: {exc}") from None


class QueryThreads(Executor):
    """The threads that run queries, ``workers`` of them (started on the first job).

    An Executor (``loop.run_in_executor(dataset.pool, ...)`` works), and a lighter way
    for the queries of requests (:meth:`answer`): the job's thread hands its answer to
    the event loop in one ``call_soon_threadsafe``, with no concurrent Future between.
    That saves a third of what the hop costs, which is as much as a selective query takes.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.jobs: SimpleQueue[Callable[[], None] | None] = SimpleQueue()
        self.threads: list[threading.Thread] = []
        self.lock = threading.Lock()

    def answer(self, loop: asyncio.AbstractEventLoop, answer: asyncio.Future[T],
               work: Callable[[float], T], deadline: float) -> None:
        """Run ``work(deadline)`` in a thread; its value or error settles ``answer`` (unless
        settled already, by the time limit)."""
        def job() -> None:
            value: object
            try:
                value, ok = work(deadline), True
            except BaseException as exc:  # handed to the request that asked
                value, ok = detached(exc), False
            try:
                loop.call_soon_threadsafe(_settle, answer, ok, value)
            except RuntimeError:  # the loop is closed: the server stopped
                pass

        self._put(job)

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Executor.submit: ``fn(*args, **kwargs)`` in a thread."""
        future: Future[T] = Future()

        def job() -> None:
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as exc:
                    future.set_exception(detached(exc))

        self._put(job)
        return future

    def _put(self, job: Callable[[], None]) -> None:
        if len(self.threads) < self.workers:
            with self.lock:
                while len(self.threads) < self.workers:
                    thread = threading.Thread(target=self._serve, daemon=True,
                                              name=f"kg-query-{len(self.threads)}")
                    thread.start()
                    self.threads.append(thread)
        self.jobs.put(job)

    def _serve(self) -> None:
        while (job := self.jobs.get()) is not None:
            job()

    def shutdown(self, wait: bool = False, *, cancel_futures: bool = True) -> None:
        """Stop the threads once their jobs end (queued jobs are dropped)."""
        while not self.jobs.empty():
            self.jobs.get_nowait()
        for _ in self.threads:
            self.jobs.put(None)
        if wait:
            for thread in self.threads:
                thread.join()
        self.threads = []


def detached(error: BaseException) -> BaseException:
    """``error`` without its traceback and context, which hold the frames of the query
    thread and their pyoxigraph iterators: those may only be dropped by the thread that
    made them. An unexpected error keeps its traceback as text (a note), for the log."""
    if not isinstance(error, KGError):
        error.add_note("".join(traceback.format_exception(error)).rstrip())
    link: BaseException | None = error
    while link is not None:
        after = link.__cause__ or link.__context__
        link.__traceback__ = link.__context__ = link.__cause__ = None
        link = after
    return error


def _settle(answer: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if not answer.done():
        if ok:
            answer.set_result(value)
        else:
            answer.set_exception(value)


class Dataset:
    """The graph a server answers from (``graph``: local, or ``remote``: an endpoint).

    ``timeout`` is the time limit of one query in seconds, ``max_rows`` the cap on
    the rows of one answer, ``workers`` the threads that run queries at once.
    """

    def __init__(self, project: Project, *, graph: KnowledgeGraph | None = None,
                 remote: RemoteBackend | None = None, timeout: float = 10.0,
                 max_rows: int = 100_000, workers: int = 8) -> None:
        if (graph is None) == (remote is None):
            raise ValueError("a Dataset has a local graph or a remote endpoint, one of them")
        self.project = project
        self.local = graph
        self.remote = remote
        self.timeout = timeout
        self.max_rows = max_rows
        self.pool = QueryThreads(workers)
        self._library: QueryLibrary | None = None
        #: work known to be quick (see _in_thread): keys, in a dict for its atomic operations
        self._quick: dict[Hashable, None] = {}

    @property
    def library(self) -> QueryLibrary:
        """The project's saved queries (read once)."""
        if self._library is None:
            from ..queries import QueryLibrary

            self._library = QueryLibrary.load(self.project.queries_dir)
        return self._library

    def describe(self) -> str:
        """Where the answers come from, for logs and pages."""
        if self.remote is not None:
            return f"the SPARQL endpoint {self.remote.endpoint}"
        assert self.local is not None
        return f"the store {self.local.path}" if self.local.path else "the project's files"

    # ---- running queries

    def run(self, text: str, *, default_graph: Sequence[str] | None = None,
            named_graphs: Sequence[str] | None = None, deadline: float | None = None
            ) -> QueryResult:
        """Run a query (project prefixes need no declaring) within the limits.

        ``default_graph`` / ``named_graphs``: IRIs making up the dataset of the query
        (the protocol's ``default-graph-uri`` and ``named-graph-uri``); by default the
        default graph is the merge of every graph, and ``GRAPH ?g`` sees each.

        Raises:
            QueryError: the query does not parse, is an update or names a SERVICE.
            QueryTimeout: past the time limit (``deadline``, a ``time.monotonic()``).
            ResultCapExceeded: more rows than ``max_rows``.
            EndpointError: the remote endpoint is unreachable or answers badly.
        """
        refuse_service(text)
        deadline = deadline if deadline is not None else time.monotonic() + self.timeout
        if self.remote is not None:
            result = self.remote.run_with(text, default_graph=default_graph,
                                          named_graphs=named_graphs)
            if result.kind == "SELECT" and len(result.rows) > self.max_rows:
                raise self.cap_exceeded()
            return result
        return self._run_local(text, default_graph, named_graphs, deadline)

    async def arun(self, text: str, *, default_graph: Sequence[str] | None = None,
                   named_graphs: Sequence[str] | None = None) -> QueryResult:
        """:meth:`run` in a worker thread; answered at the time limit at the latest."""
        key = (text, tuple(default_graph or ()), tuple(named_graphs or ()),
               default_graph is None, named_graphs is None)
        return await self._in_thread(lambda deadline: self.run(
            text, default_graph=default_graph, named_graphs=named_graphs, deadline=deadline),
            key=key)

    def serialize(self, text: str, rows_format: ox.QueryResultsFormat,
                  graph_format: ox.RdfFormat | None, *, default_graph: Sequence[str] | None = None,
                  named_graphs: Sequence[str] | None = None, deadline: float | None = None,
                  base_iri: str | None = None) -> Written | QueryResult:
        """The answer as pyoxigraph writes it (the fast path of the protocol): rows and
        booleans in ``rows_format``, triples in ``graph_format``, within the same limits
        as :meth:`run`.

        Answered as a :class:`QueryResult` instead (for the caller to write) where
        pyoxigraph cannot write it as asked: a remote endpoint, ``graph_format`` None
        (JSON-LD as kg compacts it), a ``SELECT *`` (pyoxigraph sorts its columns by
        name), and an answer too large to be sure it is under the cap without counting.
        ``base_iri`` resolves the relative IRIs of the query (the protocol: the endpoint's URL).

        Raises:
            the errors of :meth:`run`.
        """
        refuse_service(text)
        deadline = deadline if deadline is not None else time.monotonic() + self.timeout
        if self.local is None:
            return self.run(text, default_graph=default_graph, named_graphs=named_graphs,
                            deadline=deadline)
        order = star_order(text)
        if order:  # `SELECT *`: the columns in the order of the query, as `kg sparql` shows them
            result = self._run_local(text, default_graph, named_graphs, deadline, base_iri)
            at = {name: number for number, name in enumerate(order)}
            result.variables = tuple(sorted(result.variables, key=lambda v: at.get(v, len(at))))
            return result
        with query_errors(text):
            answer = self._query(text, default_graph, named_graphs, base_iri)
            if isinstance(answer, ox.QueryBoolean):
                return Written("ASK", answer.serialize(format=rows_format) or b"")
            if isinstance(answer, ox.QuerySolutions):
                budget = _Budget(_ROW_BYTES[rows_format] * (self.max_rows + 1), deadline)
                try:
                    answer.serialize(budget, format=rows_format)  # type: ignore[arg-type]
                except OSError:
                    if budget.stopped == "time":
                        raise self.timed_out() from None
                    if budget.stopped != "size":
                        raise
                    # large: counted row by row (the cap), then written by the caller
                    return self._run_local(text, default_graph, named_graphs, deadline,
                                           base_iri)
                return Written("SELECT", b"".join(budget.chunks))
            if graph_format is None:
                return self._run_local(text, default_graph, named_graphs, deadline, base_iri)
            triples = self._triples(cast("ox.QueryTriples", answer), deadline)
            from ..prefixes import PREFIXES

            prefixes = PREFIXES if graph_format is ox.RdfFormat.TURTLE else None
            return Written("CONSTRUCT", ox.serialize(triples, format=graph_format,
                                                     prefixes=prefixes) or b"")

    async def aserialize(self, text: str, rows_format: ox.QueryResultsFormat,
                         graph_format: ox.RdfFormat | None, *,
                         default_graph: Sequence[str] | None = None,
                         named_graphs: Sequence[str] | None = None,
                         base_iri: str | None = None) -> Written | QueryResult:
        """:meth:`serialize` in a worker thread; answered at the time limit at the latest."""
        key = (text, rows_format, graph_format, tuple(default_graph or ()),
               tuple(named_graphs or ()), default_graph is None, named_graphs is None, base_iri)
        return await self._in_thread(lambda deadline: self.serialize(
            text, rows_format, graph_format, default_graph=default_graph,
            named_graphs=named_graphs, deadline=deadline, base_iri=base_iri), key=key)

    async def select(self, text: str) -> QueryResult:
        """A query of the pages and the API: :meth:`arun` on the whole dataset."""
        return await self.arun(text)

    def timed_out(self) -> QueryTimeout:
        return QueryTimeout(f"the query ran past the time limit of {self.timeout:g} s; narrow "
                            "it (a more specific pattern, LIMIT) or ask the operator for a "
                            "longer --timeout")

    def cap_exceeded(self) -> ResultCapExceeded:
        return ResultCapExceeded(f"the query answers more than {self.max_rows} rows, the "
                                 "server's cap; add LIMIT (and OFFSET to page through)")

    def _run_local(self, text: str, default_graph: Sequence[str] | None,
                   named_graphs: Sequence[str] | None, deadline: float,
                   base_iri: str | None = None) -> QueryResult:
        with query_errors(text):
            answer = self._query(text, default_graph, named_graphs, base_iri)
            if isinstance(answer, ox.QueryBoolean):
                return QueryResult("ASK", boolean=bool(answer))
            if isinstance(answer, ox.QuerySolutions):
                names = tuple(v.value for v in answer.variables)
                rows = []
                for number, solution in enumerate(answer, start=1):
                    rows.append(dict(zip(names, solution)))
                    if number % _CHECK_EVERY == 0 and time.monotonic() > deadline:
                        raise self.timed_out()
                    if number > self.max_rows:
                        raise self.cap_exceeded()
                return QueryResult("SELECT", variables=names, rows=tuple(rows))
            triples = self._triples(cast("ox.QueryTriples", answer), deadline)
            return QueryResult(query_kind(text), triples=tuple(triples))

    def _triples(self, answer: ox.QueryTriples, deadline: float) -> list[ox.Triple]:
        """The triples of a CONSTRUCT or DESCRIBE, within the limits."""
        triples = []
        for number, triple in enumerate(answer, start=1):
            triples.append(triple)
            if number % _CHECK_EVERY == 0 and time.monotonic() > deadline:
                raise self.timed_out()
            if number > self.max_rows:
                raise self.cap_exceeded()
        return triples

    def _query(self, text: str, default_graph: Sequence[str] | None,
               named_graphs: Sequence[str] | None, base_iri: str | None = None) -> object:
        """pyoxigraph's answer: the project prefixes, the base IRI, the dataset of the query.

        The project prefixes and the base IRI are given only to a query that does
        not parse without them (one that does means the same with them): pyoxigraph
        reads the map of some fifty prefixes anew for every query, which takes longer
        than answering a selective one.
        """
        from ..prefixes import PREFIXES

        assert self.local is not None
        options: dict[str, object] = {}
        if default_graph is not None:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        if named_graphs is not None:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            return self.local.store.query(text, **options)  # type: ignore[arg-type]
        except SyntaxError:
            return self.local.store.query(text, prefixes=PREFIXES, base_iri=base_iri,
                                          **options)  # type: ignore[arg-type]

    async def _in_thread(self, work: Callable[[float], T], *, key: Hashable = None) -> T:
        """``work(deadline)`` in a worker thread, answered at the time limit at the latest.

        ``key`` names the work (a query and its options): work of a key whose last run on
        the local graph took less than :data:`QUICK` seconds runs at once, on the event
        loop, sparing the hop to a thread and back (half the cost of a selective query over
        HTTP). The server's graph does not change, so what was quick stays quick; a run
        that is not drops the key again. Only known quick work runs there: a new or costly
        query never holds up the other requests.
        """
        deadline = time.monotonic() + self.timeout
        quick = key is not None and self.local is not None
        if quick and key in self._quick:
            started = time.perf_counter()
            try:
                return work(deadline)
            finally:
                if time.perf_counter() - started > QUICK:
                    self._quick.pop(key, None)
        if quick:
            inner = work

            def work(deadline: float) -> T:
                started = time.perf_counter()
                done = inner(deadline)
                if time.perf_counter() - started < QUICK:
                    if len(self._quick) >= QUICK_KEYS:
                        self._quick.clear()  # bounded: start again
                    self._quick[key] = None
                return done

        loop = asyncio.get_running_loop()
        answer: asyncio.Future[T] = loop.create_future()
        expiry = loop.call_later(self.timeout + 0.05, self._expire, answer)
        self.pool.answer(loop, answer, work, deadline)
        try:
            return await answer
        finally:
            expiry.cancel()

    def _expire(self, answer: asyncio.Future[Any]) -> None:
        _settle(answer, False, self.timed_out())

    def close(self) -> None:
        self.pool.shutdown()


__all__ = ["Dataset", "QueryTimeout", "ResultCapExceeded", "Written"]
