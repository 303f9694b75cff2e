/* SPDX-License-Identifier: MIT */
/*
 * test_res_chassis.c - /redfish/v1/Chassis as an operator reads it: the
 * enclosure with the shared PCIe devices and their functions (PF and
 * VFs), the blades, and who owns a function after a bind through FMP.
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

TestSuite(mgmt_res_chassis, .init = setup, .fini = teardown);

static int64_t jint(struct json_object *o, const char *path)
{
	struct json_object *v = jget(o, path);

	cr_assert_not_null(v, "no %s", path);
	return json_object_get_int64(v);
}

Test(mgmt_res_chassis, collection_is_the_enclosure_and_two_blades)
{
	struct json_object *o = mf_body(&fx, "/redfish/v1/Chassis");

	cr_assert_eq(jint(o, "Members@odata.count"), 3);
	cr_assert_str_eq(jstr(o, "Members/0/@odata.id"),
			 "/redfish/v1/Chassis/Enclosure");
	cr_assert_str_eq(jstr(o, "Members/2/@odata.id"),
			 "/redfish/v1/Chassis/Blade-1");
	json_object_put(o);
}

Test(mgmt_res_chassis, enclosure_contains_the_blades)
{
	struct json_object *o = mf_body(&fx, "/redfish/v1/Chassis/Enclosure");

	cr_assert_str_eq(jstr(o, "ChassisType"), "Enclosure");
	cr_assert_eq(jint(o, "Links/Contains@odata.count"), 2);
	cr_assert_str_eq(jstr(o, "PCIeDevices/@odata.id"),
			 "/redfish/v1/Chassis/Enclosure/PCIeDevices");
	json_object_put(o);
}

Test(mgmt_res_chassis, blade_is_a_blade_chassis_of_its_system)
{
	struct json_object *o = mf_body(&fx, "/redfish/v1/Chassis/Blade-0");

	cr_assert_str_eq(jstr(o, "ChassisType"), "Blade");
	cr_assert_str_eq(jstr(o, "Links/ComputerSystems/0/@odata.id"),
			 "/redfish/v1/Systems/Blade-0");
	json_object_put(o);
}

Test(mgmt_res_chassis, unknown_chassis_and_blade_devices_are_404)
{
	cr_assert_eq(mf_status(&fx, "/redfish/v1/Chassis/Blade-2"), 404);
	cr_assert_eq(mf_status(&fx, "/redfish/v1/Chassis/Rack"), 404);
	cr_assert_eq(mf_status(&fx, "/redfish/v1/Chassis/Blade-0/PCIeDevices"),
		     404);
	cr_assert_eq(mf_status(&fx, MF_DEV "/PCIeFunctions/9"), 404);
	cr_assert_eq(mf_status(&fx, "/redfish/v1/Chassis/Enclosure/"
				    "PCIeDevices/0-3"),
		     404);
}

Test(mgmt_res_chassis, one_device_with_nine_functions)
{
	struct json_object *o =
		mf_body(&fx, "/redfish/v1/Chassis/Enclosure/PCIeDevices");

	cr_assert_eq(jint(o, "Members@odata.count"), 1);
	cr_assert_str_eq(jstr(o, "Members/0/@odata.id"), MF_DEV);
	json_object_put(o);
	o = mf_body(&fx, MF_DEV "/PCIeFunctions");
	cr_assert_eq(jint(o, "Members@odata.count"), 9);
	json_object_put(o);
}

Test(mgmt_res_chassis, device_names_its_maker_and_ids)
{
	struct json_object *o = mf_body(&fx, MF_DEV);

	cr_assert_str_eq(jstr(o, "Manufacturer"), "Mellanox Technologies");
	cr_assert_str_eq(jstr(o, "Model"), "15b3:101d");
	cr_assert_str_eq(jstr(o, "DeviceType"), "MultiFunction");
	cr_assert_eq(jint(o, "PCIeInterface/LanesInUse"), 16);
	json_object_put(o);
}

Test(mgmt_res_chassis, pf_is_a_physical_network_function)
{
	struct json_object *o = mf_body(&fx, MF_DEV "/PCIeFunctions/0");

	cr_assert_str_eq(jstr(o, "FunctionType"), "Physical");
	cr_assert_str_eq(jstr(o, "VendorId"), "0x15b3");
	cr_assert_str_eq(jstr(o, "DeviceId"), "0x101d");
	cr_assert_str_eq(jstr(o, "ClassCode"), "0x020000");
	cr_assert_str_eq(jstr(o, "DeviceClass"), "NetworkController");
	cr_assert_str_eq(jstr(o, "Oem/MrFabric/State"), "Fabric");
	json_object_put(o);
}

Test(mgmt_res_chassis, vf_is_virtual_with_the_vf_device_id)
{
	struct json_object *o = mf_body(&fx, MF_DEV "/PCIeFunctions/8");

	cr_assert_str_eq(jstr(o, "FunctionType"), "Virtual");
	cr_assert_eq(jint(o, "FunctionId"), 8);
	cr_assert_str_eq(jstr(o, "DeviceId"), "0x101e");
	cr_assert_str_eq(jstr(o, "Oem/MrFabric/State"), "Free");
	cr_assert_null(jget(o, "Oem/MrFabric/System"));
	json_object_put(o);
}

Test(mgmt_res_chassis, vf_links_its_owning_system_after_a_bind)
{
	struct json_object *o;

	mf_bind(&fx, MF_NIC_FID(6), 1);
	o = mf_body(&fx, MF_DEV "/PCIeFunctions/6");
	cr_assert_str_eq(jstr(o, "Oem/MrFabric/State"), "Bound");
	cr_assert_str_eq(jstr(o, "Oem/MrFabric/System/@odata.id"),
			 "/redfish/v1/Systems/Blade-1");
	json_object_put(o);
}

Test(mgmt_res_chassis, vf_loses_its_owner_after_unbind)
{
	struct json_object *o;

	mf_bind(&fx, MF_NIC_FID(6), 1);
	cr_assert_eq(sw_fmp_client_unbind(fx.fmp, MF_NIC_FID(6),
					  SW_UNBIND_SURPRISE, NULL),
		     0);
	mf_settle(&fx);
	o = mf_body(&fx, MF_DEV "/PCIeFunctions/6");
	cr_assert_str_eq(jstr(o, "Oem/MrFabric/State"), "Free");
	cr_assert_null(jget(o, "Oem/MrFabric/System"));
	json_object_put(o);
}
