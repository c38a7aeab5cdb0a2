#!/usr/bin/env python3
"""An IMDS without IMDSv2 in front of amazon-ec2-metadata-mock.

Usage: imds-v1-proxy.py MOCK_PORT TOKEN_STATUS
Listens on 127.0.0.1 at a free port and prints "listening PORT" on stdout.
`PUT /latest/api/token` is answered with TOKEN_STATUS (403: metadata tokens
disabled, 404: an old IMDS, 405: a proxy that refuses PUT); every other
request is forwarded to the mock on 127.0.0.1:MOCK_PORT without a token
header, so the mock (started without -I) serves it as IMDSv1.
"""
import http.client
import http.server
import sys

MOCK_PORT = int(sys.argv[1])
TOKEN_STATUS = int(sys.argv[2])


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self, status, body, content_type="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self._answer(TOKEN_STATUS, b"IMDSv2 is not available here")

    def do_GET(self):
        if self.headers.get("X-aws-ec2-metadata-token"):
            # There is no token to have: a client sending one did not fall back.
            self._answer(400, b"unexpected token header")
            return
        conn = http.client.HTTPConnection("127.0.0.1", MOCK_PORT, timeout=5)
        conn.request("GET", self.path)
        res = conn.getresponse()
        self._answer(res.status, res.read(), res.getheader("Content-Type", "text/plain"))
        conn.close()

    def log_message(self, fmt, *args):
        sys.stderr.write("imds-v1-proxy: " + (fmt % args) + "\n")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print("listening", server.server_address[1], flush=True)
server.serve_forever()
