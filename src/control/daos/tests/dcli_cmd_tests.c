/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dcli_cmd_tests.c - whole daos commands, argv to exit code, against a fake libdaos: a
 * struct dcli_ops whose pool "tank" and containers live in this process. The commands run
 * as they do in the binary (dcli_run()); the tests read their stdout and stderr and what
 * the fake was asked, and check that every run frees what it allocated and closes every
 * handle it opened.
 *
 * The fake keeps its own state with malloc (not d_calloc), so that the allocator's count
 * measures the CLI alone.
 */
#include "common/test.h"
#include "control/daos/dcli_int.h"
#include "dfuse/dfuse_ioctl.h"

#define POOL_UUID "050b20a3-3fcc-499b-a6cf-07d4b80b04fd"
#define MAX_CONTS 8
#define MAX_ATTRS 16
#define MAX_ACES 8
#define MAX_SNAPS 8
#define MAX_OBJS 64

struct fake_attr {
	char *name;
	char *value;
	size_t len;
};

struct fake_cont {
	bool used;
	uuid_t uuid;
	char label[DAOS_PROP_LABEL_MAX_LEN + 1];
	uint64_t layout;
	uint64_t rd_fac;
	uint64_t status;
	char owner[64];
	char group[64];
	char *aces[MAX_ACES];
	struct fake_attr attrs[MAX_ATTRS];
	uint64_t snaps[MAX_SNAPS];
	char snap_names[MAX_SNAPS][128];
	int nr_snaps;
	bool no_perm; /* opens fail with -DER_NO_PERM */
	bool busy;    /* exclusive opens fail with -DER_BUSY (another handle is open) */
};

struct fake_obj {
	daos_obj_id_t oid;
	char **vals; /* by dkey number ("dkey_<n>") */
	size_t *lens;
	size_t nr;
};

/* What the fake holds and what it was asked. */
static struct {
	struct fake_cont conts[MAX_CONTS];
	struct fake_attr pool_attrs[MAX_ATTRS];
	struct fake_obj objs[MAX_OBJS];
	uint64_t next_epoch;
	int handles;                  /* open pool, container and object handles */
	int inits;                    /* init() minus fini() */
	int nr_connects;              /* pool_connect() calls */
	int nr_set_prop;              /* cont_set_prop() calls */
	uint32_t last_nr;             /* entries of the last create or set-prop list */
	unsigned int last_cont_flags; /* of the last cont_open() */
	uint32_t last_type[32];
	uint64_t last_val[32];
	char last_label[128];
	struct dcli_posix_attr last_posix;
	bool fail_update; /* obj_update fails with -DER_NOSPACE */
} fk;

/* ---- the fake's helpers ---- */

static struct fake_cont *
cont_of(daos_handle_t coh)
{
	assert_true(coh.cookie >= 100 && coh.cookie < 100 + MAX_CONTS);
	return &fk.conts[coh.cookie - 100];
}

static struct fake_cont *
cont_find(const char *id)
{
	char uuid[37];
	int i;

	for (i = 0; i < MAX_CONTS; i++) {
		if (!fk.conts[i].used)
			continue;
		uuid_unparse_lower(fk.conts[i].uuid, uuid);
		if (strcmp(fk.conts[i].label, id) == 0 || strcmp(uuid, id) == 0)
			return &fk.conts[i];
	}
	return NULL;
}

static void
attrs_clear(struct fake_attr *a)
{
	int i;

	for (i = 0; i < MAX_ATTRS; i++) {
		free(a[i].name);
		free(a[i].value);
		a[i].name = a[i].value = NULL;
	}
}

static void
cont_clear(struct fake_cont *c)
{
	int i;

	for (i = 0; i < MAX_ACES; i++)
		free(c->aces[i]);
	attrs_clear(c->attrs);
	memset(c, 0, sizeof(*c));
}

static void
fake_reset(void)
{
	int i;

	for (i = 0; i < MAX_CONTS; i++)
		cont_clear(&fk.conts[i]);
	attrs_clear(fk.pool_attrs);
	for (i = 0; i < MAX_OBJS; i++) {
		size_t k;

		for (k = 0; k < fk.objs[i].nr; k++)
			free(fk.objs[i].vals[k]);
		free(fk.objs[i].vals);
		free(fk.objs[i].lens);
	}
	memset(&fk, 0, sizeof(fk));
	fk.next_epoch = 0x10000000000ull;
}

/* An ACE's principal as a key: "G:name@" for groups, the name alone otherwise. */
static void
ace_key(const char *ace, char *key, size_t len)
{
	const char *flags = strchr(ace, ':') + 1;
	const char *principal = strchr(flags, ':') + 1;
	size_t n = (size_t)(strchr(principal, ':') - principal);

	snprintf(key, len, "%s%.*s", memchr(flags, 'G', (size_t)(principal - flags)) ? "G:" : "",
		 (int)n, principal);
}

/* Merge the entries of @acl (replace those of the same principal, add the others). */
static void
aces_merge(struct fake_cont *c, const struct daos_acl *acl, bool replace_all)
{
	char *list = NULL, *save = NULL, *ace, k1[128], k2[128];
	int i;

	if (replace_all)
		for (i = 0; i < MAX_ACES; i++) {
			free(c->aces[i]);
			c->aces[i] = NULL;
		}
	assert_int_equal(dcli_acl_to_list(acl, &list), 0);
	for (ace = strtok_r(list, ", ", &save); ace != NULL; ace = strtok_r(NULL, ", ", &save)) {
		ace_key(ace, k1, sizeof(k1));
		for (i = 0; i < MAX_ACES && c->aces[i] != NULL; i++) {
			ace_key(c->aces[i], k2, sizeof(k2));
			if (strcmp(k1, k2) == 0)
				break;
		}
		assert_true(i < MAX_ACES);
		free(c->aces[i]);
		c->aces[i] = strdup(ace);
	}
	d_free(list);
}

/* The container's ACL in DAOS's layout, through an ACL file (d_calloc: the CLI frees it). */
static struct daos_acl *
aces_acl(const struct fake_cont *c)
{
	char path[] = "/tmp/dcli_fake_acl.XXXXXX", err[256];
	struct daos_acl *acl = NULL;
	FILE *f;
	int fd, i;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	for (i = 0; i < MAX_ACES; i++)
		if (c->aces[i] != NULL)
			fprintf(f, "%s\n", c->aces[i]);
	fclose(f);
	assert_int_equal(dcli_acl_from_file(path, &acl, err, sizeof(err)), 0);
	unlink(path);
	return acl;
}

static void
record_props(const daos_prop_t *p)
{
	uint32_t i;

	fk.last_nr = p != NULL ? p->dpp_nr : 0;
	for (i = 0; i < fk.last_nr && i < ARRAY_SIZE(fk.last_type); i++) {
		fk.last_type[i] = p->dpp_entries[i].dpe_type;
		fk.last_val[i] = p->dpp_entries[i].dpe_val;
	}
}

static bool
last_has(uint32_t type, uint64_t val)
{
	uint32_t i;

	for (i = 0; i < fk.last_nr; i++)
		if (fk.last_type[i] == type && fk.last_val[i] == val)
			return true;
	return false;
}

/* ---- the fake libdaos ---- */

static int
f_init(void)
{
	fk.inits++;
	return 0;
}

static int
f_fini(void)
{
	fk.inits--;
	return 0;
}

static int
f_pool_connect(const char *pool, const char *sys, unsigned int flags, daos_handle_t *poh,
	       daos_pool_info_t *info, daos_event_t *ev)
{
	(void)sys;
	(void)flags;
	(void)ev;
	fk.nr_connects++;
	if (strcmp(pool, "tank") != 0 && strcmp(pool, POOL_UUID) != 0)
		return -DER_NONEXIST;
	if (info != NULL) {
		memset(info, 0, sizeof(*info));
		uuid_parse(POOL_UUID, info->pi_uuid);
		info->pi_nnodes = 1;
	}
	poh->cookie = 1;
	fk.handles++;
	return 0;
}

static int
f_pool_disconnect(daos_handle_t poh, daos_event_t *ev)
{
	(void)ev;
	assert_int_equal(poh.cookie, 1);
	fk.handles--;
	return 0;
}

static int
f_pool_query(daos_handle_t poh, d_rank_list_t **ranks, daos_pool_info_t *info,
	     daos_prop_t *pool_prop, daos_event_t *ev)
{
	uint64_t bits = info->pi_bits;

	(void)poh;
	(void)pool_prop;
	(void)ev;
	memset(info, 0, sizeof(*info));
	uuid_parse(POOL_UUID, info->pi_uuid);
	info->pi_bits = bits;
	info->pi_ntargets = 8;
	info->pi_nnodes = 2;
	info->pi_ndisabled = 4;
	info->pi_leader = 1;
	info->pi_map_ver = 3;
	info->pi_rebuild_st.rs_state = DRS_COMPLETED;
	info->pi_rebuild_st.rs_version = 2;
	info->pi_rebuild_st.rs_obj_nr = 12;
	info->pi_rebuild_st.rs_rec_nr = 340;
	info->pi_space.ps_ntargets = 4;
	info->pi_space.ps_space.s_total[0] = 1000000000;
	info->pi_space.ps_space.s_free[0] = 900000000;
	info->pi_space.ps_free_min[0] = 220000000;
	info->pi_space.ps_free_max[0] = 230000000;
	info->pi_space.ps_free_mean[0] = 225000000;
	*ranks = d_rank_list_alloc(bits & DPI_ENGINES_DEAD ? 0 : 1);
	if (*ranks != NULL && (*ranks)->rl_nr > 0)
		(*ranks)->rl_ranks[0] = bits & DPI_ENGINES_ENABLED ? 0 : 1;
	return 0;
}

static int
f_pool_list_cont(daos_handle_t poh, daos_size_t *ncont, struct daos_pool_cont_info *cbuf,
		 daos_event_t *ev)
{
	daos_size_t n = 0, room = *ncont;
	int i;

	(void)poh;
	(void)ev;
	for (i = 0; i < MAX_CONTS; i++) {
		if (!fk.conts[i].used)
			continue;
		if (cbuf != NULL && n < room) {
			uuid_copy(cbuf[n].pci_uuid, fk.conts[i].uuid);
			snprintf(cbuf[n].pci_label, sizeof(cbuf[n].pci_label), "%s",
				 fk.conts[i].label);
		}
		n++;
	}
	*ncont = n;
	return cbuf != NULL && n > room ? -DER_TRUNC : 0;
}

static int
attrs_list(struct fake_attr *a, char *buffer, size_t *size)
{
	size_t total = 0, used = 0;
	int i;

	for (i = 0; i < MAX_ATTRS; i++) {
		if (a[i].name == NULL)
			continue;
		total += strlen(a[i].name) + 1;
		if (buffer != NULL && used + strlen(a[i].name) + 1 <= *size) {
			memcpy(buffer + used, a[i].name, strlen(a[i].name) + 1);
			used += strlen(a[i].name) + 1;
		}
	}
	*size = total;
	return 0;
}

static struct fake_attr *
attr_find(struct fake_attr *a, const char *name, bool create)
{
	int i;

	for (i = 0; i < MAX_ATTRS; i++)
		if (a[i].name != NULL && strcmp(a[i].name, name) == 0)
			return &a[i];
	for (i = 0; create && i < MAX_ATTRS; i++)
		if (a[i].name == NULL) {
			a[i].name = strdup(name);
			return &a[i];
		}
	return NULL;
}

static int
attrs_get(struct fake_attr *a, int n, char const *const names[], void *const buffers[],
	  size_t sizes[])
{
	int i;

	for (i = 0; i < n; i++) {
		struct fake_attr *at = attr_find(a, names[i], false);

		if (at == NULL)
			return -DER_NONEXIST;
		memcpy(buffers[i], at->value, D_MIN(sizes[i], at->len));
		sizes[i] = at->len;
	}
	return 0;
}

static int
attrs_set(struct fake_attr *a, int n, char const *const names[], void const *const values[],
	  size_t const sizes[])
{
	int i;

	for (i = 0; i < n; i++) {
		struct fake_attr *at = attr_find(a, names[i], true);

		assert_non_null(at);
		free(at->value);
		at->value = malloc(sizes[i] + 1);
		memcpy(at->value, values[i], sizes[i]);
		at->len = sizes[i];
	}
	return 0;
}

static int
attrs_del(struct fake_attr *a, int n, char const *const names[])
{
	int i;

	for (i = 0; i < n; i++) {
		struct fake_attr *at = attr_find(a, names[i], false);

		if (at != NULL) {
			free(at->name);
			free(at->value);
			at->name = at->value = NULL;
		}
	}
	return 0;
}

static int
f_pool_list_attr(daos_handle_t poh, char *buffer, size_t *size, daos_event_t *ev)
{
	(void)poh;
	(void)ev;
	return attrs_list(fk.pool_attrs, buffer, size);
}

static int
f_pool_get_attr(daos_handle_t poh, int n, char const *const names[], void *const buffers[],
		size_t sizes[], daos_event_t *ev)
{
	(void)poh;
	(void)ev;
	return attrs_get(fk.pool_attrs, n, names, buffers, sizes);
}

static int
f_pool_set_attr(daos_handle_t poh, int n, char const *const names[], void const *const values[],
		size_t const sizes[], daos_event_t *ev)
{
	(void)poh;
	(void)ev;
	return attrs_set(fk.pool_attrs, n, names, values, sizes);
}

static int
f_pool_del_attr(daos_handle_t poh, int n, char const *const names[], daos_event_t *ev)
{
	(void)poh;
	(void)ev;
	return attrs_del(fk.pool_attrs, n, names);
}

static int
cont_new(const char *label, daos_prop_t *prop, uuid_t *uuid, uint64_t layout)
{
	struct fake_cont *c = NULL;
	uint32_t i;
	int k;

	record_props(prop);
	snprintf(fk.last_label, sizeof(fk.last_label), "%s", label ? label : "");
	if (label != NULL && cont_find(label) != NULL)
		return -DER_EXIST;
	for (k = 0; k < MAX_CONTS && c == NULL; k++)
		if (!fk.conts[k].used)
			c = &fk.conts[k];
	assert_non_null(c);
	c->used = true;
	uuid_generate(c->uuid);
	snprintf(c->label, sizeof(c->label), "%s", label ? label : "");
	c->layout = layout;
	snprintf(c->owner, sizeof(c->owner), "alice@");
	snprintf(c->group, sizeof(c->group), "users@");
	c->aces[0] = strdup("A::OWNER@:rwdtTaAo");
	c->aces[1] = strdup("A:G:GROUP@:rwtT");
	for (i = 0; prop != NULL && i < prop->dpp_nr; i++) {
		struct daos_prop_entry *e = &prop->dpp_entries[i];

		assert_int_not_equal(e->dpe_type, DAOS_PROP_CO_LABEL);
		if (e->dpe_type == DAOS_PROP_CO_LAYOUT_TYPE)
			c->layout = e->dpe_val;
		else if (e->dpe_type == DAOS_PROP_CO_REDUN_FAC)
			c->rd_fac = e->dpe_val;
		else if (e->dpe_type == DAOS_PROP_CO_OWNER_GROUP)
			snprintf(c->group, sizeof(c->group), "%s", e->dpe_str);
		else if (e->dpe_type == DAOS_PROP_CO_ACL)
			aces_merge(c, e->dpe_val_ptr, true);
	}
	if (uuid != NULL)
		uuid_copy(*uuid, c->uuid);
	return 0;
}

static int
f_cont_create(daos_handle_t poh, uuid_t *uuid, daos_prop_t *cont_prop, daos_event_t *ev)
{
	(void)poh;
	(void)ev;
	return cont_new(NULL, cont_prop, uuid, 0);
}

static int
f_cont_create_with_label(daos_handle_t poh, const char *label, daos_prop_t *cont_prop, uuid_t *uuid,
			 daos_event_t *ev)
{
	(void)poh;
	(void)ev;
	return cont_new(label, cont_prop, uuid, 0);
}

static int
f_posix_create(daos_handle_t poh, const char *label, const struct dcli_posix_attr *attr,
	       daos_prop_t *props, uuid_t *uuid)
{
	(void)poh;
	fk.last_posix = *attr;
	return cont_new(label, props, uuid, DAOS_PROP_CO_LAYOUT_POSIX);
}

static int
f_cont_open(daos_handle_t poh, const char *cont, unsigned int flags, daos_handle_t *coh,
	    daos_cont_info_t *info, daos_event_t *ev)
{
	struct fake_cont *c = cont_find(cont);

	(void)poh;
	(void)ev;
	fk.last_cont_flags = flags;
	if (c == NULL)
		return -DER_NONEXIST;
	if (c->no_perm)
		return -DER_NO_PERM;
	if (c->busy && (flags & DAOS_COO_EX))
		return -DER_BUSY;
	coh->cookie = 100 + (uint64_t)(c - fk.conts);
	if (info != NULL)
		uuid_copy(info->ci_uuid, c->uuid);
	fk.handles++;
	return 0;
}

static int
f_cont_close(daos_handle_t coh, daos_event_t *ev)
{
	(void)ev;
	cont_of(coh);
	fk.handles--;
	return 0;
}

static int
f_cont_destroy(daos_handle_t poh, const char *cont, int force, daos_event_t *ev)
{
	struct fake_cont *c = cont_find(cont);

	(void)poh;
	(void)force;
	(void)ev;
	if (c == NULL)
		return -DER_NONEXIST;
	cont_clear(c);
	return 0;
}

static daos_prop_t *
f_prop_alloc(uint32_t nr)
{
	daos_prop_t *p = d_calloc(1, sizeof(*p));

	if (p != NULL && nr > 0) {
		p->dpp_entries = d_calloc(nr, sizeof(*p->dpp_entries));
		p->dpp_nr = nr;
	}
	return p;
}

/* Frees what the fake put in a list: strings, the ACL, the roots. */
static void
f_prop_free(daos_prop_t *p)
{
	uint32_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->dpp_nr; i++) {
		struct daos_prop_entry *e = &p->dpp_entries[i];

		if (e->dpe_type == DAOS_PROP_CO_ACL)
			dcli_acl_free(e->dpe_val_ptr);
		else if (e->dpe_type == DAOS_PROP_CO_LABEL || e->dpe_type == DAOS_PROP_CO_OWNER ||
			 e->dpe_type == DAOS_PROP_CO_OWNER_GROUP ||
			 e->dpe_type == DAOS_PROP_CO_ROOTS)
			d_free(e->dpe_val_ptr);
	}
	d_free(p->dpp_entries);
	d_free(p);
}

/* The value of property @type of @c into @e (values the caller frees with f_prop_free). */
static void
entry_fill(const struct fake_cont *c, struct daos_prop_entry *e, bool alloc)
{
	switch (e->dpe_type) {
	case DAOS_PROP_CO_LABEL:
		if (alloc)
			e->dpe_str = d_strdup(c->label);
		break;
	case DAOS_PROP_CO_OWNER:
		if (alloc)
			e->dpe_str = d_strdup(c->owner);
		break;
	case DAOS_PROP_CO_OWNER_GROUP:
		if (alloc)
			e->dpe_str = d_strdup(c->group);
		break;
	case DAOS_PROP_CO_ACL:
		if (alloc)
			e->dpe_val_ptr = aces_acl(c);
		break;
	case DAOS_PROP_CO_ROOTS:
		if (alloc)
			e->dpe_val_ptr = d_calloc(1, sizeof(struct daos_prop_co_roots));
		break;
	case DAOS_PROP_CO_LAYOUT_TYPE:
		e->dpe_val = c->layout;
		break;
	case DAOS_PROP_CO_REDUN_FAC:
		e->dpe_val = c->rd_fac;
		break;
	case DAOS_PROP_CO_STATUS:
		e->dpe_val = c->status;
		break;
	case DAOS_PROP_CO_OBJ_VERSION:
		e->dpe_val = 2;
		break;
	case DAOS_PROP_CO_CSUM_CHUNK_SIZE:
		e->dpe_val = 32768;
		break;
	default:
		e->dpe_val = 0;
		break;
	}
}

static int
f_cont_query(daos_handle_t coh, daos_cont_info_t *info, daos_prop_t *prop, daos_event_t *ev)
{
	struct fake_cont *c = cont_of(coh);
	uint32_t i;

	(void)ev;
	if (info != NULL) {
		memset(info, 0, sizeof(*info));
		uuid_copy(info->ci_uuid, c->uuid);
		info->ci_nhandles = 1;
		info->ci_nsnapshots = (uint32_t)c->nr_snaps;
		info->ci_lsnapshot = c->nr_snaps ? c->snaps[c->nr_snaps - 1] : 0;
	}
	if (prop == NULL)
		return 0;
	if (prop->dpp_nr == 0) {
		prop->dpp_entries = d_calloc(cont_prop_count(), sizeof(*prop->dpp_entries));
		prop->dpp_nr = cont_prop_count();
		for (i = 0; i < prop->dpp_nr; i++) {
			prop->dpp_entries[i].dpe_type = cont_prop_at(i)->type;
			entry_fill(c, &prop->dpp_entries[i], true);
		}
		return 0;
	}
	for (i = 0; i < prop->dpp_nr; i++)
		entry_fill(c, &prop->dpp_entries[i], false);
	return 0;
}

static int
f_cont_get_acl(daos_handle_t coh, daos_prop_t **acl_prop, daos_event_t *ev)
{
	struct fake_cont *c = cont_of(coh);
	daos_prop_t *p = f_prop_alloc(3);

	(void)ev;
	p->dpp_entries[0].dpe_type = DAOS_PROP_CO_ACL;
	p->dpp_entries[1].dpe_type = DAOS_PROP_CO_OWNER;
	p->dpp_entries[2].dpe_type = DAOS_PROP_CO_OWNER_GROUP;
	entry_fill(c, &p->dpp_entries[0], true);
	entry_fill(c, &p->dpp_entries[1], true);
	entry_fill(c, &p->dpp_entries[2], true);
	*acl_prop = p;
	return 0;
}

static int
f_cont_set_prop(daos_handle_t coh, daos_prop_t *prop, daos_event_t *ev)
{
	struct fake_cont *c = cont_of(coh);
	struct daos_co_status st;
	uint32_t i;

	(void)ev;
	fk.nr_set_prop++;
	record_props(prop);
	for (i = 0; i < prop->dpp_nr; i++) {
		struct daos_prop_entry *e = &prop->dpp_entries[i];

		if (e->dpe_type == DAOS_PROP_CO_LABEL) {
			snprintf(c->label, sizeof(c->label), "%s", e->dpe_str);
		} else if (e->dpe_type == DAOS_PROP_CO_STATUS) {
			daos_prop_val_2_co_status(e->dpe_val, &st);
			assert_int_equal(st.dcs_flags, DAOS_PROP_CO_CLEAR);
			c->status = DAOS_PROP_CO_STATUS_VAL(st.dcs_status, 0, 3);
		}
	}
	return 0;
}

static int
f_cont_overwrite_acl(daos_handle_t coh, struct daos_acl *acl, daos_event_t *ev)
{
	(void)ev;
	aces_merge(cont_of(coh), acl, true);
	return 0;
}

static int
f_cont_update_acl(daos_handle_t coh, struct daos_acl *acl, daos_event_t *ev)
{
	(void)ev;
	aces_merge(cont_of(coh), acl, false);
	return 0;
}

static int
f_cont_delete_acl(daos_handle_t coh, enum daos_acl_principal_type type, d_string_t name,
		  daos_event_t *ev)
{
	struct fake_cont *c = cont_of(coh);
	char key[128], k[128];
	int i;

	(void)ev;
	snprintf(key, sizeof(key), "%s%s", type == DAOS_ACL_GROUP ? "G:" : "",
		 name != NULL ? name : "EVERYONE@");
	for (i = 0; i < MAX_ACES; i++) {
		if (c->aces[i] == NULL)
			continue;
		ace_key(c->aces[i], k, sizeof(k));
		if (strcmp(k, key) == 0) {
			free(c->aces[i]);
			c->aces[i] = NULL;
			return 0;
		}
	}
	return -DER_NONEXIST;
}

static int
f_cont_set_owner(daos_handle_t coh, d_string_t user, d_string_t group, daos_event_t *ev)
{
	struct fake_cont *c = cont_of(coh);

	(void)ev;
	if (user != NULL)
		snprintf(c->owner, sizeof(c->owner), "%s", user);
	if (group != NULL)
		snprintf(c->group, sizeof(c->group), "%s", group);
	return 0;
}

static int
f_cont_list_attr(daos_handle_t coh, char *buffer, size_t *size, daos_event_t *ev)
{
	(void)ev;
	return attrs_list(cont_of(coh)->attrs, buffer, size);
}

static int
f_cont_get_attr(daos_handle_t coh, int n, char const *const names[], void *const buffers[],
		size_t sizes[], daos_event_t *ev)
{
	(void)ev;
	return attrs_get(cont_of(coh)->attrs, n, names, buffers, sizes);
}

static int
f_cont_set_attr(daos_handle_t coh, int n, char const *const names[], void const *const values[],
		size_t const sizes[], daos_event_t *ev)
{
	(void)ev;
	return attrs_set(cont_of(coh)->attrs, n, names, values, sizes);
}

static int
f_cont_del_attr(daos_handle_t coh, int n, char const *const names[], daos_event_t *ev)
{
	(void)ev;
	return attrs_del(cont_of(coh)->attrs, n, names);
}

static int
f_cont_create_snap(daos_handle_t coh, daos_epoch_t *epoch, char *name, daos_event_t *ev)
{
	struct fake_cont *c = cont_of(coh);

	(void)ev;
	assert_true(c->nr_snaps < MAX_SNAPS);
	c->snaps[c->nr_snaps] = fk.next_epoch;
	fk.next_epoch += 0x100000000ull;
	snprintf(c->snap_names[c->nr_snaps], sizeof(c->snap_names[0]), "%s", name ? name : "");
	*epoch = c->snaps[c->nr_snaps++];
	return 0;
}

static int
f_cont_list_snap(daos_handle_t coh, int *nr, daos_epoch_t *epochs, char **names,
		 daos_anchor_t *anchor, daos_event_t *ev)
{
	struct fake_cont *c = cont_of(coh);
	int i;

	(void)ev;
	for (i = 0; i < c->nr_snaps && i < *nr; i++) {
		if (epochs != NULL)
			epochs[i] = c->snaps[i];
		if (names != NULL)
			snprintf(names[i], 128, "%s", c->snap_names[i]);
	}
	*nr = c->nr_snaps;
	anchor->da_type = DAOS_ANCHOR_TYPE_EOF;
	return 0;
}

static int
f_cont_destroy_snap(daos_handle_t coh, daos_epoch_range_t epr, daos_event_t *ev)
{
	struct fake_cont *c = cont_of(coh);
	int i, n = 0;

	(void)ev;
	for (i = 0; i < c->nr_snaps; i++) {
		if (c->snaps[i] >= epr.epr_lo && c->snaps[i] <= epr.epr_hi)
			continue;
		c->snaps[n] = c->snaps[i];
		memcpy(c->snap_names[n], c->snap_names[i], sizeof(c->snap_names[0]));
		n++;
	}
	if (n == c->nr_snaps)
		return -DER_NONEXIST;
	c->nr_snaps = n;
	return 0;
}

static const struct {
	const char *name;
	daos_oclass_id_t id;
} classes[] = {
	{ "S1", OC_S1 },
	{ "SX", OC_SX },
	{ "RP_2G2", OC_RP_2G2 },
	{ "RP_4G1", OC_RP_4G1 },
	{ "EC_16P3GX", OC_EC_16P3GX },
	{ "EC_16P3G32", OC_EC_16P3G32 },
};

static int
f_oclass_name2id(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(classes); i++)
		if (strcmp(classes[i].name, name) == 0)
			return (int)classes[i].id;
	return 0;
}

static int
f_oclass_id2name(daos_oclass_id_t id, char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(classes); i++)
		if (classes[i].id == id) {
			snprintf(name, MAX_OBJ_CLASS_NAME_LEN, "%s", classes[i].name);
			return 0;
		}
	return -1;
}

static int
f_obj_generate_oid(daos_handle_t coh, daos_obj_id_t *oid, enum daos_otype_t type,
		   daos_oclass_id_t cid, daos_oclass_hints_t hints, uint32_t args)
{
	(void)coh;
	(void)hints;
	(void)args;
	if (cid == 0)
		cid = OC_S1;
	oid->hi |= ((uint64_t)type << OID_FMT_TYPE_SHIFT) |
		   ((uint64_t)(cid >> OC_REDUN_SHIFT) << OID_FMT_CLASS_SHIFT) |
		   ((uint64_t)(cid & MAX_NUM_GROUPS) << OID_FMT_META_SHIFT);
	return 0;
}

static struct fake_obj *
obj_of(daos_handle_t oh)
{
	assert_true(oh.cookie >= 1000 && oh.cookie < 1000 + MAX_OBJS);
	return &fk.objs[oh.cookie - 1000];
}

static int
f_obj_open(daos_handle_t coh, daos_obj_id_t oid, unsigned int mode, daos_handle_t *oh,
	   daos_event_t *ev)
{
	int i, free_slot = -1;

	(void)coh;
	(void)mode;
	(void)ev;
	for (i = 0; i < MAX_OBJS; i++) {
		if (fk.objs[i].nr > 0 && fk.objs[i].oid.lo == oid.lo && fk.objs[i].oid.hi == oid.hi)
			break;
		if (fk.objs[i].nr == 0 && free_slot < 0)
			free_slot = i;
	}
	if (i == MAX_OBJS) {
		/* layouts only: recycle one slot, it never holds values */
		i = free_slot >= 0 ? free_slot : 0;
		fk.objs[i].oid = oid;
	}
	oh->cookie = 1000 + (uint64_t)i;
	fk.handles++;
	return 0;
}

static int
f_obj_close(daos_handle_t oh, daos_event_t *ev)
{
	(void)ev;
	obj_of(oh);
	fk.handles--;
	return 0;
}

static int
f_obj_punch(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_event_t *ev)
{
	struct fake_obj *o = obj_of(oh);
	size_t k;

	(void)th;
	(void)flags;
	(void)ev;
	for (k = 0; k < o->nr; k++)
		free(o->vals[k]);
	free(o->vals);
	free(o->lens);
	memset(o, 0, sizeof(*o));
	return 0;
}

static int
f_obj_query(daos_handle_t oh, struct daos_obj_attr *oa, d_rank_list_t *ranks, daos_event_t *ev)
{
	(void)oh;
	(void)oa;
	(void)ev;
	assert_true(ranks->rl_nr >= 2);
	ranks->rl_ranks[0] = 1;
	ranks->rl_ranks[1] = 0;
	ranks->rl_nr = 2;
	return 0;
}

static int
f_obj_query_class(daos_handle_t coh, daos_oclass_id_t cid, struct daos_oclass_attr *attr,
		  daos_event_t *ev)
{
	(void)coh;
	(void)ev;
	if (cid >> OC_REDUN_SHIFT == 0)
		return -DER_NONEXIST;
	memset(attr, 0, sizeof(*attr));
	attr->ca_resil = DAOS_RES_REPL;
	attr->ca_grp_nr = cid & MAX_NUM_GROUPS;
	attr->u.rp.r_num = cid >> OC_REDUN_SHIFT == OR_RP_2 ? 2 : 1;
	return 0;
}

static size_t
dkey_num(const daos_key_t *dkey)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.*s", (int)dkey->iov_len, (const char *)dkey->iov_buf);
	assert_true(strncmp(buf, "dkey_", 5) == 0);
	return (size_t)strtoull(buf + 5, NULL, 10);
}

static int
f_obj_update(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_key_t *dkey, unsigned int nr,
	     daos_iod_t *iods, d_sg_list_t *sgls, daos_event_t *ev)
{
	struct fake_obj *o = obj_of(oh);
	size_t n = dkey_num(dkey);

	(void)th;
	(void)flags;
	(void)ev;
	assert_int_equal(nr, 1);
	if (fk.fail_update)
		return -DER_NOSPACE;
	if (n >= o->nr) {
		o->vals = realloc(o->vals, (n + 1) * sizeof(*o->vals));
		o->lens = realloc(o->lens, (n + 1) * sizeof(*o->lens));
		memset(o->vals + o->nr, 0, (n + 1 - o->nr) * sizeof(*o->vals));
		memset(o->lens + o->nr, 0, (n + 1 - o->nr) * sizeof(*o->lens));
		o->nr = n + 1;
	}
	free(o->vals[n]);
	o->vals[n] = malloc(iods[0].iod_size);
	memcpy(o->vals[n], sgls[0].sg_iovs[0].iov_buf, iods[0].iod_size);
	o->lens[n] = iods[0].iod_size;
	return 0;
}

static int
f_obj_fetch(daos_handle_t oh, daos_handle_t th, uint64_t flags, daos_key_t *dkey, unsigned int nr,
	    daos_iod_t *iods, d_sg_list_t *sgls, daos_iom_t *ioms, daos_event_t *ev)
{
	struct fake_obj *o = obj_of(oh);
	size_t n = dkey_num(dkey);

	(void)th;
	(void)flags;
	(void)ioms;
	(void)ev;
	assert_int_equal(nr, 1);
	if (n >= o->nr || o->vals[n] == NULL) {
		iods[0].iod_size = 0;
		return 0;
	}
	if (sgls[0].sg_iovs[0].iov_buf_len < o->lens[n])
		return -DER_REC2BIG;
	memcpy(sgls[0].sg_iovs[0].iov_buf, o->vals[n], o->lens[n]);
	iods[0].iod_size = o->lens[n];
	return 0;
}

/* ---- a libdfs stand-in: a namespace of "/", "/dir" (a directory) and "/dir/file" ---- */

static struct {
	int mounts;
	daos_oclass_id_t dir_oclass; /* defaults of /dir */
	daos_size_t dir_chunk;
	int set_calls;
	mode_t chmod_mode;
	char chmod_name[64];
	uint64_t check_flags;
	char check_name[64];
	int check_calls;
	int scan_calls;
	int mount_fail;        /* dfs_mount() fails with this errno until a repair */
	bool no_sb;            /* dfs_relink_root() finds no superblock */
	char fix_name[64];     /* dfs_obj_fix_type()'s entry */
	daos_size_t fix_chunk; /* dfs_file_update_chunk_size()'s */
	dfs_attr_t sb_attr;    /* dfs_recreate_sb()'s */
	int nr_recreate_calls;
	int nr_relink_calls;
} fdfs;

static int fobj_dir, fobj_file, fobj_root;

static int
f_dfs_mount(daos_handle_t poh, daos_handle_t coh, int flags, dfs_t **dfs)
{
	(void)poh;
	(void)coh;
	(void)flags;
	if (fdfs.mount_fail != 0)
		return fdfs.mount_fail;
	fdfs.mounts++;
	fk.handles++;
	*dfs = (dfs_t *)&fdfs;
	return 0;
}

static int
f_dfs_umount(dfs_t *dfs)
{
	assert_ptr_equal(dfs, &fdfs);
	fk.handles--;
	return 0;
}

static int
f_dfs_lookup(dfs_t *dfs, const char *path, int flags, dfs_obj_t **obj, mode_t *mode,
	     struct stat *st)
{
	(void)dfs;
	(void)flags;
	(void)st;
	if (strcmp(path, "/") == 0) {
		*obj = (dfs_obj_t *)&fobj_root;
		*mode = S_IFDIR | 0755;
	} else if (strcmp(path, "/dir") == 0) {
		*obj = (dfs_obj_t *)&fobj_dir;
		*mode = S_IFDIR | 0755;
	} else if (strcmp(path, "/dir/file") == 0) {
		*obj = (dfs_obj_t *)&fobj_file;
		*mode = S_IFREG | 0644;
	} else {
		return ENOENT;
	}
	fk.handles++;
	return 0;
}

static int
f_dfs_release(dfs_obj_t *obj)
{
	(void)obj;
	fk.handles--;
	return 0;
}

static int
f_dfs_obj_get_info(dfs_t *dfs, dfs_obj_t *obj, dfs_obj_info_t *info)
{
	(void)dfs;
	memset(info, 0, sizeof(*info));
	if (obj == (dfs_obj_t *)&fobj_file) {
		info->doi_oclass_id = OC_SX;
		info->doi_chunk_size = 1 << 20;
		return 0;
	}
	info->doi_oclass_id = fdfs.dir_oclass;
	info->doi_chunk_size = fdfs.dir_chunk != 0 ? fdfs.dir_chunk : 1 << 20;
	info->doi_dir_oclass_id = fdfs.dir_oclass;
	info->doi_file_oclass_id = fdfs.dir_oclass;
	return 0;
}

static int
f_dfs_obj_set_oclass(dfs_t *dfs, dfs_obj_t *obj, int flags, daos_oclass_id_t cid)
{
	(void)dfs;
	(void)flags;
	assert_ptr_equal(obj, &fobj_dir);
	fdfs.dir_oclass = cid;
	fdfs.set_calls++;
	return 0;
}

static int
f_dfs_obj_set_chunk_size(dfs_t *dfs, dfs_obj_t *obj, int flags, daos_size_t csize)
{
	(void)dfs;
	(void)flags;
	assert_ptr_equal(obj, &fobj_dir);
	fdfs.dir_chunk = csize;
	fdfs.set_calls++;
	return 0;
}

static int
f_dfs_chmod(dfs_t *dfs, dfs_obj_t *parent, const char *name, mode_t mode)
{
	(void)dfs;
	assert_ptr_equal(parent, &fobj_dir);
	snprintf(fdfs.chmod_name, sizeof(fdfs.chmod_name), "%s", name);
	fdfs.chmod_mode = mode;
	return 0;
}

static int
f_dfs_check(daos_handle_t poh, const char *cont, uint64_t flags, const char *name, dfs_report_fn fn,
	    void *arg, dfs_check_result_t *res)
{
	(void)poh;
	fdfs.check_calls++;
	fdfs.check_flags = flags;
	snprintf(fdfs.check_name, sizeof(fdfs.check_name), "%s", name != NULL ? name : "");
	if (cont_find(cont) == NULL)
		return ENOENT;
	fn(arg, "DFS checker: Start (2025-07-17-19:23:14)");
	if (flags & DFS_CHECK_PRINT)
		fn(arg, "oid[0]: 281479271677952.7");
	fn(arg, "DFS checker: Number of leaked OIDs in namespace = 1");
	res->dcr_nr_marked = 836;
	res->dcr_nr_leaked = 1;
	if (flags & DFS_CHECK_RELINK)
		snprintf(res->dcr_lf_dir, sizeof(res->dcr_lf_dir), "/lost+found/%s", name);
	return 0;
}

static int
f_dfs_scan(daos_handle_t poh, const char *cont, uint64_t flags, const char *subdir,
	   dfs_report_fn fn, void *arg, dfs_scan_result_t *res)
{
	(void)poh;
	(void)flags;
	(void)subdir;
	fdfs.scan_calls++;
	if (cont_find(cont) == NULL)
		return ENOENT;
	fn(arg, "DFS scanner: Number of files: 3");
	memset(res, 0, sizeof(*res));
	res->dsr_nr_files = 3;
	res->dsr_nr_dirs = 2;
	res->dsr_max_depth = 2;
	return 0;
}

/* The repairs: /dir/file is a file, everything else a directory; "nothing" is absent. */
static int
f_dfs_stat(dfs_t *dfs, dfs_obj_t *parent, const char *name, struct stat *st)
{
	(void)dfs;
	(void)parent;
	memset(st, 0, sizeof(*st));
	st->st_mode = strcmp(name, "file") == 0 ? S_IFREG | 0700 : S_IFDIR | 0700;
	return 0;
}

static int
f_dfs_obj_fix_type(dfs_t *dfs, dfs_obj_t *parent, const char *name)
{
	(void)dfs;
	assert_true(parent == (dfs_obj_t *)&fobj_dir || parent == (dfs_obj_t *)&fobj_root);
	if (strcmp(name, "nothing") == 0)
		return ENOENT;
	snprintf(fdfs.fix_name, sizeof(fdfs.fix_name), "%s", name);
	return 0;
}

static int
f_dfs_file_update_chunk_size(dfs_t *dfs, dfs_obj_t *obj, daos_size_t csize)
{
	(void)dfs;
	assert_ptr_equal(obj, &fobj_file);
	fdfs.fix_chunk = csize;
	return 0;
}

static int
f_dfs_recreate_sb(daos_handle_t coh, dfs_attr_t *attr)
{
	(void)coh;
	fdfs.sb_attr = *attr;
	fdfs.nr_recreate_calls++;
	fdfs.mount_fail = 0;
	return 0;
}

static int
f_dfs_relink_root(daos_handle_t coh)
{
	(void)coh;
	fdfs.nr_relink_calls++;
	if (fdfs.no_sb)
		return ENOENT;
	fdfs.mount_fail = 0;
	return 0;
}

/* Copies are tried against real systems (test_daos_fs.py): here only their refusals. */
static int
f_dfs_open(dfs_t *dfs, dfs_obj_t *parent, const char *name, mode_t mode, int flags,
	   daos_oclass_id_t cid, daos_size_t chunk_size, const char *value, dfs_obj_t **obj)
{
	(void)dfs;
	(void)parent;
	(void)name;
	(void)mode;
	(void)flags;
	(void)cid;
	(void)chunk_size;
	(void)value;
	(void)obj;
	return ENOTSUP;
}

static int
f_dfs_readdir(dfs_t *dfs, dfs_obj_t *obj, daos_anchor_t *anchor, uint32_t *nr, struct dirent *dirs)
{
	(void)dfs;
	(void)obj;
	(void)anchor;
	(void)nr;
	(void)dirs;
	return ENOTSUP;
}

/* dfuse serves container "c1" at /mnt/dfuse. */
/* Counts of the dfuse at /mnt/dfuse; evictions remember the last path. */
static char f_evicted[256];

static int
f_dfuse_path_ioctl(const char *path, unsigned long cmd, void *reply)
{
	if (strncmp(path, "/mnt/dfuse", 10) != 0)
		return -DER_INVAL;
	if (cmd == DFUSE_IOCTL_COUNT) {
		struct dfuse_count_reply *r = reply;

		memset(r, 0, sizeof(*r));
		r->version = DFUSE_IOCTL_VERSION;
		r->inodes = 7;
		r->files = 2;
		r->dirs = 1;
		r->pools = 1;
		r->containers = 1;
		return 0;
	}
	if (cmd == DFUSE_IOCTL_EVICT) {
		struct dfuse_evict_reply *r = reply;

		memset(r, 0, sizeof(*r));
		r->version = DFUSE_IOCTL_VERSION;
		r->ino = 9;
		snprintf(f_evicted, sizeof(f_evicted), "%s", path);
		return 0;
	}
	return -DER_INVAL;
}

static int
f_dfuse_path_info(const char *path, struct dcli_dfuse_info *info)
{
	struct fake_cont *c = cont_find("c1");

	if (strncmp(path, "/gone", 5) == 0)
		return -DER_NONEXIST; /* realpath's ENOENT */
	if (c == NULL || strncmp(path, "/mnt/dfuse", 10) != 0)
		return -DER_INVAL;
	snprintf(info->pool, sizeof(info->pool), "%s", POOL_UUID);
	uuid_unparse_lower(c->uuid, info->cont);
	snprintf(info->mnt, sizeof(info->mnt), "/mnt/dfuse");
	snprintf(info->rel, sizeof(info->rel), "%s", path[10] == '\0' ? "/" : path + 10);
	info->pid = 4242;
	return 0;
}

/* Paths with a user.daos attribute: a small table; links fail under /readonly. */
#define MAX_LINKS 4
static struct {
	char path[128];
	char value[256];
	bool dir;
} f_links[MAX_LINKS];

static int
f_link_find(const char *path)
{
	int i;

	for (i = 0; i < MAX_LINKS; i++)
		if (strcmp(f_links[i].path, path) == 0)
			return i;
	return -1;
}

static int
f_uns_get(const char *path, char *buf, size_t len)
{
	int i = f_link_find(path);

	if (i < 0)
		return -DER_NONEXIST;
	snprintf(buf, len, "%s", f_links[i].value);
	return 0;
}

static int
f_uns_link(const char *path, bool dir, const char *value)
{
	int i;

	if (f_link_find(path) >= 0)
		return -DER_EXIST;
	if (strncmp(path, "/readonly", 9) == 0)
		return -DER_NOTSUPPORTED;
	i = f_link_find("");
	assert_true(i >= 0);
	snprintf(f_links[i].path, sizeof(f_links[i].path), "%s", path);
	snprintf(f_links[i].value, sizeof(f_links[i].value), "%s", value);
	f_links[i].dir = dir;
	return 0;
}

static int
f_uns_unlink(const char *path)
{
	int i = f_link_find(path);

	if (i < 0)
		return -DER_NONEXIST;
	memset(&f_links[i], 0, sizeof(f_links[i]));
	return 0;
}

static const struct dcli_ops fake_ops = {
	.init = f_init,
	.fini = f_fini,
	.pool_connect = f_pool_connect,
	.pool_disconnect = f_pool_disconnect,
	.pool_query = f_pool_query,
	.pool_list_cont = f_pool_list_cont,
	.pool_list_attr = f_pool_list_attr,
	.pool_get_attr = f_pool_get_attr,
	.pool_set_attr = f_pool_set_attr,
	.pool_del_attr = f_pool_del_attr,
	.cont_create = f_cont_create,
	.cont_create_with_label = f_cont_create_with_label,
	.cont_open = f_cont_open,
	.cont_close = f_cont_close,
	.cont_destroy = f_cont_destroy,
	.cont_query = f_cont_query,
	.cont_get_acl = f_cont_get_acl,
	.cont_set_prop = f_cont_set_prop,
	.cont_overwrite_acl = f_cont_overwrite_acl,
	.cont_update_acl = f_cont_update_acl,
	.cont_delete_acl = f_cont_delete_acl,
	.cont_set_owner = f_cont_set_owner,
	.cont_list_attr = f_cont_list_attr,
	.cont_get_attr = f_cont_get_attr,
	.cont_set_attr = f_cont_set_attr,
	.cont_del_attr = f_cont_del_attr,
	.cont_create_snap = f_cont_create_snap,
	.cont_list_snap = f_cont_list_snap,
	.cont_destroy_snap = f_cont_destroy_snap,
	.prop_alloc = f_prop_alloc,
	.prop_free = f_prop_free,
	.oclass_name2id = f_oclass_name2id,
	.oclass_id2name = f_oclass_id2name,
	.obj_generate_oid = f_obj_generate_oid,
	.obj_open = f_obj_open,
	.obj_close = f_obj_close,
	.obj_punch = f_obj_punch,
	.obj_query = f_obj_query,
	.obj_query_class = f_obj_query_class,
	.obj_fetch = f_obj_fetch,
	.obj_update = f_obj_update,
	.posix_cont_create = NULL, /* as the binary, until libdfs */
	.dfs_mount = f_dfs_mount,
	.dfs_umount = f_dfs_umount,
	.dfs_lookup = f_dfs_lookup,
	.dfs_release = f_dfs_release,
	.dfs_open = f_dfs_open,
	.dfs_readdir = f_dfs_readdir,
	.dfs_obj_get_info = f_dfs_obj_get_info,
	.dfs_obj_set_oclass = f_dfs_obj_set_oclass,
	.dfs_obj_set_chunk_size = f_dfs_obj_set_chunk_size,
	.dfs_chmod = f_dfs_chmod,
	.dfs_cont_check_report = f_dfs_check,
	.dfs_cont_scan_report = f_dfs_scan,
	.dfs_stat = f_dfs_stat,
	.dfs_obj_fix_type = f_dfs_obj_fix_type,
	.dfs_file_update_chunk_size = f_dfs_file_update_chunk_size,
	.dfs_recreate_sb = f_dfs_recreate_sb,
	.dfs_relink_root = f_dfs_relink_root,
	.dfuse_path_info = f_dfuse_path_info,
	.dfuse_path_ioctl = f_dfuse_path_ioctl,
	.uns_get = f_uns_get,
	.uns_link = f_uns_link,
	.uns_unlink = f_uns_unlink,
};

/* The same with a libdfs stand-in. */
static struct dcli_ops posix_ops;

/* ---- running the CLI ---- */

static char *out_text;
static char *err_text;

/*
 * Run "daos <line>" (words split at blanks) with @ops; the output in out_text and
 * err_text. Checks that the run freed what it allocated, closed its handles and undid
 * its init(). Returns the exit code.
 */
static int
run_ops(const struct dcli_ops *ops, const char *line)
{
	char buf[2048], *argv[48];
	size_t olen = 0, elen = 0;
	FILE *out, *err;
	int argc, rc;

	free(out_text);
	free(err_text);
	snprintf(buf, sizeof(buf), "daos %s", line);
	argc = test_split_words(buf, argv, 48);
	out = open_memstream(&out_text, &olen);
	err = open_memstream(&err_text, &elen);
	TEST_ALLOC_MARK();
	rc = dcli_run(ops, argc, argv, out, err);
	TEST_ALLOC_CHECK();
	fclose(out);
	fclose(err);
	assert_int_equal(fk.handles, 0);
	assert_int_equal(fk.inits, 0);
	return rc;
}

static int
run(const char *line)
{
	return run_ops(&fake_ops, line);
}

/* Run and expect success. */
static void
ok(const char *line)
{
	if (run(line) != 0)
		fail_msg("daos %s: exit code not 0\n%s%s", line, out_text, err_text);
}

static void
has(const char *text, const char *what)
{
	if (strstr(text, what) == NULL)
		fail_msg("\"%s\" not in:\n%s", what, text);
}

static int
setup(void **state)
{
	(void)state;
	fake_reset();
	memset(&fdfs, 0, sizeof(fdfs));
	memset(f_links, 0, sizeof(f_links));
	posix_ops = fake_ops;
	posix_ops.posix_cont_create = f_posix_create;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	fake_reset();
	free(out_text);
	free(err_text);
	out_text = err_text = NULL;
	return 0;
}

/* ---- the tests ---- */

/* Create with properties, list, query, get-prop, set-prop (rename, status), destroy. */
static void
cont_life_cycle(void **state)
{
	char uuid[37];

	(void)state;
	ok("cont create tank results --type HDF5 --properties rd_fac:1,cksum:crc32,srv_cksum:on");
	has(out_text, "Successfully created container ");
	has(out_text, " type HDF5\n");
	has(out_text, "  Container Label: results\n  Container Type : HDF5\n");
	assert_string_equal(fk.last_label, "results");
	assert_true(last_has(DAOS_PROP_CO_REDUN_FAC, 1));
	assert_true(last_has(DAOS_PROP_CO_CSUM, DAOS_PROP_CO_CSUM_CRC32));
	assert_true(last_has(DAOS_PROP_CO_CSUM_SERVER_VERIFY, DAOS_PROP_CO_CSUM_SV_ON));
	assert_true(last_has(DAOS_PROP_CO_LAYOUT_TYPE, DAOS_PROP_CO_LAYOUT_HDF5));
	assert_int_equal(fk.last_nr, 4);

	/* the label can come from --properties too, and a container without one */
	ok("container create tank --properties label:second");
	assert_string_equal(fk.last_label, "second");
	assert_int_equal(fk.last_nr, 0);
	ok("container create tank");
	assert_string_equal(fk.last_label, "");

	ok("cont list tank");
	has(out_text, "Containers in pool tank:\n  Label   UUID\n  -----   ----\n  results ");
	ok("pool list-containers -v tank");
	has(out_text, "  Label   UUID                                 Layout\n");
	has(out_text, " HDF5\n");

	ok("cont query tank results");
	has(out_text, "  Container Label            : results\n");
	has(out_text, "  Container Type             : HDF5\n");
	has(out_text, "  Pool UUID                  : " POOL_UUID "\n");
	has(out_text, "  Container redundancy factor: 1\n");
	uuid_unparse_lower(fk.conts[0].uuid, uuid);
	has(out_text, uuid);

	ok("cont get-prop tank results");
	has(out_text, "Properties for container results\n"
		      "Name                                             Value\n"
		      "----                                             -----\n");
	has(out_text, "\nHealth (status)                                  HEALTHY\n");
	has(out_text, "\nLayout Type (layout_type)                        HDF5\n");
	has(out_text, "\nAccess Control List (acl)                        "
		      "A::OWNER@:rwdtTaAo, A:G:GROUP@:rwtT\n");
	ok("cont get-prop tank results label,status");
	assert_string_equal(out_text, "Properties for container results\n"
				      "Name            Value\n"
				      "----            -----\n"
				      "Label (label)   results\n"
				      "Health (status) HEALTHY\n");

	/* seed 003: make an UNCLEAN container accessible again */
	fk.conts[0].status = DAOS_PROP_CO_STATUS_VAL(DAOS_PROP_CO_UNCLEAN, 0, 2);
	ok("cont get-prop tank results --properties status");
	has(out_text, "Health (status) UNCLEAN\n");
	ok("cont set-prop tank results status:HEALTHY");
	assert_string_equal(out_text, "Properties were successfully set\n");
	ok("cont get-prop tank results status");
	has(out_text, "Health (status) HEALTHY\n");
	ok("cont set-prop tank results --properties label:renamed");
	ok("cont query tank renamed");

	ok("cont destroy tank renamed");
	assert_string_equal(out_text, "Successfully destroyed container renamed\n");
	assert_int_equal(run("cont query tank renamed"), 1);
	assert_string_equal(err_text, "ERROR: daos: failed to open container renamed: "
				      "DER_NONEXIST(-1005): entity does not exist\n");
}

/* --type POSIX needs libdfs: without it nothing is created, and the error says why. */
static void
posix_without_libdfs(void **state)
{
	(void)state;
	assert_int_equal(run("container create --type=POSIX tank c1"), 1);
	assert_string_equal(out_text, "");
	assert_string_equal(err_text,
			    "ERROR: daos: failed to create container: POSIX containers need libdfs "
			    "(dfs_cont_create), which this build does not have: DER_NOSYS(-1010): "
			    "function not implemented\n");
	assert_null(cont_find("c1"));
	assert_int_equal(fk.nr_connects, 0);
	assert_int_equal(run("-j cont create -t posix tank c1"), 1);
	has(out_text, "\"status\": -1010");
}

/* seed 003's advanced create goes to dfs_cont_create with its chunk size and classes. */
static void
posix_create(void **state)
{
	(void)state;
	if (run_ops(&posix_ops, "container create --type=POSIX --chunk-size=2097152 "
				"--properties=rd_fac:3,ec_cell_sz:131072,cksum:crc32,srv_cksum:on "
				"--file-oclass=EC_16P3GX --dir-oclass=RP_4G1 tank c1") != 0)
		fail_msg("%s", err_text);
	has(out_text, " type POSIX\n");
	assert_int_equal(fk.last_posix.chunk_size, 2097152);
	assert_int_equal(fk.last_posix.file_oclass, OC_EC_16P3GX);
	assert_int_equal(fk.last_posix.dir_oclass, OC_RP_4G1);
	assert_int_equal(fk.last_posix.oclass, 0);
	assert_true(last_has(DAOS_PROP_CO_REDUN_FAC, 3));
	assert_true(last_has(DAOS_PROP_CO_EC_CELL_SZ, 131072));
	assert_true(last_has(DAOS_PROP_CO_LAYOUT_TYPE, DAOS_PROP_CO_LAYOUT_POSIX));
	assert_int_equal(run_ops(&posix_ops, "cont create -t POSIX -z 1MiB -o SX tank c2"), 0);
	assert_int_equal(fk.last_posix.chunk_size, 1 << 20);
	assert_int_equal(fk.last_posix.oclass, OC_SX);
	ok("cont get-prop tank c2 layout_type");
	has(out_text, "Layout Type (layout_type) POSIX\n");
}

/* Bad flags and properties fail before anything is created; messages name the culprit. */
static void
create_errors(void **state)
{
	static const struct {
		const char *line;
		const char *err;
	} bad[] = {
		{ "cont create tank c --type HDF5 --chunk-size 1M",
		  "ERROR: daos: --chunk-size applies only to POSIX containers\n" },
		{ "cont create tank c --type FAT32",
		  "ERROR: daos: invalid container type \"FAT32\": expected POSIX, HDF5, PYTHON, "
		  "SPARK, DATABASE, ROOT, SEISMIC or METEO\n" },
		{ "cont create tank c --properties rd_fac:9",
		  "ERROR: daos: invalid value \"9\" for property rd_fac: expected 0-4\n" },
		{ "cont create tank c --properties rf_lvl:rack",
		  "ERROR: daos: invalid value \"rack\" for property rd_lvl: expected rank, node, 1, "
		  "2\n" },
		{ "cont create tank c --properties frob:1",
		  "ERROR: daos: unknown container property \"frob\"\n" },
		{ "cont create tank c --properties label:d",
		  "ERROR: daos: the label is given twice: as an argument and in --properties\n" },
		{ "cont create tank c --label d",
		  "ERROR: daos: the label is given twice: as an argument and with --label\n" },
		{ "cont create tank bad/label", "ERROR: daos: invalid label \"bad/label\"" },
		{ "cont create tank c -A /nonexistent.acl",
		  "ERROR: daos: cannot read ACL file /nonexistent.acl\n" },
		{ "cont create tank c --group no@such@", "ERROR: daos: invalid --group" },
		{ "cont create nopool c",
		  "ERROR: daos: failed to connect to pool nopool: DER_NONEXIST(-1005): entity does "
		  "not exist\n" },
		{ "cont create", "Run 'daos container create --help' for usage\n" },
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (run(bad[i].line) != 1)
			fail_msg("daos %s: exit code not 1", bad[i].line);
		has(err_text, bad[i].err);
		/* the last one is a usage error: no pool was given */
		if (i + 1 < ARRAY_SIZE(bad))
			assert_null(cont_find("c"));
	}
	assert_int_equal(run_ops(&posix_ops, "cont create -t POSIX --oclass=XX tank c"), 1);
	assert_string_equal(err_text, "ERROR: daos: unknown object class \"XX\" for --oclass\n");
	ok("cont create tank c --group team --user bob@ -t PYTHON");
	assert_string_equal(fk.conts[0].group, "team@");
}

/* set-prop refuses what DAOS refuses, naming the property, without calling libdaos. */
static void
set_prop_errors(void **state)
{
	(void)state;
	ok("cont create tank c");
	assert_int_equal(run("cont set-prop tank c rd_fac:1"), 1);
	assert_string_equal(err_text,
			    "ERROR: daos: property rd_fac can only be set at container create\n");
	assert_int_equal(run("cont set-prop tank c status:UNCLEAN"), 1);
	has(err_text, "expected healthy");
	assert_int_equal(run("cont set-prop tank c layout_type:POSIX"), 1);
	has(err_text, "set with --type at create");
	assert_int_equal(run("cont set-prop tank c"), 1);
	assert_string_equal(err_text,
			    "ERROR: daos: no properties given: expected key:value[,key:value]\n");
	assert_int_equal(run("cont get-prop tank c frob"), 1);
	assert_string_equal(err_text, "ERROR: daos: unknown container property \"frob\"\n");
	assert_int_equal(fk.nr_set_prop, 0);
	assert_int_equal(run("-j cont set-prop tank c rd_fac:1"), 1);
	assert_string_equal(
		out_text,
		"{\n  \"response\": null,\n  \"error\": \"property rd_fac can only be set "
		"at container create\",\n  \"status\": -1003\n}\n");
	assert_string_equal(err_text, "");
}

/* seed 003's sharing: update-acl for a user and a group, then get-prop shows them. */
static void
acl_commands(void **state)
{
	char path[] = "/tmp/dcli_acl_out.XXXXXX", line[256];
	int fd;

	(void)state;
	ok("cont create tank shared");
	ok("cont get-acl tank shared");
	assert_string_equal(out_text, "# Owner: alice@\n# Owner Group: users@\n# Entries:\n"
				      "A::OWNER@:rwdtTaAo\nA:G:GROUP@:rwtT\n");
	ok("cont update-acl -e A::pkcoff@:rw tank shared");
	has(out_text, "A::OWNER@:rwdtTaAo\nA::pkcoff@:rw\nA:G:GROUP@:rwtT\n");
	ok("cont update-acl -e A:G:users@:rwta tank shared");
	ok("cont get-prop tank shared acl");
	has(out_text, "Access Control List (acl) A::OWNER@:rwdtTaAo, A::pkcoff@:rw, "
		      "A:G:GROUP@:rwtT, A:G:users@:rwta\n");
	ok("cont update-acl --entry A::pkcoff@:r tank shared");
	has(out_text, "A::pkcoff@:r\n");
	ok("cont get-acl -V tank shared");
	has(out_text, "# Allow::pkcoff@:Read\nA::pkcoff@:r\n");

	assert_int_equal(run("cont update-acl -e A::pkcoff@:rc tank shared"), 1);
	has(err_text, "permissions must be among rwdtTaAo for a container");
	assert_int_equal(run("cont update-acl tank shared"), 1);
	has(err_text, "one of --entry and --acl-file is required");

	ok("cont delete-acl -P u:pkcoff@ tank shared");
	assert_null(strstr(out_text, "pkcoff"));
	ok("cont delete-acl --principal g:users@ tank shared");
	assert_null(strstr(out_text, "users@:"));
	assert_int_equal(run("cont delete-acl -P u:nobody@ tank shared"), 1);
	has(err_text, "failed to delete u:nobody@ from the ACL of container shared: "
		      "DER_NONEXIST(-1005)");

	/* get-acl --outfile, then overwrite-acl from that file */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(line, sizeof(line), "cont get-acl tank shared --outfile %s", path);
	assert_int_equal(run(line), 1);
	has(err_text, "file already exists: ");
	snprintf(line, sizeof(line), "cont get-acl tank shared -f -O %s", path);
	ok(line);
	has(out_text, "Wrote ACL to output file: ");
	ok("cont update-acl -e A::EVERYONE@:r tank shared");
	snprintf(line, sizeof(line), "cont overwrite-acl tank shared --acl-file %s", path);
	ok(line);
	assert_null(strstr(out_text, "EVERYONE@"));
	unlink(path);

	ok("cont set-owner -u bob -g staff@ tank shared");
	assert_string_equal(out_text, "Successfully set owner for container shared\n");
	assert_string_equal(fk.conts[0].owner, "bob@");
	assert_string_equal(fk.conts[0].group, "staff@");
	assert_int_equal(run("cont set-owner tank shared"), 1);
	has(err_text, "at least one of --user and --group is required");

	ok("-j cont get-acl tank shared");
	has(out_text, "\"owner_user\": \"bob@\"");
}

/* A user the ACL does not let in: the error line and JSON status carry -DER_NO_PERM. */
static void
no_permission(void **state)
{
	(void)state;
	ok("cont create tank secret");
	fk.conts[0].no_perm = true;
	assert_int_equal(run("cont get-prop tank secret"), 1);
	assert_string_equal(err_text, "ERROR: daos: failed to open container secret: "
				      "DER_NO_PERM(-1001): operation not permitted\n");
	assert_int_equal(run("-j cont query tank secret"), 1);
	has(out_text, "\"error\": \"failed to open container secret: DER_NO_PERM(-1001): "
		      "operation not permitted\"");
	has(out_text, "\"status\": -1001");
}

/* set-attr, get-attr, reset-* by <pool> <cont> --dfs-path and by a dfuse --path; chmod. */
/* UNS: create --path (pool from the dfuse mount), link, commands by --path, destroy. */
static void
uns_links(void **state)
{
	char uuid[37], value[256];
	int i;

	(void)state;
	/* In the dfuse mount of container c1: the mount names the pool. */
	ok("cont create tank c1 --type HDF5");
	if (run_ops(&posix_ops, "cont create --path /mnt/dfuse/sub --type POSIX --label u1") != 0)
		fail_msg("%s", err_text);
	has(out_text, "  Container Label: u1\n  Container Type : POSIX\n"
		      "  Container Path : /mnt/dfuse/sub\n");
	i = f_link_find("/mnt/dfuse/sub");
	assert_true(i >= 0);
	assert_true(f_links[i].dir);
	uuid_unparse_lower(cont_find("u1")->uuid, uuid);
	snprintf(value, sizeof(value), "DAOS.POSIX://%s/%s", POOL_UUID, uuid);
	assert_string_equal(f_links[i].value, value);
	/* HDF5 links are files; other types have none (nothing is created then) */
	ok("cont create tank h5 --type HDF5 --path /lustre/h5");
	assert_false(f_links[f_link_find("/lustre/h5")].dir);
	assert_int_equal(run("cont create tank py --type PYTHON --path /lustre/py"), 1);
	has(err_text, "--path links POSIX containers (a directory) and HDF5 ones (a file), not "
		      "PYTHON containers");
	assert_null(cont_find("py"));
	/* outside dfuse the pool must be given; a failed link leaves no container */
	assert_int_equal(run("cont create --path /lustre/x --type HDF5"), 1);
	has(err_text, "give the pool: /lustre/x is not in a dfuse mount, which would name it");
	assert_int_equal(run("cont create tank x2 --type HDF5 --path /lustre/h5"), 1);
	has(err_text, "cannot link the container at /lustre/h5: it exists: DER_EXIST");
	assert_null(cont_find("x2"));
	assert_int_equal(run("cont create tank x3 --type HDF5 --path /readonly/x"), 1);
	has(err_text, "its file system keeps no user.daos attribute");
	assert_null(cont_find("x3"));

	/* link an existing container; commands take --path for <pool> <container> */
	ok("cont link tank u1 -p /lustre/u1");
	has(out_text, "Successfully linked container u1 to path /lustre/u1\n");
	assert_string_equal(f_links[f_link_find("/lustre/u1")].value, value);
	ok("cont query --path /lustre/u1");
	has(out_text, "  Container Label            : u1\n");
	ok("cont get-prop --path /lustre/u1 label");
	has(out_text, "Label (label) u1\n");
	ok("cont set-attr -p /lustre/u1 color:blue");
	ok("cont get-attr --path=/lustre/u1 color");
	has(out_text, "blue");
	assert_int_equal(run("cont get-prop --path /lustre/u1 tank u1"), 1);
	has(err_text, "--path names the pool and the container: give only the other arguments");
	assert_int_equal(run("cont query --path /nowhere"), 1);
	has(err_text, "/nowhere is no UNS link (no user.daos attribute) and not in a dfuse mount");
	assert_int_equal(run("cont query --path /gone/x"), 1);
	has(err_text, "cannot resolve /gone/x: DER_NONEXIST");
	assert_int_equal(run("cont link tank u1"), 1);
	has(err_text, "the required flag `--path' was not specified");
	snprintf(f_links[3].path, sizeof(f_links[3].path), "/lustre/bad");
	snprintf(f_links[3].value, sizeof(f_links[3].value), "DAOS.POSIX:/x");
	assert_int_equal(run("cont query --path /lustre/bad"), 1);
	has(err_text, "its user.daos attribute \"DAOS.POSIX:/x\" is not DAOS.<TYPE>://<pool>/"
		      "<container>");

	/* destroy by a path in a container is refused; by a link, the link goes too */
	assert_int_equal(run("cont destroy --path /mnt/dfuse/some/dir"), 1);
	has(err_text, "/mnt/dfuse/some/dir is inside container ");
	assert_non_null(cont_find("c1"));
	ok("cont destroy --path /lustre/u1");
	assert_null(cont_find("u1"));
	assert_int_equal(f_link_find("/lustre/u1"), -1);
}

static void
fs_attrs(void **state)
{
	(void)state;
	ok("cont create tank c1");
	ok("fs set-attr tank c1 --dfs-path=/dir --oclass=EC_16P3G32 --chunk-size=4MiB");
	assert_string_equal(out_text, "");
	assert_int_equal(fdfs.dir_oclass, OC_EC_16P3G32);
	assert_int_equal(fdfs.dir_chunk, 4 << 20);
	ok("fs get-attr tank c1 -H /dir");
	assert_string_equal(out_text, "Object Class = EC_16P3G32\nObject Chunk Size = 4194304\n"
				      "Directory Object Class = EC_16P3G32\n"
				      "File Object Class = EC_16P3G32\n");
	ok("fs get-attr tank c1 --dfs-path=/mnt/x/dir/file --dfs-prefix=/mnt/x/");
	assert_string_equal(out_text, "Object Class = SX\nObject Chunk Size = 1048576\n");
	ok("-j fs get-attr --path=/mnt/dfuse/dir");
	has(out_text, "\"oclass\": \"EC_16P3G32\"");
	has(out_text, "\"chunk_size\": 4194304");
	ok("fs reset-chunk-size --path=/mnt/dfuse/dir");
	assert_int_equal(fdfs.dir_chunk, 0);
	assert_int_equal(fdfs.dir_oclass, OC_EC_16P3G32);
	ok("fs reset-oclass tank c1 --dfs-path=/dir");
	assert_int_equal(fdfs.dir_oclass, 0);
	ok("fs set-attr --path=/mnt/dfuse/dir --oclass=SX");
	ok("fs reset-attr --path=/mnt/dfuse/dir");
	assert_int_equal(fdfs.dir_oclass, 0);
	ok("fs chmod tank c1 -H /dir/file --mode=0600");
	assert_string_equal(fdfs.chmod_name, "file");
	assert_int_equal(fdfs.chmod_mode, 0600);

	/* refusals, each before or after opening, with every handle closed again */
	fdfs.set_calls = 0;
	assert_int_equal(run("fs set-attr tank c1 --dfs-path=/dir"), 1);
	has(err_text, "set-attr needs --oclass or --chunk-size");
	assert_int_equal(run("fs set-attr tank c1 --dfs-path=/dir --oclass=NOPE"), 1);
	has(err_text, "unknown object class \"NOPE\"");
	assert_int_equal(run("fs set-attr tank c1 --dfs-path=/dir --chunk-size=lots"), 1);
	has(err_text, "invalid chunk size \"lots\"");
	assert_int_equal(run("fs set-attr tank c1 --dfs-path=/dir/file --oclass=SX"), 1);
	has(err_text, "/dir/file is not a directory");
	assert_int_equal(run("fs get-attr tank c1 --dfs-path=/nothing"), 1);
	has(err_text, "failed to look up /nothing in container c1: DER_NONEXIST(-1005)");
	assert_int_equal(run("fs get-attr tank c1 --dfs-path=dir"), 1);
	has(err_text, "expected an absolute path");
	assert_int_equal(run("fs get-attr tank c1 --dfs-path=/dir --dfs-prefix=/mnt"), 1);
	has(err_text, "--dfs-path /dir is not under --dfs-prefix /mnt");
	assert_int_equal(run("fs get-attr --path=/elsewhere/dir"), 1);
	has(err_text, "/elsewhere/dir is not in a dfuse mount");
	assert_int_equal(run("fs get-attr --path=/mnt/dfuse/dir tank c1"), 1);
	has(err_text, "--path may not be combined");
	assert_int_equal(run("fs get-attr tank"), 1);
	has(err_text, "give either --path or <pool> <container>");
	assert_int_equal(run("fs chmod tank c1 -H /dir/file --mode=9"), 1);
	has(err_text, "invalid mode \"9\"");
	assert_int_equal(fdfs.set_calls, 0);

	ok("fs query /mnt/dfuse/dir");
	has(out_text, "Pool: " POOL_UUID "\n");
	has(out_text, "Mount point: /mnt/dfuse\n");
	has(out_text, "DFuse pid: 4242\n");
	has(out_text, "  Inodes: 7\n");
	has(out_text, "  Open files: 2\n");
	has(out_text, "  Containers: 1\n");
	ok("-j fs query /mnt/dfuse/dir");
	has(out_text, "\"open_files\": 2");
	assert_int_equal(run("fs query /elsewhere"), 1);
	ok("fs evict /mnt/dfuse/dir/file");
	assert_string_equal(f_evicted, "/mnt/dfuse/dir/file");
	has(out_text, "Evicted /mnt/dfuse/dir/file (inode 9)");
	assert_int_equal(run("fs evict /tmp/x"), 1);
	has(err_text, "not in a dfuse mount");
	assert_int_equal(run("fs evict"), 1);
}

/* The checker and scanner: flags, lines, JSON, refusals before connecting. */
static void
fs_check_scan(void **state)
{
	(void)state;
	ok("cont create tank c1");
	ok("fs check --flags=evict tank c1");
	assert_int_equal(fdfs.check_flags, DFS_CHECK_EVICT_ALL);
	assert_string_equal(out_text, "DFS checker: Start (2025-07-17-19:23:14)\n"
				      "DFS checker: Number of leaked OIDs in namespace = 1\n");
	ok("fs check --flags=print,relink --dir-name=found tank c1");
	assert_int_equal(fdfs.check_flags, DFS_CHECK_PRINT | DFS_CHECK_RELINK);
	assert_string_equal(fdfs.check_name, "found");
	has(out_text, "oid[0]: 281479271677952.7\n");
	ok("-j fs check -f relink -n found tank c1");
	has(out_text, "\"leaked\": 1");
	has(out_text, "\"lost_found\": \"/lost+found/found\"");
	ok("cont check tank c1");
	assert_int_equal(fdfs.check_flags, DFS_CHECK_VERIFY);

	fdfs.check_calls = 0;
	fk.nr_connects = 0;
	assert_int_equal(run("fs check --flags=remove,relink tank c1"), 1);
	assert_string_equal(err_text, "ERROR: daos: check flags remove and relink may not be "
				      "used together\n");
	assert_int_equal(run("fs check --flags=print,sweep tank c1"), 1);
	has(err_text, "unknown check flag \"sweep\"");
	assert_int_equal(run("fs check --dir-name=x tank c1"), 1);
	has(err_text, "--dir-name names the lost+found directory of relink");
	assert_int_equal(fdfs.check_calls, 0);
	assert_int_equal(fk.nr_connects, 0);
	assert_int_equal(run("fs check tank nope"), 1);
	has(err_text, "failed to check container nope: DER_NONEXIST(-1005)");

	ok("fs scan tank c1");
	assert_string_equal(out_text, "DFS scanner: Number of files: 3\n");
	ok("-j fs scan tank c1");
	has(out_text, "\"files\": 3");
	has(out_text, "\"max_depth\": 2");
	assert_int_equal(fdfs.scan_calls, 2);
}

/* fix-entry, fix-sb, fix-root: exclusive opens, what libdfs is asked, lines, refusals. */
static void
fs_fix(void **state)
{
	(void)state;
	ok("cont create tank c1");
	ok("fs fix-entry tank c1 --dfs-path=/dir/file --type --chunk-size=64KiB");
	assert_string_equal(out_text, "Fixing entry type of: /dir/file\n"
				      "Setting entry type to S_IFREG\n"
				      "Adjusting chunk size of /dir/file to 65536\n");
	assert_int_equal(fk.last_cont_flags, DAOS_COO_EX);
	assert_string_equal(fdfs.fix_name, "file");
	assert_int_equal(fdfs.fix_chunk, 65536);
	ok("-j fs fix-entry --path=/mnt/dfuse/dir/ -t");
	has(out_text, "\"path\": \"/dir\"");
	has(out_text, "\"type\": \"S_IFDIR\"");
	assert_string_equal(fdfs.fix_name, "dir");

	assert_int_equal(run("fs fix-entry tank c1 -H /dir/file"), 1);
	has(err_text, "fix-entry needs --type, --chunk-size or both");
	assert_int_equal(run("fs fix-entry tank c1 -t"), 1);
	has(err_text, "fix-entry needs the entry: --dfs-path with <pool> <container>, or --path");
	assert_int_equal(run("fs fix-entry tank c1 -H / -t"), 1);
	has(err_text, "the root directory has no entry to fix: daos fs fix-root relinks it");
	assert_int_equal(run("fs fix-entry tank c1 -H /dir/file -z 0"), 1);
	has(err_text, "invalid chunk size \"0\"");
	assert_int_equal(run("fs fix-entry tank c1 -H /dir -z 1MiB"), 1);
	has(err_text, "/dir is not a regular file");
	assert_int_equal(run("fs fix-entry tank c1 -H /dir/nothing -t"), 1);
	has(err_text, "failed to fix the type of /dir/nothing: DER_NONEXIST(-1005)");

	/* fix-sb: every option reaches the new superblock, which then mounts */
	fdfs.mount_fail = ENOENT;
	ok("fs fix-sb tank c1 -M balanced -z 2MiB -o SX -D S1 -F EC_16P3G32 -H file:max");
	assert_string_equal(out_text, "Recreated the DFS superblock of container c1\n");
	assert_int_equal(fk.last_cont_flags, DAOS_COO_EX);
	assert_int_equal(fdfs.sb_attr.da_mode, DFS_BALANCED);
	assert_int_equal(fdfs.sb_attr.da_chunk_size, 2 << 20);
	assert_int_equal(fdfs.sb_attr.da_oclass_id, OC_SX);
	assert_int_equal(fdfs.sb_attr.da_dir_oclass_id, OC_S1);
	assert_int_equal(fdfs.sb_attr.da_file_oclass_id, OC_EC_16P3G32);
	assert_string_equal(fdfs.sb_attr.da_hints, "file:max");
	ok("fs fix-sb tank c1");
	assert_int_equal(fdfs.sb_attr.da_mode, DFS_RELAXED);
	assert_int_equal(fdfs.sb_attr.da_chunk_size, 0);
	fdfs.nr_recreate_calls = 0;
	assert_int_equal(run("fs fix-sb tank c1 -M strict"), 1);
	has(err_text, "invalid mode \"strict\": expected relaxed or balanced");
	assert_int_equal(run("fs fix-sb tank c1 --chunk-size=0"), 1);
	has(err_text, "invalid chunk size \"0\"");
	assert_int_equal(run("fs fix-sb tank c1 --dir-oclass=NOPE"), 1);
	has(err_text, "unknown object class \"NOPE\"");
	assert_int_equal(
		run("fs fix-sb tank c1 -H "
		    "file:max,dir:single,file:max,dir:single,file:max,dir:single,file:max,"
		    "dir:single,file:max,dir:single,file:max,dir:single,file:max,dir:single"),
		1);
	has(err_text, "are too long: at most 127 characters");
	assert_int_equal(fdfs.nr_recreate_calls, 0);

	/* fix-root: nothing to do, relinked, or the superblock must come first */
	ok("fs fix-root tank c1");
	assert_string_equal(out_text, "Root object already linked in SB\n");
	assert_int_equal(fdfs.nr_relink_calls, 0);
	fdfs.mount_fail = ENOENT;
	ok("fs fix-root tank c1");
	assert_string_equal(out_text, "Relinked the root directory of container c1\n");
	assert_int_equal(fdfs.nr_relink_calls, 1);
	fdfs.mount_fail = ENOENT;
	fdfs.no_sb = true;
	assert_int_equal(run("fs fix-root tank c1"), 1);
	has(err_text, "container c1 has no DFS superblock: recreate it with daos fs fix-sb first");

	/* another handle open: the exclusive open is refused, and the message says why */
	fk.conts[0].busy = true;
	assert_int_equal(run("fs fix-root tank c1"), 1);
	has(err_text, "failed to open container c1 exclusively (unmount dfuse and stop other users "
		      "first): DER_BUSY(-1012)");
	assert_int_equal(run("fs fix-entry tank c1 -H /dir/file -t"), 1);
	has(err_text, "DER_BUSY(-1012)");
}

/* Copy refuses what it cannot copy before touching anything. */
static void
fs_copy_errors(void **state)
{
	(void)state;
	ok("cont create tank c1");
	assert_int_equal(run("fs copy --src /tmp --dst daos://tank"), 1);
	assert_string_equal(err_text, "ERROR: daos: invalid --dst daos://tank: expected a POSIX "
				      "path or daos://<pool>/<container>[/<path>]\n");
	assert_int_equal(run("fs copy --src daos:///c1/x --dst /tmp/y"), 1);
	has(err_text, "invalid --src daos:///c1/x");
	assert_int_equal(run("fs copy --src /tmp/a --dst /tmp/b"), 1);
	has(err_text, "--src or --dst must be a daos://<pool>/<container> path");
	assert_int_equal(run("fs copy --src /tmp/a"), 1);
	has(err_text, "copy needs --src and --dst");
	assert_int_equal(run("fs copy --src /nonexistent/x --dst daos://tank/c1"), 1);
	has(err_text, "failed to stat /nonexistent/x: DER_NONEXIST(-1005)");
	assert_int_equal(run("fs copy --src daos://tank/nope --dst /tmp/x"), 1);
	has(err_text, "failed to open container nope");
}

static void
attributes(void **state)
{
	char line[1024], big[700];

	(void)state;
	ok("cont create tank c");
	ok("cont set-attr tank c owner.team:storage,purpose:a:b");
	assert_string_equal(out_text, "");
	ok("cont list-attrs tank c");
	assert_string_equal(out_text, "Attributes for container c:\nName\n----\nowner.team\n"
				      "purpose\n");
	ok("cont lsattr -V tank c");
	has(out_text, "purpose    a:b\n");
	ok("cont get-attr tank c purpose");
	assert_string_equal(out_text, "Attributes for container c:\nName    Value\n"
				      "----    -----\npurpose a:b\n");
	assert_int_equal(run("cont get-attr tank c nope"), 1);
	has(err_text, "failed to get attribute nope of container c: DER_NONEXIST(-1005)");
	ok("cont del-attr tank c purpose");
	ok("cont get-attr tank c");
	assert_null(strstr(out_text, "purpose"));

	/* a value larger than the first guess is fetched again */
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(line, sizeof(line), "pool set-attr tank big:%s,small:x", big);
	ok(line);
	ok("-j pool get-attr tank big");
	has(out_text, big);
	ok("pool list-attrs tank");
	assert_string_equal(out_text, "Attributes for pool tank:\nName\n----\nbig\nsmall\n");
	ok("pool del-attr tank big,small");
	ok("pool list-attrs -V tank");
	assert_string_equal(out_text, "Attributes for pool tank:\n  No attributes found.\n");
	assert_int_equal(run("pool set-attr tank novalue"), 1);
	assert_string_equal(err_text,
			    "ERROR: daos: invalid attribute \"novalue\": expected name:value\n");
}

static void
snapshots(void **state)
{
	(void)state;
	ok("cont create tank c");
	ok("cont create-snap tank c -s before");
	assert_string_equal(out_text, "snapshot/epoch 0x10000000000 has been created "
				      "(timestamp: 2021-01-01 00:01:08)\n");
	ok("cont snap tank c");
	ok("cont create-snap --snap after tank c");
	ok("cont list-snaps tank c");
	assert_string_equal(out_text, "Container's snapshots :\n"
				      "Epoch         Timestamp           Name\n"
				      "-----         ---------           ----\n"
				      "0x10000000000 2021-01-01 00:01:08 before\n"
				      "0x10100000000 2021-01-01 00:01:08\n"
				      "0x10200000000 2021-01-01 00:01:09 after\n");
	ok("cont query tank c");
	has(out_text, "  Number of snapshots        : 3\n");
	has(out_text, "  Latest Persistent Snapshot : 0x10200000000\n");
	ok("cont destroy-snap tank c --snap before");
	assert_string_equal(out_text, "snapshot/epoch 0x10000000000 has been destroyed\n");
	ok("cont destroy-snap tank c --epcrange 0x10100000000-0x10200000000");
	assert_string_equal(out_text, "snapshots/epochs 0x10100000000-0x10200000000 have been "
				      "destroyed\n");
	ok("cont list-snaps tank c");
	assert_string_equal(out_text, "No snapshots.\n");
	assert_int_equal(run("cont destroy-snap tank c --snap gone"), 1);
	has(err_text, "no snapshot named \"gone\" in container c: DER_NONEXIST(-1005)");
	assert_int_equal(run("cont destroy-snap tank c --epc 5 --snap x"), 1);
	has(err_text, "exactly one of --epc, --epcrange and --snap is required");
	assert_int_equal(run("cont destroy-snap tank c --epcrange 9-3"), 1);
	has(err_text, "invalid --epcrange \"9-3\"");
	assert_int_equal(run("cont destroy-snap tank c -e 42"), 1);
	has(err_text, "failed to destroy snapshots of container c: DER_NONEXIST(-1005)");
	ok("-j cont list-snaps tank c");
	has(out_text, "\"response\": []");
}

static void
pool_query(void **state)
{
	(void)state;
	ok("pool query tank");
	assert_string_equal(out_text,
			    "Pool " POOL_UUID ", ntarget=8, disabled=4, leader=1, version=3, "
			    "state=TargetsExcluded\n"
			    "Pool health info:\n"
			    "- Disabled ranks: 1\n"
			    "- Rebuild done, 12 objs, 340 recs\n"
			    "Pool space info:\n"
			    "- Target count:4\n"
			    "- Storage tier 0 (SCM):\n"
			    "  Total size: 1.0 GB\n"
			    "  Free: 900 MB, min:220 MB, max:230 MB, mean:225 MB\n"
			    "- Storage tier 1 (NVMe):\n"
			    "  Total size: 0 B\n"
			    "  Free: 0 B, min:0 B, max:0 B, mean:0 B\n");
	ok("pool query --show-enabled --health-only tank");
	assert_string_equal(out_text,
			    "Pool " POOL_UUID ", ntarget=8, disabled=4, leader=1, version=3, "
			    "state=TargetsExcluded\n"
			    "Pool health info:\n"
			    "- Enabled ranks: 0\n"
			    "- Disabled ranks: 1\n"
			    "- Rebuild done, 12 objs, 340 recs\n");
	ok("-j pool query tank");
	has(out_text, "\"uuid\": \"" POOL_UUID "\"");
	has(out_text, "\"label\": \"tank\"");
	has(out_text, "\"status\": 0");
	assert_int_equal(run("pool query nopool"), 1);
	assert_string_equal(err_text, "ERROR: daos: failed to connect to pool nopool: "
				      "DER_NONEXIST(-1005): entity does not exist\n");
}

static void
object_query(void **state)
{
	(void)state;
	ok("cont create tank c");
	ok("obj query tank c 2251808403619840.9");
	assert_string_equal(out_text, "oid: 2251808403619840.9 ver 2 grp_nr: 2\n"
				      "  Object Class: RP_2G2\n"
				      "  Redundancy  : 2 replicas\n"
				      "  Group size  : 2\n"
				      "  Ranks       : [0-1]\n");
	assert_int_equal(run("object query tank c 12"), 1);
	assert_string_equal(err_text,
			    "ERROR: daos: invalid object ID \"12\": expected <hi>.<lo>\n");
	assert_int_equal(run("obj query tank c 0.1"), 1);
	has(err_text, "object 0.1 has no class");
}

static void
autotest(void **state)
{
	(void)state;
	ok("pool autotest tank --skip-big -D 20");
	has(out_text, "Step  Operation                    Status Time(sec)  Comment\n");
	has(out_text, "   0  Initializing DAOS            PASS  ");
	has(out_text, "   1  Connecting to pool           PASS  ");
	has(out_text, "  11  Generating 10K SX layouts    PASS  ");
	has(out_text, "  21  Reading 128B values          PASS  ");
	has(out_text, "10000 values\n");
	has(out_text, "  28  Inserting 1MB values         SKIP  ");
	has(out_text, "  40  Inserting into RF1 cont      SKIP  ");
	has(out_text, "needs 2 fault domains, pool has 1\n");
	has(out_text, "  99  Tearing down DAOS            PASS  ");
	has(out_text, "\nAll steps passed.\n");
	assert_null(cont_find("autotest"));
	assert_false(fk.conts[0].used);

	fk.fail_update = true;
	assert_int_equal(run("pool autotest -S tank"), 1);
	has(out_text, "  20  Inserting 128B values        FAIL  ");
	has(out_text, "DER_NOSPACE(-1007) after 0 values\n");
	has(out_text, "  97  Destroying containers        PASS  ");
	has(out_text, "\nSome steps failed.\n");
	assert_string_equal(err_text, "ERROR: daos: pool autotest of tank failed: "
				      "DER_NOSPACE(-1007): no space left on storage target\n");
	assert_false(fk.conts[0].used);

	assert_int_equal(run("pool autotest nopool"), 1);
	has(out_text, "   1  Connecting to pool           FAIL  ");
	has(out_text, "  99  Tearing down DAOS            PASS");
	assert_null(strstr(out_text, "  97  "));
	fk.fail_update = false;
	ok("-j pool autotest -S tank");
	has(out_text, "\"passed\": true");
}

static void
help_and_version(void **state)
{
	(void)state;
	ok("container create --help");
	has(out_text, "Usage:\n  daos container create [OPTIONS] <pool> [<label>]\n");
	has(out_text, "  -z, --chunk-size=");
	/* --path stands for the pool here, and is listed once */
	has(out_text, "  -p, --path=");
	assert_null(strstr(strstr(out_text, "--path=") + 1, "--path="));
	ok("container query --help");
	has(out_text, "\nCommand Options:\n  -p, --path=");
	ok("version");
	assert_string_equal(out_text, "daos version " DAOS_VERSION "\n");
	assert_int_equal(run("cont frob"), 1);
	has(err_text, "ERROR: daos: Unknown command `frob'. Please specify one command of: create");
	assert_int_equal(run("cont query tank"), 1);
	assert_string_equal(err_text, "ERROR: daos: the required argument `<pool> <container>' "
				      "was not provided\n"
				      "Run 'daos container query --help' for usage\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(cont_life_cycle, setup, teardown),
		cmocka_unit_test_setup_teardown(posix_without_libdfs, setup, teardown),
		cmocka_unit_test_setup_teardown(posix_create, setup, teardown),
		cmocka_unit_test_setup_teardown(create_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(set_prop_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(acl_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(no_permission, setup, teardown),
		cmocka_unit_test_setup_teardown(uns_links, setup, teardown),
		cmocka_unit_test_setup_teardown(fs_attrs, setup, teardown),
		cmocka_unit_test_setup_teardown(fs_check_scan, setup, teardown),
		cmocka_unit_test_setup_teardown(fs_fix, setup, teardown),
		cmocka_unit_test_setup_teardown(fs_copy_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(attributes, setup, teardown),
		cmocka_unit_test_setup_teardown(snapshots, setup, teardown),
		cmocka_unit_test_setup_teardown(pool_query, setup, teardown),
		cmocka_unit_test_setup_teardown(object_query, setup, teardown),
		cmocka_unit_test_setup_teardown(autotest, setup, teardown),
		cmocka_unit_test_setup_teardown(help_and_version, setup, teardown),
	};

	d_log_init();
	return cmocka_run_group_tests_name("dcli_cmd", tests, NULL, NULL);
}
