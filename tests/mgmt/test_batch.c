/* SPDX-License-Identifier: MIT */
/*
 * MrFabric.ApplyBindings: binding changes applied all or none, on the
 * small example chassis at virtual speed 0.
 */
#include "mw_fixture.h"

#define BATCH "/redfish/v1/Fabrics/PCIe/Actions/Oem/MrFabric.ApplyBindings"

static struct mw_fx fx;

static void setup(void)
{
	mw_setup(&fx);
}

static void teardown(void)
{
	mw_teardown(&fx);
}

TestSuite(mgmt_batch, .init = setup, .fini = teardown);

/* POST @body to the action; the task id from Location into *task. */
static unsigned apply(uint64_t *task, const char *body)
{
	struct mgmt_resp resp;
	const char *loc;
	unsigned st;

	*task = 0;
	st = mw_request(&fx, &resp, "POST", BATCH, body);
	loc = mgmt_resp_header(&resp, "Location");
	if (loc)
		sscanf(loc, "/redfish/v1/TaskService/TaskMonitors/%lu",
		       (unsigned long *)task);
	mgmt_resp_fini(&resp);
	return st;
}

static enum mgmt_task_state task_state(uint64_t id)
{
	struct mgmt_store_task t;
	enum mgmt_task_state s;

	mw_task(&fx, &t, id);
	s = t.state;
	mgmt_store_task_fini(&t);
	return s;
}

static void bind_api(const char *zone, const char *ep)
{
	cr_assert_eq(mw_add(&fx, zone, ep), 204);
	mw_run_virtual(&fx, 3000000000ull);
}

Test(mgmt_batch, all_changes_take_effect_together)
{
	struct mgmt_store_binding b;
	uint64_t task;

	bind_api(MW_ZONE(0), MW_EP(2));
	cr_assert_eq(
		apply(&task,
		      "{\"Changes\": ["
		      "{\"Endpoint\": {\"@odata.id\": \"" MW_EP(
			      1) "\"}, "
				 "\"Zone\": {\"@odata.id\": \"" MW_ZONE(
					 1) "\"}},"
					    "{\"Endpoint\": {\"@odata.id\": "
					    "\"" MW_EP(2) "\"}, "
							  "\"Zone\": null}]}"),
		202);
	mw_run_tasks(&fx);
	cr_assert_eq(task_state(task), MGMT_TASK_COMPLETED);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).partition, 1);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(2)).state, SW_FN_FREE);
	cr_assert_eq(mgmt_store_binding_get(&b, fx.store, MW_FID(1), NULL), 0);
	cr_assert_eq(b.partition, 1);
	cr_assert_eq(mgmt_store_binding_get(&b, fx.store, MW_FID(2), NULL),
		     -FM_ENOENT);
	mw_run_virtual(&fx, 3000000000ull);
	cr_assert_eq(mw_blade_vfs(&fx, 0), 0);
	cr_assert_eq(mw_blade_vfs(&fx, 1), 1);
}

Test(mgmt_batch, one_failing_change_leaves_fabric_as_it_began)
{
	struct mgmt_store_binding b;
	unsigned vppb;
	uint64_t task;

	bind_api(MW_ZONE(0), MW_EP(2));
	/* VF 5 is bound on the switch behind the store's back: binding it
	 * again fails, after the two other changes were made */
	cr_assert_eq(sw_fmp_client_bind(&vppb, fx.fmp, MW_FID(5), 0, -1, NULL),
		     0);
	mw_run_virtual(&fx, 3000000000ull);
	cr_assert_eq(mw_blade_vfs(&fx, 0), 2);
	cr_assert_eq(
		apply(&task,
		      "{\"Changes\": ["
		      "{\"Endpoint\": {\"@odata.id\": \"" MW_EP(
			      1) "\"}, "
				 "\"Zone\": {\"@odata.id\": \"" MW_ZONE(
					 1) "\"}},"
					    "{\"Endpoint\": {\"@odata.id\": "
					    "\"" MW_EP(
						    2) "\"}, "
						       "\"Zone\": null},"
						       "{\"Endpoint\": "
						       "{\"@odata.id\": "
						       "\"" MW_EP(
							       5) "\"}, "
								  "\"Zone\": "
								  "{\"@odata."
								  "id\": "
								  "\"" MW_ZONE(
									  1) "\"}}]}"),
		202);
	mw_run_tasks(&fx);
	cr_assert_eq(task_state(task), MGMT_TASK_EXCEPTION);
	mw_run_virtual(&fx, 3000000000ull);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).state, SW_FN_FREE);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(2)).state, SW_FN_BOUND);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(2)).partition, 0);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(5)).partition, 0);
	cr_assert_eq(mgmt_store_binding_get(&b, fx.store, MW_FID(1), NULL),
		     -FM_ENOENT);
	cr_assert_eq(mgmt_store_binding_get(&b, fx.store, MW_FID(2), NULL), 0);
	cr_assert_eq(b.partition, 0);
	cr_assert_eq(mw_blade_vfs(&fx, 0), 2);
	cr_assert_eq(mw_blade_vfs(&fx, 1), 0);
}

Test(mgmt_batch, unbind_of_unbound_endpoint_gets_404_and_no_task)
{
	uint64_t task, *ids = NULL;
	size_t n = 1;

	cr_assert_eq(
		apply(&task,
		      "{\"Changes\": ["
		      "{\"Endpoint\": {\"@odata.id\": \"" MW_EP(
			      1) "\"}, "
				 "\"Zone\": {\"@odata.id\": \"" MW_ZONE(
					 1) "\"}},"
					    "{\"Endpoint\": {\"@odata.id\": "
					    "\"" MW_EP(3) "\"}, "
							  "\"Zone\": null}]}"),
		404);
	cr_assert_eq(mgmt_store_task_list(&ids, &n, fx.store, NULL), 0);
	cr_assert_eq(n, 0);
	free(ids);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).state, SW_FN_FREE);
}

Test(mgmt_batch, empty_change_list_gets_400)
{
	uint64_t task;

	cr_assert_eq(apply(&task, "{\"Changes\": []}"), 400);
}

Test(mgmt_batch, change_without_zone_gets_400)
{
	uint64_t task;

	cr_assert_eq(apply(&task, "{\"Changes\": [{\"Endpoint\": "
				  "{\"@odata.id\": \"" MW_EP(1) "\"}}]}"),
		     400);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).state, SW_FN_FREE);
}

Test(mgmt_batch, change_of_moving_vf_gets_409)
{
	uint64_t move, task;

	bind_api(MW_ZONE(0), MW_EP(1));
	cr_assert_eq(mw_move(&fx, &move, MW_EP(1), MW_ZONE(1)), 202);
	cr_assert_eq(apply(&task, "{\"Changes\": ["
				  "{\"Endpoint\": {\"@odata.id\": \"" MW_EP(
					  1) "\"}, "
					     "\"Zone\": null}]}"),
		     409);
	mw_run_tasks(&fx);
	cr_assert_eq(mw_switch_fn(&fx, MW_FID(1)).partition, 1);
}
