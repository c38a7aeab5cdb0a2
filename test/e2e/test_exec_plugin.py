"""`serve --kubeconfig` whose user is an exec credential plugin (what EKS kubeconfigs do with
`aws eks get-token`), against a real kube-apiserver that authenticates static tokens
(--token-auth-file: a control plane of the module's own, `own_cluster`, since the shared one must
not take that flag nor the restarts that rotate the token). The plugin is a script: it prints an
ExecCredential with the token in plugin-token and counts its runs in `runs`. (Was exec-plugin.sh.)
  - serve syncs with that kubeconfig and the apiserver mutates a pod through it
  - one plugin run serves the LISTs and WATCHes of ServiceAccounts and the ConfigMap (cached token)
  - the token is rotated server-side (apiserver restarted with a new token file): the 401 on the
    old token runs the plugin again and the watches resume
  - an expirationTimestamp in the past makes every request run the plugin
  - a failing plugin: serve logs its stderr and keeps retrying

The tests of this module run in order: each step changes the cluster for the next."""

import json
import time
from pathlib import Path

import pytest
import yaml

from lib.admission import create_pod, wait_dry_run
from lib.kube import Kube, service_account
from lib.pods import env_of, env_value, mutated_as, mutation
from lib.poll import poll

NS = "irsa-exec"
ROLE_ARN = "arn:aws:iam::111122223333:role/exec-plugin"
TOKEN_A = f"exec-token-a-{time.time_ns()}"
TOKEN_B = f"exec-token-b-{time.time_ns()}"

# The plugin: counts its runs; fails while plugin-fails exists; adds plugin-expiry's timestamp.
PLUGIN = """#!/bin/sh
d="$(dirname "$0")"
n=$(( $(cat "$d/runs" 2>/dev/null || echo 0) + 1 ))
echo "$n" >"$d/runs"
if [ -e "$d/plugin-fails" ]; then
  echo "plugin: cannot reach the identity provider" >&2
  exit 2
fi
expiry=""
[ -e "$d/plugin-expiry" ] && expiry=",\\"expirationTimestamp\\":\\"$(cat "$d/plugin-expiry")\\""
printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"%s"%s}}\\n' \\
  "$(cat "$d/plugin-token")" "${expiry}"
"""


class Plugin:
    """The plugin's directory: plugin.sh, its inputs (token, expiry, fails) and its run count."""

    def __init__(self, path):
        self.dir = path
        (path / "plugin.sh").write_text(PLUGIN)
        (path / "plugin.sh").chmod(0o755)

    def token(self, token):
        (self.dir / "plugin-token").write_text(token)

    def runs(self):
        f = self.dir / "runs"
        return int(f.read_text()) if f.exists() else 0

    def reset_runs(self):
        (self.dir / "runs").unlink(missing_ok=True)

    def set(self, name, content=None):
        """plugin-expiry / plugin-fails: written with content, or removed when None."""
        if content is None:
            (self.dir / name).unlink(missing_ok=True)
        else:
            (self.dir / name).write_text(content)


def tokens_csv(token):
    # A member of system:masters: the test is about authentication, not RBAC.
    return f'{token},exec-plugin-user,exec-plugin-uid,"system:masters"\n'


@pytest.fixture(scope="module")
def plugin(tmp_path_factory):
    p = Plugin(tmp_path_factory.mktemp("exec-plugin"))
    p.token(TOKEN_A)
    return p


@pytest.fixture(scope="module")
def apiserver(own_cluster, plugin):
    """(ControlPlane, admin Kube), its apiserver accepting TOKEN_A (tokens.csv, rewritten to rotate)."""
    tokens = plugin.dir / "tokens.csv"
    tokens.write_text(tokens_csv(TOKEN_A))
    return own_cluster({"IRSA_E2E_APISERVER_ARGS": f"--token-auth-file={tokens}"})


@pytest.fixture(scope="module")
def exec_kubeconfig(apiserver, plugin):
    """The same cluster, its user the plugin. The command is relative to the kubeconfig, the way
    clientcmd resolves it."""
    admin = yaml.safe_load(Path(apiserver[0].kubeconfig).read_text())
    config = {
        "apiVersion": "v1", "kind": "Config", "current-context": "exec",
        "clusters": [{"name": "e2e", "cluster": admin["clusters"][0]["cluster"]}],
        "contexts": [{"name": "exec", "context": {"cluster": "e2e", "user": "plugin"}}],
        "users": [{"name": "plugin", "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1", "command": "./plugin.sh",
            "interactiveMode": "Never", "installHint": "the e2e writes plugin.sh next to this kubeconfig"}}}],
    }
    path = plugin.dir / "exec.kubeconfig"
    path.write_text(yaml.safe_dump(config))
    return str(path)


@pytest.fixture(scope="module")
def serve(webhook, apiserver, exec_kubeconfig):
    """serve(*extra_args): serve --kubeconfig <the plugin's> -v 3, its log among the apiserver's."""
    return lambda *args: webhook("--kubeconfig", exec_kubeconfig, *args, "-v", "3", logs=apiserver[0].logs)


@pytest.fixture(scope="module")
def state():
    return {}


def test_the_apiserver_accepts_the_plugins_token(apiserver, exec_kubeconfig, plugin):
    cp, _ = apiserver
    api = json.loads(Kube(cp.env["KUBECTL"], exec_kubeconfig).run("get", "--raw", "/api").stdout)
    assert api["kind"] == "APIVersions"
    plugin.reset_runs()


@pytest.mark.timeout(120)
def test_serve_syncs_through_the_plugin(apiserver, serve, register, state):
    _, kube = apiserver
    kube.namespace(NS, {"irsa-e2e": "enabled"})
    kube.apply(service_account(NS, "s3-reader", {"eks.amazonaws.com/role-arn": ROLE_ARN}))
    wh = state["wh"] = serve("--watch-config-map", "--namespace", NS)
    assert wh.wait_log(20, "ServiceAccount cache synced")
    assert wh.wait_log(10, "ConfigMap pod-identity-webhook loaded")
    register(wh, kube)
    ok, last = wait_dry_run(kube, 20, "probe", "s3-reader", NS, lambda p: "AWS_ROLE_ARN" in
                            env_of(p["spec"]["containers"][0]))
    assert ok, last


def test_the_stored_pod_is_mutated_with_one_plugin_run(apiserver, plugin):
    _, kube = apiserver
    assert mutation(create_pod(kube, "app", "s3-reader", NS)) == mutated_as(ROLE_ARN)
    assert plugin.runs() == 1, "one run for the two LISTs and two WATCHes (cached token)"


@pytest.mark.timeout(120)
def test_a_rotated_token_is_refreshed_on_401(apiserver, plugin, state):
    cp, kube = apiserver
    wh = state["wh"]
    plugin.token(TOKEN_B)
    wh.log_mark()
    (plugin.dir / "tokens.csv").write_text(tokens_csv(TOKEN_B))
    cp.run("restart-apiserver")
    kube.apply(service_account(NS, "after-rotation", {"eks.amazonaws.com/role-arn": f"{ROLE_ARN}-2"}))
    ok, last = wait_dry_run(kube, 30, "rotated", "after-rotation", NS,
                            lambda p: env_value(p, "AWS_ROLE_ARN") == f"{ROLE_ARN}-2")
    assert ok, last
    assert plugin.runs() == 2, "the 401 on the old token ran the plugin once more"
    log = wh.log.read_text()
    assert "HTTP 401" in log, "the apiserver refused the old token (a watch failed with HTTP 401)"
    assert "] kubeconfig exec plugin failed" not in log
    wh.stop(10)


@pytest.mark.timeout(60)
def test_an_expired_token_runs_the_plugin_again(serve, plugin):
    plugin.reset_runs()
    plugin.set("plugin-expiry", "2000-01-01T00:00:00Z\n")
    wh = serve("--watch-config-map", "--namespace", NS)
    assert wh.wait_log(20, "ServiceAccount cache synced")
    # The two LISTs (ServiceAccounts, ConfigMap) start together and share one run, as do the two
    # WATCHes: an expired token means at least a second run.
    assert poll(10, lambda: plugin.runs() >= 2), f"{plugin.runs()} runs"
    wh.stop(10)


@pytest.mark.timeout(120)
def test_a_failing_plugin_is_logged_and_retried(serve, plugin):
    plugin.reset_runs()
    plugin.set("plugin-expiry")
    plugin.set("plugin-fails", "")
    wh = serve()
    assert poll(10, lambda: "cannot reach the identity provider" in wh.log.read_text()), "its stderr is logged"
    assert poll(20, lambda: plugin.runs() >= 2), "run again after the reflector's backoff"
    assert wh.readyz() == 503, "not ready while no credential works"
    plugin.set("plugin-fails")
    assert wh.wait_log(60, "ServiceAccount cache synced"), "once the plugin works again, serve syncs"
    wh.stop(10)
