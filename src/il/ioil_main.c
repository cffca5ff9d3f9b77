/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ioil_main.c - what makes libioil.so libioil: the data path of il_io.c alone. Opens go
 * to the kernel; a dfuse file's fd is then served by libdfs (il_attach_fd()).
 */
#include "il/il_int.h"

const struct il_lib_desc il_lib = {
	.name = "libioil",
	.paths = false,
};
