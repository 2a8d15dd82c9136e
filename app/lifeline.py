"""Children of `dengta serve` end with it, even when it is SIGKILLed and cannot stop them.

An orphaned API worker keeps the listening socket open (a restart fails with "address already
in use") and an orphaned projection worker keeps following next to its replacement. So
`dengta serve` names itself in its children's environment, and each child, as it starts,
asks the kernel for SIGTERM when its parent dies (Linux's PR_SET_PDEATHSIG) and watches its
parent id (everywhere; and a bound on a graceful stop that hangs).
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Mapping

PARENT_ENV = "DENGTA_PARENT_PID"
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
WATCH_INTERVAL = 0.5  # seconds between looks at the parent id
GRACE = 5.0  # seconds a child may take to stop gracefully once its parent is gone (a
# follower killed mid-batch loses nothing: its writes and tracking commit together)

log = logging.getLogger("dengta.lifeline")


def child_environment(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The environment for a child that must not outlive this process."""
    return {**environ, PARENT_ENV: str(os.getpid())}


def end_with_parent(environ: Mapping[str, str] = os.environ) -> None:
    """In a child of `dengta serve`: stop when the parent dies. Nothing when not started so
    (or when this process is the one named: uvicorn runs one worker in its own process)."""
    named = environ.get(PARENT_ENV, "")
    if not named.isdigit() or int(named) == os.getpid():
        return
    parent = int(named)
    ask_kernel_for_signal(signal.SIGTERM)
    if os.getppid() != parent:  # it died before we asked: the kernel will send nothing
        raise SystemExit(f"dengta: parent process {parent} is gone; not starting")
    threading.Thread(target=_watch, args=(parent,), name="lifeline", daemon=True).start()


def ask_kernel_for_signal(signum: int) -> bool:
    """Linux only: have the kernel send `signum` when the thread that started us exits."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return int(libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0)) == 0


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_INTERVAL)
    log.warning("parent process %d is gone; stopping", parent)
    # The kernel may have sent SIGTERM already; a second one changes nothing.
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(GRACE)
    log.error("did not stop within %.0f s of the parent's death; exiting", GRACE)
    os._exit(1)
