# SPDX-License-Identifier: Apache-2.0
"""daos_agent's pool calls, driven as libdaos drives them: dRPC on the agent's socket.

PoolFind (by label, by uuid, unknown, after a destroy and re-create), the client net hint
for engines on loopback, and pool handle tracking: a client process that registered a
handle and is killed gets that handle evicted, through the MS, down to the pool service
in the engine.

The dRPC framing (src/proto/drpc.c, proto_wire.c) and the few protobuf messages needed
are written out here, so the test needs no protobuf package. Run as a program, this
file is also the client process that registers a handle and waits to be killed.
"""

import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time
import uuid

# ---- protobuf, the little we need ----------------------------------------------------


def _varint(v):
    v &= (1 << 64) - 1  # negative int32/int64 travel as 10-byte two's complement
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def pb_encode(fields):
    """fields: [(number, value)], value an int (varint) or str/bytes (length-delimited)."""
    out = bytearray()
    for num, val in fields:
        if isinstance(val, int):
            out += _varint(num << 3) + _varint(val)
        else:
            data = val.encode() if isinstance(val, str) else val
            out += _varint(num << 3 | 2) + _varint(len(data)) + data
    return bytes(out)


def _read_varint(buf, pos):
    shift = val = 0
    while True:
        b = buf[pos]
        pos += 1
        val |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return val, pos


def pb_decode(buf):
    """{number: [raw values]}: ints for varints, bytes for length-delimited fields."""
    fields = {}
    pos = 0
    while pos < len(buf):
        key, pos = _read_varint(buf, pos)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, pos = _read_varint(buf, pos)
        elif wt == 2:
            n, pos = _read_varint(buf, pos)
            val, pos = bytes(buf[pos:pos + n]), pos + n
        elif wt == 5:
            val, pos = struct.unpack_from("<I", buf, pos)[0], pos + 4
        elif wt == 1:
            val, pos = struct.unpack_from("<Q", buf, pos)[0], pos + 8
        else:
            raise ValueError("wire type %d" % wt)
        fields.setdefault(num, []).append(val)
    return fields


def _int32(v):
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >= 1 << 63 else v


def pb_int(fields, num):
    return _int32(fields.get(num, [0])[-1])


def pb_str(fields, num):
    return fields.get(num, [b""])[-1].decode()


def pb_uints(fields, num):
    """A repeated uint32, packed (proto3's default) or not."""
    out = []
    for val in fields.get(num, []):
        if isinstance(val, int):
            out.append(val)
            continue
        pos = 0
        while pos < len(val):
            v, pos = _read_varint(val, pos)
            out.append(v)
    return out


# ---- dRPC ----------------------------------------------------------------------------

DRPC_MAGIC = 0x44524331
DRPC_MAX_PACKET = 1 << 17
MODULE_MGMT = 2
METHOD_GET_ATTACH_INFO = 206
METHOD_NOTIFY_POOL_CONNECT = 235
METHOD_NOTIFY_POOL_DISCONNECT = 236
METHOD_POOL_FIND = 260
STATUS_SUCCESS = 0
DER_INVAL = -1003
DER_NONEXIST = -1005


class Drpc:
    """One dRPC connection to the agent, kept open like libdaos keeps it."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.settimeout(60)
        self.sock.connect(path)
        self.seq = 0

    def call(self, method, body=b"", module=MODULE_MGMT):
        self.seq += 1
        msg = pb_encode([(1, module), (2, method), (3, self.seq), (4, body)])
        assert len(msg) <= DRPC_MAX_PACKET - 16
        self.sock.send(struct.pack(">IIII", DRPC_MAGIC, 0, 1, len(msg)) + msg)
        data = bytearray()
        while True:
            pkt = self.sock.recv(DRPC_MAX_PACKET)
            assert len(pkt) >= 16, "agent closed the connection"
            magic, idx, total, _ = struct.unpack(">IIII", pkt[:16])
            assert magic == DRPC_MAGIC
            data += pkt[16:]
            if idx + 1 == total:
                break
        resp = pb_decode(bytes(data))
        assert pb_int(resp, 1) == self.seq
        return pb_int(resp, 2), resp.get(3, [b""])[-1]

    def pool_find(self, pool_id, system=""):
        status, body = self.call(METHOD_POOL_FIND, pb_encode([(1, pool_id), (2, system)]))
        assert status == STATUS_SUCCESS
        f = pb_decode(body)
        return {"status": pb_int(f, 1), "message": pb_str(f, 2), "uuid": pb_str(f, 3),
                "label": pb_str(f, 4), "svc_ranks": pb_uints(f, 5)}

    def notify(self, method, pool, hdl):
        body = pb_encode([(1, pool), (2, hdl), (3, "test_agent_pools"), (4, "daos_server")])
        status, reply = self.call(method, body)
        assert status == STATUS_SUCCESS
        f = pb_decode(reply)
        return pb_int(f, 1), pb_str(f, 2)

    def close(self):
        self.sock.close()


# ---- helpers -------------------------------------------------------------------------


def create_pool(sys_, label):
    out = sys_.dmg("pool", "create", "--size=512MB", label).out
    m = re.search(r"UUID\s+: (\S+)", out)
    assert m, out
    return m.group(1)


def agent_sock(sys_):
    return os.path.join(sys_.agent_dir, "daos_agent.sock")


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def wait_log(path, pattern, timeout=30.0):
    """The first match of `pattern` in the file at `path`, waiting for it to appear."""
    end = time.monotonic() + timeout
    while True:
        m = re.search(pattern, read(path), re.M)
        if m or time.monotonic() > end:
            return m
        time.sleep(0.1)


# ---- tests ---------------------------------------------------------------------------


def test_pool_find(formatted):
    sys_ = formatted
    sys_.start_agent()
    tank = create_pool(sys_, "tank")
    c = Drpc(agent_sock(sys_))

    by_label = c.pool_find("tank")
    assert by_label["status"] == 0, by_label
    assert by_label["uuid"] == tank and by_label["label"] == "tank", by_label
    assert by_label["svc_ranks"] == [0], by_label
    assert c.pool_find(tank) == by_label
    assert c.pool_find(tank.upper()) == by_label
    assert c.pool_find("tank", "daos_server") == by_label

    unknown = c.pool_find("reef")
    assert unknown["status"] == DER_NONEXIST, unknown
    assert "reef" in unknown["message"] and unknown["uuid"] == "", unknown
    other = c.pool_find("tank", "other_system")
    assert other["status"] == DER_INVAL and "other_system" in other["message"], other
    empty = c.pool_find("")
    assert empty["status"] == DER_INVAL and "no pool label or uuid" in empty["message"], empty

    # Not cached: after a destroy the label is gone, and a new pool under it is found.
    sys_.dmg("pool", "destroy", "tank")
    gone = c.pool_find("tank")
    assert gone["status"] == DER_NONEXIST, gone
    assert c.pool_find(tank)["status"] == DER_NONEXIST
    tank2 = create_pool(sys_, "tank")
    assert tank2 != tank
    again = c.pool_find("tank")
    assert again["status"] == 0 and again["uuid"] == tank2, again
    c.close()


def test_pool_find_and_evict_with_certificates(secure_system):
    """With TLS, the agent's certificate (role agent) may call PoolFind and PoolEvict."""
    sys_ = secure_system
    sys_.start_server()
    sys_.format()
    sys_.wait_state([0], "Joined")
    sys_.start_agent()
    tank = create_pool(sys_, "tank")
    c = Drpc(agent_sock(sys_))
    found = c.pool_find("tank")
    assert found["status"] == 0 and found["uuid"] == tank, found
    assert c.notify(METHOD_NOTIFY_POOL_CONNECT, tank, str(uuid.uuid4())) == (0, "")
    c.close()
    m = wait_log(sys_.agent_log, r"pool %s: 1 handle\(s\) of pid %d evicted" % (tank, os.getpid()))
    assert m, sys_.logs_tail()


def test_attach_info_names_loopback(formatted):
    """The engines listen on 127.0.0.1 (fabric_iface: lo): the hint must name lo, even on a
    host whose other interfaces the agent would offer otherwise."""
    sys_ = formatted
    sys_.start_agent()
    c = Drpc(agent_sock(sys_))
    status, body = c.call(METHOD_GET_ATTACH_INFO, pb_encode([(1, "daos_server")]))
    c.close()
    assert status == STATUS_SUCCESS
    f = pb_decode(body)
    assert pb_int(f, 1) == 0, pb_str(f, 2)
    uris = [pb_str(pb_decode(r), 2) for r in f.get(3, [])]
    assert uris and all(re.match(r"ofi\+tcp://127\.0\.0\.1:\d+$", u) for u in uris), uris
    hint = pb_decode(f[5][-1])
    assert pb_str(hint, 1) == "ofi+tcp"
    assert pb_str(hint, 2) == "lo" and pb_str(hint, 3) == "lo", hint


def test_handles_of_dead_client_evicted(formatted):
    sys_ = formatted
    sys_.start_agent()
    tank = create_pool(sys_, "tank")
    sock = agent_sock(sys_)
    engine_log = sys_.engines[0].log_file

    # A handle connected and disconnected again is not evicted when its client leaves.
    c = Drpc(sock)
    done = str(uuid.uuid4())
    assert c.notify(METHOD_NOTIFY_POOL_CONNECT, tank, done) == (0, "")
    assert c.notify(METHOD_NOTIFY_POOL_DISCONNECT, tank, done) == (0, "")
    rc, msg = c.notify(METHOD_NOTIFY_POOL_DISCONNECT, tank, done)
    assert rc == DER_NONEXIST and "not registered" in msg, msg
    rc, msg = c.notify(METHOD_NOTIFY_POOL_CONNECT, "tank", done)
    assert rc == DER_INVAL and msg == 'invalid pool uuid "tank"', msg
    c.close()

    # A client process registers a handle, and is killed.
    hdl = str(uuid.uuid4())
    child = subprocess.Popen([sys.executable, os.path.abspath(__file__), sock, tank, hdl],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()
        assert line.strip() == "registered", line
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
        child.stdout.close()

    # The agent asks the MS to evict exactly that handle ...
    m = wait_log(sys_.agent_log, r"pool %s: 1 handle\(s\) of pid %d evicted" % (tank, child.pid))
    assert m, sys_.logs_tail()
    assert "went away with 1 pool handle(s)" in read(sys_.agent_log)
    # ... the MS passes it on to the pool service ...
    m = wait_log(sys_.server_log, r"pool tank: evicting 1 handle\(s\) for \S+ \(agent on %s\)"
                 % re.escape(socket.gethostname()))
    assert m, sys_.logs_tail()
    # ... and the engine's pool service got the evict call for that pool (engines log a
    # pool by the first 8 digits of its uuid, DAOS's DF_UUID).
    assert wait_log(engine_log, r"pool %s\S*: .*evict" % tank[:8]), sys_.logs_tail()
    # One eviction only: the first client's connection closed with nothing registered.
    assert len(re.findall(r"evicting \d+ handle", read(sys_.server_log))) == 1


def _client(sock, pool, hdl):
    """The client process: register one handle, say so, and wait to be killed."""
    c = Drpc(sock)
    rc, msg = c.notify(METHOD_NOTIFY_POOL_CONNECT, pool, hdl)
    assert rc == 0, msg
    print("registered", flush=True)
    while True:
        time.sleep(60)


if __name__ == "__main__":
    _client(*sys.argv[1:4])
