/* SPDX-License-Identifier: MIT */
/*
 * batch.c - all-or-nothing binding changes as a job of the task engine
 * (move.h: mgmt_batch_start()).
 *
 * Phases of the job:
 *   REMOVING  every function that must leave its host was asked to
 *             (managed unbind); wait until each is reset (SW_EV_FLR_DONE)
 *   (binding) every bind is made, in the order given; synchronous
 *   UNDOING   something failed: new bindings were removed by surprise;
 *             wait until each of those and of the old owners' functions
 *             is reset, then bind the old ones back
 * and the batch ends COMMITTED (store batch commit) or ROLLED_BACK.  Per
 * change, what was done to the switch is kept (chg_state), so undoing
 * touches exactly that.
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

enum batch_phase {
	BATCH_REMOVING = 0,
	BATCH_UNDOING,
	BATCH_ENDED,
};

/* What the batch did to the switch for one change. */
enum chg_state {
	CHG_UNTOUCHED = 0,
	CHG_REMOVING, /* old binding being removed; reset pending */
	CHG_FREE,     /* old binding removed and reset */
	CHG_BOUND,    /* new binding made */
	CHG_UNDOING,  /* new binding being removed; reset pending */
	CHG_UNDONE,   /* new binding removed and reset */
};

struct batch_job {
	struct mgmt_job job;
	struct mgmt_tasks *tasks;
	struct mgmt_store_batch b; /* changes with their old bindings */
	enum chg_state *st;
	enum batch_phase phase;
	size_t waiting; /* changes in CHG_REMOVING or CHG_UNDOING */
	int code;	/* the failure being undone */
	char why[MGMT_STORE_ERROR_MAX];
};

static struct sw_fmp_client *batch_fmp(struct batch_job *bj)
{
	return mgmt_tasks_fmp(bj->tasks);
}

/* True when change @c takes its function away from a host. */
static bool chg_removes(const struct mgmt_store_change *c)
{
	return c->was_bound && (!c->bind || c->partition != c->old_partition);
}

/* True when change @c needs a bind. */
static bool chg_binds(const struct mgmt_store_change *c)
{
	return c->bind && (!c->was_bound || c->partition != c->old_partition);
}

static void batch_end(struct batch_job *bj, bool ok)
{
	struct fm_err err = { 0 };
	struct mgmt_resp r;
	int ret;

	bj->phase = BATCH_ENDED;
	bj->job.finished = true;
	ret = ok ? mgmt_store_batch_commit(mgmt_tasks_store(bj->tasks),
					   bj->b.id, &err)
		 : mgmt_store_batch_rollback(mgmt_tasks_store(bj->tasks),
					     bj->b.id, &err);
	if (ret < 0) {
		FM_LOG(FM_LOG_ERROR, "batch %llu: %s",
		       (unsigned long long)bj->b.id, err.msg);
		if (ok) {
			bj->code = ret;
			snprintf(bj->why, sizeof(bj->why), "%.200s", err.msg);
			ok = false;
		}
	}
	if (ok) {
		mgmt_job_report(&bj->job, MGMT_TASK_COMPLETED, 100, "committed",
				"every change is in effect", 204, NULL);
		return;
	}
	mgmt_resp_init(&r);
	mgmt_rf_error_from_code(&r, bj->code, NULL, bj->why);
	mgmt_job_report(&bj->job, MGMT_TASK_EXCEPTION, 100, "rolled-back",
			bj->why, r.status ? r.status : 500, r.json);
	mgmt_resp_fini(&r);
}

/* The undo waits are over: bind the old owners back, roll back. */
static void batch_restore(struct batch_job *bj)
{
	struct fm_err err = { 0 };
	const struct mgmt_store_change *c;
	unsigned vppb;
	size_t i;

	for (i = 0; i < bj->b.nchanges; i++) {
		c = &bj->b.changes[i];
		if (bj->st[i] != CHG_FREE &&
		    !(bj->st[i] == CHG_UNDONE && chg_removes(c)))
			continue;
		fm_err_clear(&err);
		if (sw_fmp_client_bind(&vppb, batch_fmp(bj), c->fid,
				       c->old_partition, c->old_vppb,
				       &err) < 0 &&
		    sw_fmp_client_bind(&vppb, batch_fmp(bj), c->fid,
				       c->old_partition, -1, &err) < 0)
			FM_LOG(FM_LOG_ERROR,
			       "batch %llu: fid 0x%08x: binding back to "
			       "partition %u: %s",
			       (unsigned long long)bj->b.id, c->fid,
			       c->old_partition, err.msg);
	}
	batch_end(bj, false);
}

/* Undo what was done, after change @i failed with @code (@msg). */
static void batch_undo(struct batch_job *bj, size_t i, int code,
		       const char *msg)
{
	size_t k;

	bj->code = code;
	snprintf(bj->why, sizeof(bj->why), "change %zu (fid 0x%08x): %.180s",
		 i + 1, bj->b.changes[i].fid, msg);
	FM_LOG(FM_LOG_WARN, "batch %llu: %s; undoing",
	       (unsigned long long)bj->b.id, bj->why);
	bj->phase = BATCH_UNDOING;
	mgmt_job_report(&bj->job, MGMT_TASK_RUNNING, -1, "undoing", bj->why, 0,
			NULL);
	for (k = 0; k < bj->b.nchanges; k++) {
		if (bj->st[k] != CHG_BOUND)
			continue;
		if (sw_fmp_client_unbind(batch_fmp(bj), bj->b.changes[k].fid,
					 SW_UNBIND_SURPRISE, NULL) < 0) {
			FM_LOG(FM_LOG_ERROR,
			       "batch %llu: fid 0x%08x: cannot undo its bind",
			       (unsigned long long)bj->b.id,
			       bj->b.changes[k].fid);
			continue;
		}
		bj->st[k] = CHG_UNDOING;
		bj->waiting++;
	}
	if (!bj->waiting)
		batch_restore(bj);
}

/* Every removal is done: make the binds, in order. */
static void batch_bind(struct batch_job *bj)
{
	struct fm_err err = { 0 };
	const struct mgmt_store_change *c;
	unsigned vppb;
	size_t i;
	int ret;

	mgmt_job_report(&bj->job, MGMT_TASK_RUNNING, 60, "binding",
			"binding the functions to their new hosts", 0, NULL);
	for (i = 0; i < bj->b.nchanges; i++) {
		c = &bj->b.changes[i];
		if (!chg_binds(c))
			continue;
		/* "any vPPB": ours to choose, not the switch's (move.h) */
		vppb = (unsigned)c->vppb;
		ret = c->vppb >= 0 ? 0
				   : mgmt_slot_pick(&vppb, batch_fmp(bj),
						    mgmt_tasks_store(bj->tasks),
						    c->partition, c->fid, &err);
		if (ret == 0)
			ret = sw_fmp_client_bind(&vppb, batch_fmp(bj), c->fid,
						 c->partition, (int)vppb, &err);
		if (ret < 0) {
			batch_undo(bj, i, ret, err.msg);
			return;
		}
		bj->st[i] = CHG_BOUND;
	}
	batch_end(bj, true);
}

static bool batch_step(struct mgmt_job *job, enum mgmt_job_why why,
		       const struct sw_fmp_event *ev)
{
	struct batch_job *bj = (struct batch_job *)job;
	struct fm_err err = { 0 };
	size_t i;
	int ret;

	switch (why) {
	case MGMT_JOB_START:
		mgmt_job_report(job, MGMT_TASK_RUNNING, 10, "removing",
				"removing the functions that change hosts", 0,
				NULL);
		for (i = 0; i < bj->b.nchanges; i++) {
			if (!chg_removes(&bj->b.changes[i]))
				continue;
			ret = sw_fmp_client_unbind(batch_fmp(bj),
						   bj->b.changes[i].fid,
						   SW_UNBIND_MANAGED, &err);
			if (ret < 0) {
				batch_undo(bj, i, ret, err.msg);
				break;
			}
			bj->st[i] = CHG_REMOVING;
			bj->waiting++;
		}
		if (bj->phase == BATCH_REMOVING && !bj->waiting)
			batch_bind(bj);
		break;
	case MGMT_JOB_EVENT:
		if (ev->type != SW_EV_FLR_DONE &&
		    ev->type != SW_EV_FLR_TIMEOUT &&
		    ev->type != SW_EV_UNBIND_FAILED)
			break;
		for (i = 0; i < bj->b.nchanges; i++) {
			if (bj->b.changes[i].fid != ev->fid ||
			    (bj->st[i] != CHG_REMOVING &&
			     bj->st[i] != CHG_UNDOING))
				continue;
			bj->st[i] = bj->st[i] == CHG_REMOVING ? CHG_FREE
							      : CHG_UNDONE;
			bj->waiting--;
			if (ev->type != SW_EV_FLR_DONE &&
			    bj->phase == BATCH_REMOVING)
				batch_undo(
					bj, i, FM_EIO,
					sw_event_type_name(
						(enum sw_event_type)ev->type));
		}
		if (bj->waiting || bj->phase == BATCH_ENDED)
			break;
		if (bj->phase == BATCH_REMOVING)
			batch_bind(bj);
		else
			batch_restore(bj);
		break;
	case MGMT_JOB_TIMEOUT:
		if (bj->phase == BATCH_REMOVING) {
			for (i = 0; i < bj->b.nchanges; i++)
				if (bj->st[i] == CHG_REMOVING)
					break;
			batch_undo(bj, i < bj->b.nchanges ? i : 0, FM_ETIMEDOUT,
				   "not finished in time");
		} else if (bj->phase == BATCH_UNDOING) {
			batch_restore(bj);
		}
		break;
	}
	return bj->phase == BATCH_ENDED;
}

static void batch_free(struct mgmt_job *job)
{
	struct batch_job *bj = (struct batch_job *)job;

	mgmt_store_batch_fini(&bj->b);
	free(bj->st);
	free(bj);
}

int mgmt_batch_start(uint64_t *task, struct mgmt_tasks *t,
		     const struct mgmt_store_change *changes, size_t n,
		     uint64_t timeout_ns, const struct mgmt_task_origin *origin,
		     struct fm_err *err)
{
	struct mgmt_store *st = mgmt_tasks_store(t);
	struct batch_job *bj;
	uint64_t id = 0, bid = 0;
	int ret;

	bj = calloc(1, sizeof(*bj));
	if (bj)
		bj->st = calloc(n ? n : 1, sizeof(*bj->st));
	if (!bj || !bj->st) {
		if (bj)
			free(bj);
		return fm_err_set(err, FM_ENOMEM, "batch: out of memory");
	}
	ret = mgmt_store_txn_begin(st, err);
	if (ret < 0)
		goto fail;
	ret = mgmt_store_task_create(&id, st, origin->method, origin->uri,
				     origin->body, err);
	if (ret == 0)
		ret = mgmt_store_batch_begin(&bid, st, changes, n, id, err);
	if (ret == 0)
		ret = mgmt_store_txn_commit(st, err);
	if (ret < 0) {
		mgmt_store_txn_rollback(st);
		goto fail;
	}
	ret = mgmt_store_batch_get(&bj->b, st, bid, err);
	if (ret < 0) {
		mgmt_store_batch_rollback(st, bid, NULL);
		mgmt_store_task_update(st, id, MGMT_TASK_EXCEPTION, 100, NULL,
				       NULL, NULL);
		goto fail;
	}
	bj->job.fn = batch_step;
	bj->job.free = batch_free;
	bj->job.task = id;
	bj->tasks = t;
	*task = id;
	/* events of earlier operations must not reach this batch */
	mgmt_tasks_poll(t, NULL);
	return mgmt_tasks_add(t, &bj->job, timeout_ns, err);
fail:
	free(bj->st);
	free(bj);
	return ret;
}
