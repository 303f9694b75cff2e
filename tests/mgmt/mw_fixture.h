/* SPDX-License-Identifier: MIT */
/*
 * mw_fixture.h - the daemon's binding side in one process for tests:
 * the small example chassis (two blades, one NIC with 8 VFs) with its
 * switch firmware, FMP in-process, an in-memory store, the task engine
 * and the default router, on a loop that runs virtual time as fast as
 * possible (speed 0), as `mrfabricd --sim --speed 0` does.
 */
#ifndef MRFABRIC_TESTS_MGMT_MW_FIXTURE_H
#define MRFABRIC_TESTS_MGMT_MW_FIXTURE_H

#include <criterion/criterion.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "mgmt/events.h"
#include "mgmt/mgmt.h"
#include "mgmt/move.h"
#include "mgmt/redfish_int.h"
#include "mgmt/router_int.h"
#include "mgmt/store.h"
#include "mgmt/task.h"
#include "sim/sim.h"
#include "tests/support/support.h"
#include "switchfw/fmp.h"
#include "switchfw/switchfw.h"

#define MW_VF_DEVICE 0x101e /* nic0's VF Device ID */
#define MW_FID(vf) SW_FID(0, 2, (vf))
#define MW_ZONE(n) "/redfish/v1/Fabrics/PCIe/Zones/Zone-" #n
#define MW_EP(vf) "/redfish/v1/Fabrics/PCIe/Endpoints/F-0-2-" #vf
#define MW_MOVE "/redfish/v1/Fabrics/PCIe/Actions/Oem/MrFabric.MoveEndpoint"
#define MW_SPIN_MAX 20000000u /* loop iterations before a test gives up */

struct mw_fx {
	struct mgmt_config cfg;
	struct sim_chassis *ch;
	struct sw_fw *fw;
	struct mgmt_loop *loop;
	struct sw_fmp_client *fmp;
	struct mgmt_store *store;
	struct mgmt_router *router;
	struct mgmt_tasks *tasks;
	struct mgmt_ctx ctx;
};

static inline void mw_quiet(void *ctx, enum fm_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}

/* Everything but the task engine (mw_start_tasks()). */
static inline void mw_setup_switch(struct mw_fx *fx, const char *db)
{
	struct fab_chip *chip;
	struct sw_fmp_transport t;
	struct fm_err err = { 0 };
	char path[512];

	fm_log_set_sink(mw_quiet, NULL);
	memset(fx, 0, sizeof(*fx));
	mgmt_config_defaults(&fx->cfg);
	fx->cfg.sim_speed = 0;
	cr_assert_eq(
		sim_chassis_load(&fx->ch,
				 t_source_path(path, sizeof(path),
					       "examples/chassis-small.json"),
				 &err),
		0, "%s", err.msg);
	chip = sim_switch_chip(sim_chassis_switch(fx->ch, 0));
	cr_assert_eq(sw_fw_new(&fx->fw, &chip, 1, NULL, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(sw_fw_start(fx->fw, &err), 0, "%s", err.msg);
	cr_assert_eq(sim_chassis_power_on(fx->ch, &err), 0, "%s", err.msg);
	cr_assert_eq(mgmt_loop_new(&fx->loop, &err), 0, "%s", err.msg);
	cr_assert_eq(mgmt_loop_set_vclock(fx->loop, sim_chassis_clock(fx->ch),
					  0, &err),
		     0, "%s", err.msg);
	sw_fmp_transport_local(&t, fx->fw);
	cr_assert_eq(sw_fmp_client_new(&fx->fmp, &t, &err), 0, "%s", err.msg);
	cr_assert_eq(mgmt_store_open(&fx->store, db, &err), 0, "%s", err.msg);
	cr_assert_eq(mgmt_router_new_default(&fx->router, &err), 0, "%s",
		     err.msg);
	fx->ctx.cfg = &fx->cfg;
	fx->ctx.loop = fx->loop;
	fx->ctx.router = fx->router;
	fx->ctx.fmp = fx->fmp;
	fx->ctx.store = fx->store;
}

static inline void mw_start_tasks(struct mw_fx *fx)
{
	struct fm_err err = { 0 };

	cr_assert_eq(
		mgmt_tasks_new(&fx->tasks, fx->loop, fx->fmp, fx->store, &err),
		0, "%s", err.msg);
	fx->ctx.tasks = fx->tasks;
}

static inline void mw_setup(struct mw_fx *fx)
{
	mw_setup_switch(fx, ":memory:");
	mw_start_tasks(fx);
}

static inline void mw_teardown(struct mw_fx *fx)
{
	mgmt_tasks_free(fx->tasks);
	mgmt_router_free(fx->router);
	mgmt_store_close(fx->store);
	sw_fmp_client_free(fx->fmp);
	if (fx->loop)
		mgmt_loop_set_vclock(fx->loop, NULL, 1, NULL);
	sw_fw_free(fx->fw);
	sim_chassis_free(fx->ch);
	mgmt_loop_free(fx->loop);
}

/* One request through the router; @body NULL for none. */
static inline unsigned mw_request(struct mw_fx *fx, struct mgmt_resp *resp,
				  const char *method, const char *path,
				  const char *body)
{
	static const struct mgmt_kv hdr[] = {
		{ "Content-Type", "application/json" },
	};
	struct mgmt_req req = {
		.method = method,
		.path = path,
		.headers = hdr,
		.nheaders = body ? 1 : 0,
		.body = body,
		.body_len = body ? strlen(body) : 0,
	};

	mgmt_router_dispatch(resp, fx->router, &fx->ctx, &req);
	return resp->status;
}

/* Status of a request whose response is not looked at. */
static inline unsigned mw_status(struct mw_fx *fx, const char *method,
				 const char *path, const char *body)
{
	struct mgmt_resp resp;
	unsigned st;

	st = mw_request(fx, &resp, method, path, body);
	mgmt_resp_fini(&resp);
	return st;
}

/* The body {"Endpoint": {...}} (+ @extra members) for endpoint of VF @vf. */
static inline const char *mw_ep_body(char *buf, size_t len, const char *ep,
				     const char *extra)
{
	snprintf(buf, len, "{\"Endpoint\": {\"@odata.id\": \"%s\"}%s%s}", ep,
		 extra ? ", " : "", extra ? extra : "");
	return buf;
}

static inline unsigned mw_add(struct mw_fx *fx, const char *zone,
			      const char *ep)
{
	char path[256], body[256];

	snprintf(path, sizeof(path), "%s/Actions/Zone.AddEndpoint", zone);
	return mw_status(fx, "POST", path,
			 mw_ep_body(body, sizeof(body), ep, NULL));
}

/*
 * POST a move of @ep to @zone; returns the status, the task id from the
 * Location header into *task (0 if none).
 */
static inline unsigned mw_move(struct mw_fx *fx, uint64_t *task, const char *ep,
			       const char *zone)
{
	struct mgmt_resp resp;
	char body[256];
	const char *loc;
	unsigned st;

	snprintf(body, sizeof(body),
		 "{\"Endpoint\": {\"@odata.id\": \"%s\"}, \"TargetZone\": "
		 "{\"@odata.id\": \"%s\"}}",
		 ep, zone);
	st = mw_request(fx, &resp, "POST", MW_MOVE, body);
	*task = 0;
	loc = mgmt_resp_header(&resp, "Location");
	if (loc)
		sscanf(loc, "/redfish/v1/TaskService/TaskMonitors/%lu",
		       (unsigned long *)task);
	mgmt_resp_fini(&resp);
	return st;
}

/* Run the loop until no job runs. */
static inline void mw_run_tasks(struct mw_fx *fx)
{
	unsigned i;

	for (i = 0; i < MW_SPIN_MAX && mgmt_tasks_active(fx->tasks); i++)
		cr_assert_eq(mgmt_loop_run_once(fx->loop, 0, NULL), 0);
	cr_assert_eq(mgmt_tasks_active(fx->tasks), 0, "tasks still running");
}

/* Run virtual time @ns further (hot-add, host enumeration). */
static inline void mw_run_virtual(struct mw_fx *fx, uint64_t ns)
{
	struct sim_clock *clk = sim_chassis_clock(fx->ch);
	uint64_t until = sim_clock_now(clk) + ns;
	unsigned i;

	for (i = 0; i < MW_SPIN_MAX && sim_clock_now(clk) < until &&
		    sim_clock_next_time(clk) != UINT64_MAX;
	     i++)
		cr_assert_eq(mgmt_loop_run_once(fx->loop, 0, NULL), 0);
}

/* How many functions with nic0's VF Device ID blade @i enumerated. */
static inline unsigned mw_blade_vfs(struct mw_fx *fx, unsigned i)
{
	struct sim_blade *b = sim_chassis_blade(fx->ch, i);
	unsigned n, k = 0;

	for (n = 0; n < sim_blade_dev_count(b); n++)
		if (sim_blade_dev(b, n)->device == MW_VF_DEVICE)
			k++;
	return k;
}

/* The switch's view of @fid. */
static inline struct sw_fmp_fn mw_switch_fn(struct mw_fx *fx, uint32_t fid)
{
	struct sw_fmp_fn fn;
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_switch_fn_find(&fn, fx->fmp, fid, &err), 0, "%s",
		     err.msg);
	return fn;
}

/* Task @id as stored.  Free with mgmt_store_task_fini(). */
static inline void mw_task(struct mw_fx *fx, struct mgmt_store_task *t,
			   uint64_t id)
{
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_store_task_get(t, fx->store, id, &err), 0, "%s",
		     err.msg);
}

#endif
