"""Test hosts of the test's own: a network namespace on a veth pair, addressed from the benchmarking
range 198.18.0.0/15 (RFC 2544), on this machine only. EndpointSlices refuse loopback addresses, so a
webhook that is a Service's endpoint must listen on another address; this gives it one the
apiserver, in the host's namespace, reaches through the veth. Needs root (CAP_NET_ADMIN), or
password-less sudo, through which `ip` and the commands in a namespace then run."""

import os
import subprocess

_SUDO = () if os.geteuid() == 0 else ("sudo", "-n")


def _ip(*args):
    result = subprocess.run([*_SUDO, "ip", *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {result.stderr.strip()}")


def available():
    """'' when this process may create namespaces and veths, else why not."""
    if _SUDO and subprocess.run([*_SUDO, "true"], capture_output=True).returncode != 0:
        return "needs root or password-less sudo (CAP_NET_ADMIN) to create network namespaces"
    if subprocess.run(["ip", "-V"], capture_output=True).returncode != 0:
        return "needs iproute2 (ip): scripts/setup.sh installs it"
    return ""


class NetnsHost:
    """Namespace `name` holding one end of a veth pair at 198.18.<subnet>.2/24; the host's end is
    198.18.<subnet>.1. `wrapper` runs a command inside it. Removed by close() (the veth goes with it)."""

    def __init__(self, tag, subnet):
        self.name = f"irsa-{tag}-{subnet}"
        self.address = f"198.18.{subnet}.2"
        self.gateway = f"198.18.{subnet}.1"
        host_if, ns_if = f"irh{tag}{subnet}"[:15], f"irn{tag}{subnet}"[:15]
        _ip("netns", "add", self.name)
        try:
            _ip("link", "add", host_if, "type", "veth", "peer", "name", ns_if)
            _ip("link", "set", ns_if, "netns", self.name)
            _ip("addr", "add", f"{self.gateway}/24", "dev", host_if)
            _ip("link", "set", host_if, "up")
            inside = ("-n", self.name)
            _ip(*inside, "addr", "add", f"{self.address}/24", "dev", ns_if)
            _ip(*inside, "link", "set", ns_if, "up")
            _ip(*inside, "link", "set", "lo", "up")
        except RuntimeError:
            self.close()
            raise
        self.wrapper = (*_SUDO, "ip", "netns", "exec", self.name)

    def close(self):
        subprocess.run([*_SUDO, "ip", "netns", "del", self.name], capture_output=True)


def netns_hosts(count):
    """`count` NetnsHosts on subnets no other run of this suite on the machine uses at the same time
    (chosen from the pid)."""
    tag = str(os.getpid() % 10000)
    base = 1 + (os.getpid() % 50) * 5
    return [NetnsHost(tag, base + i) for i in range(count)]
