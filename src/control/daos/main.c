/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - daos, the DAOS user CLI: wires libdaos (dcli_libdaos_ops) to dcli_run(), which
 * parses, runs and reports. See README.md.
 */
#define D_LOGFAC DD_FAC(control)

#include "control/daos/dcli_int.h"

int
main(int argc, char **argv)
{
	int rc;

	d_log_init();
	rc = dcli_run(&dcli_libdaos_ops, argc, argv, stdout, stderr);
	d_log_fini();
	return rc;
}
