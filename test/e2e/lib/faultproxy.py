"""A fault-injecting HTTPS proxy in front of the e2e kube-apiserver, for the webhook's API client.

It terminates TLS with a certificate of the test's (so it can read and change what passes), and
forwards each request to the real apiserver as cluster-admin (its client certificate; the
client's own Authorization is dropped). Watch responses are streamed line by line. Faults, set
from the test at any time:
  - delay: seconds before each response, and before each watch event;
  - fail_status: answer every request with this status (a Kubernetes Status), e.g. 503;
  - gone_watches: the next N watches get one ERROR event with code 410, then end;
  - drop_watches(): close every watch the client has open, mid-stream;
  - down() / up(): stop listening (connections refused) and close every connection; listen again
    on the same port.
`requests` records (time, kind) of every request that reached it, kind "watch" or "get".
"""

import http.client
import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from lib.controlplane import admin_endpoint

GONE = {"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                    "message": "too old resource version: 1 (2)", "reason": "Expired", "code": 410}}


class FaultProxy:
    def __init__(self, upstream_env, cert_dir):
        self.upstream = admin_endpoint(upstream_env)
        self.cert_dir = Path(cert_dir)
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(self.cert_dir / "tls.crt", self.cert_dir / "tls.key")
        self.lock = threading.Lock()
        self.delay = 0.0
        self.fail_status = None
        self.gone_watches = 0
        self.requests = []
        self.connections = set()  # client sockets open now
        self.watches = set()  # (client socket, upstream connection) of the watches streaming now
        self.server = None
        self.port = 0
        self.up()

    # --- the faults

    def drop_watches(self):
        with self.lock:
            watches = list(self.watches)
        for client, upstream in watches:
            _shut(client)
            if upstream.sock:
                _shut(upstream.sock)
        return len(watches)

    def down(self):
        self.server.shutdown()
        self.server.server_close()
        with self.lock:
            connections = list(self.connections)
        for sock in connections:
            _shut(sock)
        self.drop_watches()

    def up(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                with proxy.lock:
                    proxy.connections.add(self.connection)

            def finish(self):
                with proxy.lock:
                    proxy.connections.discard(self.connection)
                try:
                    super().finish()
                except OSError:
                    pass

            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 - the http.server interface
                proxy.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.server.socket = self.tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.down()

    def count(self, kind, since=0.0):
        with self.lock:
            return sum(1 for at, k in self.requests if k == kind and at >= since)

    def kubeconfig(self, path):
        """A kubeconfig for the webhook: this proxy, its CA, a token it never checks."""
        Path(path).write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": "fault-proxy",
            "clusters": [{"name": "fault-proxy", "cluster": {
                "server": f"https://127.0.0.1:{self.port}",
                "certificate-authority": str(self.cert_dir / "ca.crt")}}],
            "users": [{"name": "fault-proxy", "user": {"token": "unchecked"}}],
            "contexts": [{"name": "fault-proxy", "context": {"cluster": "fault-proxy", "user": "fault-proxy"}}]}))
        return path

    # --- one request

    def handle(self, h):
        watch = "watch=1" in h.path or "watch=true" in h.path
        with self.lock:
            self.requests.append((time.monotonic(), "watch" if watch else "get"))
            fail, delay = self.fail_status, self.delay
            gone = watch and self.gone_watches > 0
            if gone:
                self.gone_watches -= 1
        if delay:
            time.sleep(delay)
        if fail:
            return self.reply(h, fail, json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                                   "message": "injected by the fault proxy", "code": fail}))
        if gone:
            self.start_stream(h)
            self.chunk(h, json.dumps(GONE).encode() + b"\n")
            return self.chunk(h, b"")
        host, port, ctx = self.upstream
        upstream = http.client.HTTPSConnection(host, port, context=ctx, timeout=900)
        try:
            upstream.request("GET", h.path, headers={"Accept": h.headers.get("Accept", "application/json")})
            response = upstream.getresponse()
            if not watch or response.status != 200:
                return self.reply(h, response.status, response.read(), response.getheader("Content-Type"))
            self.stream(h, upstream, response)
        except OSError:
            h.close_connection = True
        finally:
            upstream.close()

    def stream(self, h, upstream, response):
        self.start_stream(h)
        entry = (h.connection, upstream)
        with self.lock:
            self.watches.add(entry)
        try:
            while True:
                line = response.readline()
                if not line:
                    return self.chunk(h, b"")
                if self.delay:
                    time.sleep(self.delay)
                self.chunk(h, line)
        finally:
            with self.lock:
                self.watches.discard(entry)

    @staticmethod
    def reply(h, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else body.encode()
        h.send_response(status)
        h.send_header("Content-Type", content_type or "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    @staticmethod
    def start_stream(h):
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()

    @staticmethod
    def chunk(h, data):
        h.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        h.wfile.flush()


def _shut(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
