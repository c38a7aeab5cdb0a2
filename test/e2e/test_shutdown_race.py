"""POSTs on reused connections, timed around SIGTERM and around the moment the server closes idle
connections (the end of --shutdown-delay): no request the server promised to answer goes unanswered.

A client reuses a connection as kube-apiserver's HTTP client does: not after an answer with
`Connection: close`, and not once the server's close is readable (Go's transport watches each idle
connection for it). A request written on a connection that passed both checks was promised an
answer; losing it (EOF or reset before the answer) is a broken promise. Three kinds of client:
  - busy: requests back to back, 0-20 ms apart, from before SIGTERM until the listener refuses;
  - early idlers: one request before SIGTERM, then one 100-400 ms before the delay ends, on the
    same kept-alive connection;
  - late idlers: one request before SIGTERM, then they only watch: the server must close the
    connection, cleanly and visibly, once the delay ends.
The instant the delay ends is the one an HTTP/1.1 server cannot make safe (a request may be on the
wire as it closes an idle connection); docs/architecture.md "Shutdown" says why it is left to
connections no client used for the whole delay.
"""

import http.client
import json
import random
import select
import signal
import socket
import threading
import time

from lib.kube import service_account
from lib.poll import poll
from lib.webhook import pod_review

DELAY = 2.0
BUSY, EARLY, LATE = 6, 4, 2
ROLE = "arn:aws:iam::111122223333:role/race"


class Conn:
    """One TLS connection, used the way kube-apiserver's client uses one."""

    def __init__(self, wh):
        raw = socket.create_connection(("127.0.0.1", wh.port), timeout=10)
        self.sock = wh.tls_context().wrap_socket(raw, server_hostname="127.0.0.1")
        self.reusable = True

    def closed_by_server(self):
        """The server's close_notify/FIN is readable: an idle HTTP/1.1 connection gets nothing else."""
        return bool(select.select([self.sock], [], [], 0)[0])

    def post(self, uid):
        """(status, Connection header); raises OSError/HTTPException when the answer is lost."""
        body = pod_review(uid, "race", "racer")
        head = (f"POST /mutate?timeout=10s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        self.sock.sendall(head + body)
        response = http.client.HTTPResponse(self.sock)
        response.begin()
        response.read()
        connection = (response.getheader("Connection") or "").lower()
        self.reusable = connection != "close"
        return response.status, connection

    def close(self):
        self.sock.close()


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.sigterm_at = None  # when the signal was sent
        self.draining = False  # since /readyz answered 503: the server has taken the signal

    def add(self, key, n=1):
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + n


def busy(wh, tally, stop):
    conn, k = None, 0
    while not stop.is_set():
        try:
            if conn is None or not conn.reusable or conn.closed_by_server():
                if conn is not None:
                    conn.close()
                conn = Conn(wh)
        except OSError:
            tally.add("busy refused")  # the listener is closed: no promise
            return
        k += 1
        after = tally.draining
        try:
            status, connection = conn.post(f"busy-{threading.get_ident()}-{k}")
        except (OSError, http.client.HTTPException):
            tally.add("broken promise")
            conn = None
            continue
        tally.add("answered after SIGTERM" if after else "answered before SIGTERM")
        if status != 200:
            tally.add(f"status {status}")
        if after and connection != "close":
            tally.add("kept alive after SIGTERM")
        time.sleep(random.uniform(0, 0.02))


def early_idler(wh, tally, ready):
    conn = Conn(wh)
    conn.post("early-first")
    ready.wait()
    time.sleep(max(0.0, tally.sigterm_at + DELAY - random.uniform(0.1, 0.4) - time.monotonic()))
    if conn.closed_by_server() or not conn.reusable:
        tally.add("early idler found its connection closed before the delay ended")
        return
    try:
        status, connection = conn.post("early-second")
    except (OSError, http.client.HTTPException):
        tally.add("broken promise")
        return
    tally.add("early idler answered" if status == 200 and connection == "close" else f"early idler got {status}")


def late_idler(wh, tally, ready):
    conn = Conn(wh)
    conn.post("late-first")
    ready.wait()
    deadline = tally.sigterm_at + DELAY + 3
    while time.monotonic() < deadline:
        if conn.closed_by_server():
            seen = time.monotonic() - tally.sigterm_at
            tally.add("late idler saw the close" if seen >= DELAY else "late idler closed before the delay ended")
            return
        time.sleep(0.005)
    tally.add("late idler never closed")


def test_no_answer_promised_around_sigterm_and_the_idle_close_is_lost(webhook, tmp_path):
    accounts = tmp_path / "service-accounts.json"
    accounts.write_text(json.dumps(service_account("race", "racer", {"eks.amazonaws.com/role-arn": ROLE})))
    wh = webhook("--service-accounts", accounts, "--shutdown-delay", f"{DELAY}s", logs=tmp_path)
    tally, stop, ready = Tally(), threading.Event(), threading.Event()
    threads = ([threading.Thread(target=busy, args=(wh, tally, stop)) for _ in range(BUSY)]
               + [threading.Thread(target=early_idler, args=(wh, tally, ready)) for _ in range(EARLY)]
               + [threading.Thread(target=late_idler, args=(wh, tally, ready)) for _ in range(LATE)])
    for t in threads:
        t.start()
    time.sleep(1)
    tally.sigterm_at = time.monotonic()
    wh.proc.send_signal(signal.SIGTERM)
    assert poll(2, lambda: wh.readyz() == 503, interval=0.01)
    tally.draining = True
    ready.set()
    code = wh.proc.wait(30)
    stop.set()
    for t in threads:
        t.join(15)
    counts = tally.counts
    print(counts)
    assert code == 0, wh.log.read_text()
    assert counts.get("broken promise", 0) == 0, counts
    assert counts.get("answered before SIGTERM", 0) > 0 and counts.get("answered after SIGTERM", 0) > 0, counts
    assert counts.get("kept alive after SIGTERM", 0) == 0, counts
    assert not [k for k in counts if k.startswith("status")], counts
    assert counts.get("early idler answered", 0) == EARLY, counts
    assert counts.get("late idler saw the close", 0) == LATE, counts
