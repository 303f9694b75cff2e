/* SPDX-License-Identifier: MIT */
/*
 * test_names.c - the friendly names mrfabricctl accepts for blades and
 * functions (ctl_model.c), and what they resolve to: the URIs of
 * mgmt/fabric.h.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>

#include "mgmt/ctl/ctl_int.h"

/* Criterion copies parameters into the test process: arrays, no pointers */
struct blade_case {
	char name[48];
	char zone[64];
	char blade[16];
};

struct bad_name {
	char name[16];
};

ParameterizedTestParameters(ctl_names, blade_forms_resolve_to_the_zone)
{
	static struct blade_case cases[] = {
		{ "Blade-1", "/redfish/v1/Fabrics/PCIe/Zones/Zone-1",
		  "Blade-1" },
		{ "1", "/redfish/v1/Fabrics/PCIe/Zones/Zone-1", "Blade-1" },
		{ "Zone-12", "/redfish/v1/Fabrics/PCIe/Zones/Zone-12",
		  "Blade-12" },
		{ "Host-0", "/redfish/v1/Fabrics/PCIe/Zones/Zone-0",
		  "Blade-0" },
		{ "/redfish/v1/Systems/Blade-3",
		  "/redfish/v1/Fabrics/PCIe/Zones/Zone-3", "Blade-3" },
	};

	return cr_make_param_array(struct blade_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct blade_case *c, ctl_names,
		  blade_forms_resolve_to_the_zone)
{
	char zone[CTL_URI_MAX], blade[64];

	cr_assert_eq(ctl_name_blade(zone, sizeof(zone), blade, sizeof(blade),
				    c->name),
		     0);
	cr_assert_str_eq(zone, c->zone);
	cr_assert_str_eq(blade, c->blade);
}

ParameterizedTestParameters(ctl_names, other_blade_names_are_usage_errors)
{
	static struct bad_name names[] = {
		{ "blade1" }, { "Blade-" }, { "Blade-01" }, { "-1" },
		{ "Zone-x" }, { "" },	    { "Blade-1 " },
	};

	return cr_make_param_array(struct bad_name, names,
				   sizeof(names) / sizeof(names[0]));
}

ParameterizedTest(struct bad_name *n, ctl_names,
		  other_blade_names_are_usage_errors,
		  .init = cr_redirect_stderr)
{
	char zone[CTL_URI_MAX], blade[64];

	cr_assert_eq(ctl_name_blade(zone, sizeof(zone), blade, sizeof(blade),
				    n->name),
		     CTL_EXIT_USAGE, "%s", n->name);
}

Test(ctl_names, bad_blade_name_message_names_it_and_the_forms,
     .init = cr_redirect_stderr)
{
	char zone[CTL_URI_MAX], blade[64];

	ctl_name_blade(zone, sizeof(zone), blade, sizeof(blade), "blade one");
	fflush(stderr);
	cr_assert_stderr_eq_str("mrfabricctl: blade \"blade one\": expected "
				"Blade-N, N or Zone-N\n");
}

Test(ctl_names, endpoint_id_resolves_to_its_uri)
{
	char uri[CTL_URI_MAX];

	cr_assert_eq(ctl_name_function(uri, sizeof(uri), "F-0-2-3"), 0);
	cr_assert_str_eq(uri, "/redfish/v1/Fabrics/PCIe/Endpoints/F-0-2-3");
}

Test(ctl_names, endpoint_uri_is_taken_as_is)
{
	char uri[CTL_URI_MAX];

	cr_assert_eq(ctl_name_function(uri, sizeof(uri),
				       "/redfish/v1/Fabrics/PCIe/Endpoints/"
				       "F-1-10-0"),
		     0);
	cr_assert_str_eq(uri, "/redfish/v1/Fabrics/PCIe/Endpoints/F-1-10-0");
}

ParameterizedTestParameters(ctl_names, other_function_names_are_usage_errors)
{
	static struct bad_name names[] = {
		{ "0-2-3" },  { "F-0-2" },    { "F-0-2-3x" },
		{ "Host-1" }, { "F-0-2-+3" }, { "F-0-2-3 " },
	};

	return cr_make_param_array(struct bad_name, names,
				   sizeof(names) / sizeof(names[0]));
}

ParameterizedTest(struct bad_name *n, ctl_names,
		  other_function_names_are_usage_errors,
		  .init = cr_redirect_stderr)
{
	char uri[CTL_URI_MAX];

	cr_assert_eq(ctl_name_function(uri, sizeof(uri), n->name),
		     CTL_EXIT_USAGE, "%s", n->name);
}

Test(ctl_names, absolute_url_gives_its_path)
{
	cr_assert_str_eq(ctl_uri_path("https://127.0.0.1:8080/redfish/v1/"
				      "TaskService/TaskMonitors/3"),
			 "/redfish/v1/TaskService/TaskMonitors/3");
}

Test(ctl_names, path_stays_a_path)
{
	cr_assert_str_eq(ctl_uri_path("/redfish/v1/SessionService/Sessions/2"),
			 "/redfish/v1/SessionService/Sessions/2");
}
