# SPDX-License-Identifier: Apache-2.0
"""
Real applications on a dfuse mount of a POSIX container, with their results checked: fio
with crc32c verification (psync and libaio, O_DIRECT and buffered), h5py datasets read
back and compared with numpy, MPI-IO (mpi4py, two ranks, collective writes of interleaved
blocks of one shared file), dbench and postmark; the fsx-style random test
tests/api/dfs_fsx.c in its POSIX mode (-p DIR) through dfuse; a small pool filled through
dfuse until ENOSPC, with what was fsync'ed before intact and the space back once the
files are removed. The programs that can also run under each interception library
(LD_PRELOAD of libioil.so / libpil4dfs.so on a mount with --disable-caching), with their
D_IL_REPORT checked and the data read back through the kernel afterwards.

One system per module: an engine with two targets and a 2 GB file tier, pool "apps"
(96 MiB SCM, 600 MiB NVMe) with container "apps" mounted twice: with caching (dfuse's
defaults) and with --disable-caching. The ENOSPC test makes its own small pool.

Each program is looked for at run time and its case skipped, naming the Debian package,
when it is missing (scripts/install-deps installs them all). POSIX_FSX_OPS sets the
number of fsx operations through each of the two mounts (default 5000, 10-20 s here;
100000 took 260 s and 245 s, 385 and 408 ops/s); POSIX_FSX_IL_OPS those under each
library (default 2000). Needs what test_dfuse.py needs (/dev/fuse, fusermount3, DFUSE_BIN); the
library cases need IOIL_LIB and PIL4DFS_LIB.
"""

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

import test_dfuse as td
import test_il as ti
from conftest import BUILD, DaosSystem, Engine, _wait_gone, alive

LIBS = ti.LIBS
totals = ti.totals
API_DIR = os.environ.get("DAOS_API_TEST_DIR") or os.path.join(BUILD, "tests", "api")
FSX = os.path.join(API_DIR, "api_dfs_fsx")
FSX_OPS = int(os.environ.get("POSIX_FSX_OPS", "5000"))
FSX_IL_OPS = int(os.environ.get("POSIX_FSX_IL_OPS", "2000"))
POOL = td.POOL
CONT = "apps"
SMALL_POOL = "small"
TIMEOUT = 300

pytestmark = pytest.mark.skipif(td._skip_reason() is not None, reason=td._skip_reason() or "")


class BigEngine(Engine):
    """An engine whose file tier holds the apps pool (600 MiB plus its metadata blobs,
    three times its SCM size) and the small ENOSPC pool."""

    def yaml(self):
        return super().yaml().replace("bdev_size: 1\n", "bdev_size: 2\n")


@pytest.fixture(scope="module")
def apps():
    sys_ = DaosSystem()
    sys_.dfuse_pids = []
    try:
        sys_.engines = [BigEngine(0, sys_.root, targets=2)]
        sys_.write_configs()
        sys_.start_server()
        sys_.format()
        sys_.wait_state([0], "Joined")
        sys_.start_agent()
        sys_.dmg("pool", "create", "--scm-size=96MiB", "--nvme-size=600MiB", "-P",
                 "rd_fac:0", POOL)
        td.new_cont(sys_, CONT)
        sys_.cache = td.Dfuse(sys_, CONT, "mc").start()
        sys_.nocache = td.Dfuse(sys_, CONT, "mnc", "--disable-caching").start()
        yield sys_
    finally:
        for mnt in list(td._our_mounts(sys_.root)):
            subprocess.run(["fusermount3", "-u", "-z", mnt], capture_output=True)
        for pid in sys_.dfuse_pids:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
                _wait_gone(pid, 10)
        sys_.destroy()


# --- helpers -----------------------------------------------------------------------------

def need(program, package):
    if shutil.which(program) is None:
        pytest.skip("%s not installed (apt-get install %s)" % (program, package))


def need_lib(lib):
    if lib is not None and not os.path.exists(LIBS[lib]):
        pytest.skip("%s not built" % LIBS[lib])


def python_with(*modules):
    """An interpreter that imports @modules (the one running pytest may be a private one
    without Debian's python3-* packages), or skip."""
    probe = "import " + ", ".join(modules)
    for py in (sys.executable, "/usr/bin/python3"):
        if os.access(py, os.X_OK) and subprocess.run(
                [py, "-c", probe], capture_output=True).returncode == 0:
            return py
    pytest.skip("no python3 that imports %s (apt-get install %s)" % (
        ", ".join(modules), " ".join("python3-" + m for m in modules)))


def env_for(sys_, lib=None, **extra):
    env = td.client_env(sys_)
    env["TMPDIR"] = sys_.root
    if lib is not None:
        env["LD_PRELOAD"] = LIBS[lib]
        env["D_IL_REPORT"] = "true"
    env.update(extra)
    return env


def sh(sys_, cmd, lib=None, timeout=TIMEOUT, check=True, **extra):
    res = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=timeout,
                         env=env_for(sys_, lib, **extra), cwd=sys_.root)
    if check:
        assert res.returncode == 0, "%s -> %d\n%s%s" % (cmd, res.returncode, res.stdout,
                                                       res.stderr)
    return res


def mount_for(sys_, lib):
    """The libraries bypass the kernel only where dfuse does not cache."""
    return sys_.nocache if lib is not None else sys_.cache


def md5(path):
    h = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --- fio ---------------------------------------------------------------------------------

def fio_cmd(directory, name, engine, direct, extra=""):
    return ("fio --name=%s --directory=%s --filename=%s --ioengine=%s --direct=%d "
            "--rw=randwrite --bs=64k --size=64m --iodepth=8 --verify=crc32c --do_verify=1 "
            "--verify_state_save=0 %s" % (name, directory, name, engine, direct, extra))


def fio_ok(res):
    assert res.stdout.count("err= 0") == 1, res.stdout + res.stderr
    assert "verify:" not in res.stdout + res.stderr, res.stdout + res.stderr


@pytest.mark.parametrize("engine,direct", [("psync", 1), ("psync", 0), ("libaio", 1)])
def test_fio_verify(apps, engine, direct):
    """64 MiB of random 64 KiB writes, then every block read back and its crc32c checked.
    O_DIRECT opens are direct I/O in dfuse (no page cache), so the data goes to DAOS and
    back; the buffered run goes through the write-back cache."""
    need("fio", "fio")
    m = apps.cache
    name = "fio_%s_%d" % (engine, direct)
    fio_ok(sh(apps, fio_cmd(m.mnt, name, engine, direct)))
    # Read back from DAOS by the other mount (no page cache there) and check again.
    fio_ok(sh(apps, fio_cmd(apps.nocache.mnt, name, engine, 1, "--verify_only")))
    os.unlink(m.path(name))


@pytest.mark.parametrize("engine", ["psync", "libaio"])
@pytest.mark.parametrize("lib", ["ioil", "pil4dfs"])
def test_fio_verify_il(apps, lib, engine):
    """fio under each library. --thread: fio's default forks a process per job, and a
    forked child uses the kernel (libdaos handles do not survive fork). psync goes
    through libdfs; libaio's io_submit is a system call the libraries do not see, so its
    I/O goes to the kernel (fds of libpil4dfs are promoted to kernel files first) and
    must still verify. Then the file is checked through the kernel, without the library."""
    need("fio", "fio")
    need_lib(lib)
    m = apps.nocache
    name = "fioil_%s_%s" % (lib, engine)
    res = sh(apps, fio_cmd(m.mnt, name, engine, 1, "--thread"), lib)
    fio_ok(res)
    reads, writes = totals(res.stderr)
    if engine == "psync":
        assert reads >= 1024 and writes >= 1024, res.stderr
    fio_ok(sh(apps, fio_cmd(m.mnt, name, engine, 1, "--verify_only")))
    os.unlink(m.path(name))


# --- h5py --------------------------------------------------------------------------------

H5_SCRIPT = r"""
import sys
import numpy as np
import h5py

path, mode = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(42)
data = {
    "a": rng.random((512, 1024)),                                  # 4 MiB of float64
    "b": rng.integers(0, 1 << 30, (256, 1024), dtype=np.int32),    # 1 MiB
    "grp/c": np.arange(3 << 20, dtype=np.uint8),                   # 3 MiB, in a group
}
if mode == "write":
    with h5py.File(path, "w") as f:
        for k, v in data.items():
            f.create_dataset(k, data=v, chunks=(64, 1024) if k == "a" else None)
        f.attrs["origin"] = "dfuse"
with h5py.File(path, "r") as f:
    for k, v in data.items():
        assert np.array_equal(f[k][...], v), k
    assert f.attrs["origin"] == "dfuse"
    assert sorted(f.keys()) == ["a", "b", "grp"]
print("h5 ok")
"""


@pytest.mark.parametrize("lib", [None, "ioil", "pil4dfs"])
def test_h5py(apps, lib):
    """An 8 MiB HDF5 file (a chunked dataset, a contiguous one, a group, an attribute)
    written and read back with numpy equality; read again without a library."""
    py = python_with("h5py", "numpy")
    need_lib(lib)
    script = os.path.join(apps.root, "h5check.py")
    with open(script, "w") as f:
        f.write(H5_SCRIPT)
    m = mount_for(apps, lib)
    path = m.path("data_%s.h5" % (lib or "kernel"))
    res = sh(apps, "%s %s %s write" % (py, script, path), lib)
    assert "h5 ok" in res.stdout, res
    if lib is not None:
        reads, writes = totals(res.stderr)
        assert reads > 0 and writes > 0, res.stderr
    assert os.path.getsize(path) > 8 << 20
    res = sh(apps, "%s %s %s read" % (py, script, apps.cache.path(os.path.basename(path))))
    assert "h5 ok" in res.stdout, res
    os.unlink(path)


# --- MPI-IO ------------------------------------------------------------------------------

MPI_SCRIPT = r"""
import hashlib
import sys

import numpy as np
from mpi4py import MPI

path, nblocks, bsize = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
comm = MPI.COMM_WORLD
rank, size = comm.Get_rank(), comm.Get_size()


def block(i):
    return np.full(bsize, (i * 7 + 1) % 251, dtype=np.uint8) ^ np.arange(bsize, dtype=np.uint8)


fh = MPI.File.Open(comm, path, MPI.MODE_CREATE | MPI.MODE_RDWR)
# Interleaved: block i belongs to rank i % size; every rank writes nblocks of them.
for j in range(nblocks):
    i = j * size + rank
    fh.Write_at_all(i * bsize, block(i))
fh.Sync()
comm.Barrier()
bad = 0
buf = np.empty(bsize, dtype=np.uint8)
for j in range(nblocks):
    i = j * size + (rank + 1) % size  # the blocks another rank wrote
    fh.Read_at_all(i * bsize, buf)
    bad += not np.array_equal(buf, block(i))
total = fh.Get_size()
fh.Close()
bad = comm.allreduce(bad)
if rank == 0:
    h = hashlib.md5()
    for i in range(nblocks * size):
        h.update(block(i).tobytes())
    print("mpiio size %d bad %d md5 %s" % (total, bad, h.hexdigest()))
sys.exit(1 if bad or total != nblocks * size * bsize else 0)
"""


@pytest.mark.parametrize("lib", [None, "ioil", "pil4dfs"])
def test_mpiio(apps, lib):
    """Two ranks write interleaved 64 KiB blocks of one shared file with
    MPI.File.Write_at_all, sync, and each reads and checks the other's blocks; the file
    read through the kernel has the expected checksum. Under a library only the ranks
    are preloaded (mpirun -x), not mpirun and its daemons."""
    need("mpirun", "openmpi-bin")
    py = python_with("mpi4py", "numpy")
    need_lib(lib)
    script = os.path.join(apps.root, "mpiio.py")
    with open(script, "w") as f:
        f.write(MPI_SCRIPT)
    m = mount_for(apps, lib)
    path = m.path("mpi_%s.dat" % (lib or "kernel"))
    preload = ""
    if lib is not None:
        preload = "-x LD_PRELOAD=%s -x D_IL_REPORT=true " % LIBS[lib]
    root = "--allow-run-as-root " if os.geteuid() == 0 else ""
    res = sh(apps, "mpirun %s--oversubscribe -n 2 -x DAOS_AGENT_DRPC_DIR %s%s %s %s 64 65536"
             % (root, preload, py, script, path))
    found = re.search(r"mpiio size (\d+) bad (\d+) md5 (\w+)", res.stdout)
    assert found and found.group(1) == str(2 * 64 * 65536) and found.group(2) == "0", res
    if lib is not None:
        reads, writes = totals(res.stderr)
        assert reads >= 128 and writes >= 128, res.stderr
    assert md5(path) == found.group(3)
    os.unlink(path)


# --- fsx ---------------------------------------------------------------------------------

def run_fsx(sys_, directory, nops, lib=None, seed=None):
    if not os.access(FSX, os.X_OK):
        pytest.skip("%s not built (it needs libdfs)" % FSX)
    need_lib(lib)
    cmd = "%s -p %s -n %d" % (FSX, directory, nops)
    if seed is not None:
        cmd += " -s %d" % seed
    res = sh(sys_, cmd, lib, timeout=max(TIMEOUT, nops // 50), check=False)
    assert res.returncode == 0, "%s -> %d\n%s%s" % (cmd, res.returncode, res.stdout,
                                                   res.stderr)
    m = re.search(r"^fsx: (\d+) ops in ([\d.]+) s \((\d+) ops/s\)$", res.stdout, re.M)
    assert m and int(m.group(1)) == nops, res.stdout
    print(m.group(0))
    assert not [f for f in os.listdir(directory) if f.startswith("fsx")]
    return res


@pytest.mark.parametrize("caching", ["cache", "nocache"])
def test_fsx_dfuse(apps, caching):
    """Random pwrite/pread/ftruncate/truncate/punch/rename/reopen/stat through dfuse,
    compared with a reference file in local TMPDIR after every operation."""
    m = apps.cache if caching == "cache" else apps.nocache
    run_fsx(apps, m.mnt, FSX_OPS)


@pytest.mark.parametrize("lib", ["ioil", "pil4dfs"])
def test_fsx_il(apps, lib):
    """The same under each library (data through libdfs; with libpil4dfs also the
    renames, truncates and stats); the report must show intercepted I/O."""
    res = run_fsx(apps, apps.nocache.mnt, FSX_IL_OPS, lib)
    reads, writes = totals(res.stderr)
    assert reads > FSX_IL_OPS // 4 and writes > FSX_IL_OPS // 4, res.stderr


# --- ENOSPC ------------------------------------------------------------------------------

# Writes MiB-sized blocks into files of 4 MiB, each fsync'ed, until ENOSPC, which may come
# from open, write, fsync or close (with the write-back cache a write may only fill the
# page cache). Prints how many files were written and fsync'ed without an error.
FILL_SCRIPT = r"""
import errno, os, sys

directory, prefix = sys.argv[1], sys.argv[2]
data = [bytes([i + 1]) * (1 << 20) for i in range(4)]
done = 0
while True:
    fd = -1
    try:
        fd = os.open(os.path.join(directory, "%s%05d" % (prefix, done)),
                     os.O_WRONLY | os.O_CREAT, 0o644)
        for block in data:
            assert os.write(fd, block) == len(block)
        os.fsync(fd)
        os.close(fd)
        fd = -1
    except OSError as e:
        if e.errno != errno.ENOSPC:
            raise
        if fd >= 0:
            try:
                os.close(fd)
            except OSError:
                pass
        break
    done += 1
    assert done < 10000, "no ENOSPC"
print("filled", done)
"""
FILE_DATA = b"".join(bytes([i + 1]) * (1 << 20) for i in range(4))


def mount_in(sys_, pool, cont, name, *extra):
    """A td.Dfuse of container @cont of @pool (td.Dfuse.start knows only td.POOL)."""
    m = td.Dfuse(sys_, cont, name, *extra)
    res = td.run([td.DFUSE, "-m", m.mnt, "--pool", pool, "--cont", cont] + list(extra),
                 env=td.client_env(sys_), timeout=td.MOUNT_TIMEOUT)
    assert res.rc == 0, repr(res)
    m.pid = td.il_query(m.mnt)["pid"]
    sys_.dfuse_pids.append(m.pid)
    return m


def fill(sys_, m, prefix, lib):
    script = os.path.join(sys_.root, "fill.py")
    with open(script, "w") as f:
        f.write(FILL_SCRIPT)
    res = sh(sys_, "%s %s %s %s" % (sys.executable, script, m.mnt, prefix), lib)
    if lib is not None:
        assert totals(res.stderr)[1] > 0, res.stderr
    nr = int(re.search(r"^filled (\d+)$", res.stdout, re.M).group(1))
    return ["%s%05d" % (prefix, i) for i in range(nr)]


UNITS = {"B": 1, "KB": 1e3, "kB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}


def nvme_space(sys_, pool):
    """(total, free) bytes of the pool's NVMe tier, from `dmg pool query`."""
    out = sys_.dmg("pool", "query", pool).out
    m = re.search(r"tier 1 \(NVMe\):\s+Total size: ([\d.]+) (\w*B)\s+Free: ([\d.]+) (\w*B)", out)
    assert m, out
    return (float(m.group(1)) * UNITS[m.group(2)], float(m.group(3)) * UNITS[m.group(4)])


def wait_space(sys_, m, pool, timeout=60):
    """Wait until the engine reports 90% of the pool's NVMe tier free (space that
    removed files held comes back when it aggregates them), then write and fsync 16 MiB
    on mount @m. Returns the seconds waited. Probing by writing instead would consume
    what aggregation frees, and a truncated probe is reclaimed only seconds later."""
    t0 = time.monotonic()
    while True:
        total, free = nvme_space(sys_, pool)
        if free >= 0.9 * total:
            break
        assert time.monotonic() - t0 < timeout, "%d of %d bytes free %d s after the removal" % (
            free, total, timeout)
        time.sleep(1)
    waited = time.monotonic() - t0
    with open(m.path("probe"), "wb") as f:
        f.write(FILE_DATA * 4)
        f.flush()
        os.fsync(f.fileno())
    os.unlink(m.path("probe"))
    return waited


@pytest.mark.parametrize("lib", [None, "ioil"])
def test_enospc(apps, lib):
    """A small pool (32 MiB SCM, 96 MiB NVMe) filled through dfuse until ENOSPC: every
    file fsync'ed before is intact, read through a second mount that does not cache;
    after the files are removed the engine's aggregation gives the space back (within
    60 s) and the pool fills again. With libioil the writes go through libdfs, which
    meets DER_NOSPACE first (the library then redoes the write through the kernel)."""
    need_lib(lib)
    if not getattr(apps, "small_pool", False):
        apps.dmg("pool", "create", "--scm-size=32MiB", "--nvme-size=96MiB", "-P",
                 "rd_fac:0", SMALL_POOL)
        apps.small_pool = True
    label = "full_" + (lib or "kernel")
    td.daos(apps, "container", "create", SMALL_POOL, label, "--type", "POSIX")
    filler = mount_in(apps, SMALL_POOL, label, "f_" + label,
                      *(["--disable-caching"] if lib is not None else []))
    try:
        reader = mount_in(apps, SMALL_POOL, label, "r_" + label, "--disable-caching")
        try:
            # The previous case's files may not be aggregated away yet.
            wait_space(apps, filler, SMALL_POOL)
            t0 = time.monotonic()
            first = fill(apps, filler, "a", lib)
            print("ENOSPC after %d files of 4 MiB (%.1f s)" % (len(first),
                                                              time.monotonic() - t0))
            assert len(first) >= 12, first  # 48 of the 96 MiB at least
            for name in first:
                with open(reader.path(name), "rb") as f:
                    assert f.read() == FILE_DATA, name
            # Everything goes; the space comes back once aggregation has run.
            for name in os.listdir(filler.mnt):
                os.unlink(filler.path(name))
            print("space back %.1f s after the removal" % wait_space(apps, filler, SMALL_POOL))
            second = fill(apps, filler, "b", lib)
            assert len(second) >= len(first) * 2 // 3, (len(first), len(second))
            for name in second:
                with open(reader.path(name), "rb") as f:
                    assert f.read() == FILE_DATA, name
            for name in os.listdir(filler.mnt):
                os.unlink(filler.path(name))
        finally:
            reader.stop()
    finally:
        filler.stop()


# --- dbench, postmark --------------------------------------------------------------------

DBENCH_LOADFILE = "/usr/share/dbench/client.txt"


def test_dbench(apps):
    """dbench's NetBench load (its client.txt) from two clients for 5 s: exit status 0,
    no failed operation, a throughput figure."""
    need("dbench", "dbench")
    if not os.path.exists(DBENCH_LOADFILE):
        pytest.skip("%s missing (package dbench)" % DBENCH_LOADFILE)
    top = apps.cache.path("dbench")
    os.makedirs(top)
    res = sh(apps, "dbench -t 5 -D %s -c %s 2" % (top, DBENCH_LOADFILE))
    m = re.search(r"Throughput ([\d.]+) MB/sec\s+2 clients", res.stdout)
    assert m and float(m.group(1)) > 0, res.stdout
    assert "ERROR" not in res.stdout + res.stderr, res.stdout + res.stderr
    print(m.group(0))
    shutil.rmtree(top)


def test_postmark(apps):
    """postmark: 200 files of 0.5-64 KiB, 500 transactions (create, delete, read,
    append) through dfuse; every file it made is gone at the end."""
    need("postmark", "postmark")
    top = apps.cache.path("postmark")
    os.makedirs(top)
    cfg = os.path.join(apps.root, "postmark.cfg")
    with open(cfg, "w") as f:
        f.write("set location %s\nset number 200\nset transactions 500\n"
                "set size 512 65536\nset seed 7\nrun\nquit\n" % top)
    res = sh(apps, "postmark %s" % cfg)
    m = re.search(r"(\d+) created .*?\n.*?\n.*?\n\s+(\d+) read .*?\n\s+(\d+) appended .*?\n"
                  r"\s+(\d+) deleted", res.stdout, re.S)
    assert m, res.stdout
    assert int(m.group(1)) >= 200 and int(m.group(1)) == int(m.group(4)), res.stdout
    assert os.listdir(top) == [], os.listdir(top)
    shutil.rmtree(top)
