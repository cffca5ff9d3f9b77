/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rpc/pool_prop.h - the pool property table: every key of `dmg pool create -P`,
 * `dmg pool get-prop` and `dmg pool set-prop`, with its description, legal values, default,
 * parser and display. dmg validates what the user types before sending it; daos_server
 * links the same table (prop_dep) to validate what arrives on the wire, so the two can
 * never disagree. The value rules (labels, choices, numbers, sizes) and the list syntax
 * also serve the container property table (rpc/cont_prop.h), and through it libdaos's
 * daos_prop_from_str(): one parser for every property string.
 *
 * Values travel as text (mgmt.proto PoolProperty): the "wire" form is what
 * pool_prop_val_to_str() writes (choice names, decimal numbers, "exclude;rebuild",
 * ranks "[0-4]"); the display form is what `dmg pool get-prop` prints ("128 KiB", "5%").
 * Both forms parse back to the same value.
 *
 * Keys and values come from users and from the network: every function here takes
 * untrusted strings and answers with an error code and a one-line message naming the key
 * and the value, never an assertion. No allocation, no global state: thread-safe.
 */
#ifndef RPC_POOL_PROP_H
#define RPC_POOL_PROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest label (DAOS_PROP_LABEL_MAX_LEN) and longest value text we keep. */
#define POOL_PROP_LABEL_MAX 127
#define POOL_PROP_STR_MAX 256

enum pool_prop_kind {
	POOL_PROP_KIND_LABEL,  /* label rules of reference §5.4 */
	POOL_PROP_KIND_CHOICE, /* one of a fixed set of names */
	POOL_PROP_KIND_FLAGS,  /* ';'-separated names (self_heal) */
	POOL_PROP_KIND_NUM,    /* unsigned decimal within [min, max] */
	POOL_PROP_KIND_BYTES,  /* bytes with optional suffix, within [min, max] */
	POOL_PROP_KIND_PCT,    /* 0-100, optional '%' */
	POOL_PROP_KIND_RANKS,  /* a rank set (svc_list), read-only */
};

/* Who may set a property. */
enum pool_prop_access {
	POOL_PROP_RW,          /* at create and with set-prop */
	POOL_PROP_CREATE_ONLY, /* only at create (svc_rf) */
	POOL_PROP_RO,          /* never through the property flag (svc_list, upgrade_status) */
};

/* A name of a choice or flag and its DAOS number. */
struct pool_prop_choice {
	const char *name;
	uint64_t value;
};

/* One entry of the table. */
struct pool_prop_def {
	const char *key;                        /* "rd_fac" */
	const char *desc;                       /* "Pool redundancy factor" */
	const char *legal;                      /* legal values, for help and errors */
	enum pool_prop_kind kind;               /* how the value parses */
	enum pool_prop_access access;           /* who may set it */
	const struct pool_prop_choice *choices; /* CHOICE, FLAGS: NULL-name terminated */
	uint64_t min;                           /* NUM, BYTES: bounds (inclusive) */
	uint64_t max;
	bool clamp;         /* NUM: out-of-range values are clamped, not refused */
	bool has_default;   /* whether dflt means anything */
	uint64_t dflt;      /* default number, choice value or flag bits */
	const char *dflt_s; /* LABEL default */
};

/* A parsed value. */
struct pool_prop_val {
	const struct pool_prop_def *def; /* the key */
	uint64_t num;                    /* number, bytes, percent, choice value or flag bits */
	char str[POOL_PROP_STR_MAX];     /* LABEL: the label; RANKS: the set as "[0-4]" */
};

/* Number of keys in the table, and the @i-th (0 <= i < count), in display order. */
unsigned int pool_prop_count(void);
const struct pool_prop_def *pool_prop_at(unsigned int i);

/* The entry for @key (or its deprecated alias, "rf" -> rd_fac); NULL if none. */
const struct pool_prop_def *pool_prop_lookup(const char *key);

/*
 * Parse @value (wire or display form) for @key into @out. @create says whether this is for
 * pool create (create-only keys allowed) or set-prop. Returns 0; -DER_NONEXIST for an
 * unknown key; -DER_INVAL for a bad value, or a key that may not be set now. On error
 * @err (may be NULL) gets one line such as
 *	invalid value "7" for property rd_fac: expected 0-4
 * @out is written only on success.
 */
int pool_prop_parse(const char *key, const char *value, bool create, struct pool_prop_val *out,
		    char *err, size_t err_len);

/*
 * Parse @value by the rules of @def alone (its kind, choices and bounds; not its access),
 * for tables built of the same rows: daos's container property table reuses them. @out is
 * overwritten, and meaningful only on success. 0 or -DER_INVAL with the message of
 * pool_prop_parse() in @err.
 */
int pool_prop_def_parse(const struct pool_prop_def *def, const char *value,
			struct pool_prop_val *out, char *err, size_t err_len);

/* The default of @def in @out; -DER_NONEXIST if it has none (svc_list, label). */
int pool_prop_default(const struct pool_prop_def *def, struct pool_prop_val *out);

/* Write the wire form of @val into @buf. Returns 0 or -DER_TRUNC. */
int pool_prop_val_to_str(const struct pool_prop_val *val, char *buf, size_t len);

/* Write the display form of @val ("128 KiB", "5%", "exclude;rebuild"). 0 or -DER_TRUNC. */
int pool_prop_val_display(const struct pool_prop_val *val, char *buf, size_t len);

/*
 * The display form of a value in wire (or display) form, for get-prop: parses @value for
 * @key whatever its access and writes the display text. Returns -DER_NONEXIST for an unknown
 * key, -DER_INVAL if @value does not parse (callers then show it as it is).
 */
int pool_prop_value_display(const char *key, const char *value, char *buf, size_t len);

/*
 * Split the first @len bytes of @str (untrusted; a NUL before @len ends them) into pairs
 * separated by @sep, each "key:value" (the value ends at the next @sep and may contain
 * ':'), and call @cb for each pair, stopping at the first non-zero return, which is
 * returned. No bytes, an empty pair (so also a trailing @sep), an empty key or a pair
 * without ':' is -DER_INVAL with a message in @err naming the pair; so is a pair of
 * POOL_PROP_STR_MAX bytes or more. @str is not modified and is read only within @len.
 */
int pool_prop_pairs_walk(const char *str, size_t len, char sep,
			 int (*cb)(const char *key, const char *value, void *arg), void *arg,
			 char *err, size_t err_len);

/*
 * pool_prop_pairs_walk() over the NUL-terminated @str with ',' between pairs: the syntax
 * of -P/--properties and set-prop ("k:v,k:v"). A NULL @str is -DER_INVAL.
 */
int pool_prop_list_walk(const char *str, int (*cb)(const char *key, const char *value, void *arg),
			void *arg, char *err, size_t err_len);

/*
 * Whether @label obeys the label rules: 1-127 characters of [A-Za-z0-9:._-] and not
 * a UUID. @err gets the reason when it does not.
 */
bool pool_prop_label_is_valid(const char *label, char *err, size_t err_len);

/*
 * Sizes as dmg parses and prints them. pool_prop_size_parse() reads "10G", "1.5 TB",
 * "512MiB", "4096" (bytes; suffixes k/K, M, G, T, P, E with optional B are base 10, with
 * "iB" base 2; case-insensitive) into *out. Returns 0 or -DER_INVAL (also on overflow).
 * pool_prop_bytes_str() prints base 10 as DAOS does ("1.0 TB", "7.5 GB", "60 GB",
 * "512 B"), pool_prop_ibytes_str() base 2 ("128 KiB", "4.0 KiB").
 */
int pool_prop_size_parse(const char *str, uint64_t *out);
/* An unsigned decimal, digits only, into *out. 0 or -DER_INVAL (also on overflow). */
int pool_prop_num_parse(const char *str, uint64_t *out);
void pool_prop_bytes_str(uint64_t bytes, char *buf, size_t len);
void pool_prop_ibytes_str(uint64_t bytes, char *buf, size_t len);
/* Format an error message into @err (@err_len bytes; nothing when NULL or 0). */
void pool_prop_errf(char *err, size_t err_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* RPC_POOL_PROP_H */
