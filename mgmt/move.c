/* SPDX-License-Identifier: MIT */
/*
 * move.c - moving a function between hosts and removing it from its host,
 * as jobs of the task engine (move.h, task.h).
 *
 * A move is a state machine over the store's move phases (DESIGN.md
 * "Moving a VF"):
 *
 *   VALIDATED --unbind--> REMOVING --SW_EV_UNBIND--> RESETTING
 *   RESETTING --SW_EV_FLR_DONE, bind to target--> ADDING
 *   ADDING --SW_EV_HOST_ENABLED--> DONE
 *
 * move_phases[] says, for each waiting phase, which switch event ends it,
 * which one fails it and its share of the work; every phase change is
 * one store commit of the intent and one of the task.  Where a move
 * stands is always decided from the switch's view of the function
 * (move_settle()), so a fresh move and one resumed after a restart run
 * the same code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mgmt/mgmt.h"
#include "mgmt/move.h"
#include "mgmt/redfish_int.h"
#include "mgmt/router_int.h"
#include "mgmt/task.h"
#include "switchfw/fmp.h"

struct move_job {
	struct mgmt_job job; /* first: the engine's view */
	struct mgmt_tasks *tasks;
	struct mgmt_store_move mv;
	enum sw_unbind_mode mode;
	char what[64]; /* "move 3 of fid 0x00020001" for logs and messages */
};

typedef void move_on_fn(struct move_job *mj, const struct sw_fmp_event *ev);

static void move_removed(struct move_job *mj, const struct sw_fmp_event *ev);
static void move_reset_done(struct move_job *mj, const struct sw_fmp_event *ev);
static void move_added(struct move_job *mj, const struct sw_fmp_event *ev);

/*
 * The waiting phases.  To add one: give it its ending event, the event
 * that fails it (or SW_EV_TYPE_COUNT), its percent when entered, and the
 * handler of the ending event.
 */
static const struct move_phase_def {
	uint16_t ends;	/* enum sw_event_type that ends the phase */
	uint16_t fails; /* enum sw_event_type that fails it */
	int percent;
	move_on_fn *on_end;
} move_phases[MGMT_MOVE_PHASE_COUNT] = {
	[MGMT_MOVE_VALIDATED] = { SW_EV_TYPE_COUNT, SW_EV_TYPE_COUNT, 0, NULL },
	[MGMT_MOVE_REMOVING] = { SW_EV_UNBIND, SW_EV_UNBIND_FAILED, 10,
				 move_removed },
	[MGMT_MOVE_RESETTING] = { SW_EV_FLR_DONE, SW_EV_FLR_TIMEOUT, 40,
				  move_reset_done },
	[MGMT_MOVE_ADDING] = { SW_EV_HOST_ENABLED, SW_EV_TYPE_COUNT, 70,
			       move_added },
	[MGMT_MOVE_DONE] = { SW_EV_TYPE_COUNT, SW_EV_TYPE_COUNT, 100, NULL },
	[MGMT_MOVE_FAILED] = { SW_EV_TYPE_COUNT, SW_EV_TYPE_COUNT, 100, NULL },
	[MGMT_MOVE_ROLLED_BACK] = { SW_EV_TYPE_COUNT, SW_EV_TYPE_COUNT, 100,
				    NULL },
};

static struct mgmt_store *move_store(struct move_job *mj)
{
	return mgmt_tasks_store(mj->tasks);
}

static struct sw_fmp_client *move_fmp(struct move_job *mj)
{
	return mgmt_tasks_fmp(mj->tasks);
}

/* Finish the task with the Redfish error of @code about the move. */
static void move_report_error(struct mgmt_job *job, int code, const char *phase,
			      const char *detail)
{
	struct mgmt_resp r;

	mgmt_resp_init(&r);
	mgmt_rf_error_from_code(&r, code, NULL, detail);
	mgmt_job_report(job, MGMT_TASK_EXCEPTION, 100, phase, detail,
			r.status ? r.status : 500, r.json);
	mgmt_resp_fini(&r);
}

/*
 * Enter @phase (final or waiting), committing the intent and the task.
 * For FAILED and ROLLED_BACK, @code and @detail say why.
 */
static void move_enter(struct move_job *mj, enum mgmt_move_phase phase,
		       int32_t dst_vppb, int code, const char *detail)
{
	struct fm_err err = { 0 };
	const char *name = mgmt_move_phase_name(phase);
	bool failing =
		phase == MGMT_MOVE_FAILED || phase == MGMT_MOVE_ROLLED_BACK;

	if (mgmt_store_move_set_phase(move_store(mj), mj->mv.id, phase,
				      dst_vppb, failing ? detail : NULL,
				      &err) < 0) {
		FM_LOG(FM_LOG_ERROR, "%s: recording phase %s: %s", mj->what,
		       name, err.msg);
		if (!failing) {
			move_enter(mj, MGMT_MOVE_FAILED, MGMT_VPPB_ANY, FM_EIO,
				   err.msg);
			return;
		}
	}
	mj->mv.phase = phase;
	if (dst_vppb >= 0)
		mj->mv.dst_vppb = dst_vppb;
	FM_LOG(FM_LOG_INFO, "%s: %s%s%s", mj->what, name, detail ? ": " : "",
	       detail ? detail : "");
	if (phase == MGMT_MOVE_DONE)
		mgmt_job_report(&mj->job, MGMT_TASK_COMPLETED, 100, name,
				detail, 204, NULL);
	else if (failing)
		move_report_error(&mj->job, code, name, detail);
	else
		mgmt_job_report(&mj->job, MGMT_TASK_RUNNING,
				move_phases[phase].percent, name, detail, 0,
				NULL);
	if (mgmt_move_phase_final(phase))
		mj->job.finished = true;
}

int mgmt_slot_pick(unsigned *vppb, struct sw_fmp_client *fmp,
		   struct mgmt_store *st, uint32_t partition, uint32_t fid,
		   struct fm_err *err)
{
	struct sw_fmp_vppb vppbs[SW_MAX_VPPBS];
	struct sw_fmp_part_rsp p;
	unsigned v;
	int ret;

	ret = sw_fmp_client_partition(&p, vppbs, fmp, partition, err);
	if (ret < 0)
		return ret;
	for (v = 0; v < p.nvppbs && v < SW_MAX_VPPBS; v++) {
		if (vppbs[v].fid == SW_FID_NONE &&
		    mgmt_store_slot_check(st, partition, (int32_t)v, fid,
					  NULL) == 0) {
			*vppb = v;
			return 0;
		}
	}
	return fm_err_set(err, FM_ENOSPC,
			  "partition %u has no free vPPB (%u, each bound, or "
			  "reserved by a move or batch in progress)",
			  partition, p.nvppbs);
}

/* Bind to the target; on refusal put the function back at the source. */
static void move_bind_target(struct move_job *mj)
{
	struct fm_err err = { 0 }, berr = { 0 };
	char detail[MGMT_STORE_ERROR_MAX];
	unsigned vppb;
	int ret = 0;

	if (mj->mv.dst_vppb >= 0)
		vppb = (unsigned)mj->mv.dst_vppb; /* the move reserved it */
	else
		ret = mgmt_slot_pick(&vppb, move_fmp(mj), move_store(mj),
				     mj->mv.dst_partition, mj->mv.fid, &err);
	if (ret == 0)
		ret = sw_fmp_client_bind(&vppb, move_fmp(mj), mj->mv.fid,
					 mj->mv.dst_partition, (int)vppb, &err);
	if (ret == 0) {
		snprintf(detail, sizeof(detail),
			 "bound to partition %u vPPB %u, hot-add signalled",
			 mj->mv.dst_partition, vppb);
		move_enter(mj, MGMT_MOVE_ADDING, (int32_t)vppb, 0, detail);
		return;
	}
	snprintf(detail, sizeof(detail), "bind to partition %u refused: %.100s",
		 mj->mv.dst_partition, err.msg);
	if (sw_fmp_client_bind(&vppb, move_fmp(mj), mj->mv.fid,
			       mj->mv.src_partition, mj->mv.src_vppb,
			       &berr) == 0) {
		move_enter(mj, MGMT_MOVE_ROLLED_BACK, MGMT_VPPB_ANY, ret,
			   detail);
		return;
	}
	snprintf(detail, sizeof(detail),
		 "bind to partition %u refused: %.90s; back to partition %u "
		 "refused: %.90s",
		 mj->mv.dst_partition, err.msg, mj->mv.src_partition, berr.msg);
	move_enter(mj, MGMT_MOVE_FAILED, MGMT_VPPB_ANY, ret, detail);
}

static void move_removed(struct move_job *mj, const struct sw_fmp_event *ev)
{
	(void)ev;
	move_enter(mj, MGMT_MOVE_RESETTING, MGMT_VPPB_ANY, 0,
		   "removed from the source host; function level reset");
}

static void move_reset_done(struct move_job *mj, const struct sw_fmp_event *ev)
{
	(void)ev;
	move_bind_target(mj);
}

static void move_added(struct move_job *mj, const struct sw_fmp_event *ev)
{
	(void)ev;
	move_enter(mj, MGMT_MOVE_DONE, MGMT_VPPB_ANY, 0,
		   "the target host enabled the slot");
}

/*
 * Decide from the switch's view of the function where the move stands
 * and take the next step (START of a fresh or a resumed move).
 */
static void move_settle(struct move_job *mj)
{
	struct fm_err err = { 0 };
	char detail[MGMT_STORE_ERROR_MAX];
	struct sw_fmp_fn fn;
	int ret;

	ret = mgmt_switch_fn_find(&fn, move_fmp(mj), mj->mv.fid, &err);
	if (ret < 0) {
		move_enter(mj, MGMT_MOVE_FAILED, MGMT_VPPB_ANY, ret, err.msg);
		return;
	}
	switch ((enum sw_fn_state)fn.state) {
	case SW_FN_BOUND:
		if (fn.partition == (int16_t)mj->mv.dst_partition) {
			move_enter(mj, MGMT_MOVE_DONE, fn.vppb, 0,
				   "already bound to the target");
			return;
		}
		if (fn.partition != (int16_t)mj->mv.src_partition) {
			snprintf(detail, sizeof(detail),
				 "the switch has it bound to partition %d",
				 fn.partition);
			move_enter(mj, MGMT_MOVE_FAILED, MGMT_VPPB_ANY,
				   FM_ESTATE, detail);
			return;
		}
		ret = sw_fmp_client_unbind(move_fmp(mj), mj->mv.fid, mj->mode,
					   &err);
		if (ret < 0) {
			move_enter(mj, MGMT_MOVE_FAILED, MGMT_VPPB_ANY, ret,
				   err.msg);
			return;
		}
		snprintf(detail, sizeof(detail),
			 "%s hot-remove from partition %u",
			 mj->mode == SW_UNBIND_SURPRISE ? "surprise"
							: "managed",
			 mj->mv.src_partition);
		move_enter(mj, MGMT_MOVE_REMOVING, MGMT_VPPB_ANY, 0, detail);
		return;
	case SW_FN_UNBINDING:
		move_enter(mj, MGMT_MOVE_REMOVING, MGMT_VPPB_ANY, 0,
			   "removal from the source host under way");
		return;
	case SW_FN_RESETTING:
		move_enter(mj, MGMT_MOVE_RESETTING, MGMT_VPPB_ANY, 0,
			   "function level reset under way");
		return;
	case SW_FN_FREE:
		move_bind_target(mj);
		return;
	case SW_FN_FAILED:
	case SW_FN_FABRIC:
		break;
	}
	move_enter(mj, MGMT_MOVE_FAILED, MGMT_VPPB_ANY, FM_ESTATE,
		   "the function cannot be bound (failed reset, or owned by "
		   "the fabric)");
}

static bool move_step(struct mgmt_job *job, enum mgmt_job_why why,
		      const struct sw_fmp_event *ev)
{
	struct move_job *mj = (struct move_job *)job;
	const struct move_phase_def *ph = &move_phases[mj->mv.phase];
	char detail[MGMT_STORE_ERROR_MAX];

	switch (why) {
	case MGMT_JOB_START:
		move_settle(mj);
		break;
	case MGMT_JOB_EVENT:
		if (ev->fid != mj->mv.fid)
			break;
		if (ev->type == SW_EV_MANAGED_FALLBACK)
			mgmt_job_report(job, MGMT_TASK_RUNNING, -1,
					mgmt_move_phase_name(mj->mv.phase),
					"the source host did not answer the "
					"attention button: surprise removal",
					0, NULL);
		else if (ev->type == ph->ends && ph->on_end)
			ph->on_end(mj, ev);
		else if (ev->type == ph->fails)
			move_enter(mj, MGMT_MOVE_FAILED, MGMT_VPPB_ANY, FM_EIO,
				   sw_event_type_name(
					   (enum sw_event_type)ev->type));
		break;
	case MGMT_JOB_TIMEOUT:
		snprintf(detail, sizeof(detail),
			 "not finished in time (in "
			 "phase %s)",
			 mgmt_move_phase_name(mj->mv.phase));
		move_enter(mj, MGMT_MOVE_FAILED, MGMT_VPPB_ANY, FM_ETIMEDOUT,
			   detail);
		break;
	}
	return mgmt_move_phase_final(mj->mv.phase);
}

static void move_free(struct mgmt_job *job)
{
	free(job);
}

static struct move_job *move_job_new(struct mgmt_tasks *t,
				     const struct mgmt_store_move *mv,
				     enum sw_unbind_mode mode)
{
	struct move_job *mj = calloc(1, sizeof(*mj));

	if (!mj)
		return NULL;
	mj->job.fn = move_step;
	mj->job.free = move_free;
	mj->job.task = mv->task;
	mj->tasks = t;
	mj->mv = *mv;
	mj->mode = mode;
	snprintf(mj->what, sizeof(mj->what), "move %llu of fid 0x%08x",
		 (unsigned long long)mv->id, mv->fid);
	return mj;
}

int mgmt_move_resume(struct mgmt_tasks *t, const struct mgmt_store_move *mv,
		     uint64_t timeout_ns, struct fm_err *err)
{
	struct move_job *mj = move_job_new(t, mv, SW_UNBIND_MANAGED);

	if (!mj)
		return fm_err_set(err, FM_ENOMEM, "move %llu: out of memory",
				  (unsigned long long)mv->id);
	mgmt_tasks_poll(t, NULL);
	return mgmt_tasks_add(t, &mj->job, timeout_ns, err);
}

/* Record task and intent in one transaction; nothing on failure. */
static int move_record(struct mgmt_store_move *mv, struct mgmt_store *st,
		       uint32_t fid, uint32_t dst, int32_t dst_vppb,
		       const struct mgmt_task_origin *origin,
		       struct fm_err *err)
{
	struct mgmt_store_binding b;
	uint64_t task = 0, id = 0;
	int ret;

	ret = mgmt_store_binding_get(&b, st, fid, err);
	if (ret < 0)
		return ret;
	ret = mgmt_store_txn_begin(st, err);
	if (ret < 0)
		return ret;
	ret = mgmt_store_task_create(&task, st, origin->method, origin->uri,
				     origin->body, err);
	if (ret == 0)
		ret = mgmt_store_move_begin(&id, st, fid, b.partition, dst,
					    dst_vppb, task, err);
	if (ret == 0)
		ret = mgmt_store_task_update(st, task, MGMT_TASK_STARTING, 0,
					     NULL, NULL, err);
	if (ret == 0)
		ret = mgmt_store_txn_commit(st, err);
	if (ret < 0) {
		mgmt_store_txn_rollback(st);
		return ret;
	}
	return mgmt_store_move_get(mv, st, id, err);
}

int mgmt_move_start(uint64_t *task, struct mgmt_tasks *t, uint32_t fid,
		    uint32_t dst, int32_t dst_vppb, enum sw_unbind_mode mode,
		    uint64_t timeout_ns, const struct mgmt_task_origin *origin,
		    struct fm_err *err)
{
	struct sw_fmp_identify_rsp id;
	struct mgmt_store_move mv;
	struct move_job *mj;
	struct sw_fmp_fn fn;
	int ret;

	ret = sw_fmp_client_identify(&id, mgmt_tasks_fmp(t), err);
	if (ret < 0)
		return ret;
	if (dst >= id.npartitions)
		return fm_err_set(err, FM_EINVAL,
				  "move: no partition %u (the switch has %u)",
				  dst, id.npartitions);
	ret = mgmt_switch_fn_find(&fn, mgmt_tasks_fmp(t), fid, err);
	if (ret < 0)
		return ret;
	ret = move_record(&mv, mgmt_tasks_store(t), fid, dst, dst_vppb, origin,
			  err);
	if (ret < 0)
		return ret;
	mj = move_job_new(t, &mv, mode);
	if (!mj) {
		mgmt_store_move_set_phase(mgmt_tasks_store(t), mv.id,
					  MGMT_MOVE_FAILED, MGMT_VPPB_ANY,
					  "out of memory", NULL);
		mgmt_store_task_update(mgmt_tasks_store(t), mv.task,
				       MGMT_TASK_EXCEPTION, 100, NULL, NULL,
				       NULL);
		return fm_err_set(err, FM_ENOMEM, "move: out of memory");
	}
	/* events of earlier operations on @fid must not reach this move */
	mgmt_tasks_poll(t, NULL);
	ret = mgmt_tasks_add(t, &mj->job, timeout_ns, err);
	if (ret < 0)
		return ret;
	*task = mv.task;
	return 0;
}

/* ---------------------------------------------------------------------
 * Removing a function from its host: REMOVING until SW_EV_UNBIND, then
 * RESETTING until SW_EV_FLR_DONE (the function free for its next owner).
 */
struct unbind_job {
	struct mgmt_job job;
	uint32_t fid;
	bool reset; /* SW_EV_UNBIND seen: waiting for the FLR */
};

static bool unbind_step(struct mgmt_job *job, enum mgmt_job_why why,
			const struct sw_fmp_event *ev)
{
	struct unbind_job *uj = (struct unbind_job *)job;

	switch (why) {
	case MGMT_JOB_START:
		mgmt_job_report(job, MGMT_TASK_RUNNING, 10, "removing",
				"hot-remove from the host", 0, NULL);
		return false;
	case MGMT_JOB_EVENT:
		if (ev->fid != uj->fid)
			return false;
		switch ((enum sw_event_type)ev->type) {
		case SW_EV_MANAGED_FALLBACK:
			mgmt_job_report(job, MGMT_TASK_RUNNING, -1, "removing",
					"the host did not answer the "
					"attention button: surprise removal",
					0, NULL);
			return false;
		case SW_EV_UNBIND:
			uj->reset = true;
			mgmt_job_report(job, MGMT_TASK_RUNNING, 50, "resetting",
					"removed from the host; function "
					"level reset",
					0, NULL);
			return false;
		case SW_EV_FLR_DONE:
			if (!uj->reset)
				return false;
			mgmt_job_report(job, MGMT_TASK_COMPLETED, 100, "done",
					"the function is reset and free", 204,
					NULL);
			return true;
		case SW_EV_FLR_TIMEOUT:
		case SW_EV_UNBIND_FAILED:
			move_report_error(
				job, FM_EIO, "failed",
				sw_event_type_name(
					(enum sw_event_type)ev->type));
			return true;
		default:
			return false;
		}
	case MGMT_JOB_TIMEOUT:
		move_report_error(job, FM_ETIMEDOUT, "failed",
				  "removal not finished in time");
		return true;
	}
	return false;
}

int mgmt_unbind_start(uint64_t *task, struct mgmt_tasks *t, uint32_t fid,
		      enum sw_unbind_mode mode, uint64_t timeout_ns,
		      const struct mgmt_task_origin *origin, struct fm_err *err)
{
	struct mgmt_store *st = mgmt_tasks_store(t);
	struct mgmt_store_binding b;
	struct unbind_job *uj = NULL;
	uint64_t id = 0;
	int ret;

	ret = mgmt_store_binding_get(&b, st, fid, err);
	if (ret < 0)
		return ret;
	uj = calloc(1, sizeof(*uj));
	if (!uj)
		return fm_err_set(err, FM_ENOMEM, "unbind: out of memory");
	ret = mgmt_store_txn_begin(st, err);
	if (ret < 0)
		goto fail;
	ret = mgmt_store_task_create(&id, st, origin->method, origin->uri,
				     origin->body, err);
	if (ret == 0)
		ret = mgmt_store_binding_remove(st, fid, b.generation, err);
	if (ret == 0)
		ret = mgmt_store_txn_commit(st, err);
	if (ret < 0) {
		mgmt_store_txn_rollback(st);
		goto fail;
	}
	/* events of earlier operations on @fid must not reach this job */
	mgmt_tasks_poll(t, NULL);
	ret = sw_fmp_client_unbind(mgmt_tasks_fmp(t), fid, mode, err);
	if (ret < 0) {
		/* put the desired state back: the request changed nothing */
		mgmt_store_binding_set(NULL, st, fid, b.partition, b.vppb, 0,
				       NULL);
		mgmt_store_task_update(st, id, MGMT_TASK_CANCELLED, -1, NULL,
				       NULL, NULL);
		mgmt_store_task_delete(st, id, NULL);
		goto fail;
	}
	uj->job.fn = unbind_step;
	uj->job.free = move_free;
	uj->job.task = id;
	uj->fid = fid;
	*task = id;
	return mgmt_tasks_add(t, &uj->job, timeout_ns, err);
fail:
	free(uj);
	return ret;
}
