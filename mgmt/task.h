/* SPDX-License-Identifier: MIT */
/*
 * task.h - long work of mrfabricd as jobs advanced on the event loop.
 *
 * A job is one Redfish Task (its row in mgmt/store.h) plus the code that
 * drives it: a step function the engine calls once when the job starts,
 * then for every switch event (FMP GET_EVENTS, read on a timer while any
 * job runs) and once when the job's deadline passes.  Nothing here
 * blocks: each step makes at most a few FMP round trips and store
 * writes, then returns.  Every change of a task (state, percent, phase
 * message, result) is written to the store before the step returns; with
 * the daemon's group commit (mgmt/durable.h) progress becomes durable
 * within a few ms and a final state before any client can read it, so a
 * crash never loses a finished task somebody saw, and progress it loses
 * is rebuilt by reconcile from what the switch reports.
 *
 * Threading: everything runs on the loop's thread.  Ownership: the engine
 * owns a job from mgmt_tasks_add() on (also when that fails) and frees it
 * with job->free once its step reports it finished.
 */
#ifndef MRFABRIC_MGMT_TASK_H
#define MRFABRIC_MGMT_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fabric/fm.h"
#include "mgmt/store.h"

struct mgmt_loop;
struct mgmt_store;
struct sw_fmp_client;
struct sw_fmp_event;
struct sw_fmp_fn;
struct json_object;

/* Interval of the switch event poll while jobs run (wall time). */
#define MGMT_TASK_POLL_NS 1000000ull

struct mgmt_tasks;
struct mgmt_job;

/* Why a step runs. */
enum mgmt_job_why {
	MGMT_JOB_START = 0, /* once, from mgmt_tasks_add() */
	MGMT_JOB_EVENT,	    /* a switch event (@ev) */
	MGMT_JOB_TIMEOUT,   /* the deadline passed (once) */
};

/*
 * Advance @job.  Returns true when the job is finished (its task in a
 * final state): the engine then frees it.
 */
typedef bool mgmt_job_fn(struct mgmt_job *job, enum mgmt_job_why why,
			 const struct sw_fmp_event *ev);

/*
 * Embed as the first member of a job's own struct; fill @fn, @free and
 * @task before mgmt_tasks_add().  The rest is the engine's.
 */
struct mgmt_job {
	mgmt_job_fn *fn;
	void (*free)(struct mgmt_job *job);
	uint64_t task; /* the store task it reports to */
	/* the engine's */
	struct mgmt_tasks *tasks;
	uint64_t deadline; /* loop ns; 0: none */
	bool finished;
	bool timed_out;
	struct mgmt_job *next;
};

/*
 * An engine on @loop that talks to @fmp and records in @st (all borrowed,
 * must outlive it).  Reads the switch's last event sequence number, so
 * only events after this moment reach jobs.  -FM_ENOMEM or the FMP error.
 */
int mgmt_tasks_new(struct mgmt_tasks **out, struct mgmt_loop *loop,
		   struct sw_fmp_client *fmp, struct mgmt_store *st,
		   struct fm_err *err);
/* Free @t and every job still running (their tasks stay as stored). */
void mgmt_tasks_free(struct mgmt_tasks *t);

/*
 * Post every task progress and completion to the event hub @ev
 * (mgmt/events.h; borrowed, NULL: none) as TaskEvent registry events
 * (TaskProgressChanged, TaskCompletedOK, TaskAborted) whose origin is the
 * Task: this is how SSE clients follow move phases.
 */
struct mgmt_events;
void mgmt_tasks_set_events(struct mgmt_tasks *t, struct mgmt_events *ev);

struct mgmt_loop *mgmt_tasks_loop(const struct mgmt_tasks *t);
struct sw_fmp_client *mgmt_tasks_fmp(const struct mgmt_tasks *t);
struct mgmt_store *mgmt_tasks_store(const struct mgmt_tasks *t);
/* Jobs running. */
size_t mgmt_tasks_active(const struct mgmt_tasks *t);
/*
 * The switch was reconnected and its event log ends at @last_seq: when
 * that is before what was read (a new switch process started a new
 * log), read from @last_seq on, else events of the new log up to the old
 * sequence number would never reach a job.  Otherwise nothing changes.
 */
void mgmt_tasks_rebase(struct mgmt_tasks *t, uint64_t last_seq);

/*
 * Take @job, run its START step and, unless that finished it, keep it running with a
 * deadline @timeout_ns from now (0: none).  Returns 0, or -FM_ENOMEM
 * (the job is freed; its task is not touched).  Events the switch logged
 * before and not read yet reach the job too: call mgmt_tasks_poll()
 * before starting switch work when older events must not.
 */
int mgmt_tasks_add(struct mgmt_tasks *t, struct mgmt_job *job,
		   uint64_t timeout_ns, struct fm_err *err);

/*
 * Read the switch's pending events now and hand them to the jobs (the
 * poll timer does this by itself; tests and reconcile call it to settle
 * at once).  Returns the number of events read, or the FMP error.
 */
int mgmt_tasks_poll(struct mgmt_tasks *t, struct fm_err *err);

/*
 * The switch logged an event (the embedded firmware's notify hook): if
 * jobs run, read the switch's events in the next loop iteration instead
 * of at the next tick of the MGMT_TASK_POLL_NS poll, so a job advances
 * as soon as the switch did.  Never fails: while jobs run the poll
 * timer is armed, so re-arming it needs no memory.
 */
void mgmt_tasks_kick(struct mgmt_tasks *t);

/*
 * Record progress of @job's task: @state, @percent (-1 keeps), a phase
 * message (a Redfish Message of the TaskEvent registry,
 * TaskProgressChanged, carrying @phase and @detail in Oem.MrFabric;
 * @phase NULL: no message) and, for a final state, @result: the response
 * the task monitor answers from then on, @status and @body (a Redfish
 * body, borrowed; NULL: none).  A store failure is logged: the task row
 * then lags behind, which reconcile repairs at the next start.
 */
void mgmt_job_report(struct mgmt_job *job, enum mgmt_task_state state,
		     int percent, const char *phase, const char *detail,
		     unsigned status, const struct json_object *body);

/*
 * The stored result of a finished task, split: *status (HTTP) and *body
 * (a new reference, NULL when the result has none).  -FM_EPARSE when
 * @result is not one this file wrote.
 */
int mgmt_task_result_parse(unsigned *status, struct json_object **body,
			   const char *result, struct fm_err *err);

/*
 * The switch's view of function @fid (FMP LIST_FUNCTIONS: functions are
 * in fid order, so a binary search costs log2(n) round trips).  Returns
 * 0, -FM_ENOENT when the switch has no such function, or the FMP error.
 */
int mgmt_switch_fn_find(struct sw_fmp_fn *out, struct sw_fmp_client *fmp,
			uint32_t fid, struct fm_err *err);

/*
 * The answer to a request that started task @id (res_tasks.c): 202
 * Accepted, Location: its task monitor, and the Task as the body.
 * Returns 0, -FM_ENOENT, -FM_ENOMEM, -FM_EIO.
 */
struct mgmt_resp;
struct mgmt_ctx;
int mgmt_task_accepted(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		       uint64_t id, struct fm_err *err);

#endif
