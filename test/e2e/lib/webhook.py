"""`irsa-webhook serve` on loopback, learning its ports from --ready-file (never from the log)."""

import base64
import http.client
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import urllib.request
from pathlib import Path

from lib.poll import poll

SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?)\s+(\S+)")


def parse_metrics(text):
    """{'name{labels}': value} of a Prometheus text scrape (labels as written)."""
    out = {}
    for line in text.splitlines():
        m = SAMPLE.match(line)
        if m and not line.startswith("#"):
            out[m.group(1)] = float(m.group(2))
    return out


class _NamedTlsConnection(http.client.HTTPSConnection):
    """TLS to `host` (127.0.0.1), verifying (and sending SNI for) another name, as curl --resolve does."""

    def __init__(self, port, context, name, timeout, host="127.0.0.1"):
        super().__init__(host, port, context=context, timeout=timeout)
        self._name = name

    def connect(self):
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self._name)


# serve on loopback: the words of the command line before the flags every Webhook gets.
SERVE = ("serve", "--bind-address", "127.0.0.1")


class Server:
    """A webhook process (irsa-webhook, or the reference: lib/reference.py) and its HTTP endpoints: `port` (TLS,
    verified as issued for tls_name) and `metrics_port` on `host`, its output in `log`."""

    def __init__(self, certs, log, tls_name="127.0.0.1", host="127.0.0.1"):
        self.host = host
        self.certs = Path(certs)
        self.log = Path(log)
        self.tls_name = tls_name
        self.proc = None
        self.port = self.metrics_port = None
        self.mark = 0
        self.exit_code = None

    def spawn(self, cmd, env=None):
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                         env={**os.environ, **(env or {})})

    # --- the process
    def alive(self):
        return self.proc.poll() is None

    def while_alive(self, timeout, probe):
        """probe() comes true within `timeout` s; False as soon as the process exits (no waiting out the
        timeout)."""
        return poll(timeout, lambda: "exited" if not self.alive() else ("yes" if probe() else None)) == "yes"

    def kill(self):
        """SIGKILL, for a run of which only the start matters (no drain)."""
        self.proc.kill()
        self.proc.wait()
        self.exit_code = 137 if self.proc.returncode == -signal.SIGKILL else self.proc.returncode

    def stop(self, timeout=30):
        """SIGTERM, then wait; SIGKILL after `timeout` seconds. The exit code (137 when killed)."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.exit_code = 137
                return self.exit_code
        if self.exit_code is None:
            self.exit_code = self.proc.returncode
        return self.exit_code

    # --- the log
    def log_mark(self):
        self.mark = self.log.stat().st_size

    def log_since_mark(self):
        with open(self.log, "rb") as f:
            f.seek(self.mark)
            return f.read().decode(errors="replace")

    def wait_log(self, timeout, text):
        """A log message (klog text) starting with `text` appears after the mark, within `timeout` s."""
        return bool(poll(timeout, lambda: f"] {text}" in self.log_since_mark()))

    # --- HTTP
    def tls_context(self):
        return ssl.create_default_context(cafile=str(self.certs / "ca.crt"))

    def tls_request(self, method, path, body=None, timeout=15):
        """(status, body) over TLS, the certificate verified as issued for tls_name."""
        conn = _NamedTlsConnection(self.port, self.tls_context(), self.tls_name, timeout, self.host)
        headers = {"Host": f"{self.tls_name}:{self.port}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, data

    def healthz(self):
        """The body of /healthz ("ok" once serving)."""
        return self.tls_request("GET", "/healthz", timeout=5)[1].decode(errors="replace")

    def readyz(self):
        try:
            return self.tls_request("GET", "/readyz", timeout=5)[0]
        except OSError:
            return 0

    def metrics_text(self):
        url = f"http://{self.host}:{self.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode()

    def metrics(self):
        return parse_metrics(self.metrics_text())

    def metric(self, series):
        """One sample's value, 0 when absent (as the bash helper answered)."""
        return self.metrics().get(series, 0.0)

    def debug(self, path):
        url = f"http://{self.host}:{self.metrics_port}{path}"
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read()

    def review(self, ns, sa):
        """An AdmissionReview for a minimal pod straight to /mutate: the response object."""
        status, data = self.tls_request("POST", "/mutate?timeout=10s", pod_review("e2e-review", ns, sa, "direct"))
        assert status == 200, data
        return json.loads(data)["response"]

    def mutates(self, ns, sa):
        """A review of a pod of ns/sa gets a patch that sets AWS_ROLE_ARN."""
        return "AWS_ROLE_ARN" in json.dumps(decoded_patch(self.review(ns, sa)))


class Webhook(Server):
    """irsa-webhook started as `binary *command --port 0 --metrics-port 0 --tls-cert … --tls-key …
    --ready-file … --shutdown-delay 0s *args`, its ports read from the ready file once it is written
    (within 10 s). `shutdown_delay`: None keeps serve's default. `wrapper`: a command serve runs
    under, which execs it (the bench's ["taskset", "-c", "0"], `ip netns exec NS`)."""

    def __init__(self, binary, certs, log, args, tls_name="127.0.0.1", env=None, command=SERVE, wrapper=(),
                 host="127.0.0.1", shutdown_delay="0s"):
        super().__init__(certs, log, tls_name, host)
        ready = self.log.with_suffix(".ready.json")
        ready.unlink(missing_ok=True)
        self.spawn([*wrapper, binary, *command, "--port", "0", "--metrics-port", "0",
                    "--tls-cert", str(self.certs / "tls.crt"), "--tls-key", str(self.certs / "tls.key"),
                    "--ready-file", str(ready),
                    *(["--shutdown-delay", shutdown_delay] if shutdown_delay is not None else []), *args], env)
        # A short interval: the bench times serve from exec to ready.
        if not poll(10, lambda: ready.exists() or self.proc.poll() is not None, interval=0.02) or not ready.exists():
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError(f"serve did not write {ready}; its log:\n{self.log.read_text()}")
        info = json.loads(ready.read_text())
        self.port, self.metrics_port, self.pid = info["port"], info["metricsPort"], info["pid"]

    def lookups(self, outcome):
        return self.metric(f'irsa_webhook_service_account_lookups_total{{outcome="{outcome}"}}')


def pod_review(uid, ns, sa, pod_name=None):
    """The body (bytes) of an AdmissionReview v1 of a pod CREATE: one busybox container, pod `pod_name`
    (default: the uid) in `ns` with ServiceAccount `sa`."""
    return json.dumps({
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {"uid": uid, "operation": "CREATE", "namespace": ns,
                    "kind": {"group": "", "version": "v1", "kind": "Pod"},
                    "resource": {"group": "", "version": "v1", "resource": "pods"},
                    "object": {"apiVersion": "v1", "kind": "Pod",
                               "metadata": {"name": pod_name or uid, "namespace": ns},
                               "spec": {"serviceAccountName": sa,
                                        "containers": [{"name": "app", "image": "busybox"}]}}}}).encode()


def decoded_patch(response):
    """The JSON Patch of an AdmissionReview response, [] when it has none."""
    patch = response.get("patch")
    return json.loads(base64.b64decode(patch)) if patch else []
