/* SPDX-License-Identifier: MIT */
/*
 * test_res_systems.c - /redfish/v1/Systems: one system per blade, listing
 * what the fabric gave it.
 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <string.h>

#include "tests/mgmt/json_path.h"
#include "tests/mgmt/mf_fixture.h"

static struct mf_fx fx;

static void setup(void)
{
	mf_setup(&fx, MF_SMALL);
}

static void teardown(void)
{
	mf_teardown(&fx);
}

TestSuite(mgmt_res_systems, .init = setup, .fini = teardown);

static int64_t jint(struct json_object *o, const char *path)
{
	struct json_object *v = jget(o, path);

	cr_assert_not_null(v, "no %s", path);
	return json_object_get_int64(v);
}

Test(mgmt_res_systems, collection_has_one_system_per_blade)
{
	struct json_object *o = mf_body(&fx, "/redfish/v1/Systems");

	cr_assert_eq(jint(o, "Members@odata.count"), 2);
	cr_assert_str_eq(jstr(o, "Members/1/@odata.id"),
			 "/redfish/v1/Systems/Blade-1");
	json_object_put(o);
	cr_assert_eq(mf_status(&fx, "/redfish/v1/Systems/Blade-2"), 404);
}

Test(mgmt_res_systems, blade_owns_nothing_before_a_bind)
{
	struct json_object *o = mf_body(&fx, "/redfish/v1/Systems/Blade-0");

	cr_assert_str_eq(jstr(o, "SystemType"), "Physical");
	cr_assert_eq(jint(o, "PCIeFunctions@odata.count"), 0);
	cr_assert_eq(jint(o, "PCIeDevices@odata.count"), 0);
	cr_assert_str_eq(jstr(o, "Links/Endpoints/0/@odata.id"),
			 MF_FABRIC "/Endpoints/Host-0");
	json_object_put(o);
}

Test(mgmt_res_systems, blade_lists_bound_vfs_and_their_device_once)
{
	struct json_object *o;

	mf_bind(&fx, MF_NIC_FID(1), 0);
	mf_bind(&fx, MF_NIC_FID(5), 0);
	mf_bind(&fx, MF_NIC_FID(3), 1);
	o = mf_body(&fx, "/redfish/v1/Systems/Blade-0");
	cr_assert_eq(jint(o, "PCIeFunctions@odata.count"), 2);
	cr_assert_str_eq(jstr(o, "PCIeFunctions/0/@odata.id"),
			 MF_DEV "/PCIeFunctions/1");
	cr_assert_str_eq(jstr(o, "PCIeFunctions/1/@odata.id"),
			 MF_DEV "/PCIeFunctions/5");
	cr_assert_eq(jint(o, "PCIeDevices@odata.count"), 1);
	cr_assert_str_eq(jstr(o, "PCIeDevices/0/@odata.id"), MF_DEV);
	json_object_put(o);
}
