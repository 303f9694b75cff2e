/* SPDX-License-Identifier: MIT */
/*
 * res_tasks.c - /redfish/v1/TaskService: the Tasks the service runs
 * (mgmt/task.h, recorded in mgmt/store.h) and their task monitors
 * (DSP0266 "Asynchronous operations").
 *
 * A task monitor answers 202 Accepted with a Location header (itself)
 * and the Task while the task runs; once it finished, the response of the
 * operation it ran (its status and body, as the job recorded it).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "mgmt/redfish_int.h"
#include "mgmt/router_int.h"
#include "mgmt/store.h"
#include "mgmt/task.h"

#define TS_URI "/redfish/v1/TaskService"
#define TASKS_URI TS_URI "/Tasks"
#define MONITORS_URI TS_URI "/TaskMonitors"
#define TS_TYPE "#TaskService.v1_2_1.TaskService"
#define TASKS_TYPE "#TaskCollection.TaskCollection"
#define TASK_TYPE "#Task.v1_7_4.Task"

/* Redfish TaskStatus (Resource.Health) of a task in @state. */
static const char *task_health(enum mgmt_task_state state)
{
	switch (state) {
	case MGMT_TASK_EXCEPTION:
	case MGMT_TASK_KILLED:
		return "Critical";
	case MGMT_TASK_CANCELLED:
	case MGMT_TASK_INTERRUPTED:
		return "Warning";
	default:
		return "OK";
	}
}

static int task_need_store(struct mgmt_ctx *ctx, struct fm_err *err)
{
	if (!ctx->store)
		return fm_err_set(err, FM_EIO, "tasks: no store is open");
	return 0;
}

/* The Task resource of @t into *out (a new reference). */
/* Write a string object's text verbatim: it holds JSON, see below. */
static int task_raw_serialize(struct json_object *o, struct printbuf *pb,
			      int level, int flags)
{
	(void)level;
	(void)flags;
	return printbuf_memappend(pb, json_object_get_string(o),
				  json_object_get_string_len(o));
}

/*
 * A task message for the body: the JSON text the job engine stored
 * (mgmt/task.c builds it with json-c, never from client bytes), put into
 * the response as it is instead of parsed and serialised again -- the
 * parse was most of what a task monitor poll cost.
 */
static struct json_object *task_raw_json(const char *text)
{
	struct json_object *m = json_object_new_string(text);

	if (m)
		json_object_set_serializer(m, task_raw_serialize, NULL, NULL);
	return m;
}

static int task_json(struct json_object **out, const struct mgmt_store_task *t,
		     struct fm_err *err)
{
	struct json_object *o = NULL, *msgs = NULL, *payload = NULL, *m;
	char uri[64], when[MGMT_RF_TIME_LEN];
	size_t i;
	int bad = 0, ret;

	snprintf(uri, sizeof(uri), TASKS_URI "/%" PRIu64, t->id);
	ret = mgmt_rf_resource_new(&o, uri, TASK_TYPE, "Task", err);
	if (ret < 0)
		return ret;
	bad |= mgmt_rf_set_fmt(o, "Name", "Task %" PRIu64, t->id);
	bad |= mgmt_rf_set_str(o, "TaskState", mgmt_task_state_name(t->state));
	bad |= mgmt_rf_set_str(o, "TaskStatus", task_health(t->state));
	bad |= mgmt_rf_set(o, "PercentComplete",
			   json_object_new_int((int)t->percent));
	mgmt_rf_time(when, t->start_ms);
	bad |= mgmt_rf_set_str(o, "StartTime", when);
	if (mgmt_task_state_final(t->state)) {
		mgmt_rf_time(when, t->end_ms);
		bad |= mgmt_rf_set_str(o, "EndTime", when);
	}
	bad |= mgmt_rf_set_fmt(o, "TaskMonitor", MONITORS_URI "/%" PRIu64,
			       t->id);
	msgs = json_object_new_array();
	for (i = 0; msgs && i < t->nmessages; i++) {
		m = task_raw_json(t->messages[i]);
		if (!m || json_object_array_add(msgs, m) != 0) {
			json_object_put(m);
			bad = 1;
		}
	}
	bad |= mgmt_rf_set(o, "Messages", msgs);
	payload = json_object_new_object();
	if (payload) {
		bad |= mgmt_rf_set_str(payload, "HttpOperation",
				       t->method ? t->method : "");
		bad |= mgmt_rf_set_str(payload, "TargetUri",
				       t->target_uri ? t->target_uri : "");
		if (t->body)
			bad |= mgmt_rf_set_str(payload, "JsonBody", t->body);
		bad |= mgmt_rf_set(payload, "HttpHeaders",
				   json_object_new_array());
	}
	bad |= mgmt_rf_set(o, "Payload", payload);
	if (bad) {
		json_object_put(o);
		return fm_err_set(err, FM_ENOMEM,
				  "task %" PRIu64 ": out of memory", t->id);
	}
	*out = o;
	return 0;
}

static int ts_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		  const struct mgmt_req *req, struct fm_err *err)
{
	struct json_object *o = NULL, *st;
	char when[MGMT_RF_TIME_LEN];
	struct timespec now;
	int bad = 0, ret;

	(void)req;
	ret = mgmt_rf_resource_new(&o, TS_URI, TS_TYPE, "Task Service", err);
	if (ret < 0)
		return ret;
	clock_gettime(CLOCK_REALTIME, &now);
	mgmt_rf_time(when, (int64_t)now.tv_sec * 1000);
	bad |= mgmt_rf_set(o, "ServiceEnabled",
			   json_object_new_boolean(ctx->tasks != NULL));
	bad |= mgmt_rf_set_str(o, "CompletedTaskOverWritePolicy", "Oldest");
	bad |= mgmt_rf_set(o, "LifeCycleEventOnTaskStateChange",
			   json_object_new_boolean(0));
	bad |= mgmt_rf_set_str(o, "DateTime", when);
	bad |= mgmt_rf_set_link(o, "Tasks", TASKS_URI);
	st = json_object_new_object();
	if (st) {
		bad |= mgmt_rf_set_str(st, "State",
				       ctx->tasks ? "Enabled" : "Disabled");
		bad |= mgmt_rf_set_str(st, "Health", "OK");
	}
	bad |= mgmt_rf_set(o, "Status", st);
	if (bad) {
		json_object_put(o);
		return fm_err_set(err, FM_ENOMEM,
				  "task service: out of "
				  "memory");
	}
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

static int tasks_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		     const struct mgmt_req *req, struct fm_err *err)
{
	struct json_object *o = NULL;
	uint64_t *ids = NULL;
	char uri[64];
	size_t n = 0, i;
	int ret;

	(void)req;
	ret = task_need_store(ctx, err);
	if (ret == 0)
		ret = mgmt_store_task_list(&ids, &n, ctx->store, err);
	if (ret == 0)
		ret = mgmt_rf_collection_new(&o, TASKS_URI, TASKS_TYPE,
					     "Task Collection", err);
	for (i = 0; ret == 0 && i < n; i++) {
		snprintf(uri, sizeof(uri), TASKS_URI "/%" PRIu64, ids[i]);
		ret = mgmt_rf_collection_add(o, uri, err);
	}
	free(ids);
	return mgmt_rf_reply(resp, 200, o, ret);
}

/* Read the task of the {task} parameter into @t. */
static int task_load(struct mgmt_store_task *t, struct mgmt_ctx *ctx,
		     const struct mgmt_req *req, struct fm_err *err)
{
	uint64_t id = 0;
	int ret;

	memset(t, 0, sizeof(*t));
	ret = task_need_store(ctx, err);
	if (ret == 0)
		ret = mgmt_rf_id_parse(&id, mgmt_req_param(req, "task"), "task",
				       err);
	if (ret == 0)
		ret = mgmt_store_task_get(t, ctx->store, id, err);
	return ret;
}

static int task_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		    const struct mgmt_req *req, struct fm_err *err)
{
	struct mgmt_store_task t;
	struct json_object *o = NULL;
	int ret;

	ret = task_load(&t, ctx, req, err);
	if (ret == 0)
		ret = task_json(&o, &t, err);
	mgmt_store_task_fini(&t);
	if (ret < 0)
		return ret;
	mgmt_resp_set_json(resp, 200, o);
	return 0;
}

static int task_delete(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		       const struct mgmt_req *req, struct fm_err *err)
{
	struct mgmt_store_task t;
	int ret;

	ret = task_load(&t, ctx, req, err);
	if (ret == 0)
		ret = mgmt_store_task_delete(ctx->store, t.id, err);
	mgmt_store_task_fini(&t);
	if (ret < 0)
		return ret;
	resp->status = 204;
	return 0;
}

static int monitor_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		       const struct mgmt_req *req, struct fm_err *err)
{
	struct mgmt_store_task t;
	struct json_object *o = NULL;
	unsigned status = 0;
	int ret;

	ret = task_load(&t, ctx, req, err);
	if (ret < 0)
		goto out;
	if (!mgmt_task_state_final(t.state)) {
		ret = task_json(&o, &t, err);
		if (ret < 0)
			goto out;
		mgmt_resp_set_json(resp, 202, o);
		ret = mgmt_resp_header_set(resp, "Location",
					   MONITORS_URI "/%" PRIu64, t.id);
		if (ret == 0)
			ret = mgmt_resp_header_set(resp, "Retry-After", "1");
		goto out;
	}
	if (!t.result) {
		/* finished without a recorded response (interrupted) */
		resp->status = 204;
		goto out;
	}
	ret = mgmt_task_result_parse(&status, &o, t.result, err);
	if (ret < 0)
		goto out;
	if (o)
		mgmt_resp_set_json(resp, status, o);
	else
		resp->status = status;
out:
	mgmt_store_task_fini(&t);
	return ret;
}

int mgmt_task_accepted(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		       uint64_t id, struct fm_err *err)
{
	struct mgmt_store_task t;
	struct json_object *o = NULL;
	int ret;

	memset(&t, 0, sizeof(t));
	ret = task_need_store(ctx, err);
	if (ret == 0)
		ret = mgmt_store_task_get(&t, ctx->store, id, err);
	if (ret == 0)
		ret = task_json(&o, &t, err);
	mgmt_store_task_fini(&t);
	if (ret < 0)
		return ret;
	mgmt_resp_set_json(resp, 202, o);
	return mgmt_resp_header_set(resp, "Location", MONITORS_URI "/%" PRIu64,
				    id);
}

/*
 * Routes.  A task is read by anyone logged in; deleting a finished one
 * needs ConfigureManager (it removes history).
 */
static const struct mgmt_route task_routes[] = {
	{
		.path = TS_URI,
		.type = TS_TYPE,
		.op[MGMT_GET] = { ts_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = TASKS_URI,
		.type = TASKS_TYPE,
		.op[MGMT_GET] = { tasks_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = TASKS_URI "/{task}",
		.type = TASK_TYPE,
		.op[MGMT_GET] = { task_get, MGMT_PRIV_LOGIN },
		.op[MGMT_DELETE] = { task_delete, MGMT_PRIV_CONFIGURE_MANAGER },
	},
	{
		.path = MONITORS_URI "/{task}",
		.type = NULL,
		.op[MGMT_GET] = { monitor_get, MGMT_PRIV_LOGIN },
	},
};

MGMT_ROUTE_SET(mgmt_res_tasks, "tasks", task_routes);
