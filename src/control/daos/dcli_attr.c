/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcli_attr.c - user attributes (`list-attrs`, `get-attr`, `set-attr`, `del-attr`) of pools
 * and containers: the same commands over two sets of libdaos calls (struct dcli_attr_ops).
 *
 * Sizes: list_attr reports the names' total length with their NULs (as DAOS's engine
 * counts), so a buffer of that size holds them all; it is walked up to what was written.
 * get_attr truncates values to the sizes given and reports the real ones: a value larger
 * than its buffer is fetched again with a buffer of its size.
 */
#define D_LOGFAC DD_FAC(control)

#include "control/daos/dcli_int.h"

/* First guess of a value's size; larger values take a second call. */
#define ATTR_VALUE_GUESS 256

void
dcli_attrs_free(struct dcli_attr *a, size_t nr)
{
	size_t i;

	for (i = 0; a != NULL && i < nr; i++) {
		d_free(a[i].name);
		d_free(a[i].value);
	}
	d_free(a);
}

int
dcli_attrs_split(const char *str, bool with_values, struct dcli_attr **out, size_t *nr, char *err,
		 size_t err_len)
{
	struct dcli_attr *a = NULL;
	const char *p = str;
	size_t n = 0, max = 1;
	int rc = 0;

	if (str == NULL || *str == '\0') {
		snprintf(err, err_len, "no attribute given");
		return -DER_INVAL;
	}
	for (p = str; *p != '\0'; p++)
		max += *p == ',';
	a = d_calloc(max, sizeof(*a));
	if (a == NULL)
		return -DER_NOMEM;
	for (p = str;; p++) {
		size_t len = strcspn(p, ",");
		const char *colon = with_values ? memchr(p, ':', len) : NULL;
		size_t name_len = colon != NULL ? (size_t)(colon - p) : len;

		if (name_len == 0 || (with_values && colon == NULL)) {
			snprintf(err, err_len, "invalid attribute \"%.*s\": expected %s", (int)len,
				 p, with_values ? "name:value" : "a name");
			rc = -DER_INVAL;
			goto out_free;
		}
		if (name_len > DAOS_ATTR_NAME_MAX) {
			snprintf(err, err_len, "attribute name \"%.32s...\" is longer than %d", p,
				 DAOS_ATTR_NAME_MAX);
			rc = -DER_INVAL;
			goto out_free;
		}
		a[n].name = d_strndup(p, name_len);
		if (colon != NULL) {
			a[n].len = len - name_len - 1;
			a[n].value = d_strndup(colon + 1, a[n].len);
		}
		if (a[n].name == NULL || (colon != NULL && a[n].value == NULL)) {
			n++;
			rc = -DER_NOMEM;
			goto out_free;
		}
		n++;
		p += len;
		if (*p == '\0')
			break;
	}
	*out = a;
	*nr = n;
	return 0;

out_free:
	dcli_attrs_free(a, n);
	return rc;
}

/* The names of every attribute of @h, in a new array. */
static int
attr_names(const struct dcli_attr_ops *ops, daos_handle_t h, struct dcli_attr **out, size_t *nr)
{
	struct dcli_attr *a = NULL;
	size_t total = 0, size, used = 0, n = 0, max;
	char *buf;
	int rc;

	rc = ops->list(h, NULL, &total, NULL);
	if (rc != 0)
		return rc;
	/* one more byte: an empty buffer ends the walk below even if nothing was listed */
	size = total + 1;
	buf = d_calloc(1, size);
	if (buf == NULL)
		return -DER_NOMEM;
	rc = ops->list(h, buf, &size, NULL);
	if (rc != 0)
		goto out;
	max = total + 1;
	a = d_calloc(max, sizeof(*a));
	if (a == NULL) {
		rc = -DER_NOMEM;
		goto out;
	}
	while (used < total && buf[used] != '\0' && n < max) {
		size_t len = strnlen(buf + used, total - used);

		a[n].name = d_strndup(buf + used, len);
		if (a[n].name == NULL) {
			rc = -DER_NOMEM;
			break;
		}
		n++;
		used += len + 1;
	}
	if (rc != 0) {
		dcli_attrs_free(a, n);
		goto out;
	}
	*out = a;
	*nr = n;
out:
	d_free(buf);
	return rc;
}

/* Fetch the values of @a[0..nr) (names set). */
static int
attr_values(const struct dcli_attr_ops *ops, daos_handle_t h, struct dcli_attr *a, size_t nr)
{
	const char **names;
	void **bufs;
	size_t *sizes, *caps, i;
	bool again = false;
	int rc = -DER_NOMEM, pass;

	if (nr == 0)
		return 0;
	names = d_calloc(nr, sizeof(*names));
	bufs = d_calloc(nr, sizeof(*bufs));
	sizes = d_calloc(nr, sizeof(*sizes));
	caps = d_calloc(nr, sizeof(*caps));
	if (names == NULL || bufs == NULL || sizes == NULL || caps == NULL)
		goto out;
	for (i = 0; i < nr; i++) {
		names[i] = a[i].name;
		sizes[i] = ATTR_VALUE_GUESS;
	}
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < nr; i++) {
			d_free(a[i].value);
			caps[i] = sizes[i];
			a[i].value = d_calloc(1, caps[i] + 1);
			if (a[i].value == NULL) {
				rc = -DER_NOMEM;
				goto out;
			}
			bufs[i] = a[i].value;
		}
		rc = ops->get(h, (int)nr, names, bufs, sizes, NULL);
		if (rc != 0)
			goto out;
		again = false;
		for (i = 0; i < nr; i++)
			again |= sizes[i] > caps[i];
		if (!again)
			break;
	}
	/* A value that grew again between the two calls is shown cut to its buffer. */
	for (i = 0; i < nr; i++)
		a[i].len = D_MIN(sizes[i], caps[i]);
out:
	d_free(caps);
	d_free(sizes);
	d_free(bufs);
	d_free(names);
	return rc;
}

static void
attr_report(struct cli_ctx *ctx, const char *what, const char *id, struct dcli_attr *a, size_t nr,
	    bool values)
{
	if (ctx->json)
		ctx->json_resp = dcli_json_attrs(a, nr, values);
	else
		dcli_print_attrs(ctx->out, what, id, a, nr, values);
}

/* set-attr and del-attr: the names (and values) of @a as the arrays libdaos takes. */
static int
attr_change(const struct dcli_attr_ops *ops, daos_handle_t h, struct dcli_attr *a, size_t nr,
	    bool set)
{
	const char **names;
	const void **values;
	size_t *sizes, i;
	int rc = -DER_NOMEM;

	names = d_calloc(nr, sizeof(*names));
	values = d_calloc(nr, sizeof(*values));
	sizes = d_calloc(nr, sizeof(*sizes));
	if (names == NULL || values == NULL || sizes == NULL)
		goto out;
	for (i = 0; i < nr; i++) {
		names[i] = a[i].name;
		values[i] = a[i].value;
		sizes[i] = a[i].len;
	}
	if (set)
		rc = ops->set(h, (int)nr, names, values, sizes, NULL);
	else
		rc = ops->del(h, (int)nr, names, NULL);
out:
	d_free(sizes);
	d_free(values);
	d_free(names);
	return rc;
}

int
dcli_attr_run(struct cli_ctx *ctx, const struct dcli_attr_ops *ops, daos_handle_t h,
	      const char *what, const char *id, enum dcli_attr_op op, const char *arg)
{
	static const char *const verbs[] = {
		[DCLI_ATTR_LIST] = "list attributes of",
		[DCLI_ATTR_LIST_VALUES] = "list attributes of",
		[DCLI_ATTR_GET] = "get attributes of",
		[DCLI_ATTR_SET] = "set attributes on",
		[DCLI_ATTR_DEL] = "delete attributes from",
	};
	struct dcli_attr *a = NULL;
	size_t nr = 0;
	char err[256];
	int rc;

	/* get-attr without names gets them all */
	if (op == DCLI_ATTR_GET && arg == NULL)
		op = DCLI_ATTR_LIST_VALUES;
	if (op == DCLI_ATTR_LIST || op == DCLI_ATTR_LIST_VALUES) {
		rc = attr_names(ops, h, &a, &nr);
	} else {
		rc = dcli_attrs_split(arg, op == DCLI_ATTR_SET, &a, &nr, err, sizeof(err));
		if (rc != 0)
			return dcli_errf(ctx, rc == -DER_INVAL ? 0 : rc, "%s", err);
	}
	if (rc == 0 && (op == DCLI_ATTR_LIST_VALUES || op == DCLI_ATTR_GET))
		rc = attr_values(ops, h, a, nr);
	else if (rc == 0 && (op == DCLI_ATTR_SET || op == DCLI_ATTR_DEL))
		rc = attr_change(ops, h, a, nr, op == DCLI_ATTR_SET);
	if (rc != 0 && op == DCLI_ATTR_GET)
		dcli_errf(ctx, rc, "failed to get attribute%s %s of %s %s", nr > 1 ? "s" : "", arg,
			  what, id);
	else if (rc != 0)
		dcli_errf(ctx, rc, "failed to %s %s %s", verbs[op], what, id);
	else if (op != DCLI_ATTR_SET && op != DCLI_ATTR_DEL)
		attr_report(ctx, what, id, a, nr, op != DCLI_ATTR_LIST);
	dcli_attrs_free(a, nr);
	return rc;
}
