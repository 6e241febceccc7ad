"""The worker class of ``timebank serve``: gunicorn's arbiter forks, watches and replaces
the worker processes (``--workers``), and inside each one waitress serves the app.

Why waitress inside: gunicorn's threaded worker hands a connection to a thread as soon as
its first byte arrives, and the thread then reads the rest; a client sending one byte a
second holds a thread for minutes, so 16 of them starve 2 workers x 8 threads. waitress
reads every request whole in its event loop (headers and body, in memory and then in a
temporary file) and gives its threads complete requests only: a slow client holds a
socket and a buffer, never a thread, and the threads are for the app and the database.

The server's own errors (a malformed header 400, a target over the line limit 414,
headers over the limit 431, a body over the limit 413, an unknown transfer coding 501)
answer problem+json like every error of the API (``webapi.server_errors``).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.workers.base import Worker
from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher

from webapi.config import Settings
from webapi.server_errors import problem_parts

LINE_LIMIT = 8190  # bytes of a request target, as gunicorn's limit of a header line
FIELD_LIMIT = 8190  # bytes of one header line
HEADER_LIMIT = 65536  # bytes of the request line and every header together
BODY_SLACK = 65536  # waitress stops a body early; the app's own limit is the exact one
# waitress warns "Task queue depth is N" for every request that waits for a thread: under
# a burst that is a line per request, a flood in the log (and a server whose stderr is an
# unread pipe stalls on it). Waiting for a thread is the normal state of a busy server.
QUEUE_LOG_LEVEL = logging.ERROR

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


class ProblemErrorTask(ErrorTask):  # type: ignore[misc]
    """waitress's answer to a request it could not read, as problem+json."""

    def execute(self) -> None:
        error = self.request.error
        headers, body = problem_parts(error.code, error.reason, str(error.body))
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend(headers)
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class Channel(HTTPChannel):  # type: ignore[misc]
    error_task_class = ProblemErrorTask


class Listener(TcpWSGIServer):  # type: ignore[misc]
    channel_class = Channel


def line_limits(app: WSGIApp) -> WSGIApp:
    """414 for a request target over ``LINE_LIMIT`` bytes, 431 for one header line over
    ``FIELD_LIMIT`` (waitress itself limits only all the headers together)."""

    def limited(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if len(environ.get("REQUEST_URI", "")) > LINE_LIMIT:
            return _refuse(start_response, 414, "URI Too Long",
                           f"the request target is over {LINE_LIMIT} bytes")
        for name, value in environ.items():
            if name.startswith("HTTP_") and len(name) + len(str(value)) > FIELD_LIMIT:
                return _refuse(start_response, 431, "Request Header Fields Too Large",
                               f"a header line is over {FIELD_LIMIT} bytes")
        return app(environ, start_response)

    return limited


def _refuse(start_response: StartResponse, status: int, reason: str,
            detail: str) -> list[bytes]:
    headers, body = problem_parts(status, reason, detail)
    start_response(f"{status} {reason}", [*headers, ("Content-Length", str(len(body)))])
    return [body]


class BufferedWorker(Worker):  # type: ignore[misc]
    """One gunicorn worker process serving the app with waitress on the inherited
    listening sockets: ``--threads`` app threads, ``worker_connections`` connections."""

    def run(self) -> None:
        logging.getLogger("waitress.queue").setLevel(QUEUE_LOG_LEVEL)
        settings = Settings.load()
        adj = Adjustments(
            sockets=[listener.sock for listener in self.sockets], threads=self.cfg.threads,
            connection_limit=self.cfg.worker_connections,
            max_request_header_size=HEADER_LIMIT,
            max_request_body_size=settings.max_body + BODY_SLACK,
            channel_timeout=max(30, int(self.cfg.timeout)), ident="timebank",
            asyncore_use_poll=True, expose_tracebacks=False)
        dispatcher = ThreadedTaskDispatcher()
        dispatcher.set_thread_count(adj.threads)
        channels: dict[int, Any] = {}
        app = line_limits(self.wsgi)
        listeners = [Listener(app, channels, True, sock, dispatcher=dispatcher, adj=adj,
                              bind_socket=False,
                              sockinfo=(sock.family, sock.type, sock.proto,
                                        sock.getsockname()))
                     for sock in adj.sockets if sock.family in (socket.AF_INET,
                                                                 socket.AF_INET6)]
        while self.alive:
            self.notify()
            if self.ppid != os.getppid():
                break  # the arbiter is gone
            wasyncore.loop(timeout=1.0, map=channels, use_poll=True, count=1)
        self._drain(listeners, channels, dispatcher)

    def _drain(self, listeners: list[Any], channels: dict[int, Any],
               dispatcher: ThreadedTaskDispatcher) -> None:
        """Stop accepting, give the requests in hand ``graceful_timeout`` to finish."""
        for listener in listeners:
            listener.accepting = False
            listener.del_channel()
        deadline = time.monotonic() + self.cfg.graceful_timeout
        while any(getattr(c, "requests", None) for c in channels.values()) and \
                time.monotonic() < deadline:
            self.notify()
            wasyncore.loop(timeout=0.5, map=channels, use_poll=True, count=1)
        dispatcher.shutdown(cancel_pending=True, timeout=max(1, self.cfg.graceful_timeout))
        wasyncore.close_all(channels)
