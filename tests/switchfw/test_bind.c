/* SPDX-License-Identifier: MIT */
/*
 * test_bind.c - binding functions to a blade: the hot-add the blade's
 * hot-plug driver sees, the function as the blade enumerates it, memory
 * requests translated to the function's BARs, its DMA and MSIs reaching
 * only its owner, and the rules of who may be bound where.
 */
#include "tests/switchfw/fw_fixture.h"

static struct fwt t;

static void small_setup(void)
{
	fwt_setup(&t, "examples/chassis-small.json", NULL);
}

static void mixed_setup(void)
{
	fwt_setup(&t, "tests/data/fw-mixed.json", NULL);
}

static void teardown(void)
{
	fwt_teardown(&t);
}

TestSuite(sw_bind, .fini = teardown);

#define NIC_VF(n) SW_FID(0, 2, (n))

/* Bind, let the blade react, return what it enumerated below @vppb. */
static const struct sim_host_dev *
bind_and_find(struct sim_blade *b, uint32_t fid, unsigned part, unsigned vppb)
{
	const struct sim_host_dev *port;

	fwt_bind(&t, fid, part, (int)vppb);
	fwt_idle(&t);
	port = sim_blade_dev_find(b, FAB_RID(2, vppb, 0));
	cr_assert_not_null(port);
	return sim_blade_dev_find(b, FAB_RID(port->sec_bus, 0, 0));
}

Test(sw_bind, hot_add_shows_the_vf_as_device_0_below_the_vppb,
     .init = small_setup)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	const struct sim_host_dev *d = bind_and_find(b, NIC_VF(1), 0, 2);

	cr_assert_not_null(d);
	cr_assert_eq(d->vendor, 0x15b3);
	cr_assert_eq(d->device, 0x101e);
	cr_assert_eq(d->class_code, 0x020000);
	cr_assert_eq(d->parent_rid, FAB_RID(2, 2, 0));
	cr_assert_eq(d->pcie_type, PCI_EXP_TYPE_ENDPOINT);
	/* the VF BAR as the PF's SR-IOV capability sizes it */
	cr_assert_eq(d->bar[0].size, 1ULL << 20);
	cr_assert(d->bar[0].mem64);
	cr_assert(d->bar[0].prefetch);
	cr_assert_eq(fwt_host_endpoints(b), 1);
	cr_assert_eq(fwt_host_endpoints(fwt_blade(&t, "blade1")), 0);
}

Test(sw_bind, hot_add_runs_presence_power_link_then_enumeration,
     .init = small_setup)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	unsigned from = sim_blade_hp_count(b);
	uint64_t t0 = fwt_now(&t), pres, pwr, link, added;

	fwt_bind(&t, NIC_VF(1), 0, 0);
	fwt_idle(&t);
	pres = fwt_hp_time(b, SIM_HP_PRESENCE_ON, from);
	pwr = fwt_hp_time(b, SIM_HP_POWER_ON, from);
	link = fwt_hp_time(b, SIM_HP_LINK_UP, from);
	added = fwt_hp_time(b, SIM_HP_DEV_ADDED, from);
	cr_assert(pres && pwr && link && added);
	cr_assert_eq(pres, t0);
	cr_assert_geq(pwr, pres);
	/* the virtual link trains after the host powers the slot */
	cr_assert_geq(link, pwr + 10 * FAB_NS_PER_MS);
	/* Linux waits 100 ms after the link before it looks */
	cr_assert_geq(added, link + 100 * FAB_NS_PER_MS);
}

Test(sw_bind, bind_and_host_enable_are_logged, .init = small_setup)
{
	uint64_t seq = sw_fw_last_event_seq(t.fw);
	struct sw_event bind, up;
	struct sw_fn_info info;
	unsigned vppb = 99;
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fw_bind(t.fw, NIC_VF(4), 1, -1, &vppb, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(vppb, 0);
	fwt_idle(&t);
	bind = fwt_ev_first(&t, SW_EV_BIND, seq);
	up = fwt_ev_first(&t, SW_EV_HOST_ENABLED, seq);
	cr_assert_eq(bind.fid, NIC_VF(4));
	cr_assert_eq(bind.partition, 1);
	cr_assert_eq(bind.vppb, 0);
	cr_assert_eq(bind.chip, 0);
	cr_assert_eq(bind.port, 2);
	cr_assert_eq(up.fid, NIC_VF(4));
	cr_assert_gt(up.time_ns, bind.time_ns);
	info = fwt_fn(&t, NIC_VF(4));
	cr_assert_eq(info.state, SW_FN_BOUND);
	cr_assert_eq(info.partition, 1);
	cr_assert_eq(info.vppb, 0);
}

Test(sw_bind, partition_shows_the_binding, .init = small_setup)
{
	struct sw_partition_info p;

	fwt_bind(&t, NIC_VF(2), 0, 5);
	cr_assert_eq(sw_fw_partition(t.fw, 0, &p, NULL), 0);
	cr_assert_eq(p.vppb[5].state, SW_VPPB_ADDING);
	cr_assert_eq(p.vppb[5].fid, NIC_VF(2));
	fwt_idle(&t);
	cr_assert_eq(sw_fw_partition(t.fw, 0, &p, NULL), 0);
	cr_assert_eq(p.vppb[5].state, SW_VPPB_BOUND);
	cr_assert(p.vppb[5].slot_power);
}

Test(sw_bind, host_mmio_reaches_the_vf_bar_memory, .init = small_setup)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	const struct sim_host_dev *d = bind_and_find(b, NIC_VF(3), 0, 1);
	struct sim_fn *vf = fwt_vf(&t, "nic0", 3);
	uint32_t got = 0;
	uint8_t st = 0xff;

	fwt_mmio_write32(b, fwt_bar(d, 0) + 0x100, 0xdeadbeef);
	cr_assert_eq(sim_fn_mem_peek(vf, 0, 0x100, &got, 4, NULL), 0);
	cr_assert_eq(got, 0xdeadbeef);
	cr_assert_eq(fwt_mmio_read32(b, fwt_bar(d, 0) + 0x100, &st),
		     0xdeadbeef);
	cr_assert_eq(st, FAB_CPL_SC);
	/* the neighbouring VF saw nothing */
	cr_assert_eq(sim_fn_mem_requests(fwt_vf(&t, "nic0", 2)), 0);
	cr_assert_eq(sim_fn_mem_requests(fwt_vf(&t, "nic0", 4)), 0);
}

Test(sw_bind, vf_dma_lands_in_its_owner_ram_only, .init = small_setup)
{
	struct sim_blade *a = fwt_blade(&t, "blade0");
	struct sim_blade *b = fwt_blade(&t, "blade1");
	struct sim_fn *vf1 = fwt_vf(&t, "nic0", 1);
	struct sim_fn *vf2 = fwt_vf(&t, "nic0", 2);
	const uint64_t addr = 0x10000;
	uint32_t in_a = 0, in_b = 0, v1 = 0x11111111, v2 = 0x22222222;
	struct fm_err err = { 0 };

	cr_assert_not_null(bind_and_find(a, NIC_VF(1), 0, 0));
	cr_assert_not_null(bind_and_find(b, NIC_VF(2), 1, 0));
	cr_assert_eq(sim_fn_dma_write(vf1, addr, &v1, 4, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(sim_fn_dma_write(vf2, addr + 4, &v2, 4, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(sim_blade_ram_read(a, addr, &in_a, 4, NULL), 0);
	cr_assert_eq(sim_blade_ram_read(b, addr, &in_b, 4, NULL), 0);
	cr_assert_eq(in_a, v1);
	cr_assert_eq(in_b, 0);
	cr_assert_eq(sim_blade_ram_read(a, addr + 4, &in_a, 4, NULL), 0);
	cr_assert_eq(sim_blade_ram_read(b, addr + 4, &in_b, 4, NULL), 0);
	cr_assert_eq(in_a, 0);
	cr_assert_eq(in_b, v2);
}

Test(sw_bind, vf_dma_read_returns_owner_ram, .init = small_setup)
{
	struct sim_blade *a = fwt_blade(&t, "blade0");
	struct sim_fn *vf = fwt_vf(&t, "nic0", 5);
	uint32_t v = 0xabcd0123, back = 0;
	uint8_t st = 0xff;
	struct fm_err err = { 0 };

	cr_assert_not_null(bind_and_find(a, NIC_VF(5), 0, 3));
	cr_assert_eq(sim_fn_dma_write(vf, 0x2000, &v, 4, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(sim_fn_dma_read(vf, 0x2000, &back, 4, &st, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(st, FAB_CPL_SC);
	cr_assert_eq(back, v);
}

Test(sw_bind, vf_msi_interrupts_its_owner_only, .init = small_setup)
{
	struct sim_blade *a = fwt_blade(&t, "blade0");
	struct sim_blade *b = fwt_blade(&t, "blade1");
	struct sim_fn *vf = fwt_vf(&t, "nic0", 6);
	uint64_t ia, ib;
	uint32_t data = 0x41; /* a vector nobody registered: still counted */
	struct fm_err err = { 0 };

	cr_assert_not_null(bind_and_find(b, NIC_VF(6), 1, 4));
	ia = sim_blade_irq_count(a);
	ib = sim_blade_irq_count(b);
	cr_assert_eq(sim_fn_dma_write(vf, FAB_MSI_ADDR_BASE, &data, 4, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(sim_blade_irq_count(b), ib + 1);
	cr_assert_eq(sim_blade_irq_count(a), ia);
}

Test(sw_bind, binding_twice_is_refused, .init = small_setup)
{
	struct fm_err err = { 0 };
	struct sw_fn_info info;

	fwt_bind(&t, NIC_VF(1), 0, 0);
	cr_assert_eq(sw_fw_bind(t.fw, NIC_VF(1), 1, -1, NULL, &err),
		     -FM_EEXIST);
	cr_assert_eq(err.code, FM_EEXIST);
	cr_assert(strstr(err.msg, "already bound"), "%s", err.msg);
	info = fwt_fn(&t, NIC_VF(1));
	cr_assert_eq(info.partition, 0);
	cr_assert_eq(info.vppb, 0);
	fwt_idle(&t);
	cr_assert_eq(fwt_host_endpoints(fwt_blade(&t, "blade1")), 0);
}

Test(sw_bind, unknown_function_or_partition_is_enoent, .init = small_setup)
{
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fw_bind(t.fw, NIC_VF(9), 0, -1, NULL, &err),
		     -FM_ENOENT);
	cr_assert(strstr(err.msg, "no function 0x20009"), "%s", err.msg);
	fm_err_clear(&err);
	cr_assert_eq(sw_fw_bind(t.fw, NIC_VF(1), 2, -1, NULL, &err),
		     -FM_ENOENT);
	cr_assert(strstr(err.msg, "no partition 2"), "%s", err.msg);
	cr_assert_eq(fwt_fn(&t, NIC_VF(1)).state, SW_FN_FREE);
}

Test(sw_bind, occupied_or_missing_vppb_is_refused, .init = small_setup)
{
	struct fm_err err = { 0 };

	fwt_bind(&t, NIC_VF(1), 0, 4);
	cr_assert_eq(sw_fw_bind(t.fw, NIC_VF(2), 0, 4, NULL, &err), -FM_EBUSY);
	cr_assert(strstr(err.msg, "vppb4: occupied"), "%s", err.msg);
	cr_assert_eq(sw_fw_bind(t.fw, NIC_VF(2), 0, 8, NULL, &err), -FM_ERANGE);
	cr_assert_eq(fwt_fn(&t, NIC_VF(2)).state, SW_FN_FREE);
}

Test(sw_bind, full_partition_is_enospc)
{
	struct sw_fw_config cfg = { .vppbs = 2 };
	struct fm_err err = { 0 };

	fwt_setup(&t, "examples/chassis-small.json", &cfg);
	fwt_bind(&t, NIC_VF(1), 1, -1);
	fwt_bind(&t, NIC_VF(2), 1, -1);
	cr_assert_eq(sw_fw_bind(t.fw, NIC_VF(3), 1, -1, NULL, &err),
		     -FM_ENOSPC);
	cr_assert(strstr(err.msg, "part1: no empty vPPB"), "%s", err.msg);
	cr_assert_eq(fwt_fn(&t, NIC_VF(3)).state, SW_FN_FREE);
	/* a vPPB that empties can be used again */
	fwt_unbind(&t, NIC_VF(2), SW_UNBIND_SURPRISE);
	fwt_bind(&t, NIC_VF(3), 1, -1);
	fwt_idle(&t);
	cr_assert_eq(fwt_fn(&t, NIC_VF(3)).vppb, 1);
	cr_assert_eq(fwt_host_endpoints(fwt_blade(&t, "blade1")), 2);
}

Test(sw_bind, sriov_pf_is_refused_while_a_vf_is_bound, .init = small_setup)
{
	struct fm_err err = { 0 };

	fwt_bind(&t, NIC_VF(7), 0, -1);
	cr_assert_eq(sw_fw_bind(t.fw, SW_FID(0, 2, 0), 1, -1, NULL, &err),
		     -FM_ESTATE);
	cr_assert(strstr(err.msg, "VF 7 in use"), "%s", err.msg);
	cr_assert_eq(fwt_fn(&t, SW_FID(0, 2, 0)).state, SW_FN_FABRIC);
	cr_assert_eq(sim_ep_num_vfs_enabled(fwt_ep(&t, "nic0")), 8);
}

Test(sw_bind, host_moving_a_bar_moves_the_window, .init = small_setup)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	const struct sim_host_dev *d = bind_and_find(b, NIC_VF(1), 0, 0);
	const struct sim_host_dev *port =
		sim_blade_dev_find(b, FAB_RID(2, 0, 0));
	uint64_t old = fwt_bar(d, 0), moved;
	uint16_t rid = d->rid;
	uint32_t got = 0;
	uint8_t st = 0;

	/* the second half of the vPPB's 2 MiB prefetchable window */
	cr_assert_eq(old, port->pref_base);
	moved = old + (1ULL << 20);
	fwt_cfg_write(b, rid, PCI_BASE_ADDRESS_0, 4,
		      (uint32_t)moved | PCI_BASE_ADDRESS_MEM_TYPE_64 |
			      PCI_BASE_ADDRESS_MEM_PREFETCH);
	fwt_cfg_write(b, rid, PCI_BASE_ADDRESS_1, 4, (uint32_t)(moved >> 32));
	fwt_mmio_write32(b, moved + 8, 0x5a5a5a5a);
	cr_assert_eq(
		sim_fn_mem_peek(fwt_vf(&t, "nic0", 1), 0, 8, &got, 4, NULL), 0);
	cr_assert_eq(got, 0x5a5a5a5a);
	fwt_mmio_read32(b, old + 8, &st);
	cr_assert_eq(st, FAB_CPL_UR);
}

Test(sw_bind, memory_decode_off_removes_the_window, .init = small_setup)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	const struct sim_host_dev *d = bind_and_find(b, NIC_VF(1), 0, 0);
	uint32_t cmd = fwt_cfg_read(b, d->rid, PCI_COMMAND, 2);
	uint8_t st = 0;

	cr_assert(cmd & PCI_COMMAND_MEMORY, "the host sees its own bit");
	fwt_cfg_write(b, d->rid, PCI_COMMAND, 2,
		      cmd & ~(uint32_t)PCI_COMMAND_MEMORY);
	cr_assert_not(fwt_cfg_read(b, d->rid, PCI_COMMAND, 2) &
		      PCI_COMMAND_MEMORY);
	fwt_mmio_read32(b, fwt_bar(d, 0), &st);
	cr_assert_eq(st, FAB_CPL_UR);
	fwt_cfg_write(b, d->rid, PCI_COMMAND, 2, cmd);
	fwt_mmio_read32(b, fwt_bar(d, 0), &st);
	cr_assert_eq(st, FAB_CPL_SC);
}

Test(sw_bind, bar_sizing_reads_the_vf_bar_size, .init = small_setup)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	const struct sim_host_dev *d = bind_and_find(b, NIC_VF(1), 0, 0);
	uint32_t lo, hi;

	fwt_cfg_write(b, d->rid, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	fwt_cfg_write(b, d->rid, PCI_BASE_ADDRESS_1, 4, 0xffffffff);
	lo = fwt_cfg_read(b, d->rid, PCI_BASE_ADDRESS_0, 4);
	hi = fwt_cfg_read(b, d->rid, PCI_BASE_ADDRESS_1, 4);
	cr_assert_eq(lo, 0xfff00000u | PCI_BASE_ADDRESS_MEM_TYPE_64 |
				 PCI_BASE_ADDRESS_MEM_PREFETCH);
	cr_assert_eq(hi, 0xffffffffu);
	/* BARs the VF does not have read 0 whatever is written */
	fwt_cfg_write(b, d->rid, PCI_BASE_ADDRESS_2, 4, 0xffffffff);
	cr_assert_eq(fwt_cfg_read(b, d->rid, PCI_BASE_ADDRESS_2, 4), 0);
}

Test(sw_bind, other_registers_are_the_vf_own, .init = small_setup)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	const struct sim_host_dev *d = bind_and_find(b, NIC_VF(2), 0, 0);
	struct sim_fn *vf = fwt_vf(&t, "nic0", 2);
	uint16_t msi = fwt_host_cap(b, d->rid, PCI_CAP_ID_MSI);

	/* the same capability list as the physical VF */
	cr_assert_eq(msi, 0x50);
	struct fab_chip *chip = t.chips[0];
	uint32_t phys = 0;
	uint8_t st = 0xff;

	fwt_cfg_write(b, d->rid, msi + PCI_MSI_DATA_64, 2, 0x4242);
	/* the physical VF, as the switch's management CPU reads it */
	cr_assert_eq(chip->ops->cfg_read(chip, 2, sim_fn_rid(vf),
					 msi + PCI_MSI_DATA_64, 2, &phys, &st,
					 NULL),
		     0);
	cr_assert_eq(st, FAB_CPL_SC);
	cr_assert_eq(phys, 0x4242);
	cr_assert_eq(fwt_cfg_read(b, d->rid, PCI_SUBSYSTEM_VENDOR_ID, 2),
		     0x15b3);
}

/* ---------------------------------------------------------------------
 * Whole devices.
 */

Test(sw_bind, device_without_sriov_is_bound_whole, .init = mixed_setup)
{
	struct sim_blade *b = fwt_blade(&t, "host-b");
	const struct sim_host_dev *d = bind_and_find(b, SW_FID(0, 3, 0), 1, 2);
	struct sim_fn *fn = sim_ep_pf(fwt_ep(&t, "accel0"));
	uint32_t got = 0;

	cr_assert_not_null(d);
	cr_assert_eq(d->vendor, 0x1da3);
	cr_assert_eq(d->device, 0x1000);
	cr_assert_eq(d->bar[0].size, 1ULL << 20);
	cr_assert_eq(d->bar[2].size, 16 << 10);
	cr_assert_not(d->bar[2].mem64);
	fwt_mmio_write32(b, fwt_bar(d, 2) + 0x40, 0xcafe0002);
	fwt_mmio_write32(b, fwt_bar(d, 0) + 0x80, 0xcafe0000);
	cr_assert_eq(sim_fn_mem_peek(fn, 2, 0x40, &got, 4, NULL), 0);
	cr_assert_eq(got, 0xcafe0002);
	cr_assert_eq(sim_fn_mem_peek(fn, 0, 0x80, &got, 4, NULL), 0);
	cr_assert_eq(got, 0xcafe0000);
}

Test(sw_bind, sriov_pf_bound_whole_holds_its_vfs, .init = mixed_setup)
{
	struct sim_blade *a = fwt_blade(&t, "host-a");
	struct sim_ep *nic = fwt_ep(&t, "nic0");
	const struct sim_host_dev *d;
	struct fm_err err = { 0 };

	d = bind_and_find(a, SW_FID(0, 2, 0), 0, 1);
	cr_assert_not_null(d);
	cr_assert_eq(d->device, 0x1592);
	cr_assert_eq(sim_ep_num_vfs_enabled(nic), 0);
	cr_assert_eq(fwt_fn(&t, SW_FID(0, 2, 2)).state, SW_FN_FABRIC);
	cr_assert_eq(sw_fw_bind(t.fw, SW_FID(0, 2, 2), 1, -1, NULL, &err),
		     -FM_ESTATE);
	cr_assert(strstr(err.msg, "PF is bound whole"), "%s", err.msg);
	fm_err_clear(&err);
	cr_assert_eq(sw_fw_reset_function(t.fw, SW_FID(0, 2, 2), &err),
		     -FM_ESTATE);
}

Test(sw_bind, sriov_pf_returns_its_vfs_after_unbind, .init = mixed_setup)
{
	struct sim_blade *a = fwt_blade(&t, "host-a");
	struct sim_blade *b = fwt_blade(&t, "host-b");
	struct sim_ep *nic = fwt_ep(&t, "nic0");

	cr_assert_not_null(bind_and_find(a, SW_FID(0, 2, 0), 0, 1));
	fwt_unbind(&t, SW_FID(0, 2, 0), SW_UNBIND_SURPRISE);
	fwt_idle(&t);
	cr_assert_eq(fwt_fn(&t, SW_FID(0, 2, 0)).state, SW_FN_FABRIC);
	cr_assert_eq(sim_ep_num_vfs_enabled(nic), 4);
	cr_assert_eq(fwt_fn(&t, SW_FID(0, 2, 4)).state, SW_FN_FREE);
	/* and they work again */
	cr_assert_not_null(bind_and_find(b, SW_FID(0, 2, 4), 1, 0));
}

Test(sw_bind, empty_port_has_no_functions, .init = mixed_setup)
{
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fw_bind(t.fw, SW_FID(0, 4, 0), 0, -1, NULL, &err),
		     -FM_ENOENT);
	cr_assert_eq(sw_fw_bind(t.fw, SW_FID(0, 1, 0), 0, -1, NULL, &err),
		     -FM_ENOENT);
}

Test(sw_bind, vf_with_two_bars_maps_both, .init = mixed_setup)
{
	struct sim_blade *a = fwt_blade(&t, "host-a");
	const struct sim_host_dev *d = bind_and_find(a, SW_FID(0, 2, 3), 0, 0);
	struct sim_fn *vf = fwt_vf(&t, "nic0", 3);
	uint32_t got = 0;

	cr_assert_not_null(d);
	cr_assert_eq(d->device, 0x1889);
	cr_assert_eq(d->bar[0].size, 128 << 10);
	cr_assert_eq(d->bar[3].size, 16 << 10);
	fwt_mmio_write32(a, fwt_bar(d, 3) + 4, 0x33333333);
	cr_assert_eq(sim_fn_mem_peek(vf, 3, 4, &got, 4, NULL), 0);
	cr_assert_eq(got, 0x33333333);
	/* VF 3's part of the VF BARs, not VF 2's or VF 4's */
	cr_assert_eq(sim_fn_mem_requests(fwt_vf(&t, "nic0", 2)), 0);
	cr_assert_eq(sim_fn_mem_requests(fwt_vf(&t, "nic0", 4)), 0);
}

Test(sw_bind, powered_slot_trains_without_a_host_command, .init = small_setup)
{
	struct sim_blade *b = fwt_blade(&t, "blade0");
	uint16_t port = FAB_RID(2, 6, 0);
	uint16_t e = fwt_host_cap(b, port, PCI_CAP_ID_EXP);
	uint64_t seq, t0;
	unsigned from;

	/* the host powers the empty slot on and leaves it so */
	fwt_cfg_write(b, port, e + PCI_EXP_SLTCTL, 2,
		      fwt_cfg_read(b, port, e + PCI_EXP_SLTCTL, 2) &
			      ~(uint32_t)PCI_EXP_SLTCTL_PWRC);
	fwt_idle(&t);
	from = sim_blade_hp_count(b);
	seq = sw_fw_last_event_seq(t.fw);
	t0 = fwt_now(&t);
	fwt_bind(&t, NIC_VF(1), 0, 6);
	fwt_idle(&t);
	cr_assert_eq(fwt_ev_first(&t, SW_EV_HOST_ENABLED, seq).time_ns,
		     t0 + 10 * FAB_NS_PER_MS);
	cr_assert_eq(fwt_hp_count(b, SIM_HP_POWER_ON, from), 0);
	cr_assert_eq(fwt_hp_count(b, SIM_HP_DEV_ADDED, from), 1);
}

Test(sw_bind, nothing_answers_below_a_slot_still_off, .init = small_setup)
{
	struct sim_blade *b = fwt_blade(&t, "blade1");
	const struct sim_host_dev *port =
		sim_blade_dev_find(b, FAB_RID(2, 1, 0));
	uint16_t e = fwt_host_cap(b, port->rid, PCI_CAP_ID_EXP);
	struct sw_partition_info p;

	/* before the host's driver reacts the slot is still powered off */
	fwt_bind(&t, NIC_VF(2), 1, 1);
	cr_assert(fwt_cfg_read(b, port->rid, e + PCI_EXP_SLTSTA, 2) &
		  PCI_EXP_SLTSTA_PRES);
	cr_assert_not(fwt_cfg_read(b, port->rid, e + PCI_EXP_LNKSTA, 2) &
		      PCI_EXP_LNKSTA_DL_ACT);
	cr_assert_eq(
		fwt_cfg_read(b, FAB_RID(port->sec_bus, 0, 0), PCI_VENDOR_ID, 4),
		0xffffffff);
	cr_assert_eq(sw_fw_partition(t.fw, 1, &p, NULL), 0);
	cr_assert_eq(p.vppb[1].state, SW_VPPB_ADDING);
	cr_assert_not(p.vppb[1].slot_power);
}
