/* SPDX-License-Identifier: MIT */
/*
 * test_res_managers.c - /redfish/v1/Managers: mrfabricd as the fabric
 * manager of what it manages.
 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <string.h>

#include "tests/mgmt/json_path.h"
#include "tests/mgmt/mf_fixture.h"

#define MGR "/redfish/v1/Managers/FabricManager"

static struct mf_fx fx;

static void setup(void)
{
	mf_setup(&fx, MF_RACK);
}

static void teardown(void)
{
	mf_teardown(&fx);
}

TestSuite(mgmt_res_managers, .init = setup, .fini = teardown);

Test(mgmt_res_managers, collection_holds_the_fabric_manager)
{
	struct json_object *o = mf_body(&fx, "/redfish/v1/Managers");

	cr_assert_str_eq(jstr(o, "Members/0/@odata.id"), MGR);
	json_object_put(o);
	cr_assert_eq(mf_status(&fx, "/redfish/v1/Managers/BMC"), 404);
}

Test(mgmt_res_managers, manager_is_a_fabric_manager_of_both_switches)
{
	struct json_object *o = mf_body(&fx, MGR);

	cr_assert_str_eq(jstr(o, "ManagerType"), "FabricManager");
	cr_assert_str_eq(jstr(o, "Links/ManagerForFabrics/0/@odata.id"),
			 MF_FABRIC);
	cr_assert_eq(json_object_get_int(
			     jget(o, "Links/ManagerForSwitches@odata.count")),
		     2);
	cr_assert_str_eq(jstr(o, "UUID"), fx.cfg.uuid);
	json_object_put(o);
}

Test(mgmt_res_managers, manager_without_a_switch_manages_nothing)
{
	struct json_object *o;

	fx.ctx.fabric = NULL;
	o = mf_body(&fx, MGR);
	cr_assert_eq(json_object_get_int(
			     jget(o, "Links/ManagerForFabrics@odata.count")),
		     0);
	cr_assert_str_eq(jstr(o, "Status/State"), "StandbyOffline");
	json_object_put(o);
}
