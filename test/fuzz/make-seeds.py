#!/usr/bin/python3
"""Writes the fuzz targets' seed corpora, test/fuzz/corpus/<target>/, from the
mutation fixtures (test/fixtures/mutation) and examples/, plus hand-written
edge cases. Run it again after adding fixtures; the files are checked in, so
CI never needs it. Seeds name the ServiceAccounts of FixedIdentities.hpp.

Usage: test/fuzz/make-seeds.py   (Debian python3 with python3-yaml)
"""

import base64
import hashlib
import json
import shutil
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FIXTURES = ROOT / "test/fixtures/mutation"
CORPUS = HERE / "corpus"

# (request namespace, ServiceAccount) pairs of FixedIdentities, and one it lacks.
IDENTITIES = [
    ("default", "default"),
    ("default", "full"),
    ("default", "bare"),
    ("default", "pod-identity"),
    ("default", "both"),
    ("cm", "app"),
    ("elsewhere", "wild"),
    ("default", "missing"),
]

# The config target's first byte picks the input (ConfigFilesFuzzer.cpp).
SA_FILE, KUBECONFIG, CONFIGMAP, CONFIGMAP_CONFIG, CONTAINER_CREDENTIALS = range(5)
# And the oidc target's (OidcFuzzer.cpp).
TOKEN, JWKS, TRUST_POLICY, DISCOVERY, PEM = range(5)
OIDC_FIXTURES = ROOT / "test/fixtures/oidc"
ISSUER = "oidc.example.com/c1"
PROVIDER = f"arn:aws:iam::111122223333:oidc-provider/{ISSUER}"


def write(target, data):
    """One seed, named by its content (as libFuzzer names corpus files)."""
    data = data.encode() if isinstance(data, str) else data
    out = CORPUS / target
    out.mkdir(parents=True, exist_ok=True)
    (out / hashlib.sha1(data).hexdigest()).write_bytes(data)


def review(pod, ns, operation="CREATE", api="admission.k8s.io/v1", **request):
    req = {
        "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
        "kind": {"group": "", "version": "v1", "kind": "Pod"},
        "resource": {"group": "", "version": "v1", "resource": "pods"},
        "namespace": ns,
        "operation": operation,
        "object": pod,
    }
    req.update(request)
    return json.dumps({"apiVersion": api, "kind": "AdmissionReview", "request": req}, separators=(",", ":"))


def fixture_pods():
    for case in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        yield case.name, yaml.safe_load((case / "pod.yaml").read_text())


def admission_seeds():
    reviews = []
    for i, (_, pod) in enumerate(fixture_pods()):
        ns, sa = IDENTITIES[i % len(IDENTITIES)]
        pod.setdefault("spec", {})["serviceAccountName"] = sa
        reviews.append(review(pod, ns))
    pod = json.loads(reviews[0])["request"]["object"]
    reviews += [
        review(pod, "default", api="admission.k8s.io/v1beta1"),
        review(None, "default", operation="DELETE"),
        review(pod, "default", operation="UPDATE"),
        review(pod, "default", subResource="ephemeralcontainers"),
        review(pod, "default", resource={"group": "apps", "version": "v1", "resource": "deployments"}),
        review(pod, "", uid=""),
        review(pod, "default", api="admission.k8s.io/v2"),
        review([1, 2], "default"),
        json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}),
        "[]",
        "{" * 120 + "}" * 120,
    ]
    for r in reviews:
        write("admission", r)
    return reviews


def http_request(method, target, body="", headers=()):
    lines = [f"{method} {target} HTTP/1.1", "Host: irsa-webhook.default.svc:443", *headers]
    if body and not any(h.lower().startswith("transfer-encoding") for h in headers):
        lines.append(f"Content-Length: {len(body.encode())}")
    return "\r\n".join(lines) + "\r\n\r\n" + body


def chunked(body, size=300):
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return "".join(f"{len(p.encode()):x}\r\n{p}\r\n" for p in parts) + "0\r\n\r\n"


def http_seeds(reviews):
    json_type = "Content-Type: application/json"
    body = reviews[0]
    requests = [
        http_request("POST", "/mutate?timeout=10s", body, [json_type]),
        http_request("POST", "/mutate", reviews[3], [json_type, "Connection: close"]),
        http_request("POST", "/mutate", chunked(body), [json_type, "Transfer-Encoding: chunked"]),
        http_request("POST", "/mutate?timeout=1s&x=y", body, [json_type, "Expect: 100-continue"]),
        http_request("POST", "/mutate", body, ["Content-Type: text/plain"]),
        http_request("POST", "/mutate", "{", ["Content-Type: Application/JSON; charset=utf-8"]),
        http_request("GET", "/mutate"),
        http_request("GET", "/healthz") + http_request("GET", "/readyz"),
        http_request("GET", "/nope"),
        http_request("DELETE", "/debug/alpha/cache"),
        "GET /healthz HTTP/1.0\r\n\r\n",
        http_request("GET", "/healthz", headers=["X-Big: " + "a" * 1500]),
        http_request("POST", "/mutate", "x" * 5000, [json_type]),
        "GET /healthz HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
        "BREW /pot HTCPCP/1.0\r\n\r\n",
    ]
    # The first byte is the size of the reads the session gets (0: all at once).
    for first, req in zip([0, 0, 7, 0, 1, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0], requests, strict=True):
        write("http", bytes([first]) + req.encode())


def config_seeds():
    def seed(kind, text):
        write("config", bytes([kind]) + (text.encode() if isinstance(text, str) else text))

    sa_files = sorted(FIXTURES.glob("*/serviceaccount.yaml"))[:20] + [ROOT / "examples/serviceaccounts.yaml"]
    for path in sa_files:
        seed(SA_FILE, path.read_bytes())
    seed(SA_FILE, json.dumps({"kind": "List", "items": [{"kind": "ServiceAccount", "metadata": {
        "name": "a", "namespace": "b", "annotations": {"eks.amazonaws.com/role-arn": "arn"}}}]}))
    for path in sorted(FIXTURES.glob("*/configmap.yaml")):
        seed(CONFIGMAP, path.read_bytes())
        seed(CONFIGMAP_CONFIG, yaml.safe_load(path.read_text())["data"]["config"])
    for path in sorted(FIXTURES.glob("*/container-credentials.json"))[:6]:
        seed(CONTAINER_CREDENTIALS, path.read_bytes())
    seed(CONTAINER_CREDENTIALS, "")
    ca = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n").decode()
    users = [
        "{token: abc}",
        "{tokenFile: ./token}",
        f"{{client-certificate-data: {ca}, client-key-data: {ca}}}",
        "{client-certificate: pki/admin.crt, client-key: admin.key}",
        "{exec: {apiVersion: client.authentication.k8s.io/v1, command: ./plugin, args: [a, b],"
        " env: [{name: K, value: V}], interactiveMode: Never, provideClusterInfo: true}}",
        "{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws, installHint: get it}}",
        "{auth-provider: {name: gcp}}",
    ]
    clusters = [
        f"{{server: 'https://api.example.com:6443/base', certificate-authority-data: {ca}}}",
        "{server: 'https://10.0.0.1', certificate-authority: ca.crt, tls-server-name: kubernetes}",
        "{server: 'https://[::1]:8443', insecure-skip-tls-verify: true, extensions: [{name:"
        " client.authentication.k8s.io/exec, extension: {audience: x}}]}",
        "{server: 'http://plain', proxy-url: 'http://proxy'}",
    ]
    for i, user in enumerate(users):
        cluster = clusters[i % len(clusters)]
        seed(KUBECONFIG, "apiVersion: v1\nkind: Config\ncurrent-context: main\n"
             f"clusters:\n- name: c\n  cluster: {cluster}\n"
             "contexts:\n- name: main\n  context: {cluster: c, user: u, namespace: kube-system}\n"
             f"users:\n- name: u\n  user: {user}\n")


def b64url(data):
    data = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=4)


def web_identity(condition, effect="Allow", federated=PROVIDER, action="sts:AssumeRoleWithWebIdentity"):
    return {"Effect": effect, "Principal": {"Federated": federated}, "Action": action, "Condition": condition}


def oidc_seeds():
    def seed(kind, text):
        write("oidc", bytes([kind]) + (text.encode() if isinstance(text, str) else text))

    claims = {"aud": ["sts.amazonaws.com"], "exp": 1796353758, "iat": 1796350158, "iss": f"https://{ISSUER}",
              "kubernetes.io": {"namespace": "team-a", "serviceaccount": {"name": "app", "uid": "u"}},
              "nbf": 1796350158, "sub": "system:serviceaccount:team-a:app"}
    for header in ({"alg": "RS256", "kid": "Ku-9KmhXutZjQo0UyD34foROe38u7NeXG76Ybd8XYJU"}, {"alg": "ES256"},
                   {"alg": "ES512", "kid": ""}, {"alg": "none"}):
        seed(TOKEN, f"{b64url(json.dumps(header))}.{b64url(json.dumps(claims))}.{b64url(bytes(64))}\n")
    seed(TOKEN, b64url('{"alg":"RS256"}') + "." + b64url('{"aud":"x","exp":1.5e9}') + ".AAAA")
    seed(JWKS, (OIDC_FIXTURES / "rsa.keys.json").read_bytes())
    seed(JWKS, json.dumps({"keys": [
        {"use": "sig", "kty": "EC", "kid": "fE7taip_1fX3hE5YVNsFEtDV0jdo5lMSaNMaUACoEIU", "crv": "P-256",
         "alg": "ES256", "x": "jJf3z4nNbfPltzB9KaxVhlA6HeL-YHvSzDTqLXfGv2A",
         "y": "Kt5_1XQEzuhJW9viKSf881rRhSawOIBsS7pgQdff7K8"},
        {"kty": "RSA", "kid": "", "n": "AQAB", "e": "AQAB"}, {"kty": "oct", "k": "AA"}]}))
    sub, aud = f"{ISSUER}:sub", f"{ISSUER}:aud"
    seed(TRUST_POLICY, policy(web_identity({"StringEquals": {
        aud: "sts.amazonaws.com", sub: ["system:serviceaccount:team-a:app", "system:serviceaccount:b:c"]}})))
    seed(TRUST_POLICY, policy(web_identity({"StringEquals": {aud: "sts.amazonaws.com",
                                                             sub: "system:serviceaccount:x:y"}}),
                              web_identity({"StringLike": {sub: "system:serviceaccount:team-*:*"}})))
    seed(TRUST_POLICY, policy(web_identity({"StringLike": {sub: "*"}}),
                              web_identity({"StringEquals": {sub: "system:serviceaccount:team-a:app"}}, "Deny")))
    seed(TRUST_POLICY, policy(web_identity({"ForAllValues:StringLike": {f"{ISSUER}:amr": ["a*"]},
                                            "StringNotEqualsIfExists": {sub: "x"}, "Null": {aud: "false"},
                                            "StringEqualsIgnoreCase": {aud: "STS.amazonaws.com"}},
                                           action=["sts:AssumeRole*", "s3:GetObject"])))
    seed(TRUST_POLICY, json.dumps({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*"}}))
    seed(DISCOVERY, json.dumps({"issuer": f"https://{ISSUER}", "jwks_uri": f"https://{ISSUER}/keys.json",
                                "authorization_endpoint": "urn:kubernetes:programmatic_authorization",
                                "response_types_supported": ["id_token"], "subject_types_supported": ["public"],
                                "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                                "claims_supported": ["sub", "iss"]}, indent=4))
    for name in ("rsa.pub", "rsa-pkcs1.pub", "rsa.crt", "ec-p256.key", "ec-p384.pub", "ec-p521.pub",
                 "ec-p256-compressed.pub", "ed25519.key"):
        seed(PEM, (OIDC_FIXTURES / name).read_bytes())


def main():
    shutil.rmtree(CORPUS, ignore_errors=True)
    http_seeds(admission_seeds())
    config_seeds()
    oidc_seeds()
    for target in sorted(p.name for p in CORPUS.iterdir()):
        print(f"{target}: {len(list((CORPUS / target).iterdir()))} seeds")


if __name__ == "__main__":
    main()
