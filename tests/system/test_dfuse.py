# SPDX-License-Identifier: Apache-2.0
"""
dfuse against a real system of one engine on loopback: POSIX containers made by
`daos container create --type POSIX`, mounted with dfuse, used by real programs (coreutils,
tar, git) with their results checked; POSIX errors; two mounts of one container with
--disable-caching seeing each other at once; a SIGKILLed dfuse (ENOTCONN, unmount,
remount, fsync'ed data still there); the interception ioctl; and mounts that must fail
with a clear error.

Needs /dev/fuse and fusermount3 (package fuse3), and the dfuse binary (DFUSE_BIN; built
when libfuse3 is installed); the module is skipped without them. Every dfuse this module
starts is found by the pid its ioctl reports (or is our child), stopped by that pid, and
every mount is unmounted before the system is torn down.
"""

import ctypes
import errno
import fcntl
import hashlib
import json
import mmap
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import time
import uuid as uuid_mod

import pytest

from conftest import ROOT, DaosSystem, Engine, _bin, alive, _wait_gone, run

DAOS = _bin("DAOS_BIN", "src/control/daos/daos")
DFUSE = _bin("DFUSE_BIN", "src/dfuse/dfuse")
POOL = "dfusetest"
MOUNT_TIMEOUT = 60

# dfuse_ioctl.h: _IOR(0xA3, nr, size) with its struct sizes.
IOC_READ = 2


def _ior(nr, size):
    return (IOC_READ << 30) | (size << 16) | (0xA3 << 8) | nr


IL_SIZE = 64
MOUNT_SIZE = 4 + 4 + 8 + 64 + 4096
DFUSE_IOCTL_IL = _ior(1, IL_SIZE)
DFUSE_IOCTL_OBJ = _ior(2, 4 + 4 + 1024)
DFUSE_IOCTL_MOUNT = _ior(3, MOUNT_SIZE)


def _skip_reason():
    if not os.path.exists("/dev/fuse"):
        return "/dev/fuse is missing (FUSE kernel module not loaded or not passed in)"
    if shutil.which("fusermount3") is None:
        return "fusermount3 is missing (apt-get install fuse3)"
    if not os.access(DFUSE, os.X_OK):
        return "dfuse not built at %s (it needs libfuse3-dev)" % DFUSE
    if os.geteuid() != 0 and not os.access("/dev/fuse", os.R_OK | os.W_OK):
        return "/dev/fuse is not usable by this user"
    return None


pytestmark = pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")


@pytest.fixture(scope="module")
def dsys():
    sys_ = DaosSystem()
    try:
        sys_.engines = [Engine(0, sys_.root, targets=2)]
        sys_.write_configs()
        sys_.start_server()
        sys_.format()
        sys_.wait_state([0], "Joined")
        sys_.start_agent()
        sys_.dmg("pool", "create", "--size=800MB", "-P", "rd_fac:0", POOL)
        sys_.dfuse_pids = []
        yield sys_
    finally:
        for mnt in list(_our_mounts(sys_.root)):
            subprocess.run(["fusermount3", "-u", "-z", mnt], capture_output=True)
        for pid in getattr(sys_, "dfuse_pids", []):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
                _wait_gone(pid, 10)
        sys_.destroy()


def _our_mounts(root):
    with open("/proc/self/mounts") as f:
        for line in f:
            fields = line.split()
            if fields[2].startswith("fuse") and fields[1].startswith(root):
                yield fields[1]


def client_env(sys_):
    env = dict(os.environ)
    env.update({
        "DAOS_AGENT_DRPC_DIR": sys_.agent_dir,
        "D_LOG_FILE": os.path.join(sys_.root, "log", "dfuse_client.log"),
        "D_LOG_MASK": "ERR",
    })
    return env


def daos(sys_, *args, check=True):
    return run([DAOS] + list(args), env=client_env(sys_), check=check)


def new_cont(sys_, label, ctype="POSIX"):
    args = ["container", "create", POOL, label]
    if ctype is not None:
        args += ["--type", ctype]
    daos(sys_, *args)
    return label


def mount_entry(mnt):
    with open("/proc/self/mounts") as f:
        for line in f:
            fields = line.split()
            if fields[1] == mnt:
                return fields
    return None


def il_query(path):
    """DFUSE_IOCTL_IL and DFUSE_IOCTL_MOUNT on an fd of @path."""
    fd = os.open(path, os.O_RDONLY)
    # Mutable buffers: fcntl.ioctl copies at most 1024 bytes of an immutable one.
    il, mnt, obj = bytearray(IL_SIZE), bytearray(MOUNT_SIZE), bytearray(1032)
    try:
        fcntl.ioctl(fd, DFUSE_IOCTL_IL, il)
        fcntl.ioctl(fd, DFUSE_IOCTL_MOUNT, mnt)
        fcntl.ioctl(fd, DFUSE_IOCTL_OBJ, obj)
    finally:
        os.close(fd)
    version, flags, hi, lo = struct.unpack_from("=IIQQ", il)
    pool, cont = bytes(il[24:40]), bytes(il[40:56])
    (mount_id,) = struct.unpack_from("=Q", il, 56)
    mversion, pid, mid = struct.unpack_from("=IiQ", mnt)
    sysname = mnt[16:80].split(b"\0")[0].decode()
    mpath = mnt[80:].split(b"\0")[0].decode()
    oversion, olen = struct.unpack_from("=II", obj)
    return {"version": version, "flags": flags, "oid": (hi, lo), "pool": pool, "cont": cont,
            "mount_id": mount_id, "mversion": mversion, "pid": pid, "mid": mid,
            "sys": sysname, "path": mpath, "oversion": oversion, "olen": olen}


class Dfuse:
    """One dfuse mount of container @cont at a fresh directory under the system root."""

    def __init__(self, sys_, cont, name, *extra):
        self.sys = sys_
        self.cont = cont
        self.mnt = os.path.join(sys_.root, name)
        os.makedirs(self.mnt, exist_ok=True)
        self.extra = list(extra)
        self.pid = None

    def start(self):
        res = run([DFUSE, "-m", self.mnt, "--pool", POOL, "--cont", self.cont] + self.extra,
                  env=client_env(self.sys), timeout=MOUNT_TIMEOUT)
        assert res.rc == 0, repr(res)
        # The parent returns only once the mount works.
        ent = mount_entry(self.mnt)
        assert ent is not None and ent[0] == "dfuse" and ent[2] == "fuse.daos", ent
        self.pid = il_query(self.mnt)["pid"]
        self.sys.dfuse_pids.append(self.pid)
        return self

    def path(self, *parts):
        return os.path.join(self.mnt, *parts)

    def stop(self):
        res = run(["fusermount3", "-u", self.mnt])
        assert res.rc == 0, repr(res)
        assert _wait_gone(self.pid, 30), "dfuse %d still runs after unmount" % self.pid
        assert mount_entry(self.mnt) is None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        if mount_entry(self.mnt) is not None:
            self.stop()


def readahead_kb(mnt):
    dev = os.stat(mnt).st_dev
    with open("/sys/class/bdi/%d:%d/read_ahead_kb" % (os.major(dev), os.minor(dev))) as f:
        return int(f.read())


def sh(cmd, cwd, timeout=120):
    res = subprocess.run(cmd, shell=True, cwd=cwd, capture_output=True, text=True,
                         timeout=timeout)
    assert res.returncode == 0, "%s -> %d\n%s%s" % (cmd, res.returncode, res.stdout, res.stderr)
    return res.stdout


def tree_digest(top):
    """Relative path -> (type, mode bits, content hash or link target)."""
    out = {}
    for dirpath, dirs, files in os.walk(top):
        for name in dirs + files:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            rel = os.path.relpath(p, top)
            if os.path.islink(p):
                out[rel] = ("l", os.readlink(p))
            elif os.path.isdir(p):
                out[rel] = ("d", st.st_mode & 0o7777)
            else:
                with open(p, "rb") as f:
                    out[rel] = ("f", st.st_mode & 0o7777, hashlib.sha256(f.read()).hexdigest())
    return out


def make_tree(top):
    os.makedirs(os.path.join(top, "a", "b", "c"))
    os.makedirs(os.path.join(top, "empty"))
    for i in range(20):
        with open(os.path.join(top, "a", "f%02d" % i), "wb") as f:
            f.write(os.urandom(1000 * i))
    with open(os.path.join(top, "a", "b", "c", "big"), "wb") as f:
        f.write(os.urandom(3 * 1024 * 1024 + 17))
    os.chmod(os.path.join(top, "a", "f03"), 0o600)
    os.chmod(os.path.join(top, "a", "f04"), 0o755)
    os.symlink("b/c/big", os.path.join(top, "a", "link"))
    os.symlink("/nonexistent/target", os.path.join(top, "dangling"))


def test_mount_failures(dsys):
    """Unknown pool or container, a non-POSIX container, bad arguments: a clear error."""
    mnt = os.path.join(dsys.root, "failmnt")
    os.makedirs(mnt, exist_ok=True)
    env = client_env(dsys)
    new_cont(dsys, "plain", ctype=None)
    new_cont(dsys, "px0")
    cases = [
        (["-m", mnt, "--pool", "nosuchpool", "--cont", "px0"],
         "could not connect to pool nosuchpool"),
        (["-m", mnt, "--pool", POOL, "--cont", "nosuchcont"],
         "could not open container nosuchcont"),
        (["-m", mnt, "--pool", POOL, "--cont", "plain"], "is not a POSIX container"),
        (["-m", os.path.join(dsys.root, "nodir"), "--pool", POOL, "--cont", "px0"],
         "No such file or directory"),
        (["-m", mnt, "--cont", "px0"], "no pool given for container px0"),
        (["-m", mnt, "--pool", "nosuchpool"], "could not connect to pool nosuchpool"),
        (["-m", mnt, "--pool", POOL, "--cont", "px0", "--thread-count=1"],
         "must be larger than --eq-count"),
        (["-m", mnt, "--pool", POOL, "--cont", "px0", "--frobnicate"], "unknown option"),
        ([mnt, POOL, "px0", "extra"], "expected MOUNTPOINT [POOL [CONTAINER]]"),
    ]
    for args, msg in cases:
        res = run([DFUSE] + args, env=env, timeout=MOUNT_TIMEOUT)
        assert res.rc != 0, repr(res)
        assert "ERROR: dfuse: " in res.err and msg in res.err, repr(res)
        assert mount_entry(mnt) is None

    # Another user, with /dev/fuse closed to it (this VM's is 0600): named, refused.
    st = os.stat("/dev/fuse")
    if os.geteuid() == 0 and st.st_mode & 0o006 != 0o006 and shutil.which("runuser"):
        res = run(["runuser", "-u", "nobody", "--", DFUSE, "-m", "/tmp", "--pool", POOL,
                   "--cont", "px0"], env=env, timeout=MOUNT_TIMEOUT)
        assert res.rc != 0 and "cannot open /dev/fuse as this user" in res.err, repr(res)

    # A cache attribute that does not parse is named, and the mount refused.
    new_cont(dsys, "badattr")
    daos(dsys, "container", "set-attr", POOL, "badattr", "dfuse-attr-time:soon")
    res = run([DFUSE, mnt, POOL, "badattr"], env=env, timeout=MOUNT_TIMEOUT)
    assert res.rc != 0 and "dfuse-attr-time" in res.err and "'soon'" in res.err, repr(res)
    assert mount_entry(mnt) is None


def test_coreutils_and_ioctl(dsys, tmp_path):
    """cp -a, find, du, stat, mv, ln -s, truncate, touch -d, rm -r, xattrs, statfs, ioctl."""
    cont = new_cont(dsys, "tools")
    src = str(tmp_path / "src")
    make_tree(src)
    with Dfuse(dsys, cont, "mnt_tools") as m:
        sh("cp -a %s %s" % (src, m.path("copy")), cwd=m.mnt)
        assert tree_digest(m.path("copy")) == tree_digest(src)
        # With caching, readahead is raised past the kernel's 128 KiB (root only).
        if os.geteuid() == 0:
            assert readahead_kb(m.mnt) == 4096
        # find and du agree with the source tree.
        found = sorted(sh("find copy", cwd=m.mnt).split())
        want = sorted(["copy"] + ["copy/" + p for p in tree_digest(src)])
        assert found == want
        du = int(sh("du -s --apparent-size -B1 copy/a/b/c/big", cwd=m.mnt).split()[0])
        assert du == 3 * 1024 * 1024 + 17
        assert sh("stat -c '%s %a %F' copy/a/f03", cwd=m.mnt).split() == [
            "3000", "600", "regular", "file"]
        # Listing twice gives the same answer (readdir offsets are stable).
        assert sorted(os.listdir(m.path("copy", "a"))) == sorted(os.listdir(m.path("copy", "a")))
        assert len(os.listdir(m.path("copy", "a"))) == 22

        # mv within and across directories, over an existing file.
        sh("mv copy/a/f01 copy/a/moved && mv copy/a/moved copy/empty/ && "
           "mv -f copy/a/f02 copy/a/f05", cwd=m.mnt)
        with open(os.path.join(src, "a", "f02"), "rb") as f:
            assert open(m.path("copy", "a", "f05"), "rb").read() == f.read()
        assert os.listdir(m.path("copy", "empty")) == ["moved"]
        assert not os.path.exists(m.path("copy", "a", "f01"))
        # A directory renamed: what is under it follows.
        sh("mv copy/a/b copy/bb", cwd=m.mnt)
        assert os.path.getsize(m.path("copy", "bb", "c", "big")) == 3 * 1024 * 1024 + 17
        assert os.readlink(m.path("copy", "a", "link")) == "b/c/big"

        sh("ln -s bb/c/big copy/newlink", cwd=m.mnt)
        assert sh("readlink copy/newlink", cwd=m.mnt).strip() == "bb/c/big"
        assert sh("cat copy/newlink | wc -c", cwd=m.mnt).strip() == str(3 * 1024 * 1024 + 17)

        sh("truncate -s 10 copy/a/f10 && truncate -s 1M copy/a/f11", cwd=m.mnt)
        assert os.path.getsize(m.path("copy", "a", "f10")) == 10
        with open(m.path("copy", "a", "f11"), "rb") as f:
            data = f.read()
        assert len(data) == 1024 * 1024 and data[11000:] == bytes(1024 * 1024 - 11000)

        sh("touch -d '2001-02-03 04:05:06 UTC' copy/a/f12", cwd=m.mnt)
        assert sh("TZ=UTC stat -c %y copy/a/f12", cwd=m.mnt).startswith(
            "2001-02-03 04:05:06")
        assert int(os.stat(m.path("copy", "a", "f12")).st_mtime) == 981173106
        os.chmod(m.path("copy", "a", "f12"), 0o640)
        assert os.stat(m.path("copy", "a", "f12")).st_mode & 0o7777 == 0o640
        # With the writeback cache: data still dirty in the page cache (an open fd, an
        # mmap) when touch -d runs is written before the new time, and does not date
        # the file again when the fd closes; data written after the touch does.
        p = m.path("copy", "a", "dirty")
        fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)
        os.write(fd, b"x" * 70000)
        mm_len = 65536
        mm = mmap.mmap(fd, mm_len)
        mm[0:5] = b"hello"
        sh("touch -d '2001-02-03 04:05:06 UTC' copy/a/dirty", cwd=m.mnt)
        mm.close()
        os.close(fd)
        time.sleep(1.5)  # past the attribute cache: the time comes from DFS
        assert int(os.stat(p).st_mtime) == 981173106
        with open(p, "rb") as f:
            assert f.read(6) == b"hellox"
        fd = os.open(p, os.O_RDWR)
        mm = mmap.mmap(fd, mm_len)
        mm[100:105] = b"later"
        mm.close()
        os.close(fd)
        time.sleep(1.5)
        assert os.stat(p).st_mtime > time.time() - 60

        # Extended attributes.
        p = m.path("copy", "a", "f13")
        os.setxattr(p, "user.color", b"blue")
        assert os.getxattr(p, "user.color") == b"blue"
        assert "user.color" in os.listxattr(p)
        with pytest.raises(OSError) as e:
            os.setxattr(p, "user.color", b"red", os.XATTR_CREATE)
        assert e.value.errno == errno.EEXIST
        os.removexattr(p, "user.color")
        with pytest.raises(OSError) as e:
            os.getxattr(p, "user.color")
        assert e.value.errno == errno.ENODATA

        # statfs comes from the pool's space.
        sv = os.statvfs(m.mnt)
        assert sv.f_blocks * sv.f_frsize > 700 * 1000 * 1000
        assert 0 < sv.f_bavail <= sv.f_blocks
        assert sv.f_namemax == 255

        # The interception ioctl names the pool, the container, the object, the mount.
        info = il_query(m.path("copy", "bb", "c", "big"))
        assert info["version"] == 1 and info["mversion"] == 1 and info["oversion"] == 1
        assert info["path"] == m.mnt and info["pid"] == m.pid
        assert info["mount_id"] == info["mid"] != 0
        assert info["oid"] != (0, 0) and info["olen"] >= 72
        assert info["flags"] & 1  # DFUSE_IL_CACHING: caching is on by default
        cq = daos(dsys, "container", "query", POOL, cont).out
        pq = daos(dsys, "pool", "query", POOL).out
        import uuid
        assert str(uuid.UUID(bytes=info["cont"])) in cq
        assert str(uuid.UUID(bytes=info["pool"])) in pq
        # Another file: another object, same mount.
        other = il_query(m.path("copy", "a", "f05"))
        assert other["oid"] != info["oid"] and other["mount_id"] == info["mount_id"]
        # Not a dfuse fd: the ioctl is refused.
        fd = os.open(str(tmp_path), os.O_RDONLY)
        with pytest.raises(OSError):
            fcntl.ioctl(fd, DFUSE_IOCTL_IL, bytearray(IL_SIZE))
        os.close(fd)

        sh("rm -r copy", cwd=m.mnt)
        assert os.listdir(m.mnt) == []


def test_tar_and_git(dsys, tmp_path):
    """tar create and extract with checksums compared; git init/add/commit/fsck."""
    cont = new_cont(dsys, "tarball")
    src = str(tmp_path / "src")
    make_tree(src)
    with Dfuse(dsys, cont, "mnt_tar") as m:
        sh("tar -C %s -cf in.tar . && mkdir x && tar -C x -xf in.tar" % src, cwd=m.mnt)
        assert tree_digest(m.path("x")) == tree_digest(src)
        sh("tar -C x -czf out.tgz . && mkdir %s/back && tar -C %s/back -xzf out.tgz"
           % (tmp_path, tmp_path), cwd=m.mnt)
        assert tree_digest(str(tmp_path / "back")) == tree_digest(src)

        if shutil.which("git") is None:
            pytest.skip("git is not installed")
        os.makedirs(m.path("repo"))
        shutil.copytree(os.path.join(ROOT, "src", "dfuse"), m.path("repo", "dfuse"))
        git = "git -c user.name=t -c user.email=t@t -c init.defaultBranch=main "
        sh(git + "init -q && " + git + "add -A && " + git + "commit -qm one", cwd=m.path("repo"))
        with open(m.path("repo", "dfuse", "meson.build"), "a") as f:
            f.write("\nmore\n")
        sh(git + "commit -qam two && " + git + "gc -q && " + git + "fsck --strict", cwd=m.path("repo"))
        log = sh("git log --oneline", cwd=m.path("repo")).splitlines()
        assert len(log) == 2
        sh(git + "clone -q repo clone && cd clone && git fsck", cwd=m.mnt)
        assert tree_digest(m.path("clone", "dfuse")) == tree_digest(m.path("repo", "dfuse"))


def _errno_of(fn, *args):
    try:
        fn(*args)
    except OSError as e:
        return e.errno
    return 0


def test_posix_errors(dsys):
    cont = new_cont(dsys, "errs")
    other = new_cont(dsys, "errs2")
    with Dfuse(dsys, cont, "mnt_err") as m, Dfuse(dsys, other, "mnt_err2") as m2:
        os.makedirs(m.path("d", "sub"))
        with open(m.path("f"), "w") as f:
            f.write("x")
        assert _errno_of(os.stat, m.path("nope")) == errno.ENOENT
        assert _errno_of(os.open, m.path("nope", "x"), os.O_RDONLY) == errno.ENOENT
        assert _errno_of(os.mkdir, m.path("d")) == errno.EEXIST
        assert _errno_of(os.open, m.path("f"), os.O_CREAT | os.O_EXCL | os.O_WRONLY) == \
            errno.EEXIST
        assert _errno_of(os.stat, m.path("f", "x")) == errno.ENOTDIR
        assert _errno_of(os.mkdir, m.path("f", "x")) == errno.ENOTDIR
        assert _errno_of(os.rmdir, m.path("f")) == errno.ENOTDIR
        assert _errno_of(os.open, m.path("d"), os.O_WRONLY) == errno.EISDIR
        assert _errno_of(os.unlink, m.path("d")) == errno.EISDIR
        assert _errno_of(os.rmdir, m.path("d")) == errno.ENOTEMPTY
        assert _errno_of(os.rename, m.path("f"), m.path("d")) == errno.EISDIR
        assert _errno_of(os.rename, m.path("d"), m.path("f")) == errno.ENOTDIR
        long = "n" * 256
        assert _errno_of(os.open, m.path(long), os.O_CREAT | os.O_WRONLY) == errno.ENAMETOOLONG
        assert _errno_of(os.mkdir, m.path(long)) == errno.ENAMETOOLONG
        ok = "n" * 255
        os.close(os.open(m.path(ok), os.O_CREAT | os.O_WRONLY))
        assert ok in os.listdir(m.mnt)
        # No hard links in DFS; no renames between containers (two mounts).
        assert _errno_of(os.link, m.path("f"), m.path("hard")) in (errno.ENOTSUP, errno.EPERM)
        assert _errno_of(os.rename, m.path("f"), m2.path("f")) == errno.EXDEV
        # RENAME_NOREPLACE and RENAME_EXCHANGE.
        libc = ctypes.CDLL(None, use_errno=True)
        with open(m.path("g"), "w") as f:
            f.write("gg")
        at = -100  # AT_FDCWD
        r = libc.renameat2(at, m.path("f").encode(), at, m.path("g").encode(), 1)
        assert r == -1 and ctypes.get_errno() == errno.EEXIST
        r = libc.renameat2(at, m.path("f").encode(), at, m.path("g").encode(), 2)
        assert r == 0
        assert open(m.path("f")).read() == "gg" and open(m.path("g")).read() == "x"
        # Special files are not stored.
        assert _errno_of(os.mkfifo, m.path("fifo")) in (errno.ENOTSUP, errno.EPERM)


def test_two_mounts_coherent(dsys):
    """Two --disable-caching mounts of one container see each other's changes at once."""
    cont = new_cont(dsys, "shared")
    with Dfuse(dsys, cont, "mnt_a", "--disable-caching") as a, \
            Dfuse(dsys, cont, "mnt_b", "--disable-caching") as b:
        assert il_query(a.mnt)["flags"] & 1 == 0
        assert readahead_kb(a.mnt) == 128  # direct I/O: left alone
        with open(a.path("f"), "w") as f:
            f.write("one")
        assert open(b.path("f")).read() == "one"
        for i in range(5):
            with open(a.path("f"), "r+") as f:
                f.write("v%d" % i)
            assert open(b.path("f")).read()[:2] == "v%d" % i
        # b appends, a sees the new size and data.
        with open(b.path("f"), "a") as f:
            f.write("-tail")
        assert open(a.path("f")).read() == "v4e-tail"
        os.mkdir(a.path("dir"))
        os.rename(a.path("f"), a.path("dir", "g"))
        assert not os.path.exists(b.path("f"))
        assert open(b.path("dir", "g")).read() == "v4e-tail"
        assert os.listdir(b.path("dir")) == ["g"]
        os.rename(b.path("dir"), b.path("dir2"))
        assert os.listdir(a.mnt) == ["dir2"]
        os.unlink(b.path("dir2", "g"))
        assert os.listdir(a.path("dir2")) == []


def test_kill_and_remount(dsys):
    """SIGKILL: ENOTCONN; unmount; a new dfuse finds the fsync'ed data."""
    cont = new_cont(dsys, "crash")
    m = Dfuse(dsys, cont, "mnt_crash").start()
    payload = os.urandom(2 * 1024 * 1024 + 3)
    with open(m.path("durable"), "wb") as f:
        f.write(payload)
        f.flush()
        os.fsync(f.fileno())
    os.kill(m.pid, signal.SIGKILL)
    assert _wait_gone(m.pid, 10)
    # The first request may see the connection aborted; later ones, not connected.
    errs = [_errno_of(os.stat, m.path("durable")) for _ in range(3)]
    assert set(errs) <= {errno.ENOTCONN, errno.ECONNABORTED} and errs[-1] == errno.ENOTCONN, errs
    res = run(["fusermount3", "-u", m.mnt])
    if res.rc != 0:
        run(["fusermount3", "-u", "-z", m.mnt], check=True)
    assert mount_entry(m.mnt) is None
    with Dfuse(dsys, cont, "mnt_crash") as m2:
        with open(m2.path("durable"), "rb") as f:
            assert f.read() == payload


def test_foreground_unmount_and_sigterm(dsys):
    """-f: fusermount3 -u ends dfuse with 0; SIGTERM unmounts and ends it with 0."""
    cont = new_cont(dsys, "fg")
    mnt = os.path.join(dsys.root, "mnt_fg")
    os.makedirs(mnt, exist_ok=True)
    for how in ("fusermount", "sigterm"):
        proc = subprocess.Popen([DFUSE, "-f", "-m", mnt, "-p", POOL, "-c", cont,
                                 "--thread-count=3", "--eq-count=2"],
                                env=client_env(dsys), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        dsys.dfuse_pids.append(proc.pid)
        end = time.monotonic() + MOUNT_TIMEOUT
        while mount_entry(mnt) is None and time.monotonic() < end and proc.poll() is None:
            time.sleep(0.1)
        assert mount_entry(mnt) is not None, proc.communicate(timeout=10)
        with open(os.path.join(mnt, "x"), "w") as f:
            f.write(how)
        if how == "fusermount":
            run(["fusermount3", "-u", mnt], check=True)
        else:
            proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, proc.communicate(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
        assert mount_entry(mnt) is None


UNITS = {"B": 1, "KB": 1e3, "kB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}


def nvme_free(sys_):
    out = sys_.dmg("pool", "query", POOL).out
    m = re.search(r"tier 1 \(NVMe\):\s+Total size: [\d.]+ \w*B\s+Free: ([\d.]+) (\w*B)", out)
    assert m, out
    return float(m.group(1)) * UNITS[m.group(2)]


def test_open_unlink(dsys):
    """A file unlinked (or renamed over) while open keeps its data until the last close."""
    cont = new_cont(dsys, "openunlink")
    payload = os.urandom(48 * 1024 * 1024)
    with Dfuse(dsys, cont, "mnt_ou", "--disable-caching") as m, \
            Dfuse(dsys, cont, "mnt_ouc") as mc:
        free0 = nvme_free(dsys)
        with open(m.path("big"), "wb") as f:
            f.write(payload)
        fd = os.open(m.path("big"), os.O_RDWR)
        os.unlink(m.path("big"))
        assert not os.path.exists(m.path("big")) and "big" not in os.listdir(m.mnt)
        st = os.fstat(fd)
        assert st.st_size == len(payload) and st.st_nlink == 0
        assert os.pread(fd, len(payload), 0) == payload
        os.pwrite(fd, b"tail", len(payload))
        os.ftruncate(fd, 1000)
        os.fchmod(fd, 0o600)
        st = os.fstat(fd)
        assert st.st_size == 1000 and st.st_mode & 0o777 == 0o600
        assert os.pread(fd, 2000, 0) == payload[:1000]
        # Its extended attributes went with its entry; a new file of that name keeps its own.
        with open(m.path("big"), "wb") as f:
            f.write(b"new")
        os.setxattr(m.path("big"), "user.k", b"new file")
        assert _errno_of(os.getxattr, fd, "user.k") == errno.ENODATA
        assert _errno_of(os.setxattr, fd, "user.k", b"x") == errno.ENOENT
        assert os.getxattr(m.path("big"), "user.k") == b"new file"
        os.unlink(m.path("big"))
        # Renamed over while open: the old file's data stay for its fd.
        with open(m.path("a"), "wb") as f:
            f.write(b"old a")
        with open(m.path("b"), "wb") as f:
            f.write(b"new b")
        fa = os.open(m.path("a"), os.O_RDONLY)
        os.rename(m.path("b"), m.path("a"))
        assert os.pread(fa, 100, 0) == b"old a"
        assert open(m.path("a"), "rb").read() == b"new b"
        os.close(fa)
        # With the page cache and write-back: dirty pages of an unlinked file, then close.
        fc = os.open(mc.path("cached"), os.O_RDWR | os.O_CREAT, 0o644)
        os.write(fc, b"dirty" * 1000)
        os.unlink(mc.path("cached"))
        assert os.pread(fc, 5, 0) == b"dirty" and os.fstat(fc).st_size == 5000
        os.close(fc)
        # The space comes back once the last fd is closed (and the engine aggregates).
        os.close(fd)
        deadline = time.monotonic() + 60
        while nvme_free(dsys) < free0 - 8e6:
            assert time.monotonic() < deadline, (free0, nvme_free(dsys))
            time.sleep(1)


def test_chunk_reads(dsys):
    """With the kernel's 128 KiB readahead (not root, or DFUSE_READAHEAD_KB=0), cached
    files are read from DAOS in 1 MiB chunks: reads, overwrites, truncation stay right."""
    cont = new_cont(dsys, "chunks")
    src = os.urandom(9 * 1024 * 1024 + 4321)
    mnt = os.path.join(dsys.root, "mnt_chunks")
    os.makedirs(mnt, exist_ok=True)
    env = client_env(dsys)
    env["DFUSE_READAHEAD_KB"] = "0"
    res = run([DFUSE, "-m", mnt, "--pool", POOL, "--cont", cont], env=env,
              timeout=MOUNT_TIMEOUT)
    assert res.rc == 0, repr(res)
    pid = _mount_pid(mnt)
    dsys.dfuse_pids.append(pid)
    try:
        assert readahead_kb(mnt) == 128
        p = os.path.join(mnt, "f")
        with open(p, "wb") as f:
            f.write(src)
        with Dfuse(dsys, cont, "mnt_chunks_u", "--disable-caching") as mu:
            # Written elsewhere too: the chunked mount reads what DAOS has.
            with open(mu.path("g"), "wb") as f:
                f.write(src)
            for name in ("f", "g"):
                path = os.path.join(mnt, name)
                assert hashlib.sha256(open(path, "rb").read()).digest() == \
                    hashlib.sha256(src).digest()
                fd = os.open(path, os.O_RDONLY)
                rnd = random.Random(11)
                for i in range(200):
                    off = rnd.randrange(0, len(src) + 200000)
                    if i % 2 == 0:
                        off -= off % (128 * 1024)
                    n = rnd.choice([4096, 128 * 1024, 1 << 20, 3000])
                    assert os.pread(fd, n, off) == src[off:off + n], (name, i, off, n)
                os.close(fd)
        # Overwrite and truncate through the chunked mount, then read again.
        with open(p, "r+b") as f:
            f.seek(5 * 1024 * 1024 + 17)
            f.write(b"Z" * 300000)
        want = bytearray(src)
        want[5 * 1024 * 1024 + 17:5 * 1024 * 1024 + 17 + 300000] = b"Z" * 300000
        daos(dsys, "fs", "evict", p)
        assert open(p, "rb").read() == bytes(want)
        os.truncate(p, 1536 * 1024 + 100)
        daos(dsys, "fs", "evict", p)
        assert open(p, "rb").read() == bytes(want[:1536 * 1024 + 100])
    finally:
        _stop_mount(mnt, pid)


def test_fs_query_and_evict(dsys):
    """daos fs query counts what dfuse holds; daos fs evict drops a stale page cache."""
    cont = new_cont(dsys, "evict")
    with Dfuse(dsys, cont, "mnt_ev_c") as mc, \
            Dfuse(dsys, cont, "mnt_ev_u", "--disable-caching") as mu:
        with open(mu.path("f"), "w") as f:
            f.write("version-1")
        assert open(mc.path("f")).read() == "version-1"
        with open(mu.path("f"), "w") as f:
            f.write("version-2")
        # The cached mount keeps its pages across opens (dfuse-data-cache: 10 minutes).
        assert open(mc.path("f")).read() == "version-1"
        res = daos(dsys, "fs", "evict", mc.path("f"))
        assert "Evicted " + mc.path("f") in res.out, res
        assert open(mc.path("f")).read() == "version-2"
        # What dfuse holds: the query counts an open file.
        held = open(mc.path("f"))
        try:
            out = daos(dsys, "fs", "query", mc.path("f")).out
            assert "DFuse descriptor usage:" in out, out
            assert re.search(r"Open files: [1-9]", out) and "Containers: 1\n" in out, out
            js = json.loads(daos(dsys, "-j", "fs", "query", mc.mnt).out)["response"]
            assert js["open_files"] >= 1 and js["inodes"] >= 2 and js["pools"] == 1, js
        finally:
            held.close()
        res = daos(dsys, "fs", "evict", "/tmp", check=False)
        assert res.rc != 0 and "not in a dfuse mount" in res.err, res
        # Dirty pages of the write-back cache are written before they are dropped.
        with open(mc.path("dirty"), "w") as f:
            f.write("dirty data")
            f.flush()
            daos(dsys, "fs", "evict", mc.path("dirty"))
            assert open(mu.path("dirty")).read() == "dirty data"


def _mount_pid(path):
    """The pid of the dfuse serving @path (DFUSE_IOCTL_MOUNT works on any of its fds)."""
    fd = os.open(path, os.O_RDONLY)
    buf = bytearray(MOUNT_SIZE)
    try:
        fcntl.ioctl(fd, DFUSE_IOCTL_MOUNT, buf)
    finally:
        os.close(fd)
    return struct.unpack_from("=IiQ", buf)[1]


def _start_mount(sys_, mnt, *args):
    os.makedirs(mnt, exist_ok=True)
    res = run([DFUSE, "-m", mnt] + list(args), env=client_env(sys_), timeout=MOUNT_TIMEOUT)
    assert res.rc == 0, repr(res)
    ent = mount_entry(mnt)
    assert ent is not None and ent[0] == "dfuse" and ent[2] == "fuse.daos", ent
    pid = _mount_pid(mnt)
    sys_.dfuse_pids.append(pid)
    return pid


def _stop_mount(mnt, pid):
    run(["fusermount3", "-u", mnt], check=True)
    assert _wait_gone(pid, 30)
    assert mount_entry(mnt) is None


def test_pool_and_system_mounts(dsys):
    """--pool alone: MNT/CONT for every container; neither: MNT/POOL/CONT."""
    for label in ("pm1", "pm2"):
        new_cont(dsys, label)
    new_cont(dsys, "pmplain", ctype=None)
    mnt = os.path.join(dsys.root, "mnt_pool")
    pid = _start_mount(dsys, mnt, "--pool", POOL, "--enable-local-flock")
    try:
        top = os.listdir(mnt)
        assert {"pm1", "pm2", "pmplain"} <= set(top), top
        st = os.stat(mnt)
        assert stat_is_dir(st) and st.st_uid == os.geteuid()
        with open(os.path.join(mnt, "pm1", "f"), "w") as f:
            f.write("in pm1")
        with open(os.path.join(mnt, "pm2", "f"), "w") as f:
            f.write("in pm2")
        os.mkdir(os.path.join(mnt, "pm2", "d"))
        info = il_query(os.path.join(mnt, "pm1", "f"))
        assert info["pid"] == pid and info["mid"] == info["mount_id"]
        cont_uuid = str(uuid_mod.UUID(bytes=info["cont"]))
        # The same container by its UUID: the same directory, the same file.
        by_uuid = os.path.join(mnt, cont_uuid)
        assert open(os.path.join(by_uuid, "f")).read() == "in pm1"
        assert os.stat(by_uuid).st_ino == os.stat(os.path.join(mnt, "pm1")).st_ino
        assert il_query(os.path.join(mnt, "pm2", "d"))["cont"] != info["cont"]
        # The first file of two new containers: one object id, two inode numbers.
        assert il_query(os.path.join(mnt, "pm2", "f"))["oid"] == info["oid"]
        assert (os.stat(os.path.join(mnt, "pm2", "f")).st_ino !=
                os.stat(os.path.join(mnt, "pm1", "f")).st_ino)
        os.unlink(os.path.join(mnt, "pm2", "f"))
        # Containers are separate file systems; the pool's directory is read-only.
        assert _errno_of(os.rename, os.path.join(mnt, "pm1", "f"),
                         os.path.join(mnt, "pm2", "f")) == errno.EXDEV
        os.rename(os.path.join(mnt, "pm1", "f"), os.path.join(mnt, "pm1", "g"))
        p = lambda *parts: os.path.join(mnt, *parts)  # noqa: E731
        for what, call in (("mkdir", lambda: os.mkdir(p("newcont"))),
                           ("rmdir", lambda: os.rmdir(p("pm2"))),
                           ("rename", lambda: os.rename(p("pm1"), p("pm3"))),
                           ("chmod", lambda: os.chmod(mnt, 0o700)),
                           ("setxattr", lambda: os.setxattr(mnt, "user.x", b"1"))):
            assert _errno_of(call) == errno.EPERM, what
        with pytest.raises(OSError) as e:
            open(os.path.join(mnt, "file"), "w")
        assert e.value.errno == errno.EPERM
        assert _errno_of(os.stat, os.path.join(mnt, "nosuch")) == errno.ENOENT
        # A container that is not POSIX is listed but cannot be entered.
        assert _errno_of(os.listdir, os.path.join(mnt, "pmplain")) == errno.ENOTSUP
        assert os.statvfs(mnt).f_blocks > 0
        assert os.statvfs(os.path.join(mnt, "pm2")).f_blocks == os.statvfs(mnt).f_blocks
        # Locks are the node's kernel's (what --enable-local-flock asks for).
        with open(os.path.join(mnt, "pm2", "lock"), "w") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            fcntl.lockf(f, fcntl.LOCK_EX)
            fcntl.flock(f, fcntl.LOCK_UN)
        # What went in through the pool mount is in the container.
        with Dfuse(dsys, "pm1", "mnt_pm1") as m:
            assert open(m.path("g")).read() == "in pm1"
    finally:
        _stop_mount(mnt, pid)

    smnt = os.path.join(dsys.root, "mnt_sys")
    pid = _start_mount(dsys, smnt)
    try:
        assert os.listdir(smnt) == []
        assert open(os.path.join(smnt, POOL, "pm1", "g")).read() == "in pm1"
        assert os.listdir(smnt) == [POOL]
        assert "d" in os.listdir(os.path.join(smnt, POOL, "pm2"))
        assert _errno_of(os.stat, os.path.join(smnt, "nosuchpool")) == errno.ENOENT
        assert _errno_of(os.mkdir, os.path.join(smnt, POOL, "x")) == errno.EPERM
        assert os.statvfs(os.path.join(smnt, POOL)).f_blocks > 0
    finally:
        _stop_mount(smnt, pid)


def _uns(path):
    return os.getxattr(path, "user.daos").decode()


def test_uns_entry_points(dsys):
    """UNS: `daos container create/link --path`, dfuse following links, --path naming the
    container to other commands, dangling links, `destroy --path`."""
    new_cont(dsys, "unsbase")
    # Default caching: the kernel keeps dentries, so a new link must invalidate one.
    with Dfuse(dsys, "unsbase", "mnt_uns") as m:
        res = daos(dsys, "container", "create", "--path", m.path("ep"), "--type", "POSIX",
                   "--label", "unsep")
        assert "  Container Path : %s\n" % m.path("ep") in res.out, repr(res)
        with open(m.path("ep", "a"), "w") as f:
            f.write("through the link")
        assert os.listdir(m.path("ep")) == ["a"]
        assert os.listdir(m.mnt) == ["ep"]
        # Another container: another inode number, another container for the ioctl.
        assert os.stat(m.path("ep")).st_ino != os.stat(m.mnt).st_ino
        assert il_query(m.path("ep", "a"))["cont"] != il_query(m.mnt)["cont"]
        link = _uns(m.path("ep"))
        assert re.fullmatch(r"DAOS\.POSIX://[0-9a-f-]{36}/[0-9a-f-]{36}", link), link
        # The file is in the linked container.
        with Dfuse(dsys, "unsep", "mnt_unsep") as e:
            assert open(e.path("a")).read() == "through the link"
        # --path names the pool and the container to the other commands.
        res = daos(dsys, "container", "query", "--path", m.path("ep"))
        assert "  Container Label            : unsep\n" in res.out, repr(res)
        daos(dsys, "container", "set-attr", "-p", m.path("ep"), "k:v")
        assert "v" in daos(dsys, "container", "get-attr", "--path", m.path("ep"), "k").out
        res = daos(dsys, "container", "query", "--path", m.path("ep", "a"))
        assert "  Container Label            : unsep\n" in res.out, repr(res)
        # A link made by hand is followed at once, whatever the kernel had cached.
        os.mkdir(m.path("byhand"))
        assert os.listdir(m.path("byhand")) == []
        os.setxattr(m.path("byhand"), "user.daos", link.encode())
        assert os.listdir(m.path("byhand")) == ["a"]
        # `link` an existing container.
        os.mkdir(m.path("d"))
        res = daos(dsys, "container", "link", POOL, "unsep", "--path", m.path("d", "l2"))
        assert "Successfully linked container unsep to path %s" % m.path("d", "l2") in res.out
        assert open(m.path("d", "l2", "a")).read() == "through the link"
        # A path inside a container is no link: destroy refuses it.
        res = daos(dsys, "container", "destroy", "--path", m.path("d"), check=False)
        assert res.rc != 0 and "is inside container" in res.err, repr(res)
        # Types without a link form, and a pool nothing names, are refused.
        res = daos(dsys, "container", "create", "--path", m.path("py"), "--type", "PYTHON",
                   check=False)
        assert res.rc != 0 and "not PYTHON containers" in res.err, repr(res)
        res = daos(dsys, "container", "create", "--path", "/nonexistent/x", check=False)
        assert res.rc != 0 and "give the pool" in res.err, repr(res)
        res = daos(dsys, "container", "create", "--path", m.path("d"), check=False)
        assert res.rc != 0 and "it exists" in res.err, repr(res)
        # A link to a container that is gone shows the directory itself, which can go.
        new_cont(dsys, "unsgone")
        daos(dsys, "container", "link", POOL, "unsgone", "--path", m.path("gone"))
        daos(dsys, "container", "destroy", POOL, "unsgone")
        assert os.listdir(m.path("gone")) == []
        # Without caching every stat comes to dfuse: the broken link is tried (and
        # logged) once, not on each lookup.
        log = os.path.join(dsys.root, "log", "dfuse_client.log")
        count = lambda: open(log).read().count("directory gone is a UNS entry point")  # noqa: E731
        with Dfuse(dsys, "unsbase", "mnt_uns_nc", "--disable-caching") as nc:
            before = count()
            for _ in range(3):
                assert os.path.isdir(nc.path("gone"))
            assert count() == before + 1
        os.rmdir(m.path("gone"))
        # A container this dfuse holds open is not destroyed without --force...
        res = daos(dsys, "container", "destroy", POOL, "unsep", check=False)
        assert res.rc != 0 and "--force" in res.err, repr(res)
        # ...except through its link, which forces as DAOS does; the link goes too.
        daos(dsys, "container", "destroy", "--path", m.path("ep"))
        assert "ep" not in os.listdir(m.mnt)
        assert "unsep" not in daos(dsys, "container", "list", POOL).out
        # The other links to it are plain directories in unsbase: rmdir removes them.
        os.rmdir(m.path("byhand"))
        os.rmdir(m.path("d", "l2"))
        assert os.listdir(m.mnt) == ["d"]


def test_uns_invalidation_does_not_hang(dsys):
    """A link change drops the dentry under the parent directory's lock, which a process
    waiting for dfuse may hold: with one FUSE thread (-S), links made and removed while
    files are created beside them and the link directory is removed must not hang."""
    import threading
    new_cont(dsys, "unsrace")
    with Dfuse(dsys, "unsrace", "mnt_unsrace", "-S") as m:
        daos(dsys, "container", "create", "--path", m.path("target"), "--label", "unsrace2")
        link = _uns(m.path("target")).encode()
        stop = time.time() + 4
        errors = []

        def links():
            while time.time() < stop:
                try:
                    os.mkdir(m.path("d"))
                    os.setxattr(m.path("d"), "user.daos", link)
                    os.rmdir(m.path("d"))
                except FileExistsError:
                    os.rmdir(m.path("d"))
                except OSError as e:
                    errors.append(e)
                    return

        def files():
            i = 0
            while time.time() < stop:
                with open(m.path("f%d" % i), "w"):
                    pass
                os.unlink(m.path("f%d" % i))
                i += 1

        workers = [threading.Thread(target=links), threading.Thread(target=files)]
        for t in workers:
            t.start()
        for t in workers:
            t.join(60)
        assert not any(t.is_alive() for t in workers), "the mount hung"
        assert errors == [], errors
        daos(dsys, "container", "destroy", "--path", m.path("target"))


def stat_is_dir(st):
    return (st.st_mode & 0o170000) == 0o040000


def test_positional_and_caching_options(dsys):
    """dfuse MNT POOL CONT, -S, --disable-wb-cache, container cache attributes."""
    cont = new_cont(dsys, "opts")
    daos(dsys, "container", "set-attr", POOL, cont, "dfuse-attr-time:5s,dfuse-data-cache:off")
    mnt = os.path.join(dsys.root, "mnt_pos")
    os.makedirs(mnt, exist_ok=True)
    res = run([DFUSE, mnt, POOL, cont, "-S", "--disable-wb-cache"], env=client_env(dsys),
              timeout=MOUNT_TIMEOUT)
    assert res.rc == 0, repr(res)
    info = il_query(mnt)
    dsys.dfuse_pids.append(info["pid"])
    # dfuse-data-cache off: no data caching, as the ioctl reports.
    assert info["flags"] & 1 == 0
    with open(os.path.join(mnt, "f"), "w") as f:
        f.write("single")
    assert open(os.path.join(mnt, "f")).read() == "single"
    run(["fusermount3", "-u", mnt], check=True)
    assert _wait_gone(info["pid"], 30)
