/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daos.h - the DAOS client API (libdaos). Functions return 0 or a negative -DER_*
 * code; those taking a daos_event_t run asynchronously when given one.
 */
#ifndef DAOS_H
#define DAOS_H

#include <daos_api.h>
#include <daos_array.h>
#include <daos_cont.h>
#include <daos_event.h>
#include <daos_kv.h>
#include <daos_mgmt.h>
#include <daos_obj.h>
#include <daos_pool.h>
#include <daos_prop.h>
#include <daos_security.h>
#include <daos_types.h>
#include <daos_version.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Start the library; calls nest, each needing a daos_fini(). */
int daos_init(void);
/* Undo one daos_init(); the last one tears the library down. */
int daos_fini(void);
/* Re-initialise in a child after fork(); event queues must be created anew. */
int daos_reinit(void);

#ifdef __cplusplus
}
#endif

#endif /* DAOS_H */
