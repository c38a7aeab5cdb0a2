"""Helpers of the pytest e2e suite (stdlib only): the control plane, kubectl, the webhook process.
The bench scenarios (bench/scenarios/benchlib.py) import controlplane, poll and webhook too."""
