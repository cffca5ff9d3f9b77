# SPDX-License-Identifier: Apache-2.0
"""
Several hosts: each "host" is a network namespace with its own address on a private
bridge (itself in a namespace, so the machine's network is untouched) and its own
daos_server. The first is the MS replica (the one access point). Needs root (network
namespaces); skipped with the reason otherwise.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import DAOS_ENGINE, DAOS_SERVER, DMG, IS_ROOT, STATE_TIMEOUT, run

pytestmark = pytest.mark.skipif(
    not IS_ROOT or shutil.which("ip") is None,
    reason="several hosts need network namespaces: run as root with iproute2")

SERVER_YML = """\
name: daos_server
port: 10001
mgmt_svc_replicas: ['{ms}:10001']
provider: ofi+tcp
socket_dir: {d}/run
control_log_mask: INFO
control_log_file: {d}/server.log
transport_config:
  allow_insecure: true
engines:
-
  targets: 1
  fabric_iface: {iface}
  fabric_iface_port: 31416
  log_file: {d}/engine0.log
  storage:
  -
    class: ram
    scm_mount: {d}/scm
    scm_size: 1
  -
    class: file
    bdev_list: [{d}/bdev0]
    bdev_size: 4
"""


def ip(*args):
    subprocess.run(["ip", *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


class Hosts:
    """Namespaces tag_sw (a bridge) and tag_h1..hN, hosts at 10.<n>.0.<i>."""

    def __init__(self, root):
        self.root = root
        self.tag = "dt%d" % (os.getpid() % 100000)
        self.net = "10.%d.0" % (200 + os.getpid() % 50)
        self.hosts = []
        self.servers = {}
        self.sw = self.tag + "sw"
        ip("netns", "add", self.sw)
        ip("-n", self.sw, "link", "add", "br0", "type", "bridge")
        ip("-n", self.sw, "link", "set", "br0", "up")
        self.ms = self.addr(1)
        with open(os.path.join(root, "control.yml"), "w") as f:
            f.write("name: daos_server\nport: 10001\nhostlist: ['%s']\n"
                    "transport_config:\n  allow_insecure: true\n" % self.ms)

    def addr(self, i):
        return "%s.%d" % (self.net, i)

    def add(self):
        i = len(self.hosts) + 1
        ns = "%sh%d" % (self.tag, i)
        veth, peer = "%sv%d" % (self.tag, i), "%sp%d" % (self.tag, i)
        ip("netns", "add", ns)
        ip("link", "add", veth, "type", "veth", "peer", "name", peer)
        ip("link", "set", veth, "netns", ns)
        ip("link", "set", peer, "netns", self.sw)
        ip("-n", self.sw, "link", "set", peer, "master", "br0")
        ip("-n", self.sw, "link", "set", peer, "up")
        ip("-n", ns, "addr", "add", self.addr(i) + "/24", "dev", veth)
        ip("-n", ns, "link", "set", veth, "up")
        ip("-n", ns, "link", "set", "lo", "up")
        d = os.path.join(self.root, "h%d" % i)
        os.makedirs(d)
        with open(os.path.join(d, "server.yml"), "w") as f:
            f.write(SERVER_YML.format(ms=self.ms, d=d, iface=veth))
        self.hosts.append(ns)
        return i

    def start(self, i):
        d = os.path.join(self.root, "h%d" % i)
        out = open(os.path.join(d, "out"), "w")
        env = dict(os.environ, DAOS_ENGINE_BIN=DAOS_ENGINE)
        # `ip netns exec` execs the command: the pid is daos_server's.
        self.servers[i] = subprocess.Popen(
            ["ip", "netns", "exec", self.hosts[i - 1], DAOS_SERVER, "start", "-o",
             os.path.join(d, "server.yml")],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            start_new_session=True)

    def dmg(self, *args, host=1, check=True):
        res = run(["ip", "netns", "exec", self.hosts[host - 1], DMG, "-o",
                   os.path.join(self.root, "control.yml"), *args])
        if check:
            assert res.rc == 0, repr(res)
        return res

    def members(self):
        res = self.dmg("-j", "system", "query", check=False)
        if res.rc != 0:
            return {}
        import json
        js = json.loads(res.out)
        return {m["rank"]: m for m in js["response"]["members"]}

    def wait_joined(self, ranks, timeout=STATE_TIMEOUT):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            m = self.members()
            if all(r in m and m[r]["state"] == "Joined" for r in ranks):
                return m
            time.sleep(0.2)
        raise AssertionError("ranks %s not all Joined: %s\n%s" % (ranks, self.members(),
                                                                  self.logs()))

    def logs(self):
        text = ""
        for i in range(1, len(self.hosts) + 1):
            p = os.path.join(self.root, "h%d" % i, "server.log")
            if os.path.exists(p):
                with open(p) as f:
                    text += "--- h%d\n%s" % (i, "".join(f.readlines()[-15:]))
        return text

    def destroy(self):
        for proc in self.servers.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.servers.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        for ns in self.hosts + [self.sw]:
            subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)


@pytest.fixture
def hosts():
    root = tempfile.mkdtemp(prefix="daos_systest_mh_")
    h = Hosts(root)
    yield h
    h.destroy()
    if os.environ.get("DAOS_SYSTEST_KEEP") != "1":
        shutil.rmtree(root, ignore_errors=True)


def test_two_hosts_then_a_third(hosts):
    h1 = hosts.add()
    h2 = hosts.add()
    hosts.start(h1)
    hosts.start(h2)
    time.sleep(0.5)
    # One format fans out to both hosts (the control file lists only the MS: use -l).
    fmt = hosts.dmg("storage", "format", "-l", "%s,%s" % (hosts.addr(1), hosts.addr(2)))
    assert "Format Summary:" in fmt.out, repr(fmt)
    m = hosts.wait_joined([0, 1])
    assert sorted(x["addr"].split(":")[0] for x in m.values()) == [hosts.addr(1),
                                                                    hosts.addr(2)], m

    # A pool over both hosts' ranks
    pc = hosts.dmg("pool", "create", "--size=4GB", "p1")
    assert "Storage Ranks        : [0-1]" in pc.out, pc.out
    q = hosts.dmg("pool", "query", "p1")
    assert "Target count:2" in q.out, q.out
    hosts.dmg("pool", "destroy", "p1")

    # A third host joins later: the next rank
    h3 = hosts.add()
    hosts.start(h3)
    time.sleep(0.5)
    hosts.dmg("storage", "format", "-l", hosts.addr(3))
    m = hosts.wait_joined([0, 1, 2])
    assert m[2]["addr"].split(":")[0] == hosts.addr(3), m

    # A pool whose service lives on another host than the MS: its calls go through
    # that host's daos_server (EngineForward).
    hosts.dmg("pool", "create", "--size=2GB", "--ranks=2", "far")
    q = hosts.dmg("pool", "query", "far")
    assert "leader=2, version=1" in q.out and "Target count:1" in q.out, q.out
    hosts.dmg("pool", "set-prop", "far", "reclaim:disabled")
    props = hosts.dmg("pool", "get-prop", "far", "reclaim").out
    assert "disabled" in props, props
    hosts.dmg("pool", "destroy", "far")

    # An engine of another host dies: the MS shows it Errored, then starts it again
    hosts.dmg("system", "stop", "--ranks", "1")
    end = time.monotonic() + STATE_TIMEOUT
    while hosts.members().get(1, {}).get("state") != "Stopped" and time.monotonic() < end:
        time.sleep(0.2)
    assert hosts.members()[1]["state"] == "Stopped", hosts.members()
    hosts.dmg("system", "start", "--ranks", "1")
    hosts.wait_joined([0, 1, 2])
