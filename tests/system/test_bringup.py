# SPDX-License-Identifier: Apache-2.0
"""
The admin workflow of the DAOS deployment guide on one host: start daos_server, scan,
format, query the system, start daos_agent and read the attach info — insecure and with
certificates; two engines on one host; restart without format.
"""

import json
import os
import re

from conftest import IS_ROOT, alive, free_ports, mounts_under


def check_seed_workflow(sys_):
    sys_.start_server()

    # Before format: scan works (the server listens in maintenance mode), the MS does not.
    scan = sys_.dmg("storage", "scan")
    assert re.search(r"^Hosts\s+SCM Total\s+NVMe Total", scan.out, re.M), repr(scan)
    # The RAM tier is a namespace of scm_size (1 GiB), the bdev file a controller of
    # bdev_size (1 GB) although the format has not created it yet. Real PMem or NVMe
    # devices of the machine would be counted too, and PMem hides the RAM tier.
    host_devs = [d for d in os.listdir("/sys/block") if d.startswith(("nvme", "pmem"))]
    if not host_devs:
        assert re.search(r"^127\.0\.0\.1\s+1\.1 GB \(1 namespace\)\s+"
                         r"1\.0 GB \(1 controller\)\s*$", scan.out, re.M), repr(scan)
    scan = sys_.dmg("storage", "scan", "--verbose")
    eng = sys_.engines[0]
    if not any(d.startswith("pmem") for d in host_devs):
        assert re.search(r"^%s\s+-?\d+\s+1\.1 GB\s*$" % re.escape(eng.scm_mount), scan.out,
                         re.M), repr(scan)
    assert re.search(r"^%s\s+-?\d+\s+1\.0 GB\s*$" % re.escape(eng.bdev), scan.out, re.M), \
        repr(scan)
    query = sys_.dmg("system", "query", check=False)
    assert query.rc != 0 and "format" in query.text, repr(query)

    fmt = sys_.dmg("storage", "format")
    assert "Format Summary:" in fmt.out, repr(fmt)
    assert re.search(r"^\s+127\.0\.0\.1\s+1\s+1\s*$", fmt.out, re.M), repr(fmt)
    sys_.wait_state([0], "Joined")
    if IS_ROOT:
        assert sys_.engines[0].scm_mount in mounts_under(sys_.engines[0].scm_mount)

    query = sys_.dmg("system", "query")
    assert re.search(r"^Rank\s+State\s*$", query.out, re.M), repr(query)
    assert re.search(r"^0\s+Joined\s*$", query.out, re.M), repr(query)
    verbose = sys_.dmg("system", "query", "-v")
    assert re.search(r"^0\s+[0-9a-f-]{36}\s+%s\s+\S+\s+Joined" % re.escape(sys_.addr),
                     verbose.out, re.M), repr(verbose)

    # JSON: DAOS's envelope {"response": ..., "error": null, "status": 0}.
    res = sys_.dmg("-j", "system", "query")
    doc = json.loads(res.out)
    assert set(doc) >= {"response", "error", "status"}, doc
    assert doc["error"] is None and doc["status"] == 0, doc
    (member,) = doc["response"]["members"]
    assert member["rank"] == 0 and member["state"] == "Joined", member
    assert member["addr"] == sys_.addr, member
    uri = "ofi+tcp://127.0.0.1:%d" % sys_.engines[0].port
    assert member["fabric_uri"] == uri, member

    sys_.start_agent()
    info = sys_.agent_cmd("dump-attachinfo")
    assert re.search(r"^sys: daos_server$", info.out, re.M), repr(info)
    assert re.search(r"^- rank: 0\n  uri: %s$" % re.escape(uri), info.out, re.M), repr(info)
    assert "provider: ofi+tcp" in info.out, repr(info)

    leader = sys_.dmg("system", "leader-query")
    assert "Current Leader: %s" % sys_.addr in leader.out, repr(leader)


def test_seed_workflow(system):
    check_seed_workflow(system)


def test_seed_workflow_with_certificates(secure_system):
    check_seed_workflow(secure_system)
    # A dmg without certificates is turned away by the TLS server.
    insecure = secure_system.dmg("-i", "system", "query", check=False)
    assert insecure.rc != 0, repr(insecure)


def test_two_engines_one_host(system2):
    sys_ = system2
    sys_.start_server()
    fmt = sys_.dmg("storage", "format")
    assert re.search(r"^\s+127\.0\.0\.1\s+2\s+2\s*$", fmt.out, re.M), repr(fmt)
    members = sys_.wait_state([0, 1], "Joined")
    assert len(members) == 2, members
    uris = {m["fabric_uri"] for m in members.values()}
    assert uris == {"ofi+tcp://127.0.0.1:%d" % e.port for e in sys_.engines}, members
    assert len({m["uuid"] for m in members.values()}) == 2, members
    assert all(m["addr"] == sys_.addr for m in members.values()), members
    query = sys_.dmg("system", "query")
    assert re.search(r"^\[0-1\]\s+Joined\s*$", query.out, re.M), repr(query)

    sys_.start_agent()
    info = sys_.agent_cmd("dump-attachinfo")
    for m in members.values():
        assert "- rank: %d\n  uri: %s" % (m["rank"], m["fabric_uri"]) in info.out, repr(info)

    # Restart: both engines come back with their ranks, no format.
    before = {r: (m["uuid"], m["fabric_uri"]) for r, m in members.items()}
    assert sys_.stop_server() == 0
    sys_.start_server()
    members = sys_.wait_state([0, 1], "Joined")
    assert {r: (m["uuid"], m["fabric_uri"]) for r, m in members.items()} == before


def test_restart_keeps_rank_without_format(formatted):
    sys_ = formatted
    (before,) = sys_.members().values()
    rc = sys_.stop_server()
    assert rc == 0, sys_.server_output()
    # daos_server stopped its engine on SIGTERM.
    assert not alive(sys_.engine_pids(0)[-1])

    sys_.start_server()
    members = sys_.wait_state([0], "Joined")
    assert members[0]["uuid"] == before["uuid"], (before, members)
    assert members[0]["incarnation"] != before["incarnation"], (before, members)
    # No "format required" on the way: the superblock carried the rank.
    assert "not formatted" not in sys_.server_output()
    fmt = sys_.dmg("storage", "format", check=False)
    assert fmt.rc != 0, repr(fmt)


def test_pools(formatted):
    """dmg pool create/list/query/destroy as the admin guide shows, and the refusals."""
    sys_ = formatted
    res = sys_.dmg("pool", "create", "--size=512MB", "p1")
    assert "Pool created with 6.00%,94.00% storage tier ratio" in res.out, repr(res)
    assert "Service Ranks        : 0\n" in res.out, res.out
    assert "Storage Ranks        : 0\n" in res.out, res.out
    lst = sys_.dmg("pool", "list")
    assert lst.out.splitlines()[0].split() == ["Pool", "Size", "State", "Used", "Imbalance",
                                               "Disabled"], lst.out
    assert lst.out.splitlines()[2].split()[0] == "p1", lst.out
    q = sys_.dmg("pool", "query", "p1")
    assert "- Storage tier 1 (NVMe):" in q.out and "Total size:" in q.out, q.out
    js = sys_.dmg_json("pool", "list")
    assert [p["label"] for p in js["response"]["pools"]] == ["p1"], js

    # Refusals, each naming the problem
    dup = sys_.dmg("pool", "create", "--size=512MB", "p1", check=False)
    assert dup.rc != 0 and "already in use" in dup.err, repr(dup)
    big = sys_.dmg("pool", "create", "--size=20GB", "p2", check=False)
    assert big.rc != 0 and "DER_NOSPACE" in big.err and "rank 0 has" in big.err, repr(big)
    unknown = sys_.dmg("pool", "query", "nope", check=False)
    assert unknown.rc != 0 and "unknown pool \"nope\"" in unknown.err, repr(unknown)

    # A restart keeps the pool; destroy removes it
    assert sys_.stop_server() == 0
    sys_.start_server()
    sys_.wait_state([0], "Joined")
    assert sys_.dmg("pool", "list").out.splitlines()[2].split()[0] == "p1"
    d = sys_.dmg("pool", "destroy", "p1")
    assert "Pool-destroy command succeeded" in d.out, repr(d)
    assert "No pools in system" in sys_.dmg("pool", "list").out
    again = sys_.dmg("pool", "destroy", "p1", check=False)
    assert again.rc != 0 and "unknown pool" in again.err, repr(again)


def test_pool_props_and_acl(formatted):
    """get-prop/set-prop and the ACL commands, kept across a restart."""
    sys_ = formatted
    sys_.dmg("pool", "create", "--size=512MB", "--nsvc=3", "-P", "rd_fac:1,space_rb:10", "p1")
    props = sys_.dmg("pool", "get-prop", "p1").out
    assert "Pool p1 properties:" in props, props
    assert any(l.startswith("Pool redundancy factor (rd_fac)") and l.split()[-1] == "1"
               for l in props.splitlines()), props
    assert any(l.startswith("Rebuild space ratio (space_rb)") and l.split()[-1] == "10%"
               for l in props.splitlines()), props
    # --nsvc=3 is kept as the service redundancy factor it implies
    assert any(l.startswith("Pool service redundancy factor (svc_rf)") and l.split()[-1] == "1"
               for l in props.splitlines()), props
    assert "pool set-prop succeeded" in sys_.dmg("pool", "set-prop", "p1", "reclaim:disabled").out
    bad = sys_.dmg("pool", "set-prop", "p1", "rd_fac:9", check=False)
    assert bad.rc != 0 and "rd_fac" in bad.err, repr(bad)
    acl = sys_.dmg("pool", "get-acl", "p1").out
    assert "A::OWNER@:rw" in acl and "A:G:GROUP@:rw" in acl, acl
    upd = sys_.dmg("pool", "update-acl", "-e", "A::bob@:r", "p1").out
    assert "A::bob@:r" in upd, upd
    sys_.dmg("pool", "delete-acl", "-p", "u:bob@", "p1")
    gone = sys_.dmg("pool", "delete-acl", "-p", "u:bob@", "p1", check=False)
    assert gone.rc != 0 and "no ACE for principal u:bob@" in gone.err, repr(gone)
    sys_.dmg("pool", "update-acl", "-e", "A::alice@:rw", "p1")
    assert "Pool-evict command succeeded" in sys_.dmg("pool", "evict", "p1").out
    nope = sys_.dmg("pool", "evict", "nope", check=False)
    assert nope.rc != 0 and "unknown pool" in nope.err, repr(nope)

    assert sys_.stop_server() == 0
    sys_.start_server()
    sys_.wait_state([0], "Joined")
    reclaim = sys_.dmg("pool", "get-prop", "p1", "reclaim").out
    assert reclaim.splitlines()[-1].split()[-1] == "disabled", reclaim
    assert "A::alice@:rw" in sys_.dmg("pool", "get-acl", "p1").out


def test_network_scan_and_erase(formatted):
    """dmg network scan; dmg system erase after a stop, then a new format."""
    sys_ = formatted
    scan = sys_.dmg("network", "scan").out
    assert "ofi+tcp" in scan and "lo" in scan, scan
    sys_.dmg("pool", "create", "--size=512MB", "p1")
    busy = sys_.dmg("system", "erase", check=False)
    assert busy.rc != 0 and "stop the system" in busy.err, repr(busy)
    sys_.dmg("system", "stop")
    sys_.wait_state([0], "Stopped")
    sys_.dmg("system", "erase")
    q = sys_.dmg("system", "query", check=False)
    assert q.rc != 0 and "format" in q.err, repr(q)
    sys_.dmg("storage", "format")
    sys_.wait_state([0], "Joined")
    assert "No pools in system" in sys_.dmg("pool", "list").out


def _thread_cpus(pid):
    """{thread name: set of CPUs it may run on} of the engine's xstreams."""
    cpus = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                name = f.read().strip()
            if name.startswith("daos_"):
                cpus[name] = os.sched_getaffinity(int(tid))
        except (FileNotFoundError, ProcessLookupError):
            continue
    return cpus


def test_targets_placed_on_cores(system):
    """More targets than cores after first_core (a laptop): they are spread round robin
    over every usable core, those after first_core first, then first_core itself; the
    system xstream keeps first_core and the log says so once. With enough cores, one
    core per target."""
    allowed = sorted(os.sched_getaffinity(0))
    after = [c for c in allowed if c > 0]
    spread = after + [c for c in allowed if c <= 0]
    nr = len(after) + 1  # one more target than cores after first_core 0
    system.engines[0].targets = nr
    system.engines[0].port = free_ports(nr + 2)
    system.write_configs()
    system.start_server()
    system.format()
    system.wait_state([0], "Joined")
    cpus = _thread_cpus(system.engine_pid(0))
    tgts = {n: c for n, c in cpus.items() if n.startswith("daos_tgt")}
    assert len(tgts) == nr, cpus
    if 0 in allowed:
        assert cpus["daos_sys"] == {0}, cpus
    for t in range(nr):
        assert tgts["daos_tgt%d" % t] == {spread[t % len(spread)]}, (t, tgts)
    with open(system.engines[0].log_file) as f:
        notes = [l for l in f if "targets are spread" in l]
    assert len(notes) == 1, notes
    assert "%d targets, %d usable cores after first_core 0" % (nr, len(after)) in notes[0]
