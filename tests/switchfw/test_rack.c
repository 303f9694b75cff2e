/* SPDX-License-Identifier: MIT */
/*
 * test_rack.c - two switches joined by a fabric link (examples/
 * chassis-rack.json): a function behind one switch bound to a blade on
 * the other, its memory, DMA and interrupts crossing the fabric link, and
 * nobody else reaching it.
 */
#include "tests/switchfw/fw_fixture.h"

static struct fwt t;

/* nic2 sits on sw1 (chip 1) port 4; nic0 on sw0 (chip 0) port 4. */
#define NIC2_VF(n) SW_FID(1, 4, (n))
#define NIC0_VF(n) SW_FID(0, 4, (n))

static void setup(void)
{
	fwt_setup(&t, "examples/chassis-rack.json", NULL);
}

static void teardown(void)
{
	fwt_teardown(&t);
}

TestSuite(sw_rack, .init = setup, .fini = teardown);

static const struct sim_host_dev *bound(uint32_t fid, unsigned part,
					unsigned vppb)
{
	struct sim_blade *b = sim_chassis_blade(t.ch, part);
	const struct sim_host_dev *port;
	const struct sim_host_dev *d;

	fwt_bind(&t, fid, part, (int)vppb);
	fwt_idle(&t);
	port = sim_blade_dev_find(b, FAB_RID(2, vppb, 0));
	cr_assert_not_null(port);
	d = sim_blade_dev_find(b, FAB_RID(port->sec_bus, 0, 0));
	cr_assert_not_null(d, "%s did not enumerate fn %#x", sim_blade_name(b),
			   fid);
	return d;
}

Test(sw_rack, partitions_span_both_switches)
{
	struct sw_partition_info p;
	struct sw_identity id;

	sw_fw_identify(t.fw, &id);
	cr_assert_eq(id.nchips, 2);
	cr_assert_eq(id.npartitions, 8);
	cr_assert_eq(sw_fw_partition(t.fw, 5, &p, NULL), 0);
	cr_assert_eq(p.chip, 1);
	cr_assert_eq(p.port, 1);
	/* 4 NICs (1 + 64 each), 2 NVMe (1 + 32 each), 1 accelerator */
	cr_assert_eq(sw_fw_function_count(t.fw), 4 * 65 + 2 * 33 + 1);
}

Test(sw_rack, vf_behind_the_other_switch_is_enumerated_and_mapped)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	const struct sim_host_dev *d = bound(NIC2_VF(1), 0, 0);
	struct sim_fn *vf = fwt_vf(&t, "nic2", 1);
	uint32_t got = 0;
	uint8_t st = 0;

	cr_assert_eq(d->vendor, 0x15b3);
	cr_assert_eq(d->device, 0x101e);
	fwt_mmio_write32(b, fwt_bar(d, 0) + 0x44, 0xfab0fab0);
	cr_assert_eq(sim_fn_mem_peek(vf, 0, 0x44, &got, 4, NULL), 0);
	cr_assert_eq(got, 0xfab0fab0);
	cr_assert_eq(fwt_mmio_read32(b, fwt_bar(d, 0) + 0x44, &st), 0xfab0fab0);
	cr_assert_eq(st, FAB_CPL_SC);
}

Test(sw_rack, dma_and_msi_cross_the_fabric_to_the_owner_only)
{
	struct sim_blade *owner = fwt_blade(&t, "blade1");
	struct sim_blade *local = fwt_blade(&t, "blade4");
	struct sim_fn *vf = fwt_vf(&t, "nic2", 9);
	uint32_t v = 0x12121212, got = 0, data = 0x50;
	uint64_t irqs, irqs_local;
	uint8_t st = 0xff;
	struct fm_err err = { 0 };

	bound(NIC2_VF(9), 1, 3);
	irqs = sim_blade_irq_count(owner);
	irqs_local = sim_blade_irq_count(local);
	cr_assert_eq(sim_fn_dma_write(vf, 0x9000, &v, 4, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(sim_blade_ram_read(owner, 0x9000, &got, 4, NULL), 0);
	cr_assert_eq(got, v);
	cr_assert_eq(sim_blade_ram_read(local, 0x9000, &got, 4, NULL), 0);
	cr_assert_eq(got, 0);
	cr_assert_eq(sim_fn_dma_read(vf, 0x9000, &got, 4, &st, &err), 0);
	cr_assert_eq(st, FAB_CPL_SC);
	cr_assert_eq(got, v);
	cr_assert_eq(sim_fn_dma_write(vf, FAB_MSI_ADDR_BASE, &data, 4, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(sim_blade_irq_count(owner), irqs + 1);
	cr_assert_eq(sim_blade_irq_count(local), irqs_local);
}

Test(sw_rack, blades_next_to_the_function_cannot_reach_it)
{
	const struct sim_host_dev *d = bound(NIC2_VF(2), 0, 0);
	uint64_t bar = fwt_bar(d, 0);
	uint8_t st = 0;

	/* every blade enumerates alike: the address is in their windows */
	for (unsigned i = 1; i < sim_chassis_blade_count(t.ch); i++) {
		struct sim_blade *b = sim_chassis_blade(t.ch, i);

		fwt_mmio_write32(b, bar, 0xbad);
		fwt_mmio_read32(b, bar, &st);
		cr_assert_eq(st, FAB_CPL_UR, "%s", sim_blade_name(b));
	}
	cr_assert_eq(sim_fn_mem_requests(fwt_vf(&t, "nic2", 2)), 0);
}

Test(sw_rack, both_directions_at_once)
{
	struct sim_blade *b0 = fwt_blade(&t, "blade0");
	struct sim_blade *b4 = fwt_blade(&t, "blade4");
	const struct sim_host_dev *d0 = bound(NIC2_VF(3), 0, 1);
	const struct sim_host_dev *d4 = bound(NIC0_VF(3), 4, 1);
	uint32_t got = 0;

	fwt_mmio_write32(b0, fwt_bar(d0, 0), 0x0000b0b0);
	fwt_mmio_write32(b4, fwt_bar(d4, 0), 0x0000b4b4);
	cr_assert_eq(
		sim_fn_mem_peek(fwt_vf(&t, "nic2", 3), 0, 0, &got, 4, NULL), 0);
	cr_assert_eq(got, 0xb0b0);
	cr_assert_eq(
		sim_fn_mem_peek(fwt_vf(&t, "nic0", 3), 0, 0, &got, 4, NULL), 0);
	cr_assert_eq(got, 0xb4b4);
}

Test(sw_rack, unbind_across_the_fabric_leaves_nothing_mapped)
{
	struct sim_blade *b0 = fwt_blade(&t, "blade0");
	struct sim_blade *b5 = fwt_blade(&t, "blade5");
	const struct sim_host_dev *d = bound(NIC2_VF(4), 0, 0);
	uint64_t bar = fwt_bar(d, 0);
	struct sim_fn *vf = fwt_vf(&t, "nic2", 4);
	uint32_t v = 0x4, got = 0;
	uint8_t st = 0;

	fwt_unbind(&t, NIC2_VF(4), SW_UNBIND_SURPRISE);
	fwt_mmio_read32(b0, bar, &st);
	cr_assert_eq(st, FAB_CPL_UR);
	fwt_idle(&t);
	/* rebound next to it, it works there and DMA goes there only */
	d = bound(NIC2_VF(4), 5, 0);
	fwt_mmio_write32(b5, fwt_bar(d, 0), 0x55);
	cr_assert_eq(sim_fn_mem_peek(vf, 0, 0, &got, 4, NULL), 0);
	cr_assert_eq(got, 0x55);
	cr_assert_eq(sim_fn_dma_write(vf, 0xa000, &v, 4, NULL), 0);
	cr_assert_eq(sim_blade_ram_read(b5, 0xa000, &got, 4, NULL), 0);
	cr_assert_eq(got, v);
	cr_assert_eq(sim_blade_ram_read(b0, 0xa000, &got, 4, NULL), 0);
	cr_assert_eq(got, 0);
}

Test(sw_rack, fabric_link_down_removes_what_crossed_it)
{
	struct sim_blade *b0 = fwt_blade(&t, "blade0");
	struct sim_blade *b4 = fwt_blade(&t, "blade4");
	const struct sim_host_dev *d = bound(NIC2_VF(5), 0, 0);
	uint64_t bar = fwt_bar(d, 0), seq;
	unsigned from = sim_blade_hp_count(b0);
	struct fm_err err = { 0 };
	uint8_t st = 0;

	bound(NIC2_VF(6), 4, 0); /* same switch: stays */
	seq = sw_fw_last_event_seq(t.fw);
	cr_assert_eq(sw_fw_port_control(t.fw, 0, 8, FAB_PORT_CTL_DISABLE, &err),
		     0, "%s", err.msg);
	cr_assert_eq(fwt_ev_first(&t, SW_EV_UNBIND, seq).fid, NIC2_VF(5));
	cr_assert_eq(fwt_ev_count(&t, SW_EV_UNBIND, seq), 1);
	fwt_mmio_read32(b0, bar, &st);
	cr_assert_eq(st, FAB_CPL_UR);
	fwt_idle(&t);
	cr_assert_eq(fwt_hp_count(b0, SIM_HP_DEV_REMOVED, from), 1);
	cr_assert_eq(fwt_fn(&t, NIC2_VF(5)).state, SW_FN_FREE);
	cr_assert_eq(fwt_fn(&t, NIC2_VF(6)).state, SW_FN_BOUND);
	cr_assert_eq(fwt_host_endpoints(b4), 1);
}

Test(sw_rack, binding_over_a_fabric_link_that_is_down_is_refused)
{
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fw_port_control(t.fw, 1, 8, FAB_PORT_CTL_DISABLE, &err),
		     0, "%s", err.msg);
	cr_assert_eq(sw_fw_bind(t.fw, NIC2_VF(7), 0, -1, NULL, &err),
		     -FM_ESTATE);
	cr_assert(strstr(err.msg, "fabric link"), "%s", err.msg);
	cr_assert_eq(fwt_fn(&t, NIC2_VF(7)).state, SW_FN_FREE);
	/* next to it, nothing changed */
	bound(NIC2_VF(7), 4, 0);
}
