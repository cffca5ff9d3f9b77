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


# ---- the repair tools: fs fix-entry, fix-sb, fix-root, and the checker's pass 2 ----
#
# tests/api/dfs_corrupt.c damages a container the way bad luck does (a punched superblock,
# a lost root entry, type bits or a chunk size overwritten, entries lost with their objects
# left); the `daos fs fix-*` commands must give access back, shown without dfuse: get-attr,
# scan, and copying the tree out through libdfs and comparing it with what went in.

CORRUPT = os.path.join(API_DIR, "api_dfs_corrupt")


def corrupt(sys_, cont, *args):
    if not os.access(CORRUPT, os.X_OK):
        pytest.skip("needs %s (libdfs)" % CORRUPT)
    res = run([CORRUPT, POOL, cont] + [str(a) for a in args], env=env_of(sys_), timeout=120)
    assert res.rc == 0, "%r\n%s" % (res, sys_.logs_tail())
    return res


def pattern(size):
    """What api_dfs_corrupt make_file writes: byte i is i % 251."""
    return (bytes(range(251)) * (size // 251 + 1))[:size]


def copy_out(sys_, cont, path, dst):
    dst.mkdir(exist_ok=True)
    daos(sys_, "fs", "copy", "--src", "daos://%s/%s%s" % (POOL, cont, path), "--dst", str(dst))


def contents(sums):
    """tree_sums() without the modes: what a type repair (which sets 0700) keeps."""
    return {k: v if v[0] == "link" else v[0] for k, v in sums.items()}


def fails(sys_, *args):
    res = daos(sys_, *args, check=False)
    assert res.rc == 1 and res.err.startswith("ERROR: daos: "), res
    return res.err


def test_fix_entry_type(fs_system, tmp_path):
    sys_ = fs_system
    daos(sys_, "container", "create", "--type=POSIX", POOL, "fixtype")
    src = str(tmp_path / "tree")
    make_tree(src)
    daos(sys_, "fs", "copy", "--src", src, "--dst", "daos://%s/fixtype" % POOL)
    # a file without type bits, a directory marked a file, a symlink marked a directory
    corrupt(sys_, "fixtype", "set_mode", "/tree/big.bin", "0644")
    corrupt(sys_, "fixtype", "set_mode", "/tree/sub", "0100755")
    corrupt(sys_, "fixtype", "set_mode", "/tree/link", "040777")
    for path in ("/tree/big.bin", "/tree/sub/a.txt"):
        err = fails(sys_, "fs", "get-attr", POOL, "fixtype", "-H", path)
        assert "DER_PROTO" in err, err
    # the checker names them, and what the damaged directory holds is not leaked
    res = daos(sys_, "fs", "check", POOL, "fixtype")
    assert check_lines(res) == 0
    damaged = sorted(re.findall(r"^DFS checker: damaged entry (\S+) ", res.out, re.M))
    assert damaged == ["/tree/big.bin", "/tree/link", "/tree/sub"], res

    for path, kind in (("/tree/big.bin", "S_IFREG"), ("/tree/sub", "S_IFDIR"),
                       ("/tree/link", "S_IFLNK")):
        res = daos(sys_, "fs", "fix-entry", POOL, "fixtype", "--dfs-path", path, "--type")
        assert res.out == "Fixing entry type of: %s\nSetting entry type to %s\n" % (
            path, kind), res
    # an entry that was fine stays fine (its permissions become 0700, as DAOS does)
    res = daos(sys_, "-j", "fs", "fix-entry", POOL, "fixtype", "-H", "/tree/sub/a.txt/", "-t")
    assert json.loads(res.out)["response"] == {"path": "/tree/sub/a.txt", "type": "S_IFREG"}

    res = daos(sys_, "fs", "check", POOL, "fixtype")
    assert check_lines(res) == 0 and "damaged entry" not in res.out, res
    res = daos(sys_, "fs", "get-attr", POOL, "fixtype", "-H", "/tree/big.bin")
    assert "Object Chunk Size = 1048576\n" in res.out, res
    out = tmp_path / "out"
    copy_out(sys_, "fixtype", "/tree", out)
    assert contents(tree_sums(src)) == contents(tree_sums(str(out / "tree")))
    assert os.stat(str(out / "tree" / "big.bin")).st_mode & 0o777 == 0o700


def test_fix_entry_chunk_size(fs_system, tmp_path):
    sys_ = fs_system
    daos(sys_, "container", "create", "--type=POSIX", POOL, "fixchunk")
    os.makedirs(str(tmp_path / "in" / "d"))
    daos(sys_, "fs", "copy", "--src", str(tmp_path / "in" / "d"), "--dst",
         "daos://%s/fixchunk" % POOL)
    corrupt(sys_, "fixchunk", "make_file", "/f", 300000, 65536)
    corrupt(sys_, "fixchunk", "set_chunk", "/f", 1048576)
    # read with the wrong chunk size the file is not what was written
    copy_out(sys_, "fixchunk", "/f", tmp_path / "bad")
    assert (tmp_path / "bad" / "f").read_bytes() != pattern(300000)

    res = daos(sys_, "fs", "fix-entry", POOL, "fixchunk", "-H", "/f", "--chunk-size=64KiB")
    assert res.out == "Adjusting chunk size of /f to 65536\n", res
    res = daos(sys_, "fs", "get-attr", POOL, "fixchunk", "-H", "/f")
    assert "Object Chunk Size = 65536\n" in res.out, res
    copy_out(sys_, "fixchunk", "/f", tmp_path / "good")
    assert (tmp_path / "good" / "f").read_bytes() == pattern(300000)

    # bad input is refused with a message saying what is wrong
    err = fails(sys_, "fs", "fix-entry", POOL, "fixchunk", "-H", "/f")
    assert "fix-entry needs --type, --chunk-size or both" in err, err
    for bad in ("0", "lots"):
        err = fails(sys_, "fs", "fix-entry", POOL, "fixchunk", "-H", "/f", "-z", bad)
        assert 'invalid chunk size "%s"' % bad in err, err
    err = fails(sys_, "fs", "fix-entry", POOL, "fixchunk", "--type")
    assert "fix-entry needs the entry: --dfs-path" in err, err
    err = fails(sys_, "fs", "fix-entry", POOL, "fixchunk", "-H", "/", "--type")
    assert "the root directory has no entry to fix: daos fs fix-root" in err, err
    err = fails(sys_, "fs", "fix-entry", POOL, "fixchunk", "-H", "/d", "-z", "1MiB")
    assert "/d is not a regular file" in err, err
    err = fails(sys_, "fs", "fix-entry", POOL, "fixchunk", "-H", "/nothing", "--type")
    assert "failed to fix the type of /nothing: DER_NONEXIST" in err, err
    err = fails(sys_, "fs", "fix-entry", POOL, "nocont", "-H", "/f", "--type")
    assert "failed to open container nocont: DER_NONEXIST" in err, err
    err = fails(sys_, "fs", "fix-entry", POOL, "fixchunk", "-H", "/f", "--type=yes")
    assert "--type" in err, err


def test_fix_sb(fs_system, tmp_path):
    sys_ = fs_system
    daos(sys_, "container", "create", "--type=POSIX", "--chunk-size=512KiB", POOL, "fixsb")
    src = str(tmp_path / "tree")
    make_tree(src)
    daos(sys_, "fs", "copy", "--src", src, "--dst", "daos://%s/fixsb" % POOL)

    corrupt(sys_, "fixsb", "punch_sb_akeys")
    err = fails(sys_, "fs", "get-attr", POOL, "fixsb", "-H", "/tree")
    assert "failed to mount container fixsb: DER_NONEXIST" in err, err
    err = fails(sys_, "fs", "scan", POOL, "fixsb")
    assert "DER_NONEXIST" in err, err
    err = fails(sys_, "fs", "fix-root", POOL, "fixsb")
    assert "has no DFS superblock: recreate it with daos fs fix-sb first" in err, err

    for args, what in ((("-M", "strict"), 'invalid mode "strict": expected relaxed or balanced'),
                       (("-z", "0"), 'invalid chunk size "0"'),
                       (("-o", "NOPE"), 'unknown object class "NOPE"'),
                       (("-D", "NOPE"), 'unknown object class "NOPE"'),
                       (("-F", "NOPE"), 'unknown object class "NOPE"'),
                       (("-H", "x" * 200), "are too long: at most 127 characters")):
        err = fails(sys_, "fs", "fix-sb", POOL, "fixsb", *args)
        assert what in err, err
    err = fails(sys_, "fs", "fix-sb", POOL)
    assert "<container>" in err, err

    res = daos(sys_, "fs", "fix-sb", POOL, "fixsb", "-z", "512KiB", "-M", "relaxed",
               "-o", "SX", "-D", "S1", "-F", "SX", "-H", "file:max,dir:single")
    assert res.out == "Recreated the DFS superblock of container fixsb\n", res
    res = daos(sys_, "fs", "get-attr", POOL, "fixsb", "-H", "/")
    assert "Object Chunk Size = 524288\n" in res.out, res
    res = daos(sys_, "fs", "fix-root", POOL, "fixsb")
    assert res.out == "Root object already linked in SB\n", res
    resp = json.loads(daos(sys_, "-j", "fs", "scan", POOL, "fixsb").out)["response"]
    assert (resp["files"], resp["directories"], resp["symlinks"]) == (3, 3, 1), resp
    out = tmp_path / "out"
    copy_out(sys_, "fixsb", "/tree", out)
    assert tree_sums(src) == tree_sums(str(out / "tree"))

    # the whole superblock object: the superblock and the root's entry go together
    corrupt(sys_, "fixsb", "punch_sb_obj")
    fails(sys_, "fs", "get-attr", POOL, "fixsb", "-H", "/tree")
    res = daos(sys_, "-j", "fs", "fix-sb", POOL, "fixsb", "--chunk-size=512KiB")
    assert json.loads(res.out)["status"] == 0, res
    res = daos(sys_, "fs", "check", POOL, "fixsb")
    assert check_lines(res) == 0
    out2 = tmp_path / "out2"
    copy_out(sys_, "fixsb", "/tree", out2)
    assert tree_sums(src) == tree_sums(str(out2 / "tree"))


def test_fix_root(fs_system, tmp_path):
    sys_ = fs_system
    daos(sys_, "container", "create", "--type=POSIX", POOL, "fixroot")
    src = str(tmp_path / "tree")
    make_tree(src)
    daos(sys_, "fs", "copy", "--src", src, "--dst", "daos://%s/fixroot" % POOL)

    corrupt(sys_, "fixroot", "punch_root")
    err = fails(sys_, "fs", "get-attr", POOL, "fixroot", "-H", "/tree")
    assert "failed to mount container fixroot: DER_NONEXIST" in err, err
    res = daos(sys_, "fs", "fix-root", POOL, "fixroot")
    assert res.out == "Relinked the root directory of container fixroot\n", res
    res = daos(sys_, "-j", "fs", "fix-root", POOL, "fixroot")
    assert json.loads(res.out)["response"] == {"relinked": False}, res
    res = daos(sys_, "fs", "check", POOL, "fixroot")
    assert check_lines(res) == 0
    out = tmp_path / "out"
    copy_out(sys_, "fixroot", "/tree", out)
    assert tree_sums(src) == tree_sums(str(out / "tree"))

    # not a POSIX container: nothing to relink
    daos(sys_, "container", "create", POOL, "notfs")
    err = fails(sys_, "fs", "fix-root", POOL, "notfs")
    assert "failed to relink the root directory of container notfs: DER_INVAL" in err, err
    err = fails(sys_, "fs", "fix-root", POOL, "fixroot", "extra")
    assert "extra" in err, err


def test_fix_needs_exclusive_access(fs_system):
    """DAOS opens the container exclusively for the repairs: with another handle open
    (dfuse, an application) they are refused, and say why."""
    import signal
    import subprocess

    sys_ = fs_system
    holder_bin = os.path.join(API_DIR, "api_fault_client")
    if not os.access(holder_bin, os.X_OK):
        pytest.skip("needs %s" % holder_bin)
    daos(sys_, "container", "create", "--type=POSIX", POOL, "fixheld")
    holder = subprocess.Popen([holder_bin, "hold", POOL, "fixheld"], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env=env_of(sys_), text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        for args in (("fix-entry", "-H", "/x", "--type"), ("fix-sb",), ("fix-root",)):
            err = fails(sys_, "fs", args[0], POOL, "fixheld", *args[1:])
            assert "failed to open container fixheld exclusively" in err and \
                "DER_BUSY" in err, err
    finally:
        if holder.poll() is None:
            holder.send_signal(signal.SIGKILL)
            holder.wait(10)
        holder.stdout.close()


def test_check_relink_pass2(fs_system, tmp_path):
    """With relink the checker takes two passes, as DAOS's: pass 1 marks what leaked
    directories hold (reachable again through them), pass 2 relinks the rest, guessing a
    file's chunk size from its data. A file written with a smaller chunk than the
    container's is not recognised: fix-entry --chunk-size repairs it."""
    sys_ = fs_system
    daos(sys_, "container", "create", "--type=POSIX", POOL, "lf2")
    os.makedirs(str(tmp_path / "in" / "top" / "d1" / "d2"))
    daos(sys_, "fs", "copy", "--src", str(tmp_path / "in" / "top"), "--dst",
         "daos://%s/lf2" % POOL)
    big = 5 * 1024 * 1024 + 123
    corrupt(sys_, "lf2", "make_file", "/top/d1/d2/f", big, 2 * 1024 * 1024)
    corrupt(sys_, "lf2", "make_file", "/top/d1/g", 300000, 65536)
    corrupt(sys_, "lf2", "make_file", "/top/big", big, 2 * 1024 * 1024)
    corrupt(sys_, "lf2", "make_file", "/top/small", 300000, 65536)
    tops = {}
    for name in ("d1", "big", "small"):
        res = corrupt(sys_, "lf2", "unlink", "/top/" + name)
        tops[name] = re.search(r"^unlinked (\d+\.\d+)$", res.out, re.M).group(1)

    # without relink every leaked object counts: d1, d2, f, g, big, small
    res = daos(sys_, "fs", "check", "--flags=print", POOL, "lf2")
    assert check_lines(res) == 6, res
    assert "(Pass 2)" not in res.out, res

    res = daos(sys_, "fs", "check", "--flags=print,relink", "--dir-name=lf", POOL, "lf2")
    assert "DFS checker: Checking unmarked OIDs (Pass 1)\n" \
        "DFS checker: Checking unmarked OIDs (Pass 2)\n" in res.out, res
    assert check_lines(res) == 3, res
    printed = sorted(re.findall(r"^oid\[\d+\]: (\d+\.\d+)$", res.out, re.M))
    assert printed == sorted(tops.values()), res
    adjusted = re.findall(r"^Adjusting File \((\d+\.\d+)\) chunk size to (\d+)$", res.out, re.M)
    assert adjusted == [(tops["big"], str(2 * 1024 * 1024))], res

    out = tmp_path / "out"
    copy_out(sys_, "lf2", "/lost+found/lf", out)
    lf = out / "lf"
    assert sorted(os.listdir(str(lf))) == sorted(tops.values())
    assert (lf / tops["d1"] / "d2" / "f").read_bytes() == pattern(big)
    assert (lf / tops["d1"] / "g").read_bytes() == pattern(300000)
    assert (lf / tops["big"]).read_bytes() == pattern(big)
    assert (lf / tops["small"]).read_bytes() != pattern(300000)

    path = "/lost+found/lf/" + tops["small"]
    daos(sys_, "fs", "fix-entry", POOL, "lf2", "--dfs-path", path, "--chunk-size", "65536")
    copy_out(sys_, "lf2", path, tmp_path / "small")
    assert (tmp_path / "small" / tops["small"]).read_bytes() == pattern(300000)
    res = daos(sys_, "fs", "check", "--flags=print,relink", POOL, "lf2")
    assert check_lines(res) == 0, res
