"""A loopback server speaking the part of the Hugging Face Hub's file API that downloads use.

``HEAD`` and ``GET /{repo_id}/resolve/{revision}/{filename}`` with the headers ``huggingface_hub``
reads (``X-Repo-Commit``, ``ETag``, ``Content-Length``) and the Hub's error codes
(``X-Error-Code: RepositoryNotFound | RevisionNotFound | EntryNotFound``); ``Range`` requests for
resumed downloads. Behaviours per file name, for fault tests: ``drop`` (promise the whole file,
send a third, hang up), ``slow`` (send in small chunks with pauses), ``wrong`` (serve other bytes
than the ETag says), ``hang`` (accept the request and never answer), ``stall`` (answer the ``GET``
with its headers, send nothing more), ``trickle`` (send the body a byte every ``trickle_every``
seconds), or an HTTP status (``"404"``, ``"500"``, ``"502"``, ``"503"``: a plain error answer
without the Hub's ``X-Error-Code``). A waiting answer ends when the server closes. Used by tests
that point ``HF_ENDPOINT`` at it; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

COMMIT = "0123456789abcdef0123456789abcdef01234567"


class FakeHub:
    """``with FakeHub({"tiny.stance": b"..."}, repo_id="org/models", revision="v1") as hub: hub.url``."""

    def __init__(self, files: dict[str, bytes], *, repo_id: str, revision: str, commit: str = COMMIT,
                 behaviour: dict[str, str] | None = None, trickle_every: float = 0.5) -> None:
        self.files = dict(files)
        self.repo_id, self.revision, self.commit = repo_id, revision, commit
        self.behaviour = dict(behaviour or {})
        self.trickle_every = trickle_every
        self.requests: list[tuple[str, str]] = []
        self._closing = threading.Event()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                hub._answer(self, head=True)

            def do_GET(self) -> None:
                hub._answer(self, head=False)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> "FakeHub":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()  # answers that wait (hang, stall, trickle) end
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

    def gets(self) -> list[str]:
        """The paths of the GET requests (file transfers) received so far."""
        return [p for m, p in self.requests if m == "GET"]

    # ------------------------------------------------------------------ the API
    def _error(self, h: BaseHTTPRequestHandler, status: int, code: str, head: bool) -> None:
        body = b'{"error": "' + (code or "failed").encode() + b'"}'
        h.send_response(status)
        if code:
            h.send_header("X-Error-Code", code)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(0 if head else len(body)))
        h.end_headers()
        if not head:
            h.wfile.write(body)

    def _answer(self, h: BaseHTTPRequestHandler, head: bool) -> None:
        path = unquote(urlsplit(h.path).path)
        self.requests.append(("HEAD" if head else "GET", path))
        repo, sep, rest = path.lstrip("/").partition("/resolve/")
        if not sep or repo != self.repo_id:
            return self._error(h, 401, "RepositoryNotFound", head)
        revision, _, filename = rest.partition("/")
        if revision not in (self.revision, self.commit):
            return self._error(h, 404, "RevisionNotFound", head)
        if filename not in self.files:
            return self._error(h, 404, "EntryNotFound", head)
        body = self.files[filename]
        mode = self.behaviour.get(filename, "")
        if mode == "hang":
            self._closing.wait()
            return
        if mode.isdigit():
            return self._error(h, int(mode), "", head)
        etag = hashlib.sha256(body).hexdigest()
        if mode == "wrong":
            body = bytes(reversed(body))
        start = 0
        rng = h.headers.get("Range", "")
        if rng.startswith("bytes=") and rng[6:].split("-")[0].isdigit():
            start = min(int(rng[6:].split("-")[0]), len(body))
        h.send_response(206 if start else 200)
        h.send_header("X-Repo-Commit", self.commit)
        h.send_header("ETag", f'"{etag}"')
        h.send_header("Accept-Ranges", "bytes")
        h.send_header("Content-Type", "application/octet-stream")
        h.send_header("Content-Length", str(len(body) - start))
        if start:
            h.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        h.end_headers()
        if head:
            return
        data = body[start:]
        if mode == "drop":
            h.wfile.write(data[: len(data) // 3])
            h.wfile.flush()
            h.close_connection = True
            return
        if mode == "slow":
            for i in range(0, len(data), 4096):
                h.wfile.write(data[i : i + 4096])
                h.wfile.flush()
                time.sleep(0.05)
            return
        if mode == "stall":
            self._closing.wait()
            return
        if mode == "trickle":
            try:
                for i in range(len(data)):
                    if self._closing.wait(self.trickle_every):
                        return
                    h.wfile.write(data[i : i + 1])
                    h.wfile.flush()
            except OSError:  # the client gave up
                h.close_connection = True
            return
        h.wfile.write(data)
