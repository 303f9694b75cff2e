/* SPDX-License-Identifier: MIT */
/*
 * Endpoint devices as their link partner sees them: the PF's config
 * header and capabilities, BAR sizing, register masks, memory decode and
 * BAR-backed memory, DMA, Transactions Pending, link events, and the
 * checks on a device description.
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

TestSuite(sim_endpoint, .init = setup, .fini = teardown);

/* ---- header and capabilities ---- */

Test(sim_endpoint, pf_header_shows_desc_ids_and_class)
{
	cr_assert_eq(t_ep_rd(&t, t.pf, PCI_VENDOR_ID, 2), T_EP_VENDOR);
	cr_assert_eq(t_ep_rd(&t, t.pf, PCI_DEVICE_ID, 2), T_EP_DEVICE);
	cr_assert_eq(t_ep_rd(&t, t.pf, PCI_CLASS_REVISION, 4),
		     T_EP_CLASS << 8 | 2);
	cr_assert_eq(t_ep_rd(&t, t.pf, PCI_SUBSYSTEM_VENDOR_ID, 2),
		     T_EP_VENDOR);
	cr_assert_eq(t_ep_rd(&t, t.pf, PCI_SUBSYSTEM_ID, 2), 0x0001);
	cr_assert_eq(t_ep_rd(&t, t.pf, PCI_HEADER_TYPE, 1),
		     PCI_HEADER_TYPE_NORMAL);
	cr_assert(t_ep_rd(&t, t.pf, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
}

Test(sim_endpoint, pf_has_pm_msi_pcie_ari_and_sriov_capabilities)
{
	cr_assert_neq(t.pm, 0);
	cr_assert_neq(t.msi, 0);
	cr_assert_neq(t.exp, 0);
	cr_assert_neq(t.ari, 0);
	cr_assert_neq(t.sriov, 0);
	cr_assert(t_ep_rd(&t, t.pf, t.msi + PCI_MSI_FLAGS, 2) &
		  PCI_MSI_FLAGS_64BIT);
}

Test(sim_endpoint, pcie_capability_is_version_2_endpoint_with_flr)
{
	uint32_t flags = t_ep_rd(&t, t.pf, t.exp + PCI_EXP_FLAGS, 2);

	cr_assert_eq(FM_FIELD_GET(PCI_EXP_FLAGS_VERS, flags), 2);
	cr_assert_eq(FM_FIELD_GET(PCI_EXP_FLAGS_TYPE, flags),
		     PCI_EXP_TYPE_ENDPOINT);
	cr_assert(t_ep_rd(&t, t.pf, t.exp + PCI_EXP_DEVCAP, 4) &
		  PCI_EXP_DEVCAP_FLRESET);
}

Test(sim_endpoint, link_capabilities_show_the_device_maximum)
{
	uint32_t cap = t_ep_rd(&t, t.pf, t.exp + PCI_EXP_LNKCAP, 4);

	cr_assert_eq(FM_FIELD_GET(PCI_EXP_LNKCAP_WIDTH, cap), 8);
	cr_assert_eq(FM_FIELD_GET(PCI_EXP_LNKCAP_SPEED, cap), 3);
}

Test(sim_endpoint, link_status_shows_the_negotiated_width_and_speed)
{
	uint32_t sta = t_ep_rd(&t, t.pf, t.exp + PCI_EXP_LNKSTA, 2);

	/* the fixture's link is x4 at speed 2 */
	cr_assert_eq(FM_FIELD_GET(PCI_EXP_LNKSTA_WIDTH, sta), 4);
	cr_assert_eq(FM_FIELD_GET(PCI_EXP_LNKSTA_SPEED, sta), 2);
}

Test(sim_endpoint, plain_endpoint_has_no_extended_capabilities)
{
	struct sim_ep_desc d = t_ep_desc_plain();
	struct t_ep p;

	t_ep_init(&p, &d);
	cr_assert_eq(p.sriov, 0);
	cr_assert_eq(p.ari, 0);
	cr_assert_eq(t_ep_rd(&p, p.pf, 0x100, 4), 0);
	cr_assert_eq(sim_ep_last_bus(p.ep), T_EP_BUS);
	t_ep_fini(&p);
}

/* ---- BAR sizing ---- */

Test(sim_endpoint, bar_sizing_reads_back_the_size_mask)
{
	t_ep_wr(&t, t.pf, PCI_BASE_ADDRESS_2, 4, 0xffffffff);
	cr_assert_eq(t_ep_rd(&t, t.pf, PCI_BASE_ADDRESS_2, 4),
		     (uint32_t) ~(T_EP_BAR2_SIZE - 1));
}

Test(sim_endpoint, bar_64bit_takes_two_slots_and_sizes_both)
{
	uint32_t lo, hi;

	cr_assert_eq(t_ep_rd(&t, t.pf, PCI_BASE_ADDRESS_0, 4) &
			     PCI_BASE_ADDRESS_MEM_TYPE_MASK,
		     PCI_BASE_ADDRESS_MEM_TYPE_64);
	t_ep_wr(&t, t.pf, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	t_ep_wr(&t, t.pf, PCI_BASE_ADDRESS_1, 4, 0xffffffff);
	lo = t_ep_rd(&t, t.pf, PCI_BASE_ADDRESS_0, 4);
	hi = t_ep_rd(&t, t.pf, PCI_BASE_ADDRESS_1, 4);
	cr_assert_eq(((uint64_t)hi << 32 | (lo & ~0xfu)),
		     ~(T_EP_BAR0_SIZE - 1));
}

Test(sim_endpoint, prefetchable_bit_follows_desc)
{
	cr_assert(t_ep_rd(&t, t.pf, PCI_BASE_ADDRESS_3, 4) &
		  PCI_BASE_ADDRESS_MEM_PREFETCH);
	cr_assert_not(t_ep_rd(&t, t.pf, PCI_BASE_ADDRESS_0, 4) &
		      PCI_BASE_ADDRESS_MEM_PREFETCH);
}

Test(sim_endpoint, unimplemented_bar_reads_zero_after_all_ones)
{
	/* slot 5 is the upper half of BAR3; slot 1 of BAR0: check a free one */
	struct sim_ep_desc d = t_ep_desc_plain();
	struct t_ep p;

	t_ep_init(&p, &d);
	t_ep_wr(&p, p.pf, PCI_BASE_ADDRESS_1, 4, 0xffffffff);
	cr_assert_eq(t_ep_rd(&p, p.pf, PCI_BASE_ADDRESS_1, 4), 0);
	t_ep_fini(&p);
}

/* ---- masks ---- */

Test(sim_endpoint, read_only_registers_ignore_writes)
{
	t_ep_wr(&t, t.pf, PCI_VENDOR_ID, 4, 0x12345678);
	t_ep_wr(&t, t.pf, PCI_CLASS_REVISION, 4, 0);
	t_ep_wr(&t, t.pf, PCI_CAPABILITY_LIST, 1, 0);
	t_ep_wr(&t, t.pf, t.exp + PCI_EXP_DEVCAP, 4, 0);
	cr_assert_eq(t_ep_rd(&t, t.pf, PCI_VENDOR_ID, 2), T_EP_VENDOR);
	cr_assert_eq(t_ep_rd(&t, t.pf, PCI_DEVICE_ID, 2), T_EP_DEVICE);
	cr_assert_eq(t_ep_rd(&t, t.pf, PCI_CLASS_REVISION, 4),
		     T_EP_CLASS << 8 | 2);
	cr_assert_eq(t_ep_rd(&t, t.pf, PCI_CAPABILITY_LIST, 1), t.pm);
	cr_assert(t_ep_rd(&t, t.pf, t.exp + PCI_EXP_DEVCAP, 4) &
		  PCI_EXP_DEVCAP_FLRESET);
}

Test(sim_endpoint, command_keeps_only_writable_bits)
{
	t_ep_wr(&t, t.pf, PCI_COMMAND, 2, 0xffff);
	cr_assert_eq(t_ep_rd(&t, t.pf, PCI_COMMAND, 2),
		     PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			     PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
			     PCI_COMMAND_DISABLE_INTx);
}

Test(sim_endpoint, status_error_bit_clears_only_by_writing_one)
{
	struct sim_fn *pf = sim_ep_pf(t.ep);
	uint8_t buf[4], status = 0;

	/* a DMA read the host answers with UR sets Received Master Abort */
	t_ep_wr(&t, t.pf, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	t.fp.np_status = FAB_CPL_UR;
	cr_assert_eq(sim_fn_dma_read(pf, 0x1000, buf, 4, &status, NULL), 0);
	cr_assert(t_ep_rd(&t, t.pf, PCI_STATUS, 2) &
		  PCI_STATUS_REC_MASTER_ABORT);
	t_ep_wr(&t, t.pf, PCI_STATUS, 2, 0);
	cr_assert(t_ep_rd(&t, t.pf, PCI_STATUS, 2) &
		  PCI_STATUS_REC_MASTER_ABORT);
	t_ep_wr(&t, t.pf, PCI_STATUS, 2, PCI_STATUS_REC_MASTER_ABORT);
	cr_assert_not(t_ep_rd(&t, t.pf, PCI_STATUS, 2) &
		      PCI_STATUS_REC_MASTER_ABORT);
	cr_assert(t_ep_rd(&t, t.pf, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
}

Test(sim_endpoint, msi_address_and_data_are_writable)
{
	t_ep_wr(&t, t.pf, t.msi + PCI_MSI_ADDRESS_LO, 4, 0xfee01003);
	t_ep_wr(&t, t.pf, t.msi + PCI_MSI_ADDRESS_HI, 4, 0x1);
	t_ep_wr(&t, t.pf, t.msi + PCI_MSI_DATA_64, 2, 0x4041);
	/* the two low address bits are reserved: always 0 */
	cr_assert_eq(t_ep_rd(&t, t.pf, t.msi + PCI_MSI_ADDRESS_LO, 4),
		     0xfee01000);
	cr_assert_eq(t_ep_rd(&t, t.pf, t.msi + PCI_MSI_ADDRESS_HI, 4), 0x1);
	cr_assert_eq(t_ep_rd(&t, t.pf, t.msi + PCI_MSI_DATA_64, 2), 0x4041);
}

Test(sim_endpoint, unsupported_power_state_write_is_ignored)
{
	uint16_t pmcsr = t.pm + PCI_PM_CTRL;

	t_ep_wr(&t, t.pf, pmcsr, 2, 1); /* D1: not supported */
	cr_assert_eq(t_ep_rd(&t, t.pf, pmcsr, 2) & PCI_PM_CTRL_STATE_MASK, 0);
	t_ep_wr(&t, t.pf, pmcsr, 2, 3); /* D3hot */
	cr_assert_eq(t_ep_rd(&t, t.pf, pmcsr, 2) & PCI_PM_CTRL_STATE_MASK, 3);
}

/* ---- config routing ---- */

Test(sim_endpoint, config_read_of_absent_function_completes_ur)
{
	uint32_t v = 0;

	cr_assert_eq(t_fake_port_cfg_read(&v, &t.fp, FAB_RID(T_EP_BUS, 1, 0),
					  PCI_VENDOR_ID, 4),
		     FAB_CPL_UR);
	cr_assert_eq(v, 0xffffffff);
}

Test(sim_endpoint, type1_config_request_completes_ur)
{
	struct fab_tlp req, cpl;

	cr_assert_eq(
		fab_tlp_cfg_read(&req, true, 0, t.pf, PCI_VENDOR_ID, 4, NULL),
		0);
	cr_assert_eq(t_fake_port_send(&cpl, &t.fp, &req), SIM_RX_COMPLETED);
	cr_assert_eq(cpl.status, FAB_CPL_UR);
}

Test(sim_endpoint, config_completion_carries_completer_and_tag)
{
	struct fab_tlp req, cpl;

	cr_assert_eq(fab_tlp_cfg_read(&req, false, 0x0100, t.pf, PCI_VENDOR_ID,
				      2, NULL),
		     0);
	req.tag = 0x5a;
	cr_assert_eq(t_fake_port_send(&cpl, &t.fp, &req), SIM_RX_COMPLETED);
	cr_assert_eq(cpl.type, FAB_TLP_CPLD);
	cr_assert_eq(cpl.completer, t.pf);
	cr_assert_eq(cpl.requester, 0x0100);
	cr_assert_eq(cpl.tag, 0x5a);
}

/* ---- memory ---- */

Test(sim_endpoint, memory_read_without_memory_space_enable_is_ur)
{
	uint8_t buf[4];

	t_ep_assign(&t);
	t_ep_wr(&t, t.pf, PCI_COMMAND, 2, 0);
	cr_assert_eq(t_fake_port_mem_read(buf, &t.fp, T_EP_BAR0_ADDR, 4),
		     FAB_CPL_UR);
}

Test(sim_endpoint, memory_write_then_read_hits_each_bar)
{
	const uint64_t addr[] = { T_EP_BAR0_ADDR + 0x100,
				  T_EP_BAR2_ADDR + T_EP_BAR2_SIZE - 8,
				  T_EP_BAR3_ADDR + 0x80000 };
	uint8_t out[8], in[8];

	t_ep_assign(&t);
	for (unsigned i = 0; i < FM_ARRAY_SIZE(addr); i++) {
		memset(out, 0x11 * (i + 1), sizeof(out));
		cr_assert_eq(t_fake_port_mem_write(&t.fp, addr[i], out, 8),
			     SIM_RX_ACCEPTED);
		cr_assert_eq(t_fake_port_mem_read(in, &t.fp, addr[i], 8),
			     FAB_CPL_SC);
		cr_assert_arr_eq(in, out, 8);
	}
}

Test(sim_endpoint, memory_lands_in_the_decoded_bar_at_its_offset)
{
	uint32_t v = 0xcafef00d, peek = 0;

	t_ep_assign(&t);
	t_fake_port_mem_write(&t.fp, T_EP_BAR3_ADDR + 0x1234, &v, 4);
	cr_assert_eq(
		sim_fn_mem_peek(sim_ep_pf(t.ep), 3, 0x1234, &peek, 4, NULL), 0);
	cr_assert_eq(peek, v);
	cr_assert_eq(
		sim_fn_mem_peek(sim_ep_pf(t.ep), 0, 0x1234, &peek, 4, NULL), 0);
	cr_assert_eq(peek, 0);
}

Test(sim_endpoint, unwritten_bar_memory_reads_zero)
{
	uint8_t in[16], zero[16] = { 0 };

	t_ep_assign(&t);
	cr_assert_eq(t_fake_port_mem_read(in, &t.fp, T_EP_BAR0_ADDR + 0x40, 16),
		     FAB_CPL_SC);
	cr_assert_arr_eq(in, zero, 16);
}

Test(sim_endpoint, memory_read_outside_every_bar_is_ur)
{
	uint8_t buf[4];

	t_ep_assign(&t);
	cr_assert_eq(t_fake_port_mem_read(buf, &t.fp,
					  T_EP_BAR2_ADDR + T_EP_BAR2_SIZE, 4),
		     FAB_CPL_UR);
	cr_assert_eq(t_fake_port_mem_read(buf, &t.fp, T_EP_BAR0_ADDR - 4, 4),
		     FAB_CPL_UR);
}

Test(sim_endpoint, memory_write_outside_every_bar_is_dropped)
{
	uint32_t v = 1;

	t_ep_assign(&t);
	cr_assert_eq(t_fake_port_mem_write(&t.fp, 0x10000000, &v, 4),
		     SIM_RX_DROPPED);
	cr_assert_eq(sim_fn_mem_requests(sim_ep_pf(t.ep)), 0);
}

Test(sim_endpoint, memory_request_crossing_bar_end_is_ur)
{
	uint8_t buf[8];

	t_ep_assign(&t);
	cr_assert_eq(t_fake_port_mem_read(buf, &t.fp,
					  T_EP_BAR2_ADDR + T_EP_BAR2_SIZE - 4,
					  8),
		     FAB_CPL_UR);
}

Test(sim_endpoint, memory_requests_are_counted_per_function)
{
	uint8_t buf[4] = { 0 };

	t_ep_assign(&t);
	t_fake_port_mem_write(&t.fp, T_EP_BAR0_ADDR, buf, 4);
	t_fake_port_mem_read(buf, &t.fp, T_EP_BAR0_ADDR, 4);
	t_fake_port_mem_read(buf, &t.fp, T_EP_BAR2_ADDR, 4);
	cr_assert_eq(sim_fn_mem_requests(sim_ep_pf(t.ep)), 3);
}

Test(sim_endpoint, memory_not_decoded_in_d3hot)
{
	uint8_t buf[4];

	t_ep_assign(&t);
	t_ep_wr(&t, t.pf, t.pm + PCI_PM_CTRL, 2, 3);
	cr_assert_eq(t_fake_port_mem_read(buf, &t.fp, T_EP_BAR0_ADDR, 4),
		     FAB_CPL_UR);
	t_ep_wr(&t, t.pf, t.pm + PCI_PM_CTRL, 2, 0);
	cr_assert_eq(t_fake_port_mem_read(buf, &t.fp, T_EP_BAR0_ADDR, 4),
		     FAB_CPL_SC);
}

/* ---- memory decode follows config writes at once ---- */

Test(sim_endpoint, bar_moved_by_a_config_write_decodes_at_the_new_address)
{
	uint64_t moved = T_EP_BAR2_ADDR + 0x100000;
	uint32_t v = 0x600dcafe, in = 0;

	t_ep_assign(&t);
	t_fake_port_mem_write(&t.fp, T_EP_BAR2_ADDR + 0x10, &v, 4);
	t_ep_wr(&t, t.pf, PCI_BASE_ADDRESS_2, 4, (uint32_t)moved);
	cr_assert_eq(t_fake_port_mem_read(&in, &t.fp, moved + 0x10, 4),
		     FAB_CPL_SC);
	cr_assert_eq(in, v);
	cr_assert_eq(t_fake_port_mem_read(&in, &t.fp, T_EP_BAR2_ADDR + 0x10, 4),
		     FAB_CPL_UR);
}

Test(sim_endpoint, upper_dword_write_moves_a_64bit_bar)
{
	uint64_t moved = 0x500000000ULL;
	uint32_t v = 0x0ddba11, in = 0;

	t_ep_assign(&t);
	t_fake_port_mem_write(&t.fp, T_EP_BAR3_ADDR + 0x800, &v, 4);
	t_ep_wr(&t, t.pf, PCI_BASE_ADDRESS_4, 4, (uint32_t)(moved >> 32));
	cr_assert_eq(t_fake_port_mem_read(&in, &t.fp, moved + 0x800, 4),
		     FAB_CPL_SC);
	cr_assert_eq(in, v);
	cr_assert_eq(
		t_fake_port_mem_read(&in, &t.fp, T_EP_BAR3_ADDR + 0x800, 4),
		FAB_CPL_UR);
}

Test(sim_endpoint, memory_decode_resumes_when_memory_space_enable_is_set_again)
{
	uint32_t v = 0xfeedf00d, in = 0;

	t_ep_assign(&t);
	t_fake_port_mem_write(&t.fp, T_EP_BAR0_ADDR + 0x20, &v, 4);
	t_ep_wr(&t, t.pf, PCI_COMMAND, 2, 0);
	cr_assert_eq(
		t_fake_port_mem_write(&t.fp, T_EP_BAR0_ADDR + 0x20, &in, 4),
		SIM_RX_DROPPED);
	t_ep_wr(&t, t.pf, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	cr_assert_eq(t_fake_port_mem_read(&in, &t.fp, T_EP_BAR0_ADDR + 0x20, 4),
		     FAB_CPL_SC);
	cr_assert_eq(in, v);
}

Test(sim_endpoint, bar_moved_while_decode_is_off_decodes_there_once_enabled)
{
	uint64_t moved = T_EP_BAR2_ADDR + 0x200000;
	uint32_t in = 0;

	t_ep_assign(&t);
	t_ep_wr(&t, t.pf, PCI_COMMAND, 2, 0);
	t_ep_wr(&t, t.pf, PCI_BASE_ADDRESS_2, 4, (uint32_t)moved);
	cr_assert_eq(t_fake_port_mem_read(&in, &t.fp, moved, 4), FAB_CPL_UR);
	t_ep_wr(&t, t.pf, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	cr_assert_eq(t_fake_port_mem_read(&in, &t.fp, moved, 4), FAB_CPL_SC);
	cr_assert_eq(t_fake_port_mem_read(&in, &t.fp, T_EP_BAR2_ADDR, 4),
		     FAB_CPL_UR);
}

Test(sim_endpoint, hot_reset_forgets_the_bar_addresses)
{
	uint32_t in = 0;

	t_ep_assign(&t);
	sim_link_hot_reset(t.fp.link, &t.fp.port);
	sim_clock_run_for(t.clk, T_EP_TRAIN_NS);
	cr_assert_eq(t_fake_port_mem_read(&in, &t.fp, T_EP_BAR0_ADDR, 4),
		     FAB_CPL_UR);
	/* decode back on, but the BARs were reset: nothing at the old ones */
	t_ep_wr(&t, t.pf, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	cr_assert_eq(t_fake_port_mem_read(&in, &t.fp, T_EP_BAR0_ADDR, 4),
		     FAB_CPL_UR);
	cr_assert_eq(t_fake_port_mem_read(&in, &t.fp, T_EP_BAR2_ADDR, 4),
		     FAB_CPL_UR);
}

Test(sim_endpoint, mem_peek_outside_bar_is_erange)
{
	struct fm_err err = { 0 };
	uint8_t buf[8];

	cr_assert_eq(sim_fn_mem_peek(sim_ep_pf(t.ep), 2, T_EP_BAR2_SIZE - 4,
				     buf, 8, &err),
		     -FM_ERANGE);
	cr_assert_eq(err.code, FM_ERANGE);
	cr_assert(strstr(err.msg, "beyond BAR 2"), "%s", err.msg);
	cr_assert_eq(sim_fn_mem_peek(sim_ep_pf(t.ep), 1, 0, buf, 4, NULL),
		     -FM_ERANGE);
}

Test(sim_endpoint, large_bar_costs_nothing_until_written)
{
	uint64_t before;
	uint8_t v = 1;

	t_ep_assign(&t);
	before = sim_ep_footprint(t.ep);
	t_fake_port_mem_write(&t.fp, T_EP_BAR3_ADDR + T_EP_BAR3_SIZE - 1, &v,
			      1);
	/* one sparse-memory page (and at most a small index), not 1 MiB */
	cr_assert_lt(sim_ep_footprint(t.ep) - before, 8192);
	cr_assert_geq(sim_ep_footprint(t.ep) - before, SIM_SPARSE_PAGE_SIZE);
}

/* ---- DMA ---- */

Test(sim_endpoint, dma_refused_without_bus_master_enable)
{
	struct fm_err err = { 0 };
	uint8_t buf[4] = { 0 };

	cr_assert_eq(sim_fn_dma_write(sim_ep_pf(t.ep), 0x1000, buf, 4, &err),
		     -FM_ESTATE);
	cr_assert(strstr(err.msg, "Bus Master"), "%s", err.msg);
	cr_assert_eq(t_fake_port_rx_count(&t.fp), 0);
}

Test(sim_endpoint, dma_read_refused_without_bus_master_enable)
{
	uint8_t buf[4], status = 0xee;

	cr_assert_eq(
		sim_fn_dma_read(sim_ep_pf(t.ep), 0x1000, buf, 4, &status, NULL),
		-FM_ESTATE);
	cr_assert_eq(t_fake_port_rx_count(&t.fp), 0);
	cr_assert_eq(status, 0xee);
}

Test(sim_endpoint, dma_write_goes_upstream_with_the_function_rid)
{
	uint8_t buf[100];
	const struct fab_tlp *w;

	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	t_ep_wr(&t, t.pf, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	cr_assert_eq(sim_fn_dma_write(sim_ep_pf(t.ep), 0x5000, buf, sizeof(buf),
				      NULL),
		     0);
	/* 100 bytes: one full TLP and the rest */
	cr_assert_eq(t_fake_port_rx_count(&t.fp), 2);
	w = t_fake_port_rx_tlp(&t.fp, 0);
	cr_assert_eq(w->type, FAB_TLP_MEM_WR);
	cr_assert_eq(w->requester, t.pf);
	cr_assert_eq(w->addr, 0x5000);
	cr_assert_eq(w->len, FAB_TLP_MAX_DATA);
	cr_assert_arr_eq(w->data, buf, FAB_TLP_MAX_DATA);
	w = t_fake_port_rx_tlp(&t.fp, 1);
	cr_assert_eq(w->addr, 0x5000 + FAB_TLP_MAX_DATA);
	cr_assert_eq(w->len, sizeof(buf) - FAB_TLP_MAX_DATA);
}

Test(sim_endpoint, dma_never_crosses_a_4k_boundary)
{
	uint8_t buf[16] = { 0 };

	t_ep_wr(&t, t.pf, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	cr_assert_eq(sim_fn_dma_write(sim_ep_pf(t.ep), 0x1ff8, buf, 16, NULL),
		     0);
	cr_assert_eq(t_fake_port_rx_count(&t.fp), 2);
	cr_assert_eq(t_fake_port_rx_tlp(&t.fp, 0)->len, 8);
	cr_assert_eq(t_fake_port_rx_tlp(&t.fp, 1)->addr, 0x2000);
}

Test(sim_endpoint, dma_read_returns_completion_data)
{
	uint8_t buf[8], want[8], status = 0xee;

	memset(want, 0xa5, sizeof(want));
	t.fp.rd_fill = 0xa5;
	t_ep_wr(&t, t.pf, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	cr_assert_eq(
		sim_fn_dma_read(sim_ep_pf(t.ep), 0x3000, buf, 8, &status, NULL),
		0);
	cr_assert_eq(status, FAB_CPL_SC);
	cr_assert_arr_eq(buf, want, 8);
	cr_assert_eq(t_fake_port_rx_tlp(&t.fp, 0)->type, FAB_TLP_MEM_RD);
	cr_assert_eq(t_fake_port_rx_tlp(&t.fp, 0)->requester, t.pf);
}

Test(sim_endpoint, dma_read_reports_ur_and_all_ones)
{
	uint8_t buf[4] = { 0 }, status = 0;

	t.fp.np_status = FAB_CPL_UR;
	t_ep_wr(&t, t.pf, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	cr_assert_eq(
		sim_fn_dma_read(sim_ep_pf(t.ep), 0x3000, buf, 4, &status, NULL),
		0);
	cr_assert_eq(status, FAB_CPL_UR);
	cr_assert_eq(buf[0], 0xff);
	cr_assert_eq(buf[3], 0xff);
}

Test(sim_endpoint, dma_read_completer_abort_sets_received_target_abort)
{
	uint8_t buf[4] = { 0 }, status = 0;

	t.fp.np_status = FAB_CPL_CA;
	t_ep_wr(&t, t.pf, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	cr_assert_eq(
		sim_fn_dma_read(sim_ep_pf(t.ep), 0x3000, buf, 4, &status, NULL),
		0);
	cr_assert_eq(status, FAB_CPL_CA);
	cr_assert(t_ep_rd(&t, t.pf, PCI_STATUS, 2) &
		  PCI_STATUS_REC_TARGET_ABORT);
	cr_assert_not(t_ep_rd(&t, t.pf, PCI_STATUS, 2) &
		      PCI_STATUS_REC_MASTER_ABORT);
}

Test(sim_endpoint, dma_read_stops_at_the_first_failed_completion)
{
	uint8_t buf[128], status = 0;

	t.fp.np_status = FAB_CPL_UR;
	t_ep_wr(&t, t.pf, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	cr_assert_eq(sim_fn_dma_read(sim_ep_pf(t.ep), 0x3000, buf, sizeof(buf),
				     &status, NULL),
		     0);
	cr_assert_eq(t_fake_port_rx_count(&t.fp), 1);
	cr_assert_eq(buf[sizeof(buf) - 1], 0xff);
}

Test(sim_endpoint, dma_of_zero_bytes_is_einval)
{
	struct fm_err err = { 0 };
	uint8_t buf[1];

	t_ep_wr(&t, t.pf, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	cr_assert_eq(sim_fn_dma_write(sim_ep_pf(t.ep), 0x1000, buf, 0, &err),
		     -FM_EINVAL);
	cr_assert_eq(err.code, FM_EINVAL);
	cr_assert_eq(t_fake_port_rx_count(&t.fp), 0);
}

Test(sim_endpoint, dma_with_link_down_is_eio)
{
	uint8_t buf[4] = { 0 };

	t_ep_wr(&t, t.pf, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	sim_link_down(t.fp.link);
	cr_assert_eq(sim_fn_dma_write(sim_ep_pf(t.ep), 0x1000, buf, 4, NULL),
		     -FM_EIO);
	cr_assert_eq(t_fake_port_rx_count(&t.fp), 0);
}

/* ---- Transactions Pending ---- */

Test(sim_endpoint, transactions_pending_while_requests_are_held)
{
	uint16_t devsta = t.exp + PCI_EXP_DEVSTA;

	cr_assert_not(t_ep_rd(&t, t.pf, devsta, 2) & PCI_EXP_DEVSTA_TRPND);
	sim_fn_hold_transactions(sim_ep_pf(t.ep), 2, 5 * FAB_NS_PER_MS);
	cr_assert(t_ep_rd(&t, t.pf, devsta, 2) & PCI_EXP_DEVSTA_TRPND);
	sim_clock_run_for(t.clk, 5 * FAB_NS_PER_MS - 1);
	cr_assert(t_ep_rd(&t, t.pf, devsta, 2) & PCI_EXP_DEVSTA_TRPND);
	sim_clock_run_for(t.clk, 1);
	cr_assert_not(t_ep_rd(&t, t.pf, devsta, 2) & PCI_EXP_DEVSTA_TRPND);
}

Test(sim_endpoint, transactions_pending_until_the_last_hold_completes)
{
	uint16_t devsta = t.exp + PCI_EXP_DEVSTA;

	sim_fn_hold_transactions(sim_ep_pf(t.ep), 1, 1 * FAB_NS_PER_MS);
	sim_fn_hold_transactions(sim_ep_pf(t.ep), 1, 3 * FAB_NS_PER_MS);
	sim_clock_run_for(t.clk, 2 * FAB_NS_PER_MS);
	cr_assert(t_ep_rd(&t, t.pf, devsta, 2) & PCI_EXP_DEVSTA_TRPND);
	sim_clock_run_for(t.clk, 1 * FAB_NS_PER_MS);
	cr_assert_not(t_ep_rd(&t, t.pf, devsta, 2) & PCI_EXP_DEVSTA_TRPND);
}

Test(sim_endpoint, transactions_pending_bit_ignores_writes)
{
	uint16_t devsta = t.exp + PCI_EXP_DEVSTA;

	sim_fn_hold_transactions(sim_ep_pf(t.ep), 1, FAB_NS_PER_MS);
	t_ep_wr(&t, t.pf, devsta, 2, 0xffff);
	cr_assert(t_ep_rd(&t, t.pf, devsta, 2) & PCI_EXP_DEVSTA_TRPND);
}

/* ---- link ---- */

Test(sim_endpoint, device_is_unreachable_with_the_link_down)
{
	uint32_t v = 0;

	sim_link_down(t.fp.link);
	cr_assert_eq(t_fake_port_cfg_read(&v, &t.fp, t.pf, PCI_VENDOR_ID, 2),
		     FAB_CPL_UR);
	sim_link_train(t.fp.link);
	sim_clock_run_for(t.clk, T_EP_TRAIN_NS);
	cr_assert_eq(t_ep_rd(&t, t.pf, PCI_VENDOR_ID, 2), T_EP_VENDOR);
}

Test(sim_endpoint, link_down_keeps_device_state)
{
	t_ep_wr(&t, t.pf, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	sim_link_down(t.fp.link);
	sim_link_train(t.fp.link);
	sim_clock_run_for(t.clk, T_EP_TRAIN_NS);
	cr_assert_eq(t_ep_rd(&t, t.pf, PCI_COMMAND, 2), PCI_COMMAND_MASTER);
}

Test(sim_endpoint, hot_reset_returns_the_device_to_power_on_state)
{
	uint32_t v = 0x12345678, peek = 1;

	t_ep_assign(&t);
	t_fake_port_mem_write(&t.fp, T_EP_BAR0_ADDR, &v, 4);
	t_ep_enable_vfs(&t, 4);
	sim_link_hot_reset(t.fp.link, &t.fp.port);
	sim_clock_run_for(t.clk, T_EP_TRAIN_NS);
	cr_assert_eq(t_ep_rd(&t, t.pf, PCI_COMMAND, 2), 0);
	cr_assert_eq(t_ep_rd(&t, t.pf, PCI_BASE_ADDRESS_0, 4),
		     PCI_BASE_ADDRESS_MEM_TYPE_64);
	cr_assert_eq(sim_ep_num_vfs_enabled(t.ep), 0);
	cr_assert_eq(sim_fn_mem_peek(sim_ep_pf(t.ep), 0, 0, &peek, 4, NULL), 0);
	cr_assert_eq(peek, 0);
	/* the link it comes back on is still reported */
	cr_assert_eq(FM_FIELD_GET(PCI_EXP_LNKSTA_WIDTH,
				  t_ep_rd(&t, t.pf, t.exp + PCI_EXP_LNKSTA, 2)),
		     4);
}

/* ---- description checks ---- */

static int new_ep(struct sim_ep_desc *d, struct fm_err *err)
{
	struct sim_ep *ep = NULL;
	int ret = sim_ep_new(&ep, t.clk, d, 0x20, err);

	sim_ep_free(ep);
	return ret;
}

Test(sim_endpoint, desc_bar_size_not_power_of_two_is_einval)
{
	struct sim_ep_desc d = t_ep_desc_nic();
	struct fm_err err = { 0 };

	d.bar[2].size = 0x3000;
	cr_assert_eq(new_ep(&d, &err), -FM_EINVAL);
	cr_assert(strstr(err.msg, "BAR2 size 0x3000"), "%s", err.msg);
}

Test(sim_endpoint, desc_64bit_bar_in_last_slot_is_einval)
{
	struct sim_ep_desc d = t_ep_desc_plain();
	struct fm_err err = { 0 };

	d.bar[5] = (struct sim_bar_desc){ 0x1000, true, false };
	cr_assert_eq(new_ep(&d, &err), -FM_EINVAL);
	cr_assert(strstr(err.msg, "64-bit BAR5"), "%s", err.msg);
}

Test(sim_endpoint, desc_64bit_bar_with_used_upper_slot_is_einval)
{
	struct sim_ep_desc d = t_ep_desc_nic();
	struct fm_err err = { 0 };

	d.bar[1] = (struct sim_bar_desc){ 0x1000, false, false };
	cr_assert_eq(new_ep(&d, &err), -FM_EINVAL);
	cr_assert(strstr(err.msg, "slot 1"), "%s", err.msg);
}

Test(sim_endpoint, desc_32bit_bar_above_2g_is_erange)
{
	struct sim_ep_desc d = t_ep_desc_plain();
	struct fm_err err = { 0 };

	d.bar[0].size = 1ULL << 32;
	cr_assert_eq(new_ep(&d, &err), -FM_ERANGE);
	cr_assert(strstr(err.msg, "32-bit"), "%s", err.msg);
}

Test(sim_endpoint, desc_total_vfs_above_256_is_erange)
{
	struct sim_ep_desc d = t_ep_desc_nic();
	struct fm_err err = { 0 };

	d.total_vfs = SIM_MAX_VFS + 1;
	cr_assert_eq(new_ep(&d, &err), -FM_ERANGE);
	cr_assert(strstr(err.msg, "TotalVFs 257"), "%s", err.msg);
}

Test(sim_endpoint, desc_zero_vf_stride_with_many_vfs_is_einval)
{
	struct sim_ep_desc d = t_ep_desc_nic();
	struct fm_err err = { 0 };

	d.vf_stride = 0;
	cr_assert_eq(new_ep(&d, &err), -FM_EINVAL);
	cr_assert(strstr(err.msg, "VF Stride 0"), "%s", err.msg);
}

Test(sim_endpoint, desc_vfs_beyond_bus_ff_is_erange)
{
	struct sim_ep_desc d = t_ep_desc_nic();
	struct sim_ep *ep = NULL;
	struct fm_err err = { 0 };

	d.total_vfs = 256;
	d.vf_stride = 4;
	cr_assert_eq(sim_ep_new(&ep, t.clk, &d, 0xfe, &err), -FM_ERANGE);
	cr_assert_null(ep);
	cr_assert(strstr(err.msg, "beyond bus ff"), "%s", err.msg);
}

Test(sim_endpoint, desc_bad_link_width_is_erange)
{
	struct sim_ep_desc d = t_ep_desc_plain();
	struct fm_err err = { 0 };

	d.link_width = 3;
	cr_assert_eq(new_ep(&d, &err), -FM_ERANGE);
	cr_assert(strstr(err.msg, "x3"), "%s", err.msg);
}
