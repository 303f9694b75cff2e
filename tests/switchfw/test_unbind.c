/* SPDX-License-Identifier: MIT */
/*
 * test_unbind.c - taking a function away from its blade in the three
 * modes of the CXL FM API (managed, surprise, wait-for-link-down), the
 * Function Level Reset after every unbind, and moving a VF from one blade
 * to another without anything of the first reaching the second.
 */
#include "tests/switchfw/fw_fixture.h"

static struct fwt t;

#define VF(n) SW_FID(0, 2, (n))

static void setup(void)
{
	fwt_setup(&t, "examples/chassis-small.json", NULL);
}

static void teardown(void)
{
	fwt_teardown(&t);
}

TestSuite(sw_unbind, .fini = teardown);

/* Bind VF @n to vPPB @vppb of partition @part; return the host's view. */
static const struct sim_host_dev *bound(unsigned n, unsigned part,
					unsigned vppb)
{
	struct sim_blade *b = sim_chassis_blade(t.ch, part);
	const struct sim_host_dev *port;
	const struct sim_host_dev *d;

	fwt_bind(&t, VF(n), part, (int)vppb);
	fwt_idle(&t);
	port = sim_blade_dev_find(b, FAB_RID(2, vppb, 0));
	cr_assert_not_null(port);
	d = sim_blade_dev_find(b, FAB_RID(port->sec_bus, 0, 0));
	cr_assert_not_null(d, "blade %u did not enumerate VF%u", part, n);
	return d;
}

static uint16_t host_exp(struct sim_blade *b, uint16_t rid)
{
	uint16_t e = fwt_host_cap(b, rid, PCI_CAP_ID_EXP);

	cr_assert_neq(e, 0);
	return e;
}

/* ---------------------------------------------------------------------
 * Managed.
 */

Test(sw_unbind, managed_waits_for_the_host_to_power_off, .init = setup)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	unsigned from;
	uint64_t seq, t0;
	struct sw_event start, gone;

	bound(1, 0, 0);
	from = sim_blade_hp_count(b);
	seq = sw_fw_last_event_seq(t.fw);
	t0 = fwt_now(&t);
	fwt_unbind(&t, VF(1), SW_UNBIND_MANAGED);
	start = fwt_ev_first(&t, SW_EV_UNBIND_START, seq);
	cr_assert_eq(start.time_ns, t0);
	/* the host has 5 s to change its mind; meanwhile it keeps the VF */
	fwt_run(&t, 4 * FAB_NS_PER_S);
	cr_assert_eq(fwt_fn(&t, VF(1)).state, SW_FN_UNBINDING);
	cr_assert_eq(fwt_host_endpoints(b), 1);
	cr_assert_eq(fwt_ev_count(&t, SW_EV_UNBIND, seq), 0);
	fwt_idle(&t);
	cr_assert_eq(fwt_hp_time(b, SIM_HP_BUTTON, from), t0);
	gone = fwt_ev_first(&t, SW_EV_UNBIND, seq);
	cr_assert_eq(gone.time_ns, fwt_hp_time(b, SIM_HP_POWER_OFF, from));
	cr_assert_geq(gone.time_ns, t0 + 5 * FAB_NS_PER_S);
	cr_assert_lt(gone.time_ns, t0 + 6 * FAB_NS_PER_S);
	cr_assert_eq(fwt_hp_count(b, SIM_HP_DEV_REMOVED, from), 1);
	cr_assert_eq(fwt_ev_count(&t, SW_EV_MANAGED_FALLBACK, seq), 0);
	cr_assert_eq(fwt_host_endpoints(b), 0);
	cr_assert_eq(fwt_fn(&t, VF(1)).state, SW_FN_FREE);
}

Test(sw_unbind, managed_falls_back_to_surprise_when_ignored)
{
	struct sw_fw_config cfg = { .managed_timeout_ns = 2 * FAB_NS_PER_S };
	struct sim_blade *b;
	unsigned from;
	uint64_t seq, t0;
	struct sw_event fb, gone;

	fwt_setup(&t, "examples/chassis-small.json", &cfg);
	b = fwt_blade(&t, "blade1");
	bound(3, 1, 2);
	sim_blade_set_ignore_removal(b, true);
	from = sim_blade_hp_count(b);
	seq = sw_fw_last_event_seq(t.fw);
	t0 = fwt_now(&t);
	fwt_unbind(&t, VF(3), SW_UNBIND_MANAGED);
	fwt_idle(&t);
	cr_assert_eq(fwt_hp_count(b, SIM_HP_REMOVAL_IGNORED, from), 1);
	fb = fwt_ev_first(&t, SW_EV_MANAGED_FALLBACK, seq);
	gone = fwt_ev_first(&t, SW_EV_UNBIND, seq);
	cr_assert_eq(fb.time_ns, t0 + 2 * FAB_NS_PER_S);
	cr_assert_eq(fb.fid, VF(3));
	cr_assert_eq(gone.time_ns, fb.time_ns);
	cr_assert_gt(gone.seq, fb.seq);
	/* the host learns it the surprise way */
	cr_assert_eq(fwt_hp_count(b, SIM_HP_PRESENCE_OFF, from), 1);
	cr_assert_eq(fwt_hp_count(b, SIM_HP_DEV_REMOVED, from), 1);
	cr_assert_eq(fwt_host_endpoints(b), 0);
	cr_assert_eq(fwt_fn(&t, VF(3)).state, SW_FN_FREE);
}

Test(sw_unbind, before_the_host_took_it_is_at_once, .init = setup)
{
	uint64_t seq = sw_fw_last_event_seq(t.fw);
	uint64_t t0 = fwt_now(&t);

	fwt_bind(&t, VF(2), 0, 0);
	fwt_unbind(&t, VF(2), SW_UNBIND_MANAGED);
	cr_assert_eq(fwt_ev_first(&t, SW_EV_UNBIND, seq).time_ns, t0);
	fwt_idle(&t);
	cr_assert_eq(fwt_host_endpoints(fwt_blade(&t, "blade0")), 0);
	cr_assert_eq(fwt_fn(&t, VF(2)).state, SW_FN_FREE);
}

/* ---------------------------------------------------------------------
 * Surprise.
 */

Test(sw_unbind, surprise_removes_at_once_and_contains, .init = setup)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	const struct sim_host_dev *d = bound(4, 0, 1);
	uint64_t bar = fwt_bar(d, 0);
	uint16_t rid = d->rid;
	uint64_t seq = sw_fw_last_event_seq(t.fw), t0 = fwt_now(&t);
	unsigned from = sim_blade_hp_count(b);
	uint8_t st = 0;

	fwt_unbind(&t, VF(4), SW_UNBIND_SURPRISE);
	cr_assert_eq(fwt_ev_first(&t, SW_EV_UNBIND, seq).time_ns, t0);
	/* the host still thinks it has the VF: its requests end with UR */
	cr_assert_eq(fwt_mmio_read32(b, bar, &st), 0xffffffff);
	cr_assert_eq(st, FAB_CPL_UR);
	cr_assert_eq(fwt_cfg_read(b, rid, PCI_VENDOR_ID, 4), 0xffffffff);
	cr_assert_eq(sim_fn_mem_requests(fwt_vf(&t, "nic0", 4)), 0);
	fwt_idle(&t);
	cr_assert_eq(fwt_hp_count(b, SIM_HP_PRESENCE_OFF, from), 1);
	cr_assert_eq(fwt_hp_count(b, SIM_HP_DEV_REMOVED, from), 1);
	cr_assert_eq(fwt_hp_count(b, SIM_HP_BUTTON, from), 0);
	cr_assert_eq(fwt_host_endpoints(b), 0);
}

Test(sw_unbind, surprise_stops_the_vf_dma_at_once, .init = setup)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	struct sim_fn *vf = fwt_vf(&t, "nic0", 5);
	uint32_t v = 0x77, got = 0;

	bound(5, 0, 2);
	fwt_unbind(&t, VF(5), SW_UNBIND_SURPRISE);
	/* in FLR now: the device refuses; the switch has no route either */
	sim_fn_dma_write(vf, 0x3000, &v, 4, NULL);
	cr_assert_eq(sim_blade_ram_read(b, 0x3000, &got, 4, NULL), 0);
	cr_assert_eq(got, 0);
}

/* ---------------------------------------------------------------------
 * Wait for link down.
 */

Test(sw_unbind, wait_mode_ends_when_the_host_disables_the_link, .init = setup)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	uint16_t port = FAB_RID(2, 3, 0);
	uint16_t e = host_exp(b, port);
	uint64_t seq, t1;

	bound(6, 0, 3);
	seq = sw_fw_last_event_seq(t.fw);
	fwt_unbind(&t, VF(6), SW_UNBIND_WAIT_LINK_DOWN);
	fwt_run(&t, 2 * FAB_NS_PER_S);
	/* nothing was signalled to the host: no button */
	cr_assert_eq(fwt_fn(&t, VF(6)).state, SW_FN_UNBINDING);
	cr_assert_eq(fwt_ev_count(&t, SW_EV_UNBIND, seq), 0);
	t1 = fwt_now(&t);
	fwt_cfg_write(b, port, e + PCI_EXP_LNKCTL, 2,
		      fwt_cfg_read(b, port, e + PCI_EXP_LNKCTL, 2) |
			      PCI_EXP_LNKCTL_DISABLE);
	cr_assert_eq(fwt_ev_first(&t, SW_EV_UNBIND, seq).time_ns, t1);
	cr_assert_not(fwt_cfg_read(b, port, e + PCI_EXP_LNKSTA, 2) &
		      PCI_EXP_LNKSTA_DL_ACT);
	fwt_idle(&t);
	cr_assert_eq(fwt_fn(&t, VF(6)).state, SW_FN_FREE);
	cr_assert_eq(fwt_ev_count(&t, SW_EV_UNBIND_FAILED, seq), 0);
}

Test(sw_unbind, wait_mode_ends_when_the_host_powers_off, .init = setup)
{
	struct sim_blade *b = fwt_blade(&t, "blade1");
	uint16_t port = FAB_RID(2, 0, 0);
	uint16_t e = host_exp(b, port);
	uint64_t seq;

	bound(7, 1, 0);
	seq = sw_fw_last_event_seq(t.fw);
	fwt_unbind(&t, VF(7), SW_UNBIND_WAIT_LINK_DOWN);
	fwt_run(&t, FAB_NS_PER_S);
	fwt_cfg_write(b, port, e + PCI_EXP_SLTCTL, 2,
		      fwt_cfg_read(b, port, e + PCI_EXP_SLTCTL, 2) |
			      PCI_EXP_SLTCTL_PWRC);
	cr_assert_eq(fwt_ev_count(&t, SW_EV_UNBIND, seq), 1);
	fwt_idle(&t);
	cr_assert_eq(fwt_fn(&t, VF(7)).state, SW_FN_FREE);
}

Test(sw_unbind, wait_mode_gives_up_and_leaves_it_bound)
{
	struct sw_fw_config cfg = { .link_down_timeout_ns = 3 * FAB_NS_PER_S };
	struct sim_blade *b;
	const struct sim_host_dev *d;
	uint64_t seq, t0;
	struct sw_event failed;
	uint8_t st = 0;

	fwt_setup(&t, "examples/chassis-small.json", &cfg);
	b = fwt_blade(&t, "blade0");
	d = bound(8, 0, 0);
	seq = sw_fw_last_event_seq(t.fw);
	t0 = fwt_now(&t);
	fwt_unbind(&t, VF(8), SW_UNBIND_WAIT_LINK_DOWN);
	fwt_idle(&t);
	failed = fwt_ev_first(&t, SW_EV_UNBIND_FAILED, seq);
	cr_assert_eq(failed.time_ns, t0 + 3 * FAB_NS_PER_S);
	cr_assert_eq(failed.fid, VF(8));
	cr_assert_eq(fwt_ev_count(&t, SW_EV_UNBIND, seq), 0);
	cr_assert_eq(fwt_fn(&t, VF(8)).state, SW_FN_BOUND);
	/* the host keeps working with it */
	fwt_mmio_write32(b, fwt_bar(d, 0), 1);
	fwt_mmio_read32(b, fwt_bar(d, 0), &st);
	cr_assert_eq(st, FAB_CPL_SC);
	/* and it can be unbound again */
	fwt_unbind(&t, VF(8), SW_UNBIND_SURPRISE);
	cr_assert_eq(fwt_ev_count(&t, SW_EV_UNBIND, seq), 1);
}

/* ---------------------------------------------------------------------
 * Errors.
 */

Test(sw_unbind, refused_unless_bound, .init = setup)
{
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fw_unbind(t.fw, VF(1), SW_UNBIND_SURPRISE, &err),
		     -FM_ESTATE);
	cr_assert(strstr(err.msg, "not bound"), "%s", err.msg);
	fm_err_clear(&err);
	cr_assert_eq(
		sw_fw_unbind(t.fw, SW_FID(0, 7, 0), SW_UNBIND_SURPRISE, &err),
		-FM_ENOENT);
	fm_err_clear(&err);
	fwt_bind(&t, VF(1), 0, 0);
	cr_assert_eq(sw_fw_unbind(t.fw, VF(1), (enum sw_unbind_mode)3, &err),
		     -FM_EINVAL);
	cr_assert_eq(fwt_fn(&t, VF(1)).state, SW_FN_BOUND);
}

Test(sw_unbind, second_unbind_while_unbinding_is_ebusy, .init = setup)
{
	struct fm_err err = { 0 };

	bound(2, 0, 0);
	fwt_unbind(&t, VF(2), SW_UNBIND_MANAGED);
	cr_assert_eq(sw_fw_unbind(t.fw, VF(2), SW_UNBIND_SURPRISE, &err),
		     -FM_EBUSY);
	cr_assert(strstr(err.msg, "already unbinding"), "%s", err.msg);
	cr_assert_eq(fwt_fn(&t, VF(2)).state, SW_FN_UNBINDING);
}

/* ---------------------------------------------------------------------
 * Reset after unbind.
 */

Test(sw_unbind, every_unbind_resets_the_function, .init = setup)
{
	struct sim_fn *vf = fwt_vf(&t, "nic0", 1);
	uint64_t flrs = sim_fn_flr_count(vf);
	uint64_t seq;
	struct sw_event gone, done;
	struct fm_err err = { 0 };

	bound(1, 0, 0);
	seq = sw_fw_last_event_seq(t.fw);
	fwt_unbind(&t, VF(1), SW_UNBIND_SURPRISE);
	cr_assert_eq(fwt_fn(&t, VF(1)).state, SW_FN_RESETTING);
	cr_assert(sim_fn_in_flr(vf));
	cr_assert_eq(sw_fw_bind(t.fw, VF(1), 1, -1, NULL, &err), -FM_EBUSY);
	fwt_idle(&t);
	gone = fwt_ev_first(&t, SW_EV_UNBIND, seq);
	done = fwt_ev_first(&t, SW_EV_FLR_DONE, seq);
	cr_assert_eq(done.fid, VF(1));
	/* r6.0 6.6.2: not looked at before 100 ms */
	cr_assert_geq(done.time_ns, gone.time_ns + FAB_FLR_TIME_NS);
	cr_assert_eq(sim_fn_flr_count(vf), flrs + 1);
	cr_assert_eq(fwt_fn(&t, VF(1)).state, SW_FN_FREE);
}

Test(sw_unbind, moved_vf_shows_nothing_of_its_old_owner, .init = setup)
{
	struct sim_blade *a = fwt_blade(&t, "blade0");
	struct sim_blade *b = fwt_blade(&t, "blade1");
	const struct sim_host_dev *d;
	uint64_t bar;
	uint8_t st = 0xff;

	d = bound(3, 0, 0);
	bar = fwt_bar(d, 0);
	for (unsigned off = 0; off < 0x1000; off += 0x100)
		fwt_mmio_write32(a, bar + off, 0xa0000000 | off);
	cr_assert_eq(fwt_mmio_read32(a, bar + 0x200, &st), 0xa0000200);
	/* the move: managed removal from A, reset, hot-add to B */
	fwt_unbind(&t, VF(3), SW_UNBIND_MANAGED);
	fwt_idle(&t);
	d = bound(3, 1, 4);
	bar = fwt_bar(d, 0);
	for (unsigned off = 0; off < 0x1000; off += 0x100) {
		cr_assert_eq(fwt_mmio_read32(b, bar + off, &st), 0,
			     "B reads A's data at %#x", off);
		cr_assert_eq(st, FAB_CPL_SC);
	}
	fwt_mmio_write32(b, bar + 0x10, 0xb0b0b0b0);
	cr_assert_eq(fwt_mmio_read32(b, bar + 0x10, &st), 0xb0b0b0b0);
	cr_assert_eq(fwt_host_endpoints(a), 0);
}

Test(sw_unbind, moved_vf_dma_follows_its_new_owner, .init = setup)
{
	struct sim_blade *a = fwt_blade(&t, "blade0");
	struct sim_blade *b = fwt_blade(&t, "blade1");
	struct sim_fn *vf = fwt_vf(&t, "nic0", 2);
	uint32_t v = 0x600d, got = 1;

	bound(2, 0, 0);
	fwt_unbind(&t, VF(2), SW_UNBIND_SURPRISE);
	fwt_idle(&t);
	bound(2, 1, 0);
	cr_assert_eq(sim_fn_dma_write(vf, 0x8000, &v, 4, NULL), 0);
	cr_assert_eq(sim_blade_ram_read(b, 0x8000, &got, 4, NULL), 0);
	cr_assert_eq(got, v);
	cr_assert_eq(sim_blade_ram_read(a, 0x8000, &got, 4, NULL), 0);
	cr_assert_eq(got, 0);
}

/* ---------------------------------------------------------------------
 * Resets of a bound function.
 */

Test(sw_unbind, reset_of_a_bound_vf_keeps_its_owner, .init = setup)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	const struct sim_host_dev *d = bound(4, 0, 2);
	uint16_t rid = d->rid;
	uint64_t seq = sw_fw_last_event_seq(t.fw);
	struct fm_err err = { 0 };

	fwt_mmio_write32(b, fwt_bar(d, 0), 0x1234);
	cr_assert_eq(sw_fw_reset_function(t.fw, VF(4), &err), 0, "%s", err.msg);
	cr_assert_eq(sw_fw_reset_function(t.fw, VF(4), &err), -FM_EBUSY);
	/* while it resets, the host is told to retry (CRS, r6.0 2.3.1) */
	cr_assert_eq(fwt_cfg_read(b, rid, PCI_VENDOR_ID, 2), 0x0001);
	fwt_run(&t, FAB_FLR_TIME_NS + 20 * FAB_NS_PER_MS);
	cr_assert_eq(fwt_ev_count(&t, SW_EV_FLR_DONE, seq), 1);
	cr_assert_eq(fwt_cfg_read(b, rid, PCI_VENDOR_ID, 2), 0x15b3);
	cr_assert_eq(fwt_fn(&t, VF(4)).state, SW_FN_BOUND);
	/* an FLR clears the BARs: the host must program them again */
	cr_assert_eq(fwt_cfg_read(b, rid, PCI_BASE_ADDRESS_0, 4),
		     PCI_BASE_ADDRESS_MEM_TYPE_64 |
			     PCI_BASE_ADDRESS_MEM_PREFETCH);
}

Test(sw_unbind, host_flr_is_followed_and_scrubs_the_vf, .init = setup)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	const struct sim_host_dev *d = bound(5, 0, 1);
	uint16_t rid = d->rid, e = host_exp(b, rid);
	uint64_t bar = fwt_bar(d, 0);
	uint32_t cmd = fwt_cfg_read(b, rid, PCI_COMMAND, 2);
	uint8_t st = 0;

	fwt_mmio_write32(b, bar + 0x20, 0x99);
	fwt_cfg_write(b, rid, e + PCI_EXP_DEVCTL, 2,
		      fwt_cfg_read(b, rid, e + PCI_EXP_DEVCTL, 2) |
			      FAB_PCI_EXP_DEVCTL_FLR);
	cr_assert_eq(fwt_cfg_read(b, rid, PCI_VENDOR_ID, 2), 0x0001);
	fwt_run(&t, FAB_FLR_TIME_NS + FAB_NS_PER_MS);
	/* the host restores what it had, as Linux does after an FLR */
	fwt_cfg_write(b, rid, PCI_BASE_ADDRESS_0, 4,
		      (uint32_t)bar | PCI_BASE_ADDRESS_MEM_TYPE_64 |
			      PCI_BASE_ADDRESS_MEM_PREFETCH);
	fwt_cfg_write(b, rid, PCI_BASE_ADDRESS_1, 4, (uint32_t)(bar >> 32));
	fwt_cfg_write(b, rid, PCI_COMMAND, 2, cmd);
	cr_assert_eq(fwt_mmio_read32(b, bar + 0x20, &st), 0);
	cr_assert_eq(st, FAB_CPL_SC);
	cr_assert_eq(fwt_fn(&t, VF(5)).state, SW_FN_BOUND);
}
