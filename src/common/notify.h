/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/notify.h - tell the service manager about a daemon's state (systemd's sd_notify
 * protocol), without libsystemd.
 */
#ifndef COMMON_NOTIFY_H
#define COMMON_NOTIFY_H

/*
 * Send @state ("READY=1", "STOPPING=1", newline-separated assignments) as one datagram to
 * the UNIX socket named by $NOTIFY_SOCKET: a path ("/run/systemd/notify") or an abstract
 * name ("@name"). Without $NOTIFY_SOCKET (not started by systemd, or a unit type that
 * does not listen) it does nothing and returns 0. Returns 0, -DER_INVAL (@state NULL, or
 * an address of another form or too long), or the socket error as -DER_* (the caller
 * decides whether that matters: systemd gives up on a Type=notify unit that never says
 * READY=1). Does not block: the datagram is queued or refused at once. Thread-safe.
 */
int d_sd_notify(const char *state);

#endif /* COMMON_NOTIFY_H */
