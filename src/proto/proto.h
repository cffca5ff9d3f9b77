/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proto/proto.h - the control-plane wire: message envelopes, method tables and the two
 * transports (see README.md and docs/design/proto.md).
 *
 * Control (ctl): framed protobuf messages over TCP, optionally TLS 1.2+ with mutual
 * certificates; a frame is a 4-byte big-endian length and a CtlRequest or CtlResponse.
 * dRPC: DAOS's Call/Response envelope over UNIX SOCK_SEQPACKET, split into chunks of at
 * most DRPC_MAX_PACKET bytes.
 *
 * Servers run on a libuv loop and call handlers on the loop thread; replies may be sent
 * later (from the loop thread). Clients are blocking and single-threaded per handle.
 * All functions return 0 or a negative DER code unless said otherwise.
 */
#ifndef PROTO_PROTO_H
#define PROTO_PROTO_H

#include <gurt/common.h>
#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

#include "ctl.pb-c.h"
#include "drpc.pb-c.h"

/* protobuf-c allocations go through d_malloc/d_free so tests can count them. */
extern ProtobufCAllocator proto_allocator;

/* ---- dRPC modules and methods (DAOS's numbers, drpc_modules.h) ---- */

#define DRPC_MODULE_TABLE(X)        \
	X(DRPC_MODULE_SEC_AGENT, 1) \
	X(DRPC_MODULE_MGMT, 2)      \
	X(DRPC_MODULE_SRV, 3)       \
	X(DRPC_MODULE_SEC, 4)

#define DRPC_METHOD_TABLE(X)                            \
	X(DRPC_METHOD_SEC_AGENT_REQUEST_CREDS, 101)     \
	X(DRPC_METHOD_MGMT_KILL_RANK, 201)              \
	X(DRPC_METHOD_MGMT_SET_RANK, 202)               \
	X(DRPC_METHOD_MGMT_GET_ATTACH_INFO, 206)        \
	X(DRPC_METHOD_MGMT_POOL_CREATE, 207)            \
	X(DRPC_METHOD_MGMT_POOL_DESTROY, 208)           \
	X(DRPC_METHOD_MGMT_SET_UP, 209)                 \
	X(DRPC_METHOD_MGMT_BIO_HEALTH_QUERY, 210)       \
	X(DRPC_METHOD_MGMT_SMD_LIST_DEVS, 211)          \
	X(DRPC_METHOD_MGMT_SMD_LIST_POOLS, 212)         \
	X(DRPC_METHOD_MGMT_POOL_GET_ACL, 213)           \
	X(DRPC_METHOD_MGMT_POOL_OVERWRITE_ACL, 215)     \
	X(DRPC_METHOD_MGMT_POOL_UPDATE_ACL, 216)        \
	X(DRPC_METHOD_MGMT_POOL_DELETE_ACL, 217)        \
	X(DRPC_METHOD_MGMT_PREP_SHUTDOWN, 218)          \
	X(DRPC_METHOD_MGMT_DEV_SET_FAULTY, 220)         \
	X(DRPC_METHOD_MGMT_DEV_REPLACE, 221)            \
	X(DRPC_METHOD_MGMT_LIST_CONTAINERS, 222)        \
	X(DRPC_METHOD_MGMT_POOL_QUERY, 223)             \
	X(DRPC_METHOD_MGMT_POOL_SET_PROP, 224)          \
	X(DRPC_METHOD_MGMT_PING_RANK, 225)              \
	X(DRPC_METHOD_MGMT_POOL_REINT, 226)             \
	X(DRPC_METHOD_MGMT_CONT_SET_OWNER, 227)         \
	X(DRPC_METHOD_MGMT_POOL_EXCLUDE, 228)           \
	X(DRPC_METHOD_MGMT_POOL_EXTEND, 229)            \
	X(DRPC_METHOD_MGMT_POOL_EVICT, 230)             \
	X(DRPC_METHOD_MGMT_POOL_DRAIN, 231)             \
	X(DRPC_METHOD_MGMT_GROUP_UPDATE, 232)           \
	X(DRPC_METHOD_MGMT_NOTIFY_EXIT, 233)            \
	X(DRPC_METHOD_MGMT_NOTIFY_POOL_CONNECT, 235)    \
	X(DRPC_METHOD_MGMT_NOTIFY_POOL_DISCONNECT, 236) \
	X(DRPC_METHOD_MGMT_POOL_GET_PROP, 237)          \
	X(DRPC_METHOD_MGMT_SET_LOG_MASKS, 238)          \
	X(DRPC_METHOD_MGMT_POOL_UPGRADE, 239)           \
	X(DRPC_METHOD_MGMT_POOL_QUERY_TARGETS, 240)     \
	X(DRPC_METHOD_MGMT_LED_MANAGE, 241)             \
	X(DRPC_METHOD_MGMT_CHK_START, 242)              \
	X(DRPC_METHOD_MGMT_CHK_STOP, 243)               \
	X(DRPC_METHOD_MGMT_CHK_QUERY, 244)              \
	X(DRPC_METHOD_MGMT_CHK_PROP, 245)               \
	X(DRPC_METHOD_MGMT_CHK_ACT, 246)                \
	X(DRPC_METHOD_MGMT_SETUP_CLIENT_TELEM, 247)     \
	X(DRPC_METHOD_MGMT_GROUP_STATUS_GET, 248)       \
	X(DRPC_METHOD_MGMT_CHK_SET_POLICY, 249)         \
	X(DRPC_METHOD_MGMT_POOL_REBUILD_START, 250)     \
	X(DRPC_METHOD_MGMT_POOL_REBUILD_STOP, 251)      \
	X(DRPC_METHOD_MGMT_POOL_SELF_HEAL_EVAL, 252)    \
	X(DRPC_METHOD_MGMT_POOL_FIND, 260)              \
	X(DRPC_METHOD_SRV_NOTIFY_READY, 301)            \
	X(DRPC_METHOD_SRV_GET_POOL_SVC, 303)            \
	X(DRPC_METHOD_SRV_CLUSTER_EVENT, 304)           \
	X(DRPC_METHOD_SRV_POOL_FIND_BYLABEL, 305)       \
	X(DRPC_METHOD_SRV_CHK_LIST_POOL, 306)           \
	X(DRPC_METHOD_SRV_CHK_REG_POOL, 307)            \
	X(DRPC_METHOD_SRV_CHK_DEREG_POOL, 308)          \
	X(DRPC_METHOD_SRV_CHK_REPORT, 309)              \
	X(DRPC_METHOD_SRV_LIST_POOLS, 310)              \
	X(DRPC_METHOD_SRV_GET_SYS_PROPS, 311)           \
	X(DRPC_METHOD_SEC_VALIDATE_CREDS, 401)

#define PROTO_ENUM_ENTRY(name, num) name = num,
enum drpc_module { DRPC_MODULE_TABLE(PROTO_ENUM_ENTRY) };
enum drpc_method { DRPC_METHOD_TABLE(PROTO_ENUM_ENTRY) };

/* Static names for logs ("MGMT", "POOL_CREATE"); "?" for numbers not in the tables. */
const char *drpc_module_name(int32_t module);
const char *drpc_method_name(int32_t method);

/* ---- control methods and roles ---- */

/* Roles are certificate CNs; a set of them is a bit mask. */
enum ctl_role {
	CTL_ROLE_NONE = 0, /* insecure connection: no certificate, no check */
	CTL_ROLE_ADMIN = 1 << 0,
	CTL_ROLE_AGENT = 1 << 1,
	CTL_ROLE_SERVER = 1 << 2,
	CTL_ROLE_UNKNOWN = 1 << 3, /* a certificate whose CN names no role */
};

#define CTL_A CTL_ROLE_ADMIN
#define CTL_G CTL_ROLE_AGENT
#define CTL_S CTL_ROLE_SERVER

/* name, number (ours, stable on the wire), roles allowed (reference §6.2), log name */
#define CTL_METHOD_TABLE(X)                                           \
	X(CTL_STORAGE_SCAN, 1, CTL_A, "StorageScan")                  \
	X(CTL_STORAGE_FORMAT, 2, CTL_A, "StorageFormat")              \
	X(CTL_NETWORK_SCAN, 3, CTL_A, "NetworkScan")                  \
	X(CTL_SYSTEM_QUERY, 10, CTL_A, "SystemQuery")                 \
	X(CTL_SYSTEM_START, 11, CTL_A, "SystemStart")                 \
	X(CTL_SYSTEM_STOP, 12, CTL_A, "SystemStop")                   \
	X(CTL_SYSTEM_EXCLUDE, 13, CTL_A, "SystemExclude")             \
	X(CTL_SYSTEM_CLEAR_EXCLUDE, 14, CTL_A, "SystemClearExclude")  \
	X(CTL_SYSTEM_ERASE, 15, CTL_A, "SystemErase")                 \
	X(CTL_SYSTEM_LEADER_QUERY, 16, CTL_A, "LeaderQuery")          \
	X(CTL_SYSTEM_GET_PROP, 17, CTL_A | CTL_S, "SystemGetProp")    \
	X(CTL_SYSTEM_CLEANUP, 18, CTL_A | CTL_G, "SystemCleanup")     \
	X(CTL_POOL_CREATE, 20, CTL_A, "PoolCreate")                   \
	X(CTL_POOL_DESTROY, 21, CTL_A, "PoolDestroy")                 \
	X(CTL_POOL_LIST, 22, CTL_A, "ListPools")                      \
	X(CTL_POOL_QUERY, 23, CTL_A, "PoolQuery")                     \
	X(CTL_POOL_GET_PROP, 24, CTL_A, "PoolGetProp")                \
	X(CTL_POOL_SET_PROP, 25, CTL_A, "PoolSetProp")                \
	X(CTL_POOL_GET_ACL, 26, CTL_A, "PoolGetACL")                  \
	X(CTL_POOL_OVERWRITE_ACL, 27, CTL_A, "PoolOverwriteACL")      \
	X(CTL_POOL_UPDATE_ACL, 28, CTL_A, "PoolUpdateACL")            \
	X(CTL_POOL_DELETE_ACL, 29, CTL_A, "PoolDeleteACL")            \
	X(CTL_POOL_EVICT, 30, CTL_A | CTL_G, "PoolEvict")             \
	X(CTL_POOL_DRAIN, 31, CTL_A | CTL_S, "PoolDrain")             \
	X(CTL_POOL_REINTEGRATE, 32, CTL_A | CTL_S, "PoolReintegrate") \
	X(CTL_POOL_FIND, 33, CTL_A | CTL_G, "PoolFind")               \
	X(CTL_JOIN, 40, CTL_S, "Join")                                \
	X(CTL_PREP_SHUTDOWN_RANKS, 41, CTL_S, "PrepShutdownRanks")    \
	X(CTL_STOP_RANKS, 42, CTL_S, "StopRanks")                     \
	X(CTL_START_RANKS, 43, CTL_S, "StartRanks")                   \
	X(CTL_CLUSTER_EVENT, 44, CTL_S, "ClusterEvent")               \
	X(CTL_GET_ATTACH_INFO, 45, CTL_A | CTL_G, "GetAttachInfo")    \
	X(CTL_GROUP_UPDATE, 46, CTL_S, "GroupUpdate")                 \
	X(CTL_ENGINE_FORWARD, 47, CTL_S, "EngineForward")             \
	X(CTL_STORAGE_ERASE, 48, CTL_S, "StorageErase")

#define CTL_METHOD_ENUM(name, num, roles, str) name = num,
enum ctl_method { CTL_METHOD_TABLE(CTL_METHOD_ENUM) };

/* Static name of @method for logs ("PoolCreate"); "unknown" if not in the table. */
const char *ctl_method_name(uint32_t method);
/* Static name of a single @role ("admin", "agent", "server", "none", "unknown"). */
const char *ctl_role_name(enum ctl_role role);
/* The role a certificate CN names; CTL_ROLE_UNKNOWN for any other string. */
enum ctl_role ctl_role_from_cn(const char *cn);
/* Whether a caller of @role may call @method; false for unknown methods and roles. */
bool ctl_method_allowed(uint32_t method, enum ctl_role role);

/* ---- control framing (exposed for tests and fuzzing) ---- */

#define CTL_FRAME_HDR 4
#define CTL_FRAME_MAX (16u << 20) /* larger frames are refused with -DER_PROTO */

/*
 * Decode a frame at the head of @buf (untrusted bytes). Returns the frame's payload via
 * @payload/@len and its total size (header included) via @consumed: 0 on success,
 * -DER_AGAIN if more bytes are needed, -DER_PROTO if the length exceeds CTL_FRAME_MAX.
 */
int ctl_frame_decode(const void *buf, size_t buf_len, const uint8_t **payload, size_t *len,
		     size_t *consumed);
/* Decode a request / response payload; free with the *_free_unpacked(x, &proto_allocator). */
int ctl_request_decode(const void *buf, size_t len, Ctl__CtlRequest **out);
int ctl_response_decode(const void *buf, size_t len, Ctl__CtlResponse **out);
/* Pack @msg into a fresh frame; *out is freed by the caller with d_free(). */
int ctl_frame_encode(const ProtobufCMessage *msg, uint8_t **out, size_t *out_len);

/* ---- control transport ---- */

/* Paths of PEM files; NULL for the whole struct means plain TCP (insecure). */
struct ctl_tls_config {
	const char *ca_file;   /* CA that signed the peer's certificate */
	const char *cert_file; /* our certificate (NULL on a client: send none) */
	const char *key_file;  /* our private key */
};

struct ctl_client;

/*
 * Connect to @host:@port (IPv4, IPv6 or a name), within @timeout_ms, over TLS if @tls
 * is non-NULL (the handshake happens here). @version is sent with every call. Returns
 * -DER_UNREACH if no address answers, -DER_TIMEDOUT, -DER_NO_PERM on a certificate
 * refusal seen during the handshake, -DER_INVAL for unusable TLS files.
 */
int ctl_client_connect(const char *host, uint16_t port, const struct ctl_tls_config *tls,
		       const char *version, int timeout_ms, struct ctl_client **out);
void ctl_client_close(struct ctl_client *client);

/* One call's outcome; release with ctl_reply_fini(). */
struct ctl_reply {
	int status;        /* the server's DER status (0 or negative) */
	char *message;     /* server's message, "" if none */
	char *leader_hint; /* "host:port" of the MS leader when status is -DER_NOTLEADER */
	uint8_t *body;     /* reply body */
	size_t len;        /* its length */
};
void ctl_reply_fini(struct ctl_reply *reply);

/*
 * Send @method with @body and wait up to @timeout_ms for the reply. Returns 0 when a
 * reply arrived (its status is in @reply), else a transport error: -DER_TIMEDOUT,
 * -DER_HG (connection lost), -DER_NO_PERM (TLS refusal), -DER_PROTO (bad reply). After
 * a transport error the client must be closed.
 */
int ctl_client_call(struct ctl_client *client, uint32_t method, const void *body, size_t len,
		    int timeout_ms, struct ctl_reply *reply);

struct ctl_server;
struct ctl_req;

/* Called on the loop thread for each authorised request; reply with ctl_req_reply(). */
typedef void (*ctl_handler_t)(struct ctl_req *req, void *arg);

/* What a handler sees of a request; all valid until ctl_req_reply(). */
struct ctl_req_info {
	uint32_t method;     /* CTL_* */
	const uint8_t *body; /* request body */
	size_t len;          /* its length */
	enum ctl_role role;  /* CTL_ROLE_NONE on an insecure server */
	const char *peer;    /* "addr:port" of the caller, for logs */
};
const struct ctl_req_info *ctl_req_info(const struct ctl_req *req);

/*
 * Answer @req (exactly once, on the loop thread, at any later time) and free it. @message
 * and @leader_hint may be NULL. If the connection went away the reply is dropped.
 */
void ctl_req_reply(struct ctl_req *req, int status, const char *message, const char *leader_hint,
		   const void *body, size_t len);

/*
 * Listen on @host:@port (@port 0: any free port, see ctl_server_port()) on @loop. With
 * @tls, every client must present a certificate signed by the CA; its CN is the role
 * checked with ctl_method_allowed() before @handler is called. Requests whose version
 * differs from @version get -DER_CONTROL_INCOMPAT.
 */
int ctl_server_start(uv_loop_t *loop, const char *host, uint16_t port,
		     const struct ctl_tls_config *tls, const char *version, ctl_handler_t handler,
		     void *arg, struct ctl_server **out);
uint16_t ctl_server_port(const struct ctl_server *server);
/* Close the listener and all connections; pending requests' replies are dropped. The
 * memory is released once the loop has run the close callbacks. */
void ctl_server_stop(struct ctl_server *server);

/* ---- dRPC ---- */

#define DRPC_MAX_PACKET (1u << 17) /* UNIXCOMM_MAXMSGSIZE */
#define DRPC_CHUNK_HDR 16
#define DRPC_CHUNK_MAGIC 0x44524331u /* "DRC1" */
#define DRPC_MAX_CHUNKS 512u         /* a message is at most 512 * (128 KiB - 16) bytes */

/* Credentials of the process at the other end of a dRPC socket (SO_PEERCRED). */
struct drpc_caller {
	uid_t uid;
	gid_t gid;
	pid_t pid;
};

/* Reassembly of chunks into one message (exposed for tests and fuzzing). */
struct drpc_assembler {
	uint8_t *buf;     /* the message so far (d_malloc) */
	size_t len;       /* bytes in buf */
	uint32_t next;    /* index of the chunk expected next */
	uint32_t total;   /* chunks in this message, 0 before the first */
	uint32_t msg_len; /* announced message length */
};
/*
 * Feed one packet (untrusted). Returns 1 when a message is complete (then @msg and @msg_len
 * hold it, owned by the caller, freed with d_free(); the assembler is reset), 0 when more
 * chunks are needed, -DER_PROTO for a bad chunk (assembler reset), -DER_NOMEM.
 */
int drpc_assembler_feed(struct drpc_assembler *as, const void *pkt, size_t len, uint8_t **msg,
			size_t *msg_len);
void drpc_assembler_fini(struct drpc_assembler *as);
/* Number of packets a message of @len bytes takes (at least 1). */
uint32_t drpc_chunk_count(size_t len);
/* Write packet @idx of @msg into @pkt (DRPC_MAX_PACKET bytes); returns its length. */
size_t drpc_chunk_encode(const void *msg, size_t len, uint32_t idx, uint8_t *pkt);

struct drpc_server;
struct drpc_req;

struct drpc_req_info {
	int32_t module;
	int32_t method;
	int64_t sequence;
	const uint8_t *body;
	size_t len;
	struct drpc_caller caller; /* SO_PEERCRED of the connection */
	uint64_t conn_id;          /* the connection: 1, 2, ... per server, never reused */
};

/* Handles a (module, method); replies with drpc_req_reply() now or later. */
typedef void (*drpc_handler_t)(struct drpc_req *req, void *arg);

const struct drpc_req_info *drpc_req_info(const struct drpc_req *req);
/* Answer @req once with a Drpc__Status value and body, and free it. */
void drpc_req_reply(struct drpc_req *req, int status, const void *body, size_t len);
/* drpc_req_reply() with SUCCESS and @msg packed (FAILED_MARSHAL if it cannot be). */
void drpc_req_reply_msg(struct drpc_req *req, const ProtobufCMessage *msg);
/* drpc_req_reply_msg() with a mgmt DaosResp of @status and @text (may be NULL). */
void drpc_req_reply_status(struct drpc_req *req, int status, const char *text);

/* Listen on @path (a stale socket file is removed first), chmod to @mode. */
int drpc_server_start(uv_loop_t *loop, const char *path, mode_t mode, struct drpc_server **out);
/* Register @handler for (@module, @method); -DER_EXIST if already registered. */
int drpc_server_register(struct drpc_server *server, int32_t module, int32_t method,
			 drpc_handler_t handler, void *arg);
/*
 * Called on the loop thread once per connection @conn_id, when it closes (the peer closed
 * it or exited, or it broke); no request of it is dispatched afterwards, and replies to
 * those still pending are dropped as usual. Not called for the connections that
 * drpc_server_stop() closes: a server going down says nothing about its clients.
 */
typedef void (*drpc_close_hook_t)(uint64_t conn_id, const struct drpc_caller *caller, void *arg);
/* Set (or with NULL clear) the close hook of @server. */
void drpc_server_set_close_hook(struct drpc_server *server, drpc_close_hook_t hook, void *arg);
/* Close everything and unlink the socket; memory released after the close callbacks. */
void drpc_server_stop(struct drpc_server *server);

struct drpc_client;

int drpc_client_connect(const char *path, struct drpc_client **out);
void drpc_client_close(struct drpc_client *client);
/*
 * Call (@module, @method) with @body; wait @timeout_ms. On 0, *status holds the
 * Drpc__Status and *reply (d_free) / *reply_len the response body. Transport errors:
 * -DER_TIMEDOUT, -DER_HG, -DER_PROTO.
 */
int drpc_client_call(struct drpc_client *client, int32_t module, int32_t method, const void *body,
		     size_t len, int timeout_ms, int *status, uint8_t **reply, size_t *reply_len);

#endif /* PROTO_PROTO_H */
