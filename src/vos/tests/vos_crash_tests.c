/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vos_crash_tests.c - kill -9 at random moments, many times; nothing acknowledged is ever
 * lost and nothing is torn.
 *
 * The parent keeps the model. Each round it forks a child that opens the pool (replaying
 * whatever the last one left), reads every key and reports what it finds, then runs
 * random updates (small values kept in the index and large ones in the data blob) and
 * punches, up to 8 in flight, reporting each before submitting and again once its
 * callback says it is durable. The parent SIGKILLs the child at a random moment: during
 * the run, and sometimes during the open itself (replay, checkpoint).
 *
 * A key's value found after a crash must be the newest acknowledged version, or a
 * version submitted later whose acknowledgement the kill cut off; and its bytes must be
 * exactly that version's. Anything else (an older version: lost data; other bytes: torn
 * data) fails the test with the key and versions involved.
 */
#define D_LOGFAC DD_FAC(tests)

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "vos/tests/vos_test.h"

#define MiB (1024ULL * 1024)
#define NKEYS 32
#define MAX_PENDING 64
#define DEPTH 8
#define VAL_MAX 20000
#define PUNCHED 0xffffffffu

enum msg_type {
	MSG_FOUND = 'F', /* key, ver (0: no value) */
	MSG_READY = 'R', /* verification done, running */
	MSG_ISSUE = 'I', /* key, ver, epoch */
	MSG_ACK = 'A',   /* key, ver */
	MSG_BAD = 'X',   /* key, ver found but bytes wrong */
};

struct msg {
	uint8_t type;
	uint8_t pad[3];
	uint32_t key;
	uint32_t ver;
	uint32_t pad2;
	uint64_t epoch;
};

struct version {
	uint32_t ver; /* PUNCHED in the top bit marks a punch */
	uint64_t epoch;
};

/* The parent's model. */
struct key_model {
	struct version acked; /* newest acknowledged (ver 0: nothing yet) */
	struct version pending[MAX_PENDING];
	uint32_t nr_pending;
};

static struct key_model model[NKEYS];
static uint64_t next_epoch = 1;
static uint32_t next_ver = 1;
static struct tpool tp;

/* A version's value: its size and bytes are a function of (key, ver). */
static size_t
val_size(uint32_t key, uint32_t ver)
{
	uint32_t h = (key * 2654435761u) ^ (ver * 40503u);

	/* A third of the values go to the data blob (>= 4 KiB). */
	return h % 3 == 0 ? 4096 + h % (VAL_MAX - 4096) : 8 + h % 3000;
}

/* The key and version are the first 8 bytes, so a value names its version exactly. */
static void
val_fill(uint8_t *p, size_t len, uint32_t key, uint32_t ver)
{
	size_t i;

	memcpy(p, &key, sizeof(key));
	memcpy(p + 4, &ver, sizeof(ver));
	for (i = 8; i < len; i++)
		p[i] = (uint8_t)((i * 131 + key * 7 + ver * 13) >> 1);
}

static bool
is_punch(uint32_t ver)
{
	return (ver & 0x80000000u) != 0;
}

static void
key_name(char *buf, size_t len, uint32_t key)
{
	snprintf(buf, len, "key-%u", key);
}

static void
send_msg(int fd, uint8_t type, uint32_t key, uint32_t ver, uint64_t epoch)
{
	struct msg m = { .type = type, .key = key, .ver = ver, .epoch = epoch };

	if (write(fd, &m, sizeof(m)) != sizeof(m))
		_exit(20);
}

/* --- the child --- */

struct child_op {
	int fd;
	uint32_t key;
	uint32_t ver;
	uint8_t *buf;
	bool *busy;
	int *inflight;
	d_iov_t dkey;
	d_iov_t akey;
	d_iov_t val;
	d_sg_list_t sgl;
	struct vos_iod iod;
	char name[16];
};

static void
child_op_done(void *arg, int status)
{
	struct child_op *op = arg;

	if (status != 0)
		_exit(21);
	send_msg(op->fd, MSG_ACK, op->key, op->ver, 0);
	op->busy[op->key] = false;
	(*op->inflight)--;
	d_free(op->buf);
	d_free(op);
}

static void
child_verify(struct vos_cont *cont, int fd)
{
	static uint8_t buf[VAL_MAX];
	static uint8_t want[VAL_MAX];
	uint32_t key;

	for (key = 0; key < NKEYS; key++) {
		char name[16];
		uint64_t got;
		uint32_t ver = 0;
		int rc;

		key_name(name, sizeof(name), key);
		rc = t_get(cont, toid(1, 0), VOS_EPOCH_MAX - 1, 0, name, "v", buf, sizeof(buf),
			   &got);
		if (rc != 0)
			_exit(22);
		if (got > 0) {
			/* The version the value says it is; its bytes must be exactly that one's.
			 */
			if (got >= 8)
				memcpy(&ver, buf + 4, sizeof(ver));
			if (got < 8 || ver == 0 || ver >= next_ver || val_size(key, ver) != got) {
				send_msg(fd, MSG_BAD, key, (uint32_t)got, 0);
				continue;
			}
			val_fill(want, got, key, ver);
			if (memcmp(want, buf, got) != 0) {
				send_msg(fd, MSG_BAD, key, (uint32_t)got, 0);
				continue;
			}
		}
		send_msg(fd, MSG_FOUND, key, ver, 0);
	}
}

static void
child_run(int fd, unsigned int seed)
{
	bool busy[NKEYS] = { false };
	struct vos_pool_attr attr = tp.attr;
	struct vos_pool *pool;
	struct vos_cont *cont;
	struct bio_ioq *q;
	uint64_t epoch = next_epoch;
	uint32_t ver = next_ver;
	int inflight = 0;

	if (bio_ioq_create(64, &q) != 0)
		_exit(23);
	attr.ioq = q;
	if (vos_pool_open(&attr, &pool) != 0 || vos_cont_open(pool, tp.cuuid, &cont) != 0)
		_exit(24);
	child_verify(cont, fd);
	send_msg(fd, MSG_READY, 0, 0, 0);
	for (;;) {
		/*
		 * Aggregate now and then, as an engine does, below every epoch still in
		 * flight (at most DEPTH operations, each with a newer epoch): kills then also
		 * land in aggregation steps, whose records replay must repeat.
		 */
		if (epoch - next_epoch > 0 && (epoch - next_epoch) % 64 == 0 && epoch > 100) {
			int rc;

			while ((rc = vos_aggregate(cont, epoch - 100, NULL, 0, 500)) == 1)
				;
			if (rc != 0)
				_exit(29);
		}
		while (inflight < DEPTH) {
			uint32_t key = rand_r(&seed) % NKEYS;
			struct child_op *op;
			int rc;

			if (busy[key])
				break;
			op = d_calloc(1, sizeof(*op));
			if (op == NULL)
				_exit(25);
			op->fd = fd;
			op->key = key;
			op->busy = busy;
			op->inflight = &inflight;
			key_name(op->name, sizeof(op->name), key);
			d_iov_set(&op->dkey, op->name, strlen(op->name));
			if (rand_r(&seed) % 8 == 0) {
				/* A punch of the akey. */
				op->ver = ver++ | 0x80000000u;
				d_iov_set(&op->akey, "v", 1);
				send_msg(fd, MSG_ISSUE, key, op->ver, epoch);
				rc = vos_obj_punch(cont, &(struct vos_oid){ 1, 0, 0 }, epoch++, 0,
						   &op->dkey, 1, &op->akey, child_op_done, op);
			} else {
				size_t len;

				op->ver = ver++;
				len = val_size(key, op->ver);
				op->buf = d_malloc(len);
				if (op->buf == NULL)
					_exit(26);
				val_fill(op->buf, len, key, op->ver);
				d_iov_set(&op->val, op->buf, len);
				op->sgl.sg_nr = 1;
				op->sgl.sg_iovs = &op->val;
				op->iod.type = VOS_IOD_SINGLE;
				op->iod.size = len;
				d_iov_set(&op->iod.name, "v", 1);
				send_msg(fd, MSG_ISSUE, key, op->ver, epoch);
				rc = vos_obj_update(cont, &(struct vos_oid){ 1, 0, 0 }, epoch++, 0,
						    &op->dkey, 1, &op->iod, &op->sgl, child_op_done,
						    op);
			}
			if (rc != 0)
				_exit(27);
			busy[key] = true;
			inflight++;
		}
		if (bio_ioq_poll(q, 10) < 0)
			_exit(28);
	}
}

/* --- the parent --- */

static int failures;

static void
model_issue(uint32_t key, uint32_t ver, uint64_t epoch)
{
	struct key_model *km = &model[key];

	assert_true(km->nr_pending < MAX_PENDING);
	km->pending[km->nr_pending++] = (struct version){ ver, epoch };
	if (epoch >= next_epoch)
		next_epoch = epoch + 1;
	if ((ver & ~0x80000000u) >= next_ver)
		next_ver = (ver & ~0x80000000u) + 1;
}

static void
model_ack(uint32_t key, uint32_t ver)
{
	struct key_model *km = &model[key];
	uint32_t i;

	for (i = 0; i < km->nr_pending; i++) {
		if (km->pending[i].ver != ver)
			continue;
		if (km->acked.ver == 0 || km->pending[i].epoch > km->acked.epoch)
			km->acked = km->pending[i];
		km->pending[i] = km->pending[--km->nr_pending];
		return;
	}
	fail_msg("ack of version %u of key %u that was never issued", ver, key);
}

/* What a child found: it must be allowed by the model; then it becomes the truth. */
static void
model_found(uint32_t key, uint32_t ver)
{
	struct key_model *km = &model[key];
	bool acked_is_value = km->acked.ver != 0 && !is_punch(km->acked.ver);
	bool ok = false;
	uint32_t i;

	/* The newest acknowledged state itself. */
	if (ver == 0 ? !acked_is_value : (km->acked.ver == ver))
		ok = true;
	/* Or something submitted after it whose ack the kill cut off. */
	for (i = 0; i < km->nr_pending && !ok; i++) {
		const struct version *p = &km->pending[i];

		if (km->acked.ver != 0 && p->epoch < km->acked.epoch)
			continue;
		if (ver == 0 ? is_punch(p->ver) : p->ver == ver)
			ok = true;
	}
	if (!ok) {
		print_error("key %u: found version %u, but the newest acknowledged is %s%u "
			    "(epoch %" PRIu64 ") with %u pending\n",
			    key, ver, is_punch(km->acked.ver) ? "punch " : "",
			    km->acked.ver & ~0x80000000u, km->acked.epoch, km->nr_pending);
		failures++;
	}
	km->acked = (struct version){ ver == 0 ? (km->acked.ver ? PUNCHED : 0) : ver, 0 };
	km->nr_pending = 0;
}

/* Read messages until the pipe closes or @want arrives (0: until closed). */
static bool
drain(int fd, uint8_t want, int timeout_ms)
{
	struct msg m;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, timeout_ms) <= 0)
			return false;
		n = read(fd, &m, sizeof(m));
		if (n == 0)
			return false;
		assert_int_equal(n, sizeof(m));
		switch (m.type) {
		case MSG_FOUND:
			model_found(m.key, m.ver);
			break;
		case MSG_BAD:
			print_error("key %u: value of %u bytes matches no version: torn\n", m.key,
				    m.ver);
			failures++;
			break;
		case MSG_ISSUE:
			model_issue(m.key, m.ver, m.epoch);
			break;
		case MSG_ACK:
			model_ack(m.key, m.ver);
			break;
		case MSG_READY:
			break;
		default:
			fail_msg("bad message type %d", m.type);
		}
		if (want != 0 && m.type == want)
			return true;
	}
}

static void
random_kills(void **state)
{
	const char *env = getenv("VOS_CRASH_KILLS");
	int kills = env ? (int)strtol(env, NULL, 10) : 200;
	unsigned int seed = (unsigned int)time(NULL);
	int in_open = 0;
	int k;

	(void)state;
	print_message("seed %u, %d kills\n", seed, kills);
	/* A small WAL: checkpoints happen during the run, and kills hit some of them. */
	tpool_setup(&tp, 256 * MiB, 1 * MiB, 32 * MiB, 128 * MiB);
	tpool_close(&tp);
	for (k = 0; k <= kills; k++) {
		int fds[2];
		pid_t pid;
		int status;

		assert_int_equal(pipe(fds), 0);
		pid = fork();
		if (pid == 0) {
			close(fds[0]);
			child_run(fds[1], seed + (unsigned int)k);
		}
		close(fds[1]);
		if (k == kills) {
			/* The last round: let it verify, then stop it. */
			assert_true(drain(fds[0], MSG_READY, 30000));
		} else if (rand_r(&seed) % 10 == 0) {
			/* Kill during the open: replay or the checkpoint it may start. */
			usleep(rand_r(&seed) % 3000);
			in_open++;
		} else {
			assert_true(drain(fds[0], MSG_READY, 30000));
			usleep(1000 + rand_r(&seed) % 20000);
		}
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status))
			fail_msg("child exited with status %d instead of being killed",
				 WEXITSTATUS(status));
		drain(fds[0], 0, 100);
		close(fds[0]);
		if (failures > 0)
			fail_msg("round %d: acknowledged data lost or torn (seed %u)", k, seed);
	}
	print_message("%d kills (%d during open) and every acknowledged write survived\n", kills,
		      in_open);
	tpool_open(&tp, false);
	tpool_teardown(&tp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_kills),
	};

	signal(SIGPIPE, SIG_IGN);
	d_log_init();
	return cmocka_run_group_tests_name("vos_crash", tests, NULL, NULL);
}
