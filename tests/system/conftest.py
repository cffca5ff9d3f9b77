# SPDX-License-Identifier: Apache-2.0
"""
Fixtures of the system tests: a DAOS system on this host, driven only through its CLIs.

A test asks for `system` (insecure) or `secure_system` (certificates made by
utils/certs/gen_certificates.sh) and gets a `DaosSystem`: a fresh directory under /tmp with
daos_server.yml, daos_control.yml and daos_agent.yml written for free loopback ports, and
methods to start/stop daos_server and daos_agent and to run dmg. Teardown stops every process
the test started by its pid (SIGTERM, then SIGKILL after a grace period), including engines a
killed daos_server left behind, unmounts the tmpfs of `class: ram` tiers (as root) and removes
the directory.

Binaries come from the environment (DAOS_SERVER_BIN, DAOS_ENGINE_BIN, DAOS_AGENT_BIN,
DMG_BIN, GEN_CERTIFICATES; meson sets them) or default to the build/ tree of this checkout.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("DAOS_BUILD_DIR", os.path.join(ROOT, "build"))


def _bin(env, default):
    path = os.environ.get(env) or os.path.join(BUILD, default)
    return os.path.abspath(path)


DAOS_SERVER = _bin("DAOS_SERVER_BIN", "src/control/server/daos_server")
DAOS_ENGINE = _bin("DAOS_ENGINE_BIN", "src/engine/daos_engine")
DAOS_AGENT = _bin("DAOS_AGENT_BIN", "src/control/agent/daos_agent")
DMG = _bin("DMG_BIN", "src/control/dmg/dmg")
GEN_CERTS = os.environ.get("GEN_CERTIFICATES") or os.path.join(
    ROOT, "utils/certs/gen_certificates.sh")

IS_ROOT = os.geteuid() == 0
# How long a state change (format → Joined, kill → Errored, ...) may take.
STATE_TIMEOUT = 30.0


def _port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


_given_ports = set()


_next_port = [20000 + (os.getpid() % 1000) * 12]


def free_ports(count):
    """First of `count` consecutive free TCP ports on loopback (an engine uses
    fabric_iface_port and the next `targets` ports). They are taken below the kernel's
    ephemeral range (32768 and up), so outgoing connections cannot take them before the
    daemon starts."""
    for _ in range(2000):
        base = _next_port[0]
        _next_port[0] = base + count if base + 2 * count < 32000 else 20000
        span = range(base, base + count)
        if any(p in _given_ports for p in span):
            continue
        if all(_port_free(p) for p in span):
            _given_ports.update(span)
            return base
    raise RuntimeError("no %d consecutive free ports on 127.0.0.1" % count)


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is dead for our purposes (not our child: nobody reaps it here).
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_gone(pid, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return not alive(pid)


def _cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def mounts_under(path):
    """Mount points at or below `path` (deepest first)."""
    found = []
    with open("/proc/self/mounts") as f:
        for line in f:
            mnt = line.split()[1].replace("\\040", " ")
            if mnt == path or mnt.startswith(path.rstrip("/") + "/"):
                found.append(mnt)
    return sorted(found, key=len, reverse=True)


def _yaml_list(items):
    return "[" + ", ".join("'%s'" % i for i in items) + "]"


class Result:
    def __init__(self, args, proc):
        self.args = args
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    @property
    def text(self):
        return self.out + self.err

    def __repr__(self):
        return "%s -> rc %d\n--- stdout\n%s--- stderr\n%s" % (
            " ".join(self.args), self.rc, self.out, self.err)


def run(args, timeout=60, check=False, env=None):
    proc = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=timeout, env=env)
    res = Result([str(a) for a in args], proc)
    if check:
        assert res.rc == 0, repr(res)
    return res


class Engine:
    def __init__(self, idx, root, targets=1):
        self.idx = idx
        self.targets = targets
        self.port = free_ports(targets + 2)
        self.scm_mount = os.path.join(root, "scm%d" % idx)
        self.bdev = os.path.join(root, "bdev%d" % idx)
        self.log_file = os.path.join(root, "log", "engine%d.log" % idx)

    def yaml(self):
        return """\
-
  targets: {t}
  nr_xs_helpers: 0
  first_core: 0
  fabric_iface: lo
  fabric_iface_port: {port}
  log_mask: INFO
  log_file: {log}
  env_vars:
    - DAOS_TARGET_OVERSUBSCRIBE=1
  storage:
  -
    class: ram
    scm_mount: {scm}
    scm_size: 1
  -
    class: file
    bdev_list: [{bdev}]
    bdev_size: 1
    bdev_roles: [wal, meta, data]
""".format(t=self.targets, port=self.port, log=self.log_file, scm=self.scm_mount,
           bdev=self.bdev)


class DaosSystem:
    """One daos_server (with its engines) and one daos_agent on loopback, in a temporary
    directory. Everything is driven through the CLIs."""

    def __init__(self, nr_engines=1, secure=False):
        self.root = tempfile.mkdtemp(prefix="daos_systest_")
        self.port = free_ports(1)
        self.addr = "127.0.0.1:%d" % self.port
        self.secure = secure
        self.server = None
        self.agent = None
        self.server_outs = []
        self._engine_pids = set()
        for sub in ("log", "run/daos_server", "run/daos_agent", "control"):
            os.makedirs(os.path.join(self.root, sub))
        self.engines = [Engine(i, self.root) for i in range(nr_engines)]
        self.server_yml = os.path.join(self.root, "daos_server.yml")
        self.control_yml = os.path.join(self.root, "daos_control.yml")
        self.agent_yml = os.path.join(self.root, "daos_agent.yml")
        self.server_log = os.path.join(self.root, "log", "daos_server.log")
        self.agent_log = os.path.join(self.root, "log", "daos_agent.log")
        self.agent_dir = os.path.join(self.root, "run", "daos_agent")
        if secure:
            self._make_certs()
        self.write_configs()

    # --- configuration -------------------------------------------------------------------

    def _make_certs(self):
        res = run(["bash", GEN_CERTS, self.root], timeout=120)
        assert res.rc == 0, repr(res)
        self.ca = os.path.join(self.root, "daosCA")
        certs = os.path.join(self.ca, "certs")
        self.cert = {role: (os.path.join(certs, role + ".crt"), os.path.join(certs, role + ".key"))
                     for role in ("server", "agent", "admin")}
        self.ca_cert = os.path.join(certs, "daosCA.crt")
        self.client_cert_dir = os.path.join(certs, "clients")

    def _transport(self, role):
        if not self.secure:
            return "transport_config:\n  allow_insecure: true\n"
        crt, key = self.cert[role]
        text = ("transport_config:\n  allow_insecure: false\n  ca_cert: %s\n  cert: %s\n"
                "  key: %s\n" % (self.ca_cert, crt, key))
        if role == "server":
            text += "  client_cert_dir: %s\n" % self.client_cert_dir
        return text

    def server_config_text(self):
        return """\
name: daos_server
mgmt_svc_replicas: {ap}
port: {port}
provider: ofi+tcp
socket_dir: {root}/run/daos_server
control_log_mask: INFO
control_log_file: {log}
control_metadata:
  path: {root}/control
{transport}
engines:
{engines}""".format(ap=_yaml_list([self.addr]), port=self.port, root=self.root,
                    log=self.server_log, transport=self._transport("server"),
                    engines="".join(e.yaml() for e in self.engines))

    def write_configs(self):
        with open(self.server_yml, "w") as f:
            f.write(self.server_config_text())
        with open(self.control_yml, "w") as f:
            f.write("name: daos_server\nport: %d\nhostlist: %s\n%s" % (
                self.port, _yaml_list([self.addr]), self._transport("admin")))
        with open(self.agent_yml, "w") as f:
            f.write("name: daos_server\naccess_points: %s\nport: %d\nruntime_dir: %s\n"
                    "log_file: %s\ncontrol_log_mask: INFO\n%sdisable_caching: true\n" % (
                        _yaml_list([self.addr]), self.port, self.agent_dir, self.agent_log,
                        self._transport("agent")))

    # --- processes -----------------------------------------------------------------------

    def _env(self):
        env = dict(os.environ)
        env["DAOS_ENGINE_BIN"] = DAOS_ENGINE
        return env

    def start_server(self, *extra, wait=True):
        assert self.server is None or self.server.poll() is not None, "server already running"
        out = open(os.path.join(self.root, "log", "server.%d.out" % len(self.server_outs)), "w+")
        self.server_outs.append(out)
        self.server = subprocess.Popen([DAOS_SERVER, "start", "-o", self.server_yml, *extra],
                                       stdin=subprocess.DEVNULL, stdout=out,
                                       stderr=subprocess.STDOUT, env=self._env(),
                                       start_new_session=True)
        if wait:
            self.wait_listening()
        return self.server

    def wait_listening(self, timeout=STATE_TIMEOUT):
        """Wait until the control port answers (dmg system leader-query works)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            assert self.server.poll() is None, "daos_server exited (rc %s):\n%s" % (
                self.server.returncode, self.server_output())
            with socket.socket() as s:
                s.settimeout(0.5)
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise AssertionError("daos_server not listening on %s after %.0f s:\n%s" % (
            self.addr, timeout, self.server_output()))

    def server_output(self):
        out = self.server_outs[-1]
        out.flush()
        out.seek(0)
        return out.read()

    def stop_server(self, sig=signal.SIGTERM, timeout=15):
        """Stop daos_server (it stops its engines), SIGKILL after `timeout` s."""
        self._collect_engine_pids()
        if self.server is None:
            return None
        if self.server.poll() is None:
            self.server.send_signal(sig)
            try:
                self.server.wait(timeout)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait(10)
        rc = self.server.returncode
        self.server = None
        return rc

    def start_agent(self, *extra, config=None, wait=True):
        assert self.agent is None or self.agent.poll() is not None, "agent already running"
        self.agent_out = open(os.path.join(self.root, "log", "agent.out"), "w+")
        self.agent = subprocess.Popen([DAOS_AGENT, "-o", config or self.agent_yml, *extra],
                                      stdin=subprocess.DEVNULL, stdout=self.agent_out,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        if wait:
            sock = os.path.join(self.agent_dir, "daos_agent.sock")
            end = time.monotonic() + STATE_TIMEOUT
            while not os.path.exists(sock):
                assert self.agent.poll() is None, "daos_agent exited (rc %s):\n%s" % (
                    self.agent.returncode, self.agent_output())
                assert time.monotonic() < end, "no agent socket %s" % sock
                time.sleep(0.05)
        return self.agent

    def agent_output(self):
        self.agent_out.flush()
        self.agent_out.seek(0)
        return self.agent_out.read()

    def stop_agent(self, timeout=10):
        if self.agent is None:
            return None
        if self.agent.poll() is None:
            self.agent.terminate()
            try:
                self.agent.wait(timeout)
            except subprocess.TimeoutExpired:
                self.agent.kill()
                self.agent.wait(10)
        rc = self.agent.returncode
        self.agent = None
        return rc

    def _collect_engine_pids(self):
        for idx in range(len(self.engines)):
            for pid in self.engine_pids(idx):
                self._engine_pids.add(pid)

    def engine_pids(self, idx):
        """Pids daos_server reported for engine `idx`, oldest first (from its log line
        'engine N: started ... (pid P)')."""
        try:
            with open(self.server_log) as f:
                text = f.read()
        except FileNotFoundError:
            return []
        return [int(m.group(1)) for m in re.finditer(
            r"engine %d: started .* \(pid (\d+)\)" % idx, text)]

    def engine_pid(self, idx):
        pids = self.engine_pids(idx)
        assert pids, "no 'engine %d: started' line in %s" % (idx, self.server_log)
        assert alive(pids[-1]), "engine %d (pid %d) is not running" % (idx, pids[-1])
        return pids[-1]

    # --- CLIs ----------------------------------------------------------------------------

    def dmg(self, *args, check=True, timeout=60):
        return run([DMG, "-o", self.control_yml, *args], timeout=timeout, check=check)

    def dmg_json(self, *args, check=True):
        res = self.dmg("-j", *args, check=False)
        doc = json.loads(res.out)
        if check:
            assert res.rc == 0 and doc["status"] == 0, repr(res)
        return doc

    def agent_cmd(self, *args, check=True, config=None):
        return run([DAOS_AGENT, "-o", config or self.agent_yml, *args], check=check)

    def members(self):
        doc = self.dmg_json("system", "query")
        return {m["rank"]: m for m in doc["response"]["members"]}

    def wait_state(self, ranks, state, timeout=STATE_TIMEOUT):
        """Wait until every rank in `ranks` is in `state`; returns the members."""
        end = time.monotonic() + timeout
        members = {}
        while time.monotonic() < end:
            res = self.dmg("-j", "system", "query", check=False)
            if res.rc == 0:
                members = {m["rank"]: m for m in json.loads(res.out)["response"]["members"]}
                if all(r in members and members[r]["state"] == state for r in ranks):
                    return members
            time.sleep(0.1)
        raise AssertionError("ranks %s not %s after %.0f s: %s\n%s" % (
            ranks, state, timeout, {r: m["state"] for r, m in members.items()},
            self.logs_tail()))

    def format(self):
        res = self.dmg("storage", "format")
        return res

    def logs_tail(self, lines=30):
        text = []
        for name in sorted(os.listdir(os.path.join(self.root, "log"))):
            path = os.path.join(self.root, "log", name)
            with open(path, errors="replace") as f:
                tail = f.readlines()[-lines:]
            text.append("==> %s <==\n%s" % (path, "".join(tail)))
        return "\n".join(text)

    # --- teardown ------------------------------------------------------------------------

    def destroy(self):
        self.stop_agent()
        self.stop_server()
        # Engines a SIGKILLed daos_server left behind: ours if their command line names our
        # directory (pids are only ever looked up, never signalled by name).
        for pid in self._engine_pids:
            if alive(pid) and self.root in _cmdline(pid):
                os.kill(pid, signal.SIGKILL)
                _wait_gone(pid, 10)
        for mnt in mounts_under(self.root):
            if subprocess.run(["umount", mnt], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", mnt], capture_output=True)
        for f in self.server_outs:
            f.close()
        if getattr(self, "agent_out", None):
            self.agent_out.close()
        if os.environ.get("DAOS_SYSTEST_KEEP"):
            print("kept", self.root)
            return
        shutil.rmtree(self.root, ignore_errors=True)


def _system(request, **kw):
    sys_ = DaosSystem(**kw)
    yield sys_
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        print(sys_.logs_tail())
    sys_.destroy()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


@pytest.fixture
def system(request):
    """An insecure single-engine system, configs written, nothing started."""
    yield from _system(request)


@pytest.fixture
def system2(request):
    """An insecure two-engine system (one daos_server), nothing started."""
    yield from _system(request, nr_engines=2)


@pytest.fixture
def secure_system(request):
    """A single-engine system with certificates from gen_certificates.sh."""
    yield from _system(request, secure=True)


@pytest.fixture
def formatted(system):
    """`system` started, formatted, rank 0 Joined."""
    system.start_server()
    system.format()
    system.wait_state([0], "Joined")
    return system
