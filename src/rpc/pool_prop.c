/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool_prop.c - the pool property table (reference §5.1), the value rules every property
 * table uses (labels, choices, flags, numbers, sizes, percentages), the "k:v<sep>k:v" list
 * splitter, and the size parser and printers that dmg shares with them. Each key is one
 * row of POOL_PROP_TABLE; parsing, defaults, display and help all read that row, so adding
 * a key is one line plus, for a choice, its names. Numbers are DAOS's (daos_prop.h) so
 * that the values mean what they mean to DAOS tools. Nothing here allocates: values fit
 * in struct pool_prop_val. The container table (cont_prop.c) is built of the same rows.
 */
#define D_LOGFAC DD_FAC(rpc)

#include "rpc/pool_prop.h"

#include <ctype.h>
#include <daos_prop.h>
#include <errno.h>
#include <gurt/common.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const struct pool_prop_choice reclaim_choices[] = {
	{ "disabled", 0 },
	{ "lazy", 1 },
	{ "time", 4 },
	{ NULL, 0 },
};

/* Flag bits of self_heal (DAOS_SELF_HEAL_*). */
#define SELF_HEAL_EXCLUDE 0x1u
#define SELF_HEAL_REBUILD 0x2u
#define SELF_HEAL_DELAY_REBUILD 0x4u

static const struct pool_prop_choice self_heal_flags[] = {
	{ "exclude", SELF_HEAL_EXCLUDE },
	{ "rebuild", SELF_HEAL_REBUILD },
	{ "delay_rebuild", SELF_HEAL_DELAY_REBUILD },
	{ NULL, 0 },
};

static const struct pool_prop_choice upgrade_choices[] = {
	{ "not started", 0 }, { "in progress", 1 }, { "completed", 2 },
	{ "failed", 3 },      { NULL, 0 },
};

static const struct pool_prop_choice scrub_choices[] = {
	{ "off", 0 },
	{ "lazy", 1 },
	{ "timed", 2 },
	{ NULL, 0 },
};

static const struct pool_prop_choice perf_domain_choices[] = {
	{ "root", 255 },
	{ "group", 200 },
	{ NULL, 0 },
};

static const struct pool_prop_choice checkpoint_choices[] = {
	{ "disabled", 0 },
	{ "timed", 1 },
	{ "lazy", 2 },
	{ NULL, 0 },
};

static const struct pool_prop_choice reint_choices[] = {
	{ "data_sync", 0 },
	{ "no_data_sync", 1 },
	{ "incremental", 2 },
	{ NULL, 0 },
};

#define KIB 1024ull
#define MIB (1024ull * 1024)

/* key, description, legal values, kind, access, choices, min, max, clamp, has default,
 * default, default label */
#define POOL_PROP_TABLE(X)                                                                         \
	X("label", "Pool label", "1-127 characters of [A-Za-z0-9:._-], not a UUID", LABEL, RW,     \
	  NULL, 0, 0, false, true, 0, "pool_label_not_set")                                        \
	X("reclaim", "Reclaim strategy", "disabled, lazy, time", CHOICE, RW, reclaim_choices, 0,   \
	  0, false, true, 1, NULL)                                                                 \
	X("self_heal", "Self-healing policy",                                                      \
	  "none, exclude, rebuild, delay_rebuild, exclude;rebuild, exclude;delay_rebuild", FLAGS,  \
	  RW, self_heal_flags, 0, 0, false, true, SELF_HEAL_EXCLUDE | SELF_HEAL_REBUILD, NULL)     \
	X("space_rb", "Rebuild space ratio", "0-100%", PCT, RW, NULL, 0, 100, false, true, 5,      \
	  NULL)                                                                                    \
	X("ec_cell_sz", "EC cell size", "4KiB-1MiB, a multiple of 32", BYTES, RW, NULL, 4 * KIB,   \
	  MIB, false, true, 128 * KIB, NULL)                                                       \
	X("rd_fac", "Pool redundancy factor", "0-4", NUM, RW, NULL, 0, 4, false, true,             \
	  DAOS_PROP_PO_REDUN_FAC_DEFAULT, NULL)                                                    \
	X("ec_pda", "Performance domain affinity level of EC", "1-4294967295", NUM, RW, NULL, 1,   \
	  UINT32_MAX, false, true, 1, NULL)                                                        \
	X("rp_pda", "Performance domain affinity level of RP", "1-4294967295", NUM, RW, NULL, 1,   \
	  UINT32_MAX, false, true, UINT32_MAX, NULL)                                               \
	X("data_thresh", "Data bdev threshold size", "bytes", BYTES, RW, NULL, 0, UINT64_MAX,      \
	  false, true, 4 * KIB, NULL)                                                              \
	X("global_version", "Global Version", "read-only", NUM, RO, NULL, 0, UINT32_MAX, false,    \
	  false, 0, NULL)                                                                          \
	X("upgrade_status", "Upgrade Status", "read-only", CHOICE, RO, upgrade_choices, 0, 0,      \
	  false, true, 0, NULL)                                                                    \
	X("scrub", "Checksum scrubbing mode", "off, lazy, timed", CHOICE, RW, scrub_choices, 0, 0, \
	  false, true, 0, NULL)                                                                    \
	X("scrub_freq", "Checksum scrubbing frequency", "seconds", NUM, RW, NULL, 0, UINT64_MAX,   \
	  false, true, 604800, NULL)                                                               \
	X("scrub_thresh", "Checksum scrubbing threshold", "a count of errors", NUM, RW, NULL, 0,   \
	  UINT64_MAX, false, true, 0, NULL)                                                        \
	X("perf_domain", "Pool performance domain", "root, group", CHOICE, RW,                     \
	  perf_domain_choices, 0, 0, false, true, 255, NULL)                                       \
	X("svc_rf", "Pool service redundancy factor", "0-4", NUM, CREATE_ONLY, NULL, 0, 4, false,  \
	  true, 2, NULL)                                                                           \
	X("svc_list", "Pool service replica list", "read-only", RANKS, RO, NULL, 0, 0, false,      \
	  false, 0, NULL)                                                                          \
	X("checkpoint", "WAL checkpointing behavior", "disabled, timed, lazy", CHOICE, RW,         \
	  checkpoint_choices, 0, 0, false, true, 1, NULL)                                          \
	X("checkpoint_freq", "WAL checkpointing frequency, in seconds", "1-1048576", NUM, RW,      \
	  NULL, 1, 1048576, true, true, 5, NULL)                                                   \
	X("checkpoint_thresh", "WAL checkpoint threshold, in percentage", "10-75", NUM, RW, NULL,  \
	  10, 75, true, true, 50, NULL)                                                            \
	X("reintegration", "Reintegration mode", "data_sync, no_data_sync, incremental", CHOICE,   \
	  RW, reint_choices, 0, 0, false, true, 0, NULL)                                           \
	X("svc_ops_enabled", "Metadata duplicate operations detection enabled", "0-1", NUM, RW,    \
	  NULL, 0, 1, false, true, 1, NULL)                                                        \
	X("svc_ops_entry_age", "Metadata duplicate operations KVS max entry age, in seconds",      \
	  "60-600", NUM, RW, NULL, 60, 600, false, true, 300, NULL)

#define POOL_PROP_ROW(k, d, l, kd, acc, ch, mn, mx, cl, hd, df, dfs) \
	{ .key = k,                                                  \
	  .desc = d,                                                 \
	  .legal = l,                                                \
	  .kind = POOL_PROP_KIND_##kd,                               \
	  .access = POOL_PROP_##acc,                                 \
	  .choices = ch,                                             \
	  .min = mn,                                                 \
	  .max = mx,                                                 \
	  .clamp = cl,                                               \
	  .has_default = hd,                                         \
	  .dflt = df,                                                \
	  .dflt_s = dfs },

static const struct pool_prop_def pool_props[] = { POOL_PROP_TABLE(POOL_PROP_ROW) };

unsigned int
pool_prop_count(void)
{
	return ARRAY_SIZE(pool_props);
}

const struct pool_prop_def *
pool_prop_at(unsigned int i)
{
	if (i >= ARRAY_SIZE(pool_props))
		return NULL;
	return &pool_props[i];
}

const struct pool_prop_def *
pool_prop_lookup(const char *key)
{
	unsigned int i;

	if (key == NULL)
		return NULL;
	if (strcmp(key, "rf") == 0) /* deprecated alias */
		key = "rd_fac";
	for (i = 0; i < ARRAY_SIZE(pool_props); i++)
		if (strcmp(pool_props[i].key, key) == 0)
			return &pool_props[i];
	return NULL;
}

void
pool_prop_errf(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || err_len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
}

static bool
is_uuid(const char *s)
{
	static const int dash_at[] = { 8, 13, 18, 23 };
	unsigned int i, d = 0;

	if (strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (d < ARRAY_SIZE(dash_at) && (int)i == dash_at[d]) {
			if (s[i] != '-')
				return false;
			d++;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

bool
pool_prop_label_is_valid(const char *label, char *err, size_t err_len)
{
	size_t i, len;

	if (label == NULL || label[0] == '\0') {
		pool_prop_errf(err, err_len, "invalid label \"\": a label may not be empty");
		return false;
	}
	len = strlen(label);
	if (len > POOL_PROP_LABEL_MAX) {
		pool_prop_errf(err, err_len, "invalid label: %zu characters, the most is %d", len,
			       POOL_PROP_LABEL_MAX);
		return false;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)label[i];

		if (!isalnum(c) && c != ':' && c != '.' && c != '-' && c != '_') {
			pool_prop_errf(
				err, err_len,
				"invalid label \"%s\": character '%c' is not one of [A-Za-z0-9:._-]",
				label, isprint(c) ? c : '?');
			return false;
		}
	}
	if (is_uuid(label)) {
		pool_prop_errf(err, err_len, "invalid label \"%s\": a label may not be a UUID",
			       label);
		return false;
	}
	return true;
}

/* Suffixes of pool_prop_size_parse(), lower case, and their multipliers. */
static const struct {
	const char *sfx;
	uint64_t mult;
} size_suffixes[] = {
	{ "", 1 },
	{ "b", 1 },
	{ "k", 1000ull },
	{ "kb", 1000ull },
	{ "ki", 1ull << 10 },
	{ "kib", 1ull << 10 },
	{ "m", 1000000ull },
	{ "mb", 1000000ull },
	{ "mi", 1ull << 20 },
	{ "mib", 1ull << 20 },
	{ "g", 1000000000ull },
	{ "gb", 1000000000ull },
	{ "gi", 1ull << 30 },
	{ "gib", 1ull << 30 },
	{ "t", 1000000000000ull },
	{ "tb", 1000000000000ull },
	{ "ti", 1ull << 40 },
	{ "tib", 1ull << 40 },
	{ "p", 1000000000000000ull },
	{ "pb", 1000000000000000ull },
	{ "pi", 1ull << 50 },
	{ "pib", 1ull << 50 },
	{ "e", 1000000000000000000ull },
	{ "eb", 1000000000000000000ull },
	{ "ei", 1ull << 60 },
	{ "eib", 1ull << 60 },
};

int
pool_prop_size_parse(const char *str, uint64_t *out)
{
	char num[64], sfx[8];
	size_t nn = 0, ns = 0;
	const char *p;
	uint64_t whole = 0, mult = 0;
	double frac = 0, scale = 0.1;
	bool digits = false, dot = false;
	unsigned int i;

	if (str == NULL)
		return -DER_INVAL;
	p = str;
	while (*p == ' ' || *p == '\t')
		p++;
	for (; isdigit((unsigned char)*p) || *p == '.'; p++) {
		if (nn + 1 >= sizeof(num))
			return -DER_INVAL;
		num[nn++] = *p;
	}
	num[nn] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	for (; isalpha((unsigned char)*p); p++) {
		if (ns + 1 >= sizeof(sfx))
			return -DER_INVAL;
		sfx[ns++] = (char)tolower((unsigned char)*p);
	}
	sfx[ns] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0' || nn == 0)
		return -DER_INVAL;

	for (i = 0; i < ARRAY_SIZE(size_suffixes); i++)
		if (strcmp(size_suffixes[i].sfx, sfx) == 0)
			mult = size_suffixes[i].mult;
	if (mult == 0)
		return -DER_INVAL;

	for (i = 0; i < nn; i++) {
		if (num[i] == '.') {
			if (dot)
				return -DER_INVAL;
			dot = true;
			continue;
		}
		digits = true;
		if (!dot) {
			if (whole > (UINT64_MAX - 9) / 10)
				return -DER_INVAL;
			whole = whole * 10 + (uint64_t)(num[i] - '0');
		} else {
			frac += (num[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (!digits)
		return -DER_INVAL;
	if (whole != 0 && mult > UINT64_MAX / whole)
		return -DER_INVAL;
	whole *= mult;
	if (frac > 0) {
		double extra = frac * (double)mult;

		if (extra >= (double)(UINT64_MAX - whole))
			return -DER_INVAL;
		whole += (uint64_t)extra;
	}
	*out = whole;
	return 0;
}

/* go-humanize's rule: below 10 bytes "N B"; else one decimal below 10 units, none above. */
static void
bytes_str(uint64_t bytes, unsigned int base, const char *const *units, char *buf, size_t len)
{
	double val;
	uint64_t div = 1;
	unsigned int e = 0;

	if (bytes < 10) {
		snprintf(buf, len, "%" PRIu64 " B", bytes);
		return;
	}
	while (e < 6 && bytes / div >= base) {
		div *= base;
		e++;
	}
	val = floor((double)bytes / (double)div * 10 + 0.5) / 10;
	if (val < 10)
		snprintf(buf, len, "%.1f %s", val, units[e]);
	else
		snprintf(buf, len, "%.0f %s", val, units[e]);
}

void
pool_prop_bytes_str(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };

	bytes_str(bytes, 1000, units, buf, len);
}

void
pool_prop_ibytes_str(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

	bytes_str(bytes, 1024, units, buf, len);
}

int
pool_prop_num_parse(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0')
		return -DER_INVAL;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s) || v > (UINT64_MAX - 9) / 10)
			return -DER_INVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static int
choice_parse(const struct pool_prop_choice *ch, const char *name, uint64_t *out)
{
	for (; ch->name != NULL; ch++) {
		if (strcasecmp(ch->name, name) == 0) {
			*out = ch->value;
			return 0;
		}
	}
	return -DER_INVAL;
}

static const char *
choice_name(const struct pool_prop_choice *ch, uint64_t value)
{
	for (; ch->name != NULL; ch++)
		if (ch->value == value)
			return ch->name;
	return NULL;
}

/* self_heal: "none" or names joined by ';' (',' is the pair separator on the command line);
 * rebuild and delay_rebuild exclude each other. */
static int
flags_parse(const struct pool_prop_choice *ch, const char *value, uint64_t *out)
{
	char word[32];
	const char *p = value;
	uint64_t bits = 0, bit;

	if (strcasecmp(value, "none") == 0) {
		*out = 0;
		return 0;
	}
	while (1) {
		size_t n = strcspn(p, ";");

		if (n == 0 || n >= sizeof(word))
			return -DER_INVAL;
		memcpy(word, p, n);
		word[n] = '\0';
		if (choice_parse(ch, word, &bit) != 0 || (bits & bit) != 0)
			return -DER_INVAL;
		bits |= bit;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	if ((bits & SELF_HEAL_REBUILD) && (bits & SELF_HEAL_DELAY_REBUILD))
		return -DER_INVAL;
	*out = bits;
	return 0;
}

static int
flags_str(const struct pool_prop_choice *ch, uint64_t bits, char *buf, size_t len)
{
	size_t used = 0;
	int n;

	if (bits == 0)
		return snprintf(buf, len, "none") < (int)len ? 0 : -DER_TRUNC;
	buf[0] = '\0';
	for (; ch->name != NULL; ch++) {
		if ((bits & ch->value) == 0)
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? ";" : "", ch->name);
		if (n < 0 || (size_t)n >= len - used)
			return -DER_TRUNC;
		used += (size_t)n;
		bits &= ~ch->value;
	}
	if (bits != 0) { /* bits we have no name for: show them rather than hide them */
		n = snprintf(buf + used, len - used, "%s0x%" PRIx64, used ? ";" : "", bits);
		if (n < 0 || (size_t)n >= len - used)
			return -DER_TRUNC;
	}
	return 0;
}

int
pool_prop_def_parse(const struct pool_prop_def *def, const char *value, struct pool_prop_val *out,
		    char *err, size_t err_len)
{
	char tmp[POOL_PROP_STR_MAX];
	uint64_t v = 0;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	out->def = def;
	switch (def->kind) {
	case POOL_PROP_KIND_LABEL:
		if (!pool_prop_label_is_valid(value, err, err_len))
			return -DER_INVAL;
		snprintf(out->str, sizeof(out->str), "%s", value);
		return 0;
	case POOL_PROP_KIND_CHOICE:
		rc = choice_parse(def->choices, value, &out->num);
		break;
	case POOL_PROP_KIND_FLAGS:
		rc = flags_parse(def->choices, value, &out->num);
		break;
	case POOL_PROP_KIND_NUM:
		rc = pool_prop_num_parse(value, &v);
		if (rc == 0 && (v < def->min || v > def->max)) {
			if (def->clamp)
				v = v < def->min ? def->min : def->max;
			else
				rc = -DER_INVAL;
		}
		out->num = v;
		break;
	case POOL_PROP_KIND_BYTES:
		rc = pool_prop_size_parse(value, &v);
		if (rc == 0 && (v < def->min || v > def->max))
			rc = -DER_INVAL;
		/* EC cells are split into 32-byte symbols (DAOS's rule). */
		if (rc == 0 && strcmp(def->key, "ec_cell_sz") == 0 && v % 32 != 0)
			rc = -DER_INVAL;
		out->num = v;
		break;
	case POOL_PROP_KIND_PCT:
		len = strlen(value);
		if (len == 0 || len >= sizeof(tmp)) {
			rc = -DER_INVAL;
			break;
		}
		memcpy(tmp, value, len + 1);
		if (tmp[len - 1] == '%')
			tmp[len - 1] = '\0';
		rc = pool_prop_num_parse(tmp, &v);
		if (rc == 0 && v > def->max)
			rc = -DER_INVAL;
		out->num = v;
		break;
	case POOL_PROP_KIND_RANKS:
	default:
		rc = -DER_INVAL;
		break;
	}
	if (rc != 0)
		pool_prop_errf(err, err_len, "invalid value \"%s\" for property %s: expected %s",
			       value, def->key, def->legal);
	return rc;
}

int
pool_prop_parse(const char *key, const char *value, bool create, struct pool_prop_val *out,
		char *err, size_t err_len)
{
	const struct pool_prop_def *def = pool_prop_lookup(key);
	struct pool_prop_val val;
	int rc;

	if (def == NULL) {
		pool_prop_errf(err, err_len, "unknown pool property \"%s\"", key ? key : "");
		return -DER_NONEXIST;
	}
	if (value == NULL)
		value = "";
	if (def->access == POOL_PROP_RO) {
		pool_prop_errf(err, err_len, "property %s is read-only", def->key);
		return -DER_INVAL;
	}
	if (def->access == POOL_PROP_CREATE_ONLY && !create) {
		pool_prop_errf(err, err_len, "property %s can only be set at pool create",
			       def->key);
		return -DER_INVAL;
	}
	rc = pool_prop_def_parse(def, value, &val, err, err_len);
	if (rc != 0)
		return rc;
	*out = val;
	return 0;
}

int
pool_prop_default(const struct pool_prop_def *def, struct pool_prop_val *out)
{
	if (def == NULL || !def->has_default)
		return -DER_NONEXIST;
	memset(out, 0, sizeof(*out));
	out->def = def;
	out->num = def->dflt;
	if (def->dflt_s != NULL)
		snprintf(out->str, sizeof(out->str), "%s", def->dflt_s);
	return 0;
}

static int
fit(int n, size_t len)
{
	return (n >= 0 && (size_t)n < len) ? 0 : -DER_TRUNC;
}

int
pool_prop_val_to_str(const struct pool_prop_val *val, char *buf, size_t len)
{
	const char *name;

	switch (val->def->kind) {
	case POOL_PROP_KIND_LABEL:
	case POOL_PROP_KIND_RANKS:
		return fit(snprintf(buf, len, "%s", val->str), len);
	case POOL_PROP_KIND_CHOICE:
		name = choice_name(val->def->choices, val->num);
		if (name != NULL)
			return fit(snprintf(buf, len, "%s", name), len);
		return fit(snprintf(buf, len, "%" PRIu64, val->num), len);
	case POOL_PROP_KIND_FLAGS:
		return flags_str(val->def->choices, val->num, buf, len);
	default:
		return fit(snprintf(buf, len, "%" PRIu64, val->num), len);
	}
}

int
pool_prop_val_display(const struct pool_prop_val *val, char *buf, size_t len)
{
	switch (val->def->kind) {
	case POOL_PROP_KIND_BYTES:
		pool_prop_ibytes_str(val->num, buf, len);
		return 0;
	case POOL_PROP_KIND_PCT:
		return fit(snprintf(buf, len, "%" PRIu64 "%%", val->num), len);
	default:
		return pool_prop_val_to_str(val, buf, len);
	}
}

int
pool_prop_value_display(const char *key, const char *value, char *buf, size_t len)
{
	const struct pool_prop_def *def = pool_prop_lookup(key);
	struct pool_prop_val val;
	int rc;

	if (def == NULL)
		return -DER_NONEXIST;
	if (def->kind == POOL_PROP_KIND_RANKS || def->kind == POOL_PROP_KIND_LABEL)
		return fit(snprintf(buf, len, "%s", value), len);
	rc = pool_prop_def_parse(def, value, &val, NULL, 0);
	if (rc != 0)
		return rc;
	return pool_prop_val_display(&val, buf, len);
}

int
pool_prop_pairs_walk(const char *str, size_t len, char sep,
		     int (*cb)(const char *key, const char *value, void *arg), void *arg, char *err,
		     size_t err_len)
{
	char pair[POOL_PROP_STR_MAX];
	const char *p = str;
	const char *end;
	char *colon;
	int rc;

	len = str != NULL ? strnlen(str, len) : 0;
	if (len == 0) {
		pool_prop_errf(err, err_len, "empty property list: expected key:value[%ckey:value]",
			       sep);
		return -DER_INVAL;
	}
	/* Pairs are copied out one at a time: @str need not end with a NUL within @len. */
	end = str + len;
	while (1) {
		const char *next = memchr(p, sep, (size_t)(end - p));
		size_t n = (size_t)((next != NULL ? next : end) - p);

		if (n >= sizeof(pair)) {
			pool_prop_errf(err, err_len, "property \"%.32s...\" is too long", p);
			return -DER_INVAL;
		}
		memcpy(pair, p, n);
		pair[n] = '\0';
		colon = strchr(pair, ':');
		if (colon == NULL || colon == pair) {
			pool_prop_errf(err, err_len, "invalid property \"%s\": expected key:value",
				       pair);
			return -DER_INVAL;
		}
		*colon = '\0';
		rc = cb(pair, colon + 1, arg);
		if (rc != 0)
			return rc;
		if (next == NULL)
			break;
		p = next + 1;
	}
	return 0;
}

int
pool_prop_list_walk(const char *str, int (*cb)(const char *key, const char *value, void *arg),
		    void *arg, char *err, size_t err_len)
{
	return pool_prop_pairs_walk(str, str != NULL ? strlen(str) : 0, ',', cb, arg, err, err_len);
}
