/* SPDX-License-Identifier: MIT */
/*
 * task.c - the job engine of mrfabricd (task.h): jobs advanced by switch
 * events read over FMP on a timer, their tasks recorded in the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mgmt/events.h"
#include "mgmt/mgmt.h"
#include "mgmt/task.h"
#include "switchfw/fmp.h"

/* TaskEvent registry (DMTF TaskEvent.1.0.5) */
#define TASK_EVENT_REGISTRY "TaskEvent.1.0.5"

struct mgmt_tasks {
	struct mgmt_loop *loop;
	struct sw_fmp_client *fmp;
	struct mgmt_store *store;
	struct mgmt_events *events; /* NULL: no events posted */
	uint64_t since;		    /* last switch event seq read */
	struct mgmt_job *jobs;
	size_t njobs;
	struct mgmt_timer poll;
	bool polling; /* inside mgmt_tasks_poll(): no reentry */
};

static void tasks_poll_timer(void *ctx);

/*
 * Group the store writes of one round of job steps (the phase, task and
 * event records every job writes for the events of one poll, or for its
 * START step) into one group: without deferred durability one fsync per
 * round instead of one per record; with it (mgmt/durable.h) the group
 * joins the loop's round, committed at the end of the iteration when a
 * task finished or an answer waits, else within MGMT_DURABLE_DELAY_NS.
 * Safe because the loop is single-threaded and nothing a step records
 * reaches a client before it is durable: SSE events are held by the hub
 * until the commit, and answers that could show a finished task are
 * held by the HTTP layer; a crash that loses a round's phases leaves the
 * move to reconcile, which goes on from where the switch says it stands
 * (the intent of a move or batch was durable before its 202).  Inside a
 * caller's group the writes simply join it.  Returns whether a group of
 * ours is open.
 */
static bool tasks_group_begin(struct mgmt_tasks *t)
{
	return mgmt_store_txn_begin(t->store, NULL) == 0;
}

static void tasks_group_end(struct mgmt_tasks *t, bool group)
{
	struct fm_err err = { 0 };

	if (group && mgmt_store_txn_commit(t->store, &err) < 0)
		FM_LOG(FM_LOG_ERROR,
		       "tasks: committing job progress: %s (restart "
		       "reconciles with the switch)",
		       err.msg);
}

int mgmt_tasks_new(struct mgmt_tasks **out, struct mgmt_loop *loop,
		   struct sw_fmp_client *fmp, struct mgmt_store *st,
		   struct fm_err *err)
{
	struct sw_fmp_identify_rsp id;
	struct mgmt_tasks *t;
	int ret;

	*out = NULL;
	ret = sw_fmp_client_identify(&id, fmp, err);
	if (ret < 0)
		return ret;
	t = calloc(1, sizeof(*t));
	if (!t)
		return fm_err_set(err, FM_ENOMEM, "tasks: out of memory");
	t->loop = loop;
	t->fmp = fmp;
	t->store = st;
	t->since = id.last_event_seq;
	mgmt_timer_init(&t->poll, tasks_poll_timer, t);
	*out = t;
	return 0;
}

void mgmt_tasks_free(struct mgmt_tasks *t)
{
	struct mgmt_job *j, *next;

	if (!t)
		return;
	mgmt_timer_stop(t->loop, &t->poll);
	for (j = t->jobs; j; j = next) {
		next = j->next;
		j->free(j);
	}
	free(t);
}

void mgmt_tasks_set_events(struct mgmt_tasks *t, struct mgmt_events *ev)
{
	t->events = ev;
}

struct mgmt_loop *mgmt_tasks_loop(const struct mgmt_tasks *t)
{
	return t->loop;
}

struct sw_fmp_client *mgmt_tasks_fmp(const struct mgmt_tasks *t)
{
	return t->fmp;
}

struct mgmt_store *mgmt_tasks_store(const struct mgmt_tasks *t)
{
	return t->store;
}

size_t mgmt_tasks_active(const struct mgmt_tasks *t)
{
	return t->njobs;
}

void mgmt_tasks_rebase(struct mgmt_tasks *t, uint64_t last_seq)
{
	if (last_seq < t->since)
		t->since = last_seq;
}

/* Free the jobs whose step finished them; stop polling when none runs. */
static void tasks_reap(struct mgmt_tasks *t)
{
	struct mgmt_job **p = &t->jobs, *j;

	while (*p) {
		j = *p;
		if (j->finished) {
			*p = j->next;
			t->njobs--;
			j->free(j);
		} else {
			p = &j->next;
		}
	}
	if (!t->njobs)
		mgmt_timer_stop(t->loop, &t->poll);
}

static void tasks_step(struct mgmt_job *j, enum mgmt_job_why why,
		       const struct sw_fmp_event *ev)
{
	if (!j->finished)
		j->finished = j->fn(j, why, ev);
}

/* Give the jobs whose deadline passed their TIMEOUT step. */
static void tasks_check_deadlines(struct mgmt_tasks *t)
{
	uint64_t now = mgmt_loop_now(t->loop);
	struct mgmt_job *j;

	for (j = t->jobs; j; j = j->next) {
		if (j->deadline && !j->timed_out && now >= j->deadline) {
			j->timed_out = true;
			tasks_step(j, MGMT_JOB_TIMEOUT, NULL);
		}
	}
}

int mgmt_tasks_poll(struct mgmt_tasks *t, struct fm_err *err)
{
	struct sw_fmp_event evs[SW_FMP_EV_PAGE_MAX];
	struct sw_fmp_events_rsp page;
	struct mgmt_job *j;
	int total = 0, ret = 0;
	unsigned i;
	bool group;

	if (t->polling)
		return 0;
	t->polling = true;
	group = tasks_group_begin(t);
	/*
	 * The event hub records the same switch events: convert them in
	 * this group too (one commit for both), and before the jobs' own
	 * records, so the event sequence keeps the switch's order.  Its
	 * error is its own to report (it reads again at its next sync).
	 */
	if (t->events)
		mgmt_events_sync(t->events, NULL);
	do {
		ret = sw_fmp_client_events(evs, &page, t->fmp, t->since,
					   SW_FMP_EV_PAGE_MAX, err);
		if (ret < 0)
			break;
		if (page.flags & SW_FMP_EV_OVERFLOW)
			FM_LOG(FM_LOG_WARN,
			       "tasks: switch events after %llu were "
			       "overwritten before they were read",
			       (unsigned long long)t->since);
		for (i = 0; i < page.count; i++) {
			t->since = evs[i].seq;
			for (j = t->jobs; j; j = j->next)
				tasks_step(j, MGMT_JOB_EVENT, &evs[i]);
		}
		total += page.count;
	} while (page.count && (page.flags & SW_FMP_EV_MORE));
	t->polling = false;
	if (ret == 0)
		tasks_check_deadlines(t);
	tasks_group_end(t, group);
	if (ret < 0)
		return ret;
	tasks_reap(t);
	return total;
}

static void tasks_poll_timer(void *ctx)
{
	struct mgmt_tasks *t = ctx;
	struct fm_err err = { 0 };

	if (mgmt_tasks_poll(t, &err) < 0)
		FM_LOG(FM_LOG_WARN, "tasks: reading switch events: %s",
		       err.msg);
	if (t->njobs &&
	    mgmt_timer_start(t->loop, &t->poll, MGMT_TASK_POLL_NS, NULL) < 0)
		FM_LOG(FM_LOG_ERROR, "tasks: cannot restart the event poll");
}

void mgmt_tasks_kick(struct mgmt_tasks *t)
{
	if (t->njobs)
		mgmt_timer_start(t->loop, &t->poll, 0, NULL);
}

int mgmt_tasks_add(struct mgmt_tasks *t, struct mgmt_job *job,
		   uint64_t timeout_ns, struct fm_err *err)
{
	bool group;
	int ret;

	job->tasks = t;
	job->finished = false;
	job->timed_out = false;
	job->next = NULL;
	job->deadline = timeout_ns ? mgmt_loop_now(t->loop) + timeout_ns : 0;
	job->next = t->jobs;
	t->jobs = job;
	t->njobs++;
	group = tasks_group_begin(t);
	tasks_step(job, MGMT_JOB_START, NULL);
	tasks_group_end(t, group);
	if (!job->finished && !mgmt_timer_pending(&t->poll)) {
		ret = mgmt_timer_start(t->loop, &t->poll, MGMT_TASK_POLL_NS,
				       err);
		if (ret < 0) {
			t->jobs = job->next;
			t->njobs--;
			job->free(job);
			return ret;
		}
	}
	tasks_reap(t);
	return 0;
}

/* A Message of the TaskEvent registry, serialised; NULL without memory. */
static char *task_message_new(uint64_t task, int percent, const char *phase,
			      const char *detail)
{
	struct json_object *m = json_object_new_object();
	struct json_object *args = json_object_new_array();
	struct json_object *oem = json_object_new_object();
	struct json_object *mf = json_object_new_object();
	char id[24], pct[16], text[160];
	char *out = NULL;
	bool bad = !m || !args || !oem || !mf;

	snprintf(id, sizeof(id), "%llu", (unsigned long long)task);
	snprintf(pct, sizeof(pct), "%d", percent);
	snprintf(text, sizeof(text),
		 "The task with Id '%s' has changed to progress %d percent "
		 "complete.",
		 id, percent);
	if (!bad) {
		bad |= json_object_array_add(args,
					     json_object_new_string(id)) != 0;
		/* Message.v1 MessageArgs are strings, numbers included */
		bad |= json_object_array_add(args,
					     json_object_new_string(pct)) != 0;
		bad |= json_object_object_add(
			       mf, "Phase", json_object_new_string(phase)) != 0;
		bad |= json_object_object_add(
			       mf, "Detail",
			       json_object_new_string(detail ? detail : "")) !=
		       0;
		bad |= json_object_object_add(oem, "MrFabric", mf) != 0;
		mf = NULL;
		bad |= json_object_object_add(
			       m, "MessageId",
			       json_object_new_string(
				       TASK_EVENT_REGISTRY
				       ".TaskProgressChanged")) != 0;
		bad |= json_object_object_add(
			       m, "Message", json_object_new_string(text)) != 0;
		bad |= json_object_object_add(m, "MessageArgs", args) != 0;
		args = NULL;
		bad |= json_object_object_add(m, "MessageSeverity",
					      json_object_new_string("OK")) !=
		       0;
		bad |= json_object_object_add(m, "Oem", oem) != 0;
		oem = NULL;
	}
	if (!bad)
		out = strdup(json_object_to_json_string_ext(
			m, JSON_C_TO_STRING_PLAIN));
	json_object_put(mf);
	json_object_put(oem);
	json_object_put(args);
	json_object_put(m);
	return out;
}

/* {"Status": status, "Body": body}, serialised; NULL without memory. */
static char *task_result_new(unsigned status, const struct json_object *body)
{
	struct json_object *r = json_object_new_object();
	struct json_object *b = NULL;
	char *out = NULL;

	if (!r)
		return NULL;
	if (body &&
	    json_object_deep_copy((struct json_object *)body, &b, NULL) != 0)
		goto out;
	if (json_object_object_add(r, "Status",
				   json_object_new_int((int)status)) != 0)
		goto out;
	if (b && json_object_object_add(r, "Body", b) != 0)
		goto out;
	b = NULL;
	out = strdup(json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN));
out:
	json_object_put(b);
	json_object_put(r);
	return out;
}

/*
 * Post the TaskEvent of a report: progress (with @phase) or the end.
 * Failures are logged: the task row, already committed, is the record.
 */
static void task_post_event(struct mgmt_tasks *t, uint64_t task,
			    enum mgmt_task_state state, int percent,
			    const char *phase)
{
	struct fm_err err = { 0 };
	char id[24], pct[16], uri[80], text[MGMT_EVENTS_TEXT_MAX];
	const char *args[2] = { id, pct };
	struct mgmt_event e = {
		.type = "Other",
		.origin_uri = uri,
		.message = text,
		.args = args,
	};

	snprintf(id, sizeof(id), "%llu", (unsigned long long)task);
	snprintf(pct, sizeof(pct), "%d", percent < 0 ? 0 : percent);
	snprintf(uri, sizeof(uri), "/redfish/v1/TaskService/Tasks/%s", id);
	if (state == MGMT_TASK_COMPLETED) {
		e.message_id = TASK_EVENT_REGISTRY ".TaskCompletedOK";
		e.severity = "OK";
		e.nargs = 1;
		snprintf(text, sizeof(text),
			 "The task with Id '%s' has completed.", id);
	} else if (mgmt_task_state_final(state)) {
		e.message_id = TASK_EVENT_REGISTRY ".TaskAborted";
		e.severity = "Critical";
		e.nargs = 1;
		snprintf(text, sizeof(text),
			 "The task with Id '%s' has completed with errors.",
			 id);
	} else if (phase) {
		e.message_id = TASK_EVENT_REGISTRY ".TaskProgressChanged";
		e.severity = "OK";
		e.nargs = 2;
		snprintf(text, sizeof(text),
			 "The task with Id '%s' has changed to progress %s "
			 "percent complete.",
			 id, pct);
	} else {
		return;
	}
	if (mgmt_events_post(NULL, t->events, &e, &err) < 0)
		FM_LOG(FM_LOG_WARN, "task %s: event %s: %s", id, e.message_id,
		       err.msg);
}

void mgmt_job_report(struct mgmt_job *job, enum mgmt_task_state state,
		     int percent, const char *phase, const char *detail,
		     unsigned status, const struct json_object *body)
{
	struct fm_err err = { 0 };
	char *msg = NULL, *result = NULL;

	if (phase)
		msg = task_message_new(job->task, percent < 0 ? 0 : percent,
				       phase, detail);
	if (mgmt_task_state_final(state))
		result = task_result_new(status, body);
	if ((phase && !msg) || (mgmt_task_state_final(state) && !result)) {
		FM_LOG(FM_LOG_ERROR, "task %llu: out of memory",
		       (unsigned long long)job->task);
		goto out;
	}
	if (mgmt_store_task_update(job->tasks->store, job->task, state, percent,
				   msg, result, &err) < 0) {
		FM_LOG(FM_LOG_ERROR, "task %llu: %s",
		       (unsigned long long)job->task, err.msg);
		goto out;
	}
	if (job->tasks->events)
		task_post_event(job->tasks, job->task, state, percent, phase);
	/*
	 * With group commit (mgmt/durable.h) a finished task is made
	 * durable at the end of this loop iteration, and no answer that
	 * shows it leaves before (mgmt/http.c holds them).
	 */
	if (mgmt_task_state_final(state))
		mgmt_store_flush_request(job->tasks->store);
out:
	free(msg);
	free(result);
}

int mgmt_task_result_parse(unsigned *status, struct json_object **body,
			   const char *result, struct fm_err *err)
{
	struct json_object *r = json_tokener_parse(result);
	struct json_object *st, *b;
	int ret = 0;

	*status = 0;
	*body = NULL;
	if (!r || !json_object_is_type(r, json_type_object) ||
	    !json_object_object_get_ex(r, "Status", &st) ||
	    !json_object_is_type(st, json_type_int)) {
		ret = fm_err_set(err, FM_EPARSE,
				 "task result \"%.64s\" is "
				 "not a task result",
				 result);
		goto out;
	}
	*status = (unsigned)json_object_get_int(st);
	if (json_object_object_get_ex(r, "Body", &b))
		*body = json_object_get(b);
out:
	json_object_put(r);
	return ret;
}

int mgmt_switch_fn_find(struct sw_fmp_fn *out, struct sw_fmp_client *fmp,
			uint32_t fid, struct fm_err *err)
{
	struct sw_fmp_fn fn;
	uint32_t lo = 0, hi, total;
	unsigned n;
	int ret;

	ret = sw_fmp_client_list_functions(&fn, &n, &total, fmp, 0, 1, err);
	if (ret < 0)
		return ret;
	hi = total;
	/* invariant: every function before @lo has fid < @fid, every one
	 * from @hi on has fid > @fid */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		ret = sw_fmp_client_list_functions(&fn, &n, NULL, fmp, mid, 1,
						   err);
		if (ret < 0)
			return ret;
		if (n != 1)
			break;
		if (fn.fid == fid) {
			*out = fn;
			return 0;
		}
		if (fn.fid < fid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return fm_err_set(err, FM_ENOENT, "switch: no function %08x", fid);
}
