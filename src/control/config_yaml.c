/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_yaml.c - the table-driven YAML walker behind the three config loaders.
 *
 * libyaml's loader turns the bytes into a document (a node graph with line and column
 * marks); nothing else of libyaml is used. A loader then hands the root node to
 * cfg_map_parse() with the table (struct cfg_map, config_int.h) of the top-level keys. For
 * each map the walker, in this order:
 *   1. checks every key: known (else an error suggesting the nearest known name), not a
 *      removed key, not given twice;
 *   2. checks keys that exclude each other (.excl), reporting the later one;
 *   3. sets the defaults of scalar fields, then parses the given values in document order
 *      (noting unsupported and deprecated keys once per process), recursing into maps and
 *      lists of maps;
 *   4. gives absent strings, lists and nested maps their defaults;
 *   5. runs the map's check function for rules across keys.
 * The first error wins: it is written as "file:line: key.path: message" and every caller
 * returns at once. On any error the half-filled struct is freed through the same tables.
 *
 * Scalars follow YAML 1.1 as DAOS's Go loader reads it: integers in decimal, 0x hex, 0o or
 * leading-0 octal, 0b binary, '_' separators; booleans true/false/yes/no/on/off/y/n in the
 * usual cases; a quoted number is a string, not an integer. Durations use Go's syntax.
 *
 * Untrusted input: the walker never recurses deeper than the tables (unknown structure is an
 * error at once), and aliases, which can repeat a subtree many times, are bounded by a budget
 * of node visits. Nothing here asserts on input.
 */
#define D_LOGFAC DD_FAC(config)

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/config_int.h"

#define CFG_FILE_MAX (16u << 20) /* bigger files are not configs */
#define CFG_BUDGET (1u << 20)    /* node visits per load */
#define CFG_DEPTH_MAX 16         /* deeper than any table nests */
#define CFG_NOTED_MAX 256

/* Messages */

int
cfg_line(const yaml_node_t *node)
{
	return node == NULL ? 1 : (int)node->start_mark.line + 1;
}

static int err_vwrite(struct cfg_ctx *ctx, int line, int col, const char *path, const char *fmt,
		      va_list ap) __attribute__((format(printf, 5, 0)));

static int
err_vwrite(struct cfg_ctx *ctx, int line, int col, const char *path, const char *fmt, va_list ap)
{
	char local[2048];
	char *out = ctx->err != NULL ? ctx->err : local;
	size_t len = ctx->err != NULL ? ctx->err_len : sizeof(local);
	int n;

	if (ctx->failed)
		return -DER_INVAL;
	ctx->failed = true;
	if (len == 0)
		return -DER_INVAL;
	if (col > 0)
		n = snprintf(out, len, "%s:%d:%d: ", ctx->file, line, col);
	else if (path != NULL && path[0] != '\0')
		n = snprintf(out, len, "%s:%d: %s: ", ctx->file, line, path);
	else
		n = snprintf(out, len, "%s:%d: ", ctx->file, line);
	if (n >= 0 && (size_t)n < len)
		vsnprintf(out + n, len - (size_t)n, fmt, ap);
	if (ctx->err == NULL)
		D_ERROR("%s", out);
	return -DER_INVAL;
}

int
cfg_err(struct cfg_ctx *ctx, const yaml_node_t *node, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = err_vwrite(ctx, cfg_line(node), 0, ctx->path, fmt, ap);
	va_end(ap);
	return rc;
}

int
cfg_err_at(struct cfg_ctx *ctx, const yaml_node_t *node, const char *path, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = err_vwrite(ctx, cfg_line(node), 0, path, fmt, ap);
	va_end(ap);
	return rc;
}

static int err_col(struct cfg_ctx *ctx, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
err_col(struct cfg_ctx *ctx, int line, int col, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = err_vwrite(ctx, line, col, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

/* A message without a line: file-level failures. */
static void
err_plain(struct cfg_ctx *ctx, const char *what, const char *detail)
{
	if (ctx->failed)
		return;
	ctx->failed = true;
	if (ctx->err == NULL)
		D_ERROR("%s %s: %s", what, ctx->file, detail);
	else if (ctx->err_len > 0)
		snprintf(ctx->err, ctx->err_len, "%s %s: %s", what, ctx->file, detail);
}

int
cfg_nomem(struct cfg_ctx *ctx)
{
	err_plain(ctx, "cannot load", "out of memory");
	return -DER_NOMEM;
}

/* Key paths */

size_t
cfg_path_push_key(struct cfg_ctx *ctx, const char *name)
{
	size_t old = ctx->path_len;
	int n;

	n = snprintf(ctx->path + old, sizeof(ctx->path) - old, "%s%s", old > 0 ? "." : "", name);
	if (n > 0)
		ctx->path_len = D_MIN(old + (size_t)n, sizeof(ctx->path) - 1);
	return old;
}

size_t
cfg_path_push_index(struct cfg_ctx *ctx, unsigned int idx)
{
	size_t old = ctx->path_len;
	int n;

	n = snprintf(ctx->path + old, sizeof(ctx->path) - old, "[%u]", idx);
	if (n > 0)
		ctx->path_len = D_MIN(old + (size_t)n, sizeof(ctx->path) - 1);
	return old;
}

void
cfg_path_pop(struct cfg_ctx *ctx, size_t len)
{
	ctx->path_len = len;
	ctx->path[len] = '\0';
}

/* Nodes */

static bool
is_scalar(const yaml_node_t *node)
{
	return node != NULL && node->type == YAML_SCALAR_NODE;
}

static const char *
scalar(const yaml_node_t *node)
{
	return (const char *)node->data.scalar.value;
}

static bool
is_plain(const yaml_node_t *node)
{
	return node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ||
	       node->data.scalar.style == YAML_ANY_SCALAR_STYLE;
}

bool
cfg_is_null(const yaml_node_t *node)
{
	const char *s;

	if (node == NULL)
		return true;
	if (node->type != YAML_SCALAR_NODE || !is_plain(node))
		return false;
	s = scalar(node);
	return node->data.scalar.length == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	       strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* "a map", "a list" or the quoted value, cut and escaped for a one-line message. */
static const char *
node_desc(const yaml_node_t *node, char *buf, size_t len)
{
	const unsigned char *s;
	size_t n;
	size_t i;
	size_t o = 0;

	if (node == NULL)
		return "nothing";
	if (node->type == YAML_MAPPING_NODE)
		return "a map";
	if (node->type == YAML_SEQUENCE_NODE)
		return "a list";
	s = node->data.scalar.value;
	n = node->data.scalar.length;
	buf[o++] = '"';
	for (i = 0; i < n && o + 8 < len; i++) {
		if (i == 40) {
			o += (size_t)snprintf(buf + o, len - o, "...");
			break;
		}
		if (isprint(s[i]) && s[i] != '"' && s[i] != '\\')
			buf[o++] = (char)s[i];
		else
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", s[i]);
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

yaml_node_t *
cfg_map_get_key(struct cfg_ctx *ctx, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(ctx->doc, p->key);

		if (is_scalar(k) && strcmp(scalar(k), key) == 0)
			return k;
	}
	return NULL;
}

yaml_node_t *
cfg_map_get(struct cfg_ctx *ctx, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(ctx->doc, p->key);

		if (is_scalar(k) && strcmp(scalar(k), key) == 0)
			return yaml_document_get_node(ctx->doc, p->value);
	}
	return NULL;
}

yaml_node_t *
cfg_seq_get(struct cfg_ctx *ctx, yaml_node_t *seq, unsigned int idx)
{
	if (seq == NULL || seq->type != YAML_SEQUENCE_NODE)
		return NULL;
	if (idx >= (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start))
		return NULL;
	return yaml_document_get_node(ctx->doc, seq->data.sequence.items.start[idx]);
}

yaml_node_t *
cfg_item_or(struct cfg_ctx *ctx, yaml_node_t *seq, unsigned int idx, yaml_node_t *fallback)
{
	yaml_node_t *n = cfg_seq_get(ctx, seq, idx);

	if (n != NULL)
		return n;
	return seq != NULL ? seq : fallback;
}

int
cfg_visit(struct cfg_ctx *ctx, yaml_node_t *node)
{
	if (ctx->budget == 0)
		return cfg_err(ctx, node, "too many values (aliases expand to more than %u)",
			       CFG_BUDGET);
	ctx->budget--;
	return 0;
}

/* Scalars */

/* The string of a scalar @node, refused if it is a map or list or holds a NUL byte. */
static int
scalar_get(struct cfg_ctx *ctx, yaml_node_t *node, const char *what, const char **out)
{
	char desc[64];

	if (!is_scalar(node))
		return cfg_err(ctx, node, "expected %s, got %s", what,
			       node_desc(node, desc, sizeof(desc)));
	if (strlen(scalar(node)) != node->data.scalar.length)
		return cfg_err(ctx, node, "value contains a NUL character");
	*out = scalar(node);
	return 0;
}

/* YAML 1.1 integer, as Go's strconv.ParseInt(s without '_', 0, 64). */
static bool
int_parse(const char *s, int64_t *out)
{
	uint64_t limit = INT64_MAX;
	uint64_t v = 0;
	unsigned int base = 10;
	bool neg = false;
	int nr_digits = 0;

	if (*s == '+' || *s == '-') {
		neg = *s == '-';
		s++;
	}
	if (neg)
		limit = (uint64_t)INT64_MAX + 1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
		base = 8;
		s += 2;
	} else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
		base = 2;
		s += 2;
	} else if (s[0] == '0' && s[1] != '\0') {
		base = 8;
		s++;
	}
	for (; *s != '\0'; s++) {
		unsigned int d;

		if (*s == '_')
			continue;
		if (isdigit((unsigned char)*s))
			d = (unsigned int)(*s - '0');
		else if (isxdigit((unsigned char)*s))
			d = (unsigned int)(tolower((unsigned char)*s) - 'a' + 10);
		else
			return false;
		if (d >= base)
			return false;
		if (v > (limit - d) / base)
			return false;
		v = v * base + d;
		nr_digits++;
	}
	if (nr_digits == 0)
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

int
cfg_int_get(struct cfg_ctx *ctx, yaml_node_t *node, int64_t *out)
{
	char desc[64];
	const char *s;
	int64_t v;
	int rc;

	rc = scalar_get(ctx, node, "an integer", &s);
	if (rc != 0)
		return rc;
	if (!int_parse(s, &v))
		return cfg_err(ctx, node, "expected an integer, got %s",
			       node_desc(node, desc, sizeof(desc)));
	if (!is_plain(node))
		return cfg_err(ctx, node,
			       "expected an integer, got the string %s (remove the quotes)",
			       node_desc(node, desc, sizeof(desc)));
	*out = v;
	return 0;
}

static int
range_check(struct cfg_ctx *ctx, const struct cfg_key *k, yaml_node_t *node, int64_t v)
{
	if (v >= k->min && v <= k->max)
		return 0;
	if (k->max == INT64_MAX || (k->width == 4 && k->max == INT32_MAX))
		return cfg_err(ctx, node, "must be at least %lld, got %lld", (long long)k->min,
			       (long long)v);
	return cfg_err(ctx, node, "must be between %lld and %lld, got %lld", (long long)k->min,
		       (long long)k->max, (long long)v);
}

static void
int_store(void *field, unsigned int width, int64_t v)
{
	switch (width) {
	case 1:
		*(uint8_t *)field = (uint8_t)v;
		break;
	case 2:
		*(uint16_t *)field = (uint16_t)v;
		break;
	case 4:
		*(uint32_t *)field = (uint32_t)v;
		break;
	default:
		*(uint64_t *)field = (uint64_t)v;
		break;
	}
}

int
cfg_bool_get(struct cfg_ctx *ctx, yaml_node_t *node, bool *out)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "YES",
					   "on",   "On",   "ON",   "y",   "Y" };
	static const char *const no[] = { "false", "False", "FALSE", "no", "No", "NO",
					  "off",   "Off",   "OFF",   "n",  "N" };
	char desc[64];
	const char *s;
	size_t i;
	int rc;

	rc = scalar_get(ctx, node, "true or false", &s);
	if (rc != 0)
		return rc;
	for (i = 0; is_plain(node) && i < ARRAY_SIZE(yes); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return cfg_err(ctx, node, "expected true or false, got %s",
		       node_desc(node, desc, sizeof(desc)));
}

static int
enum_get(struct cfg_ctx *ctx, const struct cfg_key *k, yaml_node_t *node, int *out)
{
	char names[256];
	char desc[64];
	const struct cfg_enum *e;
	const char *s;
	size_t o = 0;
	int rc;

	rc = scalar_get(ctx, node, "a name", &s);
	if (rc != 0)
		return rc;
	for (e = k->enums; e->name != NULL; e++) {
		bool match = (k->flags & CK_NOCASE) ? strcasecmp(s, e->name) == 0
						    : strcmp(s, e->name) == 0;
		if (match) {
			*out = e->value;
			return 0;
		}
	}
	names[0] = '\0';
	for (e = k->enums; e->name != NULL && o < sizeof(names); e++)
		o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s",
				      e == k->enums ? "" : (e[1].name == NULL ? " or " : ", "),
				      e->name);
	return cfg_err(ctx, node, "unknown value %s (expected %s)",
		       node_desc(node, desc, sizeof(desc)), names);
}

/* Go's time.ParseDuration, without negative values. */
bool
cfg_duration_parse(const char *s, uint64_t *ns)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
		{ "ns", 1ULL },           { "us", 1000ULL },
		{ "\xc2\xb5s", 1000ULL }, /* U+00B5 micro sign */
		{ "\xce\xbcs", 1000ULL }, /* U+03BC Greek mu */
		{ "ms", 1000000ULL },     { "s", 1000000000ULL },
		{ "m", 60000000000ULL },  { "h", 3600000000000ULL },
	};
	unsigned __int128 total = 0;

	if (*s == '+')
		s++;
	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return true;
	}
	if (*s == '\0')
		return false;
	while (*s != '\0') {
		unsigned __int128 whole = 0;
		unsigned __int128 frac = 0;
		unsigned __int128 scale = 1;
		bool digits = false;
		size_t best = 0;
		size_t i;
		size_t u = ARRAY_SIZE(units);

		for (; isdigit((unsigned char)*s); s++) {
			whole = whole * 10 + (unsigned)(*s - '0');
			if (whole > UINT64_MAX)
				return false;
			digits = true;
		}
		if (*s == '.') {
			for (s++; isdigit((unsigned char)*s); s++) {
				if (scale < 1000000000000000000ULL) {
					frac = frac * 10 + (unsigned)(*s - '0');
					scale *= 10;
				}
				digits = true;
			}
		}
		if (!digits)
			return false;
		/* The longest unit name that matches ("ms" before "m"). */
		for (i = 0; i < ARRAY_SIZE(units); i++) {
			size_t n = strlen(units[i].name);

			if (strncmp(s, units[i].name, n) == 0 && n > best) {
				best = n;
				u = i;
			}
		}
		if (u == ARRAY_SIZE(units))
			return false;
		s += best;
		total += whole * units[u].ns + frac * units[u].ns / scale;
		if (total > UINT64_MAX)
			return false;
	}
	*ns = (uint64_t)total;
	return true;
}

/* Nearest known key, for "did you mean". */

static unsigned int
edit_distance(const char *a, const char *b)
{
	unsigned int d[3][64];
	size_t la = strlen(a);
	size_t lb = strlen(b);
	size_t i;
	size_t j;

	if (la >= 63 || lb >= 63)
		return UINT_MAX;
	/* Optimal string alignment: insertions, deletions, changes, adjacent swaps. */
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned int)j;
	for (i = 1; i <= la; i++) {
		unsigned int *cur = d[i % 3];
		unsigned int *prev = d[(i - 1) % 3];
		unsigned int *prev2 = d[(i + 1) % 3];

		cur[0] = (unsigned int)i;
		for (j = 1; j <= lb; j++) {
			unsigned int cost = tolower((unsigned char)a[i - 1]) !=
					    tolower((unsigned char)b[j - 1]);
			unsigned int v = D_MIN(prev[j] + 1, cur[j - 1] + 1);

			v = D_MIN(v, prev[j - 1] + cost);
			if (i > 1 && j > 1 &&
			    tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]))
				v = D_MIN(v, prev2[j - 2] + 1);
			cur[j] = v;
		}
	}
	return d[la % 3][lb];
}

static const char *
key_suggest(const struct cfg_map *map, const char *name)
{
	const char *best = NULL;
	unsigned int best_d = UINT_MAX;
	unsigned int i;

	for (i = 0; i < map->nr_keys; i++) {
		const struct cfg_key *k = &map->keys[i];
		unsigned int d;

		if (k->flags & CK_REMOVED)
			continue;
		d = edit_distance(name, k->name);
		if (d <= (strlen(k->name) < 5 ? 1u : 2u) && d < best_d) {
			best = k->name;
			best_d = d;
		}
	}
	return best;
}

/* Notes about keys we accept but do not act on, or that have a newer name */

static pthread_mutex_t note_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct cfg_key *noted[CFG_NOTED_MAX];
static unsigned int nr_noted;

void
cfg_note_once(struct cfg_ctx *ctx, const struct cfg_key *key, const yaml_node_t *node)
{
	bool first = true;
	unsigned int i;

	pthread_mutex_lock(&note_lock);
	for (i = 0; i < nr_noted; i++) {
		if (noted[i] == key) {
			first = false;
			break;
		}
	}
	if (first && nr_noted < CFG_NOTED_MAX)
		noted[nr_noted++] = key;
	pthread_mutex_unlock(&note_lock);
	if (!first)
		return;

	if (key->flags & CK_REMOVED)
		D_NOTE("%s:%d: %s: given empty, so ignored; note: %s", ctx->file, cfg_line(node),
		       ctx->path, key->note);
	else if (key->flags & CK_DEPRECATED)
		D_NOTE("%s:%d: %s: %s%s", ctx->file, cfg_line(node), ctx->path, key->note,
		       (key->flags & CK_UNSUPPORTED) ? "; not supported by this implementation"
						     : "");
	else
		D_NOTE("%s:%d: %s: accepted but not supported by this implementation; ignored",
		       ctx->file, cfg_line(node), ctx->path);
}

/* The walker */

static int
key_lookup(const struct cfg_map *map, const char *name)
{
	unsigned int i;

	for (i = 0; i < map->nr_keys; i++)
		if (strcmp(map->keys[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int
seq_check(struct cfg_ctx *ctx, yaml_node_t *node, unsigned int *nr)
{
	char desc[64];

	if (node->type != YAML_SEQUENCE_NODE)
		return cfg_err(ctx, node, "expected a list, got %s",
			       node_desc(node, desc, sizeof(desc)));
	*nr = (unsigned int)(node->data.sequence.items.top - node->data.sequence.items.start);
	return 0;
}

static int
strlist_parse(struct cfg_ctx *ctx, const struct cfg_key *k, yaml_node_t *node,
	      struct config_strlist *list)
{
	unsigned int nr = 0;
	unsigned int i;
	int rc;

	rc = seq_check(ctx, node, &nr);
	if (rc != 0)
		return rc;
	config_strlist_fini(list);
	if (nr == 0)
		return 0;
	list->str = d_calloc(nr, sizeof(*list->str));
	if (list->str == NULL)
		return cfg_nomem(ctx);
	for (i = 0; i < nr; i++) {
		yaml_node_t *item = cfg_seq_get(ctx, node, i);
		size_t len = cfg_path_push_index(ctx, i);
		const char *s;

		rc = cfg_visit(ctx, item);
		if (rc == 0)
			rc = scalar_get(ctx, item, "a string", &s);
		if (rc == 0 && k->check != NULL)
			rc = k->check(ctx, item, s);
		cfg_path_pop(ctx, len);
		if (rc != 0)
			return rc;
		list->str[i] = d_strdup(s);
		if (list->str[i] == NULL)
			return cfg_nomem(ctx);
		list->nr = i + 1;
	}
	return 0;
}

static int
intlist_parse(struct cfg_ctx *ctx, const struct cfg_key *k, yaml_node_t *node, void *obj)
{
	int **arr = CFG_FIELD(obj, k->off);
	unsigned int *count = CFG_FIELD(obj, k->nr_off);
	unsigned int nr = 0;
	unsigned int i;
	int rc;

	rc = seq_check(ctx, node, &nr);
	if (rc != 0)
		return rc;
	d_free(*arr);
	*arr = NULL;
	*count = 0;
	if (nr == 0)
		return 0;
	*arr = d_calloc(nr, sizeof(**arr));
	if (*arr == NULL)
		return cfg_nomem(ctx);
	*count = nr;
	for (i = 0; i < nr; i++) {
		yaml_node_t *item = cfg_seq_get(ctx, node, i);
		size_t len = cfg_path_push_index(ctx, i);
		int64_t v = 0;

		rc = cfg_visit(ctx, item);
		if (rc == 0)
			rc = cfg_int_get(ctx, item, &v);
		if (rc == 0)
			rc = range_check(ctx, k, item, v);
		cfg_path_pop(ctx, len);
		if (rc != 0)
			return rc;
		(*arr)[i] = (int)v;
	}
	return 0;
}

static int
flags_parse(struct cfg_ctx *ctx, const struct cfg_key *k, yaml_node_t *node, unsigned int *out)
{
	unsigned int flags = 0;
	unsigned int nr = 0;
	unsigned int i;
	int rc;

	rc = seq_check(ctx, node, &nr);
	if (rc != 0)
		return rc;
	for (i = 0; i < nr; i++) {
		yaml_node_t *item = cfg_seq_get(ctx, node, i);
		size_t len = cfg_path_push_index(ctx, i);
		int v = 0;

		rc = cfg_visit(ctx, item);
		if (rc == 0)
			rc = enum_get(ctx, k, item, &v);
		cfg_path_pop(ctx, len);
		if (rc != 0)
			return rc;
		flags |= (unsigned int)v;
	}
	*out = flags;
	return 0;
}

static int
array_parse(struct cfg_ctx *ctx, const struct cfg_key *k, yaml_node_t *node, void *obj)
{
	void **arr = CFG_FIELD(obj, k->off);
	unsigned int *count = CFG_FIELD(obj, k->nr_off);
	unsigned int nr = 0;
	unsigned int i;
	int rc;

	rc = seq_check(ctx, node, &nr);
	if (rc != 0)
		return rc;
	if (nr == 0)
		return 0;
	*arr = d_calloc(nr, k->sub->size);
	if (*arr == NULL)
		return cfg_nomem(ctx);
	/* Counted before it is filled, so that freeing a half-parsed list frees every item. */
	*count = nr;
	for (i = 0; i < nr; i++) {
		yaml_node_t *item = cfg_seq_get(ctx, node, i);
		size_t len = cfg_path_push_index(ctx, i);

		rc = cfg_map_parse(ctx, k->sub, item, item,
				   (char *)*arr + (size_t)i * k->sub->size);
		cfg_path_pop(ctx, len);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
value_parse(struct cfg_ctx *ctx, const struct cfg_key *k, yaml_node_t *node, void *obj)
{
	void *field = CFG_FIELD(obj, k->off);
	char desc[64];
	const char *s;
	int64_t v;
	int e;
	int rc;

	rc = cfg_visit(ctx, node);
	if (rc != 0)
		return rc;
	switch (k->type) {
	case CT_STR:
		rc = scalar_get(ctx, node, "a string", &s);
		if (rc == 0 && k->check != NULL)
			rc = k->check(ctx, node, s);
		if (rc != 0)
			return rc;
		d_free(*(char **)field);
		*(char **)field = d_strdup(s);
		return *(char **)field == NULL ? cfg_nomem(ctx) : 0;
	case CT_INT:
		rc = cfg_int_get(ctx, node, &v);
		if (rc == 0)
			rc = range_check(ctx, k, node, v);
		if (rc == 0)
			int_store(field, k->width, v);
		return rc;
	case CT_BOOL:
		rc = cfg_bool_get(ctx, node, field);
		if (rc == 0 && (k->flags & CK_INVERT))
			*(bool *)field = !*(bool *)field;
		return rc;
	case CT_ENUM:
		rc = enum_get(ctx, k, node, &e);
		if (rc == 0)
			*(int *)field = e;
		return rc;
	case CT_FLAGS:
		return flags_parse(ctx, k, node, field);
	case CT_STRLIST:
		return strlist_parse(ctx, k, node, field);
	case CT_INTLIST:
		return intlist_parse(ctx, k, node, obj);
	case CT_DURATION:
		rc = scalar_get(ctx, node, "a duration", &s);
		if (rc != 0)
			return rc;
		if (!cfg_duration_parse(s, field))
			return cfg_err(
				ctx, node,
				"expected a duration such as \"30s\", \"5m\" or \"1h30m\", got %s",
				node_desc(node, desc, sizeof(desc)));
		return 0;
	case CT_MAP:
		return cfg_map_parse(ctx, k->sub, node, node, field);
	case CT_LIST:
		return array_parse(ctx, k, node, obj);
	case CT_CUSTOM:
		return k->parse(ctx, node, field);
	}
	return cfg_err(ctx, node, "internal error: no parser for this key");
}

/* Defaults that need no allocation, set before values are read. */
static void
scalar_defaults(const struct cfg_map *map, void *obj)
{
	unsigned int i;

	for (i = 0; i < map->nr_keys; i++) {
		const struct cfg_key *k = &map->keys[i];
		void *field = CFG_FIELD(obj, k->off);

		if (k->flags & (CK_ALIAS | CK_REMOVED))
			continue;
		switch (k->type) {
		case CT_INT:
			int_store(field, k->width, k->def_int);
			break;
		case CT_BOOL:
			*(bool *)field = k->def_int != 0;
			break;
		case CT_ENUM:
			*(int *)field = (int)k->def_int;
			break;
		case CT_FLAGS:
			*(unsigned int *)field = (unsigned int)k->def_int;
			break;
		case CT_DURATION:
			*(uint64_t *)field = (uint64_t)k->def_int;
			break;
		default:
			break;
		}
	}
}

/* Defaults of absent strings, lists and maps. */
static int
late_default(struct cfg_ctx *ctx, const struct cfg_key *k, void *obj, yaml_node_t *where)
{
	void *field = CFG_FIELD(obj, k->off);
	struct config_strlist *list = field;
	unsigned int nr = 0;
	size_t len;
	int rc;

	if (k->flags & (CK_ALIAS | CK_REMOVED))
		return 0;
	switch (k->type) {
	case CT_STR:
		if (k->def_str == NULL || *(char **)field != NULL)
			return 0;
		*(char **)field = d_strdup(k->def_str);
		return *(char **)field == NULL ? cfg_nomem(ctx) : 0;
	case CT_STRLIST:
		if (k->def_list == NULL || list->nr > 0)
			return 0;
		while (k->def_list[nr] != NULL)
			nr++;
		list->str = d_calloc(nr, sizeof(*list->str));
		if (list->str == NULL)
			return cfg_nomem(ctx);
		for (; list->nr < nr; list->nr++) {
			list->str[list->nr] = d_strdup(k->def_list[list->nr]);
			if (list->str[list->nr] == NULL)
				return cfg_nomem(ctx);
		}
		return 0;
	case CT_MAP:
		len = cfg_path_push_key(ctx, k->name);
		rc = cfg_map_parse(ctx, k->sub, NULL, where, field);
		cfg_path_pop(ctx, len);
		return rc;
	default:
		return 0;
	}
}

static int
key_unknown(struct cfg_ctx *ctx, const struct cfg_map *map, yaml_node_t *kn)
{
	const char *hint = key_suggest(map, scalar(kn));
	size_t len = cfg_path_push_key(ctx, scalar(kn));
	int rc;

	if (hint != NULL)
		rc = cfg_err(ctx, kn, "unknown key (did you mean \"%s\"?)", hint);
	else
		rc = cfg_err(ctx, kn, "unknown key");
	cfg_path_pop(ctx, len);
	return rc;
}

/* Step 1: every key known, none removed, none twice. Fills @kn, @vn and @order. */
static int
keys_check(struct cfg_ctx *ctx, const struct cfg_map *map, yaml_node_t *node, yaml_node_t **kn,
	   yaml_node_t **vn, unsigned char *order, unsigned int *nr_order)
{
	yaml_node_pair_t *p;
	char desc[64];
	int rc = 0;

	for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(ctx->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(ctx->doc, p->value);
		const struct cfg_key *key;
		size_t len;
		int i;

		rc = cfg_visit(ctx, k);
		if (rc != 0)
			return rc;
		if (!is_scalar(k) || cfg_is_null(k))
			return cfg_err(ctx, k, "expected a key name, got %s",
				       node_desc(k, desc, sizeof(desc)));
		if (strlen(scalar(k)) != k->data.scalar.length)
			return cfg_err(ctx, k, "key contains a NUL character");
		if (strcmp(scalar(k), "<<") == 0)
			return cfg_err(ctx, k, "YAML merge keys (<<) are not supported");
		i = key_lookup(map, scalar(k));
		if (i < 0)
			return key_unknown(ctx, map, k);
		key = &map->keys[i];
		len = cfg_path_push_key(ctx, key->name);
		if (kn[i] != NULL)
			rc = cfg_err(ctx, k, "duplicate key (first given on line %d)",
				     cfg_line(kn[i]));
		else if ((key->flags & CK_REMOVED) && !cfg_is_null(v) &&
			 !(v->type == YAML_SEQUENCE_NODE &&
			   v->data.sequence.items.top == v->data.sequence.items.start))
			rc = cfg_err(ctx, k, "%s", key->note);
		else if (key->flags & CK_REMOVED)
			cfg_note_once(ctx, key, k); /* empty, as DAOS allows: ignored */
		cfg_path_pop(ctx, len);
		if (rc != 0)
			return rc;
		kn[i] = k;
		vn[i] = v;
		order[(*nr_order)++] = (unsigned char)i;
	}
	return 0;
}

/* Step 2: keys that may not be given together; the later of the two is reported. */
static int
excl_check(struct cfg_ctx *ctx, const struct cfg_map *map, yaml_node_t **kn, yaml_node_t **vn,
	   const unsigned char *order, unsigned int nr_order)
{
	unsigned int pos[CFG_MAX_KEYS];
	unsigned int o;

	for (o = 0; o < nr_order; o++)
		pos[order[o]] = o;
	for (o = 0; o < nr_order; o++) {
		unsigned int a = order[o];
		const struct cfg_key *k = &map->keys[a];
		unsigned int later;
		unsigned int other;
		size_t len;
		int rc;
		int b;

		if (k->excl == NULL || cfg_is_null(vn[a]))
			continue;
		b = key_lookup(map, k->excl);
		if (b < 0 || kn[b] == NULL || cfg_is_null(vn[b]))
			continue;
		later = pos[b] > o ? (unsigned int)b : a;
		other = later == a ? (unsigned int)b : a;
		len = cfg_path_push_key(ctx, map->keys[later].name);
		rc = cfg_err(ctx, kn[later], "cannot be given together with %s (line %d)",
			     map->keys[other].name, cfg_line(kn[other]));
		cfg_path_pop(ctx, len);
		return rc;
	}
	return 0;
}

int
cfg_map_parse(struct cfg_ctx *ctx, const struct cfg_map *map, yaml_node_t *node, yaml_node_t *where,
	      void *obj)
{
	yaml_node_t *kn[CFG_MAX_KEYS] = { NULL };
	yaml_node_t *vn[CFG_MAX_KEYS] = { NULL };
	unsigned char order[CFG_MAX_KEYS];
	unsigned int nr_order = 0;
	char desc[64];
	unsigned int o;
	unsigned int i;
	int rc;

	D_ASSERT(map->nr_keys <= CFG_MAX_KEYS);
	if (cfg_is_null(node))
		node = NULL;
	if (node != NULL && node->type != YAML_MAPPING_NODE)
		return cfg_err(ctx, node, "expected a map, got %s",
			       node_desc(node, desc, sizeof(desc)));
	if (ctx->depth >= CFG_DEPTH_MAX)
		return cfg_err(ctx, node, "maps nested too deeply");
	ctx->depth++;

	scalar_defaults(map, obj);
	if (node != NULL) {
		rc = keys_check(ctx, map, node, kn, vn, order, &nr_order);
		if (rc == 0)
			rc = excl_check(ctx, map, kn, vn, order, nr_order);
		for (o = 0; rc == 0 && o < nr_order; o++) {
			const struct cfg_key *k = &map->keys[order[o]];
			size_t len;

			if (cfg_is_null(vn[order[o]]) || (k->flags & CK_REMOVED))
				continue;
			len = cfg_path_push_key(ctx, k->name);
			if (k->flags & (CK_UNSUPPORTED | CK_DEPRECATED))
				cfg_note_once(ctx, k, kn[order[o]]);
			rc = value_parse(ctx, k, vn[order[o]], obj);
			if (rc == 0 && k->has_off != 0)
				*(bool *)CFG_FIELD(obj, k->has_off - 1) = true;
			cfg_path_pop(ctx, len);
		}
		if (rc != 0)
			goto out;
	}
	for (i = 0; i < map->nr_keys; i++) {
		if (kn[i] != NULL && !cfg_is_null(vn[i]))
			continue;
		rc = late_default(ctx, &map->keys[i], obj, node != NULL ? node : where);
		if (rc != 0)
			goto out;
	}
	rc = map->check != NULL ? map->check(ctx, node, node != NULL ? node : where, obj) : 0;
out:
	ctx->depth--;
	return rc;
}

void
cfg_map_fini(const struct cfg_map *map, void *obj)
{
	unsigned int i;

	for (i = 0; i < map->nr_keys; i++) {
		const struct cfg_key *k = &map->keys[i];
		void *field = CFG_FIELD(obj, k->off);
		unsigned int j;

		if (k->flags & (CK_ALIAS | CK_REMOVED))
			continue;
		switch (k->type) {
		case CT_STR:
			d_free(*(char **)field);
			*(char **)field = NULL;
			break;
		case CT_STRLIST:
			config_strlist_fini(field);
			break;
		case CT_INTLIST:
			d_free(*(int **)field);
			*(int **)field = NULL;
			*(unsigned int *)CFG_FIELD(obj, k->nr_off) = 0;
			break;
		case CT_MAP:
			cfg_map_fini(k->sub, field);
			break;
		case CT_LIST:
			for (j = 0; j < *(unsigned int *)CFG_FIELD(obj, k->nr_off); j++)
				cfg_map_fini(k->sub,
					     (char *)*(void **)field + (size_t)j * k->sub->size);
			d_free(*(void **)field);
			*(void **)field = NULL;
			*(unsigned int *)CFG_FIELD(obj, k->nr_off) = 0;
			break;
		case CT_CUSTOM:
			if (k->fini != NULL)
				k->fini(field);
			break;
		default:
			break;
		}
	}
}

/* Documents and files */

static int
parser_error(struct cfg_ctx *ctx, yaml_parser_t *parser, const char *buf, size_t len)
{
	int line = (int)parser->problem_mark.line + 1;
	int col = (int)parser->problem_mark.column + 1;
	const char *problem = parser->problem != NULL ? parser->problem : "malformed document";
	size_t i;

	if (parser->error == YAML_MEMORY_ERROR)
		return cfg_nomem(ctx);
	if (parser->error == YAML_READER_ERROR) {
		/* The reader reports a byte offset, not a mark. */
		line = 1;
		col = 1;
		for (i = 0; i < parser->problem_offset && i < len; i++) {
			if (buf[i] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		return err_col(ctx, line, col, "YAML syntax error: %s", problem);
	}
	if (parser->context != NULL)
		return err_col(ctx, line, col, "YAML syntax error: %s (%s at line %d)", problem,
			       parser->context, (int)parser->context_mark.line + 1);
	return err_col(ctx, line, col, "YAML syntax error: %s", problem);
}

int
cfg_doc_load(struct cfg_ctx *ctx, const void *buf, size_t len, yaml_document_t *doc)
{
	yaml_parser_t parser;
	yaml_document_t extra;
	yaml_node_t *root;
	int rc = 0;

	if (!yaml_parser_initialize(&parser))
		return cfg_nomem(ctx);
	yaml_parser_set_input_string(&parser, buf, len);
	if (!yaml_parser_load(&parser, doc)) {
		rc = parser_error(ctx, &parser, buf, len);
		goto out_parser;
	}
	root = yaml_document_get_root_node(doc);
	if (root == NULL)
		goto out_parser;
	/* A second document is a pasting accident more often than intent: refuse it. */
	if (!yaml_parser_load(&parser, &extra)) {
		rc = parser_error(ctx, &parser, buf, len);
		goto out_doc;
	}
	if (yaml_document_get_root_node(&extra) != NULL)
		rc = err_col(ctx, (int)extra.start_mark.line + 1, (int)extra.start_mark.column + 1,
			     "a second YAML document is not allowed in a config file");
	yaml_document_delete(&extra);
	if (rc == 0)
		goto out_parser;
out_doc:
	yaml_document_delete(doc);
out_parser:
	yaml_parser_delete(&parser);
	return rc;
}

int
cfg_file_read(struct cfg_ctx *ctx, const char *path, char **bufp, size_t *lenp)
{
	char errbuf[128];
	struct stat st;
	size_t done = 0;
	char *buf;
	int fd;
	int rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = errno == ENOENT ? -DER_NONEXIST : -DER_IO;
		err_plain(ctx, "cannot read", strerror_r(errno, errbuf, sizeof(errbuf)));
		return rc;
	}
	if (fstat(fd, &st) != 0) {
		err_plain(ctx, "cannot read", strerror_r(errno, errbuf, sizeof(errbuf)));
		rc = -DER_IO;
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		err_plain(ctx, "cannot read",
			  S_ISDIR(st.st_mode) ? "Is a directory" : "not a regular file");
		rc = -DER_IO;
		goto out_close;
	}
	if ((uint64_t)st.st_size > CFG_FILE_MAX) {
		err_plain(ctx, "cannot read", "file too large to be a config file");
		rc = -DER_INVAL;
		goto out_close;
	}
	buf = d_malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		rc = cfg_nomem(ctx);
		goto out_close;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_plain(ctx, "cannot read", strerror_r(errno, errbuf, sizeof(errbuf)));
			rc = -DER_IO;
			goto out_free;
		}
		if (n == 0)
			break; /* the file shrank: parse what is there */
		done += (size_t)n;
	}
	buf[done] = '\0';
	close(fd);
	*bufp = buf;
	*lenp = done;
	return 0;

out_free:
	d_free(buf);
out_close:
	close(fd);
	return rc;
}

void
cfg_ctx_init(struct cfg_ctx *ctx, const char *name, char *err, size_t err_len)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->file = name != NULL ? name : "(config)";
	ctx->err = err;
	ctx->err_len = err != NULL ? err_len : 0;
	ctx->budget = CFG_BUDGET;
	if (err != NULL && err_len > 0)
		err[0] = '\0';
}

int
cfg_parse_into(struct cfg_ctx *ctx, const struct cfg_map *map, const void *buf, size_t len,
	       void *obj)
{
	yaml_document_t doc;
	int rc;

	if (buf == NULL && len > 0)
		return cfg_err(ctx, NULL, "no input");
	rc = cfg_doc_load(ctx, buf != NULL ? buf : "", len, &doc);
	if (rc != 0)
		return rc;
	ctx->doc = &doc;
	rc = cfg_map_parse(ctx, map, yaml_document_get_root_node(&doc), NULL, obj);
	ctx->doc = NULL;
	yaml_document_delete(&doc);
	return rc;
}

/* Pieces shared by the three files */

void
config_strlist_fini(struct config_strlist *list)
{
	unsigned int i;

	if (list->str != NULL) {
		for (i = 0; i < list->nr; i++)
			d_free(list->str[i]);
		d_free(list->str);
	}
	list->str = NULL;
	list->nr = 0;
}

int
cfg_check_sysname(struct cfg_ctx *ctx, yaml_node_t *node, const char *value)
{
	if (value[0] == '\0')
		return cfg_err(ctx, node, "the system name may not be empty");
	if (strlen(value) > CONFIG_SYS_NAME_MAX)
		return cfg_err(ctx, node, "the system name may have at most %d characters, got %zu",
			       CONFIG_SYS_NAME_MAX, strlen(value));
	return 0;
}

int
cfg_check_nonempty(struct cfg_ctx *ctx, yaml_node_t *node, const char *value)
{
	if (value[0] == '\0')
		return cfg_err(ctx, node, "may not be empty");
	return 0;
}

int
cfg_check_env_var(struct cfg_ctx *ctx, yaml_node_t *node, const char *value)
{
	char desc[64];
	const char *eq = strchr(value, '=');
	const char *p;

	if (eq == NULL || eq == value)
		return cfg_err(ctx, node, "expected KEY=VALUE, got %s",
			       node_desc(node, desc, sizeof(desc)));
	for (p = value; p < eq; p++) {
		if (!(isalpha((unsigned char)*p) || *p == '_' ||
		      (p > value && isdigit((unsigned char)*p))))
			return cfg_err(ctx, node, "invalid variable name in %s",
				       node_desc(node, desc, sizeof(desc)));
	}
	return 0;
}

const struct cfg_enum cfg_log_levels[] = {
	{ "DISABLED", CONFIG_LOG_DISABLED },
	{ "TRACE", CONFIG_LOG_TRACE },
	{ "DEBUG", CONFIG_LOG_DEBUG },
	{ "INFO", CONFIG_LOG_INFO },
	{ "NOTICE", CONFIG_LOG_NOTICE },
	{ "ERROR", CONFIG_LOG_ERROR },
	{ NULL, 0 },
};

const char *
config_log_level_name(enum config_log_level level)
{
	const struct cfg_enum *e;

	for (e = cfg_log_levels; e->name != NULL; e++)
		if (e->value == (int)level)
			return e->name;
	return "UNKNOWN";
}

/* transport_config: the same keys in the three files, with per-file default certificates. */
#define CERTS "/etc/daos/certs/"
#define TRANSPORT_KEYS(def_dir, def_crt, def_key)                                                  \
	K_BOOL(struct config_transport, "allow_insecure", allow_insecure),                         \
		K_STR(struct config_transport, "client_cert_dir", client_cert_dir,                 \
		      .def_str = def_dir),                                                         \
		K_STR(struct config_transport, "ca_cert", ca_cert, .def_str = CERTS "daosCA.crt"), \
		K_STR(struct config_transport, "cert", cert, .def_str = CERTS def_crt),            \
		K_STR(struct config_transport, "key", key, .def_str = CERTS def_key)

static const struct cfg_key transport_server_keys[] = {
	TRANSPORT_KEYS(CERTS "clients", "server.crt", "server.key"),
};
static const struct cfg_key transport_agent_keys[] = {
	TRANSPORT_KEYS(NULL, "agent.crt", "agent.key"),
};
static const struct cfg_key transport_admin_keys[] = {
	TRANSPORT_KEYS(NULL, "admin.crt", "admin.key"),
};

const struct cfg_map cfg_transport_server_map =
	CFG_MAP(transport_server_keys, struct config_transport, NULL);
const struct cfg_map cfg_transport_agent_map =
	CFG_MAP(transport_agent_keys, struct config_transport, NULL);
const struct cfg_map cfg_transport_admin_map =
	CFG_MAP(transport_admin_keys, struct config_transport, NULL);

/* Entry points shared by the three kinds of file */

void
cfg_kind_free(const struct cfg_kind *kind, void *cfg)
{
	if (cfg == NULL)
		return;
	cfg_map_fini(kind->map, cfg);
	config_strlist_fini((struct config_strlist *)((char *)cfg + kind->hosts_off));
	d_free(*(char **)((char *)cfg + kind->path_off));
	d_free(cfg);
}

int
cfg_kind_parse(const struct cfg_kind *kind, const char *name, const void *buf, size_t len,
	       void **out, char *err, size_t err_len)
{
	struct cfg_ctx ctx;
	char **path;
	void *cfg;
	int rc;

	cfg_ctx_init(&ctx, name, err, err_len);
	cfg = d_calloc(1, kind->size);
	if (cfg == NULL)
		return cfg_nomem(&ctx);
	path = (char **)((char *)cfg + kind->path_off);
	*path = d_strdup(ctx.file);
	if (*path == NULL) {
		rc = cfg_nomem(&ctx);
		goto out_free;
	}
	rc = cfg_parse_into(&ctx, kind->map, buf, len, cfg);
	if (rc != 0)
		goto out_free;
	*out = cfg;
	return 0;

out_free:
	cfg_kind_free(kind, cfg);
	return rc;
}

int
cfg_kind_load(const struct cfg_kind *kind, const char *path, void **out, char *err, size_t err_len)
{
	struct cfg_ctx ctx;
	size_t len;
	char *buf;
	int rc;

	cfg_ctx_init(&ctx, path, err, err_len);
	rc = cfg_file_read(&ctx, path, &buf, &len);
	if (rc != 0)
		return rc;
	rc = cfg_kind_parse(kind, path, buf, len, out, err, err_len);
	d_free(buf);
	return rc;
}
