/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daos_mgmt.h - what libdaos offers of system management. Pools are created and
 * destroyed by dmg through the control plane, not here.
 */
#ifndef DAOS_MGMT_H
#define DAOS_MGMT_H

#include <daos_event.h>
#include <daos_types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The agent's view of system @sys (NULL: the default) in a new *info, released with
 * daos_mgmt_put_sys_info().
 */
int daos_mgmt_get_sys_info(const char *sys, struct daos_sys_info **info);
void daos_mgmt_put_sys_info(struct daos_sys_info *info);

#ifdef __cplusplus
}
#endif

#endif /* DAOS_MGMT_H */
