/* SPDX-License-Identifier: MIT */
/*
 * link.c - PCIe links between two ports: state (down, training, up),
 * negotiated width and speed, training time on the virtual clock, and the
 * synchronous delivery of TLPs to the partner.
 */
#include "sim/sim_int.h"

#include <stdlib.h>

struct sim_link {
	struct sim_port *end[2];
	struct sim_clock *clk;
	struct sim_link_desc desc;
	bool up;
	bool enabled;
	uint64_t train_event; /* pending training completion, 0 if none */
};

int sim_link_new(struct sim_link **out, struct sim_clock *clk,
		 struct sim_port *a, struct sim_port *b,
		 const struct sim_link_desc *desc, struct fm_err *err)
{
	struct sim_link *link;

	if (!a || !b || a == b)
		return fm_err_set(err, FM_EINVAL,
				  "link needs two distinct ports");
	if (a->link || b->link)
		return fm_err_set(err, FM_EBUSY, "port already cabled");
	if (desc->width == 0 || desc->width > 32 || desc->speed == 0 ||
	    desc->speed > 6)
		return fm_err_set(err, FM_ERANGE,
				  "link width %u / speed %u out of range",
				  desc->width, desc->speed);
	link = calloc(1, sizeof(*link));
	if (!link)
		return fm_err_set(err, FM_ENOMEM, "out of memory for link");
	link->end[0] = a;
	link->end[1] = b;
	link->clk = clk;
	link->desc = *desc;
	link->enabled = true;
	a->link = link;
	b->link = link;
	*out = link;
	return 0;
}

void sim_link_free(struct sim_link *link)
{
	if (!link)
		return;
	if (link->train_event)
		sim_clock_cancel(link->clk, link->train_event);
	link->end[0]->link = NULL;
	link->end[1]->link = NULL;
	free(link);
}

static void sim_link_notify(struct sim_link *link, bool up)
{
	for (int i = 0; i < 2; i++) {
		struct sim_port *p = link->end[i];

		if (p->ops && p->ops->link_event)
			p->ops->link_event(p, up);
	}
}

static void sim_link_trained(void *arg)
{
	struct sim_link *link = arg;

	link->train_event = 0;
	if (!link->enabled || link->up)
		return;
	link->up = true;
	sim_link_notify(link, true);
}

void sim_link_train(struct sim_link *link)
{
	if (!link->enabled || link->up || link->train_event)
		return;
	link->train_event = sim_clock_schedule(link->clk, link->desc.train_ns,
					       sim_link_trained, link);
}

void sim_link_down(struct sim_link *link)
{
	if (link->train_event) {
		sim_clock_cancel(link->clk, link->train_event);
		link->train_event = 0;
	}
	if (!link->up)
		return;
	link->up = false;
	sim_link_notify(link, false);
}

void sim_link_set_enabled(struct sim_link *link, bool enabled)
{
	link->enabled = enabled;
	if (enabled)
		sim_link_train(link);
	else
		sim_link_down(link);
}

void sim_link_hot_reset(struct sim_link *link, struct sim_port *from)
{
	struct sim_port *peer = sim_link_peer(link, from);

	sim_link_down(link);
	if (peer && peer->ops && peer->ops->hot_reset)
		peer->ops->hot_reset(peer);
	sim_link_train(link);
}

bool sim_link_is_up(const struct sim_link *link)
{
	return link && link->up;
}

bool sim_link_is_training(const struct sim_link *link)
{
	return link && link->train_event != 0;
}

bool sim_link_is_enabled(const struct sim_link *link)
{
	return link && link->enabled;
}

uint8_t sim_link_width(const struct sim_link *link)
{
	return sim_link_is_up(link) ? link->desc.width : 0;
}

uint8_t sim_link_speed(const struct sim_link *link)
{
	return sim_link_is_up(link) ? link->desc.speed : 0;
}

struct sim_port *sim_link_peer(const struct sim_link *link,
			       const struct sim_port *port)
{
	if (!link)
		return NULL;
	if (link->end[0] == port)
		return link->end[1];
	if (link->end[1] == port)
		return link->end[0];
	return NULL;
}

int sim_port_tx(struct sim_port *from, const struct fab_tlp *req,
		struct fab_tlp *cpl)
{
	struct sim_link *link = from->link;
	struct sim_port *peer;

	if (!link || !link->up) {
		if (fab_tlp_is_posted(req))
			return SIM_RX_DROPPED;
		fab_tlp_complete(cpl, req, 0, FAB_CPL_UR);
		return SIM_RX_COMPLETED;
	}
	peer = link->end[0] == from ? link->end[1] : link->end[0];
	return peer->ops->rx(peer, req, cpl);
}
