/* SPDX-License-Identifier: MIT */
/*
 * durable.h - group commit for mrfabricd: the store in deferred mode
 * (mgmt/store.h, mgmt_store_defer()) driven by the event loop.
 *
 * Everything the loop's callbacks write to the store between two flushes
 * is one transaction, committed with one fsync.  A round is flushed:
 *   - at the end of the loop iteration (mgmt_loop_set_prewait()) in
 *     which MGMT_DURABLE_WINDOW_NS have passed since something asked for
 *     it (mgmt_store_flush_request()): the HTTP layer
 *     does for every answer to a mutating request, and for any answer
 *     while a flush is asked, and holds those answers (suspended
 *     connections) until the commit, so an acknowledged change is
 *     durable and several requests of one iteration share one fsync
 *     (mgmt/http.c); the job engine does when a task reaches a final
 *     state (mgmt/task.c), so no client reads that a task finished
 *     before it is durable;
 *   - at the latest MGMT_DURABLE_DELAY_NS after it opened (a timer), so
 *     SSE clients, which are only sent durable events (mgmt/events.c),
 *     never wait long and a crash loses at most that much of what nobody
 *     was told yet (reconcile rebuilds it from the switch).
 * WAL checkpoints run in a thread of their own (mgmt_store_ckpt_start()),
 * so no commit on the loop pays for one.
 * A failed commit loses the round: the daemon logs it and stops the loop
 * (its in-memory state was built on the lost writes); a restart
 * reconciles the store with the switch.
 */
#ifndef MRFABRIC_MGMT_DURABLE_H
#define MRFABRIC_MGMT_DURABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "fabric/fm.h"

struct mgmt_loop;
struct mgmt_store;
struct mgmt_durable;

/*
 * Commit window: a flush asked for waits this long (wall time) for more
 * answers to share its fsync.  With several clients moving VFs it more
 * than pays for itself (bench_moves: 4 clients on ext4 1,037 -> 1,501
 * moves/s, p99 6.5 -> 4.0 ms); one client waits 0.3 ms more per answer.
 * The loop sleeps in whole ms, so when nothing else is due the window
 * can stretch to 1 ms.
 */
#define MGMT_DURABLE_WINDOW_NS 300000ull

/* Longest a round stays open (wall time). */
#define MGMT_DURABLE_DELAY_NS 10000000ull

/*
 * Put @st (borrowed, outlives the result) in deferred mode on @loop.
 * -FM_ENOMEM, -FM_ENOSPC (watchers).
 */
int mgmt_durable_new(struct mgmt_durable **out, struct mgmt_loop *loop,
		     struct mgmt_store *st, struct fm_err *err);
/* Flush what is pending and leave deferred mode.  NULL is fine. */
void mgmt_durable_free(struct mgmt_durable *d);
/* A round's commit failed (the loop was stopped). */
bool mgmt_durable_failed(const struct mgmt_durable *d);

#endif
