/* SPDX-License-Identifier: MIT */
/*
 * Zone.AddEndpoint, Zone.RemoveEndpoint and MrFabric.MoveEndpoint through
 * the router, on the small example chassis at virtual speed 0: what the
 * blades enumerate, what the switch reports, and the tasks.
 */
#include "mgmt/fabric.h"
#include "mw_fixture.h"

static struct mw_fx fx;
static struct mgmt_fabric *fabric; /* the GET side (Zone bodies, Actions) */

static void setup(void)
{
	struct fm_err err = { 0 };

	mw_setup(&fx);
	cr_assert_eq(mgmt_fabric_new(&fabric, fx.fmp, &err), 0, "%s", err.msg);
	fx.ctx.fabric = fabric;
}

static void teardown(void)
{
	mgmt_fabric_free(fabric);
	mw_teardown(&fx);
}

TestSuite(mgmt_zones_actions, .init = setup, .fini = teardown);

/* Bind VF @vf to zone @zone and let the host enumerate it. */
#define BIND(vf, zone)                                                         \
	do {                                                                   \
		cr_assert_eq(mw_add(&fx, MW_ZONE(zone), MW_EP(vf)), 204);      \
		mw_run_virtual(&fx, 3000000000ull);                            \
	} while (0)

/* The stored message phases of task @id, comma-separated. */
static void task_phases(char *out, size_t len, uint64_t id)
{
	struct mgmt_store_task t;
	struct json_object *m, *p;
	size_t i, used = 0;

	out[0] = 0;
	mw_task(&fx, &t, id);
	for (i = 0; i < t.nmessages; i++) {
		m = json_tokener_parse(t.messages[i]);
		cr_assert(m);
		cr_assert(json_object_object_get_ex(m, "Oem", &p));
		cr_assert(json_object_object_get_ex(p, "MrFabric", &p));
		cr_assert(json_object_object_get_ex(p, "Phase", &p));
		used += (size_t)snprintf(out + used, len - used, "%s%s",
					 used ? "," : "",
					 json_object_get_string(p));
		json_object_put(m);
	}
	mgmt_store_task_fini(&t);
}

/* A member of the JSON body of GET @path. */
static struct json_object *get_member(const char *path, const char *name,
				      unsigned *status)
{
	struct mgmt_resp resp;
	struct json_object *v = NULL;

	*status = mw_request(&fx, &resp, "GET", path, NULL);
	if (resp.json && json_object_object_get_ex(resp.json, name, &v))
		v = json_object_get(v);
	mgmt_resp_fini(&resp);
	return v;
}

Test(mgmt_zones_actions, add_endpoint_binds_vf_and_blade_enumerates_it)
{
	struct sw_fmp_fn fn;

	BIND(1, 0);
	fn = mw_switch_fn(&fx, MW_FID(1));
	cr_assert_eq(fn.state, SW_FN_BOUND);
	cr_assert_eq(fn.partition, 0);
	cr_assert_eq(mw_blade_vfs(&fx, 0), 1);
	cr_assert_eq(mw_blade_vfs(&fx, 1), 0);
}

Test(mgmt_zones_actions, add_endpoint_records_desired_binding)
{
	struct mgmt_store_binding b;

	BIND(2, 1);
	cr_assert_eq(mgmt_store_binding_get(&b, fx.store, MW_FID(2), NULL), 0);
	cr_assert_eq(b.partition, 1);
	cr_assert_eq(b.vppb, mw_switch_fn(&fx, MW_FID(2)).vppb);
}

Test(mgmt_zones_actions, add_endpoint_unknown_endpoint_gets_400_and_no_change)
{
	struct mgmt_store_binding b;

	cr_assert_eq(mw_add(&fx, MW_ZONE(0), MW_EP(99)), 400);
	cr_assert_eq(mw_add(&fx, MW_ZONE(0),
			    "/redfish/v1/Fabrics/PCIe/Endpoints/Host-1"),
		     400);
	cr_assert_eq(mgmt_store_binding_get(&b, fx.store, MW_FID(99), NULL),
		     -FM_ENOENT);
	cr_assert_eq(mw_blade_vfs(&fx, 0), 0);
}

Test(mgmt_zones_actions, add_endpoint_refuses_the_sriov_pf)
{
	cr_assert_eq(mw_add(&fx, MW_ZONE(0), MW_EP(0)), 400);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(0)).state, SW_FN_FABRIC);
}

Test(mgmt_zones_actions, add_endpoint_unknown_zone_gets_404)
{
	cr_assert_eq(mw_add(&fx, MW_ZONE(7), MW_EP(1)), 404);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).state, SW_FN_FREE);
}

Test(mgmt_zones_actions, add_endpoint_without_endpoint_gets_400)
{
	cr_assert_eq(mw_status(&fx, "POST",
			       MW_ZONE(0) "/Actions/Zone.AddEndpoint", "{}"),
		     400);
}

Test(mgmt_zones_actions, add_endpoint_of_vf_in_other_zone_gets_409)
{
	BIND(1, 0);
	cr_assert_eq(mw_add(&fx, MW_ZONE(1), MW_EP(1)), 409);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).partition, 0);
}

Test(mgmt_zones_actions, remove_endpoint_runs_task_until_function_is_free)
{
	struct mgmt_store_task t;
	struct mgmt_resp resp;
	struct mgmt_store_binding b;
	char body[256];
	uint64_t id = 0;
	const char *loc;

	BIND(1, 0);
	cr_assert_eq(mw_request(&fx, &resp, "POST",
				MW_ZONE(0) "/Actions/Zone.RemoveEndpoint",
				mw_ep_body(body, sizeof(body), MW_EP(1), NULL)),
		     202);
	loc = mgmt_resp_header(&resp, "Location");
	cr_assert(loc);
	cr_assert_eq(sscanf(loc, "/redfish/v1/TaskService/TaskMonitors/%lu",
			    (unsigned long *)&id),
		     1);
	mgmt_resp_fini(&resp);
	mw_run_tasks(&fx);
	mw_task(&fx, &t, id);
	cr_assert_eq(t.state, MGMT_TASK_COMPLETED);
	mgmt_store_task_fini(&t);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).state, SW_FN_FREE);
	cr_assert_eq(mw_blade_vfs(&fx, 0), 0);
	cr_assert_eq(mgmt_store_binding_get(&b, fx.store, MW_FID(1), NULL),
		     -FM_ENOENT);
}

Test(mgmt_zones_actions, remove_endpoint_surprise_mode_skips_the_button)
{
	char body[256];
	struct mgmt_resp resp;

	BIND(1, 0);
	cr_assert_eq(mw_request(&fx, &resp, "POST",
				MW_ZONE(0) "/Actions/Zone.RemoveEndpoint",
				mw_ep_body(body, sizeof(body), MW_EP(1),
					   "\"Oem\": {\"MrFabric\": "
					   "{\"Mode\": \"Surprise\"}}")),
		     202);
	mgmt_resp_fini(&resp);
	/* a surprise removal drops the device before any button window */
	mw_run_virtual(&fx, 100000000ull);
	cr_assert_eq(mw_blade_vfs(&fx, 0), 0);
	mw_run_tasks(&fx);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).state, SW_FN_FREE);
}

Test(mgmt_zones_actions, remove_endpoint_bad_mode_gets_400_and_no_change)
{
	char body[256];

	BIND(1, 0);
	cr_assert_eq(mw_status(&fx, "POST",
			       MW_ZONE(0) "/Actions/Zone.RemoveEndpoint",
			       mw_ep_body(body, sizeof(body), MW_EP(1),
					  "\"Oem\": {\"MrFabric\": "
					  "{\"Mode\": \"Gentle\"}}")),
		     400);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).state, SW_FN_BOUND);
	cr_assert_eq(mgmt_tasks_active(fx.tasks), 0);
}

Test(mgmt_zones_actions, remove_endpoint_not_in_zone_gets_409)
{
	char body[256];

	BIND(1, 0);
	cr_assert_eq(mw_status(&fx, "POST",
			       MW_ZONE(1) "/Actions/Zone.RemoveEndpoint",
			       mw_ep_body(body, sizeof(body), MW_EP(1), NULL)),
		     409);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).state, SW_FN_BOUND);
}

Test(mgmt_zones_actions, move_shows_phases_and_percent_while_running)
{
	struct json_object *v;
	char path[128];
	unsigned st;
	uint64_t id;

	BIND(1, 0);
	cr_assert_eq(mw_move(&fx, &id, MW_EP(1), MW_ZONE(1)), 202);
	cr_assert_gt(id, 0);
	snprintf(path, sizeof(path), "/redfish/v1/TaskService/Tasks/%lu",
		 (unsigned long)id);
	v = get_member(path, "TaskState", &st);
	cr_assert_eq(st, 200);
	cr_assert_str_eq(json_object_get_string(v), "Running");
	json_object_put(v);
	v = get_member(path, "PercentComplete", &st);
	cr_assert_gt(json_object_get_int(v), 0);
	cr_assert_lt(json_object_get_int(v), 100);
	json_object_put(v);
	snprintf(path, sizeof(path), "/redfish/v1/TaskService/TaskMonitors/%lu",
		 (unsigned long)id);
	cr_assert_eq(mw_status(&fx, "GET", path, NULL), 202);
}

Test(mgmt_zones_actions, move_ends_with_vf_at_target_and_task_completed)
{
	struct mgmt_store_binding b;
	struct json_object *v;
	char path[128], phases[256];
	unsigned st;
	uint64_t id;

	BIND(1, 0);
	cr_assert_eq(mw_blade_vfs(&fx, 0), 1);
	cr_assert_eq(mw_move(&fx, &id, MW_EP(1), MW_ZONE(1)), 202);
	mw_run_tasks(&fx);
	mw_run_virtual(&fx, 3000000000ull);
	cr_assert_eq(mw_blade_vfs(&fx, 0), 0);
	cr_assert_eq(mw_blade_vfs(&fx, 1), 1);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).partition, 1);
	cr_assert_eq(mgmt_store_binding_get(&b, fx.store, MW_FID(1), NULL), 0);
	cr_assert_eq(b.partition, 1);
	snprintf(path, sizeof(path), "/redfish/v1/TaskService/Tasks/%lu",
		 (unsigned long)id);
	v = get_member(path, "TaskState", &st);
	cr_assert_str_eq(json_object_get_string(v), "Completed");
	json_object_put(v);
	v = get_member(path, "PercentComplete", &st);
	cr_assert_eq(json_object_get_int(v), 100);
	json_object_put(v);
	task_phases(phases, sizeof(phases), id);
	cr_assert_str_eq(phases, "removing,resetting,adding,done");
	snprintf(path, sizeof(path), "/redfish/v1/TaskService/TaskMonitors/%lu",
		 (unsigned long)id);
	cr_assert_eq(mw_status(&fx, "GET", path, NULL), 204);
}

Test(mgmt_zones_actions, move_of_unbound_vf_gets_409_and_no_task)
{
	uint64_t id;
	uint64_t *ids = NULL;
	size_t n = 1;

	cr_assert_eq(mw_move(&fx, &id, MW_EP(1), MW_ZONE(1)), 409);
	cr_assert_eq(id, 0);
	cr_assert_eq(mgmt_store_task_list(&ids, &n, fx.store, NULL), 0);
	cr_assert_eq(n, 0);
	free(ids);
}

Test(mgmt_zones_actions, move_to_unknown_zone_gets_400)
{
	uint64_t id;

	BIND(1, 0);
	cr_assert_eq(mw_move(&fx, &id, MW_EP(1), MW_ZONE(9)), 400);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).partition, 0);
}

Test(mgmt_zones_actions, remove_of_moving_vf_gets_409_resource_in_use)
{
	struct mgmt_resp resp;
	struct json_object *e, *info, *m, *id;
	char body[256];
	uint64_t task;

	BIND(1, 0);
	cr_assert_eq(mw_move(&fx, &task, MW_EP(1), MW_ZONE(1)), 202);
	cr_assert_eq(mw_request(&fx, &resp, "POST",
				MW_ZONE(0) "/Actions/Zone.RemoveEndpoint",
				mw_ep_body(body, sizeof(body), MW_EP(1), NULL)),
		     409);
	cr_assert(json_object_object_get_ex(resp.json, "error", &e));
	cr_assert(json_object_object_get_ex(e, "@Message.ExtendedInfo", &info));
	m = json_object_array_get_idx(info, 0);
	cr_assert(json_object_object_get_ex(m, "MessageId", &id));
	cr_assert_str_eq(json_object_get_string(id),
			 "Base.1.22.1.ResourceInUse");
	mgmt_resp_fini(&resp);
}

Test(mgmt_zones_actions, add_of_moving_vf_to_target_gets_409)
{
	uint64_t task;

	BIND(1, 0);
	cr_assert_eq(mw_move(&fx, &task, MW_EP(1), MW_ZONE(1)), 202);
	cr_assert_eq(mw_add(&fx, MW_ZONE(1), MW_EP(1)), 409);
	mw_run_tasks(&fx);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).partition, 1);
}

Test(mgmt_zones_actions, two_concurrent_moves_have_one_winner)
{
	uint64_t a, b;
	uint64_t *ids = NULL;
	size_t n = 0;

	BIND(1, 0);
	cr_assert_eq(mw_move(&fx, &a, MW_EP(1), MW_ZONE(1)), 202);
	cr_assert_eq(mw_move(&fx, &b, MW_EP(1), MW_ZONE(1)), 409);
	cr_assert_eq(b, 0);
	cr_assert_eq(mgmt_store_task_list(&ids, &n, fx.store, NULL), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(ids[0], a);
	free(ids);
	mw_run_tasks(&fx);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).partition, 1);
}

Test(mgmt_zones_actions, move_falls_back_to_surprise_when_host_ignores_button)
{
	char phases[256];
	struct mgmt_store_task t;
	uint64_t id;

	BIND(1, 0);
	sim_blade_set_ignore_removal(sim_chassis_blade(fx.ch, 0), true);
	cr_assert_eq(mw_move(&fx, &id, MW_EP(1), MW_ZONE(1)), 202);
	mw_run_tasks(&fx);
	mw_task(&fx, &t, id);
	cr_assert_eq(t.state, MGMT_TASK_COMPLETED);
	mgmt_store_task_fini(&t);
	task_phases(phases, sizeof(phases), id);
	cr_assert_str_eq(phases, "removing,removing,resetting,adding,done");
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).partition, 1);
}

Test(mgmt_zones_actions, move_phases_are_posted_as_task_events)
{
	struct mgmt_store_event *ev = NULL;
	struct mgmt_events *hub = NULL;
	struct fm_err err = { 0 };
	size_t n = 0, i, progress = 0, completed = 0;
	bool gap;
	uint64_t id;

	cr_assert_eq(mgmt_events_new(&hub, fx.loop, fx.store, NULL, NULL, &err),
		     0, "%s", err.msg);
	mgmt_tasks_set_events(fx.tasks, hub);
	BIND(1, 0);
	cr_assert_eq(mw_move(&fx, &id, MW_EP(1), MW_ZONE(1)), 202);
	mw_run_tasks(&fx);
	cr_assert_eq(mgmt_store_event_read(&ev, &n, &gap, fx.store, 0,
					   MGMT_STORE_READ_MAX, &err),
		     0, "%s", err.msg);
	for (i = 0; i < n; i++) {
		progress +=
			strstr(ev[i].payload, "TaskEvent.1.0.5."
					      "TaskProgressChanged") != NULL;
		completed += strstr(ev[i].payload,
				    "TaskEvent.1.0.5.TaskCompletedOK") != NULL;
	}
	mgmt_store_events_free(ev, n);
	mgmt_tasks_set_events(fx.tasks, NULL);
	mgmt_events_free(hub);
	cr_assert_eq(progress, 3); /* removing, resetting, adding */
	cr_assert_eq(completed, 1);
}

/* The Zone body of POSTing {"Links": {"Endpoints": [host, eps...]}}. */
static unsigned post_zone(struct mgmt_resp *resp, const char *endpoints)
{
	char body[512];

	snprintf(body, sizeof(body), "{\"Links\": {\"Endpoints\": [%s]}}",
		 endpoints);
	return mw_request(&fx, resp, "POST", "/redfish/v1/Fabrics/PCIe/Zones",
			  body);
}

#define HOST_LINK(n)                                                           \
	"{\"@odata.id\": \"/redfish/v1/Fabrics/PCIe/Endpoints/Host-" #n "\"}"
#define EP_LINK(vf) "{\"@odata.id\": \"" MW_EP(vf) "\"}"

Test(mgmt_zones_actions, zone_advertises_add_and_remove_endpoint_targets)
{
	struct json_object *acts, *a, *t;
	unsigned st;

	acts = get_member(MW_ZONE(1), "Actions", &st);
	cr_assert_eq(st, 200);
	cr_assert(json_object_object_get_ex(acts, "#Zone.AddEndpoint", &a));
	cr_assert(json_object_object_get_ex(a, "target", &t));
	cr_assert_str_eq(json_object_get_string(t),
			 MW_ZONE(1) "/Actions/Zone.AddEndpoint");
	cr_assert(json_object_object_get_ex(acts, "#Zone.RemoveEndpoint", &a));
	cr_assert(json_object_object_get_ex(a, "target", &t));
	cr_assert_str_eq(json_object_get_string(t),
			 MW_ZONE(1) "/Actions/Zone.RemoveEndpoint");
	json_object_put(acts);
}

Test(mgmt_zones_actions, advertised_add_endpoint_target_binds)
{
	struct json_object *acts, *a, *t;
	char body[256];
	unsigned st;

	acts = get_member(MW_ZONE(0), "Actions", &st);
	cr_assert(json_object_object_get_ex(acts, "#Zone.AddEndpoint", &a));
	cr_assert(json_object_object_get_ex(a, "target", &t));
	cr_assert_eq(mw_status(&fx, "POST", json_object_get_string(t),
			       mw_ep_body(body, sizeof(body), MW_EP(3), NULL)),
		     204);
	json_object_put(acts);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(3)).partition, 0);
}

Test(mgmt_zones_actions, fabric_advertises_oem_move_and_apply_targets)
{
	struct json_object *acts, *oem, *a, *t;
	unsigned st;

	acts = get_member(MGMT_FABRIC_URI, "Actions", &st);
	cr_assert_eq(st, 200);
	cr_assert(json_object_object_get_ex(acts, "Oem", &oem));
	cr_assert(json_object_object_get_ex(oem, "#MrFabric.MoveEndpoint", &a));
	cr_assert(json_object_object_get_ex(a, "target", &t));
	cr_assert_str_eq(json_object_get_string(t), MW_MOVE);
	cr_assert(
		json_object_object_get_ex(oem, "#MrFabric.ApplyBindings", &a));
	cr_assert(json_object_object_get_ex(a, "target", &t));
	cr_assert_str_eq(json_object_get_string(t),
			 MGMT_FABRIC_URI "/Actions/Oem/MrFabric.ApplyBindings");
	json_object_put(acts);
}

Test(mgmt_zones_actions, post_zone_binds_targets_and_answers_201_with_zone)
{
	struct json_object *eps;
	struct mgmt_resp resp;

	cr_assert_eq(
		post_zone(&resp, HOST_LINK(1) "," EP_LINK(2) "," EP_LINK(5)),
		201);
	cr_assert_str_eq(mgmt_resp_header(&resp, "Location"), MW_ZONE(1));
	cr_assert(json_object_object_get_ex(resp.json, "Links", &eps));
	cr_assert(json_object_object_get_ex(eps, "Endpoints", &eps));
	cr_assert_eq(json_object_array_length(eps), 3);
	mgmt_resp_fini(&resp);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(2)).partition, 1);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(5)).partition, 1);
	mw_run_virtual(&fx, 3000000000ull);
	cr_assert_eq(mw_blade_vfs(&fx, 1), 2);
}

Test(mgmt_zones_actions, post_zone_of_existing_members_answers_200)
{
	struct mgmt_resp resp;

	BIND(2, 0);
	cr_assert_eq(post_zone(&resp, EP_LINK(2) "," HOST_LINK(0)), 200);
	cr_assert_str_eq(mgmt_resp_header(&resp, "Location"), MW_ZONE(0));
	mgmt_resp_fini(&resp);
}

Test(mgmt_zones_actions, post_zone_with_vf_of_other_zone_gets_409_and_no_change)
{
	struct mgmt_store_binding b;
	struct mgmt_resp resp;

	BIND(1, 0);
	cr_assert_eq(
		post_zone(&resp, HOST_LINK(1) "," EP_LINK(3) "," EP_LINK(1)),
		409);
	mgmt_resp_fini(&resp);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(3)).state, SW_FN_FREE);
	cr_assert_eq(mgmt_store_binding_get(&b, fx.store, MW_FID(3), NULL),
		     -FM_ENOENT);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).partition, 0);
}

Test(mgmt_zones_actions, post_zone_of_moving_vf_gets_409)
{
	struct mgmt_resp resp;
	uint64_t task;

	BIND(1, 0);
	cr_assert_eq(mw_move(&fx, &task, MW_EP(1), MW_ZONE(1)), 202);
	cr_assert_eq(post_zone(&resp, HOST_LINK(0) "," EP_LINK(1)), 409);
	mgmt_resp_fini(&resp);
}

Test(mgmt_zones_actions, post_zone_without_host_endpoint_gets_400)
{
	struct mgmt_resp resp;

	cr_assert_eq(post_zone(&resp, EP_LINK(3)), 400);
	mgmt_resp_fini(&resp);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(3)).state, SW_FN_FREE);
}

Test(mgmt_zones_actions, post_zone_with_two_hosts_gets_400_and_no_change)
{
	struct mgmt_resp resp;

	cr_assert_eq(
		post_zone(&resp, HOST_LINK(0) "," HOST_LINK(1) "," EP_LINK(3)),
		400);
	mgmt_resp_fini(&resp);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(3)).state, SW_FN_FREE);
}

Test(mgmt_zones_actions, post_zone_with_only_a_host_gets_400)
{
	struct mgmt_resp resp;

	cr_assert_eq(post_zone(&resp, HOST_LINK(0)), 400);
	mgmt_resp_fini(&resp);
}

Test(mgmt_zones_actions, post_zone_with_unknown_endpoint_gets_400_and_no_change)
{
	struct mgmt_resp resp;

	cr_assert_eq(
		post_zone(&resp, HOST_LINK(0) "," EP_LINK(3) "," EP_LINK(99)),
		400);
	mgmt_resp_fini(&resp);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(3)).state, SW_FN_FREE);
}

Test(mgmt_zones_actions, post_zone_with_unknown_property_gets_400)
{
	cr_assert_eq(mw_status(&fx, "POST", "/redfish/v1/Fabrics/PCIe/Zones",
			       "{\"Links\": {\"Endpoints\": [" HOST_LINK(
				       0) "," EP_LINK(3) "]}, \"Color\": 1}"),
		     400);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(3)).state, SW_FN_FREE);
}

Test(mgmt_zones_actions, post_zone_of_other_zone_type_gets_400)
{
	cr_assert_eq(mw_status(&fx, "POST", "/redfish/v1/Fabrics/PCIe/Zones",
			       "{\"ZoneType\": \"ZoneOfZones\", \"Links\": "
			       "{\"Endpoints\": [" HOST_LINK(0) "," EP_LINK(
				       3) "]}}"),
		     400);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(3)).state, SW_FN_FREE);
}

Test(mgmt_zones_actions, two_moves_swapping_hosts_both_complete)
{
	struct mgmt_store_task t;
	uint64_t a, b;

	BIND(1, 0);
	BIND(2, 1);
	cr_assert_eq(mw_move(&fx, &a, MW_EP(1), MW_ZONE(1)), 202);
	cr_assert_eq(mw_move(&fx, &b, MW_EP(2), MW_ZONE(0)), 202);
	mw_run_tasks(&fx);
	mw_task(&fx, &t, a);
	cr_assert_eq(t.state, MGMT_TASK_COMPLETED);
	mgmt_store_task_fini(&t);
	mw_task(&fx, &t, b);
	cr_assert_eq(t.state, MGMT_TASK_COMPLETED);
	mgmt_store_task_fini(&t);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).partition, 1);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(2)).partition, 0);
}

Test(mgmt_zones_actions, two_moves_into_one_zone_take_different_vppbs)
{
	struct mgmt_store_binding b1, b2;
	struct mgmt_store_task t;
	uint64_t a, b;

	BIND(1, 0);
	BIND(2, 0);
	cr_assert_eq(mw_move(&fx, &a, MW_EP(1), MW_ZONE(1)), 202);
	cr_assert_eq(mw_move(&fx, &b, MW_EP(2), MW_ZONE(1)), 202);
	mw_run_tasks(&fx);
	mw_task(&fx, &t, a);
	cr_assert_eq(t.state, MGMT_TASK_COMPLETED);
	mgmt_store_task_fini(&t);
	mw_task(&fx, &t, b);
	cr_assert_eq(t.state, MGMT_TASK_COMPLETED);
	mgmt_store_task_fini(&t);
	cr_assert_eq(mgmt_store_binding_get(&b1, fx.store, MW_FID(1), NULL), 0);
	cr_assert_eq(mgmt_store_binding_get(&b2, fx.store, MW_FID(2), NULL), 0);
	cr_assert_eq(b1.partition, 1);
	cr_assert_eq(b2.partition, 1);
	cr_assert_neq(b1.vppb, b2.vppb);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).vppb, b1.vppb);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(2)).vppb, b2.vppb);
	cr_assert_eq(mw_blade_vfs(&fx, 1), 2);
}

Test(mgmt_zones_actions, add_endpoint_records_the_vppb_it_bound)
{
	struct mgmt_store_binding b;

	BIND(1, 0);
	BIND(2, 0);
	cr_assert_eq(mgmt_store_binding_get(&b, fx.store, MW_FID(2), NULL), 0);
	cr_assert_geq(b.vppb, 0);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(2)).vppb, b.vppb);
}
