/* SPDX-License-Identifier: MIT */
/*
 * Blade: the root complex and the Linux-like enumerator, seen from the
 * host (its device list, its config reads, its MMIO) behind a fake switch.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sim/sim_int.h"
#include "tests/support/fake_vswitch.h"

#define T_MMIO_BASE 0xc0000000ULL
#define T_MMIO_SIZE 0x10000000ULL
#define T_PREF_BASE 0x4000000000ULL
#define T_PREF_SIZE 0x1000000000ULL
#define T_TRAIN_NS (50 * FAB_NS_PER_MS)
#define T_DEV_BUS 0x40 /* where the endpoints believe they are */

#define RP FAB_RID(0, 1, 0)
#define USP FAB_RID(1, 0, 0)
#define DSP(n) FAB_RID(2, (n), 0)

static struct sim_clock *clk;
static struct sim_blade *blade;
static struct fake_vswitch *vs;
static struct sim_link *uplink;
static struct sim_ep *ep[FAKE_VSWITCH_MAX_SLOTS];
static struct fake_mfd *mfd;

static const struct sim_ep_desc nic_desc = {
	.name = "nic",
	.vendor = 0x8086,
	.device = 0x1572,
	.class_code = 0x020000,
	.link_width = 8,
	.link_speed = 3,
	.bar = { [0] = { 0x10000, false, false },
		 [2] = { 0x1000000, true, true } },
};

static struct sim_blade_desc blade_desc(const char *name)
{
	struct sim_blade_desc d = {
		.rp_vendor = 0x8086,
		.rp_device = 0x2030,
		.link_width = 16,
		.link_speed = 4,
		.mmio_base = T_MMIO_BASE,
		.mmio_size = T_MMIO_SIZE,
		.pref_base = T_PREF_BASE,
		.pref_size = T_PREF_SIZE,
	};

	strcpy(d.name, name);
	return d;
}

static const struct fake_vswitch_desc vs_desc = {
	.nslots = 3,
	.vendor = 0x11f8,
	.device = 0x4052,
	.link = { .width = 8, .speed = 3, .train_ns = T_TRAIN_NS },
};

static void setup(void)
{
	struct sim_blade_desc d = blade_desc("blade0");

	fm_log_set_level(FM_LOG_ERROR);
	clk = sim_clock_new();
	cr_assert_not_null(clk);
	cr_assert_eq(sim_blade_new(&blade, clk, &d, NULL), 0);
}

static void teardown(void)
{
	sim_link_free(uplink);
	fake_vswitch_free(vs);
	for (unsigned i = 0; i < FAKE_VSWITCH_MAX_SLOTS; i++)
		sim_ep_free(ep[i]);
	fake_mfd_free(mfd);
	sim_blade_free(blade);
	sim_clock_free(clk);
	uplink = NULL;
	vs = NULL;
	mfd = NULL;
	memset(ep, 0, sizeof(ep));
}

/* Cable a fake switch to the root port. */
static void add_switch(void)
{
	const struct sim_link_desc ld = { 16, 4, T_TRAIN_NS };

	cr_assert_eq(fake_vswitch_new(&vs, clk, &vs_desc, NULL), 0);
	cr_assert_eq(sim_link_new(&uplink, clk, sim_blade_port(blade),
				  fake_vswitch_port(vs), &ld, NULL),
		     0);
}

/* A NIC endpoint in @slot, powered as firmware leaves it at boot. */
static void add_nic(unsigned slot)
{
	cr_assert_eq(sim_ep_new(&ep[slot], clk, &nic_desc, T_DEV_BUS, NULL), 0);
	cr_assert_eq(fake_vswitch_insert(vs, slot, sim_ep_port(ep[slot]),
					 T_DEV_BUS, true, NULL),
		     0);
}

static void boot(void)
{
	if (uplink)
		sim_link_train(uplink);
	sim_blade_boot(blade);
	sim_clock_run_idle(clk, 0);
}

/* Switch with NICs in slots 0 and 2, slot 1 empty; booted. */
static void boot_two_nics(void)
{
	add_switch();
	add_nic(0);
	add_nic(2);
	boot();
}

static const struct sim_host_dev *dev(uint16_t rid)
{
	const struct sim_host_dev *d = sim_blade_dev_find(blade, rid);

	cr_assert_not_null(d, "no device %04x", rid);
	return d;
}

static uint32_t cfg(uint16_t rid, uint16_t reg, unsigned len)
{
	uint32_t v = 0;

	cr_assert_eq(sim_blade_cfg_read(blade, rid, reg, len, &v, NULL), 0);
	return v;
}

static bool inside(uint64_t a, uint64_t size, uint64_t lo, uint64_t hi)
{
	return size && a >= lo && a + size - 1 <= hi && a + size - 1 >= a;
}

TestSuite(sim_blade_enum, .init = setup, .fini = teardown);

Test(sim_blade_enum, lone_blade_sees_host_bridge_and_root_port_only)
{
	boot();
	cr_assert_eq(sim_blade_dev_count(blade), 2);
	cr_assert_eq(sim_blade_dev(blade, 0)->rid, FAB_RID(0, 0, 0));
	cr_assert_eq(sim_blade_dev(blade, 0)->class_code, 0x060000);
	cr_assert_eq(sim_blade_dev(blade, 1)->rid, RP);
	cr_assert_eq(sim_blade_dev(blade, 1)->parent_rid, 0xffff);
}

Test(sim_blade_enum, root_port_shows_desc_ids_and_root_port_capability)
{
	const struct sim_host_dev *rp;

	boot();
	rp = dev(RP);
	cr_assert_eq(rp->vendor, 0x8086);
	cr_assert_eq(rp->device, 0x2030);
	cr_assert_eq(rp->class_code, 0x060400);
	cr_assert_eq(rp->pcie_type, PCI_EXP_TYPE_ROOT_PORT);
	cr_assert(rp->is_bridge);
}

Test(sim_blade_enum, root_port_supports_ari_forwarding_and_crs_visibility)
{
	boot();
	cr_assert(cfg(RP, 0x40 + PCI_EXP_DEVCAP2, 4) & PCI_EXP_DEVCAP2_ARI);
	cr_assert(cfg(RP, 0x40 + PCI_EXP_RTCAP, 2) & PCI_EXP_RTCAP_CRSVIS);
	/* the enumerator turned CRS Software Visibility on */
	cr_assert(cfg(RP, 0x40 + PCI_EXP_RTCTL, 2) & PCI_EXP_RTCTL_CRSVIS);
}

Test(sim_blade_enum, absent_function_reads_all_ones)
{
	boot();
	cr_assert_eq(cfg(FAB_RID(0, 5, 0), PCI_VENDOR_ID, 4), 0xffffffffu);
	cr_assert_eq(cfg(FAB_RID(7, 0, 0), PCI_VENDOR_ID, 2), 0xffff);
}

Test(sim_blade_enum, cfg_read_rejects_misaligned_access_and_leaves_value)
{
	struct fm_err err = { 0 };
	uint32_t v = 0x1234;

	cr_assert_eq(sim_blade_cfg_read(blade, RP, 0x41, 2, &v, &err),
		     -FM_EINVAL);
	cr_assert_eq(err.code, FM_EINVAL);
	cr_assert(strstr(err.msg, "0x41"), "%s", err.msg);
	cr_assert_eq(v, 0x1234);
}

Test(sim_blade_enum, new_rejects_mmio_aperture_above_4g)
{
	struct sim_blade_desc d = blade_desc("bad");
	struct sim_blade *b = NULL;
	struct fm_err err = { 0 };

	d.mmio_base = 0x100000000ULL;
	cr_assert_eq(sim_blade_new(&b, clk, &d, &err), -FM_EINVAL);
	cr_assert(strstr(err.msg, "mmio aperture"), "%s", err.msg);
	cr_assert_null(b);
}

Test(sim_blade_enum, buses_numbered_depth_first_with_hotplug_reserve)
{
	boot_two_nics();
	cr_assert_eq(dev(RP)->sec_bus, 1);
	cr_assert_eq(dev(USP)->sec_bus, 2);
	/* each hot-plug slot keeps one bus beyond its secondary */
	cr_assert_eq(dev(DSP(0))->sec_bus, 3);
	cr_assert_eq(dev(DSP(0))->sub_bus, 4);
	cr_assert_eq(dev(DSP(1))->sec_bus, 5);
	cr_assert_eq(dev(DSP(1))->sub_bus, 6);
	cr_assert_eq(dev(DSP(2))->sec_bus, 7);
	cr_assert_eq(dev(DSP(2))->sub_bus, 8);
	cr_assert_eq(dev(USP)->sub_bus, 8);
	cr_assert_eq(dev(RP)->sub_bus, 8);
	cr_assert_eq(cfg(DSP(2), PCI_SUBORDINATE_BUS, 1), 8);
}

Test(sim_blade_enum, devices_listed_depth_first)
{
	static const uint16_t order[] = {
		FAB_RID(0, 0, 0), RP,	  USP,	  DSP(0),
		FAB_RID(3, 0, 0), DSP(1), DSP(2), FAB_RID(7, 0, 0),
	};

	boot_two_nics();
	cr_assert_eq(sim_blade_dev_count(blade), FM_ARRAY_SIZE(order));
	for (unsigned i = 0; i < FM_ARRAY_SIZE(order); i++)
		cr_assert_eq(sim_blade_dev(blade, i)->rid, order[i],
			     "entry %u is %04x", i,
			     sim_blade_dev(blade, i)->rid);
}

Test(sim_blade_enum, endpoint_identified_below_its_slot)
{
	const struct sim_host_dev *nic;

	boot_two_nics();
	nic = dev(FAB_RID(3, 0, 0));
	cr_assert_eq(nic->vendor, 0x8086);
	cr_assert_eq(nic->device, 0x1572);
	cr_assert_eq(nic->parent_rid, DSP(0));
	cr_assert_eq(nic->pcie_type, PCI_EXP_TYPE_ENDPOINT);
	cr_assert_not(nic->is_bridge);
}

Test(sim_blade_enum, bars_sized_and_assigned_in_the_right_apertures)
{
	const struct sim_host_dev *nic;

	boot_two_nics();
	nic = dev(FAB_RID(3, 0, 0));
	cr_assert_eq(nic->bar[0].size, 0x10000);
	cr_assert_not(nic->bar[0].mem64);
	cr_assert(inside(nic->bar[0].addr, nic->bar[0].size, T_MMIO_BASE,
			 T_MMIO_BASE + T_MMIO_SIZE - 1));
	cr_assert_eq(nic->bar[0].addr % nic->bar[0].size, 0);
	cr_assert_eq(nic->bar[2].size, 0x1000000);
	cr_assert(nic->bar[2].mem64 && nic->bar[2].prefetch);
	cr_assert(inside(nic->bar[2].addr, nic->bar[2].size, T_PREF_BASE,
			 T_PREF_BASE + T_PREF_SIZE - 1));
	cr_assert_eq(nic->bar[2].addr % nic->bar[2].size, 0);
	cr_assert_eq(nic->bar[3].size, 0);
}

Test(sim_blade_enum, bar_registers_hold_the_assigned_addresses)
{
	const struct sim_host_dev *nic;
	uint16_t rid = FAB_RID(7, 0, 0);
	uint64_t bar2;

	boot_two_nics();
	nic = dev(rid);
	cr_assert_eq(cfg(rid, PCI_BASE_ADDRESS_0, 4) & ~0xfu, nic->bar[0].addr);
	bar2 = (cfg(rid, PCI_BASE_ADDRESS_2, 4) & ~0xfu) |
	       (uint64_t)cfg(rid, PCI_BASE_ADDRESS_3, 4) << 32;
	cr_assert_eq(bar2, nic->bar[2].addr);
}

Test(sim_blade_enum, root_port_window_placed_at_top_of_mmio_aperture)
{
	boot_two_nics();
	cr_assert_eq(dev(RP)->mem_limit, T_MMIO_BASE + T_MMIO_SIZE - 1);
	cr_assert_geq(dev(RP)->mem_base, T_MMIO_BASE);
	cr_assert(inside(dev(RP)->pref_base,
			 dev(RP)->pref_limit - dev(RP)->pref_base + 1,
			 T_PREF_BASE, T_PREF_BASE + T_PREF_SIZE - 1));
}

Test(sim_blade_enum, bridge_windows_contain_their_children)
{
	unsigned n;

	boot_two_nics();
	n = sim_blade_dev_count(blade);
	for (unsigned i = 0; i < n; i++) {
		const struct sim_host_dev *d = sim_blade_dev(blade, i);
		const struct sim_host_dev *p;

		if (d->parent_rid == 0xffff)
			continue;
		p = dev(d->parent_rid);
		for (unsigned k = 0; k < 6; k++) {
			const struct sim_host_bar *b = &d->bar[k];

			if (!b->size)
				continue;
			if (b->mem64 && b->prefetch)
				cr_assert(inside(b->addr, b->size, p->pref_base,
						 p->pref_limit));
			else
				cr_assert(inside(b->addr, b->size, p->mem_base,
						 p->mem_limit));
		}
		if (d->is_bridge && d->mem_limit)
			cr_assert(inside(d->mem_base,
					 d->mem_limit - d->mem_base + 1,
					 p->mem_base, p->mem_limit),
				  "%04x window outside %04x", d->rid, p->rid);
		if (d->is_bridge && d->pref_limit)
			cr_assert(inside(d->pref_base,
					 d->pref_limit - d->pref_base + 1,
					 p->pref_base, p->pref_limit));
	}
}

Test(sim_blade_enum, bridge_window_registers_match_the_device_list)
{
	const struct sim_host_dev *d;

	boot_two_nics();
	d = dev(DSP(2));
	cr_assert_eq((uint64_t)(cfg(DSP(2), PCI_MEMORY_BASE, 2) & 0xfff0) << 16,
		     d->mem_base);
	cr_assert_eq((uint64_t)(cfg(DSP(2), PCI_MEMORY_LIMIT, 2) & 0xfff0)
				     << 16 |
			     0xfffff,
		     d->mem_limit);
	cr_assert_eq(fake_vswitch_cfg(vs, 2, PCI_PREF_BASE_UPPER32, 4),
		     (uint32_t)(d->pref_base >> 32));
}

Test(sim_blade_enum, empty_hotplug_slot_reserves_2mib_windows)
{
	const struct sim_host_dev *d;

	boot_two_nics();
	d = dev(DSP(1));
	cr_assert(d->hotplug_slot);
	cr_assert_eq(d->mem_limit - d->mem_base + 1, 2ULL << 20);
	cr_assert_eq(d->pref_limit - d->pref_base + 1, 2ULL << 20);
}

Test(sim_blade_enum, memory_decode_and_bus_master_enabled)
{
	boot_two_nics();
	cr_assert_eq(cfg(FAB_RID(3, 0, 0), PCI_COMMAND, 2) &
			     (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER),
		     PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	cr_assert_eq(cfg(DSP(1), PCI_COMMAND, 2) &
			     (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER),
		     PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	cr_assert(cfg(RP, PCI_COMMAND, 2) & PCI_COMMAND_MASTER);
}

static void boot_with_mfd(unsigned nfn, bool ari)
{
	add_switch();
	cr_assert_eq(fake_mfd_new(&mfd, nfn, ari, 0x4000, NULL), 0);
	cr_assert_eq(
		fake_vswitch_insert(vs, 1, fake_mfd_port(mfd), 0, true, NULL),
		0);
	boot();
}

Test(sim_blade_enum, ari_forwarding_enabled_below_port_for_ari_device)
{
	boot_with_mfd(12, true);
	cr_assert(cfg(DSP(1), 0x40 + PCI_EXP_DEVCTL2, 2) & PCI_EXP_DEVCTL2_ARI);
	cr_assert_not(cfg(DSP(0), 0x40 + PCI_EXP_DEVCTL2, 2) &
		      PCI_EXP_DEVCTL2_ARI);
}

Test(sim_blade_enum, ari_device_functions_above_7_enumerated)
{
	uint8_t bus;

	boot_with_mfd(12, true);
	bus = dev(DSP(1))->sec_bus;
	for (unsigned fn = 0; fn < 12; fn++) {
		const struct sim_host_dev *d = dev((uint16_t)(bus << 8 | fn));

		cr_assert_eq(d->vendor, FAKE_MFD_VENDOR);
		cr_assert_eq(d->parent_rid, DSP(1));
		cr_assert_eq(d->bar[0].size, 0x4000);
	}
	cr_assert_null(sim_blade_dev_find(blade, (uint16_t)(bus << 8 | 12)));
}

Test(sim_blade_enum, multifunction_device_without_ari_scans_functions_0_to_7)
{
	uint8_t bus;

	boot_with_mfd(3, false);
	bus = dev(DSP(1))->sec_bus;
	cr_assert_not_null(sim_blade_dev_find(blade, FAB_RID(bus, 0, 2)));
	cr_assert_null(sim_blade_dev_find(blade, FAB_RID(bus, 0, 3)));
	cr_assert_not(cfg(DSP(1), 0x40 + PCI_EXP_DEVCTL2, 2) &
		      PCI_EXP_DEVCTL2_ARI);
}

Test(sim_blade_enum, only_device_0_scanned_below_downstream_port)
{
	uint8_t bus;
	unsigned below = 0;

	add_switch();
	cr_assert_eq(fake_mfd_new(&mfd, 1, false, 0x4000, NULL), 0);
	/* a bridge and device that would answer at every device number */
	fake_vswitch_set_any_device(vs, 1, true);
	cr_assert_eq(
		fake_vswitch_insert(vs, 1, fake_mfd_port(mfd), 0, true, NULL),
		0);
	boot();
	bus = dev(DSP(1))->sec_bus;
	for (unsigned i = 0; i < sim_blade_dev_count(blade); i++)
		below += FAB_RID_BUS(sim_blade_dev(blade, i)->rid) == bus;
	cr_assert_eq(below, 1);
	cr_assert_gt(fake_mfd_cfg_requests(mfd), 0);
	cr_assert_eq(fake_mfd_cfg_requests_dev_nonzero(mfd), 0);
}

Test(sim_blade_enum, mmio_write_reaches_device_memory)
{
	const uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t got[8] = { 0 };
	uint64_t bar;

	boot_two_nics();
	bar = dev(FAB_RID(7, 0, 0))->bar[0].addr;
	cr_assert_eq(sim_blade_mmio_write(blade, bar + 0x100, data,
					  sizeof(data), NULL),
		     0);
	cr_assert_eq(sim_fn_mem_peek(sim_ep_pf(ep[2]), 0, 0x100, got,
				     sizeof(got), NULL),
		     0);
	cr_assert_arr_eq(got, data, sizeof(data));
	/* and not the other device */
	memset(got, 0, sizeof(got));
	sim_fn_mem_peek(sim_ep_pf(ep[0]), 0, 0x100, got, sizeof(got), NULL);
	cr_assert_eq(got[0], 0);
}

Test(sim_blade_enum, mmio_write_to_64bit_prefetchable_bar_reaches_device)
{
	const uint32_t word = 0xfeedf00d;
	uint32_t got = 0;
	uint64_t bar;

	boot_two_nics();
	bar = dev(FAB_RID(3, 0, 0))->bar[2].addr;
	cr_assert_eq(sim_blade_mmio_write(blade, bar + 0x8000, &word, 4, NULL),
		     0);
	cr_assert_eq(
		sim_fn_mem_peek(sim_ep_pf(ep[0]), 2, 0x8000, &got, 4, NULL), 0);
	cr_assert_eq(got, word);
}

Test(sim_blade_enum, mmio_read_returns_device_memory)
{
	const uint32_t word = 0xa5a55a5a;
	uint32_t got = 0;
	uint8_t status = 0xff;
	uint64_t bar;

	boot_two_nics();
	bar = dev(FAB_RID(3, 0, 0))->bar[0].addr;
	sim_blade_mmio_write(blade, bar + 4, &word, 4, NULL);
	cr_assert_eq(
		sim_blade_mmio_read(blade, bar + 4, &got, 4, &status, NULL), 0);
	cr_assert_eq(status, FAB_CPL_SC);
	cr_assert_eq(got, word);
}

Test(sim_blade_enum, mmio_outside_windows_completes_ur_with_all_ones)
{
	uint32_t got = 0;
	uint8_t status = 0;

	boot_two_nics();
	cr_assert_eq(
		sim_blade_mmio_read(blade, T_MMIO_BASE, &got, 4, &status, NULL),
		0);
	cr_assert_eq(status, FAB_CPL_UR);
	cr_assert_eq(got, 0xffffffffu);
}

Test(sim_blade_enum, mmio_rejects_oversized_access)
{
	uint8_t buf[FAB_TLP_MAX_DATA + 1] = { 0 };
	struct fm_err err = { 0 };

	boot_two_nics();
	cr_assert_eq(sim_blade_mmio_write(blade, T_MMIO_BASE, buf, sizeof(buf),
					  &err),
		     -FM_EINVAL);
	cr_assert(strstr(err.msg, "length"), "%s", err.msg);
}

Test(sim_blade_enum, dma_write_lands_in_host_ram)
{
	const char msg[] = "dma from the nic";
	char got[sizeof(msg)] = { 0 };

	boot_two_nics();
	cr_assert_eq(sim_fn_dma_write(sim_ep_pf(ep[0]), 0x123450, msg,
				      sizeof(msg), NULL),
		     0);
	cr_assert_eq(
		sim_blade_ram_read(blade, 0x123450, got, sizeof(got), NULL), 0);
	cr_assert_str_eq(got, msg);
}

Test(sim_blade_enum, dma_read_returns_host_ram)
{
	const char msg[] = "ping";
	char got[sizeof(msg)] = { 0 };
	uint8_t status = 0xff;

	boot_two_nics();
	sim_fn_dma_write(sim_ep_pf(ep[2]), 0x9000, msg, sizeof(msg), NULL);
	cr_assert_eq(sim_fn_dma_read(sim_ep_pf(ep[0]), 0x9000, got, sizeof(got),
				     &status, NULL),
		     0);
	cr_assert_eq(status, FAB_CPL_SC);
	cr_assert_str_eq(got, msg);
}

Test(sim_blade_enum, never_written_ram_reads_zero)
{
	uint64_t v = 1;

	cr_assert_eq(sim_blade_ram_read(blade, 0x7000000, &v, sizeof(v), NULL),
		     0);
	cr_assert_eq(v, 0);
}

Test(sim_blade_enum, memory_write_to_msi_window_counts_an_interrupt)
{
	const uint32_t data = 0xe0; /* a vector nobody registered */
	uint64_t before;

	boot_two_nics();
	before = sim_blade_irq_count(blade);
	cr_assert_eq(sim_fn_dma_write(sim_ep_pf(ep[0]), FAB_MSI_ADDR_BASE,
				      &data, 4, NULL),
		     0);
	cr_assert_eq(sim_blade_irq_count(blade), before + 1);
}

Test(sim_blade_enum, boot_waits_for_root_port_link)
{
	add_switch();
	add_nic(0);
	sim_link_train(uplink);
	sim_blade_boot(blade);
	sim_clock_run_for(clk, T_TRAIN_NS - FAB_NS_PER_MS);
	cr_assert_eq(sim_blade_dev_count(blade), 0);
	sim_clock_run_idle(clk, 0);
	cr_assert_not_null(sim_blade_dev_find(blade, FAB_RID(3, 0, 0)));
}

Test(sim_blade_enum, crs_device_enumerated_once_ready)
{
	add_switch();
	fake_vswitch_set_crs(vs, 0, 300 * FAB_NS_PER_MS);
	add_nic(0);
	sim_link_train(uplink);
	sim_blade_boot(blade);
	/* the device's link is up at 50 ms; CRS until 350 ms */
	sim_clock_run_until(clk, 340 * FAB_NS_PER_MS);
	cr_assert_eq(sim_blade_dev_count(blade), 0);
	sim_clock_run_idle(clk, 0);
	cr_assert_geq(sim_clock_now(clk), 350 * FAB_NS_PER_MS);
	cr_assert_not_null(sim_blade_dev_find(blade, FAB_RID(3, 0, 0)));
}

Test(sim_blade_enum, crs_device_given_up_after_1s)
{
	add_switch();
	fake_vswitch_set_crs(vs, 0, 5 * FAB_NS_PER_S);
	add_nic(0);
	add_nic(2);
	sim_link_train(uplink);
	sim_blade_boot(blade);
	/* link up at 50 ms, then Vendor ID reads until 50 + 1023 ms */
	sim_clock_run_until(clk, 1100 * FAB_NS_PER_MS);
	cr_assert_null(sim_blade_dev_find(blade, FAB_RID(3, 0, 0)));
	cr_assert_not_null(sim_blade_dev_find(blade, FAB_RID(7, 0, 0)));
}

Test(sim_blade_enum, rescan_finds_the_same_hierarchy)
{
	unsigned n;
	uint64_t bar;

	boot_two_nics();
	n = sim_blade_dev_count(blade);
	bar = dev(FAB_RID(7, 0, 0))->bar[2].addr;
	cr_assert_eq(sim_blade_rescan(blade, NULL), 0);
	cr_assert_eq(sim_blade_dev_count(blade), n);
	cr_assert_eq(dev(FAB_RID(7, 0, 0))->bar[2].addr, bar);
}

Test(sim_blade_enum, reset_forgets_then_reenumerates_after_link_returns)
{
	uint32_t word = 0x11223344, got = 0;

	boot_two_nics();
	cr_assert_eq(sim_blade_reset(blade, NULL), 0);
	cr_assert_eq(sim_blade_dev_count(blade), 0);
	/* the hot reset reached the device: its BAR is back to zero */
	cr_assert_eq(sim_fn_cfg_read(sim_ep_pf(ep[0]), PCI_BASE_ADDRESS_0, 4),
		     0);
	sim_clock_run_idle(clk, 0);
	cr_assert_not_null(sim_blade_dev_find(blade, FAB_RID(3, 0, 0)));
	sim_blade_mmio_write(blade, dev(FAB_RID(3, 0, 0))->bar[0].addr, &word,
			     4, NULL);
	sim_fn_mem_peek(sim_ep_pf(ep[0]), 0, 0, &got, 4, NULL);
	cr_assert_eq(got, word);
}

Test(sim_blade_enum, reset_of_one_blade_leaves_the_other_alone)
{
	struct sim_blade_desc d = blade_desc("blade1");
	struct sim_blade *other = NULL;
	struct fake_vswitch *vs2 = NULL;
	struct sim_link *link2 = NULL;
	const struct sim_link_desc ld = { 16, 4, T_TRAIN_NS };
	unsigned n2;

	cr_assert_eq(sim_blade_new(&other, clk, &d, NULL), 0);
	cr_assert_eq(fake_vswitch_new(&vs2, clk, &vs_desc, NULL), 0);
	cr_assert_eq(sim_link_new(&link2, clk, sim_blade_port(other),
				  fake_vswitch_port(vs2), &ld, NULL),
		     0);
	sim_link_train(link2);
	sim_blade_boot(other);
	boot_two_nics();
	n2 = sim_blade_dev_count(other);
	cr_assert_eq(sim_blade_reset(blade, NULL), 0);
	cr_assert_eq(sim_blade_dev_count(other), n2);
	cr_assert(sim_link_is_up(link2));
	sim_clock_run_idle(clk, 0);
	cr_assert_eq(sim_blade_dev_count(blade), 8);
	cr_assert_eq(sim_blade_dev_count(other), n2);
	sim_link_free(link2);
	fake_vswitch_free(vs2);
	sim_blade_free(other);
}

Test(sim_blade_enum, hp_action_names_are_distinct)
{
	for (int a = 0; a < SIM_HP_ACTION_COUNT; a++)
		for (int b = a + 1; b < SIM_HP_ACTION_COUNT; b++)
			cr_assert_str_neq(sim_hp_action_name(a),
					  sim_hp_action_name(b));
	cr_assert_str_eq(sim_hp_action_name(SIM_HP_DEV_ADDED), "dev-added");
}
