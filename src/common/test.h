/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/test.h - what every cmocka unit test includes (and nothing else of cmocka's):
 * the headers cmocka needs first, cmocka, the gurt basics, and helpers to check that a
 * test left no allocation behind.
 */
#ifndef COMMON_TEST_H
#define COMMON_TEST_H

#include <gurt/common.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

/* Remember the live allocation count; check it with TEST_ALLOC_CHECK(). */
#define TEST_ALLOC_MARK() uint64_t test_alloc_mark__ = d_alloc_nr_live()
#define TEST_ALLOC_CHECK() assert_int_equal(d_alloc_nr_live(), test_alloc_mark__)

/* A fresh temporary directory for one test; the caller frees the string. */
static inline char *
test_tmpdir(const char *tag)
{
	char *path = NULL;
	const char *base = getenv("TMPDIR");

	if (d_asprintf(&path, "%s/%s.XXXXXX", base ? base : "/tmp", tag) < 0)
		return NULL;
	if (mkdtemp(path) == NULL) {
		d_free(path);
		return NULL;
	}
	return path;
}

/*
 * A TCP port on 127.0.0.1 the kernel just found free (for daemons a test starts; the
 * next few ports are most likely free too).
 */
static inline int
test_free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int port;

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port > 65000 ? 40000 : port;
}

/*
 * Wait up to @timeout_ms for child @pid: its exit status, 128 + the signal that killed
 * it, or -1 after killing it (SIGKILL) when it did not exit in time.
 */
static inline int
test_wait_exit(pid_t pid, int timeout_ms)
{
	int status;
	int i;

	for (i = 0; i < timeout_ms; i += 10) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

#endif /* COMMON_TEST_H */
