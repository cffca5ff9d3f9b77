/* SPDX-License-Identifier: Apache-2.0 */
/* gurt/hlc.h - the hybrid logical clock (placeholder; being written). */
#ifndef GURT_HLC_H
#define GURT_HLC_H
#endif
