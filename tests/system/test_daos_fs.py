# SPDX-License-Identifier: Apache-2.0
"""
`daos filesystem` against a real system (one engine, two targets, loopback): copy a tree
in and back out and compare checksums; set-attr/get-attr on a directory and check that a
new file inherits its class and chunk size; make leaked objects (tests/api/dfs_leak.c
punches entries and leaves their objects), see `fs check --flags=print` count them,
`--flags=relink` put them under /lost+found, `--flags=remove,relink` refused; `fs scan`
and `container check`. dfuse paths (--path, fs query) are in test_dfuse.py's territory
and not driven here.
"""

import hashlib
import json
import os
import re

import pytest

from conftest import BUILD, DaosSystem, Engine, _bin, run

API_DIR = os.environ.get("DAOS_API_TEST_DIR") or os.path.join(BUILD, "tests", "api")
DAOS = _bin("DAOS_BIN", "src/control/daos/daos")
LEAK = os.path.join(API_DIR, "api_dfs_leak")
POOL = "fstest"
NR_LEAKED_FILES = 3


@pytest.fixture(scope="module")
def fs_system():
    if not os.access(DAOS, os.X_OK) or not os.access(LEAK, os.X_OK):
        pytest.skip("needs the daos binary and %s (libdfs)" % LEAK)
    sys_ = DaosSystem()
    try:
        sys_.engines = [Engine(0, sys_.root, targets=2)]
        sys_.write_configs()
        sys_.start_server()
        sys_.format()
        sys_.wait_state([0], "Joined")
        sys_.start_agent()
        sys_.dmg("pool", "create", "--size=800MB", "-P", "rd_fac:0", POOL)
        yield sys_
    finally:
        sys_.destroy()


def env_of(sys_):
    env = dict(os.environ)
    env.update({
        "DAOS_AGENT_DRPC_DIR": sys_.agent_dir,
        "D_LOG_FILE": os.path.join(sys_.root, "log", "client_daos_fs.log"),
        "D_LOG_MASK": "ERR",
    })
    return env


def daos(sys_, *args, check=True):
    res = run([DAOS] + list(args), env=env_of(sys_), timeout=300)
    if check:
        assert res.rc == 0, "%r\n%s" % (res, sys_.logs_tail())
    return res


def tree_sums(top):
    """{relative path: sha256 or link target or 'dir' + mode}"""
    out = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for d in dirnames:
            p = os.path.join(dirpath, d)
            rel = os.path.relpath(p, top)
            out[rel] = ("link", os.readlink(p)) if os.path.islink(p) else \
                ("dir", os.stat(p).st_mode & 0o777)
        for f in filenames:
            p = os.path.join(dirpath, f)
            rel = os.path.relpath(p, top)
            if os.path.islink(p):
                out[rel] = ("link", os.readlink(p))
            else:
                with open(p, "rb") as fh:
                    out[rel] = (hashlib.sha256(fh.read()).hexdigest(),
                                os.stat(p).st_mode & 0o777)
    return out


def make_tree(top):
    os.makedirs(os.path.join(top, "sub", "deeper"))
    with open(os.path.join(top, "big.bin"), "wb") as f:
        f.write(os.urandom(3 * 1024 * 1024 + 17))
    with open(os.path.join(top, "sub", "a.txt"), "w") as f:
        f.write("hello\n")
    os.chmod(os.path.join(top, "sub", "a.txt"), 0o640)
    with open(os.path.join(top, "sub", "deeper", "empty"), "w"):
        pass
    os.symlink("sub/a.txt", os.path.join(top, "link"))
    os.chmod(os.path.join(top, "sub", "deeper"), 0o750)


def test_copy_round_trip(fs_system, tmp_path):
    sys_ = fs_system
    daos(sys_, "container", "create", "--type=POSIX", POOL, "copy")
    src = str(tmp_path / "tree")
    make_tree(src)
    res = daos(sys_, "filesystem", "copy", "--src", src, "--dst", "daos://%s/copy" % POOL)
    assert "Successfully copied to DAOS: daos://%s/copy" % POOL in res.out, res
    assert re.search(r"Directories: 3\n\s+Files:\s+3\n\s+Links:\s+1", res.out), res
    out = tmp_path / "out"
    out.mkdir()
    res = daos(sys_, "-j", "fs", "copy", "-s", "daos://%s/copy/tree" % POOL, "-d", str(out))
    resp = json.loads(res.out)["response"]
    assert (resp["num_dirs"], resp["num_files"], resp["num_links"]) == (3, 3, 1), res
    assert tree_sums(src) == tree_sums(str(out / "tree"))
    # a bad daos:// path is refused before anything is copied
    res = daos(sys_, "fs", "copy", "--src", src, "--dst", "daos://%s" % POOL, check=False)
    assert res.rc == 1 and "invalid --dst" in res.err, res


def test_attrs_inherited(fs_system, tmp_path):
    sys_ = fs_system
    daos(sys_, "container", "create", "--type=POSIX", POOL, "attrs")
    top = str(tmp_path / "d")
    os.makedirs(os.path.join(top, "dir"))
    daos(sys_, "fs", "copy", "--src", os.path.join(top, "dir"), "--dst",
         "daos://%s/attrs" % POOL)
    daos(sys_, "fs", "set-attr", POOL, "attrs", "--dfs-path=/dir", "--oclass=S1",
         "--chunk-size=65536")
    res = daos(sys_, "fs", "get-attr", POOL, "attrs", "--dfs-path=/dir")
    assert "Object Class = S1\n" in res.out and "Object Chunk Size = 65536\n" in res.out, res
    with open(os.path.join(top, "f"), "wb") as f:
        f.write(os.urandom(200000))
    daos(sys_, "fs", "copy", "--src", os.path.join(top, "f"), "--dst",
         "daos://%s/attrs/dir/f" % POOL)
    res = daos(sys_, "-j", "fs", "get-attr", POOL, "attrs", "-H", "/dir/f")
    resp = json.loads(res.out)["response"]
    assert resp == {"oclass": "S1", "chunk_size": 65536}, res
    daos(sys_, "fs", "reset-attr", POOL, "attrs", "-H", "/dir")
    res = daos(sys_, "fs", "get-attr", POOL, "attrs", "-H", "/dir")
    assert "Object Chunk Size = 1048576\n" in res.out, res
    res = daos(sys_, "fs", "set-attr", POOL, "attrs", "-H", "/dir/f", "--oclass=S1",
               check=False)
    assert res.rc == 1 and "is not a directory" in res.err, res
    daos(sys_, "fs", "chmod", POOL, "attrs", "-H", "/dir/f", "--mode=0600")
    out = tmp_path / "back"
    out.mkdir()
    daos(sys_, "fs", "copy", "--src", "daos://%s/attrs/dir/f" % POOL, "--dst", str(out))
    assert os.stat(str(out / "f")).st_mode & 0o777 == 0o600


def check_lines(res):
    m = re.search(r"^DFS checker: Number of leaked OIDs in namespace = (\d+)$", res.out, re.M)
    assert m, res
    return int(m.group(1))


def test_check_leaks(fs_system, tmp_path):
    sys_ = fs_system
    daos(sys_, "container", "create", "--type=POSIX", POOL, "leaky")
    src = str(tmp_path / "tree")
    make_tree(src)
    daos(sys_, "fs", "copy", "--src", src, "--dst", "daos://%s/leaky" % POOL)
    res = daos(sys_, "fs", "check", POOL, "leaky")
    for line in ("DFS checker: Start (", "DFS checker: Create OIT table",
                 "DFS checker: Iterating namespace and marking objects",
                 "DFS checker: Checking unmarked OIDs (Pass 1)", "DFS checker: Done! ("):
        assert line in res.out, res
    assert check_lines(res) == 0

    res = run([LEAK, POOL, "leaky", str(NR_LEAKED_FILES)], env=env_of(sys_), timeout=120)
    assert res.rc == 0, res
    leaked = sorted(re.findall(r"^leaked (\d+\.\d+)$", res.out, re.M))
    assert len(leaked) == NR_LEAKED_FILES + 1, res

    res = daos(sys_, "fs", "check", "--flags=print", POOL, "leaky")
    assert check_lines(res) == len(leaked)
    printed = sorted(re.findall(r"^oid\[\d+\]: (\d+\.\d+)$", res.out, re.M))
    assert printed == leaked, res

    res = daos(sys_, "fs", "check", "--flags=remove,relink", POOL, "leaky", check=False)
    assert res.rc == 1 and "remove and relink may not be used together" in res.err, res
    res = daos(sys_, "fs", "check", "--flags=print,sweep", POOL, "leaky", check=False)
    assert res.rc == 1 and "unknown check flag" in res.err, res

    res = daos(sys_, "fs", "check", "--flags=relink", "--dir-name=found", POOL, "leaky")
    assert "Leaked OIDs will be inserted in /lost+found/found" in res.out, res
    assert check_lines(res) == len(leaked)
    out = tmp_path / "lf"
    out.mkdir()
    daos(sys_, "fs", "copy", "--src", "daos://%s/leaky/lost+found/found" % POOL,
         "--dst", str(out))
    assert sorted(os.listdir(str(out / "found"))) == leaked
    # the relinked files hold what was written to them
    for name in leaked:
        p = out / "found" / name
        if p.is_file():
            assert p.read_bytes() == b"x" * 4096
    # now everything is reachable
    res = daos(sys_, "-j", "fs", "check", POOL, "leaky")
    assert json.loads(res.out)["response"]["leaked"] == 0, res
    res = daos(sys_, "container", "check", POOL, "leaky")
    assert check_lines(res) == 0

    res = daos(sys_, "fs", "scan", POOL, "leaky")
    for what in ("Number of objects", "Number of files", "Number of symlinks",
                 "Number of directories", "Max directory depth", "Total bytes",
                 "Average file size", "Largest file size", "Largest directory"):
        assert "DFS scanner: %s" % what in res.out, res
    resp = json.loads(daos(sys_, "-j", "fs", "scan", POOL, "leaky").out)["response"]
    # the tree (3 files, 1 link, 3 dirs), lost+found and found, the relinked objects
    assert resp["symlinks"] == 1 and resp["largest_file"] == 3 * 1024 * 1024 + 17, resp
    assert resp["files"] == 3 + NR_LEAKED_FILES + 1, resp  # + the leaked dir's "inner"
    assert resp["directories"] == 3 + 2 + 1, resp


def test_check_evicts_other_handles(fs_system):
    """`daos fs check --flags=evict` (seed 003): another client holds the container
    open; without evict the checker's exclusive open is refused, with it the other
    handle is evicted and the check runs."""
    import signal
    import subprocess

    sys_ = fs_system
    holder_bin = os.path.join(API_DIR, "api_fault_client")
    if not os.access(holder_bin, os.X_OK):
        pytest.skip("needs %s" % holder_bin)
    daos(sys_, "container", "create", "--type=POSIX", POOL, "held")
    holder = subprocess.Popen([holder_bin, "hold", POOL, "held"], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env=env_of(sys_), text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        busy = daos(sys_, "fs", "check", POOL, "held", check=False)
        assert busy.rc != 0 and "DER_BUSY" in busy.err, busy
        ok = daos(sys_, "fs", "check", "--flags=evict,print", POOL, "held")
        assert "DFS checker: Done!" in ok.out, ok
        # the holder's object (written through libdaos, not linked in the namespace)
        assert re.search(r"Number of leaked OIDs in namespace = 1\b", ok.out), ok
        # its handle is gone: a plain destroy succeeds though it never closed
        daos(sys_, "container", "destroy", POOL, "held")
    finally:
        if holder.poll() is None:
            holder.send_signal(signal.SIGKILL)
            holder.wait(10)
        holder.stdout.close()
