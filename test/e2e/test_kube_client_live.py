"""The API client's live gtests (KubeApiClientLive*, skipped in the unit run) against the real
kube-apiserver: list then watch, a server-ended watch, token-file auth answered by RBAC, a
forbidden watch. (Was kube-client-live.sh.)"""

from lib.gtest import ALL_PASSED, run_gtests


def test_kube_api_client_live(cluster):
    outcome, out = run_gtests("KubeApiClientLive*", {"IRSA_E2E_KUBECONFIG": cluster.kubeconfig})
    assert outcome == ALL_PASSED, out
