/* SPDX-License-Identifier: Apache-2.0 */
/*
 * file.c - atomic file replacement (interface in file.h): superblocks, bdev descriptions
 * and the MS database are written this way.
 */
#define D_LOGFAC DD_FAC(common)

#include "common/file.h"

#include <errno.h>
#include <fcntl.h>
#include <gurt/common.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int
fsync_parent(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd;
	int rc;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -daos_errno2der(errno);
	rc = fsync(fd) == 0 ? 0 : -daos_errno2der(errno);
	close(fd);
	return rc;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -daos_errno2der(errno);
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

D_EXPORT int
d_file_write_atomic(const char *path, const void *buf, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	int fd;
	int rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -DER_INVAL;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		rc = -daos_errno2der(errno);
		D_ERROR("could not write %s: " DF_RC, tmp, DP_RC(rc));
		return rc;
	}
	rc = write_all(fd, buf, len);
	if (rc == 0 && fsync(fd) != 0)
		rc = -daos_errno2der(errno);
	if (close(fd) != 0 && rc == 0)
		rc = -daos_errno2der(errno);
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -daos_errno2der(errno);
	if (rc == 0)
		rc = fsync_parent(path);
	if (rc != 0) {
		D_ERROR("could not write %s: " DF_RC, path, DP_RC(rc));
		unlink(tmp);
	}
	return rc;
}
