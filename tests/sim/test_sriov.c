/* SPDX-License-Identifier: MIT */
/*
 * SR-IOV as the PF's link partner sees it: the capability's register
 * rules, VFs appearing and disappearing with VF Enable, VF routing IDs
 * across buses, VF config space, VF BAR sizing and decode, and the cost
 * of many VFs.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sim/endpoint_int.h"
#include "tests/support/ep_fixture.h"

static struct t_ep t;

static void setup(void)
{
	struct sim_ep_desc d = t_ep_desc_nic();

	t_ep_init(&t, &d);
}

static void teardown(void)
{
	t_ep_fini(&t);
}

TestSuite(sim_sriov, .init = setup, .fini = teardown);

static uint32_t iov_rd(uint16_t reg, unsigned len)
{
	return t_ep_rd(&t, t.pf, t.sriov + reg, len);
}

static void iov_wr(uint16_t reg, unsigned len, uint32_t val)
{
	t_ep_wr(&t, t.pf, t.sriov + reg, len, val);
}

/* ---- capability registers ---- */

Test(sim_sriov, capability_reports_desc_values)
{
	cr_assert_eq(iov_rd(PCI_IOV_TOTALVF, 2), T_EP_TOTAL_VFS);
	cr_assert_eq(iov_rd(PCI_IOV_INITIALVF, 2), T_EP_TOTAL_VFS);
	cr_assert_eq(iov_rd(PCI_IOV_OFFSET, 2), T_EP_VF_OFFSET);
	cr_assert_eq(iov_rd(PCI_IOV_STRIDE, 2), T_EP_VF_STRIDE);
	cr_assert_eq(iov_rd(PCI_IOV_DID, 2), T_EP_VF_DEVICE);
	cr_assert_eq(iov_rd(PCI_IOV_NUMVF, 2), 0);
	cr_assert_eq(iov_rd(PCI_IOV_CTRL, 2), 0);
	/* 4K 8K 64K 256K 1M 4M, as SR-IOV 1.1 3.3.12 requires */
	cr_assert_eq(iov_rd(PCI_IOV_SUPPS, 4) & 0x553, 0x553);
	cr_assert_eq(iov_rd(PCI_IOV_SYSPS, 4), 0x1);
}

Test(sim_sriov, totalvfs_and_offset_are_read_only)
{
	iov_wr(PCI_IOV_TOTALVF, 2, 3);
	iov_wr(PCI_IOV_OFFSET, 4, 0);
	cr_assert_eq(iov_rd(PCI_IOV_TOTALVF, 2), T_EP_TOTAL_VFS);
	cr_assert_eq(iov_rd(PCI_IOV_OFFSET, 2), T_EP_VF_OFFSET);
	cr_assert_eq(iov_rd(PCI_IOV_STRIDE, 2), T_EP_VF_STRIDE);
}

Test(sim_sriov, numvfs_writable_while_vf_enable_clear)
{
	iov_wr(PCI_IOV_NUMVF, 2, 7);
	cr_assert_eq(iov_rd(PCI_IOV_NUMVF, 2), 7);
}

Test(sim_sriov, numvfs_read_only_while_vf_enable_set)
{
	t_ep_enable_vfs(&t, 8);
	iov_wr(PCI_IOV_NUMVF, 2, 16);
	cr_assert_eq(iov_rd(PCI_IOV_NUMVF, 2), 8);
	cr_assert_eq(sim_ep_num_vfs_enabled(t.ep), 8);
}

Test(sim_sriov, vf_enable_refused_when_numvfs_exceeds_totalvfs)
{
	iov_wr(PCI_IOV_NUMVF, 2, T_EP_TOTAL_VFS + 1);
	iov_wr(PCI_IOV_CTRL, 2, PCI_IOV_CTRL_VFE | PCI_IOV_CTRL_MSE);
	cr_assert_eq(iov_rd(PCI_IOV_CTRL, 2), 0);
	cr_assert_eq(sim_ep_num_vfs_enabled(t.ep), 0);
	cr_assert_eq(t_fake_port_cfg_read(&(uint32_t){ 0 }, &t.fp,
					  t_ep_vf_rid(&t, 0), PCI_VENDOR_ID, 2),
		     FAB_CPL_UR);
}

Test(sim_sriov, vf_enable_refused_when_numvfs_is_zero)
{
	iov_wr(PCI_IOV_CTRL, 2, PCI_IOV_CTRL_VFE);
	cr_assert_eq(iov_rd(PCI_IOV_CTRL, 2), 0);
	cr_assert_eq(sim_ep_num_vfs_enabled(t.ep), 0);
}

Test(sim_sriov, ari_capable_hierarchy_fixed_while_vf_enable_set)
{
	t_ep_enable_vfs(&t, 2); /* sets ARI Capable Hierarchy too */
	iov_wr(PCI_IOV_CTRL, 2, PCI_IOV_CTRL_VFE | PCI_IOV_CTRL_MSE);
	cr_assert(iov_rd(PCI_IOV_CTRL, 2) & PCI_IOV_CTRL_ARI);
}

Test(sim_sriov, system_page_size_takes_only_one_supported_size)
{
	iov_wr(PCI_IOV_SYSPS, 4, 0x3); /* two sizes: ignored */
	cr_assert_eq(iov_rd(PCI_IOV_SYSPS, 4), 0x1);
	iov_wr(PCI_IOV_SYSPS, 4, 0x4); /* 16K: not supported */
	cr_assert_eq(iov_rd(PCI_IOV_SYSPS, 4), 0x1);
	iov_wr(PCI_IOV_SYSPS, 4, 0x10); /* 64K */
	cr_assert_eq(iov_rd(PCI_IOV_SYSPS, 4), 0x10);
}

/* ---- VFs come and go with VF Enable ---- */

Test(sim_sriov, vfs_answer_only_while_enabled)
{
	uint16_t vf0 = t_ep_vf_rid(&t, 0);
	uint32_t v = 0;

	cr_assert_eq(t_fake_port_cfg_read(&v, &t.fp, vf0, PCI_COMMAND, 2),
		     FAB_CPL_UR);
	t_ep_enable_vfs(&t, 4);
	cr_assert_eq(t_fake_port_cfg_read(&v, &t.fp, vf0, PCI_COMMAND, 2),
		     FAB_CPL_SC);
	iov_wr(PCI_IOV_CTRL, 2, 0);
	cr_assert_eq(sim_ep_num_vfs_enabled(t.ep), 0);
	cr_assert_null(sim_ep_vf(t.ep, 0));
	cr_assert_eq(t_fake_port_cfg_read(&v, &t.fp, vf0, PCI_COMMAND, 2),
		     FAB_CPL_UR);
}

Test(sim_sriov, only_numvfs_vfs_answer)
{
	uint32_t v = 0;

	t_ep_enable_vfs(&t, 4);
	cr_assert_eq(t_fake_port_cfg_read(&v, &t.fp, t_ep_vf_rid(&t, 3),
					  PCI_COMMAND, 2),
		     FAB_CPL_SC);
	cr_assert_eq(t_fake_port_cfg_read(&v, &t.fp, t_ep_vf_rid(&t, 4),
					  PCI_COMMAND, 2),
		     FAB_CPL_UR);
	cr_assert_not_null(sim_ep_vf(t.ep, 3));
	cr_assert_null(sim_ep_vf(t.ep, 4));
}

Test(sim_sriov, vf_state_is_gone_after_disable_and_enable)
{
	uint16_t vf0 = t_ep_vf_rid(&t, 0);

	t_ep_enable_vfs(&t, 1);
	t_ep_wr(&t, vf0, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	iov_wr(PCI_IOV_CTRL, 2, 0);
	t_ep_enable_vfs(&t, 1);
	cr_assert_eq(t_ep_rd(&t, vf0, PCI_COMMAND, 2), 0);
}

Test(sim_sriov, disabled_vf_refuses_dma)
{
	struct sim_fn *vf;
	struct fm_err err = { 0 };
	uint8_t b = 0;

	t_ep_enable_vfs(&t, 1);
	vf = sim_ep_vf(t.ep, 0);
	t_ep_wr(&t, sim_fn_rid(vf), PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	iov_wr(PCI_IOV_CTRL, 2, 0);
	cr_assert_eq(sim_fn_dma_write(vf, 0x1000, &b, 1, &err), -FM_ESTATE);
	cr_assert(strstr(err.msg, "not enabled"), "%s", err.msg);
	cr_assert_eq(t_fake_port_rx_count(&t.fp), 0);
}

Test(sim_sriov, mem_peek_of_disabled_vf_is_erange)
{
	struct sim_fn *vf;
	struct fm_err err = { 0 };
	uint8_t b;

	t_ep_enable_vfs(&t, 1);
	vf = sim_ep_vf(t.ep, 0);
	iov_wr(PCI_IOV_CTRL, 2, 0);
	cr_assert_eq(sim_fn_mem_peek(vf, 0, 0, &b, 1, &err), -FM_ERANGE);
	cr_assert(strstr(err.msg, "vf1"), "%s", err.msg);
}

/* ---- routing IDs ---- */

Test(sim_sriov, vf_rids_follow_offset_and_stride)
{
	t_ep_enable_vfs(&t, 3);
	for (unsigned i = 0; i < 3; i++) {
		struct sim_fn *vf = sim_ep_vf(t.ep, i);

		cr_assert(sim_fn_is_vf(vf));
		cr_assert_eq(sim_fn_rid(vf),
			     t.pf + T_EP_VF_OFFSET + i * T_EP_VF_STRIDE);
	}
	cr_assert_not(sim_fn_is_vf(sim_ep_pf(t.ep)));
}

Test(sim_sriov, vf_rids_spill_across_buses_with_256_vfs)
{
	struct sim_ep_desc d = t_ep_desc_nic();
	struct t_ep big;
	unsigned i;

	d.total_vfs = 256;
	d.first_vf_offset = 0x80;
	d.vf_stride = 2;
	t_ep_init(&big, &d);
	/* last VF: 0x80 + 255 * 2 = 0x27e past the PF: two buses on */
	cr_assert_eq(sim_ep_last_bus(big.ep), T_EP_BUS + 2);
	t_ep_enable_vfs(&big, 256);
	for (i = 0; i < 256; i++) {
		uint16_t rid = (uint16_t)(big.pf + 0x80 + 2 * i);

		cr_assert_eq(sim_fn_rid(sim_ep_vf(big.ep, i)), rid);
		cr_assert_eq(t_ep_rd(&big, rid, PCI_DEVICE_ID, 2), 0xffff,
			     "VF %u at %04x", i, rid);
		cr_assert(t_ep_rd(&big, rid, PCI_STATUS, 2) &
			  PCI_STATUS_CAP_LIST);
	}
	/* between strides and past the last VF nothing answers */
	cr_assert_eq(t_fake_port_cfg_read(&(uint32_t){ 0 }, &big.fp,
					  (uint16_t)(big.pf + 0x81), PCI_STATUS,
					  2),
		     FAB_CPL_UR);
	cr_assert_eq(t_fake_port_cfg_read(&(uint32_t){ 0 }, &big.fp,
					  (uint16_t)(big.pf + 0x280),
					  PCI_STATUS, 2),
		     FAB_CPL_UR);
	t_ep_fini(&big);
}

Test(sim_sriov, last_bus_covers_totalvfs_not_numvfs)
{
	struct sim_ep_desc d = t_ep_desc_nic();
	struct t_ep big;

	d.total_vfs = 256;
	d.first_vf_offset = 1;
	d.vf_stride = 1;
	t_ep_init(&big, &d);
	cr_assert_eq(sim_ep_last_bus(big.ep), T_EP_BUS + 1);
	t_ep_fini(&big);
}

/* ---- VF config space ---- */

Test(sim_sriov, vf_vendor_and_device_id_read_ffff)
{
	uint16_t vf = t_ep_vf_rid(&t, 0);

	t_ep_enable_vfs(&t, 1);
	cr_assert_eq(t_ep_rd(&t, vf, PCI_VENDOR_ID, 2), 0xffff);
	cr_assert_eq(t_ep_rd(&t, vf, PCI_DEVICE_ID, 2), 0xffff);
	cr_assert_eq(t_ep_rd(&t, vf, PCI_CLASS_REVISION, 4) >> 8, T_EP_CLASS);
}

Test(sim_sriov, vf_bars_read_zero_even_after_all_ones)
{
	uint16_t vf = t_ep_vf_rid(&t, 0);

	t_ep_enable_vfs(&t, 1);
	for (uint16_t reg = PCI_BASE_ADDRESS_0; reg <= PCI_BASE_ADDRESS_5;
	     reg += 4) {
		t_ep_wr(&t, vf, reg, 4, 0xffffffff);
		cr_assert_eq(t_ep_rd(&t, vf, reg, 4), 0, "BAR at %#x", reg);
	}
}

Test(sim_sriov, vf_memory_space_enable_is_read_only_zero)
{
	uint16_t vf = t_ep_vf_rid(&t, 0);

	t_ep_enable_vfs(&t, 1);
	t_ep_wr(&t, vf, PCI_COMMAND, 2,
		PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	cr_assert_eq(t_ep_rd(&t, vf, PCI_COMMAND, 2), PCI_COMMAND_MASTER);
}

Test(sim_sriov, vf_has_msi_pcie_endpoint_with_flr_and_ari)
{
	uint16_t vf = t_ep_vf_rid(&t, 0);
	uint16_t exp;

	t_ep_enable_vfs(&t, 1);
	exp = t_ep_find_cap(&t, vf, PCI_CAP_ID_EXP);
	cr_assert_neq(exp, 0);
	cr_assert_neq(t_ep_find_cap(&t, vf, PCI_CAP_ID_MSI), 0);
	cr_assert_neq(t_ep_find_ecap(&t, vf, PCI_EXT_CAP_ID_ARI), 0);
	cr_assert_eq(t_ep_find_ecap(&t, vf, PCI_EXT_CAP_ID_SRIOV), 0);
	cr_assert_eq(FM_FIELD_GET(PCI_EXP_FLAGS_TYPE,
				  t_ep_rd(&t, vf, exp + PCI_EXP_FLAGS, 2)),
		     PCI_EXP_TYPE_ENDPOINT);
	cr_assert(t_ep_rd(&t, vf, exp + PCI_EXP_DEVCAP, 4) &
		  PCI_EXP_DEVCAP_FLRESET);
}

Test(sim_sriov, vf_config_writes_stay_in_that_vf)
{
	uint16_t vf0 = t_ep_vf_rid(&t, 0), vf1 = t_ep_vf_rid(&t, 1);
	uint16_t msi;

	t_ep_enable_vfs(&t, 2);
	msi = t_ep_find_cap(&t, vf0, PCI_CAP_ID_MSI);
	t_ep_wr(&t, vf0, msi + PCI_MSI_DATA_64, 2, 0x77);
	cr_assert_eq(t_ep_rd(&t, vf0, msi + PCI_MSI_DATA_64, 2), 0x77);
	cr_assert_eq(t_ep_rd(&t, vf1, msi + PCI_MSI_DATA_64, 2), 0);
}

/* ---- VF BARs ---- */

Test(sim_sriov, vf_bar_sizing_reads_back_the_per_vf_size)
{
	uint16_t bar = PCI_IOV_BAR_BASE;
	uint64_t mask;

	iov_wr(bar, 4, 0xffffffff);
	iov_wr(bar + 4, 4, 0xffffffff);
	mask = (uint64_t)iov_rd(bar + 4, 4) << 32 | (iov_rd(bar, 4) & ~0xfu);
	cr_assert_eq(mask, ~(T_EP_VFBAR0_SIZE - 1));
	cr_assert_eq(iov_rd(bar, 4) & 0xf,
		     PCI_BASE_ADDRESS_MEM_TYPE_64 |
			     PCI_BASE_ADDRESS_MEM_PREFETCH);
}

Test(sim_sriov, vf_bar_grows_to_the_system_page_size)
{
	uint16_t bar = PCI_IOV_BAR_BASE + 8; /* VF BAR2: 8 KiB per VF */

	iov_wr(PCI_IOV_SYSPS, 4, 0x10); /* 64 KiB pages */
	iov_wr(bar, 4, 0xffffffff);
	cr_assert_eq(iov_rd(bar, 4), (uint32_t) ~(0x10000u - 1));
}

Test(sim_sriov, vf_memory_decodes_to_the_vf_owning_the_slice)
{
	uint32_t v = 0xdeadbeef, peek = 0;
	uint64_t addr = T_EP_VFBAR0_ADDR + 5 * T_EP_VFBAR0_SIZE + 0x10;

	t_ep_assign(&t);
	t_ep_enable_vfs(&t, 8);
	cr_assert_eq(t_fake_port_mem_write(&t.fp, addr, &v, 4),
		     SIM_RX_ACCEPTED);
	cr_assert_eq(
		sim_fn_mem_peek(sim_ep_vf(t.ep, 5), 0, 0x10, &peek, 4, NULL),
		0);
	cr_assert_eq(peek, v);
	cr_assert_eq(sim_fn_mem_requests(sim_ep_vf(t.ep, 5)), 1);
	cr_assert_eq(
		sim_fn_mem_peek(sim_ep_vf(t.ep, 4), 0, 0x10, &peek, 4, NULL),
		0);
	cr_assert_eq(peek, 0);
	cr_assert_eq(sim_fn_mem_requests(sim_ep_vf(t.ep, 4)), 0);
}

Test(sim_sriov, vf_memory_reads_back_per_vf_and_per_bar)
{
	uint8_t in[4];
	uint32_t a = 0x11111111, b = 0x22222222;

	t_ep_assign(&t);
	t_ep_enable_vfs(&t, 8);
	t_fake_port_mem_write(&t.fp, T_EP_VFBAR0_ADDR + T_EP_VFBAR0_SIZE, &a,
			      4);
	t_fake_port_mem_write(&t.fp, T_EP_VFBAR2_ADDR + T_EP_VFBAR2_SIZE, &b,
			      4);
	cr_assert_eq(t_fake_port_mem_read(
			     in, &t.fp, T_EP_VFBAR0_ADDR + T_EP_VFBAR0_SIZE, 4),
		     FAB_CPL_SC);
	cr_assert_arr_eq(in, &a, 4);
	cr_assert_eq(t_fake_port_mem_read(
			     in, &t.fp, T_EP_VFBAR2_ADDR + T_EP_VFBAR2_SIZE, 4),
		     FAB_CPL_SC);
	cr_assert_arr_eq(in, &b, 4);
}

Test(sim_sriov, vf_memory_beyond_numvfs_is_ur)
{
	uint8_t in[4];

	t_ep_assign(&t);
	t_ep_enable_vfs(&t, 8);
	cr_assert_eq(
		t_fake_port_mem_read(
			in, &t.fp, T_EP_VFBAR0_ADDR + 8 * T_EP_VFBAR0_SIZE, 4),
		FAB_CPL_UR);
}

Test(sim_sriov, vf_memory_needs_vf_mse)
{
	uint8_t in[4];

	t_ep_assign(&t);
	t_ep_enable_vfs(&t, 8);
	iov_wr(PCI_IOV_CTRL, 2, PCI_IOV_CTRL_VFE | PCI_IOV_CTRL_ARI);
	cr_assert_eq(t_fake_port_mem_read(in, &t.fp, T_EP_VFBAR0_ADDR, 4),
		     FAB_CPL_UR);
}

Test(sim_sriov, vf_memory_decode_resumes_when_vf_mse_is_set_again)
{
	uint32_t v = 0xabcd1234, in = 0;
	uint64_t addr = T_EP_VFBAR0_ADDR + 3 * T_EP_VFBAR0_SIZE + 0x40;

	t_ep_assign(&t);
	t_ep_enable_vfs(&t, 8);
	t_fake_port_mem_write(&t.fp, addr, &v, 4);
	iov_wr(PCI_IOV_CTRL, 2, PCI_IOV_CTRL_VFE | PCI_IOV_CTRL_ARI);
	cr_assert_eq(t_fake_port_mem_read(&in, &t.fp, addr, 4), FAB_CPL_UR);
	iov_wr(PCI_IOV_CTRL, 2,
	       PCI_IOV_CTRL_VFE | PCI_IOV_CTRL_MSE | PCI_IOV_CTRL_ARI);
	cr_assert_eq(t_fake_port_mem_read(&in, &t.fp, addr, 4), FAB_CPL_SC);
	cr_assert_eq(in, v);
}

Test(sim_sriov, pf_memory_space_enable_does_not_gate_vf_memory)
{
	uint8_t in[4];

	t_ep_assign(&t);
	t_ep_enable_vfs(&t, 8);
	t_ep_wr(&t, t.pf, PCI_COMMAND, 2, 0);
	cr_assert_eq(t_fake_port_mem_read(in, &t.fp, T_EP_BAR0_ADDR, 4),
		     FAB_CPL_UR);
	cr_assert_eq(t_fake_port_mem_read(in, &t.fp, T_EP_VFBAR0_ADDR, 4),
		     FAB_CPL_SC);
}

Test(sim_sriov, vf_bar_moved_by_a_config_write_decodes_at_the_new_address)
{
	uint64_t moved = 0x600000000ULL;
	uint64_t slice = 2 * T_EP_VFBAR0_SIZE + 0x8;
	uint32_t v = 0x7e57da7a, in = 0;

	t_ep_assign(&t);
	t_ep_enable_vfs(&t, 8);
	t_fake_port_mem_write(&t.fp, T_EP_VFBAR0_ADDR + slice, &v, 4);
	iov_wr(PCI_IOV_BAR_BASE + 4, 4, (uint32_t)(moved >> 32));
	cr_assert_eq(t_fake_port_mem_read(&in, &t.fp, moved + slice, 4),
		     FAB_CPL_SC);
	cr_assert_eq(in, v);
	cr_assert_eq(
		t_fake_port_mem_read(&in, &t.fp, T_EP_VFBAR0_ADDR + slice, 4),
		FAB_CPL_UR);
}

Test(sim_sriov, vf_memory_decode_follows_the_system_page_size)
{
	uint32_t v = 0x5a5a5a5a, peek = 0;

	iov_wr(PCI_IOV_SYSPS, 4, 0x10); /* 64 KiB: each VF's slice too */
	t_ep_assign(&t);
	t_ep_enable_vfs(&t, 8);
	t_fake_port_mem_write(&t.fp, T_EP_VFBAR0_ADDR + 0x10000 + 4, &v, 4);
	cr_assert_eq(sim_fn_mem_peek(sim_ep_vf(t.ep, 1), 0, 4, &peek, 4, NULL),
		     0);
	cr_assert_eq(peek, v);
	/* one 16 KiB slice in, still VF 0 with 64 KiB pages */
	t_fake_port_mem_write(&t.fp, T_EP_VFBAR0_ADDR + T_EP_VFBAR0_SIZE, &v,
			      4);
	cr_assert_eq(sim_fn_mem_peek(sim_ep_vf(t.ep, 0), 0, T_EP_VFBAR0_SIZE,
				     &peek, 4, NULL),
		     0);
	cr_assert_eq(peek, v);
	cr_assert_eq(sim_fn_mem_requests(sim_ep_vf(t.ep, 1)), 1);
}

Test(sim_sriov, vf_memory_not_decoded_once_vf_enable_clears)
{
	uint8_t in[4];

	t_ep_assign(&t);
	t_ep_enable_vfs(&t, 8);
	iov_wr(PCI_IOV_CTRL, 2, PCI_IOV_CTRL_MSE);
	cr_assert_eq(t_fake_port_mem_read(in, &t.fp, T_EP_VFBAR0_ADDR, 4),
		     FAB_CPL_UR);
}

Test(sim_sriov, vf_memory_decode_covers_only_the_vfs_of_a_new_enable)
{
	uint8_t in[4];

	t_ep_assign(&t);
	t_ep_enable_vfs(&t, 8);
	iov_wr(PCI_IOV_CTRL, 2, 0);
	t_ep_enable_vfs(&t, 2);
	cr_assert_eq(t_fake_port_mem_read(
			     in, &t.fp, T_EP_VFBAR0_ADDR + T_EP_VFBAR0_SIZE, 4),
		     FAB_CPL_SC);
	cr_assert_eq(
		t_fake_port_mem_read(
			in, &t.fp, T_EP_VFBAR0_ADDR + 5 * T_EP_VFBAR0_SIZE, 4),
		FAB_CPL_UR);
}

Test(sim_sriov, vf_memory_freed_when_vfs_disabled)
{
	uint32_t v = 0x5555aaaa, peek = 1;

	t_ep_assign(&t);
	t_ep_enable_vfs(&t, 2);
	t_fake_port_mem_write(&t.fp, T_EP_VFBAR0_ADDR, &v, 4);
	iov_wr(PCI_IOV_CTRL, 2, 0);
	t_ep_enable_vfs(&t, 2);
	cr_assert_eq(sim_fn_mem_peek(sim_ep_vf(t.ep, 0), 0, 0, &peek, 4, NULL),
		     0);
	cr_assert_eq(peek, 0);
}

Test(sim_sriov, vf_dma_needs_the_vf_bus_master_enable)
{
	struct sim_fn *vf;
	uint8_t b = 7;

	t_ep_enable_vfs(&t, 2);
	vf = sim_ep_vf(t.ep, 1);
	/* the PF's Bus Master Enable does not let a VF master the bus */
	t_ep_wr(&t, t.pf, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	cr_assert_eq(sim_fn_dma_write(vf, 0x1000, &b, 1, NULL), -FM_ESTATE);
	t_ep_wr(&t, sim_fn_rid(vf), PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	cr_assert_eq(sim_fn_dma_write(vf, 0x1000, &b, 1, NULL), 0);
	cr_assert_eq(t_fake_port_rx_count(&t.fp), 1);
	cr_assert_eq(t_fake_port_rx_tlp(&t.fp, 0)->requester, sim_fn_rid(vf));
}

/* ---- cost ---- */

Test(sim_sriov, untouched_vfs_share_their_config_image)
{
	struct sim_ep_desc d = t_ep_desc_nic();
	struct t_ep big;
	uint64_t before, after;

	d.total_vfs = 256;
	t_ep_init(&big, &d);
	before = sim_ep_footprint(big.ep);
	t_ep_enable_vfs(&big, 256);
	after = sim_ep_footprint(big.ep);
	/* 256 private 4 KiB copies would be 1 MiB; sharing costs nothing */
	cr_assert_lt(after - before, 4096, "%llu bytes for 256 VFs",
		     (unsigned long long)(after - before));
	/* reading does not copy, writing copies only the VF written */
	t_ep_rd(&big, t_ep_vf_rid(&big, 9), PCI_COMMAND, 2);
	cr_assert_eq(sim_ep_footprint(big.ep), after);
	t_ep_wr(&big, t_ep_vf_rid(&big, 9), PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	cr_assert_eq(sim_ep_footprint(big.ep) - after,
		     FAB_PCI_CFG_SPACE_EXP_SIZE);
	t_ep_fini(&big);
}

Test(sim_sriov, write_that_changes_nothing_keeps_the_vf_shared)
{
	uint64_t before;

	t_ep_enable_vfs(&t, 4);
	before = sim_ep_footprint(t.ep);
	t_ep_wr(&t, t_ep_vf_rid(&t, 2), PCI_VENDOR_ID, 4, 0);
	cr_assert_eq(sim_ep_footprint(t.ep), before);
}
