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
