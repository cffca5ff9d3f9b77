# SPDX-License-Identifier: Apache-2.0
"""
Faults seen from a libdaos client (tests/api/fault_client.c), on a real system:

- an engine SIGKILLed while a client does I/O: the client's call returns an error (it
  does not hang), the system reports the rank, and after `dmg system start` a new
  client works;
- a client SIGKILLed with a pool connected and a container open: the server stays
  healthy and its handles are evicted (the agent notices the closed connection), so
  the container it held open can be destroyed without --force.
"""

import os
import re
import signal
import subprocess
import time

import pytest

from conftest import BUILD, _bin, run

API_DIR = os.environ.get("DAOS_API_TEST_DIR") or os.path.join(BUILD, "tests", "api")
CLIENT = os.path.join(API_DIR, "api_fault_client")
DAOS = _bin("DAOS_BIN", "src/control/daos/daos")

pytestmark = pytest.mark.skipif(
    not (os.access(CLIENT, os.X_OK) and os.access(DAOS, os.X_OK)),
    reason="no %s or %s: they are built once the tree has libdaos" % (CLIENT, DAOS))

# Hang detection only: the client normally notices a dead engine in a few seconds.
CLIENT_TIMEOUT = 120


class Client:
    """fault_client in the background, its stdout read line by line."""

    def __init__(self, sys_, mode, pool, cont):
        env = dict(os.environ)
        env["DAOS_AGENT_DRPC_DIR"] = sys_.agent_dir
        env["D_LOG_FILE"] = os.path.join(sys_.root, "log", "fault_client.log")
        self.proc = subprocess.Popen([CLIENT, mode, pool, cont], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env=env, text=True)

    def expect(self, word):
        line = self.proc.stdout.readline().strip()
        assert line == word, "expected %r from the client, got %r (exit %r)" % (
            word, line, self.proc.poll())

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def close(self):
        self.kill()
        self.proc.stdout.close()


def daos(sys_, *args, check=True):
    env = dict(os.environ)
    env["DAOS_AGENT_DRPC_DIR"] = sys_.agent_dir
    return run([DAOS, *args], timeout=120, check=check, env=env)


@pytest.fixture
def pool_sys(formatted):
    sys_ = formatted
    sys_.start_agent()
    sys_.dmg("pool", "create", "--size=512MB", "-P", "rd_fac:0", "tank")
    return sys_


def test_engine_killed_mid_io(pool_sys):
    sys_ = pool_sys
    daos(sys_, "container", "create", "tank", "busy")
    client = Client(sys_, "io", "tank", "busy")
    try:
        client.expect("running")
        time.sleep(0.5)  # well inside the I/O loop
        engine = sys_.engine_pid(0)
        os.kill(engine, signal.SIGKILL)
        t0 = time.monotonic()
        try:
            rc = client.proc.wait(CLIENT_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail("the client still waits %d s after its engine died\n%s"
                        % (CLIENT_TIMEOUT, sys_.logs_tail()))
        took = time.monotonic() - t0
        out = client.proc.stdout.read()
    finally:
        client.close()
    # An error naming what failed, DAOS's way: a DER_ code, exit status 2.
    assert rc == 2, (rc, out)
    m = re.search(r"^error (-\d+) (DER_\w+) \((.+)\)$", out, re.M)
    assert m, out
    assert m.group(2) in ("DER_UNREACH", "DER_TIMEDOUT", "DER_HG", "DER_EXCLUDED",
                          "DER_NOTLEADER", "DER_STALE", "DER_IO"), out
    print("client saw %s %.1f s after the engine died" % (m.group(2), took))

    # The system says what happened; restarted, it serves a new client.
    sys_.wait_state([0], "Errored")
    sys_.dmg("system", "start", "--ranks", "0")
    sys_.wait_state([0], "Joined")
    client = Client(sys_, "hold", "tank", "busy")
    try:
        client.expect("holding")
    finally:
        client.close()


def test_killed_client_handles_evicted(pool_sys):
    sys_ = pool_sys
    daos(sys_, "container", "create", "tank", "held")
    client = Client(sys_, "hold", "tank", "held")
    try:
        client.expect("holding")
        # Open: destroying it without --force is refused.
        busy = daos(sys_, "container", "destroy", "tank", "held", check=False)
        assert busy.rc != 0 and "DER_BUSY" in busy.err, busy
        pid = client.proc.pid
        client.kill()
    finally:
        client.close()

    # The agent saw the connection close and had the handle evicted ...
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with open(sys_.agent_log) as f:
            if re.search(r"1 handle\(s\) of pid %d evicted" % pid, f.read()):
                break
        time.sleep(0.2)
    else:
        pytest.fail("no eviction of pid %d's handle\n%s" % (pid, sys_.logs_tail()))
    # ... so the container is no longer open, and the server is healthy.
    gone = daos(sys_, "container", "destroy", "tank", "held", check=False)
    assert gone.rc == 0, (gone, sys_.logs_tail())
    query = daos(sys_, "pool", "query", "tank")
    assert re.search(r"^Pool \S+, ntarget=\d+, disabled=0", query.out, re.M), query
    assert sys_.members()[0]["state"] == "Joined"


def _destroy_under_io(sys_, destroy):
    """Run the io client, call @destroy while its updates (bulk, pulled straight into
    the pool's room) are in flight; the client gets an error, the engine lives on."""
    daos(sys_, "container", "create", "tank", "busy")
    client = Client(sys_, "io", "tank", "busy")
    try:
        client.expect("running")
        time.sleep(0.3)
        destroy()
        try:
            rc = client.proc.wait(CLIENT_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail("the client still runs %d s after the destroy\n%s"
                        % (CLIENT_TIMEOUT, sys_.logs_tail()))
        out = client.proc.stdout.read()
    finally:
        client.close()
    assert rc == 2 and re.search(r"^error -\d+ DER_\w+", out, re.M), (rc, out)
    assert sys_.members()[0]["state"] == "Joined", sys_.logs_tail()
    assert sys_.engine_pid(0) is not None


def test_container_destroyed_under_io(pool_sys):
    sys_ = pool_sys
    _destroy_under_io(sys_, lambda: daos(sys_, "container", "destroy", "--force", "tank",
                                         "busy"))
    # The pool still serves: a new container of the same name takes I/O.
    daos(sys_, "container", "create", "tank", "busy")
    client = Client(sys_, "hold", "tank", "busy")
    try:
        client.expect("holding")
    finally:
        client.close()


def test_pool_destroyed_under_io(pool_sys):
    sys_ = pool_sys
    _destroy_under_io(sys_, lambda: sys_.dmg("pool", "destroy", "--force", "tank"))
    # The space came back and a new pool works.
    sys_.dmg("pool", "create", "--size=512MB", "-P", "rd_fac:0", "tank2")
    daos(sys_, "container", "create", "tank2", "c")
    client = Client(sys_, "hold", "tank2", "c")
    try:
        client.expect("holding")
    finally:
        client.close()
