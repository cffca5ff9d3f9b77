# SPDX-License-Identifier: Apache-2.0
"""The pool service in the engines: pool map versions, exclusion, state kept by the PS."""
import re
import time


def query_head(sys_, pool):
    out = sys_.dmg("pool", "query", pool).out
    m = re.search(r"^Pool \S+, ntarget=(\d+), disabled=(\d+), leader=(\d+), version=(\d+), "
                  r"state=(\w+)$", out, re.M)
    assert m, out
    return [int(x) for x in m.groups()[:4]] + [m.group(5)], out


def test_pool_map_over_two_ranks(system2):
    sys_ = system2
    sys_.start_server()
    sys_.format()
    sys_.wait_state([0, 1], "Joined")
    res = sys_.dmg("pool", "create", "--size=1GB", "pm")
    assert re.search(r"Storage Ranks\s+: \[0-1\]", res.out), res.out
    head, out = query_head(sys_, "pm")
    ntarget = head[0]
    assert head[1:] == [0, 0, 1, "Ready"], out
    assert ntarget == sum(e.targets for e in sys_.engines), out
    assert "Rebuild idle, 0 objs, 0 recs" in out, out
    assert "Disabled ranks" not in out, out

    # Rank 1 stops and is excluded: the PS (rank 0) marks its targets DOWN in a new map.
    sys_.dmg("system", "stop", "--ranks", "1")
    sys_.wait_state([1], "Stopped")
    sys_.dmg("system", "exclude", "--ranks", "1")
    sys_.wait_state([1], "AdminExcluded")
    # The MS asks the PS without waiting for it: the new map shows up shortly after.
    deadline = time.monotonic() + 10
    head, out = query_head(sys_, "pm")
    while head[3] < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
        head, out = query_head(sys_, "pm")
    assert head[1] == sys_.engines[1].targets and head[3] == 2, out
    assert head[4] == "TargetsExcluded", out
    assert "- Disabled ranks: 1" in out, out
    # Space now comes from rank 0's targets only.
    assert "- Target count:%d" % sys_.engines[0].targets in out, out

    # The map, a renamed label and an ACL entry live in the PS's store: a restart of
    # everything keeps them.
    sys_.dmg("pool", "set-prop", "pm", "label:pm2")
    sys_.dmg("pool", "update-acl", "-e", "A::alice@:r", "pm2")
    assert sys_.stop_server() == 0
    sys_.start_server()
    sys_.wait_state([0], "Joined")
    head, out = query_head(sys_, "pm2")
    assert head[3] == 2 and head[1] == sys_.engines[1].targets, out
    props = sys_.dmg("pool", "get-prop", "pm2", "label").out
    assert re.search(r"^Pool label \(label\)\s+pm2\s*$", props, re.M), props
    acl = sys_.dmg("pool", "get-acl", "pm2").out
    assert "A::alice@:r" in acl, acl

    # Destroy leaves the excluded rank's shards (DAOS's behaviour too) and removes the rest.
    sys_.dmg("pool", "destroy", "pm2")
    assert "No pools in system" in sys_.dmg("pool", "list").out


def test_pool_service_rank_down(system2):
    """With the PS rank stopped, pool calls fail promptly naming it; the MS keeps serving."""
    sys_ = system2
    sys_.start_server()
    sys_.format()
    sys_.wait_state([0, 1], "Joined")
    sys_.dmg("pool", "create", "--size=512MB", "--ranks=1", "solo")
    sys_.dmg("pool", "create", "--size=512MB", "--ranks=0", "other")
    sys_.dmg("system", "stop", "--ranks", "1")
    sys_.wait_state([1], "Stopped")
    q = sys_.dmg("pool", "query", "solo", check=False)
    assert q.rc != 0 and "rank 1" in q.err, repr(q)
    lst = sys_.dmg("pool", "list")
    assert "other" in lst.out and "solo" in lst.out, lst.out
    assert sys_.dmg("pool", "query", "other").rc == 0
    sys_.dmg("system", "start", "--ranks", "1")
    sys_.wait_state([1], "Joined")
    head, out = query_head(sys_, "solo")
    assert head[2] == 1, out


def test_pool_owner_and_group(formatted):
    sys_ = formatted
    sys_.dmg("pool", "create", "--size=512MB", "--user=alice@", "--group=users@", "own")
    acl = sys_.dmg("pool", "get-acl", "own").out
    assert "# Owner: alice@" in acl and "# Owner Group: users@" in acl, acl
    bad = sys_.dmg("pool", "create", "--size=256MB", "--user=al ice", "nope", check=False)
    assert bad.rc != 0 and "invalid --user" in bad.err, repr(bad)
    assert "nope" not in sys_.dmg("pool", "list").out


def test_pool_left_creating_can_be_destroyed(formatted):
    """A create that died with its daos_server leaves a Creating record: destroy clears it."""
    import json
    import os
    sys_ = formatted
    assert sys_.stop_server() == 0
    db = os.path.join(sys_.root, "control", "daos_control", "control_raft", "daos_system.db")
    with open(db) as f:
        doc = json.load(f)
    doc["pools"] = doc.get("pools", []) + [{
        "uuid": "5e1f0000-2222-3333-4444-555555555555", "label": "ghost",
        "state": "Creating", "svc_ranks": [0], "tgt_ranks": [0],
        "tier_bytes": [33554432, 67108864], "created": 1700000000}]
    with open(db, "w") as f:
        json.dump(doc, f)
    sys_.start_server()
    sys_.wait_state([0], "Joined")
    assert "Creating" in sys_.dmg("pool", "list", "--no-query").out
    q = sys_.dmg("pool", "query", "ghost", check=False)
    assert q.rc != 0 and "being created" in q.err, repr(q)
    sys_.dmg("pool", "destroy", "ghost")
    assert "No pools in system" in sys_.dmg("pool", "list").out
