/* SPDX-License-Identifier: Apache-2.0 */
/* gurt/errno.h - the DER_* codes; see daos_errno.h. */
#ifndef GURT_ERRNO_H
#define GURT_ERRNO_H
#include <daos_errno.h>
#endif
