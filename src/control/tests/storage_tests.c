/* SPDX-License-Identifier: Apache-2.0 */
/*
 * storage_tests.c - daos_server's storage handling: superblocks (parse, refuse, write,
 * read back), formatting engines from daos_server.yml (ram + file tiers, no bdev tier,
 * MD-on-SSD superblock placement, refusals of formatted engines and of unsupported
 * classes), scanning engines before and after, and the host device scan on a fake sysfs.
 * As root the ram tier becomes a tmpfs, which the tests check and unmount.
 */
#define D_LOGFAC DD_FAC(tests)

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "bio/bio.h"
#include "common/test.h"
#include "control/config.h"
#include "control/storage.h"

static const char good_sb[] = "# a comment\n"
			      "version: 0\n"
			      "uuid: 6f0b5f7e-3c55-4c0e-9d0b-6a1a2b3c4d5e\n"
			      "system: daos_server\n"
			      "rank: 3\n"
			      "valid_rank: true\n"
			      "uri: ofi+tcp://127.0.0.1:31416\n"
			      "\n"
			      "host_fault_domain: /node1\n"
			      "incarnation: 17\n"
			      "engine_idx: 1\n";

static void
sb_parse_good(void **state)
{
	struct storage_sb sb;
	char err[256] = "";

	(void)state;
	assert_int_equal(storage_sb_parse(good_sb, strlen(good_sb), &sb, err, sizeof(err)), 0);
	assert_int_equal(sb.version, 0);
	assert_string_equal(sb.uuid, "6f0b5f7e-3c55-4c0e-9d0b-6a1a2b3c4d5e");
	assert_string_equal(sb.system, "daos_server");
	assert_int_equal(sb.rank, 3);
	assert_true(sb.valid_rank);
	assert_string_equal(sb.uri, "ofi+tcp://127.0.0.1:31416");
	assert_string_equal(sb.fault_domain, "/node1");
	assert_int_equal(sb.incarnation, 17);
	assert_int_equal(sb.engine_idx, 1);
}

/* Replace the line starting with @key in good_sb by @line ("" drops it), then parse. */
static int
parse_edited(const char *key, const char *line, char *err, size_t err_len)
{
	char buf[1024];
	const char *p = good_sb;
	size_t off = 0;
	struct storage_sb sb;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = (size_t)(nl - p) + 1;

		if (strncmp(p, key, strlen(key)) == 0)
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s", line);
		else
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%.*s", (int)n, p);
		p += n;
	}
	err[0] = '\0';
	return storage_sb_parse(buf, off, &sb, err, err_len);
}

static void
sb_parse_bad(void **state)
{
	static const struct {
		const char *key;
		const char *line;
		int rc;
		const char *msg;
	} cases[] = {
		{ "rank:", "rank: x\n", -DER_INVAL, "rank: expected an integer" },
		{ "rank:", "rank: -1\n", -DER_INVAL, "rank: expected an integer" },
		{ "rank:", "rank: 4294967296\n", -DER_INVAL, "rank: expected an integer" },
		{ "uri:", "", -DER_INVAL, "missing key uri" },
		{ "uuid:", "uuid: 1234\n", -DER_INVAL, "uuid: not a UUID" },
		{ "version:", "version: 1\n", -DER_DF_INCOMPT, "newer than" },
		{ "engine_idx:", "engine_idx: 1\nrank: 4\n", -DER_INVAL, "rank: given twice" },
		{ "engine_idx:", "engine_idx: 1\ncolour: blue\n", -DER_INVAL, "unknown key" },
		{ "valid_rank:", "valid_rank: yes\n", -DER_INVAL, "true or false" },
		{ "host_fault", "host_fault_domain: node1\n", -DER_INVAL, "starting with /" },
		{ "system:", "system: \n", -DER_INVAL, "system: expected a name" },
		{ "system:", "system: a_name_that_is_too_long\n", -DER_INVAL, "expected a name" },
		{ "uri:", "uri\n", -DER_INVAL, "expected \"key: value\"" },
	};
	struct storage_sb sb;
	char err[256];
	char big[600];
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc = parse_edited(cases[i].key, cases[i].line, err, sizeof(err));

		if (rc != cases[i].rc || strstr(err, cases[i].msg) == NULL)
			fail_msg("case %u (%s): rc %d, err \"%s\"", i, cases[i].line, rc, err);
	}
	/* An over-long line, embedded NUL bytes, nothing at all */
	memset(big, 'a', sizeof(big));
	assert_int_equal(storage_sb_parse(big, sizeof(big), &sb, err, sizeof(err)), -DER_INVAL);
	assert_non_null(strstr(err, "too long"));
	assert_int_equal(storage_sb_parse("version: 0\0x\n", 13, &sb, err, sizeof(err)),
			 -DER_INVAL);
	assert_int_equal(storage_sb_parse("", 0, &sb, err, sizeof(err)), -DER_INVAL);
	assert_non_null(strstr(err, "missing key version"));
}

static void
sb_write_read(void **state)
{
	TEST_ALLOC_MARK();
	char *dir = test_tmpdir("storage_sb");
	char path[512];
	char tmp[520];
	struct storage_sb in;
	struct storage_sb out;
	char err[256];

	(void)state;
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, STORAGE_SB_NAME);
	assert_int_equal(storage_sb_read(path, &out, err, sizeof(err)), -DER_NONEXIST);

	memset(&in, 0, sizeof(in));
	snprintf(in.uuid, sizeof(in.uuid), "00000000-1111-2222-3333-444444444444");
	snprintf(in.system, sizeof(in.system), "daos_server");
	snprintf(in.fault_domain, sizeof(in.fault_domain), "/h1");
	in.incarnation = 5;
	assert_int_equal(storage_sb_write(path, &in), 0);
	assert_int_equal(storage_sb_read(path, &out, err, sizeof(err)), 0);
	assert_memory_equal(&in, &out, sizeof(in));

	/* Rewritten with a rank: the new one replaces the old, no temporary file is left */
	in.rank = 7;
	in.valid_rank = true;
	snprintf(in.uri, sizeof(in.uri), "ofi+tcp://127.0.0.1:1234");
	assert_int_equal(storage_sb_write(path, &in), 0);
	assert_int_equal(storage_sb_read(path, &out, err, sizeof(err)), 0);
	assert_memory_equal(&in, &out, sizeof(in));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(access(tmp, F_OK), -1);

	/* A damaged file: the error names the file and the line */
	{
		int fd = open(path, O_WRONLY | O_TRUNC);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, "version: zero\n", 14), 14);
		close(fd);
	}
	assert_int_equal(storage_sb_read(path, &out, err, sizeof(err)), -DER_INVAL);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "line 1: version"));

	/* A directory that does not exist */
	snprintf(path, sizeof(path), "%s/none/%s", dir, STORAGE_SB_NAME);
	assert_int_equal(storage_sb_write(path, &in), -DER_NONEXIST);

	unlink(tmp);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
	d_free(dir);
	TEST_ALLOC_CHECK();
}

/* The bdev description file: each malformed one gives its own error. */
static void
bdev_conf_bad(void **state)
{
	static const struct {
		const char *text;
		int rc;
		const char *msg;
	} cases[] = {
		{ "{", -DER_INVAL, "line 1" },
		{ "[]", -DER_INVAL, "version" },
		{ "{\"version\": 2, \"tiers\": []}", -DER_DF_INCOMPT, "version 2" },
		{ "{\"version\": 1}", -DER_INVAL, "tiers: expected" },
		{ "{\"version\": 1, \"tiers\": [1]}", -DER_INVAL, "tiers[0]: expected an object" },
		{ "{\"version\": 1, \"tiers\": [{\"tier\": 9}]}", -DER_INVAL, "tiers[0].tier" },
		{ "{\"version\": 1, \"tiers\": [{\"tier\": 1, \"class\": \"ram\"}]}", -DER_INVAL,
		  "tiers[0].class" },
		{ "{\"version\": 1, \"tiers\": [{\"tier\": 1, \"class\": \"file\", \"size\": -1}]}",
		  -DER_INVAL, "tiers[0].size" },
		{ "{\"version\": 1, \"tiers\": [{\"tier\": 1, \"class\": \"file\", \"size\": 1, "
		  "\"roles\": [\"wal\", \"wal\"]}]}",
		  -DER_INVAL, "roles[1]" },
		{ "{\"version\": 1, \"tiers\": [{\"tier\": 1, \"class\": \"file\", \"size\": 1, "
		  "\"roles\": [\"wal\", \"meta\", \"data\"], \"devices\": [\"x\"]}]}",
		  -DER_INVAL, "devices[0]: expected an absolute path" },
		{ "{\"version\": 1, \"tiers\": [{\"tier\": 1, \"class\": \"file\", \"size\": 1, "
		  "\"roles\": [\"wal\"], \"devices\": [\"/x\"]}]}",
		  -DER_INVAL, "must each be on a tier" },
		{ "{\"version\": 1, \"version\": 1}", -DER_INVAL, "duplicate" },
	};
	struct bio_conf conf;
	char err[256];
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc;

		err[0] = '\0';
		rc = bio_conf_parse(cases[i].text, strlen(cases[i].text), &conf, err, sizeof(err));
		if (rc != cases[i].rc || strstr(err, cases[i].msg) == NULL)
			fail_msg("case %u: rc %d, err \"%s\"", i, rc, err);
	}
}

/* --- formatting engines --- */

struct fmt_env {
	char *dir;
	char scm[512];
	char yml[4096];
	struct config_server *cfg;
};

static void
env_parse(struct fmt_env *env)
{
	char err[512];

	if (config_server_parse("test.yml", env->yml, strlen(env->yml), &env->cfg, err,
				sizeof(err)) != 0)
		fail_msg("config: %s", err);
}

/* A config of one engine, ram tier at <dir>/scm plus @tiers (YAML, indented). */
static void
env_init(struct fmt_env *env, const char *top, const char *tiers)
{
	memset(env, 0, sizeof(*env));
	env->dir = test_tmpdir("storage_fmt");
	assert_non_null(env->dir);
	snprintf(env->scm, sizeof(env->scm), "%s/scm", env->dir);
	snprintf(env->yml, sizeof(env->yml),
		 "name: daos_server\nport: 10001\nprovider: ofi+tcp\n"
		 "transport_config:\n  allow_insecure: true\n%s"
		 "engines:\n- targets: 1\n  fabric_iface: lo\n  fabric_iface_port: 31416\n"
		 "  storage:\n  - class: ram\n    scm_mount: %s\n    scm_size: 1\n%s",
		 top, env->scm, tiers);
	for (char *p = strstr(env->yml, "@D"); p != NULL; p = strstr(env->yml, "@D")) {
		char rest[4096];

		snprintf(rest, sizeof(rest), "%s", p + 2);
		snprintf(p, sizeof(env->yml) - (size_t)(p - env->yml), "%s%s", env->dir, rest);
	}
	env_parse(env);
}

static bool
is_tmpfs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == TMPFS_MAGIC;
}

static void
env_fini(struct fmt_env *env)
{
	char cmd[600];

	if (geteuid() == 0 && is_tmpfs(env->scm))
		assert_int_equal(umount2(env->scm, MNT_DETACH), 0);
	config_server_free(env->cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", env->dir);
	assert_int_equal(system(cmd), 0);
	d_free(env->dir);
}

/* A device formatted by daos_server: it opens and its blob table loads. */
static void
check_dev(const char *path)
{
	struct bio_dev *dev;

	assert_int_equal(bio_dev_open(path, 0, 0, &dev), 0);
	assert_int_equal(bio_dev_load(dev), 0);
	assert_true(bio_dev_free(dev) > 0);
	bio_dev_close(dev);
}

/* Create @path as a sparse file of @size bytes. */
static int
truncate_new(const char *path, uint64_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int rc;

	if (fd < 0)
		return -1;
	rc = ftruncate(fd, (off_t)size);
	close(fd);
	return rc;
}

static void
format_ram_file(void **state)
{
	TEST_ALLOC_MARK();
	struct fmt_env env;
	struct storage_engine_state st;
	struct storage_sb sb1;
	struct storage_sb sb2;
	char path[600];
	char err[512];
	char *sb_path;

	(void)state;
	env_init(&env, "",
		 "  - class: file\n    bdev_list: [@D/bdev0, @D/sub/bdev1]\n    bdev_size: 1\n");

	/* Before: nothing formatted, the files do not exist */
	assert_int_equal(storage_scan_engine(env.cfg, 0, &st), 0);
	assert_false(st.formatted);
	assert_int_equal(st.nr_tiers, 2);
	assert_false(st.tiers[0].ready);
	assert_false(st.tiers[1].ready);
	assert_int_equal(st.tiers[1].nr_devs, 2);
	/* Files not created yet count with the size a format gives them (bdev_size) */
	assert_int_equal(st.tiers[1].dev_sizes[0], 1000000000ULL);
	assert_int_equal(st.tiers[1].dev_sizes[1], 1000000000ULL);
	assert_int_equal(st.tiers[1].size, 2000000000ULL);
	storage_engine_state_fini(&st);
	/* A file that exists counts with its own size */
	snprintf(path, sizeof(path), "%s/bdev0", env.dir);
	assert_int_equal(truncate_new(path, 3000000000ULL), 0);
	assert_int_equal(storage_scan_engine(env.cfg, 0, &st), 0);
	assert_int_equal(st.tiers[1].dev_sizes[0], 3000000000ULL);
	assert_int_equal(st.tiers[1].dev_sizes[1], 1000000000ULL);
	assert_int_equal(st.tiers[1].size, 4000000000ULL);
	assert_false(st.tiers[1].ready);
	storage_engine_state_fini(&st);
	unlink(path);

	assert_int_equal(storage_format_engine(env.cfg, 0, false, err, sizeof(err)), 0);
	if (geteuid() == 0)
		assert_true(is_tmpfs(env.scm));
	snprintf(path, sizeof(path), "%s/bdev0", env.dir);
	check_dev(path);
	snprintf(path, sizeof(path), "%s/sub/bdev1", env.dir);
	check_dev(path);
	/* A bdev tier holds the blobs: no device file in scm_mount */
	snprintf(path, sizeof(path), "%s/%s", env.scm, STORAGE_NO_BDEV_FILE);
	assert_int_equal(access(path, F_OK), -1);

	/* The bdev description: one file tier with every role, both devices */
	{
		struct bio_conf conf;
		char *cpath = storage_bdev_conf_path(env.cfg, 0);

		snprintf(path, sizeof(path), "%s/%s", env.scm, STORAGE_BDEV_CONF);
		assert_string_equal(cpath, path);
		assert_int_equal(bio_conf_read(cpath, &conf, err, sizeof(err)), 0);
		assert_int_equal(conf.nr_tiers, 1);
		assert_int_equal(conf.tiers[0].class, BIO_CONF_FILE);
		assert_int_equal(conf.tiers[0].roles, CONFIG_ROLE_ALL);
		assert_int_equal(conf.tiers[0].nr_devices, 2);
		assert_int_equal(conf.tiers[0].size, 1000000000ULL);
		snprintf(path, sizeof(path), "%s/sub/bdev1", env.dir);
		assert_string_equal(conf.tiers[0].devices[1], path);
		bio_conf_fini(&conf);
		d_free(cpath);
	}

	sb_path = storage_sb_path(env.cfg, 0);
	snprintf(path, sizeof(path), "%s/%s", env.scm, STORAGE_SB_NAME);
	assert_string_equal(sb_path, path);
	assert_int_equal(storage_sb_read(sb_path, &sb1, err, sizeof(err)), 0);
	assert_string_equal(sb1.system, "daos_server");
	assert_false(sb1.valid_rank);
	assert_int_equal(sb1.fault_domain[0], '/');

	/* After: formatted, both tiers ready, the devices' sizes and free space seen */
	assert_int_equal(storage_scan_engine(env.cfg, 0, &st), 0);
	assert_true(st.formatted);
	assert_string_equal(st.sb.uuid, sb1.uuid);
	assert_true(st.tiers[0].ready);
	assert_int_equal(st.tiers[0].tmpfs, geteuid() == 0);
	assert_true(st.tiers[0].free > 0);
	assert_true(st.tiers[1].ready);
	assert_int_equal(st.tiers[1].size, 2 * 1000000000ULL);
	assert_true(st.tiers[1].free > 1000000000ULL);
	storage_engine_state_fini(&st);

	/* Formatted already: refused, and nothing changes */
	assert_int_equal(storage_format_engine(env.cfg, 0, false, err, sizeof(err)), -DER_EXIST);
	assert_non_null(strstr(err, "already formatted"));
	assert_int_equal(storage_sb_read(sb_path, &sb2, err, sizeof(err)), 0);
	assert_string_equal(sb2.uuid, sb1.uuid);

	/* --force: a new engine identity */
	assert_int_equal(storage_format_engine(env.cfg, 0, true, err, sizeof(err)), 0);
	assert_int_equal(storage_sb_read(sb_path, &sb2, err, sizeof(err)), 0);
	assert_string_not_equal(sb2.uuid, sb1.uuid);

	d_free(sb_path);
	env_fini(&env);
	TEST_ALLOC_CHECK();
}

/* No bdev tier: the blobs go to a device file of scm_size in scm_mount. */
/* The mount options of the file system mounted at @path, from /proc/self/mounts ("" if none). */
static void
mount_opts(const char *path, char *out, size_t len)
{
	char line[1024];
	FILE *f = fopen("/proc/self/mounts", "r");

	out[0] = '\0';
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		char dev[256], dir[512], type[64], opts[512];

		if (sscanf(line, "%255s %511s %63s %511s", dev, dir, type, opts) == 4 &&
		    strcmp(dir, path) == 0)
			snprintf(out, len, "%s", opts);
	}
	fclose(f);
}

/* scm_hugepages_disabled: false mounts the tmpfs with huge pages (where the kernel can). */
static void
format_ram_huge(void **state)
{
	struct fmt_env env;
	char opts[512];
	char err[512];

	(void)state;
	if (geteuid() != 0)
		skip(); /* needs root (mounts) */
	env_init(&env, "", "");
	assert_int_equal(storage_format_engine(env.cfg, 0, false, err, sizeof(err)), 0);
	mount_opts(env.scm, opts, sizeof(opts));
	assert_non_null(strstr(opts, "size="));
	assert_null(strstr(opts, "huge=")); /* the default: plain tmpfs */
	env_fini(&env);

	env_init(&env, "", "    scm_hugepages_disabled: false\n");
	assert_false(env.cfg->engines[0].storage[0].scm_hugepages_disabled);
	assert_int_equal(storage_format_engine(env.cfg, 0, false, err, sizeof(err)), 0);
	assert_true(is_tmpfs(env.scm));
	mount_opts(env.scm, opts, sizeof(opts));
	if (access("/sys/kernel/mm/transparent_hugepage/shmem_enabled", F_OK) == 0)
		assert_non_null(strstr(opts, "huge=always"));
	env_fini(&env);
}

/*
 * scm_mount in a directory that is itself on a tmpfs (/dev/shm, a /tmp on tmpfs): that
 * is no tmpfs of ours to unmount; format mounts its own (as root) and scan says so.
 */
static void
format_under_tmpfs_dir(void **state)
{
	const char *old = getenv("TMPDIR");
	char *saved = old != NULL ? d_strdup(old) : NULL;
	struct storage_engine_state st;
	struct fmt_env env;
	char err[512];

	(void)state;
	if (geteuid() != 0 || !is_tmpfs("/dev/shm")) {
		d_free(saved);
		skip(); /* needs root (mounts) and a tmpfs at /dev/shm */
	}
	setenv("TMPDIR", "/dev/shm", 1);
	env_init(&env, "", "");
	assert_int_equal(storage_scan_engine(env.cfg, 0, &st), 0);
	assert_false(st.tiers[0].tmpfs); /* a directory on /dev/shm's tmpfs is not a mount */
	storage_engine_state_fini(&st);
	assert_int_equal(storage_format_engine(env.cfg, 0, false, err, sizeof(err)), 0);
	assert_true(is_tmpfs(env.scm));
	assert_int_equal(storage_scan_engine(env.cfg, 0, &st), 0);
	assert_true(st.tiers[0].tmpfs);
	storage_engine_state_fini(&st);
	env_fini(&env);
	if (saved != NULL)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	d_free(saved);
}

static void
format_ram_only(void **state)
{
	TEST_ALLOC_MARK();
	struct fmt_env env;
	struct bio_dev *dev;
	char path[600];
	char err[512];

	(void)state;
	env_init(&env, "", "");
	assert_int_equal(storage_format_engine(env.cfg, 0, false, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/%s", env.scm, STORAGE_NO_BDEV_FILE);
	check_dev(path);
	assert_int_equal(bio_dev_open(path, 0, 0, &dev), 0);
	assert_int_equal(bio_dev_size(dev), 1ULL << 30);
	bio_dev_close(dev);
	{
		struct bio_conf conf;
		char *cpath = storage_bdev_conf_path(env.cfg, 0);

		assert_int_equal(bio_conf_read(cpath, &conf, err, sizeof(err)), 0);
		assert_int_equal(conf.nr_tiers, 1);
		assert_int_equal(conf.tiers[0].roles, CONFIG_ROLE_ALL);
		assert_string_equal(conf.tiers[0].devices[0], path);
		assert_int_equal(conf.tiers[0].size, 1ULL << 30);
		bio_conf_fini(&conf);
		d_free(cpath);
	}
	env_fini(&env);
	TEST_ALLOC_CHECK();
}

/* MD-on-SSD: the superblock lives under control_metadata.path, per engine. */
static void
format_md_on_ssd(void **state)
{
	TEST_ALLOC_MARK();
	struct fmt_env env;
	struct storage_sb sb;
	char path[600];
	char err[512];
	char *sb_path;

	(void)state;
	env_init(&env, "control_metadata:\n  path: @D/control\n",
		 "  - class: file\n    bdev_list: [@D/bdev0]\n    bdev_size: 1\n"
		 "    bdev_roles: [wal, meta, data]\n");
	assert_true(env.cfg->engines[0].md_on_ssd);
	sb_path = storage_sb_path(env.cfg, 0);
	snprintf(path, sizeof(path), "%s/control/daos_control/engine0/%s", env.dir,
		 STORAGE_SB_NAME);
	assert_string_equal(sb_path, path);
	assert_int_equal(storage_format_engine(env.cfg, 0, false, err, sizeof(err)), 0);
	assert_int_equal(storage_sb_read(sb_path, &sb, err, sizeof(err)), 0);
	assert_int_equal(sb.engine_idx, 0);
	d_free(sb_path);
	sb_path = storage_bdev_conf_path(env.cfg, 0);
	snprintf(path, sizeof(path), "%s/control/daos_control/engine0/%s", env.dir,
		 STORAGE_BDEV_CONF);
	assert_string_equal(sb_path, path);
	assert_int_equal(access(path, R_OK), 0);
	d_free(sb_path);
	env_fini(&env);
	TEST_ALLOC_CHECK();
}

/* Classes not driven here are refused with a message that says what to use instead. */
static void
format_refusals(void **state)
{
	TEST_ALLOC_MARK();
	struct fmt_env env;
	char err[512];

	(void)state;
	env_init(&env, "", "  - class: nvme\n    bdev_list: ['0000:81:00.0']\n");
	assert_int_equal(storage_format_engine(env.cfg, 0, false, err, sizeof(err)),
			 -DER_NOTSUPPORTED);
	assert_non_null(strstr(err, "class kdev"));
	/* Nothing was written: no superblock */
	{
		struct storage_engine_state st;

		assert_int_equal(storage_scan_engine(env.cfg, 0, &st), 0);
		assert_false(st.formatted);
		assert_false(st.tiers[1].ready);
		storage_engine_state_fini(&st);
	}
	env_fini(&env);

	/* A bdev file where a directory is in the way */
	env_init(&env, "", "  - class: file\n    bdev_list: [@D]\n    bdev_size: 1\n");
	assert_int_not_equal(storage_format_engine(env.cfg, 0, false, err, sizeof(err)), 0);
	assert_non_null(strstr(err, env.dir));
	env_fini(&env);

	/* An engine index that does not exist */
	env_init(&env, "", "");
	assert_int_equal(storage_format_engine(env.cfg, 3, false, err, sizeof(err)), -DER_INVAL);
	env_fini(&env);
	TEST_ALLOC_CHECK();
}

/* --- host scan --- */

static void
put(const char *root, const char *rel, const char *content)
{
	char path[600];
	char cmd[700];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p $(dirname %s)", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void
scan_host(void **state)
{
	TEST_ALLOC_MARK();
	char *root = test_tmpdir("storage_sysfs");
	struct storage_device *devs;
	unsigned int nr;
	unsigned int i;
	bool seen_nvme = false;
	bool seen_pmem = false;
	char cmd[600];

	(void)state;
	assert_non_null(root);
	put(root, "block/nvme0n1/size", "7814037168\n");
	put(root, "class/nvme/nvme0/model", "Example NVMe SSD   \n");
	put(root, "class/nvme/nvme0/serial", "SN123\n");
	put(root, "class/nvme/nvme0/address", "0000:81:00.0\n");
	put(root, "block/pmem0/size", "2048\n");
	put(root, "block/sda/size", "100\n");

	assert_int_equal(storage_scan_host(root, &devs, &nr), 0);
	assert_int_equal(nr, 2);
	for (i = 0; i < nr; i++) {
		if (strcmp(devs[i].name, "nvme0n1") == 0) {
			seen_nvme = true;
			assert_int_equal(devs[i].size, 7814037168ULL * 512);
			assert_string_equal(devs[i].model, "Example NVMe SSD");
			assert_string_equal(devs[i].serial, "SN123");
			assert_string_equal(devs[i].pci_addr, "0000:81:00.0");
			assert_false(devs[i].pmem);
		} else {
			assert_string_equal(devs[i].name, "pmem0");
			seen_pmem = true;
			assert_true(devs[i].pmem);
			assert_int_equal(devs[i].size, 2048 * 512);
		}
	}
	assert_true(seen_nvme && seen_pmem);
	d_free(devs);

	/* No sysfs at all: nothing found, no error */
	snprintf(cmd, sizeof(cmd), "%s/none", root);
	assert_int_equal(storage_scan_host(cmd, &devs, &nr), 0);
	assert_int_equal(nr, 0);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
	d_free(root);
	TEST_ALLOC_CHECK();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sb_parse_good),          cmocka_unit_test(sb_parse_bad),
		cmocka_unit_test(sb_write_read),          cmocka_unit_test(bdev_conf_bad),
		cmocka_unit_test(format_ram_file),        cmocka_unit_test(format_ram_only),
		cmocka_unit_test(format_under_tmpfs_dir), cmocka_unit_test(format_md_on_ssd),
		cmocka_unit_test(format_refusals),        cmocka_unit_test(scan_host),
		cmocka_unit_test(format_ram_huge),
	};

	d_log_init();
	return cmocka_run_group_tests_name("storage", tests, NULL, NULL);
}
