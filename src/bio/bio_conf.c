/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bio_conf.c - the bdev description file, daos_nvme.conf (format in bio.h): written by
 * daos_server at format, read back strictly by daos_engine. Each of the wal, meta and
 * data roles is carried by exactly one tier.
 */
#define D_LOGFAC DD_FAC(bio)

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bio/bio_int.h"

#define BIO_CONF_MAX (1u << 20)
#define MAX_TIERS 8
#define MAX_DEVS 64

static const char *const role_names[] = { "wal", "meta", "data" };
static const char *const class_names[] = { "", "file", "kdev", "nvme" };

const char *bio_conf_class_name(enum bio_conf_class class)
{
	return class >= BIO_CONF_FILE && class <= BIO_CONF_NVME ? class_names[class] : "unknown";
}

void
bio_conf_fini(struct bio_conf *conf)
{
	unsigned int i;
	unsigned int j;

	for (i = 0; i < conf->nr_tiers; i++) {
		for (j = 0; j < conf->tiers[i].nr_devices; j++)
			d_free(conf->tiers[i].devices[j]);
		d_free(conf->tiers[i].devices);
	}
	d_free(conf->tiers);
	conf->tiers = NULL;
	conf->nr_tiers = 0;
}

int
bio_conf_tier_add_dev(struct bio_conf_tier *t, const char *path)
{
	char **n = d_reallocarray(t->devices, t->nr_devices + 1, sizeof(*n));

	if (n == NULL)
		return -DER_NOMEM;
	t->devices = n;
	t->devices[t->nr_devices] = d_strdup(path);
	if (t->devices[t->nr_devices] == NULL)
		return -DER_NOMEM;
	t->nr_devices++;
	return 0;
}

static int
dev_add(struct bio_conf_tier *t, const char *path)
{
	return bio_conf_tier_add_dev(t, path);
}

int
bio_conf_encode(const struct bio_conf *conf, char **out)
{
	json_t *root = json_object();
	json_t *tiers = json_array();
	unsigned int i;
	unsigned int j;
	char *text = NULL;
	int rc = -DER_NOMEM;

	if (root == NULL || tiers == NULL)
		goto out;
	json_object_set_new(root, "version", json_integer(BIO_CONF_VERSION));
	json_object_set(root, "tiers", tiers);
	for (i = 0; i < conf->nr_tiers; i++) {
		const struct bio_conf_tier *bt = &conf->tiers[i];
		json_t *t = json_object();
		json_t *roles = json_array();
		json_t *devs = json_array();

		if (t == NULL || roles == NULL || devs == NULL) {
			json_decref(t);
			json_decref(roles);
			json_decref(devs);
			goto out;
		}
		for (j = 0; j < ARRAY_SIZE(role_names); j++)
			if (bt->roles & (1u << j))
				json_array_append_new(roles, json_string(role_names[j]));
		for (j = 0; j < bt->nr_devices; j++)
			json_array_append_new(devs, json_string(bt->devices[j]));
		json_object_set_new(t, "tier", json_integer(bt->tier));
		json_object_set_new(t, "class", json_string(bio_conf_class_name(bt->class)));
		json_object_set_new(t, "roles", roles);
		json_object_set_new(t, "devices", devs);
		json_object_set_new(t, "size", json_integer((json_int_t)bt->size));
		json_array_append_new(tiers, t);
	}
	text = json_dumps(root, JSON_INDENT(2));
	if (text == NULL)
		goto out;
	*out = d_strdup(text);
	rc = *out == NULL ? -DER_NOMEM : 0;
out:
	free(text);
	json_decref(tiers);
	json_decref(root);
	return rc;
}

#define BAD(...)                                     \
	do {                                         \
		snprintf(err, err_len, __VA_ARGS__); \
		rc = -DER_INVAL;                     \
	} while (0)

static int
parse_tier(json_t *jt, unsigned int i, struct bio_conf_tier *bt, char *err, size_t err_len)
{
	json_t *v;
	size_t j;
	int rc = 0;

	if (!json_is_object(jt)) {
		BAD("tiers[%u]: expected an object", i);
		return rc;
	}
	v = json_object_get(jt, "tier");
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > MAX_TIERS) {
		BAD("tiers[%u].tier: expected an integer from 1 to %d", i, MAX_TIERS);
		return rc;
	}
	bt->tier = (unsigned int)json_integer_value(v);
	v = json_object_get(jt, "class");
	if (json_is_string(v) && strcmp(json_string_value(v), "file") == 0)
		bt->class = BIO_CONF_FILE;
	else if (json_is_string(v) && strcmp(json_string_value(v), "kdev") == 0)
		bt->class = BIO_CONF_KDEV;
	else if (json_is_string(v) && strcmp(json_string_value(v), "nvme") == 0)
		bt->class = BIO_CONF_NVME;
	else {
		BAD("tiers[%u].class: expected file, kdev or nvme", i);
		return rc;
	}
	v = json_object_get(jt, "size");
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		BAD("tiers[%u].size: expected a byte count", i);
		return rc;
	}
	bt->size = (uint64_t)json_integer_value(v);
	v = json_object_get(jt, "roles");
	if (!json_is_array(v) || json_array_size(v) == 0) {
		BAD("tiers[%u].roles: expected a list of wal, meta, data", i);
		return rc;
	}
	for (j = 0; j < json_array_size(v); j++) {
		const char *r = json_string_value(json_array_get(v, j));
		unsigned int k;

		for (k = 0; r != NULL && k < ARRAY_SIZE(role_names); k++)
			if (strcmp(r, role_names[k]) == 0)
				break;
		if (r == NULL || k == ARRAY_SIZE(role_names) || (bt->roles & (1u << k))) {
			BAD("tiers[%u].roles[%zu]: expected wal, meta or data, once each", i, j);
			return rc;
		}
		bt->roles |= 1u << k;
	}
	v = json_object_get(jt, "devices");
	if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > MAX_DEVS) {
		BAD("tiers[%u].devices: expected a list of 1 to %d paths", i, MAX_DEVS);
		return rc;
	}
	for (j = 0; j < json_array_size(v); j++) {
		const char *d = json_string_value(json_array_get(v, j));

		if (d == NULL || d[0] != '/' || strlen(d) >= PATH_MAX) {
			BAD("tiers[%u].devices[%zu]: expected an absolute path", i, j);
			return rc;
		}
		rc = dev_add(bt, d);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
bio_conf_parse(const char *buf, size_t len, struct bio_conf *conf, char *err, size_t err_len)
{
	struct bio_conf c = { NULL, 0 };
	unsigned int all = 0;
	json_error_t jerr;
	json_t *root;
	json_t *v;
	size_t i;
	int rc = 0;

	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		BAD("line %d: %s", jerr.line, jerr.text);
		return rc;
	}
	v = json_object_get(root, "version");
	if (!json_is_object(root) || !json_is_integer(v)) {
		BAD("version: expected an integer");
		goto out;
	}
	if (json_integer_value(v) != BIO_CONF_VERSION) {
		snprintf(err, err_len, "version %" JSON_INTEGER_FORMAT " is not %d",
			 json_integer_value(v), BIO_CONF_VERSION);
		rc = -DER_DF_INCOMPT;
		goto out;
	}
	v = json_object_get(root, "tiers");
	if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > MAX_TIERS) {
		BAD("tiers: expected a list of 1 to %d tiers", MAX_TIERS);
		goto out;
	}
	c.tiers = d_calloc(json_array_size(v), sizeof(*c.tiers));
	if (c.tiers == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	for (i = 0; i < json_array_size(v); i++) {
		c.nr_tiers++;
		rc = parse_tier(json_array_get(v, i), (unsigned int)i, &c.tiers[i], err, err_len);
		if (rc != 0)
			goto out;
		if (all & c.tiers[i].roles) {
			BAD("tiers[%zu].roles: a role is already on another tier", i);
			goto out;
		}
		all |= c.tiers[i].roles;
	}
	if (all != BIO_ROLE_ALL)
		BAD("tiers: wal, meta and data must each be on a tier");
out:
	json_decref(root);
	if (rc != 0)
		bio_conf_fini(&c);
	else
		*conf = c;
	return rc;
}

int
bio_conf_read(const char *path, struct bio_conf *conf, char *err, size_t err_len)
{
	char *buf;
	ssize_t n;
	int fd;
	int rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -daos_errno2der(errno);
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return rc;
	}
	buf = d_malloc(BIO_CONF_MAX);
	if (buf == NULL) {
		close(fd);
		return -DER_NOMEM;
	}
	n = read(fd, buf, BIO_CONF_MAX);
	close(fd);
	if (n < 0 || n == BIO_CONF_MAX) {
		snprintf(err, err_len, "%s: %s", path, n < 0 ? strerror(errno) : "too large");
		d_free(buf);
		return n < 0 ? -DER_IO : -DER_INVAL;
	}
	rc = bio_conf_parse(buf, (size_t)n, conf, err, err_len);
	d_free(buf);
	if (rc != 0) {
		char inner[256];

		snprintf(inner, sizeof(inner), "%s", err);
		snprintf(err, err_len, "%s: %s", path, inner);
	}
	return rc;
}
