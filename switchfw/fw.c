/* SPDX-License-Identifier: MIT */
/*
 * fw.c - the switch firmware: life cycle, power-on discovery of every
 * chip's ports and devices, the chips' events (links, isolation
 * violations, host resets), the queries of the API, and the bindings
 * kept in flash.
 *
 * Power-on (sw_fw_start) reads every chip's ports, builds one partition
 * per upstream port (chip order, then port order), sends Type 0 config
 * requests arriving on upstream ports to the trap handler, and brings up
 * the device behind every downstream port whose link is up; the others
 * come up when their link does (chip event LINK_UP), which is also when
 * a binding restored from flash for them is applied.
 */
#include "switchfw/fw_int.h"

#include <stdlib.h>
#include <string.h>

#include "switchfw/flash_int.h"

/* ---------------------------------------------------------------------
 * HAL shortcuts.
 */

uint64_t sw_chip_now(const struct sw_chip *c)
{
	return c->hal->ops->now(c->hal);
}

uint64_t sw_chip_timer(struct sw_chip *c, uint64_t ns, fab_chip_timer_fn *fn,
		       void *arg)
{
	return c->hal->ops->timer_start(c->hal, ns, fn, arg);
}

void sw_chip_timer_cancel(struct sw_chip *c, uint64_t *id)
{
	if (*id)
		c->hal->ops->timer_cancel(c->hal, *id);
	*id = 0;
}

/* ---------------------------------------------------------------------
 * Life cycle.
 */

int sw_fw_new(struct sw_fw **out, struct fab_chip *const *chips,
	      unsigned nchips, const struct sw_fw_config *cfg,
	      struct fm_err *err)
{
	struct sw_fw_config c = { 0 };
	struct sw_fw *fw;

	if (!out || !chips || nchips == 0 || nchips > SW_MAX_CHIPS)
		return fm_err_set(err, FM_EINVAL,
				  "sw: %u chips (1..%u, with a chip array)",
				  nchips, SW_MAX_CHIPS);
	for (unsigned i = 0; i < nchips; i++)
		if (!chips[i] || !chips[i]->ops)
			return fm_err_set(err, FM_EINVAL,
					  "sw: chip %u has no HAL", i);
	if (cfg)
		c = *cfg;
	if (c.vppbs > SW_MAX_VPPBS)
		return fm_err_set(err, FM_EINVAL,
				  "sw: %u vPPBs per partition (1..%u)", c.vppbs,
				  SW_MAX_VPPBS);
	if (!c.vppbs)
		c.vppbs = SW_DEF_VPPBS;
	if (!c.managed_timeout_ns)
		c.managed_timeout_ns = SW_DEF_MANAGED_TIMEOUT_NS;
	if (!c.link_down_timeout_ns)
		c.link_down_timeout_ns = SW_DEF_LINK_DOWN_TIMEOUT_NS;
	if (!c.flr_timeout_ns)
		c.flr_timeout_ns = SW_DEF_FLR_TIMEOUT_NS;
	fw = calloc(1, sizeof(*fw));
	if (!fw)
		return fm_err_set(err, FM_ENOMEM, "sw: out of memory");
	fw->cfg = c;
	fw->nchips = nchips;
	for (unsigned i = 0; i < nchips; i++) {
		fw->chip[i].fw = fw;
		fw->chip[i].hal = chips[i];
		fw->chip[i].index = i;
	}
	*out = fw;
	return 0;
}

static void sw_chip_fini(struct sw_chip *c)
{
	if (c->dev) {
		for (unsigned p = 0; p < c->info.nports; p++) {
			sw_dev_fini(c->dev[p]);
			free(c->dev[p]);
		}
	}
	free(c->dev);
	free(c->part);
	free(c->port);
	c->dev = NULL;
	c->part = NULL;
	c->port = NULL;
}

/*
 * The chips must still exist: firmware takes its handlers and table
 * entries out of the silicon as it goes.
 */
void sw_fw_free(struct sw_fw *fw)
{
	if (!fw)
		return;
	for (unsigned i = 0; i < fw->nchips && fw->started; i++) {
		struct fab_chip *hal = fw->chip[i].hal;

		hal->ops->set_trap_handler(hal, NULL, NULL);
		hal->ops->set_event_handler(hal, NULL, NULL);
	}
	for (unsigned i = 0; fw->started && i < fw->nparts; i++)
		sw_part_shutdown(&fw->parts[i]);
	for (unsigned i = 0; fw->parts && i < fw->nparts; i++)
		sw_part_fini(&fw->parts[i]);
	for (unsigned i = 0; i < fw->nchips; i++)
		sw_chip_fini(&fw->chip[i]);
	free(fw->parts);
	free(fw->pending);
	free(fw);
}

/* ---------------------------------------------------------------------
 * Chip events.
 */

static int sw_chip_part_id(const struct sw_chip *c, unsigned port)
{
	return c->part[port] ? (int)c->part[port]->id : -1;
}

static void sw_fw_dev_up(struct sw_fw *fw, struct sw_dev *d)
{
	struct fm_err err = { 0 };

	if (sw_dev_discover(d, &err) < 0) {
		FM_LOG(FM_LOG_ERROR, "sw chip%u port%u: %s", d->chip->index,
		       d->port, err.msg);
		return;
	}
	if (d->present)
		sw_fw_apply_pending(fw, d);
}

static void sw_ev_link_up(struct sw_chip *c, const struct fab_chip_event *ev)
{
	unsigned port = ev->port;

	sw_event_log(c->fw, SW_EV_LINK_UP, sw_chip_part_id(c, port), -1,
		     c->index, port, SW_FID_NONE, 0);
	if (c->part[port])
		sw_part_link_up(c->part[port]);
	if (c->dev[port])
		sw_fw_dev_up(c->fw, c->dev[port]);
}

/*
 * A fabric link went down: the functions of this chip's partitions that
 * were reached over it cannot be any more, so they leave their hosts at
 * once (surprise, then their reset).  The peer chip's event does the same
 * for its partitions.
 */
static void sw_fw_fabric_down(struct sw_chip *c, unsigned port)
{
	struct sw_fw *fw = c->fw;

	for (unsigned i = 0; i < fw->nparts; i++) {
		struct sw_part *p = &fw->parts[i];

		if (p->chip != c)
			continue;
		for (unsigned k = 0; k < p->nvppbs; k++) {
			struct sw_fn *fn = p->vppb[k].fn;
			const struct sw_chip *fc = fn ? fn->dev->chip : NULL;

			if (!fn || fc == c ||
			    c->fabric_to[fc->index] != (int)port)
				continue;
			if (fn->state != SW_FN_UNBINDING) {
				fn->state = SW_FN_UNBINDING;
				sw_event_fn(fw, SW_EV_UNBIND_START, fn);
			}
			sw_vppb_event(&p->vppb[k], SW_HP_UNBIND_SURPRISE);
		}
	}
}

/*
 * Link down on an upstream port is a reset of that partition (r6.0
 * 6.6.1: DL_Down resets what is below); on a downstream port its device
 * is gone and its functions leave their hosts at once; on a fabric port
 * so do the functions reached over it.
 */
static void sw_ev_link_down(struct sw_chip *c, const struct fab_chip_event *ev)
{
	unsigned port = ev->port;

	sw_event_log(c->fw, SW_EV_LINK_DOWN, sw_chip_part_id(c, port), -1,
		     c->index, port, SW_FID_NONE, 0);
	if (c->part[port]) {
		c->part[port]->link_up = false;
		sw_part_reset(c->part[port]);
	}
	if (c->dev[port] && c->dev[port]->present)
		sw_dev_lost(c->dev[port]);
	if (c->port[port].kind == FAB_PORT_FABRIC)
		sw_fw_fabric_down(c, port);
}

/*
 * A request matched no route: the silicon already refused it.  The event
 * names the port and partition, the function for a request from below,
 * and the config target or the address.
 */
static void sw_ev_violation(struct sw_chip *c, const struct fab_chip_event *ev)
{
	unsigned port = ev->port;
	uint32_t fid = SW_FID_NONE;
	struct sw_fn *fn = NULL;
	struct fab_tlp kind = { .type = ev->tlp_type };
	bool cfg = fab_tlp_is_cfg(&kind);

	if (c->dev[port])
		fn = sw_dev_fn_by_rid(c->dev[port], ev->requester);
	if (fn)
		fid = fn->fid;
	FM_LOG(FM_LOG_DEBUG,
	       "sw chip%u port%u: isolation: %s from %04x to %#llx refused",
	       c->index, port,
	       fab_tlp_type_name((enum fab_tlp_type)ev->tlp_type),
	       ev->requester,
	       (unsigned long long)(cfg ? ev->cfg_target : ev->addr));
	sw_event_log(c->fw, SW_EV_VIOLATION, sw_chip_part_id(c, port), -1,
		     c->index, port, fid, cfg ? ev->cfg_target : ev->addr);
}

static void sw_ev_reset(struct sw_chip *c, const struct fab_chip_event *ev)
{
	unsigned port = ev->port;

	sw_event_log(c->fw, SW_EV_HOST_RESET, sw_chip_part_id(c, port), -1,
		     c->index, port, SW_FID_NONE, 0);
	if (c->part[port])
		sw_part_reset(c->part[port]);
}

typedef void sw_chip_ev_fn(struct sw_chip *c, const struct fab_chip_event *ev);

/* One handler per chip event type (fabric/chip.h). */
static sw_chip_ev_fn *const sw_chip_ev_handlers[] = {
	[FAB_CHIP_EV_LINK_UP] = sw_ev_link_up,
	[FAB_CHIP_EV_LINK_DOWN] = sw_ev_link_down,
	[FAB_CHIP_EV_VIOLATION] = sw_ev_violation,
	[FAB_CHIP_EV_RESET] = sw_ev_reset,
};

static void sw_chip_event(void *ctx, const struct fab_chip_event *ev)
{
	struct sw_chip *c = ctx;

	if (ev->type >= FM_ARRAY_SIZE(sw_chip_ev_handlers) ||
	    !sw_chip_ev_handlers[ev->type] || ev->port >= c->info.nports)
		return;
	sw_chip_ev_handlers[ev->type](c, ev);
}

/* ---------------------------------------------------------------------
 * Power-on.
 */

static int sw_chip_setup(struct sw_chip *c, struct fm_err *err)
{
	struct fab_chip *hal = c->hal;
	unsigned n;
	int ret;

	ret = hal->ops->get_info(hal, &c->info);
	if (ret < 0)
		return fm_err_set(err, -ret, "sw chip%u: get_info: %s",
				  c->index, fm_strerror(-ret));
	n = c->info.nports;
	c->port = calloc(n ? n : 1, sizeof(*c->port));
	c->dev = calloc(n ? n : 1, sizeof(*c->dev));
	c->part = calloc(n ? n : 1, sizeof(*c->part));
	if (!c->port || !c->dev || !c->part)
		return fm_err_set(err, FM_ENOMEM, "sw chip%u: out of memory",
				  c->index);
	for (unsigned i = 0; i < SW_MAX_CHIPS; i++)
		c->fabric_to[i] = -1;
	c->next64 = SW_PHYS64_BASE + c->index * SW_PHYS64_SPAN;
	c->end64 = c->next64 + SW_PHYS64_SPAN;
	c->next32 = SW_PHYS32_BASE + c->index * SW_PHYS32_SPAN;
	c->end32 = c->next32 + SW_PHYS32_SPAN;
	for (unsigned p = 0; p < n; p++) {
		struct fab_port_info *pi = &c->port[p];

		ret = hal->ops->port_info(hal, p, pi, err);
		if (ret < 0)
			return ret;
		if (pi->kind == FAB_PORT_FABRIC && pi->peer_chip >= 0 &&
		    (unsigned)pi->peer_chip < c->fw->nchips &&
		    c->fabric_to[pi->peer_chip] < 0)
			c->fabric_to[pi->peer_chip] = (int)p;
		if (pi->kind != FAB_PORT_DOWNSTREAM)
			continue;
		c->dev[p] = calloc(1, sizeof(*c->dev[p]));
		if (!c->dev[p])
			return fm_err_set(err, FM_ENOMEM,
					  "sw chip%u: out of memory", c->index);
		c->dev[p]->chip = c;
		c->dev[p]->port = (uint8_t)p;
		c->dev[p]->sec_bus = pi->sec_bus;
		c->dev[p]->sub_bus = pi->sub_bus;
	}
	return 0;
}

static int sw_fw_make_parts(struct sw_fw *fw, struct fm_err *err)
{
	unsigned n = 0;
	int ret;

	for (unsigned i = 0; i < fw->nchips; i++)
		for (unsigned p = 0; p < fw->chip[i].info.nports; p++)
			n += fw->chip[i].port[p].kind == FAB_PORT_UPSTREAM;
	fw->parts = calloc(n ? n : 1, sizeof(*fw->parts));
	if (!fw->parts)
		return fm_err_set(err, FM_ENOMEM, "sw: out of memory");
	for (unsigned i = 0; i < fw->nchips; i++) {
		struct sw_chip *c = &fw->chip[i];

		for (unsigned p = 0; p < c->info.nports; p++) {
			if (c->port[p].kind != FAB_PORT_UPSTREAM)
				continue;
			ret = sw_part_init(&fw->parts[fw->nparts], c,
					   (uint8_t)p, fw->nparts, err);
			if (ret < 0)
				return ret;
			c->part[p] = &fw->parts[fw->nparts++];
		}
	}
	return 0;
}

/* Type 0 requests from the host end in firmware (the vUSP is virtual). */
static int sw_fw_trap_type0(struct sw_part *p, struct fm_err *err)
{
	struct fab_cfg_route r = { .kind = FAB_ROUTE_TRAP };
	struct fab_chip *hal = p->chip->hal;

	return hal->ops->cfg_route_type0(hal, p->port, &r, err);
}

int sw_fw_start(struct sw_fw *fw, struct fm_err *err)
{
	struct fm_err local = { 0 };
	int ret = 0;

	if (fw->started)
		return fm_err_set(err, FM_ESTATE, "sw: already started");
	for (unsigned i = 0; i < fw->nchips && ret == 0; i++)
		ret = sw_chip_setup(&fw->chip[i], err);
	if (ret == 0)
		ret = sw_fw_make_parts(fw, err);
	for (unsigned i = 0; i < fw->nparts && ret == 0; i++)
		ret = sw_fw_trap_type0(&fw->parts[i], err);
	if (ret < 0)
		return ret;
	fw->started = true;
	for (unsigned i = 0; i < fw->nchips; i++) {
		struct sw_chip *c = &fw->chip[i];

		c->hal->ops->set_trap_handler(c->hal, sw_part_trap, c);
		c->hal->ops->set_event_handler(c->hal, sw_chip_event, c);
	}
	for (unsigned i = 0; i < fw->nparts; i++)
		sw_part_reset(&fw->parts[i]);
	for (unsigned i = 0; i < fw->nchips; i++) {
		struct sw_chip *c = &fw->chip[i];

		for (unsigned p = 0; p < c->info.nports; p++) {
			struct fab_port_status st;

			if (!c->dev[p] ||
			    c->hal->ops->port_status(c->hal, p, &st, NULL) <
				    0 ||
			    !st.up)
				continue;
			sw_fw_dev_up(fw, c->dev[p]);
		}
	}
	FM_LOG(FM_LOG_INFO,
	       "sw: started: %u chips, %u partitions, %u functions", fw->nchips,
	       fw->nparts, sw_fw_function_count(fw));
	/* a flash that holds nothing (or nothing valid) is a fresh switch */
	if (sw_fw_load_config(fw, &local) < 0 && local.code != FM_ENOENT)
		FM_LOG(FM_LOG_WARN, "sw: bindings not restored: %s", local.msg);
	return 0;
}

/* ---------------------------------------------------------------------
 * Queries.
 */

void sw_fw_identify(struct sw_fw *fw, struct sw_identity *out)
{
	memset(out, 0, sizeof(*out));
	out->nchips = fw->nchips;
	out->npartitions = fw->nparts;
	out->vppbs = fw->cfg.vppbs;
	out->fw_version = SW_FW_VERSION;
	out->nfunctions = sw_fw_function_count(fw);
	if (!fw->started)
		return;
	memcpy(out->name, fw->chip[0].info.name, sizeof(out->name));
	out->name[sizeof(out->name) - 1] = '\0';
	out->vendor = fw->chip[0].info.vendor;
	out->device = fw->chip[0].info.device;
	for (unsigned i = 0; i < fw->nchips; i++)
		out->nports += fw->chip[i].info.nports;
}

/* The device behind (chip, port), if that is a downstream port. */
static struct sw_dev *sw_fw_dev(const struct sw_fw *fw, unsigned chip,
				unsigned port)
{
	const struct sw_chip *c;

	if (!fw->started || chip >= fw->nchips)
		return NULL;
	c = &fw->chip[chip];
	return port < c->info.nports ? c->dev[port] : NULL;
}

struct sw_fn *sw_fw_fn_find(struct sw_fw *fw, uint32_t fid)
{
	struct sw_dev *d = sw_fw_dev(fw, SW_FID_CHIP(fid), SW_FID_PORT(fid));

	if (!d || SW_FID_INDEX(fid) >= d->nfns)
		return NULL;
	return &d->fn[SW_FID_INDEX(fid)];
}

unsigned sw_fw_function_count(const struct sw_fw *fw)
{
	unsigned n = 0;

	for (unsigned i = 0; fw->started && i < fw->nchips; i++)
		for (unsigned p = 0; p < fw->chip[i].info.nports; p++)
			if (fw->chip[i].dev[p])
				n += fw->chip[i].dev[p]->nfns;
	return n;
}

static void sw_fw_fn_info(const struct sw_fn *fn, struct sw_fn_info *out)
{
	const struct sw_dev *d = fn->dev;
	const struct sw_vppb *v = fn->vppb;

	memset(out, 0, sizeof(*out));
	out->fid = fn->fid;
	out->phys_rid = fn->rid;
	out->vendor = d->vendor;
	out->device = fn->index ? d->vf_device : d->device;
	out->class_code = d->class_code;
	out->is_vf = fn->index != 0;
	if (!fn->index && d->sriov) {
		out->total_vfs = d->total_vfs;
		out->num_vfs = d->whole_bound ? 0 : d->num_vfs;
		out->vf_offset = d->vf_offset;
		out->vf_stride = d->vf_stride;
		out->vf_device = d->vf_device;
	}
	out->state = sw_fn_reported_state(fn);
	out->partition = v ? (int16_t)v->part->id : -1;
	out->vppb = v ? (int16_t)v->index : -1;
}

int sw_fw_function(struct sw_fw *fw, unsigned index, struct sw_fn_info *out,
		   struct fm_err *err)
{
	unsigned left = index;

	for (unsigned i = 0; fw->started && i < fw->nchips; i++) {
		const struct sw_chip *c = &fw->chip[i];

		for (unsigned p = 0; p < c->info.nports; p++) {
			const struct sw_dev *d = c->dev[p];

			if (!d || !d->nfns)
				continue;
			if (left < d->nfns) {
				sw_fw_fn_info(&d->fn[left], out);
				return 0;
			}
			left -= d->nfns;
		}
	}
	return fm_err_set(err, FM_ENOENT, "sw: no function number %u (%u)",
			  index, sw_fw_function_count(fw));
}

int sw_fw_function_find(struct sw_fw *fw, uint32_t fid, struct sw_fn_info *out,
			struct fm_err *err)
{
	const struct sw_fn *fn = sw_fw_fn_find(fw, fid);

	if (!fn)
		return fm_err_set(err, FM_ENOENT, "sw: no function %#x", fid);
	sw_fw_fn_info(fn, out);
	return 0;
}

int sw_fw_function_by_rid(uint32_t *fid, struct sw_fw *fw, unsigned chip,
			  uint16_t rid, struct fm_err *err)
{
	char name[FAB_RID_STR_LEN];

	for (unsigned p = 0;
	     fw->started && chip < fw->nchips && p < fw->chip[chip].info.nports;
	     p++) {
		struct sw_dev *d = fw->chip[chip].dev[p];
		const struct sw_fn *fn;

		if (!d || FAB_RID_BUS(rid) < d->sec_bus ||
		    FAB_RID_BUS(rid) > d->sub_bus)
			continue;
		fn = sw_dev_fn_by_rid(d, rid);
		if (fn) {
			*fid = fn->fid;
			return 0;
		}
	}
	return fm_err_set(err, FM_ENOENT, "sw chip%u: no function at %s", chip,
			  fab_rid_format(name, rid));
}

unsigned sw_fw_partition_count(const struct sw_fw *fw)
{
	return fw->nparts;
}

int sw_fw_partition(struct sw_fw *fw, unsigned part,
		    struct sw_partition_info *out, struct fm_err *err)
{
	const struct sw_part *p;

	if (part >= fw->nparts)
		return fm_err_set(err, FM_ENOENT,
				  "sw: no partition %u (%u partitions)", part,
				  fw->nparts);
	p = &fw->parts[part];
	memset(out, 0, sizeof(*out));
	out->id = p->id;
	out->chip = (uint8_t)p->chip->index;
	out->port = p->port;
	out->link_up = p->link_up;
	out->host_bus = p->host_bus;
	out->nvppbs = p->nvppbs;
	for (unsigned i = 0; i < p->nvppbs; i++) {
		const struct sw_vppb *v = &p->vppb[i];

		out->vppb[i].state = v->state;
		out->vppb[i].fid = v->fn ? v->fn->fid : SW_FID_NONE;
		out->vppb[i].sec_bus = sw_vppb_sec_bus(v);
		out->vppb[i].slot_power = sw_vppb_powered(v);
	}
	return 0;
}

static int sw_fw_check_port(const struct sw_fw *fw, unsigned chip,
			    unsigned port, struct fm_err *err)
{
	if (!fw->started)
		return fm_err_set(err, FM_ESTATE, "sw: not started");
	if (chip >= fw->nchips)
		return fm_err_set(err, FM_ENOENT, "sw: no chip %u (%u chips)",
				  chip, fw->nchips);
	if (port >= fw->chip[chip].info.nports)
		return fm_err_set(err, FM_ERANGE,
				  "sw chip%u: no port %u (%u ports)", chip,
				  port, fw->chip[chip].info.nports);
	return 0;
}

int sw_fw_port_status(struct sw_fw *fw, unsigned chip, unsigned port,
		      struct fab_port_status *st, struct fm_err *err)
{
	struct fab_chip *hal;
	int ret;

	ret = sw_fw_check_port(fw, chip, port, err);
	if (ret < 0)
		return ret;
	hal = fw->chip[chip].hal;
	return hal->ops->port_status(hal, port, st, err);
}

int sw_fw_port_control(struct sw_fw *fw, unsigned chip, unsigned port,
		       enum fab_port_ctl ctl, struct fm_err *err)
{
	struct fab_chip *hal;
	int ret;

	ret = sw_fw_check_port(fw, chip, port, err);
	if (ret < 0)
		return ret;
	if ((unsigned)ctl > FAB_PORT_CTL_RESET)
		return fm_err_set(err, FM_EINVAL,
				  "sw chip%u port%u: bad port control %d", chip,
				  port, (int)ctl);
	hal = fw->chip[chip].hal;
	return hal->ops->port_control(hal, port, ctl, err);
}

/* ---------------------------------------------------------------------
 * Flash: the bindings survive a switch reset or power cycle.
 */

int sw_fw_save_config(struct sw_fw *fw, struct fm_err *err)
{
	struct sw_flash_binding *b = NULL;
	unsigned n = 0, max;
	int ret;

	if (!fw->started)
		return fm_err_set(err, FM_ESTATE, "sw: not started");
	max = fw->nparts * fw->cfg.vppbs + fw->npending;
	b = calloc(max ? max : 1, sizeof(*b));
	if (!b)
		return fm_err_set(err, FM_ENOMEM, "sw: out of memory");
	for (unsigned i = 0; i < fw->nparts; i++) {
		const struct sw_part *p = &fw->parts[i];

		for (unsigned k = 0; k < p->nvppbs; k++) {
			const struct sw_fn *fn = p->vppb[k].fn;

			if (fn && fn->state == SW_FN_BOUND)
				b[n++] = (struct sw_flash_binding){
					fn->fid, (uint16_t)i, (uint16_t)k
				};
		}
	}
	/* bindings whose device has not come up yet still hold */
	for (unsigned i = 0; i < fw->npending; i++)
		b[n++] = (struct sw_flash_binding){ fw->pending[i].fid,
						    fw->pending[i].partition,
						    fw->pending[i].vppb };
	ret = sw_flash_save(fw->chip[0].hal, b, n, err);
	free(b);
	if (ret < 0)
		return ret;
	sw_event_log(fw, SW_EV_CONFIG_SAVED, -1, -1, 0, 0, SW_FID_NONE, n);
	return 0;
}

/* Bind as flash says; a binding already in place is left alone. */
static void sw_fw_restore(struct sw_fw *fw, const struct sw_fw_pending *b)
{
	struct sw_fn *fn = sw_fw_fn_find(fw, b->fid);
	struct fm_err err = { 0 };

	if (fn && fn->vppb && fn->vppb->part->id == b->partition &&
	    fn->vppb->index == b->vppb)
		return;
	if (sw_fw_bind(fw, b->fid, b->partition, b->vppb, NULL, &err) < 0)
		FM_LOG(FM_LOG_WARN,
		       "sw: saved binding of fn %#x to part%u/"
		       "vppb%u not restored: %s",
		       b->fid, b->partition, b->vppb, err.msg);
}

void sw_fw_pending_drop(struct sw_fw *fw, uint32_t fid, unsigned part,
			unsigned vppb)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < fw->npending; i++) {
		struct sw_fw_pending b = fw->pending[i];

		if (b.fid != fid && (b.partition != part || b.vppb != vppb))
			fw->pending[kept++] = b;
	}
	fw->npending = kept;
}

static bool sw_fw_pending_for(const struct sw_fw_pending *b,
			      const struct sw_dev *d)
{
	return SW_FID_CHIP(b->fid) == d->chip->index &&
	       SW_FID_PORT(b->fid) == d->port;
}

/*
 * Taken out of the list first: each bind may drop other waiting entries
 * (sw_fw_pending_drop()).
 */
void sw_fw_apply_pending(struct sw_fw *fw, struct sw_dev *d)
{
	struct sw_fw_pending *now;
	unsigned n = 0, kept = 0;

	for (unsigned i = 0; i < fw->npending; i++)
		n += sw_fw_pending_for(&fw->pending[i], d);
	if (!n)
		return;
	now = calloc(n, sizeof(*now));
	if (!now) {
		FM_LOG(FM_LOG_ERROR,
		       "sw: out of memory restoring %u bindings of chip%u "
		       "port%u",
		       n, d->chip->index, d->port);
		return;
	}
	n = 0;
	for (unsigned i = 0; i < fw->npending; i++) {
		if (sw_fw_pending_for(&fw->pending[i], d))
			now[n++] = fw->pending[i];
		else
			fw->pending[kept++] = fw->pending[i];
	}
	fw->npending = kept;
	for (unsigned i = 0; i < n; i++)
		sw_fw_restore(fw, &now[i]);
	free(now);
}

int sw_fw_load_config(struct sw_fw *fw, struct fm_err *err)
{
	struct sw_flash_binding *b = NULL;
	struct sw_fw_pending *pending = NULL;
	unsigned n = 0, max, np = 0;
	int ret;

	if (!fw->started)
		return fm_err_set(err, FM_ESTATE, "sw: not started");
	max = fw->nparts * fw->cfg.vppbs;
	b = calloc(max ? max : 1, sizeof(*b));
	pending = calloc(max ? max : 1, sizeof(*pending));
	if (!b || !pending) {
		ret = fm_err_set(err, FM_ENOMEM, "sw: out of memory");
		goto out;
	}
	ret = sw_flash_load(b, max, &n, fw->chip[0].hal, err);
	if (ret < 0)
		goto out;
	/* those of devices not up yet wait; the others are bound now */
	for (unsigned i = 0; i < n; i++) {
		struct sw_dev *d = sw_fw_dev(fw, SW_FID_CHIP(b[i].fid),
					     SW_FID_PORT(b[i].fid));

		if (d && !d->present)
			pending[np++] = (struct sw_fw_pending){ b[i].fid,
								b[i].partition,
								b[i].vppb };
	}
	free(fw->pending);
	fw->pending = pending;
	fw->npending = np;
	pending = NULL;
	for (unsigned i = 0; i < n; i++) {
		struct sw_fw_pending rec = { b[i].fid, b[i].partition,
					     b[i].vppb };
		struct sw_dev *d = sw_fw_dev(fw, SW_FID_CHIP(rec.fid),
					     SW_FID_PORT(rec.fid));

		if (!d || d->present)
			sw_fw_restore(fw, &rec);
	}
	sw_event_log(fw, SW_EV_CONFIG_RESTORED, -1, -1, 0, 0, SW_FID_NONE, n);
	FM_LOG(FM_LOG_INFO,
	       "sw: %u bindings restored from flash, %u waiting for their "
	       "device",
	       n - np, np);
out:
	free(b);
	free(pending);
	return ret;
}
