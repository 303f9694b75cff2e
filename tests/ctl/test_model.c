/* SPDX-License-Identifier: MIT */
/*
 * test_model.c - one row of `functions` from a PCIeFunction resource as
 * mrfabricd serves it (ctl_model.c): who owns it.
 */
#include <criterion/criterion.h>

#include "mgmt/ctl/ctl_int.h"

static const char dev_json[] = "{\"Id\": \"0-2\"}";

static struct ctl_fn_row row_of(struct json_object **dev,
				struct json_object **fn, const char *fn_json)
{
	struct ctl_fn_row row;

	*dev = json_tokener_parse(dev_json);
	*fn = json_tokener_parse(fn_json);
	cr_assert(*fn);
	cr_assert(ctl_model_fn_row(&row, *dev, *fn));
	return row;
}

Test(ctl_model, bound_vf_is_owned_by_its_system)
{
	struct json_object *dev, *fn;
	struct ctl_fn_row r = row_of(
		&dev, &fn,
		"{\"Id\": \"1\", \"FunctionId\": 1, \"FunctionType\": "
		"\"Virtual\", \"VendorId\": \"0x15b3\", \"DeviceId\": "
		"\"0x101e\", \"Oem\": {\"MrFabric\": {\"State\": \"Bound\", "
		"\"System\": {\"@odata.id\": \"/redfish/v1/Systems/Blade-1\"}, "
		"\"Endpoint\": {\"@odata.id\": "
		"\"/redfish/v1/Fabrics/PCIe/Endpoints/F-0-2-1\"}}}}");

	cr_assert_str_eq(r.endpoint, "F-0-2-1");
	cr_assert_str_eq(r.device, "0-2");
	cr_assert_str_eq(r.kind, "VF");
	cr_assert_eq(r.index, 1);
	cr_assert_str_eq(r.vendor, "0x15b3");
	cr_assert_str_eq(r.devid, "0x101e");
	cr_assert_str_eq(r.owner, "Blade-1");
	cr_assert_str_eq(r.state, "Bound");
	json_object_put(fn);
	json_object_put(dev);
}

Test(ctl_model, unbound_vf_is_free)
{
	struct json_object *dev, *fn;
	struct ctl_fn_row r = row_of(
		&dev, &fn,
		"{\"Id\": \"2\", \"FunctionId\": 2, \"FunctionType\": "
		"\"Virtual\", \"Oem\": {\"MrFabric\": {\"State\": \"Free\", "
		"\"Endpoint\": {\"@odata.id\": "
		"\"/redfish/v1/Fabrics/PCIe/Endpoints/F-0-2-2\"}}}}");

	cr_assert_str_eq(r.owner, "free");
	cr_assert_str_eq(r.endpoint, "F-0-2-2");
	json_object_put(fn);
	json_object_put(dev);
}

Test(ctl_model, pf_without_endpoint_belongs_to_the_fabric)
{
	struct json_object *dev, *fn;
	struct ctl_fn_row r =
		row_of(&dev, &fn,
		       "{\"Id\": \"0\", \"FunctionId\": 0, \"FunctionType\": "
		       "\"Physical\", \"Oem\": {\"MrFabric\": {\"State\": "
		       "\"Fabric\"}}}");

	cr_assert_str_eq(r.owner, "fabric");
	cr_assert_str_eq(r.endpoint, "");
	cr_assert_str_eq(r.kind, "PF");
	json_object_put(fn);
	json_object_put(dev);
}

Test(ctl_model, function_without_id_gives_no_row)
{
	struct json_object *dev = json_tokener_parse(dev_json);
	struct json_object *fn = json_tokener_parse("{\"FunctionId\": 3}");
	struct ctl_fn_row r;

	cr_assert_not(ctl_model_fn_row(&r, dev, fn));
	json_object_put(fn);
	json_object_put(dev);
}
