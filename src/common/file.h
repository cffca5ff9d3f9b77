/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/file.h - small file helpers shared by the daemons.
 */
#ifndef COMMON_FILE_H
#define COMMON_FILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Replace the file at @path with @len bytes at @buf, atomically: write a temporary file
 * next to it (@path.tmp, mode @mode), fsync it, rename it over @path, fsync the directory.
 * A crash leaves the old contents or the new ones, never a mix. Returns 0 or -DER_*
 * (the temporary file is removed on failure; the error is logged with the path).
 */
int d_file_write_atomic(const char *path, const void *buf, size_t len, mode_t mode);

#endif /* COMMON_FILE_H */
