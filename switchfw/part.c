/* SPDX-License-Identifier: MIT */
/*
 * part.c - a partition: one host-facing upstream port, the virtual
 * hierarchy its host sees, and the config requests the host sends into
 * it, which the silicon traps to firmware.
 *
 * The host sees a virtual upstream bridge (vUSP, a PCIe Upstream Port) as
 * device 0 on the bus its root port forwards Type 0 requests to, and the
 * partition's vPPBs as devices 0..n-1 on the vUSP's secondary bus, each
 * with whatever is bound to it as device 0 on its own secondary bus.  The
 * host numbers buses itself; firmware keeps the upstream port's bus routes
 * exact: the vUSP's secondary bus and every vPPB's bus range go to TRAP,
 * every other bus to none (an isolation violation).  Trapped requests are
 * decoded as a switch would (r6.0 7.3.3): by the vUSP's and vPPBs' bus
 * registers, only device 0 below a downstream port.
 */
#include "switchfw/fw_int.h"

#include <stdlib.h>
#include <string.h>

static uint32_t sw_usp_rd(const struct sw_part *p, uint16_t off, unsigned len)
{
	return sw_vcfg_read(p->cfg, off, len);
}

bool sw_part_bus_master(const struct sw_part *p)
{
	return sw_usp_rd(p, PCI_COMMAND, 2) & PCI_COMMAND_MASTER;
}

bool sw_part_send(struct sw_part *p, const struct fab_tlp *tlp)
{
	struct fab_chip *hal = p->chip->hal;

	/* a host whose link is down misses it, as on hardware */
	return hal->ops->send(hal, p->port, tlp, NULL) == 0;
}

/* Link Status of the vUSP shows the physical link to the host. */
static void sw_usp_sync_link(struct sw_part *p)
{
	struct fab_chip *hal = p->chip->hal;
	struct fab_port_status st;
	const uint16_t reg = SW_VBR_EXP + PCI_EXP_LNKSTA;
	uint32_t sta = sw_usp_rd(p, reg, 2);

	if (hal->ops->port_status(hal, p->port, &st, NULL) < 0)
		return;
	p->link_up = st.up;
	if (!st.up)
		return;
	sta &= ~(uint32_t)(PCI_EXP_LNKSTA_SPEED | PCI_EXP_LNKSTA_WIDTH);
	sta |= FM_FIELD_PREP(PCI_EXP_LNKSTA_SPEED, st.speed) |
	       FM_FIELD_PREP(PCI_EXP_LNKSTA_WIDTH, st.width);
	sw_vcfg_set(p->cfg, reg, 2, sta);
}

static void sw_usp_build(struct sw_part *p)
{
	const struct fab_port_info *pi = &p->chip->port[p->port];
	struct sw_vmasks *m = &p->fw->usp_masks;

	sw_vcfg_bridge_header(p->cfg, p->chip->info.vendor,
			      p->chip->info.device);
	sw_vcfg_bridge_masks(m);
	sw_vcfg_exp_cap(p->cfg, m, PCI_EXP_TYPE_UPSTREAM, pi->max_speed,
			pi->max_width, p->port, 0);
	sw_usp_sync_link(p);
}

/* ---------------------------------------------------------------------
 * Bus routes.
 */

void sw_part_sync_buses(struct sw_part *p)
{
	struct fab_chip *hal = p->chip->hal;
	uint8_t sec = sw_vcfg_sec_bus(p->cfg), sub = sw_vcfg_sub_bus(p->cfg);
	uint8_t want[256] = { 0 };
	struct fm_err err = { 0 };

	if (sec && sec <= sub) {
		want[sec] = 1;
		for (unsigned i = 0; i < p->nvppbs; i++) {
			const struct sw_vppb *v = &p->vppb[i];
			unsigned lo = sw_vcfg_sec_bus(v->cfg);
			unsigned hi = sw_vcfg_sub_bus(v->cfg);

			/* only what the vUSP forwards below itself */
			if (!lo || lo <= sec)
				continue;
			for (unsigned b = lo; b <= hi && b <= sub; b++)
				want[b] = 1;
		}
	}
	for (unsigned b = 0; b < 256; b++) {
		struct fab_cfg_route r = { .kind = want[b] ? FAB_ROUTE_TRAP
							   : FAB_ROUTE_NONE };

		if (want[b] == p->bus_trap[b])
			continue;
		if (hal->ops->cfg_route_bus(hal, p->port, (uint8_t)b, &r,
					    &err) < 0) {
			FM_LOG(FM_LOG_ERROR, "sw part%u: bus %02x route: %s",
			       p->id, b, err.msg);
			fm_err_clear(&err);
			continue;
		}
		p->bus_trap[b] = want[b];
	}
}

void sw_part_sync_all(struct sw_part *p)
{
	for (unsigned i = 0; i < p->nvppbs; i++)
		sw_bind_sync(&p->vppb[i]);
}

/* ---------------------------------------------------------------------
 * Resets.
 */

/*
 * Everything below the vUSP goes to power-on state; the bound functions
 * get the reset the host's hot reset would give them (an FLR each, their
 * owner unchanged).
 */
static void sw_part_reset_below(struct sw_part *p)
{
	for (unsigned i = 0; i < p->nvppbs; i++)
		sw_vppb_reset(&p->vppb[i]);
	for (unsigned i = 0; i < p->nvppbs; i++) {
		struct sw_fn *fn = p->vppb[i].fn;

		if (fn && !fn->in_flr && sw_fn_flr_start(fn, true, true) < 0)
			FM_LOG(FM_LOG_ERROR,
			       "sw part%u/vppb%u: no timer to reset fn %#x",
			       p->id, i, fn->fid);
	}
}

void sw_part_reset(struct sw_part *p)
{
	sw_usp_build(p);
	p->host_bus = 0;
	sw_part_reset_below(p);
	sw_part_sync_buses(p);
}

void sw_part_link_up(struct sw_part *p)
{
	sw_usp_sync_link(p);
}

/* ---------------------------------------------------------------------
 * The vUSP's registers.
 */

static void sw_usp_decode_written(void *obj, uint32_t old, uint32_t val)
{
	if (old != val)
		sw_part_sync_all(obj);
}

static void sw_usp_bus_written(void *obj, uint32_t old, uint32_t val)
{
	struct sw_part *p = obj;

	if (old == val)
		return;
	sw_part_sync_buses(p);
	sw_part_sync_all(p);
}

/* Secondary Bus Reset: a hot reset of the whole hierarchy below. */
static void sw_usp_bctl_written(void *obj, uint32_t old, uint32_t val)
{
	struct sw_part *p = obj;

	if (!(old & PCI_BRIDGE_CTL_BUS_RESET) &&
	    (val & PCI_BRIDGE_CTL_BUS_RESET)) {
		sw_part_reset_below(p);
		sw_part_sync_buses(p);
	}
}

/* Registers with side effects, each alone in its table entry. */
static const struct sw_vcfg_hook sw_usp_hooks[] = {
	{ PCI_COMMAND, 2, sw_usp_decode_written },
	{ PCI_PRIMARY_BUS, 4, sw_usp_bus_written },
	{ PCI_MEMORY_BASE, 4, sw_usp_decode_written },
	{ PCI_PREF_MEMORY_BASE, 4, sw_usp_decode_written },
	{ PCI_PREF_BASE_UPPER32, 4, sw_usp_decode_written },
	{ PCI_PREF_LIMIT_UPPER32, 4, sw_usp_decode_written },
	{ PCI_BRIDGE_CONTROL, 2, sw_usp_bctl_written },
};

static void sw_usp_cfg(struct sw_part *p, const struct fab_tlp *req,
		       struct fab_tlp *cpl)
{
	if (req->type == FAB_TLP_CFG_RD0) {
		fab_tlp_complete(cpl, req, req->cfg_target, FAB_CPL_SC);
		fab_tlp_set_cfg_value(cpl,
				      sw_usp_rd(p, req->cfg_reg, req->len));
		return;
	}
	sw_vcfg_write(p->cfg, &p->fw->usp_masks, req->cfg_reg, req->len,
		      fab_tlp_cfg_value(req), sw_usp_hooks,
		      FM_ARRAY_SIZE(sw_usp_hooks), p);
	fab_tlp_complete(cpl, req, req->cfg_target, FAB_CPL_SC);
}

/* ---------------------------------------------------------------------
 * Trapped config requests.
 */

/* The vPPB whose bus range (inside the vUSP's) holds @bus, or NULL. */
static struct sw_vppb *sw_part_vppb_by_bus(struct sw_part *p, uint8_t bus)
{
	uint8_t sec = sw_vcfg_sec_bus(p->cfg), sub = sw_vcfg_sub_bus(p->cfg);

	if (!sec || bus <= sec || bus > sub)
		return NULL;
	for (unsigned i = 0; i < p->nvppbs; i++) {
		struct sw_vppb *v = &p->vppb[i];
		uint8_t lo = sw_vcfg_sec_bus(v->cfg);

		if (lo && bus >= lo && bus <= sw_vcfg_sub_bus(v->cfg))
			return v;
	}
	return NULL;
}

/*
 * A config request from the host of the partition on @ingress_port.
 * Anything not answered here keeps the Unsupported Request completion
 * the silicon prepared.
 */
void sw_part_trap(void *ctx, unsigned ingress_port, const struct fab_tlp *req,
		  struct fab_tlp *cpl)
{
	struct sw_chip *c = ctx;
	struct sw_part *p = NULL;
	uint16_t t = req->cfg_target;
	uint8_t sec;
	struct sw_vppb *v;

	if (ingress_port < c->info.nports)
		p = c->part[ingress_port];
	if (!p)
		return;
	switch (req->type) {
	case FAB_TLP_CFG_RD0:
	case FAB_TLP_CFG_WR0:
		/* the vUSP is function 0 of device 0 on its link */
		if (FAB_RID_DEVFN(t) != 0)
			return;
		/* r6.0 2.2.6.2: a function captures its bus number */
		p->host_bus = FAB_RID_BUS(t);
		sw_usp_cfg(p, req, cpl);
		return;
	case FAB_TLP_CFG_RD1:
	case FAB_TLP_CFG_WR1:
		sec = sw_vcfg_sec_bus(p->cfg);
		if (sec && FAB_RID_BUS(t) == sec) {
			if (FAB_RID_FN(t) == 0 && FAB_RID_DEV(t) < p->nvppbs)
				sw_vppb_cfg(&p->vppb[FAB_RID_DEV(t)], req, cpl);
			return;
		}
		v = sw_part_vppb_by_bus(p, FAB_RID_BUS(t));
		if (v)
			sw_bind_fn_cfg(v, req, cpl);
		return;
	default:
		return;
	}
}

/* ---------------------------------------------------------------------
 * Life cycle.
 */

int sw_part_init(struct sw_part *p, struct sw_chip *chip, uint8_t port,
		 unsigned id, struct fm_err *err)
{
	memset(p, 0, sizeof(*p));
	p->fw = chip->fw;
	p->chip = chip;
	p->id = id;
	p->port = port;
	p->nvppbs = chip->fw->cfg.vppbs;
	p->vppb = calloc(p->nvppbs, sizeof(*p->vppb));
	if (!p->vppb)
		return fm_err_set(err, FM_ENOMEM,
				  "sw part%u: out of memory for %u vPPBs", id,
				  p->nvppbs);
	for (unsigned i = 0; i < p->nvppbs; i++)
		sw_vppb_init(&p->vppb[i], p, i);
	sw_usp_build(p);
	return 0;
}

void sw_part_shutdown(struct sw_part *p)
{
	struct fab_cfg_route none = { .kind = FAB_ROUTE_NONE };
	struct fab_chip *hal = p->chip->hal;

	for (unsigned i = 0; i < p->nvppbs; i++) {
		sw_vppb_stop(&p->vppb[i]);
		sw_bind_teardown(&p->vppb[i]);
	}
	for (unsigned b = 0; b < 256; b++) {
		if (p->bus_trap[b])
			hal->ops->cfg_route_bus(hal, p->port, (uint8_t)b, &none,
						NULL);
		p->bus_trap[b] = 0;
	}
	hal->ops->cfg_route_type0(hal, p->port, &none, NULL);
}

void sw_part_fini(struct sw_part *p)
{
	if (!p->vppb)
		return;
	for (unsigned i = 0; i < p->nvppbs; i++)
		sw_vppb_stop(&p->vppb[i]);
	free(p->vppb);
	p->vppb = NULL;
}
