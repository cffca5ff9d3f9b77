/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control/tests/cli_test.h - what the unit tests of dmg and daos share to drive their
 * command lines: parse a line against a tool's spec, and check a list of lines that must
 * be refused with their messages.
 */
#ifndef CONTROL_TESTS_CLI_TEST_H
#define CONTROL_TESTS_CLI_TEST_H

#include "common/test.h"
#include "control/cli.h"

/* Parse @line, words split at blanks (the first is the program), against @spec. */
static inline int
cli_test_parse(const struct cli_spec *spec, const char *line, struct cli_args *a,
	       const struct cli_cmd **cmd, char *err, size_t len)
{
	static char buf[1024];
	char *argv[32], path[128];
	int argc;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = test_split_words(buf, argv, 32);
	err[0] = '\0';
	return cli_args_parse(spec, argc, argv, a, cmd, path, sizeof(path), err, len);
}

/* A command line the parser refuses, and a part of its message. */
struct cli_test_bad {
	const char *line;
	const char *msg;
};

/* Each of @bad fails with -DER_INVAL and a message containing its msg. */
static inline void
cli_test_refused(const struct cli_spec *spec, const struct cli_test_bad *bad, size_t nr)
{
	const struct cli_cmd *cmd;
	struct cli_args a;
	char err[256];
	size_t i;

	for (i = 0; i < nr; i++) {
		assert_int_equal(cli_test_parse(spec, bad[i].line, &a, &cmd, err, sizeof(err)),
				 -DER_INVAL);
		if (strstr(err, bad[i].msg) == NULL)
			fail_msg("%s: got \"%s\"", bad[i].line, err);
	}
}

#endif /* CONTROL_TESTS_CLI_TEST_H */
