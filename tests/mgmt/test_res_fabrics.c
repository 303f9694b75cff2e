/* SPDX-License-Identifier: MIT */
/*
 * test_res_fabrics.c - /redfish/v1/Fabrics as an operator reads it: the
 * fabric, switches, ports and their metrics, endpoints and zones of the
 * small example chassis, before and after changes made through FMP, and
 * their ETags.
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

TestSuite(mgmt_res_fabrics, .init = setup, .fini = teardown);

static int64_t jint(struct json_object *o, const char *path)
{
	struct json_object *v = jget(o, path);

	cr_assert_not_null(v, "no %s", path);
	return json_object_get_int64(v);
}

Test(mgmt_res_fabrics, fabric_collection_holds_the_pcie_fabric)
{
	struct json_object *o = mf_body(&fx, "/redfish/v1/Fabrics");

	cr_assert_eq(jint(o, "Members@odata.count"), 1);
	cr_assert_str_eq(jstr(o, "Members/0/@odata.id"), MF_FABRIC);
	json_object_put(o);
}

Test(mgmt_res_fabrics, fabric_is_pcie_with_one_zone_per_host)
{
	struct json_object *o = mf_body(&fx, MF_FABRIC);

	cr_assert_str_eq(jstr(o, "FabricType"), "PCIe");
	cr_assert_eq(jint(o, "MaxZones"), 2);
	cr_assert_str_eq(jstr(o, "Zones/@odata.id"), MF_FABRIC "/Zones");
	json_object_put(o);
}

Test(mgmt_res_fabrics, without_a_switch_the_fabric_is_missing)
{
	struct json_object *o;

	fx.ctx.fabric = NULL;
	cr_assert_eq(mf_status(&fx, MF_FABRIC), 404);
	cr_assert_eq(mf_status(&fx, MF_FABRIC "/Zones/Zone-0"), 404);
	o = mf_body(&fx, "/redfish/v1/Fabrics");
	cr_assert_eq(jint(o, "Members@odata.count"), 0);
	json_object_put(o);
}

Test(mgmt_res_fabrics, switch_is_pcie_and_lists_its_four_ports)
{
	struct json_object *o = mf_body(&fx, MF_FABRIC "/Switches/0");

	cr_assert_str_eq(jstr(o, "SwitchType"), "PCIe");
	json_object_put(o);
	o = mf_body(&fx, MF_FABRIC "/Switches/0/Ports");
	cr_assert_eq(jint(o, "Members@odata.count"), 4);
	json_object_put(o);
}

Test(mgmt_res_fabrics, unknown_switch_and_port_are_404)
{
	cr_assert_eq(mf_status(&fx, MF_FABRIC "/Switches/1"), 404);
	cr_assert_eq(mf_status(&fx, MF_FABRIC "/Switches/00"), 404);
	cr_assert_eq(mf_status(&fx, MF_FABRIC "/Switches/0/Ports/4"), 404);
	cr_assert_eq(mf_status(&fx, MF_FABRIC "/Switches/0/Ports/x/Metrics"),
		     404);
	cr_assert_eq(mf_status(&fx, "/redfish/v1/Fabrics/CXL"), 404);
}

Test(mgmt_res_fabrics, upstream_port_links_to_its_host_endpoint)
{
	struct json_object *o = mf_body(&fx, MF_FABRIC "/Switches/0/Ports/1");

	cr_assert_str_eq(jstr(o, "PortType"), "UpstreamPort");
	cr_assert_str_eq(jstr(o, "LinkStatus"), "LinkUp");
	cr_assert_eq(jint(o, "Width"), 16);
	cr_assert_str_eq(jstr(o, "Links/AssociatedEndpoints/0/@odata.id"),
			 MF_FABRIC "/Endpoints/Host-1");
	json_object_put(o);
}

Test(mgmt_res_fabrics, downstream_port_links_to_the_8_vf_endpoints)
{
	struct json_object *o = mf_body(&fx, MF_FABRIC "/Switches/0/Ports/2");

	cr_assert_str_eq(jstr(o, "PortType"), "DownstreamPort");
	cr_assert_eq(jint(o, "Links/AssociatedEndpoints@odata.count"), 8);
	cr_assert_str_eq(jstr(o, "Links/AssociatedEndpoints/7/@odata.id"),
			 MF_FABRIC "/Endpoints/F-0-2-8");
	json_object_put(o);
}

Test(mgmt_res_fabrics, port_speed_is_negotiated_rate_times_width)
{
	/* nic0 trains at 16 GT/s x16 on a 32 GT/s port */
	struct json_object *o = mf_body(&fx, MF_FABRIC "/Switches/0/Ports/2");

	cr_assert_float_eq(json_object_get_double(jget(o, "CurrentSpeedGbps")),
			   256.0, 1e-9);
	json_object_put(o);
}

Test(mgmt_res_fabrics, port_shows_link_down_and_disabled_after_port_control)
{
	struct json_object *o;

	cr_assert_eq(sw_fmp_client_port_control(fx.fmp, 0, 2,
						FAB_PORT_CTL_DISABLE, NULL),
		     0);
	mf_settle(&fx);
	o = mf_body(&fx, MF_FABRIC "/Switches/0/Ports/2");
	cr_assert_str_eq(jstr(o, "LinkState"), "Disabled");
	cr_assert_str_eq(jstr(o, "LinkStatus"), "LinkDown");
	cr_assert_eq(jint(o, "Width"), 0);
	json_object_put(o);
}

Test(mgmt_res_fabrics, port_metrics_count_link_downs_after_port_control)
{
	const char *uri = MF_FABRIC "/Switches/0/Ports/2/Metrics";
	struct json_object *o = mf_body(&fx, uri);
	int64_t downs = jint(o, "Oem/MrFabric/LinkDowns");

	json_object_put(o);
	cr_assert_eq(sw_fmp_client_port_control(fx.fmp, 0, 2,
						FAB_PORT_CTL_DISABLE, NULL),
		     0);
	mf_settle(&fx);
	o = mf_body(&fx, uri);
	cr_assert_eq(jint(o, "Oem/MrFabric/LinkDowns"), downs + 1);
	json_object_put(o);
}

Test(mgmt_res_fabrics, port_metrics_count_tlps_sent_to_a_bound_vf)
{
	const char *uri = MF_FABRIC "/Switches/0/Ports/2/Metrics";
	struct json_object *o = mf_body(&fx, uri);
	int64_t out = jint(o, "Oem/MrFabric/TLPsOut");

	json_object_put(o);
	/* the host enumerates the VF it is given: config reads go out */
	mf_bind(&fx, MF_NIC_FID(1), 0);
	o = mf_body(&fx, uri);
	cr_assert_gt(jint(o, "Oem/MrFabric/TLPsOut"), out);
	cr_assert_eq(jint(o, "PCIeErrors/UnsupportedRequestCount"),
		     jint(o, "Oem/MrFabric/UnsupportedRequests"));
	json_object_put(o);
}

Test(mgmt_res_fabrics, endpoints_are_two_hosts_and_8_vfs)
{
	struct json_object *o = mf_body(&fx, MF_FABRIC "/Endpoints");

	cr_assert_eq(jint(o, "Members@odata.count"), 10);
	cr_assert(
		mf_links_to(jget(o, "Members"), MF_FABRIC "/Endpoints/Host-1"));
	cr_assert_not(mf_links_to(jget(o, "Members"),
				  MF_FABRIC "/Endpoints/F-0-2-0"));
	json_object_put(o);
}

Test(mgmt_res_fabrics, sriov_pf_has_no_endpoint)
{
	cr_assert_eq(mf_status(&fx, MF_FABRIC "/Endpoints/F-0-2-0"), 404);
	cr_assert_eq(mf_status(&fx, MF_FABRIC "/Endpoints/F-0-2-9"), 404);
	cr_assert_eq(mf_status(&fx, MF_FABRIC "/Endpoints/Host-2"), 404);
}

Test(mgmt_res_fabrics, host_endpoint_is_a_root_complex_initiator)
{
	struct json_object *o = mf_body(&fx, MF_FABRIC "/Endpoints/Host-0");

	cr_assert_str_eq(jstr(o, "EndpointProtocol"), "PCIe");
	cr_assert_str_eq(jstr(o, "ConnectedEntities/0/EntityRole"),
			 "Initiator");
	cr_assert_str_eq(jstr(o, "ConnectedEntities/0/EntityType"),
			 "RootComplex");
	cr_assert_str_eq(jstr(o, "ConnectedEntities/0/EntityLink/@odata.id"),
			 "/redfish/v1/Systems/Blade-0");
	json_object_put(o);
}

Test(mgmt_res_fabrics, vf_endpoint_is_a_target_linking_its_pcie_function)
{
	struct json_object *o = mf_body(&fx, MF_FABRIC "/Endpoints/F-0-2-5");

	cr_assert_str_eq(jstr(o, "ConnectedEntities/0/EntityRole"), "Target");
	cr_assert_str_eq(jstr(o, "ConnectedEntities/0/EntityType"),
			 "NetworkController");
	cr_assert_str_eq(jstr(o, "ConnectedEntities/0/EntityLink/@odata.id"),
			 MF_DEV "/PCIeFunctions/5");
	cr_assert_str_eq(jstr(o, "ConnectedEntities/0/EntityPciId/DeviceId"),
			 "0x101e");
	cr_assert_eq(jint(o, "Links/Zones@odata.count"), 0);
	json_object_put(o);
}

Test(mgmt_res_fabrics, zones_are_one_per_host)
{
	struct json_object *o = mf_body(&fx, MF_FABRIC "/Zones");

	cr_assert_eq(jint(o, "Members@odata.count"), 2);
	cr_assert_str_eq(jstr(o, "Members/1/@odata.id"),
			 MF_FABRIC "/Zones/Zone-1");
	json_object_put(o);
	cr_assert_eq(mf_status(&fx, MF_FABRIC "/Zones/Zone-2"), 404);
}

Test(mgmt_res_fabrics, zone_lists_only_its_host_before_any_bind)
{
	struct json_object *o = mf_body(&fx, MF_FABRIC "/Zones/Zone-1");

	cr_assert_str_eq(jstr(o, "ZoneType"), "ZoneOfEndpoints");
	cr_assert_eq(jint(o, "Links/Endpoints@odata.count"), 1);
	cr_assert_str_eq(jstr(o, "Links/Endpoints/0/@odata.id"),
			 MF_FABRIC "/Endpoints/Host-1");
	json_object_put(o);
}

Test(mgmt_res_fabrics, zone_lists_vfs_bound_through_fmp)
{
	struct json_object *o;

	mf_bind(&fx, MF_NIC_FID(2), 1);
	mf_bind(&fx, MF_NIC_FID(7), 1);
	o = mf_body(&fx, MF_FABRIC "/Zones/Zone-1");
	cr_assert_eq(jint(o, "Links/Endpoints@odata.count"), 3);
	cr_assert_str_eq(jstr(o, "Links/Endpoints/1/@odata.id"),
			 MF_FABRIC "/Endpoints/F-0-2-2");
	cr_assert_str_eq(jstr(o, "Links/Endpoints/2/@odata.id"),
			 MF_FABRIC "/Endpoints/F-0-2-7");
	json_object_put(o);
	o = mf_body(&fx, MF_FABRIC "/Zones/Zone-0");
	cr_assert_eq(jint(o, "Links/Endpoints@odata.count"), 1);
	json_object_put(o);
}

Test(mgmt_res_fabrics, bound_vf_endpoint_links_its_zone)
{
	struct json_object *o;

	mf_bind(&fx, MF_NIC_FID(4), 0);
	o = mf_body(&fx, MF_FABRIC "/Endpoints/F-0-2-4");
	cr_assert_str_eq(jstr(o, "Links/Zones/0/@odata.id"),
			 MF_FABRIC "/Zones/Zone-0");
	json_object_put(o);
}

Test(mgmt_res_fabrics, zone_etag_is_stable_across_gets)
{
	char a[MGMT_ETAG_LEN], b[MGMT_ETAG_LEN];

	mf_etag(&fx, a, MF_FABRIC "/Zones/Zone-0");
	mf_settle(&fx);
	mf_etag(&fx, b, MF_FABRIC "/Zones/Zone-0");
	cr_assert_str_eq(a, b);
}

Test(mgmt_res_fabrics, zone_etag_changes_after_a_bind)
{
	char a[MGMT_ETAG_LEN], b[MGMT_ETAG_LEN];

	mf_etag(&fx, a, MF_FABRIC "/Zones/Zone-0");
	mf_bind(&fx, MF_NIC_FID(1), 0);
	mf_etag(&fx, b, MF_FABRIC "/Zones/Zone-0");
	cr_assert_str_neq(a, b);
}

Test(mgmt_res_fabrics, zone_is_read_only_here)
{
	struct mgmt_req req = { .method = "DELETE",
				.path = MF_FABRIC "/Zones/Zone-0" };
	struct mgmt_resp resp;

	mgmt_router_dispatch(&resp, fx.router, &fx.ctx, &req);
	cr_assert_eq(resp.status, 405);
	mgmt_resp_fini(&resp);
}
