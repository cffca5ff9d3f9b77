/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client_api_conformance.c - runs a conformance program of tests/api against the fake
 * agent and engine of fake_server.h, in this process. The program is compiled with
 * -Dmain=api_program_main (src/client/meson.build), so its own main() becomes the one
 * called here, once the fake is up and DAOS_POOL names its pool. Only programs whose
 * every check the fake can answer are run this way (kv_array); the rest need the real
 * engine (tests/system/test_api.py).
 */
#include <stdlib.h>

#include "client/tests/fake_server.h"

int api_program_main(void);

int
main(void)
{
	int rc;

	if (fake_start() != 0)
		return 1;
	setenv("DAOS_POOL", FAKE_POOL_LABEL, 1);
	rc = api_program_main();
	fake_stop();
	return rc;
}
