/* SPDX-License-Identifier: MIT */
/*
 * Blade hot-plug driver: what it does with a slot and when, read from the
 * blade's hot-plug log (virtual time stamps), its device list, and the
 * Slot Control writes the fake switch saw.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sim/sim_int.h"
#include "tests/support/fake_vswitch.h"

#define T_TRAIN_NS (50 * FAB_NS_PER_MS)
#define T_DEV_BUS 0x20
#define MS FAB_NS_PER_MS
#define S FAB_NS_PER_S

/* The fake switch: slot n is downstream bridge 02:0n.0, its device 0x:00.0. */
#define DSP(n) FAB_RID(2, (n), 0)
#define SLOT0_DEV FAB_RID(3, 0, 0)
#define SLOT1_DEV FAB_RID(5, 0, 0)

static struct sim_clock *clk;
static struct sim_blade *blade;
static struct fake_vswitch *vs;
static struct sim_link *uplink;
static struct sim_ep *ep[2];

static const struct sim_ep_desc nic_desc = {
	.name = "nic",
	.vendor = 0x15b3,
	.device = 0x101b,
	.class_code = 0x020000,
	.link_width = 8,
	.link_speed = 3,
	.bar = { [0] = { 0x100000, true, true }, [2] = { .size = 0x4000 } },
};

static void setup(void)
{
	struct sim_blade_desc d = {
		.name = "blade0",
		.rp_vendor = 0x8086,
		.rp_device = 0x2030,
		.link_width = 16,
		.link_speed = 4,
		.mmio_base = 0xc0000000ULL,
		.mmio_size = 0x10000000ULL,
		.pref_base = 0x4000000000ULL,
		.pref_size = 0x1000000000ULL,
	};
	const struct fake_vswitch_desc vd = {
		.nslots = 2,
		.vendor = 0x11f8,
		.device = 0x4052,
		.link = { 8, 3, T_TRAIN_NS },
	};
	const struct sim_link_desc ld = { 16, 4, T_TRAIN_NS };

	fm_log_set_level(FM_LOG_ERROR);
	clk = sim_clock_new();
	cr_assert_not_null(clk);
	cr_assert_eq(sim_blade_new(&blade, clk, &d, NULL), 0);
	cr_assert_eq(fake_vswitch_new(&vs, clk, &vd, NULL), 0);
	cr_assert_eq(sim_link_new(&uplink, clk, sim_blade_port(blade),
				  fake_vswitch_port(vs), &ld, NULL),
		     0);
	for (unsigned i = 0; i < 2; i++)
		cr_assert_eq(
			sim_ep_new(&ep[i], clk, &nic_desc, T_DEV_BUS, NULL), 0);
}

static void teardown(void)
{
	sim_link_free(uplink);
	fake_vswitch_free(vs);
	for (unsigned i = 0; i < 2; i++)
		sim_ep_free(ep[i]);
	sim_blade_free(blade);
	sim_clock_free(clk);
}

static void boot(void)
{
	sim_link_train(uplink);
	sim_blade_boot(blade);
	sim_clock_run_idle(clk, 0);
}

/* Slot 0 holds a NIC from power-on (firmware powered it); slot 1 empty. */
static void boot_with_nic_in_slot0(void)
{
	cr_assert_eq(fake_vswitch_insert(vs, 0, sim_ep_port(ep[0]), T_DEV_BUS,
					 true, NULL),
		     0);
	boot();
	cr_assert_not_null(sim_blade_dev_find(blade, SLOT0_DEV));
}

/* The first record of @action for @port at or after @from, or NULL. */
static const struct sim_hp_record *find(enum sim_hp_action action,
					uint16_t port, unsigned *from)
{
	unsigned n = sim_blade_hp_count(blade);

	for (unsigned i = from ? *from : 0; i < n; i++) {
		const struct sim_hp_record *r = sim_blade_hp_record(blade, i);

		if (r->action == action && r->port_rid == port) {
			if (from)
				*from = i + 1;
			return r;
		}
	}
	return NULL;
}

static const struct sim_hp_record *must_find(enum sim_hp_action action,
					     uint16_t port)
{
	const struct sim_hp_record *r = find(action, port, NULL);

	cr_assert_not_null(r, "no %s record for %04x",
			   sim_hp_action_name(action), port);
	return r;
}

static unsigned count(enum sim_hp_action action, uint16_t port)
{
	unsigned n = 0, from = 0;

	while (find(action, port, &from))
		n++;
	return n;
}

static unsigned pwr_ind(uint16_t ctl)
{
	return FM_FIELD_GET(PCI_EXP_SLTCTL_PWRI, ctl);
}

TestSuite(sim_pciehp, .init = setup, .fini = teardown);

Test(sim_pciehp, probe_enables_slot_events_and_their_interrupt)
{
	uint16_t want = PCI_EXP_SLTCTL_ATNB | PCI_EXP_SLTCTL_PRSD |
			PCI_EXP_SLTCTL_LLCHG | PCI_EXP_SLTCTL_CMDC |
			PCI_EXP_SLTCTL_HPIE;

	boot();
	cr_assert_eq(fake_vswitch_slot_ctl(vs, 1) & want, want);
}

Test(sim_pciehp, probe_points_the_port_msi_at_the_host)
{
	uint16_t msi = FAKE_VSWITCH_CAP_MSI;

	boot();
	cr_assert(fake_vswitch_cfg(vs, 1, msi + PCI_MSI_FLAGS, 2) &
		  PCI_MSI_FLAGS_ENABLE);
	cr_assert_eq(fake_vswitch_cfg(vs, 1, msi + PCI_MSI_ADDRESS_LO, 4),
		     (uint32_t)FAB_MSI_ADDR_BASE);
	cr_assert_neq(fake_vswitch_cfg(vs, 0, msi + PCI_MSI_DATA_64, 2),
		      fake_vswitch_cfg(vs, 1, msi + PCI_MSI_DATA_64, 2));
}

Test(sim_pciehp, hot_add_powers_the_slot_on_at_presence)
{
	uint64_t t0;

	boot();
	t0 = sim_clock_now(clk);
	cr_assert_not(fake_vswitch_slot_powered(vs, 1));
	fake_vswitch_insert(vs, 1, sim_ep_port(ep[1]), T_DEV_BUS, false, NULL);
	sim_clock_run_idle(clk, 0);
	cr_assert_eq(must_find(SIM_HP_PRESENCE_ON, DSP(1))->time_ns, t0);
	cr_assert_eq(must_find(SIM_HP_POWER_ON, DSP(1))->time_ns, t0);
	cr_assert(fake_vswitch_slot_powered(vs, 1));
	cr_assert_eq(pwr_ind(fake_vswitch_slot_ctl(vs, 1)),
		     FAB_PCI_EXP_SLTCTL_IND_ON);
}

Test(sim_pciehp, hot_add_enumerates_device_100ms_after_link_up)
{
	const struct sim_hp_record *up, *added;
	uint64_t t0;

	boot();
	t0 = sim_clock_now(clk);
	fake_vswitch_insert(vs, 1, sim_ep_port(ep[1]), T_DEV_BUS, false, NULL);
	sim_clock_run_for(clk, T_TRAIN_NS + 99 * MS);
	cr_assert_null(sim_blade_dev_find(blade, SLOT1_DEV));
	sim_clock_run_idle(clk, 0);
	up = must_find(SIM_HP_LINK_UP, DSP(1));
	added = must_find(SIM_HP_DEV_ADDED, DSP(1));
	cr_assert_eq(up->time_ns, t0 + T_TRAIN_NS);
	cr_assert_eq(added->time_ns, up->time_ns + 100 * MS);
	cr_assert_eq(added->dev_rid, SLOT1_DEV);
	cr_assert_not_null(sim_blade_dev_find(blade, SLOT1_DEV));
}

Test(sim_pciehp, hot_added_device_gets_bars_inside_the_port_windows)
{
	const struct sim_host_dev *port, *d;
	uint32_t word = 0xcafe, got = 0;

	boot();
	fake_vswitch_insert(vs, 1, sim_ep_port(ep[1]), T_DEV_BUS, false, NULL);
	sim_clock_run_idle(clk, 0);
	port = sim_blade_dev_find(blade, DSP(1));
	d = sim_blade_dev_find(blade, SLOT1_DEV);
	cr_assert_not_null(d);
	cr_assert_eq(d->bar[0].size, 0x100000);
	cr_assert_geq(d->bar[0].addr, port->pref_base);
	cr_assert_leq(d->bar[0].addr + d->bar[0].size - 1, port->pref_limit);
	cr_assert_geq(d->bar[2].addr, port->mem_base);
	cr_assert_leq(d->bar[2].addr + d->bar[2].size - 1, port->mem_limit);
	/* and the host reaches it there */
	sim_blade_mmio_write(blade, d->bar[2].addr + 8, &word, 4, NULL);
	sim_fn_mem_peek(sim_ep_pf(ep[1]), 2, 8, &got, 4, NULL);
	cr_assert_eq(got, word);
}

Test(sim_pciehp, hot_add_keeps_the_device_list_depth_first)
{
	unsigned i, n;

	boot_with_nic_in_slot0();
	fake_vswitch_insert(vs, 1, sim_ep_port(ep[1]), T_DEV_BUS, false, NULL);
	sim_clock_run_idle(clk, 0);
	n = sim_blade_dev_count(blade);
	for (i = 0; i < n && sim_blade_dev(blade, i)->rid != DSP(1); i++)
		;
	cr_assert_lt(i + 1, n);
	cr_assert_eq(sim_blade_dev(blade, i + 1)->rid, SLOT1_DEV);
}

Test(sim_pciehp, attention_button_removes_device_after_5s_then_powers_off)
{
	const struct sim_hp_record *press, *removed, *off;

	boot_with_nic_in_slot0();
	fake_vswitch_press_button(vs, 0);
	sim_clock_run_for(clk, 4900 * MS);
	cr_assert_not_null(sim_blade_dev_find(blade, SLOT0_DEV));
	cr_assert(fake_vswitch_slot_powered(vs, 0));
	sim_clock_run_idle(clk, 0);
	press = must_find(SIM_HP_BUTTON, DSP(0));
	removed = must_find(SIM_HP_DEV_REMOVED, DSP(0));
	off = must_find(SIM_HP_POWER_OFF, DSP(0));
	cr_assert_eq(removed->time_ns, press->time_ns + 5 * S);
	cr_assert_eq(removed->dev_rid, SLOT0_DEV);
	cr_assert_eq(off->time_ns, removed->time_ns);
	cr_assert(removed < off, "removal must come before power off");
	cr_assert_null(sim_blade_dev_find(blade, SLOT0_DEV));
	cr_assert_not(fake_vswitch_slot_powered(vs, 0));
}

Test(sim_pciehp, attention_button_blinks_then_power_indicator_goes_off)
{
	boot_with_nic_in_slot0();
	fake_vswitch_press_button(vs, 0);
	sim_clock_run_for(clk, 1 * S);
	cr_assert_eq(pwr_ind(fake_vswitch_slot_ctl(vs, 0)),
		     FAB_PCI_EXP_SLTCTL_IND_BLINK);
	sim_clock_run_idle(clk, 0);
	cr_assert_eq(pwr_ind(fake_vswitch_slot_ctl(vs, 0)),
		     FAB_PCI_EXP_SLTCTL_IND_OFF);
}

Test(sim_pciehp, second_press_within_5s_cancels_removal)
{
	const struct sim_hp_record *press, *cancel;

	boot_with_nic_in_slot0();
	fake_vswitch_press_button(vs, 0);
	sim_clock_run_for(clk, 2 * S);
	fake_vswitch_press_button(vs, 0);
	sim_clock_run_for(clk, 10 * S);
	press = must_find(SIM_HP_BUTTON, DSP(0));
	cancel = must_find(SIM_HP_BUTTON_CANCEL, DSP(0));
	cr_assert_eq(cancel->time_ns, press->time_ns + 2 * S);
	cr_assert_eq(count(SIM_HP_DEV_REMOVED, DSP(0)), 0);
	cr_assert_eq(count(SIM_HP_POWER_OFF, DSP(0)), 0);
	cr_assert_not_null(sim_blade_dev_find(blade, SLOT0_DEV));
	cr_assert(fake_vswitch_slot_powered(vs, 0));
	cr_assert_eq(pwr_ind(fake_vswitch_slot_ctl(vs, 0)),
		     FAB_PCI_EXP_SLTCTL_IND_ON);
}

Test(sim_pciehp, host_ignoring_removal_logs_it_and_keeps_device)
{
	boot_with_nic_in_slot0();
	sim_blade_set_ignore_removal(blade, true);
	fake_vswitch_press_button(vs, 0);
	sim_clock_run_for(clk, 10 * S);
	cr_assert_eq(count(SIM_HP_REMOVAL_IGNORED, DSP(0)), 1);
	cr_assert_eq(count(SIM_HP_DEV_REMOVED, DSP(0)), 0);
	cr_assert_eq(count(SIM_HP_POWER_OFF, DSP(0)), 0);
	cr_assert_not_null(sim_blade_dev_find(blade, SLOT0_DEV));
	cr_assert(fake_vswitch_slot_powered(vs, 0));
}

Test(sim_pciehp, button_on_powered_off_occupied_slot_powers_it_on_after_5s)
{
	const struct sim_hp_record *r;
	unsigned from = 0;
	uint64_t t;

	boot_with_nic_in_slot0();
	fake_vswitch_press_button(vs, 0);
	sim_clock_run_idle(clk, 0);
	cr_assert_not(fake_vswitch_slot_powered(vs, 0));
	t = sim_clock_now(clk);
	fake_vswitch_press_button(vs, 0);
	sim_clock_run_idle(clk, 0);
	must_find(SIM_HP_POWER_ON, DSP(0));
	for (r = find(SIM_HP_POWER_ON, DSP(0), &from); r && r->time_ns < t;
	     r = find(SIM_HP_POWER_ON, DSP(0), &from))
		;
	cr_assert_not_null(r);
	cr_assert_eq(r->time_ns, t + 5 * S);
	cr_assert_not_null(sim_blade_dev_find(blade, SLOT0_DEV));
}

Test(sim_pciehp, surprise_removal_on_link_down_removes_and_powers_off)
{
	const struct sim_hp_record *down, *removed, *off;
	uint64_t t;

	boot_with_nic_in_slot0();
	t = sim_clock_now(clk);
	fake_vswitch_pull(vs, 0);
	sim_clock_run_idle(clk, 0);
	down = must_find(SIM_HP_LINK_DOWN, DSP(0));
	removed = must_find(SIM_HP_DEV_REMOVED, DSP(0));
	off = must_find(SIM_HP_POWER_OFF, DSP(0));
	must_find(SIM_HP_PRESENCE_OFF, DSP(0));
	cr_assert_eq(down->time_ns, t);
	cr_assert_eq(removed->time_ns, t);
	cr_assert_eq(off->time_ns, t);
	cr_assert_null(sim_blade_dev_find(blade, SLOT0_DEV));
	cr_assert_not(fake_vswitch_slot_powered(vs, 0));
	/* nothing came back: the slot is empty */
	cr_assert_eq(count(SIM_HP_POWER_ON, DSP(0)), 0);
}

Test(sim_pciehp, link_down_alone_is_a_surprise_removal)
{
	const struct sim_hp_record *down, *removed;
	uint64_t t;

	boot_with_nic_in_slot0();
	t = sim_clock_now(clk);
	/* the card stays in, its link drops (and will not come back) */
	fake_vswitch_set_link_broken(vs, 0, true);
	sim_clock_run_idle(clk, 0);
	down = must_find(SIM_HP_LINK_DOWN, DSP(0));
	removed = must_find(SIM_HP_DEV_REMOVED, DSP(0));
	cr_assert_eq(down->time_ns, t);
	cr_assert_eq(removed->time_ns, t);
	cr_assert_eq(count(SIM_HP_PRESENCE_OFF, DSP(0)), 0);
	cr_assert_null(sim_blade_dev_find(blade, SLOT0_DEV));
	/* still present: the driver tried to bring it back, without a link */
	must_find(SIM_HP_LINK_TIMEOUT, DSP(0));
	cr_assert_not(fake_vswitch_slot_powered(vs, 0));
}

Test(sim_pciehp, command_completed_timeout_logged_after_1s)
{
	const struct sim_hp_record *on, *timeout;
	unsigned from = 0;

	fake_vswitch_set_cmd_broken(vs, 1, true);
	boot();
	fake_vswitch_insert(vs, 1, sim_ep_port(ep[1]), T_DEV_BUS, false, NULL);
	sim_clock_run_idle(clk, 0);
	on = must_find(SIM_HP_POWER_ON, DSP(1));
	/* the first timeout logged after power on (records are in order) */
	do {
		timeout = find(SIM_HP_CMD_TIMEOUT, DSP(1), &from);
	} while (timeout && timeout < on);
	cr_assert_not_null(timeout);
	cr_assert_eq(timeout->time_ns, on->time_ns + 1 * S);
	/* the driver went on: the device is there */
	cr_assert_not_null(sim_blade_dev_find(blade, SLOT1_DEV));
}

Test(sim_pciehp, commands_wait_for_completion_of_the_previous_one)
{
	const struct fake_vswitch_desc vd = {
		.nslots = 1,
		.vendor = 0x11f8,
		.device = 0x4052,
		.cmd_ns = 80 * MS, /* slower than the link trains */
		.link = { 8, 3, T_TRAIN_NS },
	};
	const struct sim_link_desc ld = { 16, 4, T_TRAIN_NS };
	const struct sim_hp_record *on, *added;
	uint64_t t0;

	sim_link_free(uplink);
	fake_vswitch_free(vs);
	cr_assert_eq(fake_vswitch_new(&vs, clk, &vd, NULL), 0);
	cr_assert_eq(sim_link_new(&uplink, clk, sim_blade_port(blade),
				  fake_vswitch_port(vs), &ld, NULL),
		     0);
	boot();
	t0 = sim_clock_now(clk);
	fake_vswitch_insert(vs, 0, sim_ep_port(ep[0]), T_DEV_BUS, false, NULL);
	sim_clock_run_idle(clk, 0);
	on = must_find(SIM_HP_POWER_ON, DSP(0));
	added = must_find(SIM_HP_DEV_ADDED, DSP(0));
	cr_assert_eq(on->time_ns, t0);
	/*
	 * The link is up 50 ms after power on, but the driver waits for the
	 * power-on command to complete (80 ms) before it sets the indicator
	 * and looks at the link; then 100 ms before the scan.
	 */
	cr_assert_eq(added->time_ns, t0 + 80 * MS + 100 * MS);
	cr_assert_eq(count(SIM_HP_CMD_TIMEOUT, DSP(0)), 0);
}

Test(sim_pciehp, link_that_never_trains_times_out_and_powers_off)
{
	const struct sim_hp_record *on, *timeout, *off;

	fake_vswitch_set_link_broken(vs, 1, true);
	boot();
	fake_vswitch_insert(vs, 1, sim_ep_port(ep[1]), T_DEV_BUS, false, NULL);
	sim_clock_run_idle(clk, 0);
	on = must_find(SIM_HP_POWER_ON, DSP(1));
	timeout = must_find(SIM_HP_LINK_TIMEOUT, DSP(1));
	off = must_find(SIM_HP_POWER_OFF, DSP(1));
	cr_assert_eq(timeout->time_ns, on->time_ns + 1 * S);
	cr_assert_eq(off->time_ns, timeout->time_ns);
	cr_assert_null(sim_blade_dev_find(blade, SLOT1_DEV));
	cr_assert_not(fake_vswitch_slot_powered(vs, 1));
}

Test(sim_pciehp, device_answering_crs_is_enumerated_when_ready)
{
	const struct sim_hp_record *up, *added;

	boot();
	fake_vswitch_set_crs(vs, 1, 300 * MS);
	fake_vswitch_insert(vs, 1, sim_ep_port(ep[1]), T_DEV_BUS, false, NULL);
	sim_clock_run_idle(clk, 0);
	up = must_find(SIM_HP_LINK_UP, DSP(1));
	added = must_find(SIM_HP_DEV_ADDED, DSP(1));
	/* scan at +100 ms, Vendor ID retried 1, 2, 4 ... 128 ms apart */
	cr_assert_geq(added->time_ns, up->time_ns + 300 * MS);
	cr_assert_eq(added->time_ns, up->time_ns + 100 * MS + 255 * MS);
	cr_assert_not_null(sim_blade_dev_find(blade, SLOT1_DEV));
}

Test(sim_pciehp, reinserted_device_is_enumerated_again)
{
	boot_with_nic_in_slot0();
	fake_vswitch_pull(vs, 0);
	sim_clock_run_idle(clk, 0);
	cr_assert_null(sim_blade_dev_find(blade, SLOT0_DEV));
	fake_vswitch_insert(vs, 0, sim_ep_port(ep[0]), T_DEV_BUS, false, NULL);
	sim_clock_run_idle(clk, 0);
	cr_assert_not_null(sim_blade_dev_find(blade, SLOT0_DEV));
	cr_assert_eq(count(SIM_HP_DEV_ADDED, DSP(0)), 1);
	cr_assert_eq(count(SIM_HP_DEV_REMOVED, DSP(0)), 1);
}

Test(sim_pciehp, reset_stops_the_driver_and_probes_it_again)
{
	unsigned writes;

	boot_with_nic_in_slot0();
	writes = fake_vswitch_slot_ctl_writes(vs, 1);
	cr_assert_eq(sim_blade_reset(blade, NULL), 0);
	sim_clock_run_idle(clk, 0);
	cr_assert_gt(fake_vswitch_slot_ctl_writes(vs, 1), writes);
	/* and it works: a hot-add after the reset is handled */
	fake_vswitch_insert(vs, 1, sim_ep_port(ep[1]), T_DEV_BUS, false, NULL);
	sim_clock_run_idle(clk, 0);
	cr_assert_not_null(sim_blade_dev_find(blade, SLOT1_DEV));
}
