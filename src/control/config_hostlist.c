/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_hostlist.c - host lists as DAOS and slurm write them: "node[1-8]", "a,b",
 * "rack[1-2]-n[01-16]:10002". Used for mgmt_svc_replicas/access_points and dmg's hostlist.
 *
 * Grammar of one entry (commas inside brackets are part of a range, outside they separate
 * hosts):
 *	entry   = host *( "," host )
 *	host    = pattern [ ":" port ]
 *	pattern = 1*( name-chars / "[" range *( "," range ) "]" )
 *	range   = number [ "-" number ]      ; "01-10" keeps the width of the first number
 * Names are letters, digits, '-', '.' and '_'; IPv6 literals are not accepted. Expansion is
 * in the order written, without sorting or removing duplicates (callers decide whether
 * duplicates are errors). The total is bounded by CONFIG_HOSTS_MAX before anything is
 * allocated for a pattern, so "n[1-999999999]" costs nothing.
 */
#define D_LOGFAC DD_FAC(config)

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/sort.h"
#include "control/config_int.h"

#define HOST_NAME_MAX_LEN 255

static int
list_push(struct config_strlist *out, unsigned int *cap, char *s)
{
	if (out->nr == *cap) {
		unsigned int ncap = *cap == 0 ? 8 : *cap * 2;
		char **n = d_reallocarray(out->str, ncap, sizeof(*n));

		if (n == NULL) {
			d_free(s);
			return -DER_NOMEM;
		}
		out->str = n;
		*cap = ncap;
	}
	out->str[out->nr++] = s;
	return 0;
}

static bool
is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_';
}

/* Parse a decimal number of at most 9 digits at *s; its digit count goes to *width. */
static bool
number_parse(const char **s, const char *end, unsigned long *v, int *width)
{
	const char *p = *s;

	*v = 0;
	while (p < end && isdigit((unsigned char)*p) && p - *s < 9)
		*v = *v * 10 + (unsigned long)(*p++ - '0');
	if (p == *s || (p < end && isdigit((unsigned char)*p)))
		return false;
	*width = (int)(p - *s);
	*s = p;
	return true;
}

/* Count the hosts a bracket body "1-3,7" stands for; false if malformed. */
static bool
range_count(const char *s, const char *end, unsigned long *count)
{
	*count = 0;
	while (s < end) {
		unsigned long lo;
		unsigned long hi;
		int w;

		if (!number_parse(&s, end, &lo, &w))
			return false;
		hi = lo;
		if (s < end && *s == '-') {
			s++;
			if (!number_parse(&s, end, &hi, &w) || hi < lo)
				return false;
		}
		*count += hi - lo + 1;
		if (*count > CONFIG_HOSTS_MAX)
			return true; /* the caller refuses it */
		if (s < end && *s == ',' && s + 1 < end)
			s++;
		else if (s < end)
			return false;
	}
	return *count > 0;
}

/*
 * Append to @out every expansion of @pat[0..len) prefixed by @prefix, each followed by
 * @suffix (":port"). Brackets were validated and counted by the caller.
 */
static int
pattern_expand(const char *prefix, const char *pat, size_t len, const char *suffix,
	       struct config_strlist *out, unsigned int *cap)
{
	const char *open = memchr(pat, '[', len);
	const char *close;
	const char *s;
	char *str;
	int rc;

	if (open == NULL) {
		if (d_asprintf(&str, "%s%.*s%s", prefix, (int)len, pat, suffix) < 0)
			return -DER_NOMEM;
		return list_push(out, cap, str);
	}
	close = memchr(open, ']', len - (size_t)(open - pat));
	for (s = open + 1; s < close;) {
		const char *lo_start = s;
		unsigned long lo;
		unsigned long hi;
		unsigned long i;
		int width;
		int w;

		number_parse(&s, close, &lo, &width);
		hi = lo;
		if (*s == '-') {
			s++;
			number_parse(&s, close, &hi, &w);
		}
		if (*s == ',')
			s++;
		/* A leading zero asks for the width of the lower bound: 01-10. */
		if (width < 2 || *lo_start != '0')
			width = 1;
		for (i = lo; i <= hi; i++) {
			char *head;

			if (d_asprintf(&head, "%s%.*s%0*lu", prefix, (int)(open - pat), pat, width,
				       i) < 0)
				return -DER_NOMEM;
			rc = pattern_expand(head, close + 1, len - (size_t)(close + 1 - pat),
					    suffix, out, cap);
			d_free(head);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

/* Check one host "pattern[:port]" and count its expansions. */
static int
host_check(const char *h, size_t len, int default_port, int *port, size_t *pat_len,
	   unsigned long *count, char *msg, size_t msg_len)
{
	const char *colon = NULL;
	const char *p;
	bool in_bracket = false;

	*count = 1;
	for (p = h; p < h + len; p++) {
		if (*p == '[') {
			if (in_bracket)
				goto out_brackets;
			in_bracket = true;
		} else if (*p == ']') {
			if (!in_bracket)
				goto out_brackets;
			in_bracket = false;
		} else if (*p == ':' && !in_bracket) {
			if (colon != NULL) {
				snprintf(msg, msg_len,
					 "IPv6 addresses are not supported in \"%.*s\"", (int)len,
					 h);
				return -DER_INVAL;
			}
			colon = p;
		} else if (!in_bracket && !is_name_char(*p)) {
			snprintf(msg, msg_len, "invalid character '%c' in host \"%.*s\"",
				 isprint((unsigned char)*p) ? *p : '?', (int)len, h);
			return -DER_INVAL;
		}
	}
	if (in_bracket)
		goto out_brackets;

	*pat_len = colon != NULL ? (size_t)(colon - h) : len;
	*port = default_port;
	if (colon != NULL) {
		const char *ps = colon + 1;
		unsigned long v;
		int w;

		if (!number_parse(&ps, h + len, &v, &w) || ps != h + len || v == 0 || v > 65535) {
			snprintf(msg, msg_len, "invalid port in \"%.*s\" (expected 1 to 65535)",
				 (int)len, h);
			return -DER_INVAL;
		}
		*port = (int)v;
	}
	if (*pat_len == 0) {
		snprintf(msg, msg_len, "missing host name in \"%.*s\"", (int)len, h);
		return -DER_INVAL;
	}
	if (*pat_len > HOST_NAME_MAX_LEN) {
		snprintf(msg, msg_len, "host name longer than %d characters", HOST_NAME_MAX_LEN);
		return -DER_INVAL;
	}
	for (p = h; p < h + *pat_len; p++) {
		const char *close;
		unsigned long n;

		if (*p != '[')
			continue;
		close = memchr(p, ']', *pat_len - (size_t)(p - h));
		if (!range_count(p + 1, close, &n)) {
			snprintf(msg, msg_len, "invalid range \"%.*s\" in \"%.*s\"",
				 (int)(close - p + 1), p, (int)len, h);
			return -DER_INVAL;
		}
		if (n > CONFIG_HOSTS_MAX || *count * n > CONFIG_HOSTS_MAX) {
			*count = CONFIG_HOSTS_MAX + 1UL;
			return 0;
		}
		*count *= n;
		p = close;
	}
	return 0;

out_brackets:
	snprintf(msg, msg_len, "unbalanced brackets in \"%.*s\"", (int)len, h);
	return -DER_INVAL;
}

int
cfg_hostlist_expand_one(const char *spec, int default_port, struct config_strlist *out,
			unsigned int *cap, char *msg, size_t msg_len)
{
	const char *s = spec;
	int depth = 0;

	if (*spec == '\0') {
		snprintf(msg, msg_len, "empty host name");
		return -DER_INVAL;
	}
	while (*s != '\0') {
		const char *h = s;
		char suffix[16];
		unsigned long count;
		size_t pat_len;
		int port;
		int rc;

		/* The host ends at a comma outside brackets. */
		for (; *s != '\0' && !(*s == ',' && depth == 0); s++)
			depth += *s == '[' ? 1 : (*s == ']' ? -1 : 0);
		rc = host_check(h, (size_t)(s - h), default_port, &port, &pat_len, &count, msg,
				msg_len);
		if (rc != 0)
			return rc;
		if (count + out->nr > CONFIG_HOSTS_MAX) {
			snprintf(msg, msg_len, "host list expands to more than %d hosts",
				 CONFIG_HOSTS_MAX);
			return -DER_INVAL;
		}
		snprintf(suffix, sizeof(suffix), ":%d", port);
		rc = pattern_expand("", h, pat_len, suffix, out, cap);
		if (rc != 0)
			return rc;
		if (*s == ',') {
			s++;
			if (*s == '\0') {
				snprintf(msg, msg_len, "empty host name after ','");
				return -DER_INVAL;
			}
		}
	}
	return 0;
}

int
cfg_hostlist_expand_node(struct cfg_ctx *ctx, yaml_node_t *node, const char *key_path,
			 const struct config_strlist *in, int default_port,
			 struct config_strlist *out)
{
	struct config_strlist res = { NULL, 0 };
	unsigned int cap = 0;
	char msg[256];
	unsigned int i;
	int rc = 0;

	for (i = 0; i < in->nr; i++) {
		char path[256];

		rc = cfg_hostlist_expand_one(in->str[i], default_port, &res, &cap, msg,
					     sizeof(msg));
		if (rc == -DER_NOMEM) {
			rc = cfg_nomem(ctx);
			break;
		}
		if (rc != 0) {
			snprintf(path, sizeof(path), "%s[%u]", key_path, i);
			rc = cfg_err_at(ctx, cfg_item_or(ctx, node, i, NULL), path, "%s", msg);
			break;
		}
	}
	if (rc != 0) {
		config_strlist_fini(&res);
		return rc;
	}
	*out = res;
	return 0;
}

int
config_hostlist_expand(const struct config_strlist *in, int default_port,
		       struct config_strlist *out, char *err, size_t err_len)
{
	struct config_strlist res = { NULL, 0 };
	unsigned int cap = 0;
	char msg[256];
	unsigned int i;
	int rc = 0;

	if (err != NULL && err_len > 0)
		err[0] = '\0';
	if (default_port <= 0 || default_port > 65535) {
		snprintf(msg, sizeof(msg), "invalid default port %d", default_port);
		rc = -DER_INVAL;
	}
	for (i = 0; rc == 0 && i < in->nr; i++)
		rc = cfg_hostlist_expand_one(in->str[i], default_port, &res, &cap, msg,
					     sizeof(msg));
	if (rc != 0) {
		if (rc == -DER_NOMEM)
			snprintf(msg, sizeof(msg), "out of memory");
		if (err != NULL && err_len > 0)
			snprintf(err, err_len, "%s", msg);
		config_strlist_fini(&res);
		return rc;
	}
	*out = res;
	return 0;
}

struct str_idx {
	const char *s;
	unsigned int idx;
};

static int
str_idx_cmp(const void *a, const void *b)
{
	const struct str_idx *x = a;
	const struct str_idx *y = b;
	int c = strcmp(x->s, y->s);

	if (c != 0)
		return c;
	return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

int
cfg_strlist_find_dup(const struct config_strlist *list, unsigned int *first, unsigned int *second)
{
	struct str_idx *v;
	unsigned int i;
	int found = 0;

	if (list->nr < 2)
		return 0;
	/* Sorting keeps this O(n log n) for the longest host lists. */
	v = d_calloc(list->nr, sizeof(*v));
	if (v == NULL)
		return -DER_NOMEM;
	for (i = 0; i < list->nr; i++) {
		v[i].s = list->str[i];
		v[i].idx = i;
	}
	d_sort(v, list->nr, sizeof(*v), str_idx_cmp);
	for (i = 1; i < list->nr; i++) {
		if (strcmp(v[i - 1].s, v[i].s) != 0)
			continue;
		/* Report the pair whose second member comes first in the list. */
		if (!found || v[i].idx < *second) {
			*first = v[i - 1].idx;
			*second = v[i].idx;
		}
		found = 1;
	}
	d_free(v);
	return found;
}
