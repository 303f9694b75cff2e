/* SPDX-License-Identifier: MIT */
/*
 * bind.c - binding functions to vPPBs, and the bound function as its
 * host sees it.
 *
 * The host reaches a bound function as device 0 on the vPPB's secondary
 * bus.  Its config requests trap to firmware, which answers the Vendor
 * and Device ID (a VF shows its PF's Vendor ID and the VF Device ID), the
 * BARs (virtual registers sized like the physical ones; a VF's from its
 * PF's SR-IOV VF BARs) and the expansion ROM BAR (none) itself, and
 * passes every other register to the physical function through the HAL,
 * so capabilities, MSI, Command and FLR are the device's own.  A VF's
 * Memory Space Enable is read-only 0 in hardware (VF MSE governs its
 * decode), so firmware keeps the host's bit.
 *
 * The silicon tables follow the host's view exactly (sw_bind_sync()):
 *
 *  - a memory window on the partition's upstream port per BAR the host
 *    has placed and decodes through every bridge above it (Memory Space
 *    Enable and windows of the vPPB and the vUSP, the virtual link up):
 *    host address -> physical BAR address, out of the device's port;
 *  - a RID route on the device's port while the vPPB and the vUSP let it
 *    master: the function's physical RID -> the host RID (vPPB secondary
 *    bus, 00.0), out of the partition's upstream port.
 *
 * A function on another chip than the partition is reached over the
 * fabric link between the two chips (one hop).  Physical address ranges
 * of the chips never overlap, so the physical BAR address is the address
 * on the fabric link too: a window on the partition's port sends the
 * host address there as the physical address, and a window on the far
 * chip's fabric port passes it to the device's port unchanged.  Requests
 * from the function cross with its physical RID as requester ID (unique
 * on the link: only the far chip's devices send on it, and their buses
 * are never 0, the bus of hosts' root ports, whose MMIO arrives on the
 * same fabric port); a RID route on the near chip's fabric port maps it
 * to the host RID.
 */
#include "switchfw/fw_int.h"

#include <stdio.h>
#include <string.h>

/* Header bytes firmware answers for a bound function. */
#define SW_VHDR_BAR_END (PCI_BASE_ADDRESS_5 + 4)
#define SW_VHDR_ROM_END (PCI_ROM_ADDRESS + 4)

static bool sw_vhdr_virtual(uint16_t off)
{
	return off < PCI_COMMAND ||
	       (off >= PCI_BASE_ADDRESS_0 && off < SW_VHDR_BAR_END) ||
	       (off >= PCI_ROM_ADDRESS && off < SW_VHDR_ROM_END);
}

static uint32_t sw_vhdr_rd32(const struct sw_vppb *v, uint16_t off)
{
	return sw_vcfg_read(v->vhdr, off, 4);
}

/* What the host may write into BAR register @k (the rest reads back). */
static uint32_t sw_vbar_wmask(const struct sw_fn *fn, unsigned k)
{
	const struct sw_bar *b = sw_fn_bars(fn);

	if (b[k].size)
		return b[k].size > 0xffffffffULL
			       ? 0
			       : (uint32_t) ~(b[k].size - 1) & ~0xfu;
	if (k > 0 && b[k - 1].size && b[k - 1].mem64)
		return (uint32_t)(~(b[k - 1].size - 1) >> 32);
	return 0;
}

/* The BAR registers as after reset: type bits, no address. */
static void sw_vbar_reset(struct sw_vppb *v)
{
	const struct sw_bar *b = sw_fn_bars(v->fn);

	for (unsigned k = 0; k < 6; k++) {
		uint32_t flags = 0;

		if (b[k].size) {
			flags = PCI_BASE_ADDRESS_SPACE_MEMORY;
			if (b[k].mem64)
				flags |= PCI_BASE_ADDRESS_MEM_TYPE_64;
			if (b[k].prefetch)
				flags |= PCI_BASE_ADDRESS_MEM_PREFETCH;
		}
		sw_vcfg_set(v->vhdr, (uint16_t)(PCI_BASE_ADDRESS_0 + 4 * k), 4,
			    flags);
	}
}

/* Host address of BAR @k as the host programmed it. */
static uint64_t sw_vbar_addr(const struct sw_vppb *v, unsigned k)
{
	const struct sw_bar *b = &sw_fn_bars(v->fn)[k];
	uint16_t reg = (uint16_t)(PCI_BASE_ADDRESS_0 + 4 * k);
	uint64_t a = sw_vhdr_rd32(v, reg) & ~0xfULL;

	if (b->mem64)
		a |= (uint64_t)sw_vhdr_rd32(v, reg + 4) << 32;
	return a;
}

void sw_bind_attach(struct sw_vppb *v, struct sw_fn *fn)
{
	const struct sw_dev *d = fn->dev;

	v->fn = fn;
	fn->vppb = v;
	memset(v->vhdr, 0, sizeof(v->vhdr));
	memset(v->win, 0, sizeof(v->win));
	v->vcmd = 0;
	v->rid_on = false;
	sw_vcfg_set(v->vhdr, PCI_VENDOR_ID, 2, d->vendor);
	sw_vcfg_set(v->vhdr, PCI_DEVICE_ID, 2,
		    fn->index ? d->vf_device : d->device);
	sw_vbar_reset(v);
}

void sw_bind_fn_reset(struct sw_vppb *v)
{
	if (!v->fn)
		return;
	sw_vbar_reset(v);
	v->vcmd = 0;
	sw_bind_sync(v);
}

/* ---------------------------------------------------------------------
 * Silicon tables.
 */

static const char *sw_bind_name(char *buf, size_t len, const struct sw_vppb *v)
{
	snprintf(buf, len, "sw part%u/vppb%u", v->part->id, v->index);
	return buf;
}

/* Does the host decode BAR @k through the whole path?  *addr gets it. */
static bool sw_bind_decodes(const struct sw_vppb *v, unsigned k, uint64_t *addr)
{
	const struct sw_bar *b = &sw_fn_bars(v->fn)[k];

	if (!b->size || !v->link_up || !(v->vcmd & PCI_COMMAND_MEMORY))
		return false;
	*addr = sw_vbar_addr(v, k);
	return *addr && sw_vcfg_bridge_claims(v->cfg, *addr, b->size) &&
	       sw_vcfg_bridge_claims(v->part->cfg, *addr, b->size);
}

/* The fabric ports between the partition's chip and the function's. */
static void sw_bind_fabric(const struct sw_vppb *v, unsigned *near_port,
			   unsigned *far_port)
{
	const struct sw_chip *pc = v->part->chip;
	const struct sw_chip *fc = v->fn->dev->chip;
	int np = pc->fabric_to[fc->index];

	*near_port = (unsigned)np;
	*far_port = pc->port[np].peer_port;
}

static int sw_bind_win_add(struct sw_vppb *v, unsigned k, uint64_t addr,
			   struct fm_err *err)
{
	struct sw_chip *pc = v->part->chip, *fc = v->fn->dev->chip;
	const struct sw_fn *fn = v->fn;
	struct sw_win *w = &v->win[k];
	struct fab_mem_window up = {
		.base = addr,
		.size = sw_fn_bars(fn)[k].size,
		.egress_port = fn->dev->port,
		.target_base = sw_fn_bar_phys(fn, k),
	};
	struct fab_mem_window far = up;
	unsigned near_port, far_port;
	int ret;

	if (pc != fc) {
		sw_bind_fabric(v, &near_port, &far_port);
		up.egress_port = (uint8_t)near_port;
		far.base = up.target_base;
		ret = fc->hal->ops->mem_window_add(fc->hal, far_port, &far,
						   err);
		if (ret < 0)
			return ret;
	}
	ret = pc->hal->ops->mem_window_add(pc->hal, v->part->port, &up, err);
	if (ret < 0) {
		if (pc != fc)
			fc->hal->ops->mem_window_del(fc->hal, far_port,
						     far.base, NULL);
		return ret;
	}
	*w = (struct sw_win){ addr, up.size, up.target_base, true };
	return 0;
}

static void sw_bind_win_del(struct sw_vppb *v, unsigned k)
{
	struct sw_chip *pc = v->part->chip, *fc = v->fn->dev->chip;
	struct sw_win *w = &v->win[k];
	unsigned near_port, far_port;

	pc->hal->ops->mem_window_del(pc->hal, v->part->port, w->base, NULL);
	if (pc != fc) {
		sw_bind_fabric(v, &near_port, &far_port);
		fc->hal->ops->mem_window_del(fc->hal, far_port, w->phys, NULL);
	}
	w->on = false;
}

/* RID routes for the function's requests: @on installs, else removes. */
static int sw_bind_rid_set(struct sw_vppb *v, bool on, uint16_t host_rid,
			   struct fm_err *err)
{
	struct sw_chip *pc = v->part->chip, *fc = v->fn->dev->chip;
	const struct sw_fn *fn = v->fn;
	struct fab_rid_route r = { .kind = FAB_ROUTE_NONE };
	struct fab_rid_route fwd = r;
	unsigned near_port, far_port;
	int ret;

	if (pc == fc) {
		if (on)
			r = (struct fab_rid_route){ FAB_ROUTE_FORWARD,
						    v->part->port, host_rid };
		return fc->hal->ops->rid_route(fc->hal, fn->dev->port, fn->rid,
					       &r, err);
	}
	/* the far chip's fabric port is the one peered with the near one */
	sw_bind_fabric(v, &near_port, &far_port);
	if (on) {
		r = (struct fab_rid_route){ FAB_ROUTE_FORWARD,
					    (uint8_t)far_port, fn->rid };
		fwd = (struct fab_rid_route){ FAB_ROUTE_FORWARD, v->part->port,
					      host_rid };
	}
	ret = pc->hal->ops->rid_route(pc->hal, near_port, fn->rid, &fwd, err);
	if (ret == 0)
		ret = fc->hal->ops->rid_route(fc->hal, fn->dev->port, fn->rid,
					      &r, err);
	return ret;
}

void sw_bind_sync(struct sw_vppb *v)
{
	struct fm_err err = { 0 };
	uint8_t sec = sw_vppb_sec_bus(v);
	uint16_t host_rid = FAB_RID(sec, 0, 0);
	bool master;
	char name[32];

	if (!v->fn)
		return;
	for (unsigned k = 0; k < 6; k++) {
		uint64_t addr = 0;
		bool want = sw_bind_decodes(v, k, &addr);

		if (v->win[k].on && (!want || v->win[k].base != addr))
			sw_bind_win_del(v, k);
		if (!want || v->win[k].on)
			continue;
		if (sw_bind_win_add(v, k, addr, &err) < 0) {
			/* e.g. the host placed two BARs on top of each other */
			FM_LOG(FM_LOG_WARN, "%s: BAR%u at %#llx not mapped: %s",
			       sw_bind_name(name, sizeof(name), v), k,
			       (unsigned long long)addr, err.msg);
			fm_err_clear(&err);
		}
	}
	master = v->link_up && sec &&
		 (sw_vcfg_read(v->cfg, PCI_COMMAND, 2) & PCI_COMMAND_MASTER) &&
		 sw_part_bus_master(v->part);
	if (v->rid_on && (!master || v->rid_host != host_rid)) {
		sw_bind_rid_set(v, false, 0, NULL);
		v->rid_on = false;
	}
	if (!master || v->rid_on)
		return;
	if (sw_bind_rid_set(v, true, host_rid, &err) < 0) {
		FM_LOG(FM_LOG_ERROR, "%s: RID route: %s",
		       sw_bind_name(name, sizeof(name), v), err.msg);
		sw_bind_rid_set(v, false, 0, NULL);
		return;
	}
	v->rid_on = true;
	v->rid_host = host_rid;
}

void sw_bind_teardown(struct sw_vppb *v)
{
	if (!v->fn)
		return;
	for (unsigned k = 0; k < 6; k++)
		if (v->win[k].on)
			sw_bind_win_del(v, k);
	if (v->rid_on)
		sw_bind_rid_set(v, false, 0, NULL);
	v->rid_on = false;
}

void sw_bind_detach(struct sw_vppb *v, bool lost)
{
	struct sw_fn *fn = v->fn;
	struct sw_fw *fw = v->part->fw;

	if (!fn)
		return;
	sw_vppb_stop(v);
	sw_bind_teardown(v);
	v->link_up = false;
	sw_event_fn(fw, SW_EV_UNBIND, fn);
	fn->vppb = NULL;
	v->fn = NULL;
	v->state = SW_VPPB_EMPTY;
	if (lost) {
		fn->state = SW_FN_FAILED;
		return;
	}
	/* nothing of this owner may reach the next one: reset it first */
	fn->state = SW_FN_RESETTING;
	if (sw_fn_flr_start(fn, true, true) < 0) {
		FM_LOG(FM_LOG_ERROR, "sw fn %#x: no timer for its FLR",
		       fn->fid);
		fn->state = SW_FN_FAILED;
	}
}

/* ---------------------------------------------------------------------
 * Config requests to the bound function.
 */

/*
 * A read wholly of registers firmware answers needs nothing of the
 * device: whether it answers at all is known (an FLR in progress is
 * followed, a device that went away was detached).
 */
static void sw_bind_fn_read(struct sw_vppb *v, const struct fab_tlp *req,
			    struct fab_tlp *cpl)
{
	uint16_t reg = req->cfg_reg;
	uint8_t st = FAB_CPL_SC;
	uint32_t val = 0;

	if (reg >= SW_VHDR_SIZE || !sw_vhdr_virtual(reg)) {
		st = FAB_CPL_UR;
		if (sw_fn_cfg_read(v->fn, reg, req->len, &val, &st) < 0)
			st = FAB_CPL_UR;
	}
	if (st != FAB_CPL_SC) {
		fab_tlp_complete(cpl, req, req->cfg_target, st);
		return;
	}
	for (unsigned i = 0; i < req->len && reg + i < SW_VHDR_SIZE; i++) {
		uint16_t off = (uint16_t)(reg + i);
		uint32_t b;

		if (sw_vhdr_virtual(off))
			b = v->vhdr[off];
		else if (off == PCI_COMMAND && v->fn->index)
			b = (((val >> (8 * i)) & 0xff) & ~PCI_COMMAND_MEMORY) |
			    (v->vcmd & PCI_COMMAND_MEMORY);
		else
			continue;
		val = (val & ~(0xffu << (8 * i))) | b << (8 * i);
	}
	fab_tlp_complete(cpl, req, req->cfg_target, FAB_CPL_SC);
	fab_tlp_set_cfg_value(cpl, val);
}

/* A write into the virtual BARs: bytes in, then each register masked. */
static void sw_bind_vbar_write(struct sw_vppb *v, uint16_t reg, unsigned len,
			       uint32_t val)
{
	for (unsigned i = 0; i < len; i++)
		v->vhdr[reg + i] = (uint8_t)(val >> (8 * i));
	for (unsigned k = 0; k < 6; k++) {
		uint16_t r = (uint16_t)(PCI_BASE_ADDRESS_0 + 4 * k);
		uint32_t m = sw_vbar_wmask(v->fn, k);
		uint32_t cur = sw_vhdr_rd32(v, r);
		uint32_t ro = 0;

		if (r + 4 <= reg || r >= reg + len)
			continue;
		/* the type bits of a BAR (or nothing) read back as they are */
		if (sw_fn_bars(v->fn)[k].size) {
			const struct sw_bar *b = &sw_fn_bars(v->fn)[k];

			ro = PCI_BASE_ADDRESS_SPACE_MEMORY;
			if (b->mem64)
				ro |= PCI_BASE_ADDRESS_MEM_TYPE_64;
			if (b->prefetch)
				ro |= PCI_BASE_ADDRESS_MEM_PREFETCH;
		}
		sw_vcfg_set(v->vhdr, r, 4, (cur & m) | ro);
	}
	sw_bind_sync(v);
}

static bool sw_bind_touches(uint16_t reg, unsigned len, uint16_t off)
{
	return off >= reg && off < reg + len;
}

static void sw_bind_fn_write(struct sw_vppb *v, const struct fab_tlp *req,
			     struct fab_tlp *cpl)
{
	struct sw_fn *fn = v->fn;
	uint16_t reg = req->cfg_reg;
	uint16_t devctl_hi = (uint16_t)(sw_fn_exp(fn) + PCI_EXP_DEVCTL + 1);
	uint32_t val = fab_tlp_cfg_value(req);
	uint8_t st = FAB_CPL_UR;

	if (reg < SW_VHDR_SIZE && sw_vhdr_virtual(reg)) {
		/* IDs and the ROM BAR are read-only; BARs are firmware's */
		if (reg >= PCI_BASE_ADDRESS_0 && reg < SW_VHDR_BAR_END)
			sw_bind_vbar_write(v, reg, req->len, val);
		fab_tlp_complete(cpl, req, req->cfg_target, FAB_CPL_SC);
		return;
	}
	if (sw_fn_cfg_write(fn, reg, req->len, val, &st) < 0)
		st = FAB_CPL_UR;
	fab_tlp_complete(cpl, req, req->cfg_target, st);
	if (st != FAB_CPL_SC)
		return;
	for (unsigned i = 0; i < req->len; i++) {
		uint16_t off = (uint16_t)(reg + i);
		uint8_t b = (uint8_t)(val >> (8 * i));

		if (off == PCI_COMMAND)
			v->vcmd = (uint16_t)((v->vcmd & 0xff00) | b);
		else if (off == PCI_COMMAND + 1)
			v->vcmd = (uint16_t)((v->vcmd & 0x00ff) | b << 8);
	}
	if (sw_bind_touches(reg, req->len, PCI_COMMAND) ||
	    sw_bind_touches(reg, req->len, PCI_COMMAND + 1))
		sw_bind_sync(v);
	/* the host reset its function (r6.0 6.6.2): follow it */
	if (sw_fn_exp(fn) && sw_bind_touches(reg, req->len, devctl_hi) &&
	    ((val >> (8 * (devctl_hi - reg))) &
	     (FAB_PCI_EXP_DEVCTL_FLR >> 8)) &&
	    sw_fn_flr_start(fn, false, false) < 0)
		FM_LOG(FM_LOG_ERROR, "sw fn %#x: no timer for its FLR",
		       fn->fid);
}

void sw_bind_fn_cfg(struct sw_vppb *v, const struct fab_tlp *req,
		    struct fab_tlp *cpl)
{
	uint16_t t = req->cfg_target;

	/* r6.0 7.3.3: only device 0 below a Downstream Port; one function */
	if (!v->fn || !v->link_up || FAB_RID_BUS(t) != sw_vppb_sec_bus(v) ||
	    FAB_RID_DEVFN(t) != 0)
		return;
	if (v->fn->in_flr) {
		/* r6.0 2.3.1: not ready yet, the host retries */
		fab_tlp_complete(cpl, req, t, FAB_CPL_CRS);
		return;
	}
	if (req->type == FAB_TLP_CFG_RD1)
		sw_bind_fn_read(v, req, cpl);
	else
		sw_bind_fn_write(v, req, cpl);
}

/* ---------------------------------------------------------------------
 * The API: bind, unbind, reset.
 */

static struct sw_fn *sw_bind_find(struct sw_fw *fw, uint32_t fid,
				  struct fm_err *err)
{
	struct sw_fn *fn = fw->started ? sw_fw_fn_find(fw, fid) : NULL;

	if (!fn)
		fm_err_set(err, FM_ENOENT, "sw: no function %#x", fid);
	return fn;
}

/* The state a function is reported in (a VF of a PF bound whole is held). */
static uint8_t sw_bind_state(const struct sw_fn *fn)
{
	if (fn->index && fn->dev->whole_bound)
		return SW_FN_FABRIC;
	return fn->state;
}

static bool sw_bind_fabric_up(const struct sw_chip *pc,
			      const struct sw_chip *fc)
{
	struct fab_port_status st;
	unsigned port = (unsigned)pc->fabric_to[fc->index];

	return pc->hal->ops->port_status(pc->hal, port, &st, NULL) == 0 &&
	       st.up;
}

/* Can @fn be bound to partition @p at all?  0 or the error. */
static int sw_bind_check_fn(const struct sw_fn *fn, const struct sw_part *p,
			    struct fm_err *err)
{
	const struct sw_dev *d = fn->dev;
	const struct sw_chip *pc = p->chip, *fc = d->chip;

	switch (sw_bind_state(fn)) {
	case SW_FN_BOUND:
		return fm_err_set(err, FM_EEXIST,
				  "sw fn %#x: already bound to partition %u",
				  fn->fid, fn->vppb ? fn->vppb->part->id : 0);
	case SW_FN_UNBINDING:
	case SW_FN_RESETTING:
		return fm_err_set(err, FM_EBUSY,
				  "sw fn %#x: being unbound or reset", fn->fid);
	case SW_FN_FAILED:
		return fm_err_set(err, FM_ESTATE,
				  "sw fn %#x: failed (reset did not complete "
				  "or device gone)",
				  fn->fid);
	case SW_FN_FABRIC:
		if (fn->index)
			return fm_err_set(err, FM_ESTATE,
					  "sw fn %#x: its PF is bound whole",
					  fn->fid);
		for (unsigned i = 1; i < d->nfns; i++)
			if (d->fn[i].state != SW_FN_FREE &&
			    d->fn[i].state != SW_FN_FAILED)
				return fm_err_set(err, FM_ESTATE,
						  "sw fn %#x: SR-IOV PF with "
						  "VF %u in use",
						  fn->fid, i);
		break;
	default:
		break;
	}
	if (!d->present)
		return fm_err_set(err, FM_ESTATE,
				  "sw fn %#x: device not present", fn->fid);
	if (!sw_fn_flr_capable(fn))
		return fm_err_set(err, FM_EUNSUPP,
				  "sw fn %#x: no Function Level Reset, so its "
				  "state could reach its next owner",
				  fn->fid);
	if (pc != fc &&
	    (pc->fabric_to[fc->index] < 0 || fc->fabric_to[pc->index] < 0))
		return fm_err_set(err, FM_EUNSUPP,
				  "sw fn %#x: no fabric link between chip %u "
				  "and chip %u",
				  fn->fid, fc->index, pc->index);
	if (pc != fc && !sw_bind_fabric_up(pc, fc))
		return fm_err_set(err, FM_ESTATE,
				  "sw fn %#x: fabric link from chip %u port %d "
				  "is down",
				  fn->fid, pc->index, pc->fabric_to[fc->index]);
	return 0;
}

static int sw_bind_pick(struct sw_vppb **out, struct sw_part *p, int vppb,
			struct fm_err *err)
{
	if (vppb >= 0) {
		if ((unsigned)vppb >= p->nvppbs)
			return fm_err_set(err, FM_ERANGE,
					  "sw part%u: no vPPB %d (%u vPPBs)",
					  p->id, vppb, p->nvppbs);
		if (p->vppb[vppb].state != SW_VPPB_EMPTY)
			return fm_err_set(err, FM_EBUSY,
					  "sw part%u/vppb%d: occupied", p->id,
					  vppb);
		*out = &p->vppb[vppb];
		return 0;
	}
	for (unsigned i = 0; i < p->nvppbs; i++) {
		if (p->vppb[i].state == SW_VPPB_EMPTY) {
			*out = &p->vppb[i];
			return 0;
		}
	}
	return fm_err_set(err, FM_ENOSPC, "sw part%u: no empty vPPB", p->id);
}

int sw_fw_bind(struct sw_fw *fw, uint32_t fid, unsigned part, int vppb,
	       unsigned *vppb_out, struct fm_err *err)
{
	struct sw_fn *fn = sw_bind_find(fw, fid, err);
	struct sw_vppb *v = NULL;
	struct sw_part *p;
	int ret;

	if (!fn)
		return -FM_ENOENT;
	if (part >= fw->nparts)
		return fm_err_set(err, FM_ENOENT,
				  "sw: no partition %u (%u partitions)", part,
				  fw->nparts);
	p = &fw->parts[part];
	ret = sw_bind_check_fn(fn, p, err);
	if (ret == 0)
		ret = sw_bind_pick(&v, p, vppb, err);
	if (ret < 0)
		return ret;
	if (fn->index == 0 && fn->state == SW_FN_FABRIC) {
		ret = sw_dev_vfs_disable(fn->dev, err);
		if (ret < 0)
			return ret;
		fn->dev->whole_bound = true;
	}
	fn->state = SW_FN_BOUND;
	sw_fw_pending_drop(fw, fid, part, v->index);
	sw_bind_attach(v, fn);
	sw_event_fn(fw, SW_EV_BIND, fn);
	sw_vppb_event(v, SW_HP_BIND);
	if (vppb_out)
		*vppb_out = v->index;
	return 0;
}

/* Each unbind mode is a slot event (CXL FM API Unbind vPPB). */
static const uint8_t sw_unbind_events[] = {
	[SW_UNBIND_MANAGED] = SW_HP_UNBIND_MANAGED,
	[SW_UNBIND_SURPRISE] = SW_HP_UNBIND_SURPRISE,
	[SW_UNBIND_WAIT_LINK_DOWN] = SW_HP_UNBIND_WAIT,
};

int sw_fw_unbind(struct sw_fw *fw, uint32_t fid, enum sw_unbind_mode mode,
		 struct fm_err *err)
{
	struct sw_fn *fn = sw_bind_find(fw, fid, err);

	if (!fn)
		return -FM_ENOENT;
	if ((unsigned)mode >= FM_ARRAY_SIZE(sw_unbind_events))
		return fm_err_set(err, FM_EINVAL, "sw fn %#x: unbind mode %d",
				  fid, (int)mode);
	if (fn->state == SW_FN_UNBINDING)
		return fm_err_set(err, FM_EBUSY, "sw fn %#x: already unbinding",
				  fid);
	if (fn->state != SW_FN_BOUND || !fn->vppb)
		return fm_err_set(err, FM_ESTATE, "sw fn %#x: not bound", fid);
	fn->state = SW_FN_UNBINDING;
	sw_event_fn(fw, SW_EV_UNBIND_START, fn);
	sw_vppb_event(fn->vppb, (enum sw_hp_event)sw_unbind_events[mode]);
	return 0;
}

int sw_fw_reset_function(struct sw_fw *fw, uint32_t fid, struct fm_err *err)
{
	struct sw_fn *fn = sw_bind_find(fw, fid, err);

	if (!fn)
		return -FM_ENOENT;
	switch (sw_bind_state(fn)) {
	case SW_FN_UNBINDING:
	case SW_FN_RESETTING:
		return fm_err_set(err, FM_EBUSY,
				  "sw fn %#x: being unbound or reset", fid);
	case SW_FN_FABRIC:
		return fm_err_set(err, FM_ESTATE,
				  "sw fn %#x: held by the fabric (an SR-IOV PF "
				  "or a VF of a PF bound whole)",
				  fid);
	default:
		break;
	}
	if (!fn->dev->present)
		return fm_err_set(err, FM_ESTATE,
				  "sw fn %#x: device not present", fid);
	if (fn->in_flr)
		return fm_err_set(err, FM_EBUSY, "sw fn %#x: reset in progress",
				  fid);
	if (!sw_fn_flr_capable(fn))
		return fm_err_set(err, FM_EUNSUPP,
				  "sw fn %#x: no Function Level Reset", fid);
	if (sw_fn_flr_start(fn, true, true) < 0)
		return fm_err_set(err, FM_ENOMEM, "sw fn %#x: no timer for FLR",
				  fid);
	return 0;
}

uint8_t sw_fn_reported_state(const struct sw_fn *fn)
{
	return sw_bind_state(fn);
}
