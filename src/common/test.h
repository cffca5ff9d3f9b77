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
#include <stdbool.h>
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

static inline bool
test_port_free(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/*
 * The first of @count consecutive TCP ports on 127.0.0.1 that are free now (an engine
 * listens on fabric_iface_port and the next `targets` ports). They are taken below the
 * kernel's ephemeral range (32768 and up), so outgoing connections cannot grab them
 * between this call and the daemon's start, and never handed out twice in a process.
 */
static inline int
test_free_ports(unsigned int count)
{
	static int next;
	int tries;

	if (next == 0)
		next = 20000 + (int)(getpid() % 1000) * 12;
	for (tries = 0; tries < 2000; tries++) {
		int base = next;
		unsigned int i;
		bool ok = true;

		next += (int)count;
		if (next > 32000)
			next = 20000;
		if (base + (int)count > 32000)
			continue;
		for (i = 0; i < count && ok; i++)
			ok = test_port_free(base + (int)i);
		if (ok)
			return base;
	}
	fail_msg("no %u consecutive free ports below 32000", count);
	return -1;
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

/*
 * Run @call, which prints to `f` (a FILE * it may name), and leave what it printed in
 * @buf, a new string for free(): TEST_CAPTURE(out, print_table(f, &t)).
 */
#define TEST_CAPTURE(buf, call)                          \
	do {                                             \
		size_t len_ = 0;                         \
		FILE *f = open_memstream(&(buf), &len_); \
		assert_non_null(f);                      \
		call;                                    \
		fclose(f);                               \
	} while (0)

/* Split @line in place at blanks into at most @max words in @argv; the number of words. */
static inline int
test_split_words(char *line, char **argv, int max)
{
	char *save = NULL, *p;
	int argc = 0;

	for (p = strtok_r(line, " ", &save); p != NULL && argc < max;
	     p = strtok_r(NULL, " ", &save))
		argv[argc++] = p;
	return argc;
}

#endif /* COMMON_TEST_H */
