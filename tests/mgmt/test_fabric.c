/* SPDX-License-Identifier: MIT */
/*
 * test_fabric.c - the daemon's model of the fabric (mgmt/fabric.h): what
 * a snapshot holds for the example chassis, when sync takes a new one,
 * and the Redfish identifiers, which must round-trip and have one
 * spelling each.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mgmt/fabric.h"
#include "tests/mgmt/mf_fixture.h"

static struct mf_fx fx;

static void small_setup(void)
{
	mf_setup(&fx, MF_SMALL);
}

static void rack_setup(void)
{
	mf_setup(&fx, MF_RACK);
}

static void teardown(void)
{
	mf_teardown(&fx);
}

TestSuite(mgmt_fabric, .fini = teardown);

Test(mgmt_fabric, small_chassis_has_one_device_with_pf_and_8_vfs,
     .init = small_setup)
{
	size_t first = 99, n = 0;

	cr_assert_eq(mgmt_fabric_fn_count(fx.fabric), 9);
	cr_assert_eq(mgmt_fabric_device_count(fx.fabric), 1);
	cr_assert_eq(mgmt_fabric_device(fx.fabric, 0)->fid, MF_NIC_FID(0));
	cr_assert_eq(mgmt_fabric_device_fns(&first, &n, fx.fabric, 0, 2, NULL),
		     0);
	cr_assert_eq(first, 0);
	cr_assert_eq(n, 9);
}

Test(mgmt_fabric, sriov_pf_is_not_assignable_but_its_vfs_are,
     .init = small_setup)
{
	cr_assert_not(mgmt_fabric_fn_assignable(
		mgmt_fabric_fn_find(fx.fabric, MF_NIC_FID(0))));
	cr_assert(mgmt_fabric_fn_assignable(
		mgmt_fabric_fn_find(fx.fabric, MF_NIC_FID(8))));
}

Test(mgmt_fabric, device_fns_of_empty_slot_is_enoent, .init = small_setup)
{
	struct fm_err err = { 0 };
	size_t first, n;

	cr_assert_eq(mgmt_fabric_device_fns(&first, &n, fx.fabric, 0, 3, &err),
		     -FM_ENOENT);
	cr_assert_str_eq(err.msg, "no device on port 0/3");
}

Test(mgmt_fabric, small_chassis_has_two_partitions_on_ports_0_and_1,
     .init = small_setup)
{
	cr_assert_eq(mgmt_fabric_part_count(fx.fabric), 2);
	cr_assert_eq(mgmt_fabric_part(fx.fabric, 1)->info.port, 1);
	cr_assert_null(mgmt_fabric_part(fx.fabric, 2));
}

Test(mgmt_fabric, port_roles_follow_the_cabling, .init = small_setup)
{
	const struct mgmt_fabric_port *p;

	cr_assert_eq(mgmt_fabric_chip_count(fx.fabric), 1);
	cr_assert_eq(mgmt_fabric_port_count(fx.fabric, 0), 4);
	p = mgmt_fabric_port(fx.fabric, 0, 1);
	cr_assert_eq(p->role, MGMT_PORT_UPSTREAM);
	cr_assert_eq(p->partition, 1);
	p = mgmt_fabric_port(fx.fabric, 0, 2);
	cr_assert_eq(p->role, MGMT_PORT_DOWNSTREAM);
	cr_assert_eq(p->device, MF_NIC_FID(0));
	p = mgmt_fabric_port(fx.fabric, 0, 3);
	cr_assert_eq(p->role, MGMT_PORT_DOWNSTREAM);
	cr_assert_eq(p->device, SW_FID_NONE);
	cr_assert_null(mgmt_fabric_port(fx.fabric, 0, 4));
}

Test(mgmt_fabric, link_between_chips_is_an_interswitch_port, .init = rack_setup)
{
	cr_assert_eq(mgmt_fabric_chip_count(fx.fabric), 2);
	cr_assert_eq(mgmt_fabric_port(fx.fabric, 1, 8)->role,
		     MGMT_PORT_INTERSWITCH);
	cr_assert_eq(mgmt_fabric_port(fx.fabric, 1, 0)->role,
		     MGMT_PORT_UPSTREAM);
	cr_assert_eq(mgmt_fabric_port(fx.fabric, 1, 0)->partition, 4);
}

Test(mgmt_fabric, sync_shows_a_bind_done_through_fmp, .init = small_setup)
{
	uint64_t gen = mgmt_fabric_generation(fx.fabric);

	mf_bind(&fx, MF_NIC_FID(3), 1);
	cr_assert_eq(mgmt_fabric_fn_find(fx.fabric, MF_NIC_FID(3))->partition,
		     -1, "the snapshot changes only on sync");
	cr_assert_eq(mgmt_fabric_sync(fx.fabric, NULL), 0);
	cr_assert_eq(mgmt_fabric_fn_find(fx.fabric, MF_NIC_FID(3))->partition,
		     1);
	cr_assert_eq(mgmt_fabric_fn_find(fx.fabric, MF_NIC_FID(3))->state,
		     SW_FN_BOUND);
	cr_assert_gt(mgmt_fabric_generation(fx.fabric), gen);
}

Test(mgmt_fabric, sync_without_switch_events_keeps_the_snapshot,
     .init = small_setup)
{
	uint64_t gen = mgmt_fabric_generation(fx.fabric);
	const struct sw_fmp_fn *fn = mgmt_fabric_fn(fx.fabric, 0);

	cr_assert_eq(mgmt_fabric_sync(fx.fabric, NULL), 0);
	cr_assert_eq(mgmt_fabric_generation(fx.fabric), gen);
	cr_assert_eq(mgmt_fabric_fn(fx.fabric, 0), fn);
}

Test(mgmt_fabric, refresh_always_takes_a_new_snapshot, .init = small_setup)
{
	uint64_t gen = mgmt_fabric_generation(fx.fabric);

	cr_assert_eq(mgmt_fabric_refresh(fx.fabric, NULL), 0);
	cr_assert_eq(mgmt_fabric_generation(fx.fabric), gen + 1);
	cr_assert_eq(mgmt_fabric_fn_count(fx.fabric), 9);
}

/* Identifiers: no chassis needed. */
TestSuite(mgmt_fabric_ids);

Test(mgmt_fabric_ids, uris_follow_the_documented_scheme)
{
	char s[MGMT_FABRIC_URI_MAX];

	mgmt_fabric_fn_endpoint_uri(s, sizeof(s), SW_FID(1, 4, 12));
	cr_assert_str_eq(s, "/redfish/v1/Fabrics/PCIe/Endpoints/F-1-4-12");
	mgmt_fabric_host_endpoint_uri(s, sizeof(s), 3);
	cr_assert_str_eq(s, "/redfish/v1/Fabrics/PCIe/Endpoints/Host-3");
	mgmt_fabric_zone_uri(s, sizeof(s), 3);
	cr_assert_str_eq(s, "/redfish/v1/Fabrics/PCIe/Zones/Zone-3");
	mgmt_fabric_port_uri(s, sizeof(s), 1, 8);
	cr_assert_str_eq(s, "/redfish/v1/Fabrics/PCIe/Switches/1/Ports/8");
	mgmt_fabric_fn_uri(s, sizeof(s), SW_FID(1, 4, 12));
	cr_assert_str_eq(s, "/redfish/v1/Chassis/Enclosure/PCIeDevices/1-4/"
			    "PCIeFunctions/12");
	mgmt_fabric_system_uri(s, sizeof(s), 5);
	cr_assert_str_eq(s, "/redfish/v1/Systems/Blade-5");
	mgmt_fabric_chassis_uri(s, sizeof(s), 5);
	cr_assert_str_eq(s, "/redfish/v1/Chassis/Blade-5");
}

Test(mgmt_fabric_ids, endpoint_ids_round_trip)
{
	static const uint32_t fids[] = { SW_FID(0, 0, 0), SW_FID(0, 2, 8),
					 SW_FID(15, 255, 65535),
					 SW_FID(3, 10, 100) };
	char id[MGMT_FABRIC_ID_MAX];
	bool is_host;
	uint32_t fid;
	size_t i;
	int part;

	for (i = 0; i < FM_ARRAY_SIZE(fids); i++) {
		cr_assert_gt(
			mgmt_fabric_fn_endpoint_id(id, sizeof(id), fids[i]), 0);
		cr_assert_eq(mgmt_fabric_endpoint_id_parse(&is_host, &part,
							   &fid, id, NULL),
			     0, "%s", id);
		cr_assert_not(is_host);
		cr_assert_eq(fid, fids[i], "%s", id);
		cr_assert_eq(part, -1);
	}
	mgmt_fabric_host_endpoint_id(id, sizeof(id), 7);
	cr_assert_eq(
		mgmt_fabric_endpoint_id_parse(&is_host, &part, &fid, id, NULL),
		0);
	cr_assert(is_host);
	cr_assert_eq(part, 7);
	cr_assert_eq(fid, SW_FID_NONE);
}

Test(mgmt_fabric_ids, device_and_function_ids_round_trip)
{
	char id[MGMT_FABRIC_ID_MAX];
	uint32_t dev, fid;

	mgmt_fabric_device_id(id, sizeof(id), SW_FID(2, 6, 9));
	cr_assert_str_eq(id, "2-6");
	cr_assert_eq(mgmt_fabric_device_id_parse(&dev, id, NULL), 0);
	cr_assert_eq(dev, SW_FID(2, 6, 0));
	mgmt_fabric_fn_id(id, sizeof(id), SW_FID(2, 6, 9));
	cr_assert_str_eq(id, "9");
	cr_assert_eq(mgmt_fabric_fn_id_parse(&fid, dev, id, NULL), 0);
	cr_assert_eq(fid, SW_FID(2, 6, 9));
}

Test(mgmt_fabric_ids, zone_and_blade_ids_round_trip)
{
	char id[MGMT_FABRIC_ID_MAX];
	unsigned part;

	mgmt_fabric_zone_id(id, sizeof(id), 12);
	cr_assert_str_eq(id, "Zone-12");
	cr_assert_eq(mgmt_fabric_zone_id_parse(&part, id, NULL), 0);
	cr_assert_eq(part, 12);
	mgmt_fabric_blade_id(id, sizeof(id), 4);
	cr_assert_str_eq(id, "Blade-4");
	cr_assert_eq(mgmt_fabric_blade_id_parse(&part, id, NULL), 0);
	cr_assert_eq(part, 4);
}

Test(mgmt_fabric_ids, ids_with_another_spelling_are_refused)
{
	static const char *const bad_eps[] = {
		"F-0-02-1", "F-0-2-",	"F-0-2-1-", "F-256-0-0", "F-0-2-65536",
		"Host-",    "Host-01",	"Host-1x",  "host-1",	 "F--1-2-3",
		"",	    "F-+1-2-3", "Zone-1",
	};
	struct fm_err err = { 0 };
	unsigned part, chip;
	uint32_t fid;
	bool is_host;
	int p;
	size_t i;

	for (i = 0; i < FM_ARRAY_SIZE(bad_eps); i++)
		cr_assert_eq(mgmt_fabric_endpoint_id_parse(&is_host, &p, &fid,
							   bad_eps[i], NULL),
			     -FM_ENOENT, "%s", bad_eps[i]);
	cr_assert_eq(mgmt_fabric_zone_id_parse(&part, "Zone-007", &err),
		     -FM_ENOENT);
	cr_assert_str_eq(err.msg, "no zone Zone-007");
	cr_assert_eq(mgmt_fabric_switch_id_parse(&chip, "16", NULL),
		     -FM_ENOENT);
	cr_assert_eq(mgmt_fabric_device_id_parse(&fid, "0-2-0", NULL),
		     -FM_ENOENT);
	cr_assert_eq(mgmt_fabric_blade_id_parse(&part, "Blade--1", NULL),
		     -FM_ENOENT);
}

Test(mgmt_fabric_ids, id_too_long_for_buffer_is_erange_and_empty)
{
	char s[8] = "xxxxxxx";

	cr_assert_eq(mgmt_fabric_zone_uri(s, sizeof(s), 1), -FM_ERANGE);
	cr_assert_str_eq(s, "");
}

Test(mgmt_fabric, part_fns_lists_what_each_partition_owns_in_fid_order,
     .init = small_setup)
{
	const size_t *idx;

	cr_assert_eq(mgmt_fabric_part_fns(&idx, fx.fabric, 0), 0);
	mf_bind(&fx, MF_NIC_FID(5), 1);
	mf_bind(&fx, MF_NIC_FID(2), 1);
	mf_bind(&fx, MF_NIC_FID(3), 0);
	cr_assert_eq(mgmt_fabric_sync(fx.fabric, NULL), 0);
	cr_assert_eq(mgmt_fabric_part_fns(&idx, fx.fabric, 1), 2);
	cr_assert_eq(mgmt_fabric_fn(fx.fabric, idx[0])->fid, MF_NIC_FID(2));
	cr_assert_eq(mgmt_fabric_fn(fx.fabric, idx[1])->fid, MF_NIC_FID(5));
	cr_assert_eq(mgmt_fabric_part_fns(&idx, fx.fabric, 0), 1);
	cr_assert_eq(mgmt_fabric_fn(fx.fabric, idx[0])->fid, MF_NIC_FID(3));
	cr_assert_eq(mgmt_fabric_part_fns(&idx, fx.fabric, 2), 0);
}

/* A transport to the fixture's switch whose cable can be pulled. */
struct flaky {
	struct sw_fmp_transport inner;
	bool pulled;
};

static int flaky_transact(void *ctx, uint8_t *rsp, size_t *rsp_len,
			  const uint8_t *req, size_t req_len,
			  struct fm_err *err)
{
	struct flaky *fl = ctx;

	if (fl->pulled)
		return fm_err_set(err, FM_EIO, "cable pulled");
	return fl->inner.transact(fl->inner.ctx, rsp, rsp_len, req, req_len,
				  err);
}

static struct sw_fmp_client *flaky_client(struct flaky *fl)
{
	struct sw_fmp_transport t = { flaky_transact, fl };
	struct sw_fmp_client *c = NULL;

	sw_fmp_transport_local(&fl->inner, fx.fw);
	cr_assert_eq(sw_fmp_client_new(&c, &t, NULL), 0);
	return c;
}

Test(mgmt_fabric, new_fails_with_the_transport_error, .init = small_setup)
{
	struct flaky fl = { .pulled = true };
	struct sw_fmp_client *c = flaky_client(&fl);
	struct mgmt_fabric *f = (struct mgmt_fabric *)&fl;
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_fabric_new(&f, c, &err), -FM_EIO);
	cr_assert_null(f);
	cr_assert_str_eq(err.msg, "cable pulled");
	sw_fmp_client_free(c);
}

Test(mgmt_fabric, failed_refresh_keeps_the_previous_snapshot,
     .init = small_setup)
{
	struct flaky fl = { .pulled = false };
	struct sw_fmp_client *c = flaky_client(&fl);
	struct mgmt_fabric *f = NULL;
	uint64_t gen;

	cr_assert_eq(mgmt_fabric_new(&f, c, NULL), 0);
	gen = mgmt_fabric_generation(f);
	fl.pulled = true;
	cr_assert_eq(mgmt_fabric_refresh(f, NULL), -FM_EIO);
	cr_assert_eq(mgmt_fabric_generation(f), gen);
	cr_assert_eq(mgmt_fabric_fn_count(f), 9);
	cr_assert_eq(mgmt_fabric_fn_find(f, MF_NIC_FID(8))->fid, MF_NIC_FID(8));
	mgmt_fabric_free(f);
	sw_fmp_client_free(c);
}

Test(mgmt_fabric, resources_answer_500_while_the_switch_is_unreachable,
     .init = small_setup)
{
	struct flaky fl = { .pulled = false };
	struct sw_fmp_client *c = flaky_client(&fl);
	struct mgmt_fabric *f = NULL;
	struct mgmt_resp resp;

	cr_assert_eq(mgmt_fabric_new(&f, c, NULL), 0);
	fx.ctx.fabric = f;
	fl.pulled = true;
	cr_assert_eq(mf_get(&fx, &resp, MF_FABRIC "/Zones/Zone-0"), 500);
	cr_assert(strstr(resp.body, "Base.1.22.1.OperationFailed"), "%s",
		  resp.body);
	mgmt_resp_fini(&resp);
	fx.ctx.fabric = fx.fabric;
	mgmt_fabric_free(f);
	sw_fmp_client_free(c);
}
