/* SPDX-License-Identifier: MIT */
/*
 * Switch silicon forwarding engine: what link partners observe when the
 * tables (programmed through the chip HAL, as firmware does) route, trap,
 * translate or refuse their requests.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/support/switch_fixture.h"

static struct t_sw t;

static void setup(void)
{
	t_sw_init(&t, NULL, "sw0", NULL);
}

static void teardown(void)
{
	t_sw_fini(&t);
}

TestSuite(sim_switch, .init = setup, .fini = teardown);

/* Host-side requester: the blade's root complex. */
#define HOST_RID FAB_RID(0, 0, 0)

static struct fab_tlp cfg_rd(bool type1, uint16_t target, uint16_t reg)
{
	struct fab_tlp tlp;

	cr_assert_eq(
		fab_tlp_cfg_read(&tlp, type1, HOST_RID, target, reg, 4, NULL),
		0);
	return tlp;
}

static struct fab_tlp mem_rd(uint16_t requester, uint64_t addr, unsigned len)
{
	struct fab_tlp tlp;

	cr_assert_eq(fab_tlp_mem_read(&tlp, requester, addr, len, NULL), 0);
	return tlp;
}

static struct fab_tlp mem_wr(uint16_t requester, uint64_t addr,
			     const void *data, unsigned len)
{
	struct fab_tlp tlp;

	cr_assert_eq(fab_tlp_mem_write(&tlp, requester, addr, data, len, NULL),
		     0);
	return tlp;
}

static void add_window(unsigned port, uint64_t base, uint64_t size,
		       unsigned egress, uint64_t target)
{
	struct fab_mem_window w = { .base = base,
				    .size = size,
				    .egress_port = (uint8_t)egress,
				    .target_base = target };
	struct fm_err err = { 0 };

	cr_assert_eq(t.ops->mem_window_add(t.chip, port, &w, &err), 0, "%s",
		     err.msg);
}

static void set_rid_route(unsigned port, uint16_t requester, unsigned egress,
			  uint16_t new_requester)
{
	struct fab_rid_route r = { .kind = FAB_ROUTE_FORWARD,
				   .egress_port = (uint8_t)egress,
				   .new_requester = new_requester };

	cr_assert_eq(t.ops->rid_route(t.chip, port, requester, &r, NULL), 0);
}

static unsigned partners_rx(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < T_SW_CABLED; i++)
		n += t.part[i].rx;
	return n;
}

/* ------------------------------------------------------------------ */

Test(sim_switch, empty_tables_blade_sees_ur_for_every_nonposted_request)
{
	struct fab_tlp reqs[] = { cfg_rd(false, FAB_RID(1, 0, 0), 0),
				  cfg_rd(true, FAB_RID(2, 0, 0), 0),
				  mem_rd(HOST_RID, 0x80000000, 4) };
	struct fab_tlp cpl;

	for (unsigned i = 0; i < FM_ARRAY_SIZE(reqs); i++) {
		cr_assert_eq(t_partner_send(&t.part[0], &reqs[i], &cpl),
			     SIM_RX_COMPLETED);
		cr_assert_eq(cpl.status, FAB_CPL_UR, "request %u", i);
	}
	cr_assert_eq(partners_rx(), 0);
}

Test(sim_switch, empty_tables_blade_memory_write_is_dropped)
{
	uint32_t v = 0xdeadbeef;
	struct fab_tlp req = mem_wr(HOST_RID, 0x80000000, &v, 4);
	struct fab_tlp cpl;

	cr_assert_eq(t_partner_send(&t.part[0], &req, &cpl), SIM_RX_DROPPED);
	cr_assert_eq(partners_rx(), 0);
}

struct trap_log {
	unsigned calls;
	unsigned ingress;
	struct fab_tlp req;
};

static void trap_answer(void *ctx, unsigned ingress, const struct fab_tlp *req,
			struct fab_tlp *cpl)
{
	struct trap_log *log = ctx;

	log->calls++;
	log->ingress = ingress;
	log->req = *req;
	fab_tlp_complete(cpl, req, 0x0100, FAB_CPL_SC);
	fab_tlp_set_cfg_value(cpl, 0xabcd0000u | req->cfg_reg);
}

Test(sim_switch, type0_trap_reaches_handler_with_ingress_port)
{
	struct fab_cfg_route trap = { .kind = FAB_ROUTE_TRAP };
	struct fab_tlp req = cfg_rd(false, FAB_RID(1, 0, 0), 0x40);
	struct trap_log log = { 0 };
	struct fab_tlp cpl;

	cr_assert_eq(t.ops->cfg_route_type0(t.chip, 1, &trap, NULL), 0);
	t.ops->set_trap_handler(t.chip, trap_answer, &log);

	cr_assert_eq(t_partner_send(&t.part[1], &req, &cpl), SIM_RX_COMPLETED);
	cr_assert_eq(log.calls, 1);
	cr_assert_eq(log.ingress, 1);
	cr_assert_eq(log.req.cfg_target, FAB_RID(1, 0, 0));
	cr_assert_eq(cpl.status, FAB_CPL_SC);
	cr_assert_eq(fab_tlp_cfg_value(&cpl), 0xabcd0040u);
	cr_assert_eq(t_sw_counters(&t, 1).trapped, 1);
}

Test(sim_switch, trap_handler_sees_request_when_completion_shares_buffer)
{
	struct fab_cfg_route trap = { .kind = FAB_ROUTE_TRAP };
	struct fab_tlp buf = cfg_rd(false, FAB_RID(1, 0, 0), 0x44);
	struct trap_log log = { 0 };

	cr_assert_eq(t.ops->cfg_route_type0(t.chip, 0, &trap, NULL), 0);
	t.ops->set_trap_handler(t.chip, trap_answer, &log);
	cr_assert_eq(t_partner_send(&t.part[0], &buf, &buf), SIM_RX_COMPLETED);
	cr_assert_eq(log.req.type, FAB_TLP_CFG_RD0);
	cr_assert_eq(log.req.cfg_reg, 0x44);
	cr_assert_eq(fab_tlp_cfg_value(&buf), 0xabcd0044u);
}

Test(sim_switch, trap_route_without_handler_is_ur_violation)
{
	struct fab_cfg_route trap = { .kind = FAB_ROUTE_TRAP };
	struct fab_tlp req = cfg_rd(false, FAB_RID(1, 0, 0), 0);
	struct fab_tlp cpl;

	cr_assert_eq(t.ops->cfg_route_type0(t.chip, 0, &trap, NULL), 0);
	t_partner_send(&t.part[0], &req, &cpl);
	cr_assert_eq(cpl.status, FAB_CPL_UR);
	cr_assert_eq(t_sw_counters(&t, 0).trapped, 0);
	cr_assert_eq(t_sw_events(&t, FAB_CHIP_EV_VIOLATION), 1);
}

Test(sim_switch, trap_handler_that_leaves_completion_gives_ur)
{
	struct fab_cfg_route trap = { .kind = FAB_ROUTE_TRAP };
	struct fab_tlp req = cfg_rd(true, FAB_RID(3, 0, 0), 0);
	struct fab_tlp cpl;

	cr_assert_eq(t.ops->cfg_route_bus(t.chip, 0, 3, &trap, NULL), 0);
	t.ops->set_trap_handler(t.chip, (fab_chip_trap_fn *)NULL, NULL);
	t_partner_send(&t.part[0], &req, &cpl);
	cr_assert_eq(cpl.status, FAB_CPL_UR);
}

Test(sim_switch, bus_route_forwards_type0_with_bus_rewritten)
{
	struct fab_cfg_route r = { .kind = FAB_ROUTE_FORWARD,
				   .egress_port = 2,
				   .target_rid = FAB_RID(0x20, 0, 0) };
	struct fab_tlp req = cfg_rd(true, FAB_RID(5, 0, 1), 0x10);
	struct fab_tlp cpl;

	t.part[2].cfg_value = 0xfeedf00d;
	cr_assert_eq(t.ops->cfg_route_bus(t.chip, 0, 5, &r, NULL), 0);

	cr_assert_eq(t_partner_send(&t.part[0], &req, &cpl), SIM_RX_COMPLETED);
	cr_assert_eq(t.part[2].rx, 1);
	cr_assert_eq(t.part[2].last.type, FAB_TLP_CFG_RD0);
	cr_assert_eq(t.part[2].last.cfg_target, FAB_RID(0x20, 0, 1));
	cr_assert_eq(t.part[2].last.cfg_reg, 0x10);
	cr_assert_eq(cpl.status, FAB_CPL_SC);
	cr_assert_eq(fab_tlp_cfg_value(&cpl), 0xfeedf00d);
}

Test(sim_switch, rid_route_forwards_config_with_target_rid_rewritten)
{
	struct fab_cfg_route r = { .kind = FAB_ROUTE_FORWARD,
				   .egress_port = 3,
				   .target_rid = FAB_RID(0x31, 2, 5) };
	struct fab_tlp req;
	struct fab_tlp cpl;

	cr_assert_eq(fab_tlp_cfg_write(&req, true, HOST_RID, FAB_RID(6, 0, 3),
				       0x04, 2, 0x0006, NULL),
		     0);
	cr_assert_eq(
		t.ops->cfg_route_rid(t.chip, 0, FAB_RID(6, 0, 3), &r, NULL), 0);

	cr_assert_eq(t_partner_send(&t.part[0], &req, &cpl), SIM_RX_COMPLETED);
	cr_assert_eq(t.part[3].rx, 1);
	cr_assert_eq(t.part[3].last.type, FAB_TLP_CFG_WR0);
	cr_assert_eq(t.part[3].last.cfg_target, FAB_RID(0x31, 2, 5));
	cr_assert_eq(fab_tlp_cfg_value(&t.part[3].last), 0x0006);
	cr_assert_eq(cpl.status, FAB_CPL_SC);
}

Test(sim_switch, rid_route_takes_precedence_over_bus_route)
{
	struct fab_cfg_route bus = { .kind = FAB_ROUTE_FORWARD,
				     .egress_port = 2,
				     .target_rid = FAB_RID(0x20, 0, 0) };
	struct fab_cfg_route rid = { .kind = FAB_ROUTE_FORWARD,
				     .egress_port = 3,
				     .target_rid = FAB_RID(0x30, 0, 4) };
	struct fab_tlp to_rid = cfg_rd(true, FAB_RID(5, 0, 2), 0);
	struct fab_tlp to_bus = cfg_rd(true, FAB_RID(5, 0, 1), 0);
	struct fab_tlp cpl;

	cr_assert_eq(t.ops->cfg_route_bus(t.chip, 0, 5, &bus, NULL), 0);
	cr_assert_eq(
		t.ops->cfg_route_rid(t.chip, 0, FAB_RID(5, 0, 2), &rid, NULL),
		0);

	t_partner_send(&t.part[0], &to_rid, &cpl);
	cr_assert_eq(t.part[3].rx, 1);
	cr_assert_eq(t.part[3].last.cfg_target, FAB_RID(0x30, 0, 4));
	cr_assert_eq(t.part[2].rx, 0);
	t_partner_send(&t.part[0], &to_bus, &cpl);
	cr_assert_eq(t.part[2].rx, 1);
	cr_assert_eq(t.part[2].last.cfg_target, FAB_RID(0x20, 0, 1));
}

Test(sim_switch, clearing_rid_route_falls_back_to_bus_route)
{
	struct fab_cfg_route bus = { .kind = FAB_ROUTE_FORWARD,
				     .egress_port = 2,
				     .target_rid = FAB_RID(0x20, 0, 0) };
	struct fab_cfg_route rid = { .kind = FAB_ROUTE_FORWARD,
				     .egress_port = 3,
				     .target_rid = FAB_RID(0x30, 0, 0) };
	struct fab_cfg_route none = { .kind = FAB_ROUTE_NONE };
	struct fab_tlp req = cfg_rd(true, FAB_RID(5, 0, 0), 0);
	struct fab_tlp cpl;

	cr_assert_eq(t.ops->cfg_route_bus(t.chip, 0, 5, &bus, NULL), 0);
	cr_assert_eq(
		t.ops->cfg_route_rid(t.chip, 0, req.cfg_target, &rid, NULL), 0);
	cr_assert_eq(
		t.ops->cfg_route_rid(t.chip, 0, req.cfg_target, &none, NULL),
		0);
	t_partner_send(&t.part[0], &req, &cpl);
	cr_assert_eq(t.part[2].rx, 1);
	cr_assert_eq(t.part[3].rx, 0);
}

Test(sim_switch, routes_belong_to_their_ingress_port)
{
	struct fab_cfg_route r = { .kind = FAB_ROUTE_FORWARD,
				   .egress_port = 2,
				   .target_rid = FAB_RID(0x20, 0, 0) };
	struct fab_tlp req = cfg_rd(true, FAB_RID(5, 0, 0), 0);
	struct fab_tlp cpl;

	cr_assert_eq(t.ops->cfg_route_bus(t.chip, 0, 5, &r, NULL), 0);
	t_partner_send(&t.part[1], &req, &cpl);
	cr_assert_eq(cpl.status, FAB_CPL_UR);
	cr_assert_eq(t.part[2].rx, 0);
}

Test(sim_switch, egress_type1_route_emits_type1_config)
{
	struct fab_cfg_route r = { .kind = FAB_ROUTE_FORWARD,
				   .egress_port = 2,
				   .egress_type1 = true,
				   .target_rid = FAB_RID(0x21, 0, 0) };
	struct fab_tlp req = cfg_rd(true, FAB_RID(5, 0, 0), 0);
	struct fab_tlp cpl;

	cr_assert_eq(t.ops->cfg_route_bus(t.chip, 0, 5, &r, NULL), 0);
	t_partner_send(&t.part[0], &req, &cpl);
	cr_assert_eq(t.part[2].last.type, FAB_TLP_CFG_RD1);
	cr_assert_eq(t.part[2].last.cfg_target, FAB_RID(0x21, 0, 0));
}

Test(sim_switch, memory_window_translates_address_of_write)
{
	uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct fab_tlp req = mem_wr(HOST_RID, 0x80000010, data, sizeof(data));
	struct fab_tlp cpl;

	add_window(0, 0x80000000, 0x1000, 2, 0x4000000000ull);
	cr_assert_eq(t_partner_send(&t.part[0], &req, &cpl), SIM_RX_ACCEPTED);
	cr_assert_eq(t.part[2].rx, 1);
	cr_assert_eq(t.part[2].last.type, FAB_TLP_MEM_WR);
	cr_assert_eq(t.part[2].last.addr, 0x4000000010ull);
	cr_assert_eq(t.part[2].last.requester, HOST_RID);
	cr_assert_arr_eq(t.part[2].last.data, data, sizeof(data));
}

Test(sim_switch, memory_window_read_returns_data_written_through_it)
{
	uint32_t v = 0xcafef00d, got = 0;
	struct fab_tlp wr = mem_wr(HOST_RID, 0x90000ff0, &v, 4);
	struct fab_tlp rd = mem_rd(HOST_RID, 0x90000ff0, 4);
	struct fab_tlp cpl;

	add_window(1, 0x90000000, 0x100000, 3, 0x200000);
	t_partner_send(&t.part[1], &wr, &cpl);
	cr_assert_eq(t_partner_send(&t.part[1], &rd, &cpl), SIM_RX_COMPLETED);
	cr_assert_eq(cpl.status, FAB_CPL_SC);
	memcpy(&got, cpl.data, 4);
	cr_assert_eq(got, v);
	cr_assert_eq(t.part[3].last.addr, 0x200ff0);
}

Test(sim_switch, memory_access_crossing_window_end_is_violation)
{
	struct fab_tlp req = mem_rd(HOST_RID, 0x80000ffc, 8);
	struct fab_tlp cpl;

	add_window(0, 0x80000000, 0x1000, 2, 0);
	t_partner_send(&t.part[0], &req, &cpl);
	cr_assert_eq(cpl.status, FAB_CPL_UR);
	cr_assert_eq(t.part[2].rx, 0);
	cr_assert_eq(t_sw_events(&t, FAB_CHIP_EV_VIOLATION), 1);
}

Test(sim_switch, posted_violation_is_dropped_counted_and_reported)
{
	uint32_t v = 1;
	struct fab_tlp req = mem_wr(FAB_RID(0, 1, 0), 0x123456000ull, &v, 4);
	const struct fab_chip_event *ev;
	struct fab_port_counters c;
	struct fab_tlp cpl;

	add_window(1, 0x123456000ull, 0x1000, 2, 0); /* another port's */
	cr_assert_eq(t_partner_send(&t.part[0], &req, &cpl), SIM_RX_DROPPED);
	cr_assert_eq(partners_rx(), 0);
	c = t_sw_counters(&t, 0);
	cr_assert_eq(c.tlp_in, 1);
	cr_assert_eq(c.dropped, 1);
	cr_assert_eq(c.ur, 0);
	ev = t_sw_last_event(&t, FAB_CHIP_EV_VIOLATION);
	cr_assert_not_null(ev);
	cr_assert_eq(ev->port, 0);
	cr_assert_eq(ev->tlp_type, FAB_TLP_MEM_WR);
	cr_assert_eq(ev->requester, FAB_RID(0, 1, 0));
	cr_assert_eq(ev->addr, 0x123456000ull);
}

Test(sim_switch, nonposted_violation_completes_ur_counted_and_reported)
{
	struct fab_tlp req = cfg_rd(true, FAB_RID(9, 1, 2), 0x08);
	const struct fab_chip_event *ev;
	struct fab_port_counters c;
	struct fab_tlp cpl;

	sim_clock_run_for(t.clk, 1234);
	cr_assert_eq(t_partner_send(&t.part[1], &req, &cpl), SIM_RX_COMPLETED);
	cr_assert_eq(cpl.status, FAB_CPL_UR);
	c = t_sw_counters(&t, 1);
	cr_assert_eq(c.ur, 1);
	cr_assert_eq(c.dropped, 0);
	ev = t_sw_last_event(&t, FAB_CHIP_EV_VIOLATION);
	cr_assert_not_null(ev);
	cr_assert_eq(ev->port, 1);
	cr_assert_eq(ev->tlp_type, FAB_TLP_CFG_RD1);
	cr_assert_eq(ev->cfg_target, FAB_RID(9, 1, 2));
	cr_assert_eq(ev->time_ns, sim_clock_now(t.clk));
}

Test(sim_switch, forwarded_request_counts_in_on_ingress_and_out_on_egress)
{
	struct fab_tlp req = mem_rd(HOST_RID, 0x80000000, 4);
	struct fab_tlp cpl;

	add_window(0, 0x80000000, 0x1000, 2, 0);
	t_partner_send(&t.part[0], &req, &cpl);
	t_partner_send(&t.part[0], &req, &cpl);
	cr_assert_eq(t_sw_counters(&t, 0).tlp_in, 2);
	cr_assert_eq(t_sw_counters(&t, 0).tlp_out, 0);
	cr_assert_eq(t_sw_counters(&t, 2).tlp_out, 2);
	cr_assert_eq(t_sw_counters(&t, 2).tlp_in, 0);
}

Test(sim_switch, dma_from_device_follows_rid_route_with_requester_rewritten)
{
	uint64_t v = 0x0102030405060708ull;
	struct fab_tlp req = mem_wr(FAB_RID(0x20, 0, 3), 0x1000, &v, 8);
	struct fab_tlp cpl;

	set_rid_route(2, FAB_RID(0x20, 0, 3), 1, FAB_RID(2, 0, 0));
	cr_assert_eq(t_partner_send(&t.part[2], &req, &cpl), SIM_RX_ACCEPTED);
	cr_assert_eq(t.part[1].rx, 1);
	cr_assert_eq(t.part[1].last.requester, FAB_RID(2, 0, 0));
	cr_assert_eq(t.part[1].last.addr, 0x1000);
	cr_assert_arr_eq(t.part[1].last.data, &v, 8);
	cr_assert_eq(t.part[0].rx, 0);
}

Test(sim_switch, dma_read_completes_with_host_data)
{
	uint32_t v = 0x55aa55aa, got;
	struct fab_tlp req = mem_rd(FAB_RID(0x30, 0, 1), 0x2040, 4);
	struct fab_tlp cpl;

	memcpy(&t.part[0].mem[0x40], &v, 4);
	set_rid_route(3, FAB_RID(0x30, 0, 1), 0, FAB_RID(1, 0, 0));
	cr_assert_eq(t_partner_send(&t.part[3], &req, &cpl), SIM_RX_COMPLETED);
	cr_assert_eq(cpl.status, FAB_CPL_SC);
	memcpy(&got, cpl.data, 4);
	cr_assert_eq(got, v);
}

Test(sim_switch, dma_without_rid_route_is_violation)
{
	uint32_t v = 7;
	struct fab_tlp msi;
	struct fab_tlp cpl;

	set_rid_route(2, FAB_RID(0x20, 0, 3), 1, FAB_RID(2, 0, 0));
	fab_tlp_msi(&msi, FAB_RID(0x20, 0, 4), FAB_MSI_ADDR_BASE, v);
	cr_assert_eq(t_partner_send(&t.part[2], &msi, &cpl), SIM_RX_DROPPED);
	cr_assert_eq(partners_rx(), 0);
	cr_assert_eq(t_sw_counters(&t, 2).dropped, 1);
	cr_assert_eq(t_sw_last_event(&t, FAB_CHIP_EV_VIOLATION)->requester,
		     FAB_RID(0x20, 0, 4));
}

Test(sim_switch, dma_does_not_use_memory_windows)
{
	struct fab_tlp req = mem_rd(FAB_RID(0x20, 0, 0), 0x80000000, 4);
	struct fab_tlp cpl;

	add_window(2, 0x80000000, 0x1000, 0, 0);
	t_partner_send(&t.part[2], &req, &cpl);
	cr_assert_eq(cpl.status, FAB_CPL_UR);
	cr_assert_eq(t.part[0].rx, 0);
}

Test(sim_switch, error_message_from_device_follows_rid_route)
{
	struct fab_tlp msg;
	struct fab_tlp cpl;

	set_rid_route(2, FAB_RID(0x20, 0, 0), 0, FAB_RID(3, 0, 0));
	fab_tlp_msg(&msg, FAB_RID(0x20, 0, 0), FAB_MSG_ERR_NONFATAL);
	cr_assert_eq(t_partner_send(&t.part[2], &msg, &cpl), SIM_RX_ACCEPTED);
	cr_assert_eq(t.part[0].rx, 1);
	cr_assert_eq(t.part[0].last.msg_code, FAB_MSG_ERR_NONFATAL);
	cr_assert_eq(t.part[0].last.requester, FAB_RID(3, 0, 0));
}

Test(sim_switch, message_from_host_ends_at_switch)
{
	struct fab_tlp msg;
	struct fab_tlp cpl;

	fab_tlp_msg(&msg, HOST_RID, FAB_MSG_SET_SLOT_POWER);
	cr_assert_eq(t_partner_send(&t.part[0], &msg, &cpl), SIM_RX_ACCEPTED);
	cr_assert_eq(partners_rx(), 0);
	cr_assert_eq(t_sw_events(&t, FAB_CHIP_EV_VIOLATION), 0);
}

Test(sim_switch, request_to_port_with_link_down_is_ur_without_violation)
{
	struct fab_tlp req = mem_rd(HOST_RID, 0x80000000, 4);
	struct fab_tlp cpl;

	add_window(0, 0x80000000, 0x1000, 2, 0);
	sim_link_down(t.link[2]);
	cr_assert_eq(t_partner_send(&t.part[0], &req, &cpl), SIM_RX_COMPLETED);
	cr_assert_eq(cpl.status, FAB_CPL_UR);
	cr_assert_eq(t.part[2].rx, 0);
	cr_assert_eq(t_sw_counters(&t, 0).ur, 1);
	cr_assert_eq(t_sw_counters(&t, 2).tlp_out, 0);
	cr_assert_eq(t_sw_events(&t, FAB_CHIP_EV_VIOLATION), 0);
	cr_assert_eq(t_sw_events(&t, FAB_CHIP_EV_LINK_DOWN), 1);
}

Test(sim_switch, completion_arriving_as_request_is_dropped)
{
	struct fab_tlp req = mem_rd(HOST_RID, 0, 4);
	struct fab_tlp cpl, stray;

	fab_tlp_complete(&stray, &req, HOST_RID, FAB_CPL_SC);
	cr_assert_eq(t_partner_send(&t.part[0], &stray, &cpl), SIM_RX_DROPPED);
	cr_assert_eq(t_sw_counters(&t, 0).dropped, 1);
}

/* Sends a 4-byte read to @addr from blade 0; the completion status. */
static uint8_t probe(uint64_t addr)
{
	struct fab_tlp req = mem_rd(HOST_RID, addr, 4);
	struct fab_tlp cpl;

	t_partner_send(&t.part[0], &req, &cpl);
	return cpl.status;
}

/* ------------------------------------------------------------------
 * Table rules: errors change nothing.
 */

Test(sim_switch, overlapping_window_is_refused_and_changes_nothing)
{
	struct fab_mem_window w = { .base = 0x80000800,
				    .size = 0x1000,
				    .egress_port = 3,
				    .target_base = 0 };
	struct fab_tlp req = mem_rd(HOST_RID, 0x80000900, 4);
	struct fab_tlp beyond = mem_rd(HOST_RID, 0x80001100, 4);
	struct fm_err err = { 0 };
	struct fab_tlp cpl;

	add_window(0, 0x80000000, 0x1000, 2, 0x10000);
	cr_assert_eq(t.ops->mem_window_add(t.chip, 0, &w, &err), -FM_EEXIST);
	cr_assert_eq(err.code, FM_EEXIST);
	cr_assert(strstr(err.msg, "0x80000800"), "%s", err.msg);
	cr_assert(strstr(err.msg, "overlaps window 0x80000000"), "%s", err.msg);

	t_partner_send(&t.part[0], &req, &cpl);
	cr_assert_eq(t.part[2].last.addr, 0x10900);
	cr_assert_eq(t.part[3].rx, 0);
	t_partner_send(&t.part[0], &beyond, &cpl);
	cr_assert_eq(cpl.status, FAB_CPL_UR);
}

Test(sim_switch, window_overlapping_next_window_is_refused)
{
	struct fab_mem_window w = { .base = 0x7ffff000,
				    .size = 0x1001,
				    .egress_port = 3 };

	add_window(0, 0x80000000, 0x1000, 2, 0);
	cr_assert_eq(t.ops->mem_window_add(t.chip, 0, &w, NULL), -FM_EEXIST);
}

Test(sim_switch, adjacent_windows_both_route)
{
	struct fab_tlp lo = mem_rd(HOST_RID, 0x80000fff, 1);
	struct fab_tlp hi = mem_rd(HOST_RID, 0x80001000, 1);
	struct fab_tlp cpl;

	add_window(0, 0x80001000, 0x1000, 3, 0x3000);
	add_window(0, 0x80000000, 0x1000, 2, 0x2000);
	t_partner_send(&t.part[0], &lo, &cpl);
	t_partner_send(&t.part[0], &hi, &cpl);
	cr_assert_eq(t.part[2].last.addr, 0x2fff);
	cr_assert_eq(t.part[3].last.addr, 0x3000);
}

Test(sim_switch, window_of_size_zero_is_invalid)
{
	struct fab_mem_window w = { .base = 0x1000,
				    .size = 0,
				    .egress_port = 2 };
	struct fm_err err = { 0 };

	cr_assert_eq(t.ops->mem_window_add(t.chip, 0, &w, &err), -FM_EINVAL);
	cr_assert(strstr(err.msg, "size 0"), "%s", err.msg);
}

Test(sim_switch, window_past_end_of_address_space_is_invalid)
{
	struct fab_mem_window w = { .base = UINT64_MAX - 0xfff,
				    .size = 0x2000,
				    .egress_port = 2 };
	struct fab_mem_window t_over = { .base = 0,
					 .size = 0x2000,
					 .egress_port = 2,
					 .target_base = UINT64_MAX - 0xfff };
	struct fab_mem_window last = { .base = UINT64_MAX - 0xfff,
				       .size = 0x1000,
				       .egress_port = 2 };
	struct fm_err err = { 0 };

	cr_assert_eq(t.ops->mem_window_add(t.chip, 0, &w, &err), -FM_EINVAL);
	cr_assert(strstr(err.msg, "end of the address space"), "%s", err.msg);
	cr_assert_eq(t.ops->mem_window_add(t.chip, 0, &t_over, NULL),
		     -FM_EINVAL);
	cr_assert_eq(t.ops->mem_window_add(t.chip, 0, &last, NULL), 0);
}

Test(sim_switch, table_update_on_bad_port_is_out_of_range)
{
	struct fab_mem_window w = { .base = 0,
				    .size = 0x1000,
				    .egress_port = 2 };
	struct fab_cfg_route r = { .kind = FAB_ROUTE_TRAP };
	struct fm_err err = { 0 };

	cr_assert_eq(t.ops->mem_window_add(t.chip, T_SW_PORTS, &w, &err),
		     -FM_ERANGE);
	cr_assert(strstr(err.msg, "no port 6"), "%s", err.msg);
	cr_assert_eq(t.ops->cfg_route_type0(t.chip, 200, &r, NULL), -FM_ERANGE);
	cr_assert_eq(t.ops->mem_window_del(t.chip, 99, 0, NULL), -FM_ERANGE);
}

Test(sim_switch, route_to_missing_egress_port_is_refused)
{
	struct fab_mem_window w = { .base = 0,
				    .size = 0x1000,
				    .egress_port = 9 };
	struct fab_cfg_route r = { .kind = FAB_ROUTE_FORWARD,
				   .egress_port = 6 };
	struct fab_rid_route rr = { .kind = FAB_ROUTE_FORWARD,
				    .egress_port = 200 };
	struct fab_tlp req = mem_rd(HOST_RID, 0, 4);
	struct fm_err err = { 0 };
	struct fab_tlp cpl;

	cr_assert_eq(t.ops->mem_window_add(t.chip, 0, &w, &err), -FM_ERANGE);
	cr_assert(strstr(err.msg, "egress port 9"), "%s", err.msg);
	cr_assert_eq(t.ops->cfg_route_bus(t.chip, 0, 1, &r, NULL), -FM_ERANGE);
	cr_assert_eq(t.ops->rid_route(t.chip, 2, 0x2000, &rr, NULL),
		     -FM_ERANGE);
	t_partner_send(&t.part[0], &req, &cpl);
	cr_assert_eq(cpl.status, FAB_CPL_UR);
}

Test(sim_switch, route_back_out_of_ingress_port_is_refused)
{
	struct fab_mem_window w = { .base = 0,
				    .size = 0x1000,
				    .egress_port = 0 };
	struct fm_err err = { 0 };

	cr_assert_eq(t.ops->mem_window_add(t.chip, 0, &w, &err), -FM_EINVAL);
	cr_assert(strstr(err.msg, "is the ingress port"), "%s", err.msg);
}

Test(sim_switch, bad_route_kinds_are_invalid)
{
	struct fab_cfg_route r = { .kind = 7 };
	struct fab_rid_route trap = { .kind = FAB_ROUTE_TRAP,
				      .egress_port = 1 };
	struct fm_err err = { 0 };

	cr_assert_eq(t.ops->cfg_route_type0(t.chip, 0, &r, NULL), -FM_EINVAL);
	cr_assert_eq(
		t.ops->rid_route(t.chip, 2, FAB_RID(0x20, 0, 0), &trap, &err),
		-FM_EINVAL);
	cr_assert(strstr(err.msg, "20:00.0"), "%s", err.msg);
}

Test(sim_switch, deleting_missing_window_is_enoent)
{
	struct fm_err err = { 0 };

	add_window(0, 0x80000000, 0x1000, 2, 0);
	cr_assert_eq(t.ops->mem_window_del(t.chip, 0, 0x80000010, &err),
		     -FM_ENOENT);
	cr_assert(strstr(err.msg, "0x80000010"), "%s", err.msg);
}

Test(sim_switch, deleted_window_no_longer_routes)
{
	struct fab_tlp req = mem_rd(HOST_RID, 0x80000000, 4);
	struct fab_tlp cpl;

	add_window(0, 0x80000000, 0x1000, 2, 0);
	add_window(0, 0x90000000, 0x1000, 3, 0);
	t_partner_send(&t.part[0], &req, &cpl);
	cr_assert_eq(cpl.status, FAB_CPL_SC);
	cr_assert_eq(t.ops->mem_window_del(t.chip, 0, 0x80000000, NULL), 0);
	t_partner_send(&t.part[0], &req, &cpl);
	cr_assert_eq(cpl.status, FAB_CPL_UR);
	req.addr = 0x90000000;
	t_partner_send(&t.part[0], &req, &cpl);
	cr_assert_eq(cpl.status, FAB_CPL_SC);
}

Test(sim_switch, window_table_full_is_no_space_and_keeps_routing)
{
	struct fab_mem_window w = { .size = 0x100, .egress_port = 2 };
	struct fm_err err = { 0 };
	unsigned n = 0;
	int ret;

	for (;;) {
		w.base = (uint64_t)n * 0x100;
		ret = t.ops->mem_window_add(t.chip, 0, &w, &err);
		if (ret < 0)
			break;
		n++;
	}
	cr_assert_eq(ret, -FM_ENOSPC);
	cr_assert_eq(n, 65536);
	cr_assert(strstr(err.msg, "window table full"), "%s", err.msg);
	cr_assert_eq(probe(0xfff00), FAB_CPL_SC);
	cr_assert_eq(probe((uint64_t)n * 0x100), FAB_CPL_UR);
}

Test(sim_switch, many_windows_each_route_to_their_own_target)
{
	enum { N = 2000 };
	uint32_t rng = 12345;
	struct fab_tlp cpl;
	unsigned order[N];

	/* insert in a shuffled order, windows 4 KiB apart with gaps */
	for (unsigned i = 0; i < N; i++)
		order[i] = i;
	for (unsigned i = N - 1; i > 0; i--) {
		unsigned j, tmp;

		rng = rng * 1103515245u + 12345u;
		j = (rng >> 8) % (i + 1);
		tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
	}
	for (unsigned i = 0; i < N; i++)
		add_window(0, 0x100000000ull + order[i] * 0x2000ull, 0x1000,
			   2 + order[i] % 2, order[i] * 0x10000ull);
	for (unsigned i = 0; i < N; i++) {
		struct fab_tlp in =
			mem_rd(HOST_RID, 0x100000000ull + i * 0x2000ull + 8, 4);
		struct fab_tlp gap =
			mem_rd(HOST_RID, 0x100001000ull + i * 0x2000ull, 4);
		struct t_partner *p = &t.part[2 + i % 2];

		t_partner_send(&t.part[0], &in, &cpl);
		cr_assert_eq(cpl.status, FAB_CPL_SC);
		cr_assert_eq(p->last.addr, i * 0x10000ull + 8, "window %u", i);
		t_partner_send(&t.part[0], &gap, &cpl);
		cr_assert_eq(cpl.status, FAB_CPL_UR, "gap after %u", i);
	}
}

Test(sim_switch, windows_in_far_apart_clusters_each_route)
{
	/* a 32-bit aperture, a 64-bit one, and the top of the address space */
	const uint64_t lo = 0xc0000000ull, hi = 0x4000000000ull;

	for (unsigned i = 0; i < 300; i++) {
		add_window(0, lo + i * 0x1000ull, 0x1000, 2, i * 0x10000ull);
		add_window(0, hi + i * 0x4000ull, 0x4000, 3, i * 0x10000ull);
	}
	add_window(0, UINT64_MAX - 0xfff, 0x1000, 2, 0x77000);
	for (unsigned i = 0; i < 300; i++) {
		cr_assert_eq(probe(lo + i * 0x1000ull + 0xffc), FAB_CPL_SC);
		cr_assert_eq(t.part[2].last.addr, i * 0x10000ull + 0xffc);
		cr_assert_eq(probe(hi + i * 0x4000ull + 0x10), FAB_CPL_SC);
		cr_assert_eq(t.part[3].last.addr, i * 0x10000ull + 0x10);
		cr_assert_eq(probe(hi + i * 0x4000ull), FAB_CPL_SC); /* base */
		cr_assert_eq(t.part[3].last.addr, i * 0x10000ull);
	}
	cr_assert_eq(probe(lo - 4), FAB_CPL_UR);
	cr_assert_eq(probe(lo + 300 * 0x1000ull), FAB_CPL_UR);
	cr_assert_eq(probe(hi + 300 * 0x4000ull), FAB_CPL_UR);
	cr_assert_eq(probe(UINT64_MAX - 3), FAB_CPL_SC);
	cr_assert_eq(t.part[2].last.addr, 0x77ffcull);
}

/* ------------------------------------------------------------------
 * Two switches joined by their fabric ports.
 */

Test(sim_switch, config_forwarded_to_fabric_port_is_routed_by_peer_tables)
{
	struct t_sw peer;
	struct fab_cfg_route a = { .kind = FAB_ROUTE_FORWARD,
				   .egress_port = T_SW_FABRIC,
				   .egress_type1 = true,
				   .target_rid = FAB_RID(0x80, 0, 0) };
	struct fab_cfg_route b = { .kind = FAB_ROUTE_FORWARD,
				   .egress_port = 3,
				   .target_rid = FAB_RID(0x30, 0, 0) };
	struct fab_tlp req = cfg_rd(true, FAB_RID(4, 0, 2), 0);
	struct fab_tlp cpl;

	t_sw_init(&peer, t.clk, "sw1", NULL);
	t_sw_cable_fabric(&t, &peer);
	peer.part[3].cfg_value = 0x600dcafe;
	cr_assert_eq(t.ops->cfg_route_bus(t.chip, 0, 4, &a, NULL), 0);
	cr_assert_eq(
		peer.ops->cfg_route_bus(peer.chip, T_SW_FABRIC, 0x80, &b, NULL),
		0);

	t_partner_send(&t.part[0], &req, &cpl);
	cr_assert_eq(peer.part[3].rx, 1);
	cr_assert_eq(peer.part[3].last.type, FAB_TLP_CFG_RD0);
	cr_assert_eq(peer.part[3].last.cfg_target, FAB_RID(0x30, 0, 2));
	cr_assert_eq(cpl.status, FAB_CPL_SC);
	cr_assert_eq(fab_tlp_cfg_value(&cpl), 0x600dcafe);
	cr_assert_eq(t_sw_counters(&t, T_SW_FABRIC).tlp_out, 1);
	cr_assert_eq(t_sw_counters(&peer, T_SW_FABRIC).tlp_in, 1);
	t_sw_fini(&peer);
}

Test(sim_switch, memory_and_dma_cross_the_fabric_both_ways)
{
	struct t_sw peer;
	uint32_t v = 0x1234abcd;
	struct fab_tlp down = mem_wr(HOST_RID, 0x80000004, &v, 4);
	struct fab_tlp up = mem_wr(FAB_RID(0x20, 0, 1), 0x5000, &v, 4);
	struct fab_mem_window wb = { .base = 0xc0000000,
				     .size = 0x1000,
				     .egress_port = 2,
				     .target_base = 0x7000000000ull };
	struct fab_rid_route rb = { .kind = FAB_ROUTE_FORWARD,
				    .egress_port = T_SW_FABRIC,
				    .new_requester = FAB_RID(0x81, 0, 1) };
	struct fab_tlp cpl;

	t_sw_init(&peer, t.clk, "sw1", NULL);
	t_sw_cable_fabric(&t, &peer);
	/* host on sw0 port 0 -> device on sw1 port 2 */
	add_window(0, 0x80000000, 0x1000, T_SW_FABRIC, 0xc0000000);
	cr_assert_eq(
		peer.ops->mem_window_add(peer.chip, T_SW_FABRIC, &wb, NULL), 0);
	/* its DMA back to the host on sw0 port 1 */
	cr_assert_eq(peer.ops->rid_route(peer.chip, 2, FAB_RID(0x20, 0, 1), &rb,
					 NULL),
		     0);
	set_rid_route(T_SW_FABRIC, FAB_RID(0x81, 0, 1), 1, FAB_RID(3, 0, 0));

	t_partner_send(&t.part[0], &down, &cpl);
	cr_assert_eq(peer.part[2].rx, 1);
	cr_assert_eq(peer.part[2].last.addr, 0x7000000004ull);
	t_partner_send(&peer.part[2], &up, &cpl);
	cr_assert_eq(t.part[1].rx, 1);
	cr_assert_eq(t.part[1].last.addr, 0x5000);
	cr_assert_eq(t.part[1].last.requester, FAB_RID(3, 0, 0));
	t_sw_fini(&peer);
}

Test(sim_switch, routing_loop_through_fabric_ports_ends_in_ur)
{
	static const struct sim_switch_port_desc ports[] = {
		{ .kind = FAB_PORT_UPSTREAM, .width = 4, .speed = 3 },
		{ .kind = FAB_PORT_FABRIC, .width = 4, .speed = 3 },
		{ .kind = FAB_PORT_FABRIC, .width = 4, .speed = 3 },
	};
	struct sim_switch_desc desc = { .name = "loop",
					.nports = 3,
					.ports = ports };
	struct sim_link_desc ld = { .width = 4, .speed = 3, .train_ns = 1000 };
	struct fab_mem_window to1 = { .base = 0,
				      .size = 0x1000,
				      .egress_port = 1 };
	struct sim_link *host_link, *loop_link;
	struct t_partner host;
	struct sim_switch *sw;
	struct fab_chip *chip;
	struct fab_tlp req = mem_rd(HOST_RID, 0x10, 4);
	struct fab_tlp cpl;

	/* port 1 cabled to port 2; both forward everything to port 1 */
	cr_assert_eq(sim_switch_new(&sw, t.clk, &desc, NULL), 0);
	chip = sim_switch_chip(sw);
	t_partner_init(&host);
	cr_assert_eq(sim_link_new(&host_link, t.clk, &host.port,
				  sim_switch_port(sw, 0), &ld, NULL),
		     0);
	cr_assert_eq(sim_link_new(&loop_link, t.clk, sim_switch_port(sw, 1),
				  sim_switch_port(sw, 2), &ld, NULL),
		     0);
	sim_link_train(host_link);
	sim_link_train(loop_link);
	sim_clock_run_for(t.clk, 1000);
	cr_assert_eq(chip->ops->mem_window_add(chip, 0, &to1, NULL), 0);
	cr_assert_eq(chip->ops->mem_window_add(chip, 2, &to1, NULL), 0);

	cr_assert_eq(t_partner_send(&host, &req, &cpl), SIM_RX_COMPLETED);
	cr_assert_eq(cpl.status, FAB_CPL_UR);
	sim_link_free(loop_link);
	sim_link_free(host_link);
	sim_switch_free(sw);
}
