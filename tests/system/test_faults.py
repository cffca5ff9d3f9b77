# SPDX-License-Identifier: Apache-2.0
"""
Engine failures and system stop/start through dmg, and what the tools say on bad input.
"""

import os
import re
import signal
import time

import pytest

from conftest import DAOS_SERVER, DMG, IS_ROOT, alive, mounts_under, run


def test_engine_sigkill_then_system_start(formatted):
    sys_ = formatted
    pid = sys_.engine_pid(0)
    os.kill(pid, signal.SIGKILL)
    members = sys_.wait_state([0], "Errored")
    assert "exited unexpectedly" in members[0]["info"], members

    verbose = sys_.dmg("system", "query", "-v")
    assert re.search(r"^0\s.*\sErrored\s+.*exited unexpectedly", verbose.out, re.M), \
        repr(verbose)
    # Not restarted automatically (DAOS: the admin runs dmg system start).
    assert sys_.members()[0]["state"] == "Errored"

    start = sys_.dmg("system", "start", "--ranks", "0")
    assert re.search(r"^\[?0\]?\s+start\s+OK", start.out, re.M), repr(start)
    members = sys_.wait_state([0], "Joined")
    new_pid = sys_.engine_pid(0)
    assert new_pid != pid
    assert members[0]["info"] == "", members


def test_system_stop_start(formatted):
    sys_ = formatted
    pid = sys_.engine_pid(0)
    stop = sys_.dmg("system", "stop")
    assert re.search(r"^Rank\s+Operation\s+Result", stop.out, re.M), repr(stop)
    assert re.search(r"^\[?0\]?\s+stop\s+OK", stop.out, re.M), repr(stop)
    sys_.wait_state([0], "Stopped")
    assert not alive(pid), "engine pid %d still running after dmg system stop" % pid
    # The server keeps listening while its engines are stopped.
    assert sys_.server.poll() is None
    verbose = sys_.dmg("system", "query", "-v")
    assert re.search(r"^0\s.*\sStopped", verbose.out, re.M), repr(verbose)

    sys_.dmg("system", "start")
    sys_.wait_state([0], "Joined")
    assert sys_.engine_pid(0) != pid


def test_format_twice_refused(formatted):
    sys_ = formatted
    # Engines running: refused, nothing touched.
    again = sys_.dmg("storage", "format", check=False)
    assert again.rc != 0, repr(again)
    assert "127.0.0.1" in again.text and ("running" in again.text or "formatted" in again.text), \
        repr(again)
    members = sys_.wait_state([0], "Joined")
    # Stopped engines, no --force: still refused (already formatted).
    sys_.dmg("system", "stop")
    sys_.wait_state([0], "Stopped")
    again = sys_.dmg("storage", "format", check=False)
    assert again.rc != 0 and "--force" in again.text, repr(again)
    sys_.dmg("system", "start")
    assert sys_.wait_state([0], "Joined")[0]["uuid"] == members[0]["uuid"]


def test_malformed_server_config(system):
    bad = os.path.join(system.root, "bad_server.yml")
    text = system.server_config_text().replace("  targets: 1\n", "  targets: many\n")
    with open(bad, "w") as f:
        f.write(text)
    line = text.splitlines().index("  targets: many") + 1
    res = run([DAOS_SERVER, "start", "-o", bad], timeout=20)
    assert res.rc != 0, repr(res)
    assert "%s:%d: engines[0].targets" % (bad, line) in res.err, repr(res)

    with open(bad, "w") as f:
        f.write(system.server_config_text() + "no_such_key: 1\n")
    res = run([DAOS_SERVER, "start", "-o", bad], timeout=20)
    assert res.rc != 0 and re.search(r"bad_server\.yml:\d+: no_such_key", res.err), repr(res)


def test_missing_server_config(system):
    missing = os.path.join(system.root, "nope.yml")
    res = run([DAOS_SERVER, "start", "-o", missing], timeout=20)
    assert res.rc != 0 and missing in res.err, repr(res)


def test_dmg_server_down(system):
    # Nothing listens on the port of daos_control.yml.
    res = system.dmg("system", "query", check=False, timeout=30)
    assert res.rc != 0, repr(res)
    assert system.addr in res.err, repr(res)
    res = system.dmg("storage", "scan", check=False, timeout=30)
    assert res.rc != 0 and system.addr in res.text, repr(res)
    doc = system.dmg_json("system", "query", check=False)
    assert doc["status"] < 0 and system.addr in doc["error"], doc


def test_agent_runtime_dir(formatted):
    sys_ = formatted
    # A missing runtime_dir is created (the systemd unit makes it with RuntimeDirectory=).
    sys_.agent_dir = os.path.join(sys_.root, "run", "new", "daos_agent")
    sys_.write_configs()
    sys_.start_agent()
    assert os.path.exists(os.path.join(sys_.agent_dir, "daos_agent.sock"))
    sys_.stop_agent()

    # One that cannot be created: clear error naming it, non-zero exit.
    blocker = os.path.join(sys_.root, "run", "file")
    open(blocker, "w").close()
    sys_.agent_dir = os.path.join(blocker, "daos_agent")
    sys_.write_configs()
    agent = sys_.start_agent(wait=False)
    rc = agent.wait(20)
    assert rc != 0 and sys_.agent_dir in sys_.agent_output(), sys_.agent_output()
    sys_.agent = None


def test_agent_without_server(system):
    # dump-attachinfo with no MS reachable names what it tried.
    res = system.agent_cmd("dump-attachinfo", check=False)
    assert res.rc != 0 and system.addr in res.text, repr(res)


def test_exclude_clear_exclude(formatted):
    sys_ = formatted
    sys_.dmg("system", "stop")
    sys_.wait_state([0], "Stopped")
    res = sys_.dmg("system", "exclude", "--ranks", "0")
    assert "0" in res.out, repr(res)
    sys_.wait_state([0], "AdminExcluded")
    # An AdminExcluded rank is not started.
    sys_.dmg("system", "start", check=False)
    assert sys_.members()[0]["state"] == "AdminExcluded"
    sys_.dmg("system", "clear-exclude", "--ranks", "0")
    sys_.wait_state([0], "Excluded")
    sys_.dmg("system", "start")
    sys_.wait_state([0], "Joined")


def test_server_key_too_open_refused(secure_system):
    sys_ = secure_system
    key = sys_.cert["server"][1]
    os.chmod(key, 0o644)
    server = sys_.start_server(wait=False)
    end = time.monotonic() + 10
    while server.poll() is None and time.monotonic() < end:
        if "listening" in sys_.server_output():
            break  # it accepted the key
        time.sleep(0.05)
    rc = server.poll()
    out = sys_.server_output()
    assert rc is not None and rc != 0, out
    assert key in out and "0400" in out, out


def test_agent_key_too_open_refused(secure_system):
    sys_ = secure_system
    sys_.start_server()
    key = sys_.cert["agent"][1]
    os.chmod(key, 0o644)
    agent = sys_.start_agent(wait=False)
    rc = agent.wait(20)
    out = sys_.agent_output()
    assert rc != 0 and key in out and "0400" in out, out
    sys_.agent = None


def test_format_force_after_stop(formatted):
    sys_ = formatted
    sys_.dmg("system", "stop")
    sys_.wait_state([0], "Stopped")
    fmt = sys_.dmg("storage", "format", "--force")
    assert "Format Summary:" in fmt.out, repr(fmt)
    sys_.wait_state([0], "Joined")
    # The tmpfs is mounted again, not stacked on the old one.
    if IS_ROOT:
        assert mounts_under(sys_.root) == [sys_.engines[0].scm_mount]


def test_second_server_same_config_harmless(formatted):
    sys_ = formatted
    res = run([DAOS_SERVER, "start", "-o", sys_.server_yml], timeout=20)
    assert res.rc != 0 and str(sys_.port) in res.err, repr(res)
    # The running system must be untouched: engines can still be restarted.
    sys_.dmg("system", "stop")
    sys_.wait_state([0], "Stopped")
    sys_.dmg("system", "start")
    sys_.wait_state([0], "Joined", timeout=5)


def test_dmg_key_too_open_refused(secure_system):
    sys_ = secure_system
    sys_.start_server()
    key = sys_.cert["admin"][1]
    os.chmod(key, 0o644)
    res = sys_.dmg("system", "leader-query", check=False)
    assert res.rc != 0 and key in res.err and "0440" in res.err, repr(res)


def test_agent_certificate_cannot_administer(secure_system):
    """dmg with the agent's certificate: admin methods are refused, per DAOS's roles."""
    sys_ = secure_system
    sys_.start_server()
    ctl = os.path.join(sys_.root, "agent_as_dmg.yml")
    with open(sys_.control_yml) as f:
        text = f.read()
    crt, key = sys_.cert["agent"]
    text = text.replace(sys_.cert["admin"][0], crt).replace(sys_.cert["admin"][1], key)
    with open(ctl, "w") as f:
        f.write(text)
    res = run([DMG, "-o", ctl, "storage", "scan"], timeout=30)
    assert res.rc != 0 and "permission denied" in res.err, repr(res)
    res = run([DMG, "-o", ctl, "pool", "list"], timeout=30)
    assert res.rc != 0 and "permission denied" in res.err, repr(res)
