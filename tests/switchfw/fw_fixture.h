/* SPDX-License-Identifier: MIT */
/*
 * fw_fixture.h - the switch firmware tests' fixture: a simulated chassis
 * from a JSON file with the firmware started on its switches before the
 * chassis powers on (as a switch's firmware boots before the blades), and
 * helpers that look at what blades see.  Header-only (static inline), so
 * each tests/switchfw/test_*.c stays one executable.
 */
#ifndef MRFABRIC_TESTS_SWITCHFW_FW_FIXTURE_H
#define MRFABRIC_TESTS_SWITCHFW_FW_FIXTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fabric/cfg.h"
#include "sim/sim.h"
#include "switchfw/switchfw.h"
#include "tests/support/support.h"

/* Events run before a test calls the chassis stuck (no timer may loop). */
#define FWT_IDLE_MAX 5000000ULL

struct fwt {
	struct sim_chassis *ch;
	struct sim_clock *clk;
	struct sw_fw *fw;
	struct fab_chip *chips[SW_MAX_CHIPS];
	unsigned nchips;
};

/* Load @rel, start the firmware with @cfg (NULL: defaults), power on. */
static inline void fwt_setup(struct fwt *t, const char *rel,
			     const struct sw_fw_config *cfg)
{
	struct fm_err err = { 0 };
	char path[512];

	memset(t, 0, sizeof(*t));
	fm_log_set_level(FM_LOG_WARN);
	cr_assert_eq(sim_chassis_load(&t->ch,
				      t_source_path(path, sizeof(path), rel),
				      &err),
		     0, "%s: %s", rel, err.msg);
	t->clk = sim_chassis_clock(t->ch);
	t->nchips = sim_chassis_switch_count(t->ch);
	for (unsigned i = 0; i < t->nchips; i++)
		t->chips[i] = sim_switch_chip(sim_chassis_switch(t->ch, i));
	cr_assert_eq(sw_fw_new(&t->fw, t->chips, t->nchips, cfg, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(sw_fw_start(t->fw, &err), 0, "%s", err.msg);
	cr_assert_eq(sim_chassis_power_on(t->ch, &err), 0, "%s", err.msg);
}

static inline void fwt_teardown(struct fwt *t)
{
	sw_fw_free(t->fw);
	sim_chassis_free(t->ch);
	memset(t, 0, sizeof(*t));
}

/* Run until nothing is pending. */
static inline void fwt_idle(struct fwt *t)
{
	sim_clock_run_idle(t->clk, FWT_IDLE_MAX);
	cr_assert_eq(sim_clock_pending(t->clk), 0,
		     "the chassis never went idle");
}

static inline void fwt_run(struct fwt *t, uint64_t ns)
{
	sim_clock_run_for(t->clk, ns);
}

static inline uint64_t fwt_now(const struct fwt *t)
{
	return sim_clock_now(t->clk);
}

static inline struct sim_blade *fwt_blade(struct fwt *t, const char *name)
{
	struct sim_blade *b = sim_chassis_blade_find(t->ch, name);

	cr_assert_not_null(b, "no blade %s", name);
	return b;
}

static inline struct sim_ep *fwt_ep(struct fwt *t, const char *name)
{
	struct sim_ep *ep = sim_chassis_ep_find(t->ch, name);

	cr_assert_not_null(ep, "no endpoint %s", name);
	return ep;
}

/* VF @n (1-based, as fids count) of endpoint @name. */
static inline struct sim_fn *fwt_vf(struct fwt *t, const char *name, unsigned n)
{
	struct sim_fn *fn = sim_ep_vf(fwt_ep(t, name), n - 1);

	cr_assert_not_null(fn, "%s has no VF %u", name, n);
	return fn;
}

static inline void fwt_bind(struct fwt *t, uint32_t fid, unsigned part,
			    int vppb)
{
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fw_bind(t->fw, fid, part, vppb, NULL, &err), 0,
		     "bind %#x to part %u: %s", fid, part, err.msg);
}

static inline void fwt_unbind(struct fwt *t, uint32_t fid,
			      enum sw_unbind_mode mode)
{
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fw_unbind(t->fw, fid, mode, &err), 0, "unbind %#x: %s",
		     fid, err.msg);
}

static inline struct sw_fn_info fwt_fn(struct fwt *t, uint32_t fid)
{
	struct sw_fn_info info;
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fw_function_find(t->fw, fid, &info, &err), 0, "%s",
		     err.msg);
	return info;
}

/* The first function the blade enumerated with these IDs, or NULL. */
static inline const struct sim_host_dev *
fwt_host_find(const struct sim_blade *b, uint16_t vendor, uint16_t device)
{
	for (unsigned i = 0; i < sim_blade_dev_count(b); i++) {
		const struct sim_host_dev *d = sim_blade_dev(b, i);

		if (d->vendor == vendor && d->device == device)
			return d;
	}
	return NULL;
}

/* Functions the blade enumerated that are not bridges (base class 06h). */
static inline unsigned fwt_host_endpoints(const struct sim_blade *b)
{
	unsigned n = 0;

	for (unsigned i = 0; i < sim_blade_dev_count(b); i++)
		n += (sim_blade_dev(b, i)->class_code >> 16) != 0x06;
	return n;
}

/* Hot-plug driver records of @action since record @from. */
static inline unsigned fwt_hp_count(const struct sim_blade *b,
				    enum sim_hp_action action, unsigned from)
{
	unsigned n = 0;

	for (unsigned i = from; i < sim_blade_hp_count(b); i++)
		n += sim_blade_hp_record(b, i)->action == action;
	return n;
}

/* Time of the first hot-plug record of @action since @from, or 0. */
static inline uint64_t fwt_hp_time(const struct sim_blade *b,
				   enum sim_hp_action action, unsigned from)
{
	for (unsigned i = from; i < sim_blade_hp_count(b); i++)
		if (sim_blade_hp_record(b, i)->action == action)
			return sim_blade_hp_record(b, i)->time_ns;
	return 0;
}

/* Events of @type logged after @since. */
static inline unsigned fwt_ev_count(struct fwt *t, enum sw_event_type type,
				    uint64_t since)
{
	struct sw_event ev[SW_EVENT_LOG_SIZE];
	unsigned n = sw_fw_events(t->fw, since, ev, SW_EVENT_LOG_SIZE, NULL);
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++)
		k += ev[i].type == type;
	return k;
}

/* The first event of @type after @since; fails the test if none. */
static inline struct sw_event
fwt_ev_first(struct fwt *t, enum sw_event_type type, uint64_t since)
{
	struct sw_event ev[SW_EVENT_LOG_SIZE];
	unsigned n = sw_fw_events(t->fw, since, ev, SW_EVENT_LOG_SIZE, NULL);

	for (unsigned i = 0; i < n; i++)
		if (ev[i].type == type)
			return ev[i];
	cr_assert_fail("no %s event after seq %llu", sw_event_type_name(type),
		       (unsigned long long)since);
	return ev[0];
}

/* Host address of BAR @bar of the host device @d. */
static inline uint64_t fwt_bar(const struct sim_host_dev *d, unsigned bar)
{
	cr_assert(d->bar[bar].size && d->bar[bar].addr,
		  "BAR%u of %04x not assigned", bar, d->rid);
	return d->bar[bar].addr;
}

static inline void fwt_mmio_write32(struct sim_blade *b, uint64_t addr,
				    uint32_t v)
{
	struct fm_err err = { 0 };

	cr_assert_eq(sim_blade_mmio_write(b, addr, &v, 4, &err), 0, "%s",
		     err.msg);
}

static inline uint32_t fwt_mmio_read32(struct sim_blade *b, uint64_t addr,
				       uint8_t *status)
{
	struct fm_err err = { 0 };
	uint32_t v = 0;

	cr_assert_eq(sim_blade_mmio_read(b, addr, &v, 4, status, &err), 0, "%s",
		     err.msg);
	return v;
}

static inline uint32_t fwt_cfg_read(struct sim_blade *b, uint16_t rid,
				    uint16_t reg, unsigned len)
{
	struct fm_err err = { 0 };
	uint32_t v = 0;

	cr_assert_eq(sim_blade_cfg_read(b, rid, reg, len, &v, &err), 0, "%s",
		     err.msg);
	return v;
}

static inline void fwt_cfg_write(struct sim_blade *b, uint16_t rid,
				 uint16_t reg, unsigned len, uint32_t v)
{
	struct fm_err err = { 0 };

	cr_assert_eq(sim_blade_cfg_write(b, rid, reg, len, v, &err), 0, "%s",
		     err.msg);
}

/* Capability @id of the host function at @rid (0 when absent). */
static inline uint16_t fwt_host_cap(struct sim_blade *b, uint16_t rid,
				    uint8_t id)
{
	uint16_t off = PCI_CAPABILITY_LIST;
	uint8_t at = (uint8_t)fwt_cfg_read(b, rid, off, 1);

	for (unsigned n = 0; at && n < 48; n++) {
		if (fwt_cfg_read(b, rid, at, 1) == id)
			return at;
		at = (uint8_t)fwt_cfg_read(b, rid, at + 1, 1);
	}
	return 0;
}

#endif
