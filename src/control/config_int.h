/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_int.h - private to the config loaders: key descriptors, the walker's context and
 * its helpers (config_yaml.c), host lists (config_hostlist.c).
 *
 * A file is described by tables of keys (struct cfg_key), one table per YAML map, each
 * naming a key once with its type, where it is stored, its default, whether this
 * implementation acts on it, and what it conflicts with. The walker (cfg_map_parse) checks a
 * YAML map against its table and fills a struct; the same tables drive freeing
 * (cfg_map_fini). Rules that span keys live in each map's check function.
 */
#ifndef CONTROL_CONFIG_INT_H
#define CONTROL_CONFIG_INT_H

#include <gurt/common.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "control/config.h"

/* Most keys one map may describe (a map's seen-set is a fixed array). */
#define CFG_MAX_KEYS 64

enum cfg_type {
	CT_STR,      /* char * */
	CT_INT,      /* integer of .width bytes, in [.min, .max] */
	CT_BOOL,     /* bool */
	CT_ENUM,     /* int, from .enums */
	CT_FLAGS,    /* unsigned int: a list of .enums names OR'ed together */
	CT_STRLIST,  /* struct config_strlist */
	CT_INTLIST,  /* int * at .off, unsigned int count at .nr_off */
	CT_DURATION, /* uint64_t nanoseconds, from Go syntax: "30s", "1m30s", "1.5h" */
	CT_MAP,      /* a nested struct at .off, described by .sub */
	CT_LIST,     /* array of .sub structs: pointer at .off, unsigned int count at .nr_off */
	CT_CUSTOM,   /* .parse fills the field; .fini frees it */
};

/* Key flags. */
#define CK_UNSUPPORTED 0x01 /* valid DAOS key this implementation does not act on */
#define CK_DEPRECATED 0x02  /* older name or meaning; .note says what to use */
#define CK_REMOVED 0x04     /* no longer valid: an error whose text is .note */
#define CK_ALIAS 0x08       /* shares its field with another key: not freed through it */
#define CK_NOCASE 0x10      /* CT_ENUM: match names ignoring case */
#define CK_INVERT 0x20      /* CT_BOOL: store the opposite (enable_x for a disable_x field) */

struct cfg_ctx;

/* A name of an enumerated value. */
struct cfg_enum {
	const char *name;
	int value;
};

struct cfg_map;

struct cfg_key {
	const char *name;
	enum cfg_type type;
	unsigned int flags;
	size_t off;         /* field offset in the struct */
	size_t nr_off;      /* CT_LIST, CT_INTLIST: offset of the unsigned int count */
	size_t has_off;     /* 1 + offset of a bool set when the key is given; 0: none */
	unsigned int width; /* CT_INT: bytes */
	int64_t min;        /* CT_INT, CT_INTLIST: range */
	int64_t max;
	int64_t def_int;              /* CT_INT, CT_BOOL, CT_ENUM, CT_FLAGS, CT_DURATION default */
	const char *def_str;          /* CT_STR default */
	const char *const *def_list;  /* CT_STRLIST default, NULL-terminated */
	const struct cfg_enum *enums; /* CT_ENUM, CT_FLAGS; ends with a NULL name */
	const struct cfg_map *sub;    /* CT_MAP, CT_LIST */
	const char *excl;             /* name of a key of the same map it may not be given with */
	const char *note;             /* CK_DEPRECATED, CK_REMOVED: message */
	/* Check one string (CT_STR, each CT_STRLIST item): 0 or a cfg_err() code. */
	int (*check)(struct cfg_ctx *ctx, yaml_node_t *node, const char *value);
	int (*parse)(struct cfg_ctx *ctx, yaml_node_t *node, void *field); /* CT_CUSTOM */
	void (*fini)(void *field);                                         /* CT_CUSTOM */
};

/* A YAML map: its keys, the struct they fill and the rules across them. */
struct cfg_map {
	const struct cfg_key *keys;
	unsigned int nr_keys;
	size_t size; /* of the struct (for CT_LIST elements) */
	/*
	 * Called once the struct is filled and defaulted, with the map's node (NULL when the
	 * map was absent) and @where, a node to give the line of messages about it.
	 */
	int (*check)(struct cfg_ctx *ctx, yaml_node_t *node, yaml_node_t *where, void *obj);
};

/* The state of one load. */
struct cfg_ctx {
	const char *file; /* for messages */
	yaml_document_t *doc;
	char *err; /* caller's buffer, may be NULL */
	size_t err_len;
	bool failed;    /* an error was written; later ones are dropped */
	char path[512]; /* key path of the value being read: "engines[0].targets" */
	size_t path_len;
	uint64_t budget; /* node visits left: aliases may repeat subtrees */
	int depth;
};

/* Field access by descriptor. */
#define CFG_FIELD(obj, off) ((void *)((char *)(obj) + (off)))

/* Descriptor shorthands; T is the struct type of the table being written. */
#define CFG_OFF(T, f) offsetof(T, f)
#define CFG_WIDTH(T, f) ((unsigned int)sizeof(((T *)0)->f))
#define CFG_HAS(T, f) (offsetof(T, f) + 1)

#define K_STR(T, k, f, ...)                                                  \
	{                                                                    \
		.name = k, .type = CT_STR, .off = CFG_OFF(T, f), __VA_ARGS__ \
	}
#define K_INT(T, k, f, lo, hi, ...)                                                        \
	{                                                                                  \
		.name = k, .type = CT_INT, .off = CFG_OFF(T, f), .width = CFG_WIDTH(T, f), \
		.min = lo, .max = hi, __VA_ARGS__                                          \
	}
#define K_BOOL(T, k, f, ...)                                                  \
	{                                                                     \
		.name = k, .type = CT_BOOL, .off = CFG_OFF(T, f), __VA_ARGS__ \
	}
#define K_ENUM(T, k, f, e, ...)                                                           \
	{                                                                                 \
		.name = k, .type = CT_ENUM, .off = CFG_OFF(T, f), .enums = e, __VA_ARGS__ \
	}
#define K_FLAGS(T, k, f, e, ...)                                                           \
	{                                                                                  \
		.name = k, .type = CT_FLAGS, .off = CFG_OFF(T, f), .enums = e, __VA_ARGS__ \
	}
#define K_LIST(T, k, f, ...)                                                     \
	{                                                                        \
		.name = k, .type = CT_STRLIST, .off = CFG_OFF(T, f), __VA_ARGS__ \
	}
#define K_DUR(T, k, f, ...)                                                       \
	{                                                                         \
		.name = k, .type = CT_DURATION, .off = CFG_OFF(T, f), __VA_ARGS__ \
	}
#define K_MAP(T, k, f, m, ...)                                                         \
	{                                                                              \
		.name = k, .type = CT_MAP, .off = CFG_OFF(T, f), .sub = m, __VA_ARGS__ \
	}
#define K_ARRAY(T, k, f, n, m, ...)                                                        \
	{                                                                                  \
		.name = k, .type = CT_LIST, .off = CFG_OFF(T, f), .nr_off = CFG_OFF(T, n), \
		.sub = m, __VA_ARGS__                                                      \
	}
#define K_REMOVED(k, msg)                                                   \
	{                                                                   \
		.name = k, .type = CT_STR, .flags = CK_REMOVED, .note = msg \
	}

#define CFG_MAP(keys_, T, check_)                                                               \
	{                                                                                       \
		.keys = keys_, .nr_keys = ARRAY_SIZE(keys_), .size = sizeof(T), .check = check_ \
	}

/* config_yaml.c: loading a document and walking it */

/* Start a load of the file @name (for messages) reporting to the caller's @err buffer. */
void cfg_ctx_init(struct cfg_ctx *ctx, const char *name, char *err, size_t err_len);

/*
 * Parse @len bytes at @buf and fill @obj (zeroed, map->size bytes) as @map describes, with
 * the document alive through every check. On error @obj may be partly filled.
 */
/*
 * One kind of config file: its key table, the size of its struct, where the struct keeps
 * its path (char *) and the derived host list (struct config_strlist) freed with it.
 */
struct cfg_kind {
	const struct cfg_map *map;
	size_t size;
	size_t path_off;
	size_t hosts_off;
};

/* The three entry points of every kind, behind config_<kind>_{parse,load,free}(). */
int cfg_kind_parse(const struct cfg_kind *kind, const char *name, const void *buf, size_t len,
		   void **out, char *err, size_t err_len);
int cfg_kind_load(const struct cfg_kind *kind, const char *path, void **out, char *err,
		  size_t err_len);
void cfg_kind_free(const struct cfg_kind *kind, void *cfg);

int cfg_parse_into(struct cfg_ctx *ctx, const struct cfg_map *map, const void *buf, size_t len,
		   void *obj);

/*
 * Parse @len bytes into the first YAML document of @doc; a second document is an error.
 * On success the caller deletes @doc. Returns 0 or -DER_INVAL (message in @ctx).
 */
int cfg_doc_load(struct cfg_ctx *ctx, const void *buf, size_t len, yaml_document_t *doc);

/* Read a whole file into a new buffer (d_free it). Errors are written to @ctx. */
int cfg_file_read(struct cfg_ctx *ctx, const char *path, char **buf, size_t *len);

/*
 * Fill @obj from the map @node (NULL or an empty value: defaults only) as @map describes;
 * @where gives the line of messages about an absent map. On error the struct may be partly
 * filled: cfg_map_fini() frees it.
 */
int cfg_map_parse(struct cfg_ctx *ctx, const struct cfg_map *map, yaml_node_t *node,
		  yaml_node_t *where, void *obj);
void cfg_map_fini(const struct cfg_map *map, void *obj);

/* Write "file:line: path: message" to the context (first error only); returns -DER_INVAL. */
int cfg_err(struct cfg_ctx *ctx, const yaml_node_t *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same with the key path given here instead of the context's. */
int cfg_err_at(struct cfg_ctx *ctx, const yaml_node_t *node, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Record -DER_NOMEM in the context and return it. */
int cfg_nomem(struct cfg_ctx *ctx);

/* Key path maintenance: push returns the length to restore with cfg_path_pop(). */
size_t cfg_path_push_key(struct cfg_ctx *ctx, const char *name);
size_t cfg_path_push_index(struct cfg_ctx *ctx, unsigned int idx);
void cfg_path_pop(struct cfg_ctx *ctx, size_t len);

/* 1-based line of @node (1 if NULL). */
int cfg_line(const yaml_node_t *node);
/* The value node of @key in map @map, or NULL; and the key node itself. */
yaml_node_t *cfg_map_get(struct cfg_ctx *ctx, yaml_node_t *map, const char *key);
yaml_node_t *cfg_map_get_key(struct cfg_ctx *ctx, yaml_node_t *map, const char *key);
/* Item @idx of sequence @seq, or NULL. */
yaml_node_t *cfg_seq_get(struct cfg_ctx *ctx, yaml_node_t *seq, unsigned int idx);
/* Node for messages about item @idx of @seq, or @seq itself, or @fallback. */
yaml_node_t *cfg_item_or(struct cfg_ctx *ctx, yaml_node_t *seq, unsigned int idx,
			 yaml_node_t *fallback);
/* Read the integer scalar @node (YAML 1.1 syntax, unquoted); errors go to @ctx. */
int cfg_int_get(struct cfg_ctx *ctx, yaml_node_t *node, int64_t *out);
/* Read the boolean scalar @node (YAML 1.1: true/false, yes/no, on/off, y/n). */
int cfg_bool_get(struct cfg_ctx *ctx, yaml_node_t *node, bool *out);
/* Count the visit of a node against the alias budget; an error when it is spent. */
int cfg_visit(struct cfg_ctx *ctx, yaml_node_t *node);
/* Is @node absent or an empty value (~, null, nothing)? */
bool cfg_is_null(const yaml_node_t *node);

/* Parse a Go duration ("1m30s") into nanoseconds; false if malformed or negative. */
bool cfg_duration_parse(const char *s, uint64_t *ns);

/* Log, once per process per key descriptor, a note about a key given in the file. */
void cfg_note_once(struct cfg_ctx *ctx, const struct cfg_key *key, const yaml_node_t *node);

/* Common checks used by several tables. */
int cfg_check_sysname(struct cfg_ctx *ctx, yaml_node_t *node, const char *value);
int cfg_check_env_var(struct cfg_ctx *ctx, yaml_node_t *node, const char *value);
int cfg_check_nonempty(struct cfg_ctx *ctx, yaml_node_t *node, const char *value);
extern const struct cfg_enum cfg_log_levels[];
extern const struct cfg_map cfg_transport_server_map;
extern const struct cfg_map cfg_transport_agent_map;
extern const struct cfg_map cfg_transport_admin_map;

/* config_hostlist.c */

/*
 * Expand one host list entry onto @out (growing it; @cap is its allocated size), appending
 * @default_port to hosts without one. On -DER_INVAL a description is written to @msg.
 */
int cfg_hostlist_expand_one(const char *spec, int default_port, struct config_strlist *out,
			    unsigned int *cap, char *msg, size_t msg_len);

/*
 * Expand the list @in (a field read from @node, the list's YAML node) into @out, with
 * errors naming the entry and @key_path. Returns 0, -DER_INVAL or -DER_NOMEM.
 */
int cfg_hostlist_expand_node(struct cfg_ctx *ctx, yaml_node_t *node, const char *key_path,
			     const struct config_strlist *in, int default_port,
			     struct config_strlist *out);

/*
 * Find two equal strings in @list: returns 1 and their indexes (*first < *second, *second
 * the smallest such), 0 if all differ, or -DER_NOMEM.
 */
int cfg_strlist_find_dup(const struct config_strlist *list, unsigned int *first,
			 unsigned int *second);

#endif /* CONTROL_CONFIG_INT_H */
