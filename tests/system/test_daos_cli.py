# SPDX-License-Identifier: Apache-2.0
"""
The `daos` user CLI against a real system: a pool made with dmg, the agent running, then
only `daos` commands as a user of the DAOS guides types them (seed 003: pool query,
container create/list/get-prop/set-prop status:HEALTHY, update-acl, autotest), the
container life cycle with properties, attributes, snapshots and ACLs, JSON output, error
lines and exit codes, and a user the ACLs do not admit (-DER_NO_PERM).

libdaos finds the agent through DAOS_AGENT_DRPC_DIR, as DAOS's does. Skipped as a whole
when the daos binary is absent (DAOS_BIN, else build/src/control/daos/daos): it is built
only once the tree has libdaos.
"""

import json
import os
import pwd
import re
import shutil

import pytest

from conftest import IS_ROOT, _bin, run

DAOS = _bin("DAOS_BIN", "src/control/daos/daos")

pytestmark = pytest.mark.skipif(
    not os.access(DAOS, os.X_OK),
    reason="no daos binary at %s: it is built once the tree has libdaos (src/client); "
           "set DAOS_BIN to use another" % DAOS)

# The error line of DAOS's daos: "ERROR: daos: <what failed>: DER_X(-N): <description>".
ERROR_RE = r"^ERROR: daos: .*: %s\(%d\): .+$"


class Daos:
    """A formatted system with a pool "tank" and the agent, driven through `daos`."""

    def __init__(self, sys_):
        self.sys = sys_
        self.env = dict(os.environ)
        self.env["DAOS_AGENT_DRPC_DIR"] = sys_.agent_dir

    def __call__(self, *args, check=True, user=None, timeout=120):
        cmd = [DAOS, *args]
        if user is not None:
            cmd = ["setpriv", "--reuid=%s" % user, "--regid=%d" % pwd.getpwnam(user).pw_gid,
                   "--clear-groups", "--"] + cmd
        return run(cmd, timeout=timeout, check=check, env=self.env)

    def json(self, *args, check=True):
        res = self(*args, "-j", check=False)
        doc = json.loads(res.out)
        assert set(doc) == {"response", "error", "status"}, res
        if check:
            assert res.rc == 0 and doc["status"] == 0 and doc["error"] is None, res
        return doc

    def props(self, cont, *names):
        """get-prop as {key: value} (the table's "<description> (<key>)" names)."""
        out = self("cont", "get-prop", "tank", cont, *names).out
        rows = {}
        for line in out.splitlines()[3:]:
            m = re.match(r"^.* \((\w+)\)\s+(.*)$", line)
            assert m, out
            rows[m.group(1)] = m.group(2).rstrip()
        return rows

    def create_posix(self, *args):
        """daos container create --type=POSIX ... through libdfs (dfs_cont_create)."""
        res = self("container", "create", "--type=POSIX", *args, check=False)
        assert res.rc == 0, res
        assert re.search(r"^Successfully created container [0-9a-f-]{36} type POSIX$", res.out,
                         re.M), res
        return res


@pytest.fixture
def daos(formatted):
    sys_ = formatted
    sys_.dmg("pool", "create", "--size=512MB", "tank")
    sys_.start_agent()
    return Daos(sys_)


def test_seed_pool_query(daos):
    """`daos pool query <pool>` (seed 003): header line, rebuild state, space per tier."""
    res = daos("pool", "query", "tank")
    m = re.search(r"^Pool ([0-9a-f-]{36}), ntarget=(\d+), disabled=0, leader=0, version=\d+, "
                  r"state=Ready$", res.out, re.M)
    assert m, res
    assert int(m.group(2)) == sum(e.targets for e in daos.sys.engines), res
    assert re.search(r"^- Rebuild (idle|done), \d+ objs, \d+ recs$", res.out, re.M), res
    assert "- Target count:" in res.out and "- Storage tier 0 (SCM):" in res.out, res
    assert re.search(r"^  Free: .+, min:.+, max:.+, mean:.+$", res.out, re.M), res
    health = daos("pool", "query", "--health-only", "--show-enabled", "tank").out
    assert "- Enabled ranks: 0" in health and "Pool space info" not in health, health
    doc = daos.json("pool", "query", "tank")
    assert doc["response"]["uuid"] == m.group(1), doc

    bad = daos("pool", "query", "nope", check=False)
    assert bad.rc == 1 and re.search(ERROR_RE % ("DER_NONEXIST", -1005), bad.err, re.M), bad


def test_seed_posix_container(daos):
    """seed 003's container commands: create --type=POSIX (plain and advanced), list,
    get-prop, set-prop status:HEALTHY."""
    daos.create_posix("tank", "c1")
    assert "c1" in daos("cont", "list", "tank").out
    props = daos.props("c1")
    assert props["layout_type"] == "POSIX" and props["status"] == "HEALTHY", props
    # libdfs formatted it: the superblock and root directory ids are set.
    assert re.match(r"^\d+\.\d+, \d+\.\d+$", props["root_oids"]), props
    assert props["root_oids"] != "0.0, 0.0", props
    again = daos("container", "create", "--type=POSIX", "tank", "c1", check=False)
    assert again.rc == 1 and re.search(ERROR_RE % ("DER_EXIST", -1004), again.err, re.M), again
    daos.create_posix("--chunk-size=2097152",
                      "--properties=rd_fac:0,ec_cell_sz:131072,cksum:crc32,srv_cksum:on",
                      "--file-oclass=SX", "--dir-oclass=S1", "tank", "c2")
    props = daos.props("c2")
    assert props["cksum"] == "crc32" and props["srv_cksum"] == "on", props
    assert props["ec_cell_sz"] == "128 KiB", props
    res = daos("cont", "set-prop", "tank", "c2", "status:HEALTHY")
    assert res.out == "Properties were successfully set\n", res


def test_container_life_cycle(daos):
    """create with properties, list, query, get-prop, set-prop, destroy."""
    res = daos("container", "create", "tank", "results", "--type=HDF5",
               "--properties=rd_fac:0,cksum:crc32,srv_cksum:on,cksum_size:64KiB")
    m = re.search(r"^Successfully created container ([0-9a-f-]{36}) type HDF5$", res.out, re.M)
    assert m and "  Container Label: results\n" in res.out, res
    uuid = m.group(1)

    lst = daos("cont", "list", "tank").out
    assert re.search(r"^  results +%s$" % uuid, lst, re.M), lst
    assert " HDF5" in daos("pool", "list-containers", "-v", "tank").out

    q = daos("cont", "query", "tank", "results").out
    assert "  Container UUID             : %s\n" % uuid in q, q
    assert "  Container Type             : HDF5\n" in q, q

    out = daos("cont", "get-prop", "tank", "results").out
    assert out.startswith("Properties for container results\nName "), out
    props = daos.props("results")
    assert props["label"] == "results" and props["layout_type"] == "HDF5", props
    assert props["cksum"] == "crc32" and props["cksum_size"] == "64 KiB", props
    assert props["rd_fac"] == "0" and props["status"] == "HEALTHY", props
    assert props["owner"] == "%s@" % pwd.getpwuid(os.getuid()).pw_name, props
    assert "A::OWNER@:rwdtTaAo" in props["acl"], props
    assert set(daos.props("results", "label,status")) == {"label", "status"}
    doc = daos.json("cont", "get-prop", "tank", "results", "cksum")
    assert doc["response"] == [{"name": "cksum", "description": "Checksum",
                                "value": "crc32"}], doc

    # refusals name the property; nothing is sent
    bad = daos("cont", "set-prop", "tank", "results", "rd_fac:1", check=False)
    assert bad.rc == 1, bad
    assert bad.err == "ERROR: daos: property rd_fac can only be set at container create\n", bad
    bad = daos("cont", "create", "tank", "x", "--properties=frob:1", check=False)
    assert bad.rc == 1 and 'unknown container property "frob"' in bad.err, bad
    bad = daos.json("cont", "create", "tank", "x", "--properties=rd_fac:7", check=False)
    assert bad["status"] == -1003 and "rd_fac" in bad["error"], bad
    assert "x" not in daos("cont", "list", "tank").out.split()

    daos("cont", "set-prop", "tank", "results", "label:renamed")
    assert daos.props("renamed")["label"] == "renamed"
    res = daos("cont", "destroy", "tank", "renamed")
    assert res.out == "Successfully destroyed container renamed\n", res
    gone = daos("cont", "query", "tank", "renamed", check=False)
    assert gone.rc == 1 and re.search(ERROR_RE % ("DER_NONEXIST", -1005), gone.err, re.M), gone


def test_attributes(daos):
    daos("cont", "create", "tank", "c")
    daos("cont", "set-attr", "tank", "c", "owner.team:storage,purpose:a:b")
    out = daos("cont", "list-attrs", "tank", "c").out
    assert out == "Attributes for container c:\nName\n----\nowner.team\npurpose\n", out
    out = daos("cont", "get-attr", "tank", "c", "purpose").out
    assert re.search(r"^purpose +a:b$", out, re.M), out
    daos("cont", "del-attr", "tank", "c", "purpose")
    assert "purpose" not in daos("cont", "list-attrs", "-V", "tank", "c").out
    missing = daos("cont", "get-attr", "tank", "c", "purpose", check=False)
    assert missing.rc == 1 and "DER_NONEXIST(-1005)" in missing.err, missing

    daos("pool", "set-attr", "tank", "project:alpha")
    doc = daos.json("pool", "get-attr", "tank", "project")
    assert doc["response"] == [{"name": "project", "value": "alpha"}], doc
    daos("pool", "del-attr", "tank", "project")
    assert "No attributes" in daos("pool", "list-attrs", "tank").out


def test_snapshots(daos):
    """Snapshots by epoch and by name."""
    daos("cont", "create", "tank", "c")
    res = daos("cont", "create-snap", "tank", "c")
    m = re.match(r"^snapshot/epoch (0x[0-9a-f]+) has been created \(timestamp: .+\)$", res.out)
    assert m, res
    daos("cont", "create-snap", "tank", "c")
    lst = daos("cont", "list-snaps", "tank", "c").out
    assert lst.startswith("Container's snapshots :\n"), lst
    assert re.search(r"^%s " % m.group(1), lst, re.M), lst
    assert len(lst.splitlines()) == 5, lst
    assert "Number of snapshots        : 2" in daos("cont", "query", "tank", "c").out
    daos("cont", "destroy-snap", "tank", "c", "--epc", m.group(1))
    assert m.group(1) not in daos("cont", "list-snaps", "tank", "c").out
    doc = daos.json("cont", "list-snaps", "tank", "c")
    (snap,) = doc["response"]
    daos("cont", "destroy-snap", "tank", "c", "--epc", hex(snap["epoch"]))
    assert daos("cont", "list-snaps", "tank", "c").out == "No snapshots.\n"

    # Named: the name is kept, listed, and destroys it.
    res = daos("cont", "create-snap", "tank", "c", "--snap", "before-run")
    m = re.match(r"^snapshot/epoch (0x[0-9a-f]+) has been created \(timestamp: .+\)$", res.out)
    assert m, res
    lst = daos("cont", "list-snaps", "tank", "c").out
    assert re.search(r"^%s\s+.+\s+before-run\s*$" % m.group(1), lst, re.M), lst
    doc = daos.json("cont", "list-snaps", "tank", "c")
    assert [s_["name"] for s_ in doc["response"]] == ["before-run"], doc
    bad = daos("cont", "destroy-snap", "tank", "c", "--snap", "nope", check=False)
    assert bad.rc != 0 and 'no snapshot named "nope"' in bad.err, bad
    daos("cont", "destroy-snap", "tank", "c", "--snap", "before-run")
    assert daos("cont", "list-snaps", "tank", "c").out == "No snapshots.\n"


def test_acls_and_owner(daos, tmp_path):
    """seed 003's sharing: update-acl for a user and a group, then get-prop shows them."""
    daos("cont", "create", "tank", "shared")
    acl = daos("cont", "get-acl", "tank", "shared").out
    assert "# Entries:\nA::OWNER@:rwdtTaAo\nA:G:GROUP@:rwtT\n" in acl, acl
    out = daos("cont", "update-acl", "-e", "A::pkcoff@:rw", "tank", "shared").out
    assert "A::pkcoff@:rw\n" in out, out
    daos("cont", "update-acl", "-e", "A:G:users@:rwta", "tank", "shared")
    assert daos.props("shared", "acl")["acl"] == \
        "A::OWNER@:rwdtTaAo, A::pkcoff@:rw, A:G:GROUP@:rwtT, A:G:users@:rwta"
    bad = daos("cont", "update-acl", "-e", "A::pkcoff@:rc", "tank", "shared", check=False)
    assert bad.rc == 1 and "rwdtTaAo" in bad.err, bad

    daos("cont", "delete-acl", "-P", "u:pkcoff@", "tank", "shared")
    assert "pkcoff" not in daos("cont", "get-acl", "tank", "shared").out
    path = tmp_path / "acl.txt"
    daos("cont", "get-acl", "tank", "shared", "--outfile", str(path))
    exists = daos("cont", "get-acl", "tank", "shared", "--outfile", str(path), check=False)
    assert exists.rc == 1 and "already exists" in exists.err, exists
    daos("cont", "update-acl", "-e", "A::EVERYONE@:r", "tank", "shared")
    out = daos("cont", "overwrite-acl", "--acl-file", str(path), "tank", "shared").out
    assert "EVERYONE@" not in out and "A:G:users@:rwta" in out, out

    daos("cont", "set-owner", "--group", "daemon@", "tank", "shared")
    assert daos.props("shared", "group")["group"] == "daemon@"


@pytest.mark.skipif(not IS_ROOT or shutil.which("setpriv") is None,
                    reason="runs daos as user nobody: needs root and setpriv")
def test_other_user_refused(daos):
    """nobody may connect to the pool (its ACL lets it) but not open a container whose ACL
    does not name it: -DER_NO_PERM; an entry later admits it read-only."""
    # nobody has to reach the binary, its libraries and the agent's socket
    for d in (daos.sys.root, os.path.dirname(daos.sys.agent_dir), daos.sys.agent_dir):
        os.chmod(d, 0o755)
    probe = daos("version", user="nobody", check=False)
    if probe.rc != 0:
        pytest.skip("user nobody cannot run %s: %s" % (DAOS, probe.err.strip()))
    daos.sys.dmg("pool", "update-acl", "-e", "A::nobody@:r", "tank")
    daos("cont", "create", "tank", "private")

    res = daos("cont", "get-prop", "tank", "private", user="nobody", check=False)
    assert res.rc == 1, res
    assert re.search(ERROR_RE % ("DER_NO_PERM", -1001), res.err, re.M), res
    assert "failed to open container private" in res.err, res
    doc = json.loads(daos("-j", "cont", "query", "tank", "private", user="nobody",
                          check=False).out)
    assert doc["status"] == -1001, doc

    daos("cont", "update-acl", "-e", "A::nobody@:rt", "tank", "private")
    assert "private" in daos("cont", "get-prop", "tank", "private", user="nobody").out
    res = daos("cont", "set-prop", "tank", "private", "label:mine", user="nobody", check=False)
    assert res.rc == 1 and "DER_NO_PERM(-1001)" in res.err, res


def test_object_query(daos):
    daos("cont", "create", "tank", "c")
    bad = daos("obj", "query", "tank", "c", "12", check=False)
    assert bad.rc == 1 and "expected <hi>.<lo>" in bad.err, bad
    # An OID of class S1 with one group: hi holds class 1 (bits 48-55) and 1 group (32-47).
    hi = (1 << 48) | (1 << 32)
    res = daos("object", "query", "tank", "c", "%d.5" % hi)
    assert res.out.startswith("oid: %d.5 ver " % hi) and "grp_nr: 1\n" in res.out, res
    assert "  Object Class: S1\n" in res.out, res


def test_autotest(daos):
    """`daos pool autotest <pool>` (seed 003), bounded by --deadline-limit."""
    res = daos("pool", "autotest", "tank", "--deadline-limit", "30", timeout=600)
    assert res.out.startswith("Step  Operation "), res
    for step in ("Initializing DAOS", "Connecting to pool", "Creating containers",
                 "Reading 4KB values", "Destroying containers", "Tearing down DAOS"):
        assert re.search(r"^ +\d+  %s +PASS " % step, res.out, re.M), res
    assert res.out.endswith("All steps passed.\n") and res.rc == 0, res
    assert daos("cont", "list", "tank").out == "No containers.\n"


def test_usage_errors(daos):
    res = daos("cont", "create", check=False)
    assert res.rc == 1, res
    assert res.err == ("ERROR: daos: the required argument `<pool> [<label>]' was not "
                       "provided\nRun 'daos container create --help' for usage\n"), res
    res = daos("cont", "frob", check=False)
    assert res.rc == 1 and "Unknown command `frob'" in res.err, res
    assert "Usage:\n  daos container [OPTIONS] <command>" in daos("cont", "--help").out
