/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daos_version.h - the version of the libdaos API these headers describe. Programs
 * test it at compile time (IOR, fio) and daos_version_get() reports the library's.
 */
#ifndef DAOS_VERSION_H
#define DAOS_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

#define DAOS_API_VERSION_MAJOR 2
#define DAOS_API_VERSION_MINOR 6
#define DAOS_API_VERSION_FIX 0

/* The API version of the linked library. 0 or -DER_INVAL if a pointer is NULL. */
int daos_version_get(int *major, int *minor, int *fix);

#ifdef __cplusplus
}
#endif

#endif /* DAOS_VERSION_H */
