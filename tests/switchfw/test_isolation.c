/* SPDX-License-Identifier: MIT */
/*
 * test_isolation.c - requests that belong to nobody: a blade's memory or
 * config request to an address, bus or function not bound to it, and a
 * function's request its owner did not allow, never reach anything; the
 * silicon refuses them (UR or drop), counts them on the port, and the
 * firmware logs a violation naming where it came from.
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

TestSuite(sw_isolation, .init = setup, .fini = teardown);

static const struct sim_host_dev *bound(unsigned n, unsigned part,
					unsigned vppb)
{
	struct sim_blade *b = sim_chassis_blade(t.ch, part);
	const struct sim_host_dev *port;

	fwt_bind(&t, VF(n), part, (int)vppb);
	fwt_idle(&t);
	port = sim_blade_dev_find(b, FAB_RID(2, vppb, 0));
	cr_assert_not_null(port);
	return sim_blade_dev_find(b, FAB_RID(port->sec_bus, 0, 0));
}

static struct fab_port_counters counters(unsigned port)
{
	struct fab_port_status st;

	cr_assert_eq(sw_fw_port_status(t.fw, 0, port, &st, NULL), 0);
	return st.counters;
}

static uint64_t total_mem_requests(void)
{
	struct sim_ep *nic = fwt_ep(&t, "nic0");
	uint64_t n = sim_fn_mem_requests(sim_ep_pf(nic));

	for (unsigned i = 0; i < sim_ep_num_vfs_enabled(nic); i++)
		n += sim_fn_mem_requests(sim_ep_vf(nic, i));
	return n;
}

Test(sw_isolation, read_of_an_unmapped_address_is_ur_and_logged)
{
	struct sim_blade *b = fwt_blade(&t, "blade1");
	const struct sim_host_dev *port =
		sim_blade_dev_find(b, FAB_RID(2, 6, 0));
	struct fab_port_counters before = counters(1);
	uint64_t seq = sw_fw_last_event_seq(t.fw);
	uint64_t addr = port->pref_base + 0x40;
	struct sw_event ev;
	uint8_t st = 0;

	cr_assert_eq(fwt_mmio_read32(b, addr, &st), 0xffffffff);
	cr_assert_eq(st, FAB_CPL_UR);
	cr_assert_eq(counters(1).ur, before.ur + 1);
	ev = fwt_ev_first(&t, SW_EV_VIOLATION, seq);
	cr_assert_eq(ev.partition, 1);
	cr_assert_eq(ev.chip, 0);
	cr_assert_eq(ev.port, 1);
	cr_assert_eq(ev.detail, addr);
	cr_assert_eq(ev.fid, SW_FID_NONE);
}

Test(sw_isolation, write_to_an_unmapped_address_is_dropped)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	const struct sim_host_dev *port =
		sim_blade_dev_find(b, FAB_RID(2, 1, 0));
	struct fab_port_counters before = counters(0);
	uint64_t seq = sw_fw_last_event_seq(t.fw);

	fwt_mmio_write32(b, port->mem_base, 0xbad);
	cr_assert_eq(counters(0).dropped, before.dropped + 1);
	cr_assert_eq(fwt_ev_count(&t, SW_EV_VIOLATION, seq), 1);
	cr_assert_eq(total_mem_requests(), 0);
}

Test(sw_isolation, blade_cannot_reach_another_blade_function)
{
	struct sim_blade *a = fwt_blade(&t, "blade0");
	struct sim_blade *b = fwt_blade(&t, "blade1");
	const struct sim_host_dev *d = bound(1, 0, 0);
	const struct sim_host_dev *bp = sim_blade_dev_find(b, FAB_RID(2, 0, 0));
	uint64_t bar = fwt_bar(d, 0);
	uint8_t st = 0;

	/* both blades enumerate alike: B's vPPB 0 window holds A's address */
	cr_assert(bar >= bp->pref_base && bar <= bp->pref_limit);
	fwt_mmio_write32(b, bar, 0xb);
	fwt_mmio_read32(b, bar, &st);
	cr_assert_eq(st, FAB_CPL_UR);
	cr_assert_eq(sim_fn_mem_requests(fwt_vf(&t, "nic0", 1)), 0);
	/* A still reaches it */
	fwt_mmio_read32(a, bar, &st);
	cr_assert_eq(st, FAB_CPL_SC);
}

Test(sw_isolation, config_to_a_bus_nobody_owns_is_a_violation)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	uint64_t seq;
	struct sw_event ev;

	bound(2, 0, 7);
	/* the host narrows vPPB 7's range: bus 18 belongs to nobody now */
	fwt_cfg_write(b, FAB_RID(2, 7, 0), PCI_SUBORDINATE_BUS, 1, 17);
	seq = sw_fw_last_event_seq(t.fw);
	cr_assert_eq(fwt_cfg_read(b, FAB_RID(18, 0, 0), PCI_VENDOR_ID, 4),
		     0xffffffff);
	ev = fwt_ev_first(&t, SW_EV_VIOLATION, seq);
	cr_assert_eq(ev.detail, FAB_RID(18, 0, 0));
	cr_assert_eq(ev.partition, 0);
}

Test(sw_isolation, only_device_0_answers_below_a_vppb)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	const struct sim_host_dev *d = bound(3, 0, 0);
	uint8_t bus = FAB_RID_BUS(d->rid);

	cr_assert_eq(fwt_cfg_read(b, FAB_RID(bus, 1, 0), PCI_VENDOR_ID, 4),
		     0xffffffff);
	cr_assert_eq(fwt_cfg_read(b, FAB_RID(bus, 0, 1), PCI_VENDOR_ID, 4),
		     0xffffffff);
	cr_assert_eq(fwt_cfg_read(b, FAB_RID(bus + 1, 0, 0), PCI_VENDOR_ID, 4),
		     0xffffffff);
	/* the VF next door (same device) never answers this host */
	cr_assert_eq(fwt_cfg_read(b, d->rid, PCI_VENDOR_ID, 2), 0x15b3);
}

Test(sw_isolation, dma_the_owner_did_not_allow_is_dropped_and_logged)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	struct sim_fn *vf = fwt_vf(&t, "nic0", 4);
	uint16_t port = FAB_RID(2, 3, 0);
	struct fab_port_counters before;
	uint64_t seq;
	struct sw_event ev;
	uint32_t v = 0x5555, got = 0;
	uint8_t st = 0;

	bound(4, 0, 3);
	/* the host stops the vPPB forwarding requests from below */
	fwt_cfg_write(b, port, PCI_COMMAND, 2,
		      fwt_cfg_read(b, port, PCI_COMMAND, 2) &
			      ~(uint32_t)PCI_COMMAND_MASTER);
	before = counters(2);
	seq = sw_fw_last_event_seq(t.fw);
	cr_assert_eq(sim_fn_dma_write(vf, 0x4000, &v, 4, NULL), 0);
	cr_assert_eq(sim_fn_dma_read(vf, 0x4000, &got, 4, &st, NULL), 0);
	cr_assert_eq(st, FAB_CPL_UR);
	cr_assert_eq(sim_blade_ram_read(b, 0x4000, &got, 4, NULL), 0);
	cr_assert_eq(got, 0);
	cr_assert_eq(counters(2).dropped, before.dropped + 1);
	cr_assert_eq(counters(2).ur, before.ur + 1);
	ev = fwt_ev_first(&t, SW_EV_VIOLATION, seq);
	cr_assert_eq(ev.port, 2);
	cr_assert_eq(ev.fid, VF(4));
	cr_assert_eq(ev.detail, 0x4000);
}

Test(sw_isolation, dma_of_an_unbound_vf_reaches_no_blade)
{
	struct fab_chip *chip = t.chips[0];
	struct sim_fn *vf = fwt_vf(&t, "nic0", 6);
	uint32_t v = 0x66, got = 0;
	struct fm_err err = { 0 };
	uint64_t seq = sw_fw_last_event_seq(t.fw);
	uint8_t st = 0xff;

	/* a rogue function masters although nobody owns it */
	cr_assert_eq(chip->ops->cfg_write(chip, 2, sim_fn_rid(vf), PCI_COMMAND,
					  2, PCI_COMMAND_MASTER, &st, NULL),
		     0);
	cr_assert_eq(st, FAB_CPL_SC);
	cr_assert_eq(sim_fn_dma_write(vf, 0x100, &v, 4, &err), 0, "%s",
		     err.msg);
	for (unsigned i = 0; i < sim_chassis_blade_count(t.ch); i++) {
		cr_assert_eq(sim_blade_ram_read(sim_chassis_blade(t.ch, i),
						0x100, &got, 4, NULL),
			     0);
		cr_assert_eq(got, 0);
	}
	cr_assert_eq(fwt_ev_first(&t, SW_EV_VIOLATION, seq).fid, VF(6));
}
