"""The e2e pod and views of what the webhook did to a stored pod, for asserts that show a diff."""

import copy

TOKEN_DIR = "/var/run/secrets/eks.amazonaws.com/serviceaccount"

_POD = {
    "apiVersion": "v1", "kind": "Pod",
    "spec": {
        # Fields the webhook does not model: a sidecar's restartPolicy, startupProbe.grpc.
        "initContainers": [{"name": "log-shipper", "image": "busybox", "restartPolicy": "Always"}],
        "containers": [{"name": "app", "image": "busybox", "env": [{"name": "EXISTING", "value": "kept"}],
                        "startupProbe": {"grpc": {"port": 9090}, "periodSeconds": 5}}],
    },
}


def pod_manifest(name, sa, ns):
    pod = copy.deepcopy(_POD)
    pod["metadata"] = {"name": name, "namespace": ns}
    pod["spec"]["serviceAccountName"] = sa
    return pod


def env_of(container):
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def env_value(pod, name):
    return env_of(pod["spec"]["containers"][0]).get(name)


def mutation(pod):
    """What pod_is_mutated looked at: the role and token file of the container and the sidecar,
    the projected token volume and the container's mount."""
    app, sidecar = pod["spec"]["containers"][0], pod["spec"]["initContainers"][0]
    return {
        "app": {k: env_of(app).get(k) for k in ("AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE")},
        "sidecar_role": env_of(sidecar).get("AWS_ROLE_ARN"),
        "volume": [v["projected"]["sources"][0]["serviceAccountToken"]
                   for v in pod["spec"].get("volumes", []) if v["name"] == "aws-iam-token"],
        "mount": [[m.get("readOnly"), m["mountPath"]]
                  for m in app.get("volumeMounts", []) if m["name"] == "aws-iam-token"],
    }


def mutated_as(role, audience="sts.amazonaws.com", expiration=86400):
    return {
        "app": {"AWS_ROLE_ARN": role, "AWS_WEB_IDENTITY_TOKEN_FILE": TOKEN_DIR + "/token"},
        "sidecar_role": role,
        "volume": [{"audience": audience, "expirationSeconds": expiration, "path": "token"}],
        "mount": [[True, TOKEN_DIR]],
    }


def unchanged(pod):
    """What pod_is_unchanged looked at."""
    spec = pod["spec"]
    return {
        "stored": pod["metadata"].get("uid") is not None,
        "aws_env": [e["name"] for c in spec["containers"] + spec.get("initContainers", [])
                    for e in c.get("env", []) if e["name"].startswith("AWS_")],
        "token_volume": "aws-iam-token" in [v["name"] for v in spec.get("volumes", [])],
        "app_env": [e["name"] for e in spec["containers"][0].get("env", [])],
    }


UNCHANGED = {"stored": True, "aws_env": [], "token_volume": False, "app_env": ["EXISTING"]}


def unknown_fields(pod):
    """What pod_keeps_unknown_fields looked at."""
    spec = pod["spec"]
    names = [e["name"] for e in spec["containers"][0].get("env", [])]
    return {
        "sidecar_restart_policy": spec["initContainers"][0].get("restartPolicy"),
        "grpc_port": spec["containers"][0].get("startupProbe", {}).get("grpc", {}).get("port"),
        "existing_env_index": names.index("EXISTING") if "EXISTING" in names else None,
        "kube_api_access": any(v["name"].startswith("kube-api-access") for v in spec.get("volumes", [])),
    }


KEPT = {"sidecar_restart_policy": "Always", "grpc_port": 9090, "existing_env_index": 0, "kube_api_access": True}
