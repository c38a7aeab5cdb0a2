"""The e2e pod and views of what the webhook did to a stored pod, for asserts that show a diff."""

import copy
import re

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


_GENERATED_VOLUME = re.compile(r"^(kube-api-access)-[a-z0-9]{5}$")


def comparable(pod):
    """A stored pod as {'path.to.leaf': value}, less what legitimately differs between the same pod stored
    in two namespaces: namespace, uid, resourceVersion, creationTimestamp, managedFields (the field manager's
    timestamps) and generated names (generateName's suffix, the ServiceAccount admission plugin's
    kube-api-access-<5> volume). Volumes are keyed by name (`spec.volumes[aws-iam-token]...`): Kubernetes
    gives them no order, and the token volume's position is the one difference allowed (the reference
    inserts it first, irsa-webhook appends it: one `add /spec/volumes/-` that never shifts the others)."""
    pod = copy.deepcopy(pod)
    meta = pod.get("metadata", {})
    for k in ("namespace", "uid", "resourceVersion", "creationTimestamp", "managedFields"):
        meta.pop(k, None)
    if meta.get("generateName") and meta.get("name", "").startswith(meta["generateName"]):
        meta["name"] = meta["generateName"] + "<generated>"
    spec = pod.get("spec", {})
    for c in spec.get("initContainers", []) + spec.get("containers", []):
        for m in c.get("volumeMounts", []):
            m["name"] = _GENERATED_VOLUME.sub(r"\1-<generated>", m["name"])
    if "volumes" in spec:
        names = [_GENERATED_VOLUME.sub(r"\1-<generated>", v["name"]) for v in spec["volumes"]]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate volume names: {names}")
        spec["volumes"] = {f"[{n}]": {**v, "name": n} for n, v in zip(names, spec["volumes"], strict=True)}
    return _flatten(pod, "")


def _flatten(value, path):
    if isinstance(value, dict) and value:
        items = ((k if k.startswith("[") else f".{k}", v) for k, v in value.items())
    elif isinstance(value, list) and value:
        items = ((f"[{i}]", v) for i, v in enumerate(value))
    else:
        return {path or ".": value}
    return {p: leaf for key, v in items for p, leaf in _flatten(v, path + key).items()}
