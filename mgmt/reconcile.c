/* SPDX-License-Identifier: MIT */
/*
 * reconcile.c - at start, make the switch match the store (move.h,
 * DESIGN.md "State and durability"): the store holds what was
 * acknowledged; the switch (its own flash restores bindings after a
 * reset) holds what is.  Interrupted moves roll on from where the switch
 * says they stand; interrupted batches roll back; every other function is
 * bound or unbound to match its desired binding.
 */
#include <inttypes.h>
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

#define RECONCILE_URI "/redfish/v1/Fabrics/PCIe"

/*
 * The converging job: functions being removed from a host the store does
 * not want them on; each is bound to its desired place (if any) once its
 * reset is done.
 */
struct rec_job {
	struct mgmt_job job;
	struct mgmt_tasks *tasks;
	uint32_t *pending; /* fids, SW_FID_NONE once settled */
	size_t npending;
	size_t nleft;
	unsigned failed;
};

/* Bind @fid where the store wants it; false when it wants it nowhere. */
static bool rec_bind_desired(struct mgmt_tasks *t, uint32_t fid, int *ret)
{
	struct mgmt_store_binding b;
	struct fm_err err = { 0 };
	unsigned vppb;

	*ret = 0;
	if (mgmt_store_binding_get(&b, mgmt_tasks_store(t), fid, NULL) < 0)
		return false;
	*ret = -FM_ENOENT;
	if (b.vppb >= 0)
		*ret = sw_fmp_client_bind(&vppb, mgmt_tasks_fmp(t), fid,
					  b.partition, b.vppb, &err);
	if (*ret < 0) { /* any vPPB, or its own is taken: a free one */
		fm_err_clear(&err);
		*ret = mgmt_slot_pick(&vppb, mgmt_tasks_fmp(t),
				      mgmt_tasks_store(t), b.partition, fid,
				      &err);
		if (*ret == 0)
			*ret = sw_fmp_client_bind(&vppb, mgmt_tasks_fmp(t), fid,
						  b.partition, (int)vppb, &err);
	}
	if (*ret < 0)
		FM_LOG(FM_LOG_WARN,
		       "reconcile: fid 0x%08x: bind to partition "
		       "%u: %s",
		       fid, b.partition, err.msg);
	else
		FM_LOG(FM_LOG_INFO,
		       "reconcile: fid 0x%08x bound to partition %u vPPB %u",
		       fid, b.partition, vppb);
	return true;
}

static void rec_finish(struct rec_job *rj)
{
	struct mgmt_resp r;
	char detail[96];

	if (!rj->failed) {
		mgmt_job_report(&rj->job, MGMT_TASK_COMPLETED, 100, "done",
				"the switch matches the desired state", 204,
				NULL);
		return;
	}
	snprintf(detail, sizeof(detail),
		 "%u function(s) could not be "
		 "brought to their desired state",
		 rj->failed);
	mgmt_resp_init(&r);
	mgmt_rf_error_from_code(&r, FM_EIO, NULL, detail);
	mgmt_job_report(&rj->job, MGMT_TASK_EXCEPTION, 100, "failed", detail,
			r.status ? r.status : 500, r.json);
	mgmt_resp_fini(&r);
}

static bool rec_step(struct mgmt_job *job, enum mgmt_job_why why,
		     const struct sw_fmp_event *ev)
{
	struct rec_job *rj = (struct rec_job *)job;
	size_t i;
	int ret;

	switch (why) {
	case MGMT_JOB_START:
		mgmt_job_report(job, MGMT_TASK_RUNNING, 0, "removing",
				"removing functions the desired state does "
				"not place there",
				0, NULL);
		break;
	case MGMT_JOB_EVENT:
		if (ev->type != SW_EV_FLR_DONE &&
		    ev->type != SW_EV_FLR_TIMEOUT &&
		    ev->type != SW_EV_UNBIND_FAILED)
			break;
		for (i = 0; i < rj->npending; i++) {
			if (rj->pending[i] != ev->fid)
				continue;
			rj->pending[i] = SW_FID_NONE;
			rj->nleft--;
			if (ev->type != SW_EV_FLR_DONE)
				rj->failed++;
			else if (rec_bind_desired(rj->tasks, ev->fid, &ret) &&
				 ret < 0)
				rj->failed++;
			mgmt_job_report(job, MGMT_TASK_RUNNING,
					(int)(100 * (rj->npending - rj->nleft) /
					      rj->npending),
					NULL, NULL, 0, NULL);
		}
		break;
	case MGMT_JOB_TIMEOUT:
		rj->failed += (unsigned)rj->nleft;
		rj->nleft = 0;
		break;
	}
	if (rj->nleft)
		return false;
	rec_finish(rj);
	return true;
}

static void rec_free(struct mgmt_job *job)
{
	struct rec_job *rj = (struct rec_job *)job;

	free(rj->pending);
	free(rj);
}

/* End unfinished task @id that nothing will advance any more. */
static void rec_close_task(struct mgmt_tasks *t, uint64_t id,
			   const char *detail)
{
	struct mgmt_job tmp = { .task = id, .tasks = t };
	struct mgmt_resp r;

	mgmt_resp_init(&r);
	mgmt_rf_error_from_code(&r, FM_EIO, NULL, detail);
	mgmt_job_report(&tmp, MGMT_TASK_EXCEPTION, 100, "interrupted", detail,
			r.status ? r.status : 500, r.json);
	mgmt_resp_fini(&r);
}

static bool rec_fid_moving(const struct mgmt_store_reconcile *snap,
			   uint32_t fid)
{
	size_t i;

	for (i = 0; i < snap->nmoves; i++)
		if (snap->moves[i].fid == fid)
			return true;
	return false;
}

static const struct mgmt_store_binding *
rec_desired(const struct mgmt_store_reconcile *snap, uint32_t fid)
{
	size_t lo = 0, hi = snap->nbindings;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (snap->bindings[mid].fid == fid)
			return &snap->bindings[mid];
		if (snap->bindings[mid].fid < fid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Bring every function that is not moving to its desired binding; those
 * that must first leave a host go to @rj's pending list.
 */
static int rec_converge(struct mgmt_reconcile_stats *st, struct rec_job *rj,
			struct mgmt_tasks *t,
			const struct mgmt_store_reconcile *snap,
			struct fm_err *err)
{
	struct sw_fmp_identify_rsp id;
	const struct mgmt_store_binding *want;
	struct sw_fmp_fn *fns = NULL;
	unsigned n = 0, i;
	int ret, bret;

	ret = sw_fmp_client_identify(&id, mgmt_tasks_fmp(t), err);
	if (ret < 0)
		return ret;
	fns = calloc(id.nfunctions ? id.nfunctions : 1, sizeof(*fns));
	rj->pending =
		calloc(id.nfunctions ? id.nfunctions : 1, sizeof(*rj->pending));
	if (!fns || !rj->pending) {
		ret = fm_err_set(err, FM_ENOMEM, "reconcile: out of memory");
		goto out;
	}
	ret = sw_fmp_client_list_functions(fns, &n, NULL, mgmt_tasks_fmp(t), 0,
					   id.nfunctions, err);
	if (ret < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if ((fns[i].flags & SW_FMP_FN_SRIOV) ||
		    rec_fid_moving(snap, fns[i].fid))
			continue;
		want = rec_desired(snap, fns[i].fid);
		switch ((enum sw_fn_state)fns[i].state) {
		case SW_FN_FREE:
			if (want) {
				rec_bind_desired(t, fns[i].fid, &bret);
				st->binds++;
			}
			break;
		case SW_FN_BOUND:
			if (want && fns[i].partition == (int)want->partition)
				break;
			bret = sw_fmp_client_unbind(mgmt_tasks_fmp(t),
						    fns[i].fid,
						    SW_UNBIND_MANAGED, NULL);
			st->unbinds++;
			if (bret < 0) {
				rj->failed++;
				break;
			}
			if (want)
				st->binds++;
			rj->pending[rj->npending++] = fns[i].fid;
			break;
		case SW_FN_UNBINDING:
		case SW_FN_RESETTING:
			if (want)
				st->binds++;
			rj->pending[rj->npending++] = fns[i].fid;
			break;
		case SW_FN_FAILED:
		case SW_FN_FABRIC:
			break;
		}
	}
	rj->nleft = rj->npending;
out:
	free(fns);
	return ret;
}

int mgmt_reconcile(struct mgmt_reconcile_stats *stats, struct mgmt_tasks *t,
		   uint64_t move_timeout_ns, struct fm_err *err)
{
	struct mgmt_store *store = mgmt_tasks_store(t);
	struct mgmt_reconcile_stats st = { 0 };
	struct mgmt_store_reconcile snap;
	struct rec_job *rj = NULL;
	size_t i, k;
	uint64_t task = 0;
	bool owned;
	int ret;

	ret = mgmt_store_reconcile_load(&snap, store, err);
	if (ret < 0)
		return ret;
	/* events logged before now belong to no job started below */
	ret = mgmt_tasks_poll(t, err);
	if (ret < 0)
		goto out;
	for (i = 0; i < snap.nbatches; i++) {
		ret = mgmt_store_batch_rollback(store, snap.batches[i].id, err);
		if (ret < 0)
			goto out;
		st.batches_rolled_back++;
	}
	for (i = 0; i < snap.ntasks; i++) {
		owned = false;
		for (k = 0; k < snap.nmoves; k++)
			owned |= snap.moves[k].task == snap.tasks[i];
		if (!owned) {
			rec_close_task(t, snap.tasks[i],
				       "interrupted by a restart of the "
				       "service; the desired state was "
				       "restored");
			st.tasks_closed++;
		}
	}
	rj = calloc(1, sizeof(*rj));
	if (!rj) {
		ret = fm_err_set(err, FM_ENOMEM, "reconcile: out of memory");
		goto out;
	}
	rj->tasks = t;
	ret = rec_converge(&st, rj, t, &snap, err);
	if (ret < 0)
		goto out;
	for (i = 0; i < snap.nmoves; i++) {
		ret = mgmt_move_resume(t, &snap.moves[i], move_timeout_ns, err);
		if (ret < 0)
			goto out;
		st.moves_resumed++;
	}
	if (rj->npending || rj->failed) {
		ret = mgmt_store_task_create(&task, store, "POST",
					     RECONCILE_URI, NULL, err);
		if (ret < 0)
			goto out;
		rj->job.fn = rec_step;
		rj->job.free = rec_free;
		rj->job.task = task;
		st.task = task;
		ret = mgmt_tasks_add(t, &rj->job, move_timeout_ns, err);
		rj = NULL; /* the engine's now */
		if (ret < 0)
			goto out;
	}
	FM_LOG(FM_LOG_INFO,
	       "reconcile: %u move(s) resumed, %u batch(es) rolled back, %u "
	       "task(s) closed, %u bind(s), %u unbind(s)",
	       st.moves_resumed, st.batches_rolled_back, st.tasks_closed,
	       st.binds, st.unbinds);
	if (stats)
		*stats = st;
out:
	if (rj)
		rec_free(&rj->job);
	mgmt_store_reconcile_fini(&snap);
	return ret < 0 ? ret : 0;
}
