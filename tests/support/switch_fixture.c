/* SPDX-License-Identifier: MIT */
#include "tests/support/switch_fixture.h"

#include <criterion/criterion.h>
#include <string.h>

static int t_partner_rx(struct sim_port *port, const struct fab_tlp *req,
			struct fab_tlp *cpl)
{
	struct t_partner *p = port->owner;
	size_t at = req->addr % sizeof(p->mem);

	p->rx++;
	p->last = *req;
	switch (req->type) {
	case FAB_TLP_MEM_WR:
		if (at + req->len <= sizeof(p->mem))
			memcpy(&p->mem[at], req->data, req->len);
		return SIM_RX_ACCEPTED;
	case FAB_TLP_MEM_RD:
		fab_tlp_complete(cpl, req, p->completer, FAB_CPL_SC);
		if (at + req->len <= sizeof(p->mem))
			memcpy(cpl->data, &p->mem[at], req->len);
		return SIM_RX_COMPLETED;
	case FAB_TLP_CFG_RD0:
	case FAB_TLP_CFG_RD1:
		fab_tlp_complete(cpl, req, p->completer, FAB_CPL_SC);
		fab_tlp_set_cfg_value(cpl, p->cfg_value);
		return SIM_RX_COMPLETED;
	case FAB_TLP_CFG_WR0:
	case FAB_TLP_CFG_WR1:
		fab_tlp_complete(cpl, req, p->completer, FAB_CPL_SC);
		return SIM_RX_COMPLETED;
	default:
		return SIM_RX_ACCEPTED;
	}
}

static void t_partner_link(struct sim_port *port, bool up)
{
	struct t_partner *p = port->owner;

	if (up)
		p->ups++;
	else
		p->downs++;
}

static void t_partner_reset(struct sim_port *port)
{
	struct t_partner *p = port->owner;

	p->resets++;
}

static const struct sim_port_ops t_partner_ops = {
	.rx = t_partner_rx,
	.link_event = t_partner_link,
	.hot_reset = t_partner_reset,
};

void t_partner_init(struct t_partner *p)
{
	memset(p, 0, sizeof(*p));
	p->port.ops = &t_partner_ops;
	p->port.owner = p;
	p->cfg_value = 0x12345678;
}

int t_partner_send(struct t_partner *p, const struct fab_tlp *req,
		   struct fab_tlp *cpl)
{
	return sim_port_tx(&p->port, req, cpl);
}

static void t_sw_on_event(void *ctx, const struct fab_chip_event *ev)
{
	struct t_sw *t = ctx;

	if (t->nev < T_SW_MAX_EVENTS)
		t->ev[t->nev++] = *ev;
}

static const struct sim_switch_port_desc t_sw_ports[T_SW_PORTS] = {
	{ .kind = FAB_PORT_UPSTREAM,
	  .width = 16,
	  .speed = 4,
	  .label = "blade0" },
	{ .kind = FAB_PORT_UPSTREAM,
	  .width = 16,
	  .speed = 4,
	  .label = "blade1" },
	{ .kind = FAB_PORT_DOWNSTREAM,
	  .width = 8,
	  .speed = 4,
	  .label = "dev0" },
	{ .kind = FAB_PORT_DOWNSTREAM,
	  .width = 8,
	  .speed = 3,
	  .label = "dev1" },
	{ .kind = FAB_PORT_FABRIC,
	  .width = 16,
	  .speed = 5,
	  .label = "fabric0" },
	{ .kind = FAB_PORT_DOWNSTREAM,
	  .width = 4,
	  .speed = 4,
	  .label = "empty" },
};

void t_sw_init(struct t_sw *t, struct sim_clock *clk, const char *name,
	       const char *flash_path)
{
	struct sim_switch_desc desc = {
		.vendor = T_SW_VENDOR,
		.device = T_SW_DEVICE,
		.nports = T_SW_PORTS,
		.ports = t_sw_ports,
		.flash_size = 64 * 1024,
		.flash_path = flash_path,
	};
	struct fm_err err = { 0 };

	memset(t, 0, sizeof(*t));
	snprintf(desc.name, sizeof(desc.name), "%s", name);
	t->own_clk = clk == NULL;
	t->clk = clk ? clk : sim_clock_new();
	cr_assert_not_null(t->clk);
	cr_assert_eq(sim_switch_new(&t->sw, t->clk, &desc, &err), 0, "%s",
		     err.msg);
	t->chip = sim_switch_chip(t->sw);
	t->ops = t->chip->ops;
	t->ops->set_event_handler(t->chip, t_sw_on_event, t);
	sim_switch_set_port_buses(t->sw, 2, 0x20, 0x2f);
	sim_switch_set_port_buses(t->sw, 3, 0x30, 0x3f);
	for (unsigned i = 0; i < T_SW_CABLED; i++) {
		struct sim_link_desc ld = {
			.width = t_sw_ports[i].width,
			.speed = t_sw_ports[i].speed,
			.train_ns = T_SW_TRAIN_NS,
		};

		t_partner_init(&t->part[i]);
		t->part[i].completer = FAB_RID(0x20 + i, 0, 0);
		cr_assert_eq(sim_link_new(&t->link[i], t->clk,
					  sim_switch_port(t->sw, i),
					  &t->part[i].port, &ld, &err),
			     0, "%s", err.msg);
		sim_link_train(t->link[i]);
	}
	sim_clock_run_for(t->clk, T_SW_TRAIN_NS);
}

void t_sw_cable_fabric(struct t_sw *a, struct t_sw *b)
{
	struct sim_link_desc ld = { .width = 16,
				    .speed = 5,
				    .train_ns = T_SW_TRAIN_NS };
	struct fm_err err = { 0 };

	cr_assert_eq(sim_link_new(&a->fabric_link, a->clk,
				  sim_switch_port(a->sw, T_SW_FABRIC),
				  sim_switch_port(b->sw, T_SW_FABRIC), &ld,
				  &err),
		     0, "%s", err.msg);
	b->fabric_link = a->fabric_link;
	a->fabric_peer = b;
	b->fabric_peer = a;
	sim_switch_set_port_peer(a->sw, T_SW_FABRIC, 1, T_SW_FABRIC);
	sim_switch_set_port_peer(b->sw, T_SW_FABRIC, 0, T_SW_FABRIC);
	sim_link_train(a->fabric_link);
	sim_clock_run_for(a->clk, T_SW_TRAIN_NS);
}

void t_sw_fini(struct t_sw *t)
{
	for (unsigned i = 0; i < T_SW_CABLED; i++)
		sim_link_free(t->link[i]);
	sim_link_free(t->fabric_link);
	if (t->fabric_peer) {
		t->fabric_peer->fabric_link = NULL;
		t->fabric_peer->fabric_peer = NULL;
	}
	sim_switch_free(t->sw);
	if (t->own_clk)
		sim_clock_free(t->clk);
}

unsigned t_sw_events(const struct t_sw *t, enum fab_chip_event_type type)
{
	unsigned n = 0;

	for (unsigned i = 0; i < t->nev; i++)
		n += t->ev[i].type == type;
	return n;
}

const struct fab_chip_event *t_sw_last_event(const struct t_sw *t,
					     enum fab_chip_event_type type)
{
	for (unsigned i = t->nev; i-- > 0;)
		if (t->ev[i].type == type)
			return &t->ev[i];
	return NULL;
}

struct fab_port_counters t_sw_counters(struct t_sw *t, unsigned port)
{
	struct fab_port_status st;

	cr_assert_eq(t->ops->port_status(t->chip, port, &st, NULL), 0);
	return st.counters;
}
