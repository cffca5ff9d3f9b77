/* SPDX-License-Identifier: Apache-2.0 */
/* common_int.h - private to src/common. */
#ifndef COMMON_INT_H
#define COMMON_INT_H

#include <gurt/common.h>

#endif
