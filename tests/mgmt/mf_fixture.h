/* SPDX-License-Identifier: MIT */
/*
 * mf_fixture.h - the read side of the fabric tree in one process for
 * tests: an example chassis with its switch firmware (every chip), FMP
 * in-process, the fabric model and the default router, as
 * `mrfabricd --sim` wires them, without store or tasks.  Changes are made
 * through FMP (as another manager would) and virtual time is run by hand.
 */
#ifndef MRFABRIC_TESTS_MGMT_MF_FIXTURE_H
#define MRFABRIC_TESTS_MGMT_MF_FIXTURE_H

#include <criterion/criterion.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "mgmt/fabric.h"
#include "mgmt/mgmt.h"
#include "mgmt/redfish_int.h"
#include "mgmt/router_int.h"
#include "sim/sim.h"
#include "switchfw/fmp.h"
#include "switchfw/switchfw.h"
#include "tests/support/support.h"

#define MF_SMALL "examples/chassis-small.json" /* 2 blades, nic0: 8 VFs */
#define MF_RACK "examples/chassis-rack.json"   /* 2 chips, 8 blades */
#define MF_NIC_FID(vf) SW_FID(0, 2, (vf))      /* small: nic0 on port 2 */
#define MF_FABRIC "/redfish/v1/Fabrics/PCIe"
#define MF_DEV "/redfish/v1/Chassis/Enclosure/PCIeDevices/0-2"

struct mf_fx {
	struct mgmt_config cfg;
	struct sim_chassis *ch;
	struct sw_fw *fw;
	struct sw_fmp_client *fmp;
	struct mgmt_fabric *fabric;
	struct mgmt_router *router;
	struct mgmt_ctx ctx;
};

static inline void mf_quiet(void *ctx, enum fm_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}

static inline void mf_setup(struct mf_fx *fx, const char *chassis)
{
	struct fab_chip *chips[SW_MAX_CHIPS];
	struct sw_fmp_transport t;
	struct fm_err err = { 0 };
	char path[512];
	unsigned i, n;

	fm_log_set_sink(mf_quiet, NULL);
	memset(fx, 0, sizeof(*fx));
	mgmt_config_defaults(&fx->cfg);
	cr_assert_eq(sim_chassis_load(
			     &fx->ch,
			     t_source_path(path, sizeof(path), chassis), &err),
		     0, "%s", err.msg);
	n = sim_chassis_switch_count(fx->ch);
	for (i = 0; i < n; i++)
		chips[i] = sim_switch_chip(sim_chassis_switch(fx->ch, i));
	cr_assert_eq(sw_fw_new(&fx->fw, chips, n, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(sw_fw_start(fx->fw, &err), 0, "%s", err.msg);
	cr_assert_eq(sim_chassis_power_on(fx->ch, &err), 0, "%s", err.msg);
	sw_fmp_transport_local(&t, fx->fw);
	cr_assert_eq(sw_fmp_client_new(&fx->fmp, &t, &err), 0, "%s", err.msg);
	cr_assert_eq(mgmt_fabric_new(&fx->fabric, fx->fmp, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(mgmt_router_new_default(&fx->router, &err), 0, "%s",
		     err.msg);
	fx->ctx.cfg = &fx->cfg;
	fx->ctx.router = fx->router;
	fx->ctx.fmp = fx->fmp;
	fx->ctx.fabric = fx->fabric;
}

static inline void mf_teardown(struct mf_fx *fx)
{
	mgmt_router_free(fx->router);
	mgmt_fabric_free(fx->fabric);
	sw_fmp_client_free(fx->fmp);
	sw_fw_free(fx->fw);
	sim_chassis_free(fx->ch);
}

/* Let the hosts and the switch finish what they were told (hot-plug). */
static inline void mf_settle(struct mf_fx *fx)
{
	sim_clock_run_for(sim_chassis_clock(fx->ch), 20ull * 1000000000ull);
}

/* Bind @fid to partition @part through FMP and let the host take it. */
static inline void mf_bind(struct mf_fx *fx, uint32_t fid, unsigned part)
{
	struct fm_err err = { 0 };
	unsigned vppb;

	cr_assert_eq(sw_fmp_client_bind(&vppb, fx->fmp, fid, part, -1, &err), 0,
		     "%s", err.msg);
	mf_settle(fx);
}

/* GET @path through the router into @resp (the caller finalises it). */
static inline unsigned mf_get(struct mf_fx *fx, struct mgmt_resp *resp,
			      const char *path)
{
	struct mgmt_req req = { .method = "GET", .path = path };

	mgmt_router_dispatch(resp, fx->router, &fx->ctx, &req);
	return resp->status;
}

/* Status of a GET whose body is not looked at. */
static inline unsigned mf_status(struct mf_fx *fx, const char *path)
{
	struct mgmt_resp resp;
	unsigned st = mf_get(fx, &resp, path);

	mgmt_resp_fini(&resp);
	return st;
}

/* The body of a GET that must succeed (a new reference). */
static inline struct json_object *mf_body(struct mf_fx *fx, const char *path)
{
	struct mgmt_resp resp;
	struct json_object *o;

	cr_assert_eq(mf_get(fx, &resp, path), 200, "GET %s: %u %.*s", path,
		     resp.status, (int)resp.body_len,
		     resp.body ? resp.body : "");
	o = json_object_get(resp.json);
	mgmt_resp_fini(&resp);
	return o;
}

/* The ETag of a GET that must succeed, into @out. */
static inline void mf_etag(struct mf_fx *fx, char out[MGMT_ETAG_LEN],
			   const char *path)
{
	struct mgmt_resp resp;
	const char *tag;

	cr_assert_eq(mf_get(fx, &resp, path), 200, "GET %s", path);
	tag = mgmt_resp_header(&resp, "ETag");
	cr_assert_not_null(tag);
	snprintf(out, MGMT_ETAG_LEN, "%s", tag);
	mgmt_resp_fini(&resp);
}

/* True when array @arr of @obj links to @uri. */
static inline bool mf_links_to(struct json_object *arr, const char *uri)
{
	size_t i;

	for (i = 0; arr && i < json_object_array_length(arr); i++) {
		struct json_object *id;

		if (json_object_object_get_ex(json_object_array_get_idx(arr, i),
					      "@odata.id", &id) &&
		    strcmp(json_object_get_string(id), uri) == 0)
			return true;
	}
	return false;
}

#endif
