/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cl_ext.h - what our libdaos offers beyond DAOS's daos.h, for dfuse of this tree (not
 * installed; applications use daos.h).
 */
#ifndef CL_EXT_H
#define CL_EXT_H

#include <daos_event.h>

/*
 * daos_eq_poll(eqh, 0, @timeout, ...) for a caller that waits long operations and has
 * other work arriving on @fd (-1: none): it sleeps at once instead of spinning first (a
 * spinner takes the core the engine needs when busy threads outnumber cores), and
 * returns, with what has completed (maybe nothing), as soon as @fd is readable. @timeout
 * in microseconds, at least 0. The number of events, or a negative DER code.
 */
int daos_eq_poll_fd(daos_handle_t eqh, int fd, int64_t timeout, unsigned int nevents,
		    daos_event_t **events);

#endif /* CL_EXT_H */
