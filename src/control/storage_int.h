/* SPDX-License-Identifier: Apache-2.0 */
/* control/storage_int.h - shared between storage.c and storage_conf.c. */
#ifndef CONTROL_STORAGE_INT_H
#define CONTROL_STORAGE_INT_H

#include <stddef.h>

/* Write @len bytes to @path atomically (temporary file, fsync, rename, fsync of the dir). */
int storage_write_atomic(const char *path, const void *buf, size_t len);

#endif /* CONTROL_STORAGE_INT_H */
