# SPDX-License-Identifier: Apache-2.0
"""
The interception libraries (libioil.so, libpil4dfs.so) against a real system: real
programs (dd, cp, cat, tar, fio with crc32c verification, a shell pipeline that forks and
execs) run under LD_PRELOAD of each library on a dfuse mount with caching disabled; data
is checked by checksum, through the kernel (no preload) and through the library both
ways; D_IL_REPORT must show that reads and writes were intercepted. A mount with caching
on is used too: there the libraries must pass everything to the kernel and stay correct.

Needs what test_dfuse.py needs (/dev/fuse, fusermount3, DFUSE_BIN) and the libraries
(IOIL_LIB, PIL4DFS_LIB, default build/src/il/); skipped without them.
"""

import hashlib
import os
import re
import shutil
import signal
import subprocess

import pytest

import test_dfuse as td
from conftest import DaosSystem, Engine, _bin, alive, _wait_gone

IOIL = _bin("IOIL_LIB", "src/il/libioil.so")
PIL4DFS = _bin("PIL4DFS_LIB", "src/il/libpil4dfs.so")
LIBS = {"ioil": IOIL, "pil4dfs": PIL4DFS}
REPORT = re.compile(r"\[lib(ioil|pil4dfs)\] performed (\d+) reads and (\d+) writes")


def _skip_reason():
    reason = td._skip_reason()
    if reason is not None:
        return reason
    for path in LIBS.values():
        if not os.path.exists(path):
            return "%s not built" % path
    return None


pytestmark = pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")


@pytest.fixture(scope="module")
def mounts():
    sys_ = DaosSystem()
    nocache = cache = None
    try:
        sys_.engines = [Engine(0, sys_.root, targets=2)]
        sys_.write_configs()
        sys_.start_server()
        sys_.format()
        sys_.wait_state([0], "Joined")
        sys_.start_agent()
        sys_.dmg("pool", "create", "--size=800MB", "-P", "rd_fac:0", td.POOL)
        sys_.dfuse_pids = []
        td.new_cont(sys_, "ilfs")
        nocache = td.Dfuse(sys_, "ilfs", "ilmnt", "--disable-caching").start()
        cache = td.Dfuse(sys_, "ilfs", "ilmntc").start()
        yield sys_, nocache, cache
    finally:
        for m in (cache, nocache):
            if m is not None and td.mount_entry(m.mnt) is not None:
                subprocess.run(["fusermount3", "-u", "-z", m.mnt], capture_output=True)
        for pid in getattr(sys_, "dfuse_pids", []):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
                _wait_gone(pid, 10)
        sys_.destroy()


def il_env(sys_, lib, **extra):
    env = td.client_env(sys_)
    env["LD_PRELOAD"] = LIBS[lib]
    env["D_IL_REPORT"] = "true"
    env.update(extra)
    return env


def run_il(sys_, lib, cmd, cwd=None, **extra):
    res = subprocess.run(cmd, shell=True, cwd=cwd, capture_output=True, text=True,
                         timeout=300, env=il_env(sys_, lib, **extra))
    assert res.returncode == 0, "%s -> %d\n%s%s" % (cmd, res.returncode, res.stdout,
                                                   res.stderr)
    return res


def totals(stderr):
    """Reads and writes intercepted, summed over every process's exit report."""
    reads = writes = 0
    for m in REPORT.finditer(stderr):
        reads += int(m.group(2))
        writes += int(m.group(3))
    return reads, writes


def md5(path):
    h = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@pytest.fixture(scope="module")
def src(mounts):
    sys_ = mounts[0]
    path = os.path.join(sys_.root, "ilsrc")
    with open(path, "wb") as f:
        f.write(os.urandom(5 * 1024 * 1024 + 4099))
    return path


@pytest.mark.parametrize("lib", ["ioil", "pil4dfs"])
def test_dd_cat_cp(mounts, src, lib):
    """dd writes and reads 1 MiB blocks through libdfs; checksums match both ways."""
    sys_, m, _ = mounts
    dst = m.path("dd_" + lib)
    res = run_il(sys_, lib, "dd if=%s of=%s bs=1M" % (src, dst))
    assert totals(res.stderr)[1] >= 5, res.stderr
    assert md5(dst) == md5(src)  # read back through the kernel
    back = os.path.join(sys_.root, "back_" + lib)
    res = run_il(sys_, lib, "dd if=%s of=%s bs=1M" % (dst, back))
    assert totals(res.stderr)[0] >= 5, res.stderr
    assert md5(back) == md5(src)
    # cat and cp (which use copy_file_range where they can) through the library.
    res = run_il(sys_, lib, "cat %s | md5sum" % dst)
    assert res.stdout.split()[0] == md5(src)
    run_il(sys_, lib, "cp %s %s" % (src, m.path("cp_" + lib)))
    assert md5(m.path("cp_" + lib)) == md5(src)
    # Written through the kernel, read through the library.
    with open(m.path("k_" + lib), "wb") as f:
        f.write(b"kernel-written " * 1000)
    res = run_il(sys_, lib, "cat %s" % m.path("k_" + lib))
    assert res.stdout == "kernel-written " * 1000


@pytest.mark.parametrize("lib", ["ioil", "pil4dfs"])
def test_pool_mount(mounts, src, lib):
    """Under a pool mount (MNT/CONT) file I/O is intercepted in the file's container.

    libpil4dfs leaves the paths of a pool mount to the kernel (its root is no container)
    and bypasses it for the data of the files opened there, as libioil does.
    """
    sys_, m, _ = mounts
    mnt = os.path.join(sys_.root, "ilpool_" + lib)
    pid = td._start_mount(sys_, mnt, "--pool", td.POOL, "--disable-caching")
    try:
        dst = os.path.join(mnt, "ilfs", "pool_" + lib)
        res = run_il(sys_, lib, "dd if=%s of=%s bs=1M" % (src, dst))
        assert totals(res.stderr)[1] >= 5, res.stderr
        assert md5(m.path("pool_" + lib)) == md5(src)  # through the container mount
        res = run_il(sys_, lib, "cat %s | md5sum; ls %s" % (dst, mnt))
        assert res.stdout.split()[0] == md5(src)
        assert "ilfs" in res.stdout.split()[1:]
    finally:
        td._stop_mount(mnt, pid)


@pytest.mark.parametrize("lib", ["ioil", "pil4dfs"])
def test_uns_entry_point(mounts, src, lib):
    """Under a UNS link in the mount, files are the linked container's, with the preload
    as without: libpil4dfs leaves paths through the link to dfuse, the data of files
    opened there are intercepted in that container."""
    sys_, m, _ = mounts
    label = "ilep_" + lib
    ep = m.path(label)
    td.daos(sys_, "container", "create", "--path", ep, "--type", "POSIX", "--label", label)
    res = run_il(sys_, lib, "mkdir %s/d && dd if=%s of=%s/d/f bs=1M && ls %s && stat -c %%i %s"
                 % (ep, src, ep, ep, ep))
    assert res.stdout.split()[0] == "d", res.stdout
    assert int(res.stdout.split()[1]) == os.stat(ep).st_ino
    assert totals(res.stderr)[1] >= 5, res.stderr
    res = run_il(sys_, lib, "cat %s/d/f | md5sum; ls -a %s" % (ep, ep))
    assert res.stdout.split()[0] == md5(src)
    assert res.stdout.split()[2:] == [".", "..", "d"], res.stdout
    # The file is in the linked container, and the link directory in ilfs stays empty.
    with td.Dfuse(sys_, label, "ilmnt_" + label) as e:
        assert md5(e.path("d", "f")) == md5(src)
    td.daos(sys_, "container", "destroy", "--path", ep)
    assert not os.path.exists(ep)


@pytest.mark.parametrize("lib", ["ioil", "pil4dfs"])
def test_fork_exec_and_offsets(mounts, src, lib):
    """A shell forks and execs under the preload; a shared fd's offset stays right."""
    sys_, m, _ = mounts
    shutil.copy(src, m.path("fx_" + lib))
    res = run_il(sys_, lib, "cat %s | wc -c" % m.path("fx_" + lib))
    assert int(res.stdout) == os.path.getsize(src)
    # head moves the offset of fd 3 in a child; dd in another child goes on from there.
    res = run_il(sys_, lib, "exec 3<%s; head -c 100 <&3 >/dev/null; cat <&3 | wc -c"
                 % m.path("fx_" + lib))
    assert int(res.stdout) == os.path.getsize(src) - 100
    # A redirection made by the shell (open, dup2 onto 1, exec) keeps its data.
    run_il(sys_, lib, "echo hello > %s; echo world >> %s" % (m.path("redir_" + lib),
                                                          m.path("redir_" + lib)))
    with open(m.path("redir_" + lib)) as f:
        assert f.read() == "hello\nworld\n"


@pytest.mark.parametrize("lib", ["ioil", "pil4dfs"])
def test_tar_roundtrip(mounts, lib):
    """tar creates an archive of a tree on dfuse and extracts it again, under the preload."""
    sys_, m, _ = mounts
    top = m.path("tree_" + lib)
    td.make_tree(top)
    want = td.tree_digest(top)
    tarball = m.path("tree_%s.tar" % lib)
    run_il(sys_, lib, "tar -C %s -cf %s ." % (top, tarball))
    out = m.path("untar_" + lib)
    os.makedirs(out)
    run_il(sys_, lib, "tar -C %s -xf %s" % (out, tarball))
    assert td.tree_digest(out) == want


@pytest.mark.skipif(shutil.which("fio") is None, reason="fio not installed")
@pytest.mark.parametrize("lib", ["ioil", "pil4dfs"])
def test_fio_verify(mounts, lib):
    """fio psync random writes then reads with crc32c verification.

    --thread: fio's default forks a process per job, and a forked child uses the kernel
    (libdaos handles do not survive fork), so nothing would be intercepted.
    """
    sys_, m, _ = mounts
    res = run_il(sys_, lib, "fio --name=il --directory=%s --ioengine=psync --rw=randwrite "
                 "--bs=64k --size=8m --verify=crc32c --do_verify=1 --numjobs=2 --thread --verify_state_save=0 "
                 "--filename_format='fio_%s.$jobnum'" % (m.mnt, lib))
    assert res.stdout.count("err= 0") == 2, res.stdout
    reads, writes = totals(res.stderr)
    assert reads > 0 and writes > 0, res.stderr


def test_pil4dfs_metadata(mounts):
    """mkdir, rename, ls, stat, rm through libpil4dfs: the kernel sees every change."""
    sys_, m, _ = mounts
    top = m.path("meta")
    res = run_il(sys_, "pil4dfs",
                 "mkdir -p {t}/a/b && echo x > {t}/a/b/f && mv {t}/a/b/f {t}/a/g && "
                 "ln -s g {t}/a/l && readlink {t}/a/l && ls {t}/a && stat -c %s {t}/a/g && "
                 "rmdir {t}/a/b && chmod 600 {t}/a/g && truncate -s 5 {t}/a/g".format(t=top))
    assert res.stdout.split() == ["g", "b", "g", "l", "2"], res.stdout
    assert sorted(os.listdir(os.path.join(top, "a"))) == ["g", "l"]
    assert os.readlink(os.path.join(top, "a", "l")) == "g"
    st = os.stat(os.path.join(top, "a", "g"))
    assert st.st_size == 5 and st.st_mode & 0o777 == 0o600
    res = run_il(sys_, "pil4dfs", "rm -r %s && ls %s" % (top, m.mnt))
    assert "meta" not in res.stdout.split()
    assert not os.path.exists(top)
    assert re.search(r"metadata [1-9]", res.stderr), res.stderr


OPEN_UNLINK = r"""
import os, sys
d = sys.argv[1]
p = os.path.join(d, "tmp")
fd = os.open(p, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(fd, b"x" * 100000)
os.unlink(p)
assert not os.path.exists(p)
assert os.pread(fd, 100000, 0) == b"x" * 100000
os.pwrite(fd, b"more", 100000)
assert os.fstat(fd).st_size == 100004
os.close(fd)
a, b = os.path.join(d, "a"), os.path.join(d, "b")
with open(a, "wb") as f:
    f.write(b"old a")
with open(b, "wb") as f:
    f.write(b"new b")
fa = os.open(a, os.O_RDONLY)
os.rename(b, a)
assert os.pread(fa, 100, 0) == b"old a"
os.close(fa)
with open(a, "rb") as f:
    assert f.read() == b"new b"
os.unlink(a)
print("ok")
"""


@pytest.mark.parametrize("lib", ["ioil", "pil4dfs"])
def test_open_unlink(mounts, lib):
    """A file unlinked or renamed over while the program has it open keeps its data."""
    sys_, m, _ = mounts
    d = m.path("ou_" + lib)
    os.makedirs(d, exist_ok=True)
    script = os.path.join(sys_.root, "open_unlink.py")
    with open(script, "w") as f:
        f.write(OPEN_UNLINK)
    res = run_il(sys_, lib, "python3 %s %s" % (script, d))
    assert res.stdout.strip() == "ok", res.stdout + res.stderr
    assert totals(res.stderr)[1] > 0, res.stderr  # the writes went through libdfs
    assert os.listdir(d) == []


@pytest.mark.parametrize("lib", ["ioil", "pil4dfs"])
def test_compatible_and_cached_mount(mounts, src, lib):
    """With caching on nothing is bypassed; D_IL_COMPATIBLE keeps kernel fds; data stays right."""
    sys_, m, c = mounts
    res = run_il(sys_, lib, "dd if=%s of=%s bs=1M" % (src, c.path("c_" + lib)))
    assert totals(res.stderr) == (0, 0), res.stderr
    assert md5(m.path("c_" + lib)) == md5(src)
    res = run_il(sys_, lib, "dd if=%s of=%s bs=1M" % (src, m.path("compat_" + lib)),
                 D_IL_COMPATIBLE="1")
    assert totals(res.stderr)[1] >= 5, res.stderr
    assert md5(m.path("compat_" + lib)) == md5(src)


def counter(stderr, name):
    """The count of one kind of intercepted call, summed over every exit report."""
    return sum(int(n) for n in re.findall(r" %s (\d+)" % re.escape(name), stderr))


def kernel_run(cmd, **kw):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=120, **kw)


def test_pil4dfs_times(mounts):
    """touch -d sets times through libdfs (futimens on a libdfs fd, utimensat on a path)."""
    sys_, m, _ = mounts
    ref = os.path.join(sys_.root, "times_ref")
    stamp = "2001-02-03 04:05:06.5"
    assert kernel_run("touch -d '%s' %s" % (stamp, ref)).returncode == 0
    want = os.stat(ref).st_mtime_ns
    f = m.path("times_new")
    # A new file: touch opens it (through libdfs) and calls futimens on the fd.
    res = run_il(sys_, "pil4dfs", "touch -d '%s' %s" % (stamp, f))
    assert counter(res.stderr, "metadata") >= 1, res.stderr
    assert os.stat(f).st_mtime_ns == want
    # An existing file with -c: touch does not open it and calls utimensat on the path.
    g = m.path("times_old")
    with open(g, "w") as fh:
        fh.write("x")
    res = run_il(sys_, "pil4dfs", "touch -c -m -d '%s' %s && stat -c %%Y %s"
                 % (stamp, g, g))
    assert counter(res.stderr, "metadata") >= 1, res.stderr
    assert os.stat(g).st_mtime_ns == want
    assert int(res.stdout) == want // 10**9
    # utimes, and "now" from the library's clock.
    res = run_il(sys_, "pil4dfs", "python3 -c \"import os; os.utime('%s', (5, 7)); "
                 "os.utime('%s')\"" % (g, f))
    assert counter(res.stderr, "metadata") >= 2, res.stderr
    assert os.stat(g).st_mtime == 7
    assert abs(os.stat(f).st_mtime - os.stat(ref).st_mtime) > 3600


@pytest.fixture(scope="module")
def multi_user(mounts):
    """A mount with --multi-user, where owners can change (dfuse refuses it otherwise)."""
    sys_ = mounts[0]
    mu = td.Dfuse(sys_, "ilfs", "ilmntmu", "--disable-caching", "--multi-user").start()
    yield mu
    if td.mount_entry(mu.mnt) is not None:
        mu.stop()


def test_pil4dfs_chown(mounts, multi_user):
    """chown, chown -h and chgrp as root through libdfs; without --multi-user the kernel's."""
    sys_, m, _ = mounts
    mu = multi_user
    f = mu.path("own_f")
    with open(f, "w") as fh:
        fh.write("x")
    os.symlink("own_f", mu.path("own_l"))
    res = run_il(sys_, "pil4dfs", "chown 1234:5678 {f} && chown -h 4321:8765 {l} && "
                 "chgrp 99 {f} && stat -c '%u %g' {f}".format(f=f, l=mu.path("own_l")))
    assert res.stdout.split() == ["1234", "99"], res.stdout
    assert counter(res.stderr, "metadata") >= 3, res.stderr
    st = os.stat(f)
    assert (st.st_uid, st.st_gid) == (1234, 99)
    st = os.lstat(mu.path("own_l"))
    assert (st.st_uid, st.st_gid) == (4321, 8765)
    # A set-id file loses its set-id bits in a chown: that is left to the kernel.
    os.chmod(f, 0o4755)
    res = run_il(sys_, "pil4dfs", "chown 1:1 %s" % f)
    st = os.stat(f)
    assert (st.st_uid, st.st_gid) == (1, 1)
    assert st.st_mode & 0o7777 == kernel_chown_mode(mu, 0o4755)
    # Without --multi-user dfuse refuses new owners: the same answer under the library.
    g = m.path("own_g")
    with open(g, "w") as fh:
        fh.write("x")
    want = kernel_run("chown 1234 %s" % g, env=td.client_env(sys_))
    res = subprocess.run("chown 1234 %s" % g, shell=True, capture_output=True, text=True,
                         env=il_env(sys_, "pil4dfs"), timeout=120)
    assert res.returncode == want.returncode != 0, (res, want)
    assert os.stat(g).st_uid == 0


def kernel_chown_mode(mu, mode):
    """What a chown through the kernel leaves of @mode on this mount."""
    p = mu.path("own_ref")
    with open(p, "w") as fh:
        fh.write("x")
    os.chmod(p, mode)
    os.chown(p, 1, 1)
    return os.stat(p).st_mode & 0o7777


def test_pil4dfs_statfs(mounts):
    """stat -f and statvfs answer from the pool's space, as dfuse does through the kernel."""
    sys_, m, _ = mounts
    f = m.path("statfs_f")
    with open(f, "w") as fh:
        fh.write("x")
    fmt = "%T %t %s %S %b %c %d %l %i"
    want = kernel_run("stat -f -c '%s' %s" % (fmt, f))
    assert want.returncode == 0, want
    res = run_il(sys_, "pil4dfs", "stat -f -c '%s' %s" % (fmt, f))
    assert res.stdout == want.stdout
    assert counter(res.stderr, "statfs") >= 1, res.stderr
    fields = ("f_bsize", "f_frsize", "f_blocks", "f_files", "f_ffree", "f_favail",
              "f_fsid", "f_flag", "f_namemax")
    res = run_il(sys_, "pil4dfs", "python3 -c \"import os; s = os.statvfs('%s'); "
                 "print(' '.join(str(getattr(s, k)) for k in %r))\"" % (f, fields))
    sv = os.statvfs(f)
    assert res.stdout.split() == [str(getattr(sv, k)) for k in fields]
    assert counter(res.stderr, "statfs") >= 1, res.stderr
    # A missing path is ENOENT, as the kernel says.
    res = subprocess.run("stat -f %s" % m.path("statfs_none"), shell=True, text=True,
                         capture_output=True, env=il_env(sys_, "pil4dfs"), timeout=120)
    assert res.returncode != 0 and "No such file" in res.stderr, res.stderr


@pytest.mark.skipif(shutil.which("setfattr") is None, reason="attr (setfattr) not installed")
def test_pil4dfs_xattrs(mounts):
    """setfattr and getfattr on a file and a directory through libdfs; the kernel agrees."""
    sys_, m, _ = mounts
    f = m.path("xa_f")
    d = m.path("xa_d")
    with open(f, "w") as fh:
        fh.write("x")
    os.mkdir(d)
    res = run_il(sys_, "pil4dfs",
                 "setfattr -n user.color -v blue {f} && setfattr -n user.size -v 10 {f} && "
                 "setfattr -n user.kind -v dir {d} && getfattr -n user.color --only-values {f} "
                 "&& echo && getfattr -d --absolute-names {f} && setfattr -x user.size {f}"
                 .format(f=f, d=d))
    assert res.stdout.startswith("blue\n"), res.stdout
    assert 'user.color="blue"' in res.stdout and 'user.size="10"' in res.stdout, res.stdout
    assert counter(res.stderr, "xattr") >= 6, res.stderr
    assert os.getxattr(f, "user.color") == b"blue"
    assert os.listxattr(f) == ["user.color"]
    assert os.getxattr(d, "user.kind") == b"dir"
    # Errors are the kernel's: a missing attribute, a create over an existing one.
    for cmd in ("getfattr -n user.none %s" % f,
                "python3 -c \"import os; os.setxattr('%s', 'user.color', b'x', "
                "os.XATTR_CREATE)\"" % f,
                "getfattr -n security.none %s" % f):
        want = kernel_run(cmd)
        res = subprocess.run(cmd, shell=True, capture_output=True, text=True,
                             env=il_env(sys_, "pil4dfs"), timeout=120)
        assert res.returncode == want.returncode != 0, (cmd, res, want)
        said = [ln for ln in res.stderr.splitlines() if not ln.startswith("[libpil4dfs]")]
        assert said[-1] == want.stderr.splitlines()[-1], (cmd, res, want)
    # A file opened through libdfs: f*xattr on its fd.
    res = run_il(sys_, "pil4dfs", "python3 -c \"import os; fd = os.open('%s', os.O_RDWR); "
                 "os.setxattr(fd, 'user.fd', b'1'); print(os.getxattr(fd, 'user.color'), "
                 "sorted(os.listxattr(fd)))\"" % f)
    assert res.stdout.split() == ["b'blue'", "['user.color',", "'user.fd']"], res.stdout
    assert os.getxattr(f, "user.fd") == b"1"


HANDOVER = r"""
import errno, fcntl, mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
print("ready", flush=True)
sys.stdin.readline()
# Served through libdfs still: the object is there.
assert os.pread(fd, 4, 0) == b"data"
for name, call in (("flock", lambda: fcntl.flock(fd, fcntl.LOCK_EX)),
                   ("fadvise", lambda: os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_NORMAL)),
                   ("mmap", lambda: mmap.mmap(fd, 4))):
    try:
        call()
        print(name, "ok")
    except OSError as e:
        print(name, errno.errorcode[e.errno])
pid = os.fork()
if pid == 0:
    try:
        os.read(fd, 4)
        os._exit(1)
    except OSError as e:
        os._exit(0 if e.errno == errno.EBADF else 2)
print("child", os.waitpid(pid, 0)[1] >> 8)
os.set_inheritable(fd, True)
try:
    os.execv("/bin/true", ["true"])
except OSError as e:
    print("exec", errno.errorcode[e.errno])
"""


def test_pil4dfs_failed_handover(mounts):
    """A libdfs fd whose file was renamed behind its back fails calls that need the kernel."""
    sys_, m, _ = mounts
    f = m.path("handover")
    with open(f, "wb") as fh:
        fh.write(b"data")
    script = os.path.join(sys_.root, "handover.py")
    with open(script, "w") as fh:
        fh.write(HANDOVER)
    proc = subprocess.Popen(["python3", script, f], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=il_env(sys_, "pil4dfs"))
    try:
        line = proc.stdout.readline()
        if line != "ready\n":
            out, err = proc.communicate(timeout=60)
            pytest.fail("no start: %r %s %s" % (line, out, err))
        os.rename(f, f + ".moved")  # through the kernel: the library does not know
        out, err = proc.communicate("go\n", timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert out.split("\n")[:5] == ["flock ESTALE", "fadvise ESTALE", "mmap ESTALE",
                                   "child 0", "exec ESTALE"], out + err
    with open(f + ".moved", "rb") as fh:
        assert fh.read() == b"data"
