/* SPDX-License-Identifier: MIT */
/*
 * TaskService, Tasks and task monitors through the router.
 */
#include "mw_fixture.h"

static struct mw_fx fx;

static void setup(void)
{
	mw_setup(&fx);
}

static void teardown(void)
{
	mw_teardown(&fx);
}

TestSuite(mgmt_res_tasks, .init = setup, .fini = teardown);

static uint64_t start_move(void)
{
	uint64_t id;

	cr_assert_eq(mw_add(&fx, MW_ZONE(0), MW_EP(1)), 204);
	mw_run_virtual(&fx, 3000000000ull);
	cr_assert_eq(mw_move(&fx, &id, MW_EP(1), MW_ZONE(1)), 202);
	return id;
}

static const char *str_member(struct json_object *o, const char *name)
{
	struct json_object *v;

	cr_assert(json_object_object_get_ex(o, name, &v), "no %s", name);
	return json_object_get_string(v);
}

Test(mgmt_res_tasks, task_service_links_the_task_collection)
{
	struct mgmt_resp resp;
	struct json_object *tasks;

	cr_assert_eq(
		mw_request(&fx, &resp, "GET", "/redfish/v1/TaskService", NULL),
		200);
	cr_assert(json_object_object_get_ex(resp.json, "Tasks", &tasks));
	cr_assert_str_eq(str_member(tasks, "@odata.id"),
			 "/redfish/v1/TaskService/Tasks");
	cr_assert_str_eq(str_member(resp.json, "@odata.type"),
			 "#TaskService.v1_2_1.TaskService");
	mgmt_resp_fini(&resp);
}

Test(mgmt_res_tasks, collection_lists_started_task)
{
	struct mgmt_resp resp;
	struct json_object *m;
	char uri[64];
	uint64_t id = start_move();

	snprintf(uri, sizeof(uri), "/redfish/v1/TaskService/Tasks/%lu",
		 (unsigned long)id);
	cr_assert_eq(mw_request(&fx, &resp, "GET",
				"/redfish/v1/TaskService/Tasks", NULL),
		     200);
	cr_assert(json_object_object_get_ex(resp.json, "Members", &m));
	cr_assert_eq(json_object_array_length(m), 1);
	cr_assert_str_eq(
		str_member(json_object_array_get_idx(m, 0), "@odata.id"), uri);
	mgmt_resp_fini(&resp);
}

Test(mgmt_res_tasks, task_carries_payload_of_its_request)
{
	struct mgmt_resp resp;
	struct json_object *p;
	char uri[64];
	uint64_t id = start_move();

	snprintf(uri, sizeof(uri), "/redfish/v1/TaskService/Tasks/%lu",
		 (unsigned long)id);
	cr_assert_eq(mw_request(&fx, &resp, "GET", uri, NULL), 200);
	cr_assert(json_object_object_get_ex(resp.json, "Payload", &p));
	cr_assert_str_eq(str_member(p, "HttpOperation"), "POST");
	cr_assert_str_eq(str_member(p, "TargetUri"), MW_MOVE);
	cr_assert_str_eq(str_member(resp.json, "TaskMonitor") +
				 strlen("/redfish/v1/TaskService/"
					"TaskMonitors/"),
			 uri + strlen("/redfish/v1/TaskService/Tasks/"));
	mgmt_resp_fini(&resp);
}

Test(mgmt_res_tasks, monitor_answers_202_with_location_while_running)
{
	struct mgmt_resp resp;
	char uri[64];
	uint64_t id = start_move();

	snprintf(uri, sizeof(uri), "/redfish/v1/TaskService/TaskMonitors/%lu",
		 (unsigned long)id);
	cr_assert_eq(mw_request(&fx, &resp, "GET", uri, NULL), 202);
	cr_assert_str_eq(mgmt_resp_header(&resp, "Location"), uri);
	cr_assert_str_eq(str_member(resp.json, "TaskState"), "Running");
	mgmt_resp_fini(&resp);
}

Test(mgmt_res_tasks, monitor_of_failed_task_answers_its_error)
{
	struct mgmt_store_task t;
	struct mgmt_resp resp;
	char uri[64];
	uint64_t id;

	cr_assert_eq(mw_add(&fx, MW_ZONE(0), MW_EP(1)), 204);
	mw_run_virtual(&fx, 3000000000ull);
	/* the VF's reset never completes: the move cannot go on */
	sim_fn_inject_flr_hang(sim_ep_vf(sim_chassis_ep_find(fx.ch, "nic0"), 0),
			       true);
	cr_assert_eq(mw_move(&fx, &id, MW_EP(1), MW_ZONE(1)), 202);
	mw_run_tasks(&fx);
	mw_task(&fx, &t, id);
	cr_assert_eq(t.state, MGMT_TASK_EXCEPTION);
	mgmt_store_task_fini(&t);
	snprintf(uri, sizeof(uri), "/redfish/v1/TaskService/TaskMonitors/%lu",
		 (unsigned long)id);
	cr_assert_eq(mw_request(&fx, &resp, "GET", uri, NULL), 500);
	cr_assert(json_object_object_get_ex(resp.json, "error", NULL));
	mgmt_resp_fini(&resp);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).state, SW_FN_FAILED);
}

Test(mgmt_res_tasks, unknown_task_gets_404)
{
	cr_assert_eq(
		mw_status(&fx, "GET", "/redfish/v1/TaskService/Tasks/77", NULL),
		404);
	cr_assert_eq(
		mw_status(&fx, "GET", "/redfish/v1/TaskService/Tasks/07", NULL),
		404);
	cr_assert_eq(mw_status(&fx, "GET",
			       "/redfish/v1/TaskService/TaskMonitors/x", NULL),
		     404);
}

Test(mgmt_res_tasks, delete_of_running_task_gets_409)
{
	char uri[64];
	uint64_t id = start_move();

	snprintf(uri, sizeof(uri), "/redfish/v1/TaskService/Tasks/%lu",
		 (unsigned long)id);
	cr_assert_eq(mw_status(&fx, "DELETE", uri, NULL), 409);
	mw_run_tasks(&fx);
	cr_assert_eq(mw_status(&fx, "DELETE", uri, NULL), 204);
	cr_assert_eq(mw_status(&fx, "GET", uri, NULL), 404);
}
