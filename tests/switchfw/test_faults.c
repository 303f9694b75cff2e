/* SPDX-License-Identifier: MIT */
/*
 * test_faults.c - what firmware does when things break: a device's link
 * going down, a blade resetting (which must not disturb any other blade),
 * and a function whose reset never completes.
 */
#include "tests/switchfw/fw_fixture.h"

static struct fwt t;

#define VF(n) SW_FID(0, 2, (n))
#define NIC_PORT 2

static void setup(void)
{
	fwt_setup(&t, "examples/chassis-small.json", NULL);
}

static void teardown(void)
{
	fwt_teardown(&t);
}

TestSuite(sw_faults, .fini = teardown);

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
	cr_assert_not_null(d);
	return d;
}

static void port_ctl(unsigned port, enum fab_port_ctl ctl)
{
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fw_port_control(t.fw, 0, port, ctl, &err), 0, "%s",
		     err.msg);
}

/* ---------------------------------------------------------------------
 * A device's link goes down.
 */

Test(sw_faults, device_link_down_removes_its_functions_from_blades,
     .init = setup)
{
	struct sim_blade *a = fwt_blade(&t, "blade0");
	struct sim_blade *b = fwt_blade(&t, "blade1");
	const struct sim_host_dev *d = bound(1, 0, 0);
	uint64_t bar = fwt_bar(d, 0);
	unsigned fa, fb;
	uint64_t seq, t0;
	struct sw_event down;
	uint8_t st = 0;

	bound(2, 1, 3);
	fa = sim_blade_hp_count(a);
	fb = sim_blade_hp_count(b);
	seq = sw_fw_last_event_seq(t.fw);
	t0 = fwt_now(&t);
	port_ctl(NIC_PORT, FAB_PORT_CTL_DISABLE);
	down = fwt_ev_first(&t, SW_EV_LINK_DOWN, seq);
	cr_assert_eq(down.port, NIC_PORT);
	cr_assert_eq(down.time_ns, t0);
	cr_assert_eq(fwt_ev_count(&t, SW_EV_UNBIND, seq), 2);
	/* contained at once */
	fwt_mmio_read32(a, bar, &st);
	cr_assert_eq(st, FAB_CPL_UR);
	fwt_idle(&t);
	cr_assert_eq(fwt_hp_count(a, SIM_HP_PRESENCE_OFF, fa), 1);
	cr_assert_eq(fwt_hp_count(a, SIM_HP_DEV_REMOVED, fa), 1);
	cr_assert_eq(fwt_hp_count(b, SIM_HP_DEV_REMOVED, fb), 1);
	cr_assert_eq(fwt_host_endpoints(a), 0);
	cr_assert_eq(fwt_host_endpoints(b), 0);
}

Test(sw_faults, functions_of_a_lost_device_cannot_be_bound, .init = setup)
{
	struct fm_err err = { 0 };

	port_ctl(NIC_PORT, FAB_PORT_CTL_DISABLE);
	fwt_idle(&t);
	cr_assert_eq(fwt_fn(&t, VF(3)).state, SW_FN_FAILED);
	cr_assert_eq(sw_fw_bind(t.fw, VF(3), 0, -1, NULL, &err), -FM_ESTATE);
	cr_assert(strstr(err.msg, "failed"), "%s", err.msg);
}

Test(sw_faults, functions_return_with_the_link, .init = setup)
{
	uint64_t seq;

	bound(1, 0, 0);
	port_ctl(NIC_PORT, FAB_PORT_CTL_DISABLE);
	fwt_idle(&t);
	seq = sw_fw_last_event_seq(t.fw);
	port_ctl(NIC_PORT, FAB_PORT_CTL_ENABLE);
	fwt_idle(&t);
	cr_assert_eq(fwt_ev_first(&t, SW_EV_LINK_UP, seq).port, NIC_PORT);
	cr_assert_eq(sim_ep_num_vfs_enabled(fwt_ep(&t, "nic0")), 8);
	cr_assert_eq(fwt_fn(&t, VF(1)).state, SW_FN_FREE);
	cr_assert_eq(fwt_fn(&t, SW_FID(0, 2, 0)).state, SW_FN_FABRIC);
	/* and work as before */
	bound(1, 1, 0);
}

/* ---------------------------------------------------------------------
 * A blade resets.
 */

/* B's VF answers B's MMIO with what B wrote last. */
static void b_works(struct sim_blade *b, uint64_t bar, uint32_t v)
{
	uint8_t st = 0xff;

	fwt_mmio_write32(b, bar + 0x40, v);
	cr_assert_eq(fwt_mmio_read32(b, bar + 0x40, &st), v);
	cr_assert_eq(st, FAB_CPL_SC);
}

Test(sw_faults, blade_reset_never_disturbs_another_blade, .init = setup)
{
	struct sim_blade *a = fwt_blade(&t, "blade0");
	struct sim_blade *b = fwt_blade(&t, "blade1");
	uint64_t bar_b;
	uint32_t v = 1;

	bound(1, 0, 0);
	bar_b = fwt_bar(bound(2, 1, 0), 0);
	b_works(b, bar_b, v++);
	cr_assert_eq(sim_blade_reset(a, NULL), 0);
	/* every 5 ms through A's reset, re-enumeration and FLR */
	for (unsigned i = 0; i < 100; i++) {
		b_works(b, bar_b, v++);
		fwt_run(&t, 5 * FAB_NS_PER_MS);
	}
	fwt_idle(&t);
	b_works(b, bar_b, v++);
	cr_assert_eq(fwt_fn(&t, VF(2)).state, SW_FN_BOUND);
	cr_assert_eq(fwt_host_endpoints(b), 1);
}

Test(sw_faults, blade_reset_announces_its_functions_again, .init = setup)
{
	struct sim_blade *a = fwt_blade(&t, "blade0");
	const struct sim_host_dev *d;
	uint64_t seq;
	uint8_t st = 0xff;

	bound(3, 0, 2);
	cr_assert_eq(sim_blade_reset(a, NULL), 0);
	/* the old device list is gone until the blade enumerates again */
	cr_assert_eq(fwt_host_endpoints(a), 0);
	fwt_idle(&t);
	d = fwt_host_find(a, 0x15b3, 0x101e);
	cr_assert_not_null(d, "the VF is back after the blade's reset");
	cr_assert_eq(d->parent_rid, FAB_RID(2, 2, 0));
	/* fully usable: MMIO and DMA */
	seq = sw_fw_last_event_seq(t.fw);
	fwt_mmio_write32(a, fwt_bar(d, 0), 0x3);
	cr_assert_eq(fwt_mmio_read32(a, fwt_bar(d, 0), &st), 0x3);
	cr_assert_eq(st, FAB_CPL_SC);
	cr_assert_eq(fwt_ev_count(&t, SW_EV_VIOLATION, seq), 0);
	cr_assert_eq(fwt_fn(&t, VF(3)).state, SW_FN_BOUND);
}

Test(sw_faults, blade_reset_resets_its_functions_only, .init = setup)
{
	struct sim_blade *a = fwt_blade(&t, "blade0");
	struct sim_fn *va = fwt_vf(&t, "nic0", 4);
	struct sim_fn *vb = fwt_vf(&t, "nic0", 5);
	uint64_t fa, fb, seq;
	struct sw_event ev;

	bound(4, 0, 0);
	bound(5, 1, 0);
	fa = sim_fn_flr_count(va);
	fb = sim_fn_flr_count(vb);
	seq = sw_fw_last_event_seq(t.fw);
	cr_assert_eq(sim_blade_reset(a, NULL), 0);
	fwt_idle(&t);
	ev = fwt_ev_first(&t, SW_EV_HOST_RESET, seq);
	cr_assert_eq(ev.partition, 0);
	cr_assert_eq(fwt_ev_count(&t, SW_EV_HOST_RESET, seq), 1);
	/* its VF was reset (what the old OS left there is gone) ... */
	cr_assert_gt(sim_fn_flr_count(va), fa);
	/* ... the other blade's was not */
	cr_assert_eq(sim_fn_flr_count(vb), fb);
}

Test(sw_faults, removal_in_progress_completes_when_the_host_resets,
     .init = setup)
{
	struct sim_blade *a = fwt_blade(&t, "blade0");
	uint64_t seq;

	bound(6, 0, 1);
	seq = sw_fw_last_event_seq(t.fw);
	fwt_unbind(&t, VF(6), SW_UNBIND_WAIT_LINK_DOWN);
	cr_assert_eq(sim_blade_reset(a, NULL), 0);
	cr_assert_eq(fwt_ev_count(&t, SW_EV_UNBIND, seq), 1);
	fwt_idle(&t);
	cr_assert_eq(fwt_ev_count(&t, SW_EV_UNBIND_FAILED, seq), 0);
	cr_assert_eq(fwt_fn(&t, VF(6)).state, SW_FN_FREE);
	cr_assert_null(fwt_host_find(a, 0x15b3, 0x101e));
}

/* ---------------------------------------------------------------------
 * A reset that never completes.
 */

Test(sw_faults, device_model_can_hang_an_flr, .init = setup)
{
	struct sim_fn *vf = fwt_vf(&t, "nic0", 8);
	struct fm_err err = { 0 };

	sim_fn_inject_flr_hang(vf, true);
	cr_assert_eq(sw_fw_reset_function(t.fw, VF(8), &err), 0, "%s", err.msg);
	fwt_run(&t, 10 * FAB_NS_PER_S);
	cr_assert(sim_fn_in_flr(vf));
	sim_fn_inject_flr_hang(vf, false);
	cr_assert_not(sim_fn_in_flr(vf));
}

Test(sw_faults, flr_that_never_completes_is_reported_not_waited_on)
{
	struct sw_fw_config cfg = { .flr_timeout_ns = 500 * FAB_NS_PER_MS };
	struct sim_fn *vf;
	uint64_t seq;
	struct sw_event gone, late;
	struct fm_err err = { 0 };

	fwt_setup(&t, "examples/chassis-small.json", &cfg);
	vf = fwt_vf(&t, "nic0", 7);
	bound(7, 1, 1);
	sim_fn_inject_flr_hang(vf, true);
	seq = sw_fw_last_event_seq(t.fw);
	fwt_unbind(&t, VF(7), SW_UNBIND_SURPRISE);
	/* the clock goes idle: firmware does not poll for ever */
	fwt_idle(&t);
	gone = fwt_ev_first(&t, SW_EV_UNBIND, seq);
	late = fwt_ev_first(&t, SW_EV_FLR_TIMEOUT, seq);
	cr_assert_eq(late.fid, VF(7));
	cr_assert_eq(late.time_ns, gone.time_ns + 500 * FAB_NS_PER_MS);
	cr_assert_eq(fwt_ev_count(&t, SW_EV_FLR_DONE, seq), 0);
	cr_assert_eq(fwt_fn(&t, VF(7)).state, SW_FN_FAILED);
	cr_assert_eq(sw_fw_bind(t.fw, VF(7), 0, -1, NULL, &err), -FM_ESTATE);
	/* once the device behaves, a reset brings it back */
	sim_fn_inject_flr_hang(vf, false);
	fm_err_clear(&err);
	cr_assert_eq(sw_fw_reset_function(t.fw, VF(7), &err), 0, "%s", err.msg);
	fwt_idle(&t);
	cr_assert_eq(fwt_fn(&t, VF(7)).state, SW_FN_FREE);
	bound(7, 0, 0);
}
