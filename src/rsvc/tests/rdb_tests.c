/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rdb_tests.c - the metadata store on a real device file: values survive close, reopen
 * and SIGKILL; transactions are atomic and visible when the commit returns; deletes,
 * duplicates, prefixes and every value size class (index, data blob) behave; limits give
 * -DER_INVAL; damaged reserved keys are refused with an error, never a crash.
 *
 * Some tests open the store's VOS pool directly, through the layout rdb.c documents
 * (object, dkey, reserved akeys), to check what the API cannot show or to damage it.
 */
#define D_LOGFAC DD_FAC(tests)

#include <poll.h>
#include <stdio.h>
#include <time.h>

#include "common/buf.h"
#include "common/test.h"
#include "rsvc/rdb.h"
#include "vos/vos.h"

#define MiB (1024ULL * 1024)

/* The layout of rdb.c, for the tests that look underneath. */
#define RDB_OID_HI (6ULL << 56)
#define RDB_DKEY "rdb"

struct tdb {
	char *dir;
	char path[512];
	struct bio_dev *dev;
	struct bio_ioq *ioq;
	struct rdb_attr attr;
	struct rdb *db;
};

static struct tdb t;

static void
fill(uint8_t *p, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)((i * 2654435761u + seed * 40503u) >> 11);
}

/* A store of @size index bytes on a fresh device file, open in t.db. */
static void
tdb_setup(uint64_t size)
{
	memset(&t, 0, sizeof(t));
	t.dir = test_tmpdir("rdb");
	assert_non_null(t.dir);
	snprintf(t.path, sizeof(t.path), "%s/bdev", t.dir);
	assert_int_equal(bio_ioq_create(64, &t.ioq), 0);
	assert_int_equal(bio_dev_open(t.path, 128 * MiB, BIO_DEV_CREATE, &t.dev), 0);
	assert_int_equal(bio_dev_format(t.dev), 0);
	uuid_generate(t.attr.uuid);
	t.attr.wal_dev = t.dev;
	t.attr.meta_dev = t.dev;
	t.attr.data_dev = t.dev;
	t.attr.size = size;
	t.attr.ioq = t.ioq;
	assert_false(rdb_exists(&t.attr));
	assert_int_equal(rdb_create(&t.attr), 0);
	assert_true(rdb_exists(&t.attr));
	assert_int_equal(rdb_open(&t.attr, &t.db), 0);
}

static void
tdb_close(void)
{
	rdb_close(t.db);
	t.db = NULL;
}

static void
tdb_reopen(void)
{
	tdb_close();
	assert_int_equal(rdb_open(&t.attr, &t.db), 0);
}

static void
tdb_teardown(void)
{
	if (t.db != NULL)
		tdb_close();
	if (rdb_exists(&t.attr))
		assert_int_equal(rdb_destroy(&t.attr), 0);
	bio_dev_close(t.dev);
	bio_ioq_destroy(t.ioq);
	unlink(t.path);
	rmdir(t.dir);
	d_free(t.dir);
}

static void
put1(const char *key, const void *val, size_t len)
{
	struct rdb_tx *tx;

	assert_int_equal(rdb_tx_begin(t.db, &tx), 0);
	assert_int_equal(rdb_tx_put(tx, key, val, len), 0);
	assert_int_equal(rdb_tx_commit_sync(tx), 0);
}

static void
put_str(const char *key, const char *val)
{
	put1(key, val, strlen(val));
}

static void
del1(const char *key)
{
	struct rdb_tx *tx;

	assert_int_equal(rdb_tx_begin(t.db, &tx), 0);
	assert_int_equal(rdb_tx_del(tx, key), 0);
	assert_int_equal(rdb_tx_commit_sync(tx), 0);
}

static void
check_val(const char *key, const void *want, size_t len)
{
	size_t got_len = 0;
	void *got = NULL;

	assert_int_equal(rdb_get(t.db, key, &got, &got_len), 0);
	assert_int_equal(got_len, len);
	assert_memory_equal(got, want, len);
	d_free(got);
}

static void
check_str(const char *key, const char *want)
{
	check_val(key, want, strlen(want));
}

static void
check_none(const char *key)
{
	size_t len = 77;
	void *val = NULL;

	assert_int_equal(rdb_get(t.db, key, &val, &len), -DER_NONEXIST);
	assert_null(val);
	assert_int_equal(len, 77);
}

/* --- iteration into a list --- */

#define COLLECT_MAX 256

struct collect {
	char keys[COLLECT_MAX][64];
	size_t lens[COLLECT_MAX];
	int nr;
	int stop_at; /* return 42 once this many are collected (0: never) */
};

static int
collect_fn(const char *key, const void *val, size_t len, void *arg)
{
	struct collect *c = arg;

	(void)val;
	assert_true(c->nr < COLLECT_MAX);
	snprintf(c->keys[c->nr], sizeof(c->keys[0]), "%s", key);
	c->lens[c->nr] = len;
	c->nr++;
	return c->stop_at != 0 && c->nr == c->stop_at ? 42 : 0;
}

static struct collect *
collect(const char *prefix, int expect_rc)
{
	struct collect *c = d_calloc(1, sizeof(*c));

	assert_non_null(c);
	assert_int_equal(rdb_iterate(t.db, prefix, collect_fn, c), expect_rc);
	return c;
}

/* --- tests --- */

/* Values survive close and reopen; create refuses an existing store; open a missing one. */
static void
create_open_reopen(void **state)
{
	struct rdb_attr other;
	struct rdb *db = NULL;

	(void)state;
	TEST_ALLOC_MARK();
	tdb_setup(8 * MiB);
	assert_int_equal(rdb_create(&t.attr), -DER_EXIST);
	other = t.attr;
	uuid_generate(other.uuid);
	assert_int_equal(rdb_open(&other, &db), -DER_NONEXIST);
	assert_null(db);
	other.size = 1000;
	assert_int_equal(rdb_create(&other), -DER_INVAL);
	other.size = 8 * MiB;
	other.meta_dev = NULL;
	assert_int_equal(rdb_create(&other), -DER_INVAL);

	put_str("alpha", "one");
	put_str("beta", "two");
	check_str("alpha", "one");
	tdb_reopen();
	check_str("alpha", "one");
	check_str("beta", "two");
	put_str("alpha", "uno");
	tdb_reopen();
	tdb_reopen();
	check_str("alpha", "uno");
	check_str("beta", "two");
	check_none("gamma");
	tdb_teardown();
	TEST_ALLOC_CHECK();
}

static void
put_get_overwrite_delete(void **state)
{
	struct collect *c;

	(void)state;
	TEST_ALLOC_MARK();
	tdb_setup(8 * MiB);
	check_none("k");
	put_str("k", "v1");
	check_str("k", "v1");
	put_str("k", "a longer second value");
	check_str("k", "a longer second value");
	put_str("k", "3");
	check_str("k", "3");
	del1("k");
	check_none("k");
	del1("never-there"); /* deleting a missing key is not an error */
	check_none("never-there");
	c = collect("", 0);
	assert_int_equal(c->nr, 0);
	d_free(c);
	put_str("k", "back");
	check_str("k", "back");
	tdb_reopen();
	check_str("k", "back");
	check_none("never-there");
	tdb_teardown();
	TEST_ALLOC_CHECK();
}

struct ack {
	int nr;
	int rc;
};

static void
ack_cb(void *arg, int rc)
{
	struct ack *a = arg;

	a->nr++;
	if (rc != 0)
		a->rc = rc;
}

static void
poll_until(struct ack *a, int nr)
{
	while (a->nr < nr)
		assert_true(bio_ioq_poll(t.ioq, 100) >= 0);
}

/* Many keys in one transaction: none visible before the commit, all right after it. */
static void
tx_many_keys_atomic(void **state)
{
	static uint8_t big[20000];
	struct rdb_tx *tx;
	struct ack a = { 0 };
	char key[32];
	char val[32];
	int i;

	(void)state;
	TEST_ALLOC_MARK();
	tdb_setup(8 * MiB);
	fill(big, sizeof(big), 3);
	assert_int_equal(rdb_tx_begin(t.db, &tx), 0);
	for (i = 0; i < 500; i++) {
		snprintf(key, sizeof(key), "many/%d", i);
		snprintf(val, sizeof(val), "value %d", i);
		assert_int_equal(rdb_tx_put(tx, key, val, strlen(val)), 0);
	}
	assert_int_equal(rdb_tx_put(tx, "many/big", big, sizeof(big)), 0);
	check_none("many/0");
	check_none("many/big");
	/* Visible when the commit returns, even with a data-blob value; acked later. */
	assert_int_equal(rdb_tx_commit(tx, ack_cb, &a), 0);
	assert_int_equal(a.nr, 0);
	for (i = 0; i < 500; i++) {
		snprintf(key, sizeof(key), "many/%d", i);
		snprintf(val, sizeof(val), "value %d", i);
		check_str(key, val);
	}
	check_val("many/big", big, sizeof(big));
	poll_until(&a, 1);
	assert_int_equal(a.rc, 0);

	/* An empty transaction acknowledges from the queue too. */
	assert_int_equal(rdb_tx_begin(t.db, &tx), 0);
	assert_int_equal(rdb_tx_commit(tx, ack_cb, &a), 0);
	assert_int_equal(a.nr, 1);
	poll_until(&a, 2);
	assert_int_equal(rdb_tx_begin(t.db, &tx), 0);
	assert_int_equal(rdb_tx_commit_sync(tx), 0);

	tdb_reopen();
	for (i = 0; i < 500; i += 7) {
		snprintf(key, sizeof(key), "many/%d", i);
		snprintf(val, sizeof(val), "value %d", i);
		check_str(key, val);
	}
	check_val("many/big", big, sizeof(big));
	tdb_teardown();
	TEST_ALLOC_CHECK();
}

static void
tx_abort_leaves_nothing(void **state)
{
	static uint8_t big[9000];
	struct rdb_tx *tx;

	(void)state;
	TEST_ALLOC_MARK();
	tdb_setup(8 * MiB);
	put_str("keep", "kept");
	assert_int_equal(rdb_tx_begin(t.db, &tx), 0);
	assert_int_equal(rdb_tx_put(tx, "new", "x", 1), 0);
	assert_int_equal(rdb_tx_put(tx, "big", big, sizeof(big)), 0);
	assert_int_equal(rdb_tx_del(tx, "keep"), 0);
	rdb_tx_abort(tx);
	check_none("new");
	check_none("big");
	check_str("keep", "kept");
	tdb_reopen();
	check_none("new");
	check_str("keep", "kept");
	tdb_teardown();
	TEST_ALLOC_CHECK();
}

/* Iteration: byte order, prefixes, deleted keys skipped, early stop. */
static void
iterate_prefixes(void **state)
{
	static const char *const keys[] = { "pool/2", "b",   "pool/10", "ab",     "a",
					    "abc",    "poo", "ba",      "pool/1", "pool/3" };
	/* Byte order: a key sorts before the keys it is a prefix of. */
	static const char *const all[] = { "a",   "ab",     "abc",     "b",     "ba",
					   "poo", "pool/1", "pool/10", "pool/3" };
	struct collect *c;
	struct rdb_tx *tx;
	size_t i;

	(void)state;
	TEST_ALLOC_MARK();
	tdb_setup(8 * MiB);
	assert_int_equal(rdb_tx_begin(t.db, &tx), 0);
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		assert_int_equal(rdb_tx_put(tx, keys[i], keys[i], strlen(keys[i]) + 1), 0);
	assert_int_equal(rdb_tx_commit_sync(tx), 0);
	del1("pool/2");

	c = collect("", 0);
	assert_int_equal(c->nr, (int)ARRAY_SIZE(all));
	for (i = 0; i < ARRAY_SIZE(all); i++) {
		assert_string_equal(c->keys[i], all[i]);
		assert_int_equal(c->lens[i], strlen(all[i]) + 1);
	}
	d_free(c);

	c = collect("pool/", 0);
	assert_int_equal(c->nr, 3);
	assert_string_equal(c->keys[0], "pool/1");
	assert_string_equal(c->keys[2], "pool/3");
	d_free(c);
	c = collect("pool/1", 0);
	assert_int_equal(c->nr, 2);
	d_free(c);
	c = collect("ab", 0);
	assert_int_equal(c->nr, 2);
	d_free(c);
	c = collect("a", 0);
	assert_int_equal(c->nr, 3);
	d_free(c);
	c = collect("poo", 0);
	assert_int_equal(c->nr, 4);
	d_free(c);
	c = collect("pool/2", 0);
	assert_int_equal(c->nr, 0);
	d_free(c);
	c = collect("zzz", 0);
	assert_int_equal(c->nr, 0);
	d_free(c);
	c = collect("abcd", 0);
	assert_int_equal(c->nr, 0);
	d_free(c);
	c = collect(NULL, 0);
	assert_int_equal(c->nr, (int)ARRAY_SIZE(all));
	d_free(c);

	/* A non-zero result stops the walk and is returned. */
	c = d_calloc(1, sizeof(*c));
	assert_non_null(c);
	c->stop_at = 2;
	assert_int_equal(rdb_iterate(t.db, "", collect_fn, c), 42);
	assert_int_equal(c->nr, 2);
	d_free(c);
	assert_int_equal(rdb_iterate(t.db, "", NULL, NULL), -DER_INVAL);
	tdb_reopen();
	c = collect("pool/", 0);
	assert_int_equal(c->nr, 3);
	d_free(c);
	tdb_teardown();
	TEST_ALLOC_CHECK();
}

/* Each size class: index (< 4096), data blob (>= 4096), the largest allowed. */
static void
value_sizes(void **state)
{
	static const size_t sizes[] = { 1, 4095, 4096, 4097, 8192, 100 * 1024, RDB_VALUE_MAX };
	struct collect *c;
	uint8_t *buf;
	char key[32];
	size_t i;
	int round;

	(void)state;
	TEST_ALLOC_MARK();
	buf = d_malloc(RDB_VALUE_MAX + 1);
	assert_non_null(buf);
	tdb_setup(8 * MiB);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		snprintf(key, sizeof(key), "size/%zu", sizes[i]);
		fill(buf, sizes[i], (uint32_t)i);
		put1(key, buf, sizes[i]);
	}
	for (round = 0; round < 2; round++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			snprintf(key, sizeof(key), "size/%zu", sizes[i]);
			fill(buf, sizes[i], (uint32_t)i);
			check_val(key, buf, sizes[i]);
		}
		c = collect("size/", 0);
		assert_int_equal(c->nr, (int)ARRAY_SIZE(sizes));
		d_free(c);
		tdb_reopen();
	}
	/* Overwrite a data-blob value with a small one and back. */
	put_str("size/4096", "small now");
	check_str("size/4096", "small now");
	fill(buf, 50000, 99);
	put1("size/4096", buf, 50000);
	check_val("size/4096", buf, 50000);
	tdb_teardown();
	d_free(buf);
	TEST_ALLOC_CHECK();
}

/* Bad keys and values: -DER_INVAL, and the transaction stays usable. */
static void
limits(void **state)
{
	char key[RDB_KEY_MAX + 2];
	struct rdb_tx *tx;
	struct collect *c;
	size_t len;
	void *val;

	(void)state;
	TEST_ALLOC_MARK();
	tdb_setup(8 * MiB);
	memset(key, 'k', sizeof(key));
	key[RDB_KEY_MAX + 1] = '\0'; /* one too long */
	assert_int_equal(rdb_tx_begin(t.db, &tx), 0);
	assert_int_equal(rdb_tx_put(tx, "", "v", 1), -DER_INVAL);
	assert_int_equal(rdb_tx_put(tx, NULL, "v", 1), -DER_INVAL);
	assert_int_equal(rdb_tx_put(tx, key, "v", 1), -DER_INVAL);
	assert_int_equal(rdb_tx_del(tx, key), -DER_INVAL);
	assert_int_equal(rdb_tx_del(tx, ""), -DER_INVAL);
	assert_int_equal(rdb_tx_put(tx, "empty", "v", 0), -DER_INVAL);
	assert_int_equal(rdb_tx_put(tx, "null", NULL, 5), -DER_INVAL);
	assert_int_equal(rdb_tx_put(tx, "huge", key, (size_t)RDB_VALUE_MAX + 1), -DER_INVAL);
	assert_int_equal(rdb_get(t.db, key, &val, &len), -DER_INVAL);
	assert_int_equal(rdb_get(t.db, "", &val, &len), -DER_INVAL);
	/* The longest key is fine, and the transaction still commits. */
	key[RDB_KEY_MAX] = '\0';
	assert_int_equal(rdb_tx_put(tx, key, "longest", 7), 0);
	assert_int_equal(rdb_tx_put(tx, "x", "y", 1), 0);
	assert_int_equal(rdb_tx_commit_sync(tx), 0);
	check_str(key, "longest");
	check_str("x", "y");
	check_none("empty");
	check_none("huge");
	tdb_reopen();
	check_str(key, "longest");
	c = collect("kkk", 0);
	assert_int_equal(c->nr, 1);
	d_free(c);
	tdb_teardown();
	TEST_ALLOC_CHECK();
}

/* A key queued more than once in a transaction: the last op wins. */
static void
duplicate_keys_in_tx(void **state)
{
	static uint8_t big[6000];
	struct rdb_tx *tx;
	char val[16];
	int i;

	(void)state;
	TEST_ALLOC_MARK();
	tdb_setup(8 * MiB);
	put_str("was", "here");
	fill(big, sizeof(big), 5);
	assert_int_equal(rdb_tx_begin(t.db, &tx), 0);
	assert_int_equal(rdb_tx_put(tx, "dup", "v1", 2), 0);
	assert_int_equal(rdb_tx_put(tx, "dup", "v2", 2), 0);
	assert_int_equal(rdb_tx_put(tx, "gone", "soon", 4), 0);
	assert_int_equal(rdb_tx_del(tx, "gone"), 0);
	assert_int_equal(rdb_tx_del(tx, "was"), 0);
	assert_int_equal(rdb_tx_put(tx, "was", "again", 5), 0);
	assert_int_equal(rdb_tx_put(tx, "bigdup", big, sizeof(big)), 0);
	assert_int_equal(rdb_tx_put(tx, "bigdup", "tiny", 4), 0);
	for (i = 0; i < 100; i++) {
		snprintf(val, sizeof(val), "n%d", i);
		assert_int_equal(rdb_tx_put(tx, "counter", val, strlen(val)), 0);
	}
	assert_int_equal(rdb_tx_commit_sync(tx), 0);
	check_str("dup", "v2");
	check_none("gone");
	check_str("was", "again");
	check_str("bigdup", "tiny");
	check_str("counter", "n99");
	tdb_reopen();
	check_str("dup", "v2");
	check_none("gone");
	check_str("counter", "n99");
	tdb_teardown();
	TEST_ALLOC_CHECK();
}

#define NK 50

struct model {
	bool live[NK];
	uint32_t seed[NK];
	size_t len[NK];
};

static size_t
model_len(uint32_t i)
{
	return i % 97 == 0 ? 5000 + i : 1 + (i * 7) % 300;
}

static void
model_check(const struct model *m)
{
	static uint8_t want[8000];
	struct collect *c;
	char key[16];
	int live = 0;
	int k;

	for (k = 0; k < NK; k++) {
		snprintf(key, sizeof(key), "k/%02d", k);
		if (!m->live[k]) {
			check_none(key);
			continue;
		}
		live++;
		fill(want, m->len[k], m->seed[k]);
		check_val(key, want, m->len[k]);
	}
	c = collect("k/", 0);
	assert_int_equal(c->nr, live);
	d_free(c);
}

/* Akeys of the store's dkey at the newest epoch, counted through VOS itself. */
static int
vos_akey_count(void)
{
	struct vos_pool_attr pa = { .target = RDB_TARGET };
	struct vos_oid oid = { .lo = 1, .hi = RDB_OID_HI };
	struct vos_anchor anchor = { 0 };
	struct vos_key_desc descs[64];
	static uint8_t names[64 * 1024];
	static const uuid_t zero;
	struct vos_pool *pool;
	struct vos_cont *cont;
	d_iov_t dkey;
	int nr = 0;

	uuid_copy(pa.uuid, t.attr.uuid);
	pa.wal_dev = pa.meta_dev = pa.data_dev = t.dev;
	pa.ioq = t.ioq;
	assert_int_equal(vos_pool_open(&pa, &pool), 0);
	assert_int_equal(vos_cont_open(pool, zero, &cont), 0);
	d_iov_set(&dkey, RDB_DKEY, strlen(RDB_DKEY));
	while (!vos_anchor_is_eof(&anchor)) {
		uint32_t n = ARRAY_SIZE(descs);

		assert_int_equal(vos_key_list(cont, &oid, &dkey, VOS_EPOCH_MAX - 1, &anchor, descs,
					      &n, names, sizeof(names)),
				 0);
		nr += (int)n;
	}
	vos_cont_close(cont);
	assert_int_equal(vos_pool_close(pool), 0);
	return nr;
}

/*
 * 8 x RDB_AGGR_EVERY commits (so aggregation runs last of all) of puts and deletes, most
 * in flight together; the model holds at every step, after reopen too, and the deleted
 * keys are gone from the index, not only hidden.
 */
static void
many_commits_aggregate(void **state)
{
	static uint8_t val[8000];
	struct model *m;
	struct ack a = { 0 };
	uint32_t i;
	int live = 0;
	int k;

	(void)state;
	TEST_ALLOC_MARK();
	m = d_calloc(1, sizeof(*m));
	assert_non_null(m);
	tdb_setup(8 * MiB);
	for (i = 1; i <= 8 * RDB_AGGR_EVERY; i++) {
		struct rdb_tx *tx;
		char key[16];

		assert_int_equal(rdb_tx_begin(t.db, &tx), 0);
		k = (int)(i % NK);
		snprintf(key, sizeof(key), "k/%02d", k);
		fill(val, model_len(i), i);
		assert_int_equal(rdb_tx_put(tx, key, val, model_len(i)), 0);
		m->live[k] = true;
		m->seed[k] = i;
		m->len[k] = model_len(i);
		if (i % 3 == 0) {
			k = (int)((i * 7 + 3) % NK);
			snprintf(key, sizeof(key), "k/%02d", k);
			assert_int_equal(rdb_tx_del(tx, key), 0);
			m->live[k] = false;
		}
		assert_int_equal(rdb_tx_commit(tx, ack_cb, &a), 0);
		if (i % 16 == 0)
			assert_true(bio_ioq_poll(t.ioq, 0) >= 0);
		if (i % 500 == 0)
			model_check(m);
	}
	poll_until(&a, 8 * RDB_AGGR_EVERY);
	assert_int_equal(a.rc, 0);
	model_check(m);
	tdb_reopen();
	model_check(m);
	tdb_close();
	for (k = 0; k < NK; k++)
		live += m->live[k];
	assert_true(live < NK);
	/* Live keys and the two reserved ones: the tombstones were punched. */
	assert_int_equal(vos_akey_count(), live + 2);
	assert_int_equal(rdb_open(&t.attr, &t.db), 0);
	model_check(m);
	tdb_teardown();
	d_free(m);
	TEST_ALLOC_CHECK();
}

static void
exists_destroy(void **state)
{
	struct rdb *db = NULL;

	(void)state;
	TEST_ALLOC_MARK();
	tdb_setup(8 * MiB);
	put_str("a", "b");
	tdb_close();
	assert_true(rdb_exists(&t.attr));
	assert_int_equal(rdb_destroy(&t.attr), 0);
	assert_false(rdb_exists(&t.attr));
	assert_int_equal(rdb_destroy(&t.attr), -DER_NONEXIST);
	assert_int_equal(rdb_open(&t.attr, &db), -DER_NONEXIST);
	assert_null(db);
	/* Its space came back: a new store fits, and it is empty. */
	assert_int_equal(rdb_create(&t.attr), 0);
	assert_int_equal(rdb_open(&t.attr, &t.db), 0);
	check_none("a");
	tdb_teardown();
	TEST_ALLOC_CHECK();
}

/* A transaction VOS refuses after its data writes started: nothing of it is applied. */
static void
refused_commit_applies_nothing(void **state)
{
	uint8_t *big;
	struct rdb_tx *tx;
	char key[16];
	int i;

	(void)state;
	TEST_ALLOC_MARK();
	big = d_malloc(RDB_VALUE_MAX);
	assert_non_null(big);
	fill(big, RDB_VALUE_MAX, 1);
	/* The smallest store: a data blob of four of the largest values. */
	tdb_setup(1 * MiB);
	put_str("before", "1");
	assert_int_equal(rdb_tx_begin(t.db, &tx), 0);
	assert_int_equal(rdb_tx_put(tx, "small", "s", 1), 0);
	assert_int_equal(rdb_tx_del(tx, "before"), 0);
	for (i = 0; i < 5; i++) {
		snprintf(key, sizeof(key), "big/%d", i);
		assert_int_equal(rdb_tx_put(tx, key, big, RDB_VALUE_MAX), 0);
	}
	assert_int_equal(rdb_tx_commit_sync(tx), -DER_NOSPACE);
	check_none("small");
	check_none("big/0");
	check_str("before", "1");
	/* The space of the refused writes is free again. */
	for (i = 0; i < 3; i++) {
		snprintf(key, sizeof(key), "big/%d", i);
		put1(key, big, RDB_VALUE_MAX);
	}
	put_str("after", "2");
	tdb_reopen();
	check_none("small");
	check_str("before", "1");
	check_str("after", "2");
	check_val("big/2", big, RDB_VALUE_MAX);
	tdb_teardown();
	d_free(big);
	TEST_ALLOC_CHECK();
}

/*
 * Write akey @name straight through VOS, above every epoch rdb used, and (unless it is
 * "\0epoch" itself) move "\0epoch" there in the same update, as a commit of rdb would.
 */
static void
vos_poke(const char *name, size_t name_len, const void *val, size_t len)
{
	struct vos_pool_attr pa = { .target = RDB_TARGET };
	struct vos_oid oid = { .lo = 1, .hi = RDB_OID_HI };
	struct vos_iod iods[2] = {
		{ .type = VOS_IOD_SINGLE, .size = len },
		{ .type = VOS_IOD_SINGLE, .size = sizeof(uint64_t) },
	};
	static uint64_t epoch = 1000000;
	static const uuid_t zero;
	struct vos_pool *pool;
	struct vos_cont *cont;
	d_sg_list_t sgls[2];
	d_iov_t iovs[2];
	d_iov_t dkey;
	uint64_t e = epoch++;
	uint8_t e_le[8];
	struct buf b = BUF_INIT(e_le, sizeof(e_le));
	uint32_t nr = name_len == 6 && memcmp(name, "\0epoch", 6) == 0 ? 1 : 2;

	uuid_copy(pa.uuid, t.attr.uuid);
	pa.wal_dev = pa.meta_dev = pa.data_dev = t.dev;
	pa.ioq = t.ioq;
	assert_int_equal(vos_pool_open(&pa, &pool), 0);
	assert_int_equal(vos_cont_open(pool, zero, &cont), 0);
	d_iov_set(&dkey, RDB_DKEY, strlen(RDB_DKEY));
	d_iov_set(&iods[0].name, (void *)name, name_len);
	d_iov_set(&iods[1].name, "\0epoch", 6);
	d_iov_set(&iovs[0], (void *)val, len);
	buf_put_u64(&b, e);
	d_iov_set(&iovs[1], e_le, sizeof(e_le));
	sgls[0] = (d_sg_list_t){ .sg_nr = 1, .sg_iovs = &iovs[0] };
	sgls[1] = (d_sg_list_t){ .sg_nr = 1, .sg_iovs = &iovs[1] };
	assert_int_equal(vos_obj_update_sync(cont, &oid, e, 0, &dkey, nr, iods, sgls), 0);
	vos_cont_close(cont);
	assert_int_equal(vos_pool_close(pool), 0);
}

/* Damaged reserved values and oversized values give errors, never a crash. */
static void
damage_is_refused(void **state)
{
	static const uint8_t three[3] = { 1, 2, 3 };
	static const uint8_t layout2[4] = { 2, 0, 0, 0 };
	static const uint8_t zero_epoch[8] = { 0 };
	uint8_t *huge;
	struct rdb *db = NULL;
	size_t len;
	void *val;

	(void)state;
	TEST_ALLOC_MARK();
	huge = d_calloc(1, RDB_VALUE_MAX + 1);
	assert_non_null(huge);

	tdb_setup(8 * MiB);
	tdb_close();
	vos_poke("\0epoch", 6, three, sizeof(three));
	assert_int_equal(rdb_open(&t.attr, &db), -DER_DF_INVAL);
	vos_poke("\0epoch", 6, zero_epoch, sizeof(zero_epoch));
	assert_int_equal(rdb_open(&t.attr, &db), -DER_DF_INVAL);
	assert_null(db);
	tdb_teardown();

	tdb_setup(8 * MiB);
	tdb_close();
	vos_poke("\0layout", 7, layout2, sizeof(layout2));
	assert_int_equal(rdb_open(&t.attr, &db), -DER_DF_INCOMPT);
	vos_poke("\0layout", 7, huge, 5000); /* in the data blob */
	assert_int_equal(rdb_open(&t.attr, &db), -DER_DF_INVAL);
	tdb_teardown();

	tdb_setup(8 * MiB);
	put_str("fine", "yes");
	tdb_close();
	vos_poke("huge", 4, huge, RDB_VALUE_MAX + 1);
	vos_poke("bad\0key", 7, "v", 1);
	assert_int_equal(rdb_open(&t.attr, &t.db), 0);
	check_str("fine", "yes");
	assert_int_equal(rdb_get(t.db, "huge", &val, &len), -DER_DF_INVAL);
	d_free(collect("", -DER_DF_INVAL));
	tdb_teardown();
	d_free(huge);
	TEST_ALLOC_CHECK();
}

/* --- SIGKILL after acknowledged commits --- */

/* Transaction @i: "c/<i % 16>" = val(i), "d/<i>" replaces "d/<i - 1>", "last" = i. */
static size_t
crash_len(uint32_t i)
{
	return i % 4 == 0 ? 4096 + (i * 131) % 20000 : 8 + (i * 13) % 500;
}

static int
crash_tx(struct rdb *db, uint32_t i)
{
	static uint8_t val[30000];
	struct rdb_tx *tx;
	char key[32];
	int rc;

	rc = rdb_tx_begin(db, &tx);
	if (rc != 0)
		return rc;
	snprintf(key, sizeof(key), "c/%u", i % 16);
	fill(val, crash_len(i), i);
	rc = rdb_tx_put(tx, key, val, crash_len(i));
	snprintf(key, sizeof(key), "d/%u", i);
	if (rc == 0)
		rc = rdb_tx_put(tx, key, "d", 1);
	snprintf(key, sizeof(key), "d/%u", i - 1);
	if (rc == 0)
		rc = rdb_tx_del(tx, key);
	if (rc == 0)
		rc = rdb_tx_put(tx, "last", &i, sizeof(i));
	if (rc != 0) {
		rdb_tx_abort(tx);
		return rc;
	}
	return rdb_tx_commit_sync(tx);
}

/* In the child: commit from @first on, reporting each acknowledged one, until killed. */
static void
crash_child(int fd, uint32_t first)
{
	struct rdb_attr attr = t.attr;
	struct bio_ioq *q;
	struct rdb *db;
	uint32_t i;

	/* A ring is shared memory: the child must not use the parent's. */
	if (bio_ioq_create(64, &q) != 0)
		_exit(10);
	attr.ioq = q;
	if (rdb_open(&attr, &db) != 0)
		_exit(11);
	for (i = first;; i++) {
		if (crash_tx(db, i) != 0)
			_exit(12);
		if (write(fd, &i, sizeof(i)) != sizeof(i))
			_exit(13);
	}
}

/* The store holds exactly transactions 1..last, last >= @acked; returns last. */
static uint32_t
crash_check(uint32_t acked)
{
	static uint8_t want[30000];
	struct collect *c;
	uint32_t last;
	uint32_t k;
	size_t len;
	void *val;
	char key[32];

	assert_int_equal(rdb_get(t.db, "last", &val, &len), 0);
	assert_int_equal(len, sizeof(last));
	memcpy(&last, val, sizeof(last));
	d_free(val);
	if (last < acked)
		fail_msg("acknowledged transaction %u lost: the store ends at %u", acked, last);
	for (k = 0; k < 16 && k < last; k++) {
		uint32_t i = last - k; /* the newest transaction that wrote c/<i % 16> */

		snprintf(key, sizeof(key), "c/%u", i % 16);
		fill(want, crash_len(i), i);
		check_val(key, want, crash_len(i));
	}
	c = collect("d/", 0);
	assert_int_equal(c->nr, 1);
	snprintf(key, sizeof(key), "d/%u", last);
	assert_string_equal(c->keys[0], key);
	d_free(c);
	return last;
}

static void
sigkill_after_ack(void **state)
{
	unsigned int seed = (unsigned int)time(NULL);
	uint32_t last = 0;
	int round;

	(void)state;
	print_message("seed %u\n", seed);
	tdb_setup(8 * MiB);
	for (round = 0; round < 6; round++) {
		uint32_t want = 1 + rand_r(&seed) % 60;
		uint32_t acked = last;
		uint32_t got = 0;
		int fds[2];
		pid_t pid;
		int status;

		tdb_close();
		assert_int_equal(pipe(fds), 0);
		pid = fork();
		if (pid == 0) {
			close(fds[0]);
			crash_child(fds[1], last + 1);
		}
		close(fds[1]);
		while (got < want) {
			struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
			uint32_t i;

			assert_int_equal(poll(&pfd, 1, 30000), 1);
			assert_int_equal(read(fds[0], &i, sizeof(i)), sizeof(i));
			acked = i;
			got++;
		}
		/* Sometimes at once, sometimes with commits in flight. */
		if (round % 2 == 1)
			usleep(rand_r(&seed) % 5000);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status))
			fail_msg("child exited with %d instead of being killed",
				 WEXITSTATUS(status));
		/* Acks the kill raced with count too. */
		for (;;) {
			uint32_t i;

			if (read(fds[0], &i, sizeof(i)) != sizeof(i))
				break;
			acked = i;
		}
		close(fds[0]);
		assert_int_equal(rdb_open(&t.attr, &t.db), 0);
		last = crash_check(acked);
		print_message("round %d: %u acknowledged, the store ends at %u\n", round, acked,
			      last);
	}
	/* And the survivor keeps working. */
	assert_int_equal(crash_tx(t.db, last + 1), 0);
	tdb_reopen();
	assert_int_equal(crash_check(last + 1), last + 1);
	tdb_teardown();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_open_reopen),
		cmocka_unit_test(put_get_overwrite_delete),
		cmocka_unit_test(tx_many_keys_atomic),
		cmocka_unit_test(tx_abort_leaves_nothing),
		cmocka_unit_test(iterate_prefixes),
		cmocka_unit_test(value_sizes),
		cmocka_unit_test(limits),
		cmocka_unit_test(duplicate_keys_in_tx),
		cmocka_unit_test(many_commits_aggregate),
		cmocka_unit_test(exists_destroy),
		cmocka_unit_test(refused_commit_applies_nothing),
		cmocka_unit_test(damage_is_refused),
		cmocka_unit_test(sigkill_after_ack),
	};

	signal(SIGPIPE, SIG_IGN);
	d_log_init();
	return cmocka_run_group_tests_name("rdb", tests, NULL, NULL);
}
