/* SPDX-License-Identifier: Apache-2.0 */
/*
 * notify_tests.c - d_sd_notify: the datagram reaches a socket bound at a path and one in
 * the abstract namespace, exactly as given; no $NOTIFY_SOCKET means nothing to do; bad
 * addresses and absent listeners are errors.
 */
#define D_LOGFAC DD_FAC(tests)

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "common/notify.h"
#include "common/test.h"

/* Bind a datagram socket at @name ('@' first: abstract); returns its descriptor. */
static int
bind_dgram(const char *name)
{
	struct sockaddr_un sa;
	size_t len = strlen(name);
	int fd;

	assert_true(len < sizeof(sa.sun_path));
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, name, len);
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa,
			      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)),
			 0);
	return fd;
}

/* Read one datagram from @fd without waiting (d_sd_notify has sent it already). */
static void
expect_datagram(int fd, const char *text)
{
	char buf[128];
	ssize_t n;

	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, text);
}

static void
ready_at_path(void **state)
{
	char *dir = test_tmpdir("notify");
	char path[512];
	int fd;

	(void)state;
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/notify.sock", dir);
	fd = bind_dgram(path);
	assert_int_equal(setenv("NOTIFY_SOCKET", path, 1), 0);
	assert_int_equal(d_sd_notify("READY=1"), 0);
	expect_datagram(fd, "READY=1");
	assert_int_equal(d_sd_notify("STATUS=serving\nREADY=1"), 0);
	expect_datagram(fd, "STATUS=serving\nREADY=1");
	close(fd);
	/* The socket file remains but nobody listens: refused, reported */
	assert_int_not_equal(d_sd_notify("READY=1"), 0);
	unlink(path);
	assert_int_equal(d_sd_notify("READY=1"), -DER_NONEXIST);
	unsetenv("NOTIFY_SOCKET");
	rmdir(dir);
	d_free(dir);
}

static void
ready_abstract(void **state)
{
	char name[64];
	int fd;

	(void)state;
	snprintf(name, sizeof(name), "@daos-notify-test-%d", (int)getpid());
	fd = bind_dgram(name);
	assert_int_equal(setenv("NOTIFY_SOCKET", name, 1), 0);
	assert_int_equal(d_sd_notify("READY=1"), 0);
	expect_datagram(fd, "READY=1");
	close(fd);
	unsetenv("NOTIFY_SOCKET");
}

static void
no_socket_or_bad_address(void **state)
{
	char long_path[200];

	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(d_sd_notify("READY=1"), 0);
	assert_int_equal(setenv("NOTIFY_SOCKET", "", 1), 0);
	assert_int_equal(d_sd_notify("READY=1"), 0);
	assert_int_equal(d_sd_notify(NULL), -DER_INVAL);
	assert_int_equal(setenv("NOTIFY_SOCKET", "relative/notify", 1), 0);
	assert_int_equal(d_sd_notify("READY=1"), -DER_INVAL);
	assert_int_equal(setenv("NOTIFY_SOCKET", "@", 1), 0);
	assert_int_equal(d_sd_notify("READY=1"), -DER_INVAL);
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = '\0';
	assert_int_equal(setenv("NOTIFY_SOCKET", long_path, 1), 0);
	assert_int_equal(d_sd_notify("READY=1"), -DER_INVAL);
	unsetenv("NOTIFY_SOCKET");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ready_at_path),
		cmocka_unit_test(ready_abstract),
		cmocka_unit_test(no_socket_or_bad_address),
	};

	return cmocka_run_group_tests_name("notify", tests, NULL, NULL);
}
