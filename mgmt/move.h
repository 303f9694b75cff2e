/* SPDX-License-Identifier: MIT */
/*
 * move.h - the binding operations of mrfabricd that take seconds, as jobs
 * of the task engine (mgmt/task.h): moving a function from one host to
 * another (DESIGN.md "Moving a VF") and removing it from its host.
 *
 * Each start function validates, records the durable intent and the task
 * in one store transaction, makes the first switch request and returns
 * the task id; a start that fails leaves no trace (no task, no intent,
 * the switch untouched or put back).  The rest runs on switch events.
 */
#ifndef MRFABRIC_MGMT_MOVE_H
#define MRFABRIC_MGMT_MOVE_H

#include <stdint.h>

#include "fabric/fm.h"
#include "mgmt/store.h"
#include "switchfw/switchfw.h"

struct mgmt_tasks;
struct sw_fmp_client;

/*
 * The vPPB of @partition where @fid may be bound now: the first one empty
 * in the switch that the desired state neither holds for another function
 * (one moving away keeps its binding until its move is done: two moves
 * that swap hosts must not take each other's slots) nor reserves for an
 * unfinished move or batch (mgmt_store_slot_check()).  Everything that
 * binds without a given vPPB chooses through this, never the switch.
 * Returns 0, -FM_ENOSPC (no such vPPB: the message says so), or the FMP
 * error.
 */
int mgmt_slot_pick(unsigned *vppb, struct sw_fmp_client *fmp,
		   struct mgmt_store *st, uint32_t partition, uint32_t fid,
		   struct fm_err *err);

/* The request that started a task, recorded with it (Task.Payload). */
struct mgmt_task_origin {
	const char *method; /* "POST" */
	const char *uri;    /* the action's target */
	const char *body;   /* its JSON body, NULL if none */
};

/*
 * Move function @fid from the partition its desired binding names to
 * partition @dst (@dst_vppb or MGMT_VPPB_ANY): managed hot-remove with
 * @mode (the firmware falls back to surprise removal when the host does
 * not answer), FLR and its wait, bind to @dst, wait until the host enabled
 * the slot.  Each phase is committed to the move intent and the task.  A
 * move whose bind to the target fails is rolled back (bound to the source
 * again); one not finished @timeout_ns after it began fails.  Returns 0
 * and *task, or -FM_ENOENT (@fid has no desired binding, or the switch no
 * such function), -FM_EINVAL (@dst is its partition, or does not exist),
 * -FM_EBUSY (a move or batch holds @fid: one winner), -FM_EEXIST (target
 * vPPB taken), the FMP error of the first request, -FM_EIO.
 */
int mgmt_move_start(uint64_t *task, struct mgmt_tasks *t, uint32_t fid,
		    uint32_t dst, int32_t dst_vppb, enum sw_unbind_mode mode,
		    uint64_t timeout_ns, const struct mgmt_task_origin *origin,
		    struct fm_err *err);

/*
 * Go on with move @mv, recorded in the store and not finished (a restart
 * interrupted it): the switch's view of the function decides where the
 * move stands (still at the source: remove it; unbinding or resetting:
 * wait; free: bind to the target; at the target: done).  Returns 0 or
 * -FM_ENOMEM.
 */
int mgmt_move_resume(struct mgmt_tasks *t, const struct mgmt_store_move *mv,
		     uint64_t timeout_ns, struct fm_err *err);

/*
 * Remove function @fid from its host in @mode: the desired binding goes
 * at once (durably), the task ends when the function is reset and free
 * again.  Returns 0 and *task, or -FM_ENOENT (not bound), -FM_EBUSY (in a
 * move or batch), the FMP error (the desired binding is then restored),
 * -FM_EIO.
 */
int mgmt_unbind_start(uint64_t *task, struct mgmt_tasks *t, uint32_t fid,
		      enum sw_unbind_mode mode, uint64_t timeout_ns,
		      const struct mgmt_task_origin *origin,
		      struct fm_err *err);

/*
 * Apply @n binding changes (mgmt/store.h; @changes is copied) all or
 * none: the batch is recorded (store batch: its functions are busy until
 * it ends), then every function that must leave a host is removed
 * (managed) and reset, then every bind is made.  If any step fails,
 * what was done is undone (new bindings removed by surprise, old ones
 * bound again once reset) and the batch rolled back: the fabric ends as
 * it began and the task ends in Exception naming the change that failed.
 * Returns 0 and *task, or the store's refusal (-FM_EINVAL, -FM_ENOENT,
 * -FM_EBUSY, -FM_EEXIST), -FM_ENOMEM, -FM_EIO.
 */
int mgmt_batch_start(uint64_t *task, struct mgmt_tasks *t,
		     const struct mgmt_store_change *changes, size_t n,
		     uint64_t timeout_ns, const struct mgmt_task_origin *origin,
		     struct fm_err *err);

/* What mgmt_reconcile() found and did. */
struct mgmt_reconcile_stats {
	unsigned moves_resumed;	      /* unfinished moves going on */
	unsigned batches_rolled_back; /* unfinished batches undone */
	unsigned tasks_closed;	      /* other unfinished tasks: Exception */
	unsigned binds;		      /* desired bindings applied now */
	unsigned unbinds;	      /* bindings the store does not want */
	uint64_t task;		      /* the reconcile task, 0 if none needed */
};

/*
 * At start, before the service answers: compare the store's desired
 * bindings, unfinished moves and batches with what the switch reports
 * (FMP List Functions), and converge.  Unfinished moves go on from where
 * the switch says they stand (mgmt_move_resume()); unfinished batches
 * are rolled back (the desired state is as before them); other
 * unfinished tasks end in Exception; then every function not moving is
 * made to match its desired binding: a free function is bound at once,
 * one bound where the store does not want it is removed (managed) and,
 * if it has a desired binding, bound there once its reset is done.  That
 * second part runs as one task ("reconcile"); *stats (may be NULL) says
 * what was found.  Returns 0, or the store's or FMP's error (the daemon
 * should not serve a state it could not read).
 */
int mgmt_reconcile(struct mgmt_reconcile_stats *stats, struct mgmt_tasks *t,
		   uint64_t move_timeout_ns, struct fm_err *err);

#endif
