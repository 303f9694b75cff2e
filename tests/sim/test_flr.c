/* SPDX-License-Identifier: MIT */
/*
 * Function Level Reset of PFs and VFs (r6.0 6.6.2): configuration
 * requests complete with CRS for 100 ms of virtual time, the function's
 * state and memory are scrubbed, held transactions are discarded, other
 * functions are untouched, and a PF's FLR removes its VFs.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/support/ep_fixture.h"

static struct t_ep t;

static void setup(void)
{
	struct sim_ep_desc d = t_ep_desc_nic();

	t_ep_init(&t, &d);
	t_ep_assign(&t);
}

static void teardown(void)
{
	t_ep_fini(&t);
}

TestSuite(sim_flr, .init = setup, .fini = teardown);

static void flr(uint16_t rid)
{
	uint16_t exp = t_ep_find_cap(&t, rid, PCI_CAP_ID_EXP);

	cr_assert_neq(exp, 0);
	t_ep_wr(&t, rid, exp + PCI_EXP_DEVCTL, 2, FAB_PCI_EXP_DEVCTL_FLR);
}

static int cfg_status(uint16_t rid)
{
	uint32_t v = 0;

	return t_fake_port_cfg_read(&v, &t.fp, rid, PCI_VENDOR_ID, 2);
}

/* ---- timing ---- */

Test(sim_flr, pf_config_requests_complete_crs_for_100ms)
{
	flr(t.pf);
	cr_assert(sim_fn_in_flr(sim_ep_pf(t.ep)));
	cr_assert_eq(cfg_status(t.pf), FAB_CPL_CRS);
	sim_clock_run_for(t.clk, FAB_FLR_TIME_NS - 1);
	cr_assert_eq(cfg_status(t.pf), FAB_CPL_CRS);
	cr_assert_eq(sim_fn_flr_count(sim_ep_pf(t.ep)), 0);
	sim_clock_run_for(t.clk, 1);
	cr_assert_eq(cfg_status(t.pf), FAB_CPL_SC);
	cr_assert_not(sim_fn_in_flr(sim_ep_pf(t.ep)));
	cr_assert_eq(sim_fn_flr_count(sim_ep_pf(t.ep)), 1);
}

Test(sim_flr, config_writes_during_flr_complete_crs_and_change_nothing)
{
	flr(t.pf);
	cr_assert_eq(t_fake_port_cfg_write(&t.fp, t.pf, PCI_COMMAND, 2,
					   PCI_COMMAND_MASTER),
		     FAB_CPL_CRS);
	sim_clock_run_for(t.clk, FAB_FLR_TIME_NS);
	cr_assert_eq(t_ep_rd(&t, t.pf, PCI_COMMAND, 2), 0);
}

Test(sim_flr, flr_bit_reads_zero)
{
	flr(t.pf);
	sim_clock_run_for(t.clk, FAB_FLR_TIME_NS);
	cr_assert_not(t_ep_rd(&t, t.pf, t.exp + PCI_EXP_DEVCTL, 2) &
		      FAB_PCI_EXP_DEVCTL_FLR);
}

Test(sim_flr, memory_requests_during_flr_are_ur_or_dropped)
{
	uint8_t buf[4] = { 1, 2, 3, 4 };

	flr(t.pf);
	cr_assert_eq(t_fake_port_mem_read(buf, &t.fp, T_EP_BAR0_ADDR, 4),
		     FAB_CPL_UR);
	cr_assert_eq(t_fake_port_mem_write(&t.fp, T_EP_BAR0_ADDR, buf, 4),
		     SIM_RX_DROPPED);
}

Test(sim_flr, dma_refused_during_flr)
{
	struct fm_err err = { 0 };
	uint8_t b = 0;

	flr(t.pf);
	cr_assert_eq(sim_fn_dma_write(sim_ep_pf(t.ep), 0x1000, &b, 1, &err),
		     -FM_ESTATE);
	cr_assert(strstr(err.msg, "Function Level Reset"), "%s", err.msg);
}

Test(sim_flr, each_flr_counts_once)
{
	for (unsigned i = 0; i < 3; i++) {
		flr(t.pf);
		sim_clock_run_for(t.clk, FAB_FLR_TIME_NS);
	}
	cr_assert_eq(sim_fn_flr_count(sim_ep_pf(t.ep)), 3);
}

/* ---- PF state scrubbed ---- */

Test(sim_flr, pf_flr_scrubs_command_bars_and_msi)
{
	t_ep_wr(&t, t.pf, t.msi + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	t_ep_wr(&t, t.pf, t.msi + PCI_MSI_DATA_64, 2, 0x4021);
	t_ep_wr(&t, t.pf, t.msi + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
	flr(t.pf);
	sim_clock_run_for(t.clk, FAB_FLR_TIME_NS);
	cr_assert_eq(t_ep_rd(&t, t.pf, PCI_COMMAND, 2), 0);
	cr_assert_eq(t_ep_rd(&t, t.pf, PCI_BASE_ADDRESS_2, 4), 0);
	cr_assert_eq(t_ep_rd(&t, t.pf, t.msi + PCI_MSI_ADDRESS_LO, 4), 0);
	cr_assert_eq(t_ep_rd(&t, t.pf, t.msi + PCI_MSI_DATA_64, 2), 0);
	cr_assert_not(t_ep_rd(&t, t.pf, t.msi + PCI_MSI_FLAGS, 2) &
		      PCI_MSI_FLAGS_ENABLE);
}

Test(sim_flr, pf_flr_scrubs_bar_memory)
{
	uint8_t secret[16], got[16], zero[16] = { 0 };

	memset(secret, 0x5e, sizeof(secret));
	t_fake_port_mem_write(&t.fp, T_EP_BAR3_ADDR + 0x400, secret, 16);
	flr(t.pf);
	sim_clock_run_for(t.clk, FAB_FLR_TIME_NS);
	cr_assert_eq(sim_fn_mem_peek(sim_ep_pf(t.ep), 3, 0x400, got, 16, NULL),
		     0);
	cr_assert_arr_eq(got, zero, 16);
	/* and through the fabric once BARs are programmed again */
	t_ep_assign(&t);
	cr_assert_eq(
		t_fake_port_mem_read(got, &t.fp, T_EP_BAR3_ADDR + 0x400, 16),
		FAB_CPL_SC);
	cr_assert_arr_eq(got, zero, 16);
}

Test(sim_flr, pf_flr_stops_pf_and_vf_memory_decode)
{
	uint8_t in[4];

	t_ep_enable_vfs(&t, 4);
	flr(t.pf);
	sim_clock_run_for(t.clk, FAB_FLR_TIME_NS);
	cr_assert_eq(t_fake_port_mem_read(in, &t.fp, T_EP_BAR0_ADDR, 4),
		     FAB_CPL_UR);
	cr_assert_eq(t_fake_port_mem_read(in, &t.fp, T_EP_VFBAR0_ADDR, 4),
		     FAB_CPL_UR);
	/* Memory Space Enable again: the BARs were reset, the old is gone */
	t_ep_wr(&t, t.pf, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	cr_assert_eq(t_fake_port_mem_read(in, &t.fp, T_EP_BAR0_ADDR, 4),
		     FAB_CPL_UR);
}

Test(sim_flr, pf_flr_keeps_the_link_status)
{
	flr(t.pf);
	sim_clock_run_for(t.clk, FAB_FLR_TIME_NS);
	cr_assert_eq(FM_FIELD_GET(PCI_EXP_LNKSTA_WIDTH,
				  t_ep_rd(&t, t.pf, t.exp + PCI_EXP_LNKSTA, 2)),
		     4);
}

Test(sim_flr, pf_flr_clears_vf_enable_and_removes_vfs)
{
	uint16_t vf0 = t_ep_vf_rid(&t, 0);

	t_ep_enable_vfs(&t, 8);
	flr(t.pf);
	cr_assert_eq(sim_ep_num_vfs_enabled(t.ep), 0);
	cr_assert_eq(cfg_status(vf0), FAB_CPL_UR);
	sim_clock_run_for(t.clk, FAB_FLR_TIME_NS);
	cr_assert_eq(t_ep_rd(&t, t.pf, t.sriov + PCI_IOV_CTRL, 2), 0);
	cr_assert_eq(t_ep_rd(&t, t.pf, t.sriov + PCI_IOV_NUMVF, 2), 0);
	cr_assert_eq(cfg_status(vf0), FAB_CPL_UR);
}

Test(sim_flr, pf_flr_restores_system_page_size_and_vf_bar_size)
{
	uint16_t bar = t.sriov + PCI_IOV_BAR_BASE + 8;

	t_ep_wr(&t, t.pf, t.sriov + PCI_IOV_SYSPS, 4, 0x10);
	flr(t.pf);
	sim_clock_run_for(t.clk, FAB_FLR_TIME_NS);
	cr_assert_eq(t_ep_rd(&t, t.pf, t.sriov + PCI_IOV_SYSPS, 4), 0x1);
	t_ep_wr(&t, t.pf, bar, 4, 0xffffffff);
	cr_assert_eq(t_ep_rd(&t, t.pf, bar, 4),
		     (uint32_t) ~(T_EP_VFBAR2_SIZE - 1));
}

/* ---- VF FLR ---- */

Test(sim_flr, vf_flr_completes_crs_for_100ms)
{
	uint16_t vf = t_ep_vf_rid(&t, 3);

	t_ep_enable_vfs(&t, 8);
	flr(vf);
	cr_assert(sim_fn_in_flr(sim_ep_vf(t.ep, 3)));
	cr_assert_eq(cfg_status(vf), FAB_CPL_CRS);
	sim_clock_run_for(t.clk, FAB_FLR_TIME_NS - 1);
	cr_assert_eq(cfg_status(vf), FAB_CPL_CRS);
	sim_clock_run_for(t.clk, 1);
	cr_assert_eq(cfg_status(vf), FAB_CPL_SC);
	cr_assert_eq(sim_fn_flr_count(sim_ep_vf(t.ep, 3)), 1);
}

Test(sim_flr, vf_flr_scrubs_its_config_and_memory)
{
	uint16_t vf = t_ep_vf_rid(&t, 3);
	uint64_t slice = T_EP_VFBAR0_ADDR + 3 * T_EP_VFBAR0_SIZE;
	uint8_t secret[8], got[8], zero[8] = { 0 };
	uint16_t msi;

	memset(secret, 0xa7, sizeof(secret));
	t_ep_enable_vfs(&t, 8);
	msi = t_ep_find_cap(&t, vf, PCI_CAP_ID_MSI);
	t_ep_wr(&t, vf, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	t_ep_wr(&t, vf, msi + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	t_ep_wr(&t, vf, msi + PCI_MSI_DATA_64, 2, 0x31);
	t_fake_port_mem_write(&t.fp, slice, secret, 8);
	flr(vf);
	sim_clock_run_for(t.clk, FAB_FLR_TIME_NS);
	cr_assert_eq(t_ep_rd(&t, vf, PCI_COMMAND, 2), 0);
	cr_assert_eq(t_ep_rd(&t, vf, msi + PCI_MSI_ADDRESS_LO, 4), 0);
	cr_assert_eq(t_ep_rd(&t, vf, msi + PCI_MSI_DATA_64, 2), 0);
	cr_assert_eq(t_fake_port_mem_read(got, &t.fp, slice, 8), FAB_CPL_SC);
	cr_assert_arr_eq(got, zero, 8);
}

Test(sim_flr, vf_memory_is_ur_during_its_flr)
{
	uint8_t buf[4];

	t_ep_enable_vfs(&t, 8);
	flr(t_ep_vf_rid(&t, 3));
	cr_assert_eq(
		t_fake_port_mem_read(
			buf, &t.fp, T_EP_VFBAR0_ADDR + 3 * T_EP_VFBAR0_SIZE, 4),
		FAB_CPL_UR);
	cr_assert_eq(
		t_fake_port_mem_read(
			buf, &t.fp, T_EP_VFBAR0_ADDR + 2 * T_EP_VFBAR0_SIZE, 4),
		FAB_CPL_SC);
}

Test(sim_flr, vf_flr_leaves_other_vfs_and_the_pf_untouched)
{
	uint16_t vf2 = t_ep_vf_rid(&t, 2), vf3 = t_ep_vf_rid(&t, 3);
	uint64_t slice2 = T_EP_VFBAR0_ADDR + 2 * T_EP_VFBAR0_SIZE;
	uint32_t v = 0x600d600d, got = 0;

	t_ep_enable_vfs(&t, 8);
	t_ep_wr(&t, vf2, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	t_fake_port_mem_write(&t.fp, slice2, &v, 4);
	t_fake_port_mem_write(&t.fp, T_EP_BAR0_ADDR, &v, 4);
	flr(vf3);
	cr_assert_eq(cfg_status(vf2), FAB_CPL_SC);
	cr_assert_eq(cfg_status(t.pf), FAB_CPL_SC);
	sim_clock_run_for(t.clk, FAB_FLR_TIME_NS);
	cr_assert_eq(t_ep_rd(&t, vf2, PCI_COMMAND, 2), PCI_COMMAND_MASTER);
	cr_assert_eq(t_fake_port_mem_read(&got, &t.fp, slice2, 4), FAB_CPL_SC);
	cr_assert_eq(got, v);
	cr_assert_eq(t_fake_port_mem_read(&got, &t.fp, T_EP_BAR0_ADDR, 4),
		     FAB_CPL_SC);
	cr_assert_eq(got, v);
	cr_assert_eq(sim_ep_num_vfs_enabled(t.ep), 8);
	cr_assert_eq(sim_fn_flr_count(sim_ep_vf(t.ep, 2)), 0);
}

Test(sim_flr, vf_disable_during_vf_flr_cancels_it)
{
	t_ep_enable_vfs(&t, 8);
	flr(t_ep_vf_rid(&t, 1));
	t_ep_wr(&t, t.pf, t.sriov + PCI_IOV_CTRL, 2, 0);
	cr_assert_eq(sim_clock_pending(t.clk), 0);
	t_ep_enable_vfs(&t, 8);
	cr_assert_not(sim_fn_in_flr(sim_ep_vf(t.ep, 1)));
	cr_assert_eq(cfg_status(t_ep_vf_rid(&t, 1)), FAB_CPL_SC);
}

/* ---- Transactions Pending ---- */

Test(sim_flr, flr_discards_held_transactions)
{
	uint16_t devsta = t.exp + PCI_EXP_DEVSTA;

	sim_fn_hold_transactions(sim_ep_pf(t.ep), 4, 10 * FAB_FLR_TIME_NS);
	cr_assert(t_ep_rd(&t, t.pf, devsta, 2) & PCI_EXP_DEVSTA_TRPND);
	flr(t.pf);
	sim_clock_run_for(t.clk, FAB_FLR_TIME_NS);
	cr_assert_not(t_ep_rd(&t, t.pf, devsta, 2) & PCI_EXP_DEVSTA_TRPND);
	/* nothing of them is left on the clock either */
	cr_assert_eq(sim_clock_pending(t.clk), 0);
}

Test(sim_flr, vf_flr_discards_only_its_own_held_transactions)
{
	uint16_t vf0 = t_ep_vf_rid(&t, 0), vf1 = t_ep_vf_rid(&t, 1);
	uint16_t exp;

	t_ep_enable_vfs(&t, 2);
	exp = t_ep_find_cap(&t, vf0, PCI_CAP_ID_EXP);
	sim_fn_hold_transactions(sim_ep_vf(t.ep, 0), 1, 10 * FAB_FLR_TIME_NS);
	sim_fn_hold_transactions(sim_ep_vf(t.ep, 1), 1, 10 * FAB_FLR_TIME_NS);
	flr(vf0);
	sim_clock_run_for(t.clk, FAB_FLR_TIME_NS);
	cr_assert_not(t_ep_rd(&t, vf0, exp + PCI_EXP_DEVSTA, 2) &
		      PCI_EXP_DEVSTA_TRPND);
	cr_assert(t_ep_rd(&t, vf1, exp + PCI_EXP_DEVSTA, 2) &
		  PCI_EXP_DEVSTA_TRPND);
}
