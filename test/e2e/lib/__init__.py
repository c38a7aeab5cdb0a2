"""Helpers of the pytest e2e suite (stdlib only): the control plane, kubectl, the webhook process."""
