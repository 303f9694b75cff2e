/* SPDX-License-Identifier: MIT */
/*
 * switch_link.h - the daemon's link to a separate switch process
 * (mrfabricd --switch unix:PATH).
 *
 * The FMP client (switchfw/fmp.h) bounds every call by a deadline and,
 * after a failure, stays disconnected: calls fail at once with
 * -FM_EUNAVAIL, which clients see as 503 ServiceTemporarilyUnavailable,
 * while GETs of the fabric answer from the last snapshot.  This module
 * brings the link back: a loop timer notices the client is disconnected
 * (logging once), reconnects every retry period (more slowly while the
 * switch accepts but does not answer), and once the switch answers
 * Identify again re-reads the fabric, rebases the job engine on the
 * switch's event log and reconciles the desired state with the switch
 * (mgmt_reconcile(), mgmt/move.h), logging once that the link is back.
 * Reconcile waits for running jobs to end (they fail or time out when
 * the switch went away), so it never resumes a move twice.
 */
#ifndef MGMT_SWITCH_LINK_H
#define MGMT_SWITCH_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "fabric/fm.h"

struct mgmt_loop;
struct mgmt_fabric;
struct mgmt_tasks;
struct sw_fmp_client;
struct sw_fmp_unix_client;
struct mgmt_switch_link;

#define MGMT_SWITCH_LINK_RETRY_MS 500
/* the longest wait between attempts while the switch hangs */
#define MGMT_SWITCH_LINK_RETRY_MAX_MS 2000

struct mgmt_switch_link_opts {
	uint64_t retry_ns;	  /* 0: MGMT_SWITCH_LINK_RETRY_MS */
	uint64_t move_timeout_ns; /* passed to mgmt_reconcile() */
};

/*
 * Watch @uc, the transport of @fmp, on @loop; @fabric and @tasks are
 * refreshed and reconciled after a reconnect (all borrowed, must outlive
 * the link).  Returns 0 or -FM_ENOMEM.
 */
int mgmt_switch_link_new(struct mgmt_switch_link **out, struct mgmt_loop *loop,
			 struct sw_fmp_unix_client *uc,
			 struct sw_fmp_client *fmp, struct mgmt_fabric *fabric,
			 struct mgmt_tasks *tasks,
			 const struct mgmt_switch_link_opts *o,
			 struct fm_err *err);
void mgmt_switch_link_free(struct mgmt_switch_link *l);

/* True while the switch answers and the state after a reconnect is
 * reconciled; false from a failed call until then. */
bool mgmt_switch_link_up(const struct mgmt_switch_link *l);
/* How many times the link came back (reconnected and reconciled). */
uint64_t mgmt_switch_link_recoveries(const struct mgmt_switch_link *l);

#endif
