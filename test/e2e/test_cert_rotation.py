"""The serving certificate rotated under load (issue #11 section 2), as the kubelet updates a
Secret volume (a new timestamped directory, then the `..data` symlink renamed over the old one):
A -> B -> C, C two days from expiry, then a corrupt pair. Meanwhile clients post reviews on
kept-alive connections and on a new connection each, and the real apiserver dry-runs pod creates
through the webhook; all trust one CA, as a caBundle does across a renewal of the leaf.

Pass: not one request fails; new connections get each certificate in turn; connections opened
before a rotation keep working; the expiry metric is each certificate's notAfter; the corrupt pair
is refused with a warning and the last good certificate stays served.
"""

import datetime
import http.client
import json
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest
import yaml

from lib.admission import dry_run_env
from lib.controlplane import admin_endpoint
from lib.kube import service_account
from lib.poll import poll
from lib.webhook import decoded_patch, pod_review

NS = "irsa-rotation"
ROLE = "arn:aws:iam::111122223333:role/rotation"
EXPIRY = "irsa_webhook_tls_certificate_expiry_timestamp_seconds"


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def leaf(pki, name, days, serial):
    """pki/<name>/{tls.crt,tls.key} for 127.0.0.1, signed by pki/ca; (DER, notAfter in Unix seconds)."""
    out = pki / name
    out.mkdir()
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", out / "tls.key",
            "-out", out / "tls.csr", "-subj", "/CN=127.0.0.1", cwd=pki)
    (out / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                                 "extendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", out / "tls.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", str(serial),
            "-days", str(days), "-extfile", out / "ext.cnf", "-out", out / "tls.crt", cwd=pki)
    der = ssl.PEM_cert_to_DER_cert((out / "tls.crt").read_text())
    end = subprocess.run(["openssl", "x509", "-noout", "-enddate", "-in", out / "tls.crt"], check=True,
                         capture_output=True, text=True).stdout.strip().removeprefix("notAfter=")
    not_after = datetime.datetime.strptime(end, "%b %d %H:%M:%S %Y %Z").replace(tzinfo=datetime.timezone.utc)
    return der, not_after.timestamp()


class Secret:
    """A Secret volume as the kubelet lays it out: tls.crt -> ..data/tls.crt, ..data -> ..<version>."""

    def __init__(self, root):
        self.dir = root / "secret"
        self.dir.mkdir()
        self.versions = 0

    def publish(self, cert_pem, key_pem):
        self.versions += 1
        version = self.dir / f"..v{self.versions}"
        version.mkdir()
        (version / "tls.crt").write_bytes(cert_pem)
        (version / "tls.key").write_bytes(key_pem)
        (self.dir / "..data_tmp").symlink_to(version.name)
        (self.dir / "..data_tmp").rename(self.dir / "..data")
        for name in ("tls.crt", "tls.key"):
            if not (self.dir / name).is_symlink():
                (self.dir / name).symlink_to(Path("..data") / name)


def mutated(data):
    return "AWS_ROLE_ARN" in json.dumps(decoded_patch(json.loads(data)["response"]))


class Load:
    """Clients of three kinds until stop(); every failure kept with its reason."""

    def __init__(self, port, ctx, env):
        self.port, self.ctx, self.env = port, ctx, env
        self.halt = threading.Event()
        self.lock = threading.Lock()
        self.ok = {"kept-alive": 0, "new connection": 0, "apiserver": 0}
        self.failures = []
        self.served = []  # (time, DER) of each new connection's certificate
        self.threads = [threading.Thread(target=self.kept_alive) for _ in range(2)] + \
            [threading.Thread(target=self.new_connections) for _ in range(2)] + \
            [threading.Thread(target=self.apiserver)]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        self.halt.set()
        for t in self.threads:
            t.join(30)

    def count(self, kind, ok, reason=""):
        with self.lock:
            if ok:
                self.ok[kind] += 1
            else:
                self.failures.append(f"{kind}: {reason}")

    def kept_alive(self):
        conn, k = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=10), 0
        while not self.halt.is_set():
            k += 1
            try:
                conn.request("POST", "/mutate?timeout=10s", pod_review(f"kept-{k}", NS, "app"),
                             {"Content-Type": "application/json"})
                response = conn.getresponse()
                data = response.read()
                self.count("kept-alive", response.status == 200 and mutated(data), response.status)
            except (OSError, http.client.HTTPException) as error:
                self.count("kept-alive", False, repr(error))
                conn.close()
            time.sleep(0.005)
        conn.close()

    def new_connections(self):
        k = 0
        while not self.halt.is_set():
            k += 1
            try:
                raw = socket.create_connection(("127.0.0.1", self.port), timeout=10)
                with self.ctx.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
                    der = sock.getpeercert(binary_form=True)
                    body = pod_review(f"new-{k}", NS, "app")
                    sock.sendall(b"POST /mutate?timeout=10s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                                 b"Content-Type: application/json\r\nContent-Length: " + str(len(body)).encode() +
                                 b"\r\n\r\n" + body)
                    response = http.client.HTTPResponse(sock)
                    response.begin()
                    data = response.read()
                with self.lock:
                    self.served.append((time.monotonic(), der))
                self.count("new connection", response.status == 200 and mutated(data), response.status)
            except (OSError, http.client.HTTPException) as error:
                self.count("new connection", False, repr(error))
            time.sleep(0.005)

    def apiserver(self):
        host, port, ctx = admin_endpoint(self.env)
        conn, k = http.client.HTTPSConnection(host, port, context=ctx, timeout=30), 0
        while not self.halt.is_set():
            k += 1
            try:
                status, envs, data = dry_run_env(conn, f"rot-{k}", "app", NS)
                self.count("apiserver", "AWS_ROLE_ARN" in envs, f"{status}: {data[:300]!r}")
            except (OSError, http.client.HTTPException, KeyError, ValueError) as error:
                self.count("apiserver", False, repr(error))
                conn.close()
            time.sleep(0.05)
        conn.close()

    def last_served(self):
        with self.lock:
            return self.served[-1][1] if self.served else None

    def served_since(self, t):
        with self.lock:
            return {der for at, der in self.served if at >= t}


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    root = tmp_path_factory.mktemp("rotation")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
            "-out", "ca.crt", "-days", "30", "-subj", "/CN=irsa-rotation-ca", cwd=root)
    return root


def test_the_certificate_rotates_under_load_without_a_failed_request(webhook, kube, register, pki, cluster):
    certs = {name: leaf(pki, name, days, serial) for name, days, serial in
             (("a", 30, 1), ("b", 30, 2), ("c", 2, 3))}
    secret = Secret(pki)
    pem = {name: ((pki / name / "tls.crt").read_bytes(), (pki / name / "tls.key").read_bytes()) for name in certs}
    secret.publish(*pem["a"])
    (secret.dir / "ca.crt").write_bytes((pki / "ca.crt").read_bytes())  # for the fixture's Webhook only
    sa_file = pki / "serviceaccounts.yaml"
    sa_file.write_text(yaml.safe_dump(service_account(NS, "app", {"eks.amazonaws.com/role-arn": ROLE})))
    wh = webhook("--service-accounts", sa_file, cert_dir=secret.dir)
    kube.namespace(NS, {"irsa-e2e": "enabled"})
    kube.apply(service_account(NS, "app"))
    register(wh)
    assert wh.metric(EXPIRY) == pytest.approx(certs["a"][1])

    ctx = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    load = Load(wh.port, ctx, cluster.env).start()
    try:
        assert poll(10, lambda: load.last_served() == certs["a"][0]), "certificate A never served"
        for name, previous in (("b", "a"), ("c", "b")):
            time.sleep(1.0)  # load on the old certificate first
            wh.log_mark()
            rotated_at = time.monotonic()
            secret.publish(*pem[name])
            assert poll(10, lambda n=name: load.last_served() == certs[n][0]), f"certificate {name} never served"
            assert wh.wait_log(5, "Serving certificate reloaded")
            assert wh.metric(EXPIRY) == pytest.approx(certs[name][1])
            # Handshakes that began before the swap get the old one; nothing else is served.
            assert load.served_since(rotated_at) <= {certs[name][0], certs[previous][0]}
        # Two days left on C: the metric shows it.
        assert wh.metric(EXPIRY) - time.time() < 2 * 86400 + 60

        # A corrupt pair: a truncated certificate with B's key. Refused with a warning; C stays.
        wh.log_mark()
        secret.publish(pem["b"][0][:200], pem["b"][1])
        assert wh.wait_log(10, "Serving certificate not reloaded, keeping the last good one"), wh.log_since_mark()
        refused_at = time.monotonic()
        time.sleep(1.5)
        assert load.served_since(refused_at) == {certs["c"][0]}
        assert wh.metric(EXPIRY) == pytest.approx(certs["c"][1])
    finally:
        load.stop()

    print(f"\n  requests answered: {load.ok}; failed: {len(load.failures)}; "
          f"certificates seen by new connections: {len({der for _, der in load.served})}")
    assert not load.failures, load.failures[:10]
    assert all(n > 0 for n in load.ok.values()), load.ok
