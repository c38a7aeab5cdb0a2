"""A process's CPU time and memory from /proc, for tests and the bench that watch a server."""

import os
import re
from pathlib import Path


def cpu_seconds(pid):
    """utime + stime of a process so far (all its threads), in seconds to the millisecond."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 3)


def status_kib(pid, key):
    """A kB line of /proc/PID/status (VmRSS, VmHWM)."""
    return int(re.search(rf"^{key}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M).group(1))
