/* SPDX-License-Identifier: MIT */
/*
 * Switch silicon with a real SR-IOV endpoint (sim_ep) on a downstream
 * port, programmed through the chip HAL as firmware does it: BARs and VFs
 * set up with HAL config writes, windows and RID routes per VF.  What the
 * blade-side partner and the device observe.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "fabric/cfg.h"
#include "tests/support/switch_fixture.h"

#define EP_PORT T_SW_EMPTY /* downstream port 5, cabled here */
#define EP_BUS 0x50
#define EP_PF FAB_RID(EP_BUS, 0, 0)
#define PF_BAR0 0x8000000000ull /* physical, fabric side */
#define VF_BAR0 0x9000000000ull /* VF BAR0 of VF 0; VF n at + n * size */
#define VF_BAR0_SIZE 0x4000ull
#define NUM_VFS 8
#define HOST_WIN 0xa0000000ull /* where blade 0 sees VF 3's BAR0 */
#define HOST_RID FAB_RID(0, 0, 0)

static struct t_sw t;
static struct sim_ep *ep;
static struct sim_link *ep_link;

static uint32_t fw_rd(uint16_t rid, uint16_t reg, unsigned len)
{
	uint32_t v = 0;
	uint8_t st = 0xff;

	cr_assert_eq(
		t.ops->cfg_read(t.chip, EP_PORT, rid, reg, len, &v, &st, NULL),
		0);
	cr_assert_eq(st, FAB_CPL_SC, "read %04x reg %#x", rid, reg);
	return v;
}

static void fw_wr(uint16_t rid, uint16_t reg, unsigned len, uint32_t v)
{
	uint8_t st = 0xff;

	cr_assert_eq(
		t.ops->cfg_write(t.chip, EP_PORT, rid, reg, len, v, &st, NULL),
		0);
	cr_assert_eq(st, FAB_CPL_SC, "write %04x reg %#x", rid, reg);
}

static uint32_t fw_reader(void *ctx, uint16_t off, unsigned len)
{
	(void)ctx;
	return fw_rd(EP_PF, off, len);
}

/* Firmware's part: PF BAR0, VF BAR0, NumVFs, VF Enable + VF MSE. */
static void fw_enable_vfs(void)
{
	struct fab_cfg_reader r = { .read = fw_reader };
	uint16_t iov = 0;

	cr_assert_eq(fab_cfg_find_ecap(&iov, &r, PCI_EXT_CAP_ID_SRIOV, NULL),
		     0);
	fw_wr(EP_PF, PCI_BASE_ADDRESS_0, 4, (uint32_t)PF_BAR0);
	fw_wr(EP_PF, PCI_BASE_ADDRESS_1, 4, (uint32_t)(PF_BAR0 >> 32));
	fw_wr(EP_PF, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	fw_wr(EP_PF, iov + PCI_IOV_BAR_BASE, 4, (uint32_t)VF_BAR0);
	fw_wr(EP_PF, iov + PCI_IOV_BAR_BASE + 4, 4, (uint32_t)(VF_BAR0 >> 32));
	fw_wr(EP_PF, iov + PCI_IOV_NUMVF, 2, NUM_VFS);
	fw_wr(EP_PF, iov + PCI_IOV_CTRL, 2,
	      PCI_IOV_CTRL_VFE | PCI_IOV_CTRL_MSE);
	cr_assert_eq(sim_ep_num_vfs_enabled(ep), NUM_VFS);
	/* what each owning host's driver does: let the VF master the bus */
	for (unsigned i = 0; i < NUM_VFS; i++)
		fw_wr(sim_fn_rid(sim_ep_vf(ep, i)), PCI_COMMAND, 2,
		      PCI_COMMAND_MASTER);
}

static void setup(void)
{
	struct sim_ep_desc d = {
		.name = "nic0",
		.vendor = 0x8086,
		.device = 0x1572,
		.class_code = 0x020000,
		.link_width = 8,
		.link_speed = 4,
		.bar = { [0] = { .size = 0x20000, .mem64 = true } },
		.total_vfs = 32,
		.first_vf_offset = 1,
		.vf_stride = 1,
		.vf_device = 0x154c,
		.vf_bar = { [0] = { .size = VF_BAR0_SIZE,
				    .mem64 = true,
				    .prefetch = true } },
	};
	struct sim_link_desc ld = { .width = 4,
				    .speed = 4,
				    .train_ns = T_SW_TRAIN_NS };
	struct fm_err err = { 0 };

	t_sw_init(&t, NULL, "sw0", NULL);
	cr_assert_eq(sim_ep_new(&ep, t.clk, &d, EP_BUS, &err), 0, "%s",
		     err.msg);
	sim_switch_set_port_buses(t.sw, EP_PORT, EP_BUS, sim_ep_last_bus(ep));
	cr_assert_eq(sim_link_new(&ep_link, t.clk,
				  sim_switch_port(t.sw, EP_PORT),
				  sim_ep_port(ep), &ld, &err),
		     0, "%s", err.msg);
	sim_link_train(ep_link);
	sim_clock_run_for(t.clk, T_SW_TRAIN_NS);
	fw_enable_vfs();
}

static void teardown(void)
{
	sim_link_free(ep_link);
	sim_ep_free(ep);
	t_sw_fini(&t);
}

TestSuite(sim_switch_ep, .init = setup, .fini = teardown);

/* Blade 0 sees VF @vf's BAR0 at HOST_WIN. */
static void map_vf(unsigned vf)
{
	struct fab_mem_window w = {
		.base = HOST_WIN,
		.size = VF_BAR0_SIZE,
		.egress_port = EP_PORT,
		.target_base = VF_BAR0 + vf * VF_BAR0_SIZE,
	};

	cr_assert_eq(t.ops->mem_window_add(t.chip, 0, &w, NULL), 0);
}

Test(sim_switch_ep, firmware_reads_pf_identity_through_hal)
{
	cr_assert_eq(fw_rd(EP_PF, PCI_VENDOR_ID, 2), 0x8086);
	cr_assert_eq(fw_rd(EP_PF, PCI_DEVICE_ID, 2), 0x1572);
	cr_assert_geq(t_sw_counters(&t, EP_PORT).tlp_out, 1);
}

Test(sim_switch_ep, blade_write_through_window_lands_in_vf_memory)
{
	const char msg[] = "hello vf3";
	char got[sizeof(msg)] = { 0 };
	struct fab_tlp req, cpl;

	map_vf(3);
	cr_assert_eq(fab_tlp_mem_write(&req, HOST_RID, HOST_WIN + 0x100, msg,
				       sizeof(msg), NULL),
		     0);
	cr_assert_eq(t_partner_send(&t.part[0], &req, &cpl), SIM_RX_ACCEPTED);
	cr_assert_eq(sim_fn_mem_peek(sim_ep_vf(ep, 3), 0, 0x100, got,
				     sizeof(got), NULL),
		     0);
	cr_assert_str_eq(got, msg);
	cr_assert_eq(sim_fn_mem_requests(sim_ep_vf(ep, 2)), 0);
}

Test(sim_switch_ep, blade_read_through_window_returns_vf_data)
{
	uint64_t v = 0x1122334455667788ull, got = 0;
	struct fab_tlp req, cpl;

	map_vf(5);
	fab_tlp_mem_write(&req, HOST_RID, HOST_WIN + 0x3ff8, &v, 8, NULL);
	t_partner_send(&t.part[0], &req, &cpl);
	fab_tlp_mem_read(&req, HOST_RID, HOST_WIN + 0x3ff8, 8, NULL);
	cr_assert_eq(t_partner_send(&t.part[0], &req, &cpl), SIM_RX_COMPLETED);
	cr_assert_eq(cpl.status, FAB_CPL_SC);
	memcpy(&got, cpl.data, 8);
	cr_assert_eq(got, v);
}

Test(sim_switch_ep, other_blade_cannot_reach_the_vf)
{
	uint32_t v = 0xbad;
	struct fab_tlp req, cpl;

	map_vf(3);
	fab_tlp_mem_write(&req, HOST_RID, HOST_WIN, &v, 4, NULL);
	cr_assert_eq(t_partner_send(&t.part[1], &req, &cpl), SIM_RX_DROPPED);
	cr_assert_eq(sim_fn_mem_requests(sim_ep_vf(ep, 3)), 0);
	cr_assert_eq(t_sw_events(&t, FAB_CHIP_EV_VIOLATION), 1);
}

Test(sim_switch_ep, vf_dma_reaches_only_its_owner_with_requester_rewritten)
{
	struct fab_rid_route r = { .kind = FAB_ROUTE_FORWARD,
				   .egress_port = 1,
				   .new_requester = FAB_RID(2, 0, 0) };
	struct sim_fn *vf = sim_ep_vf(ep, 3);
	uint32_t v = 0xd00dfeed;

	cr_assert_eq(
		t.ops->rid_route(t.chip, EP_PORT, sim_fn_rid(vf), &r, NULL), 0);
	cr_assert_eq(sim_fn_dma_write(vf, 0x10000, &v, 4, NULL), 0);
	cr_assert_eq(t.part[1].rx, 1);
	cr_assert_eq(t.part[1].last.requester, FAB_RID(2, 0, 0));
	cr_assert_eq(t.part[1].last.addr, 0x10000);
	cr_assert_eq(t.part[0].rx, 0);
}

Test(sim_switch_ep, vf_dma_read_without_route_completes_ur)
{
	uint8_t buf[4];
	uint8_t st = 0xff;

	sim_fn_dma_read(sim_ep_vf(ep, 4), 0x1000, buf, sizeof(buf), &st, NULL);
	cr_assert_eq(st, FAB_CPL_UR);
	cr_assert_eq(t_sw_counters(&t, EP_PORT).ur, 1);
	cr_assert_eq(t_sw_last_event(&t, FAB_CHIP_EV_VIOLATION)->requester,
		     sim_fn_rid(sim_ep_vf(ep, 4)));
}

Test(sim_switch_ep, host_config_read_of_vf_via_rid_route)
{
	struct fab_cfg_route r = { .kind = FAB_ROUTE_FORWARD,
				   .egress_port = EP_PORT };
	struct fab_tlp req, cpl;

	/* blade 0 sees VF 3 as 02:00.0 */
	r.target_rid = sim_fn_rid(sim_ep_vf(ep, 3));
	cr_assert_eq(
		t.ops->cfg_route_rid(t.chip, 0, FAB_RID(2, 0, 0), &r, NULL), 0);
	fab_tlp_cfg_read(&req, true, HOST_RID, FAB_RID(2, 0, 0), PCI_DEVICE_ID,
			 2, NULL);
	t_partner_send(&t.part[0], &req, &cpl);
	cr_assert_eq(cpl.status, FAB_CPL_SC);
	/* a VF's own Device ID reads 0xffff (SR-IOV 1.1 3.4.1.2) */
	cr_assert_eq(fab_tlp_cfg_value(&cpl), 0xffff);
	fab_tlp_cfg_read(&req, true, HOST_RID, FAB_RID(2, 0, 0),
			 PCI_CLASS_DEVICE, 2, NULL);
	t_partner_send(&t.part[0], &req, &cpl);
	cr_assert_eq(fab_tlp_cfg_value(&cpl), 0x0200);
}
