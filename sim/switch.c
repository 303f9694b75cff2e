/* SPDX-License-Identifier: MIT */
/*
 * switch.c - the switch silicon: ports (link ends, each with a physical
 * bridge, see switch_bridge.c), the table-driven forwarding engine, the
 * per-port counters and the events it raises to firmware.
 *
 * Forwarding does only what the tables say (top of fabric/chip.h).  Where
 * that comment leaves a choice, this silicon does the following:
 *
 *  - Config: a RID route replaces the whole target RID; the type-0 route
 *    and bus routes replace the bus number and keep the device/function
 *    the requester asked for.  The requester ID is kept.
 *  - Memory: on upstream ports, the window containing the address (the
 *    whole access must lie inside it); on downstream ports, the RID route
 *    of the requester (DMA, MSI); on fabric ports, the RID route of the
 *    requester when one is set (DMA crossing from the peer switch, whose
 *    RID route made the requester unique), else the windows.
 *  - Messages: from downstream and fabric ports, the RID route of the
 *    requester (error, PME and INTx messages go to the owning host); from
 *    upstream ports they end at the switch (local messages such as
 *    Set_Slot_Power_Limit) and are accepted.
 *  - A routed request whose egress link is down is not sent: posted ones
 *    are dropped and non-posted ones complete with UR, counted on the
 *    ingress port (dropped / ur).  No violation: it had a route.
 *  - Completions never arrive as requests (they return through the call
 *    chain, see sim_int.h); one that does, or a memory request with a bad
 *    length, matches nothing and is a violation.
 *  - A request that has crossed SIM_SW_MAX_DEPTH nested rx calls of one
 *    switch (fabric routes that loop) is a violation too.
 *
 * Speed: forwarding a memory request allocates nothing, logs nothing and
 * copies only the TLP header (plus the payload of a write) into a stack
 * TLP that gets the rewritten field.  Lookups are O(1) for RID and config
 * routes (bus table, then lazily allocated devfn tables) and for memory
 * windows spread evenly, O(log n) at worst (switch_win.c).
 */
#include "sim/switch_int.h"

#include <stdlib.h>
#include <string.h>

#include "fabric/cfg.h"

/* Bytes of struct fab_tlp before the payload. */
#define SW_TLP_HDR_LEN offsetof(struct fab_tlp, data)

static bool sw_tlp_nonposted(uint8_t type)
{
	return type <= FAB_TLP_MEM_RD; /* CfgRd0..CfgWr1, MRd */
}

_Static_assert(FAB_TLP_CFG_RD0 == 0 && FAB_TLP_CFG_WR0 == 1 &&
		       FAB_TLP_CFG_RD1 == 2 && FAB_TLP_CFG_WR1 == 3 &&
		       FAB_TLP_MEM_RD == 4,
	       "sw_tlp_nonposted() relies on the order of enum fab_tlp_type");

/* ---------------------------------------------------------------------
 * Events
 */

void sim_switch_raise(struct sim_switch *sw, struct fab_chip_event *ev)
{
	ev->time_ns = sim_clock_now(sw->clk);
	if (sw->event_fn)
		sw->event_fn(sw->event_ctx, ev);
}

/* Posted: drop; non-posted: complete with UR.  Counted on @in. */
static int sw_refuse(struct sim_sw_port *in, const struct fab_tlp *req,
		     struct fab_tlp *cpl)
{
	if (!sw_tlp_nonposted(req->type)) {
		in->ctr.dropped++;
		return SIM_RX_DROPPED;
	}
	in->ctr.ur++;
	fab_tlp_complete(cpl, req, 0, FAB_CPL_UR);
	return SIM_RX_COMPLETED;
}

/* Isolation violation: refuse, then tell firmware what was refused. */
static int sw_violation(struct sim_sw_port *in, const struct fab_tlp *req,
			struct fab_tlp *cpl)
{
	struct fab_chip_event ev = {
		.type = FAB_CHIP_EV_VIOLATION,
		.port = (uint8_t)in->index,
		.tlp_type = req->type,
		.requester = req->requester,
	};
	int ret;

	if (fab_tlp_is_cfg(req))
		ev.cfg_target = req->cfg_target;
	else
		ev.addr = req->addr;
	ret = sw_refuse(in, req, cpl);
	sim_switch_raise(in->sw, &ev);
	return ret;
}

/* Send @out (the rewritten @req) out of @eg, or refuse when it is down. */
static int sw_send(struct sim_sw_port *in, struct sim_sw_port *eg,
		   const struct fab_tlp *out, const struct fab_tlp *req,
		   struct fab_tlp *cpl)
{
	if (!eg->up)
		return sw_refuse(in, req, cpl);
	eg->ctr.tlp_out++;
	return sim_port_tx(&eg->port, out, cpl);
}

/* ---------------------------------------------------------------------
 * Forwarding
 */

/* A memory request by window: address translated. */
static int sw_fwd_window(struct sim_sw_port *in, const struct fab_tlp *req,
			 struct fab_tlp *cpl)
{
	struct sim_sw_win_table *t = &in->win;
	const struct sim_sw_win *w;
	struct fab_tlp out;
	long i = sim_sw_win_lookup(t, req->addr);

	if (i < 0)
		return sw_violation(in, req, cpl);
	w = &t->win[i];
	/* the whole access inside the window: addr <= last already */
	if (req->len - 1u > w->last - req->addr)
		return sw_violation(in, req, cpl);
	memcpy(&out, req,
	       SW_TLP_HDR_LEN + (req->type == FAB_TLP_MEM_WR ? req->len : 0));
	out.addr = req->addr + w->delta;
	return sw_send(in, &in->sw->ports[t->egress[i]], &out, req, cpl);
}

static const struct fab_rid_route *sw_rid_find(const struct sim_sw_port *in,
					       uint16_t requester)
{
	const struct fab_rid_route *tab = in->rt->rid[FAB_RID_BUS(requester)];

	if (!tab || tab[FAB_RID_DEVFN(requester)].kind != FAB_ROUTE_FORWARD)
		return NULL;
	return &tab[FAB_RID_DEVFN(requester)];
}

/* A request from a function by @r: requester ID rewritten. */
static int sw_fwd_rid_route(struct sim_sw_port *in,
			    const struct fab_rid_route *r,
			    const struct fab_tlp *req, struct fab_tlp *cpl)
{
	struct fab_tlp out;

	memcpy(&out, req,
	       SW_TLP_HDR_LEN + (req->type == FAB_TLP_MEM_WR ? req->len : 0));
	out.requester = r->new_requester;
	return sw_send(in, &in->sw->ports[r->egress_port], &out, req, cpl);
}

static int sw_fwd_rid(struct sim_sw_port *in, const struct fab_tlp *req,
		      struct fab_tlp *cpl)
{
	const struct fab_rid_route *r = sw_rid_find(in, req->requester);

	if (!r)
		return sw_violation(in, req, cpl);
	return sw_fwd_rid_route(in, r, req, cpl);
}

static int sw_fwd_mem(struct sim_sw_port *in, const struct fab_tlp *req,
		      struct fab_tlp *cpl)
{
	const struct fab_rid_route *r;

	if (req->len == 0 || req->len > FAB_TLP_MAX_DATA)
		return sw_violation(in, req, cpl);
	switch (in->kind) {
	case FAB_PORT_UPSTREAM:
		return sw_fwd_window(in, req, cpl);
	case FAB_PORT_DOWNSTREAM:
		return sw_fwd_rid(in, req, cpl);
	case FAB_PORT_FABRIC:
		r = sw_rid_find(in, req->requester);
		if (r)
			return sw_fwd_rid_route(in, r, req, cpl);
		return sw_fwd_window(in, req, cpl);
	}
	return sw_violation(in, req, cpl);
}

/*
 * The config route for @req and the target RID it rewrites to (see the
 * top of this file).
 */
static struct fab_cfg_route sw_cfg_lookup(const struct sim_sw_port *in,
					  const struct fab_tlp *req,
					  uint16_t *target)
{
	uint8_t bus = FAB_RID_BUS(req->cfg_target);
	uint8_t devfn = FAB_RID_DEVFN(req->cfg_target);
	const struct fab_cfg_route *tab;
	struct fab_cfg_route r;

	if (req->type == FAB_TLP_CFG_RD0 || req->type == FAB_TLP_CFG_WR0) {
		r = in->cfg_type0;
	} else {
		tab = in->rt->cfg_rid[bus];
		if (tab && tab[devfn].kind != FAB_ROUTE_NONE) {
			*target = tab[devfn].target_rid;
			return tab[devfn];
		}
		r = in->rt->cfg_bus[bus];
	}
	*target = (uint16_t)((r.target_rid & 0xff00) | devfn);
	return r;
}

static int sw_fwd_cfg(struct sim_sw_port *in, const struct fab_tlp *req,
		      struct fab_tlp *cpl)
{
	struct sim_switch *sw = in->sw;
	struct fab_cfg_route r;
	struct fab_tlp out;
	uint16_t target;
	bool read;

	r = sw_cfg_lookup(in, req, &target);
	switch (r.kind) {
	case FAB_ROUTE_TRAP:
		if (!sw->trap_fn)
			break;
		in->ctr.trapped++;
		out = *req; /* @cpl may be @req's buffer */
		/* what the host sees if the handler leaves *cpl alone */
		fab_tlp_complete(cpl, &out, 0, FAB_CPL_UR);
		sw->trap_fn(sw->trap_ctx, in->index, &out, cpl);
		return SIM_RX_COMPLETED;
	case FAB_ROUTE_FORWARD:
		read = req->type == FAB_TLP_CFG_RD0 ||
		       req->type == FAB_TLP_CFG_RD1;
		out = *req;
		if (r.egress_type1)
			out.type = read ? FAB_TLP_CFG_RD1 : FAB_TLP_CFG_WR1;
		else
			out.type = read ? FAB_TLP_CFG_RD0 : FAB_TLP_CFG_WR0;
		out.cfg_target = target;
		return sw_send(in, &sw->ports[r.egress_port], &out, req, cpl);
	default:
		break;
	}
	return sw_violation(in, req, cpl);
}

static int sw_route(struct sim_sw_port *in, const struct fab_tlp *req,
		    struct fab_tlp *cpl)
{
	switch (req->type) {
	case FAB_TLP_MEM_RD:
	case FAB_TLP_MEM_WR:
		return sw_fwd_mem(in, req, cpl);
	case FAB_TLP_CFG_RD0:
	case FAB_TLP_CFG_WR0:
	case FAB_TLP_CFG_RD1:
	case FAB_TLP_CFG_WR1:
		return sw_fwd_cfg(in, req, cpl);
	case FAB_TLP_MSG:
		if (in->kind == FAB_PORT_UPSTREAM)
			return SIM_RX_ACCEPTED;
		return sw_fwd_rid(in, req, cpl);
	default:
		return sw_violation(in, req, cpl);
	}
}

/* ---------------------------------------------------------------------
 * Port callbacks from the link
 */

static int sw_port_rx(struct sim_port *port, const struct fab_tlp *req,
		      struct fab_tlp *cpl)
{
	struct sim_sw_port *in =
		FM_CONTAINER_OF(port, struct sim_sw_port, port);
	struct sim_switch *sw = in->sw;
	int ret;

	in->ctr.tlp_in++;
	if (sw->depth >= SIM_SW_MAX_DEPTH)
		return sw_violation(in, req, cpl);
	sw->depth++;
	ret = sw_route(in, req, cpl);
	sw->depth--;
	return ret;
}

static void sw_port_link_event(struct sim_port *port, bool up)
{
	struct sim_sw_port *p = FM_CONTAINER_OF(port, struct sim_sw_port, port);
	struct fab_chip_event ev = {
		.type = up ? FAB_CHIP_EV_LINK_UP : FAB_CHIP_EV_LINK_DOWN,
		.port = (uint8_t)p->index,
	};

	if (p->up == up)
		return;
	p->up = up;
	if (!up)
		p->ctr.link_downs++;
	sim_sw_bridge_link_changed(p, up);
	sim_switch_raise(p->sw, &ev);
}

/*
 * A hot reset from the link partner.  Only a host resets the switch (on
 * an upstream port); one arriving elsewhere has no receiver here.
 */
static void sw_port_hot_reset(struct sim_port *port)
{
	struct sim_sw_port *p = FM_CONTAINER_OF(port, struct sim_sw_port, port);
	struct fab_chip_event ev = {
		.type = FAB_CHIP_EV_RESET,
		.port = (uint8_t)p->index,
	};

	if (p->kind != FAB_PORT_UPSTREAM)
		return;
	sim_switch_raise(p->sw, &ev);
}

static const struct sim_port_ops sw_port_ops = {
	.rx = sw_port_rx,
	.link_event = sw_port_link_event,
	.hot_reset = sw_port_hot_reset,
};

/* ---------------------------------------------------------------------
 * Port control
 */

int sim_switch_check_port(const struct sim_switch *sw, unsigned port,
			  struct fm_err *err)
{
	if (port >= sw->nports)
		return fm_err_set(err, FM_ERANGE,
				  "switch %s: no port %u (%u ports)", sw->name,
				  port, sw->nports);
	return 0;
}

int sim_switch_port_control(struct sim_switch *sw, unsigned port,
			    enum fab_port_ctl ctl, struct fm_err *err)
{
	struct sim_sw_port *p;
	struct sim_link *link;
	int ret;

	ret = sim_switch_check_port(sw, port, err);
	if (ret < 0)
		return ret;
	p = &sw->ports[port];
	link = p->port.link;
	if (!link)
		return fm_err_set(err, FM_ESTATE,
				  "switch %s port %u: no link cabled", sw->name,
				  port);
	switch (ctl) {
	case FAB_PORT_CTL_DISABLE:
		sim_link_set_enabled(link, false);
		return 0;
	case FAB_PORT_CTL_ENABLE:
		sim_link_set_enabled(link, true);
		return 0;
	case FAB_PORT_CTL_RETRAIN:
	case FAB_PORT_CTL_RESET:
		if (!sim_link_is_enabled(link))
			return fm_err_set(err, FM_ESTATE,
					  "switch %s port %u: link disabled",
					  sw->name, port);
		if (ctl == FAB_PORT_CTL_RESET) {
			sim_link_hot_reset(link, &p->port);
			return 0;
		}
		p->retrain = true;
		sim_link_down(link);
		sim_link_train(link);
		return 0;
	}
	return fm_err_set(err, FM_EINVAL, "switch %s port %u: bad control %d",
			  sw->name, port, (int)ctl);
}

/* ---------------------------------------------------------------------
 * Table updates: validate first, then change.
 */

static int sw_check_egress(const struct sim_switch *sw, unsigned port,
			   unsigned egress, struct fm_err *err)
{
	if (egress >= sw->nports)
		return fm_err_set(err, FM_ERANGE,
				  "switch %s port %u: egress port %u does "
				  "not exist (%u ports)",
				  sw->name, port, egress, sw->nports);
	if (egress == port)
		return fm_err_set(err, FM_EINVAL,
				  "switch %s port %u: egress port %u is the "
				  "ingress port",
				  sw->name, port, egress);
	return 0;
}

/* Check @r and return it normalised in *out (unused fields zero). */
static int sw_cfg_route_check(struct fab_cfg_route *out,
			      const struct sim_switch *sw, unsigned port,
			      const struct fab_cfg_route *r, struct fm_err *err)
{
	int ret;

	ret = sim_switch_check_port(sw, port, err);
	if (ret < 0)
		return ret;
	if (!r)
		return fm_err_set(err, FM_EINVAL,
				  "switch %s port %u: no route given", sw->name,
				  port);
	switch (r->kind) {
	case FAB_ROUTE_NONE:
	case FAB_ROUTE_TRAP:
		*out = (struct fab_cfg_route){ .kind = r->kind };
		return 0;
	case FAB_ROUTE_FORWARD:
		ret = sw_check_egress(sw, port, r->egress_port, err);
		if (ret < 0)
			return ret;
		*out = *r;
		return 0;
	}
	return fm_err_set(err, FM_EINVAL,
			  "switch %s port %u: bad config route kind %u",
			  sw->name, port, r->kind);
}

int sim_switch_route_type0(struct sim_switch *sw, unsigned port,
			   const struct fab_cfg_route *route,
			   struct fm_err *err)
{
	struct fab_cfg_route r;
	int ret;

	ret = sw_cfg_route_check(&r, sw, port, route, err);
	if (ret < 0)
		return ret;
	sw->ports[port].cfg_type0 = r;
	return 0;
}

int sim_switch_route_bus(struct sim_switch *sw, unsigned port, uint8_t bus,
			 const struct fab_cfg_route *route, struct fm_err *err)
{
	struct fab_cfg_route r;
	int ret;

	ret = sw_cfg_route_check(&r, sw, port, route, err);
	if (ret < 0)
		return ret;
	sw->ports[port].rt->cfg_bus[bus] = r;
	return 0;
}

int sim_switch_route_cfg_rid(struct sim_switch *sw, unsigned port, uint16_t rid,
			     const struct fab_cfg_route *route,
			     struct fm_err *err)
{
	struct fab_cfg_route r;
	struct fab_cfg_route **tab;
	int ret;

	ret = sw_cfg_route_check(&r, sw, port, route, err);
	if (ret < 0)
		return ret;
	tab = &sw->ports[port].rt->cfg_rid[FAB_RID_BUS(rid)];
	if (!*tab) {
		if (r.kind == FAB_ROUTE_NONE)
			return 0;
		*tab = calloc(256, sizeof(**tab));
		if (!*tab)
			return fm_err_set(err, FM_ENOMEM,
					  "switch %s port %u: out of memory "
					  "for config routes",
					  sw->name, port);
	}
	(*tab)[FAB_RID_DEVFN(rid)] = r;
	return 0;
}

int sim_switch_route_rid(struct sim_switch *sw, unsigned port,
			 uint16_t requester, const struct fab_rid_route *route,
			 struct fm_err *err)
{
	struct fab_rid_route r = { .kind = FAB_ROUTE_NONE };
	struct fab_rid_route **tab;
	char rid[FAB_RID_STR_LEN];
	int ret;

	ret = sim_switch_check_port(sw, port, err);
	if (ret < 0)
		return ret;
	if (!route)
		return fm_err_set(err, FM_EINVAL,
				  "switch %s port %u: no route given", sw->name,
				  port);
	if (route->kind == FAB_ROUTE_FORWARD) {
		ret = sw_check_egress(sw, port, route->egress_port, err);
		if (ret < 0)
			return ret;
		r = *route;
	} else if (route->kind != FAB_ROUTE_NONE) {
		return fm_err_set(err, FM_EINVAL,
				  "switch %s port %u: requester %s: RID route "
				  "kind %u (only none or forward)",
				  sw->name, port,
				  fab_rid_format(rid, requester), route->kind);
	}
	tab = &sw->ports[port].rt->rid[FAB_RID_BUS(requester)];
	if (!*tab) {
		if (r.kind == FAB_ROUTE_NONE)
			return 0;
		*tab = calloc(256, sizeof(**tab));
		if (!*tab)
			return fm_err_set(err, FM_ENOMEM,
					  "switch %s port %u: out of memory "
					  "for RID routes",
					  sw->name, port);
	}
	(*tab)[FAB_RID_DEVFN(requester)] = r;
	return 0;
}

int sim_switch_window_add(struct sim_switch *sw, unsigned port,
			  const struct fab_mem_window *w, struct fm_err *err)
{
	struct sim_sw_win_table *t;
	unsigned long long b, s;
	long i = 0;
	int ret;

	ret = sim_switch_check_port(sw, port, err);
	if (ret < 0)
		return ret;
	if (!w)
		return fm_err_set(err, FM_EINVAL,
				  "switch %s port %u: no window given",
				  sw->name, port);
	b = w->base;
	s = w->size;
	if (s == 0)
		return fm_err_set(
			err, FM_EINVAL,
			"switch %s port %u: window at %#llx has size 0",
			sw->name, port, b);
	if (s - 1 > UINT64_MAX - w->base || s - 1 > UINT64_MAX - w->target_base)
		return fm_err_set(err, FM_EINVAL,
				  "switch %s port %u: window %#llx size %#llx "
				  "(target %#llx) passes the end of the "
				  "address space",
				  sw->name, port, b, s,
				  (unsigned long long)w->target_base);
	ret = sw_check_egress(sw, port, w->egress_port, err);
	if (ret < 0)
		return ret;

	t = &sw->ports[port].win;
	ret = sim_sw_win_insert(t, w->base, w->size, w->target_base,
				w->egress_port, &i);
	if (ret == -FM_EEXIST)
		return fm_err_set(
			err, FM_EEXIST,
			"switch %s port %u: window %#llx size %#llx "
			"overlaps window %#llx size %#llx",
			sw->name, port, b, s, (unsigned long long)t->base[i],
			(unsigned long long)(t->win[i].last - t->base[i] + 1));
	if (ret == -FM_ENOSPC)
		return fm_err_set(err, FM_ENOSPC,
				  "switch %s port %u: window table full (%u)",
				  sw->name, port, t->n);
	if (ret < 0)
		return fm_err_set(
			err, FM_ENOMEM,
			"switch %s port %u: out of memory for windows",
			sw->name, port);
	return 0;
}

int sim_switch_window_del(struct sim_switch *sw, unsigned port, uint64_t base,
			  struct fm_err *err)
{
	int ret;

	ret = sim_switch_check_port(sw, port, err);
	if (ret < 0)
		return ret;
	if (sim_sw_win_remove(&sw->ports[port].win, base) < 0)
		return fm_err_set(err, FM_ENOENT,
				  "switch %s port %u: no window at %#llx",
				  sw->name, port, (unsigned long long)base);
	return 0;
}

/* ---------------------------------------------------------------------
 * Construction
 */

static bool sw_str_ok(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static bool sw_width_ok(unsigned w)
{
	return w == 1 || w == 2 || w == 4 || w == 8 || w == 12 || w == 16 ||
	       w == 32;
}

static int sw_desc_check(const struct sim_switch_desc *d, struct fm_err *err)
{
	if (!d || !sw_str_ok(d->name, sizeof(d->name)) || !d->name[0])
		return fm_err_set(err, FM_EINVAL, "switch: no name");
	if (d->nports == 0 || d->nports > SIM_SW_MAX_PORTS || !d->ports)
		return fm_err_set(err, FM_ERANGE, "switch %s: %u ports (1..%u)",
				  d->name, d->nports, SIM_SW_MAX_PORTS);
	for (unsigned i = 0; i < d->nports; i++) {
		const struct sim_switch_port_desc *p = &d->ports[i];

		if (p->kind > FAB_PORT_FABRIC)
			return fm_err_set(err, FM_EINVAL,
					  "switch %s port %u: bad kind %u",
					  d->name, i, p->kind);
		if (!sw_width_ok(p->width) || p->speed == 0 || p->speed > 6)
			return fm_err_set(err, FM_ERANGE,
					  "switch %s port %u: width x%u speed "
					  "%u (x1..x32, 1..6)",
					  d->name, i, p->width, p->speed);
		if (!sw_str_ok(p->label, sizeof(p->label)))
			return fm_err_set(err, FM_EINVAL,
					  "switch %s port %u: label not "
					  "terminated",
					  d->name, i);
	}
	return 0;
}

int sim_switch_new(struct sim_switch **out, struct sim_clock *clk,
		   const struct sim_switch_desc *desc, struct fm_err *err)
{
	struct sim_switch *sw = NULL;
	int ret;

	ret = sw_desc_check(desc, err);
	if (ret < 0)
		goto fail;
	sw = calloc(1, sizeof(*sw));
	if (sw) {
		sw->flash_fd = -1;
		sw->flash_path =
			desc->flash_path ? strdup(desc->flash_path) : NULL;
		sw->masks = calloc(FAB_PORT_FABRIC + 1, sizeof(*sw->masks));
		sw->ports = calloc(desc->nports, sizeof(*sw->ports));
	}
	if (!sw || !sw->masks || !sw->ports ||
	    (desc->flash_path && !sw->flash_path)) {
		ret = fm_err_set(err, FM_ENOMEM, "switch %s: out of memory",
				 desc->name);
		goto fail;
	}
	sw->chip.ops = &sim_switch_chip_ops;
	sw->clk = clk;
	memcpy(sw->name, desc->name, sizeof(sw->name));
	sw->vendor = desc->vendor;
	sw->device = desc->device;
	sw->flash_size = desc->flash_size;
	sim_sw_bridge_masks_init(sw->masks);
	for (unsigned i = 0; i < desc->nports; i++) {
		const struct sim_switch_port_desc *d = &desc->ports[i];
		struct sim_sw_port *p = &sw->ports[i];

		p->port.ops = &sw_port_ops;
		p->port.owner = sw;
		p->sw = sw;
		p->index = i;
		p->kind = d->kind;
		p->width = d->width;
		p->speed = d->speed;
		p->peer_chip = -1;
		memcpy(p->label, d->label, sizeof(p->label));
		/* from here on sim_switch_free() cleans the port up */
		sw->nports = i + 1;
		p->rt = calloc(1, sizeof(*p->rt));
		if (!p->rt) {
			ret = fm_err_set(err, FM_ENOMEM,
					 "switch %s port %u: out of memory for "
					 "routes",
					 desc->name, i);
			goto fail;
		}
		ret = sim_sw_bridge_init(p, err);
		if (ret < 0)
			goto fail;
	}
	*out = sw;
	return 0;
fail:
	sim_switch_free(sw);
	return ret;
}

/*
 * Links cabled to the switch's ports point into it: the chassis frees
 * them (sim_link_free) before the switch.
 */
void sim_switch_free(struct sim_switch *sw)
{
	if (!sw)
		return;
	for (unsigned i = 0; i < sw->nports; i++) {
		struct sim_sw_port *p = &sw->ports[i];

		for (unsigned b = 0; p->rt && b < 256; b++) {
			free(p->rt->rid[b]);
			free(p->rt->cfg_rid[b]);
		}
		free(p->rt);
		sim_sw_win_fini(&p->win);
		sim_sw_bridge_fini(p);
	}
	sim_sw_flash_fini(sw);
	free(sw->flash_path);
	free(sw->ports);
	free(sw->masks);
	free(sw);
}

struct fab_chip *sim_switch_chip(struct sim_switch *sw)
{
	return &sw->chip;
}

struct sim_switch *sim_switch_from_chip(struct fab_chip *chip)
{
	return FM_CONTAINER_OF(chip, struct sim_switch, chip);
}

const char *sim_switch_name(const struct sim_switch *sw)
{
	return sw->name;
}

unsigned sim_switch_nports(const struct sim_switch *sw)
{
	return sw->nports;
}

struct sim_port *sim_switch_port(struct sim_switch *sw, unsigned port)
{
	if (port >= sw->nports)
		return NULL;
	return &sw->ports[port].port;
}

void sim_switch_set_port_buses(struct sim_switch *sw, unsigned port,
			       uint8_t sec_bus, uint8_t sub_bus)
{
	struct sim_sw_port *p;

	if (port >= sw->nports)
		return;
	p = &sw->ports[port];
	p->sec_bus = sec_bus;
	p->sub_bus = sub_bus;
	sim_sw_bridge_set_buses(p);
}

void sim_switch_set_port_peer(struct sim_switch *sw, unsigned port,
			      int peer_chip, uint8_t peer_port)
{
	if (port >= sw->nports)
		return;
	sw->ports[port].peer_chip = peer_chip;
	sw->ports[port].peer_port = peer_port;
}

uint32_t sim_switch_port_cfg_read(const struct sim_switch *sw, unsigned port,
				  uint16_t off, unsigned len)
{
	if (port >= sw->nports ||
	    fab_cfg_check_access(off, len, FAB_PCI_CFG_SPACE_EXP_SIZE, NULL) <
		    0)
		return len == 1 ? 0xffu : len == 2 ? 0xffffu : 0xffffffffu;
	return sim_sw_bridge_read(&sw->ports[port], off, len);
}
