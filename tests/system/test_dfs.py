# SPDX-License-Identifier: Apache-2.0
"""
libdfs against a real system of one engine with two targets on loopback, in a pool made
by dmg: the conformance program tests/api/dfs_posix.c (every call of daos_fs.h and its
POSIX errors), the fsx-style random test tests/api/dfs_fsx.c, and a POSIX container made
by `daos container create --type POSIX` mounted through libdfs.

DFS_FSX_OPS sets the number of random operations (default 20000, about 15 s here; the
program's own default is 100000). The programs exist once libdfs does
(tests/api/meson.build); until then every test here is skipped.
"""

import os
import re

import pytest

from conftest import BUILD, DaosSystem, Engine, _bin, run

API_DIR = os.environ.get("DAOS_API_TEST_DIR") or os.path.join(BUILD, "tests", "api")
DAOS = _bin("DAOS_BIN", "src/control/daos/daos")
NR_TARGETS = 2
POOL = "dfstest"
PROGRAM_TIMEOUT = 600
FSX_OPS = int(os.environ.get("DFS_FSX_OPS", "20000"))


def program_path(name):
    return os.path.join(API_DIR, "api_" + name)


def built(name):
    return os.access(program_path(name), os.X_OK)


@pytest.fixture(scope="module")
def dfs_system():
    if not built("dfs_posix") and not built("dfs_fsx"):
        pytest.skip("libdfs test programs not built in %s (they need libdfs, src/dfs)" % API_DIR)
    sys_ = DaosSystem()
    try:
        sys_.engines = [Engine(0, sys_.root, targets=NR_TARGETS)]
        sys_.write_configs()
        sys_.start_server()
        sys_.format()
        sys_.wait_state([0], "Joined")
        sys_.start_agent()
        # rd_fac 0: libdaos serves S classes only for now, which DFS picks at rd_fac 0.
        sys_.dmg("pool", "create", "--size=800MB", "-P", "rd_fac:0", POOL)
        yield sys_
    finally:
        sys_.destroy()


def client_env(sys_, tag):
    env = dict(os.environ)
    env.update({
        "DAOS_POOL": POOL,
        "DAOS_API_NTARGETS": str(NR_TARGETS),
        "DAOS_AGENT_DRPC_DIR": sys_.agent_dir,
        "D_LOG_FILE": os.path.join(sys_.root, "log", "client_%s.log" % tag),
        "D_LOG_MASK": "ERR",
        "TMPDIR": sys_.root,
    })
    return env


def test_dfs_posix(dfs_system):
    if not built("dfs_posix"):
        pytest.skip("%s not built" % program_path("dfs_posix"))
    sys_ = dfs_system
    res = run([program_path("dfs_posix")], timeout=PROGRAM_TIMEOUT,
              env=client_env(sys_, "dfs_posix"))
    assert "[  PASSED  ]" in res.text, "%r\n%s" % (res, sys_.logs_tail())
    failed = re.findall(r"^\[  FAILED  \] (\w+)$", res.text, re.M)
    assert not failed and res.rc == 0, "%r\n%s" % (res, sys_.logs_tail())


def test_dfs_fsx(dfs_system):
    """Random writes, reads, truncates, punches and renames against a reference file."""
    if not built("dfs_fsx"):
        pytest.skip("%s not built" % program_path("dfs_fsx"))
    sys_ = dfs_system
    res = run([program_path("dfs_fsx"), "-n", str(FSX_OPS)], timeout=PROGRAM_TIMEOUT,
              env=client_env(sys_, "dfs_fsx"))
    assert res.rc == 0, "%r\n%s" % (res, sys_.logs_tail())
    m = re.search(r"^fsx: (\d+) ops in [\d.]+ s \((\d+) ops/s\)$", res.out, re.M)
    assert m and int(m.group(1)) == FSX_OPS, res
    print(m.group(0))


def test_cli_posix_container_mounts(dfs_system):
    """`daos container create --type POSIX --chunk-size ...` makes a namespace libdfs
    mounts, with the chunk size asked for."""
    if not os.access(DAOS, os.X_OK) or not built("dfs_fsx"):
        pytest.skip("needs the daos binary and %s" % program_path("dfs_fsx"))
    sys_ = dfs_system
    env = client_env(sys_, "dfs_cli")
    res = run([DAOS, "container", "create", "--type=POSIX", "--chunk-size=131072",
               "--dir-oclass=S1", "--file-oclass=SX", POOL, "clifs"], env=env, timeout=120)
    assert res.rc == 0 and "type POSIX" in res.out, res
    res = run([program_path("dfs_fsx"), "-C", "clifs", "-n", "2000"], env=env,
              timeout=PROGRAM_TIMEOUT)
    assert res.rc == 0, "%r\n%s" % (res, sys_.logs_tail())
    assert "fsx: container clifs chunk size 131072" in res.out, res
    # A container that is not POSIX is refused at mount, clearly.
    res = run([DAOS, "container", "create", "--type=HDF5", POOL, "notfs"], env=env,
              timeout=120)
    assert res.rc == 0, res
    res = run([program_path("dfs_fsx"), "-C", "notfs", "-n", "1"], env=env,
              timeout=PROGRAM_TIMEOUT)
    assert res.rc == 2 and "Invalid argument" in res.err, res
