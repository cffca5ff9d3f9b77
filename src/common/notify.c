/* SPDX-License-Identifier: Apache-2.0 */
/*
 * notify.c - systemd's readiness protocol (interface in notify.h), written out rather than
 * linked from libsystemd: the protocol is one datagram on a UNIX socket, and the daemons
 * would otherwise carry a library for it. An address starting with '@' is in the abstract
 * namespace: the '@' becomes a NUL byte and the address length excludes any terminator.
 */
#define D_LOGFAC DD_FAC(common)

#include "common/notify.h"

#include <errno.h>
#include <gurt/common.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

D_EXPORT int
d_sd_notify(const char *state)
{
	struct sockaddr_un sa;
	const char *path;
	socklen_t sa_len;
	size_t path_len;
	size_t len;
	ssize_t n;
	int fd;
	int rc = 0;

	if (state == NULL)
		return -DER_INVAL;
	path = getenv("NOTIFY_SOCKET");
	if (path == NULL || *path == '\0')
		return 0;
	path_len = strlen(path);
	/* vsock: and other forms of newer systemd are not needed by our units. */
	if ((path[0] != '/' && path[0] != '@') || path_len >= sizeof(sa.sun_path) ||
	    (path[0] == '@' && path_len < 2))
		return -DER_INVAL;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, path_len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	sa_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + path_len);

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -daos_errno2der(errno);
	len = strlen(state);
	do {
		n = sendto(fd, state, len, MSG_NOSIGNAL | MSG_DONTWAIT, (struct sockaddr *)&sa,
			   sa_len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		rc = -daos_errno2der(errno);
	else if ((size_t)n != len)
		rc = -DER_IO;
	close(fd);
	return rc;
}
