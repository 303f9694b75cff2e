/* SPDX-License-Identifier: MIT */
/*
 * Links: training on the virtual clock, up/down notifications, hot reset,
 * and delivery only while the link is up.
 */
#include <criterion/criterion.h>

#include "sim/sim_int.h"

struct end {
	struct sim_port port;
	unsigned ups, downs, resets, rx;
};

static int end_rx(struct sim_port *port, const struct fab_tlp *req,
		  struct fab_tlp *cpl)
{
	struct end *e = port->owner;

	e->rx++;
	if (fab_tlp_is_posted(req))
		return SIM_RX_ACCEPTED;
	fab_tlp_complete(cpl, req, 0x0100, FAB_CPL_SC);
	fab_tlp_set_cfg_value(cpl, 0xabcd1234);
	return SIM_RX_COMPLETED;
}

static void end_link(struct sim_port *port, bool up)
{
	struct end *e = port->owner;

	if (up)
		e->ups++;
	else
		e->downs++;
}

static void end_reset(struct sim_port *port)
{
	struct end *e = port->owner;

	e->resets++;
}

static const struct sim_port_ops end_ops = {
	.rx = end_rx,
	.link_event = end_link,
	.hot_reset = end_reset,
};

static struct sim_clock *clk;
static struct end a, b;
static struct sim_link *link;
static const struct sim_link_desc desc = { .width = 16,
					   .speed = 4,
					   .train_ns = 20 * FAB_NS_PER_MS };

static void setup(void)
{
	clk = sim_clock_new();
	a = (struct end){ .port = { .ops = &end_ops, .owner = &a } };
	b = (struct end){ .port = { .ops = &end_ops, .owner = &b } };
	cr_assert_eq(sim_link_new(&link, clk, &a.port, &b.port, &desc, NULL),
		     0);
}

static void teardown(void)
{
	sim_link_free(link);
	sim_clock_free(clk);
}

TestSuite(sim_link, .init = setup, .fini = teardown);

Test(sim_link, link_is_up_only_after_training_time)
{
	cr_assert_not(sim_link_is_up(link));
	sim_link_train(link);
	cr_assert(sim_link_is_training(link));
	sim_clock_run_until(clk, desc.train_ns - 1);
	cr_assert_not(sim_link_is_up(link));
	sim_clock_run_until(clk, desc.train_ns);
	cr_assert(sim_link_is_up(link));
	cr_assert_eq(a.ups, 1);
	cr_assert_eq(b.ups, 1);
	cr_assert_eq(sim_link_width(link), 16);
	cr_assert_eq(sim_link_speed(link), 4);
}

Test(sim_link, requests_over_a_down_link_complete_with_ur_or_are_dropped)
{
	struct fab_tlp req, cpl;

	fab_tlp_cfg_read(&req, false, 0, 0x0100, 0, 4, NULL);
	cr_assert_eq(sim_port_tx(&a.port, &req, &cpl), SIM_RX_COMPLETED);
	cr_assert_eq(cpl.status, FAB_CPL_UR);
	fab_tlp_mem_write(&req, 0, 0x1000, "x", 1, NULL);
	cr_assert_eq(sim_port_tx(&a.port, &req, &cpl), SIM_RX_DROPPED);
	cr_assert_eq(b.rx, 0, "nothing crossed a down link");
}

Test(sim_link, requests_over_an_up_link_reach_the_partner)
{
	struct fab_tlp req, cpl;

	sim_link_train(link);
	sim_clock_run_idle(clk, 0);
	fab_tlp_cfg_read(&req, false, 0, 0x0100, 0, 4, NULL);
	cr_assert_eq(sim_port_tx(&a.port, &req, &cpl), SIM_RX_COMPLETED);
	cr_assert_eq(cpl.status, FAB_CPL_SC);
	cr_assert_eq(fab_tlp_cfg_value(&cpl), 0xabcd1234);
	cr_assert_eq(b.rx, 1);
}

Test(sim_link, disabled_link_stays_down_until_enabled)
{
	sim_link_train(link);
	sim_clock_run_idle(clk, 0);
	sim_link_set_enabled(link, false);
	cr_assert_not(sim_link_is_up(link));
	cr_assert_eq(a.downs, 1);
	sim_link_train(link);
	sim_clock_run_idle(clk, 0);
	cr_assert_not(sim_link_is_up(link));
	sim_link_set_enabled(link, true);
	sim_clock_run_idle(clk, 0);
	cr_assert(sim_link_is_up(link));
}

Test(sim_link, hot_reset_reaches_the_partner_and_the_link_retrains)
{
	sim_link_train(link);
	sim_clock_run_idle(clk, 0);
	uint64_t t0 = sim_clock_now(clk);

	sim_link_hot_reset(link, &a.port);
	cr_assert_eq(b.resets, 1);
	cr_assert_eq(a.resets, 0);
	cr_assert_not(sim_link_is_up(link));
	sim_clock_run_idle(clk, 0);
	cr_assert(sim_link_is_up(link));
	cr_assert_eq(sim_clock_now(clk), t0 + desc.train_ns);
	cr_assert_eq(b.downs, 1);
	cr_assert_eq(b.ups, 2);
}

Test(sim_link, a_port_cannot_be_cabled_twice)
{
	struct end c = { .port = { .ops = &end_ops, .owner = &c } };
	struct sim_link *other = NULL;
	struct fm_err err = { 0 };

	cr_assert_eq(sim_link_new(&other, clk, &a.port, &c.port, &desc, &err),
		     -FM_EBUSY);
	cr_assert_null(other);
	cr_assert_str_eq(err.msg, "port already cabled");
	cr_assert_null(c.port.link);
}
