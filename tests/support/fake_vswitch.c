/* SPDX-License-Identifier: MIT */
/*
 * fake_vswitch.c - a PCIe switch as a host sees it, and a config-only
 * multi-function device, for blade tests.  See fake_vswitch.h.
 */
#include "tests/support/fake_vswitch.h"

#include <stdlib.h>
#include <string.h>

#include "fabric/cfg.h"

#define FVS_EXP FAKE_VSWITCH_CAP_EXP
#define FVS_MSI FAKE_VSWITCH_CAP_MSI
#define FVS_SLTCTL (FVS_EXP + PCI_EXP_SLTCTL)
#define FVS_SLTSTA (FVS_EXP + PCI_EXP_SLTSTA)
#define FVS_LNKSTA (FVS_EXP + PCI_EXP_LNKSTA)
#define FVS_DEVCTL2 (FVS_EXP + PCI_EXP_DEVCTL2)

/* Slot Control bits that are writable: no electromechanical interlock. */
#define FVS_SLTCTL_WMASK 0x17ff
/* Slot Status event bits (write 1 to clear). */
#define FVS_SLTSTA_EVENTS                                                      \
	(PCI_EXP_SLTSTA_ATNB | PCI_EXP_SLTSTA_PWRF | PCI_EXP_SLTSTA_MRLS |     \
	 PCI_EXP_SLTSTA_PRSD | PCI_EXP_SLTSTA_CMDC | PCI_EXP_SLTSTA_LLCHG)

struct fake_vswitch;

struct fvs_slot {
	struct fake_vswitch *vs;
	unsigned index;
	struct sim_port port;  /* toward the device */
	struct sim_link *link; /* NULL when empty */
	uint8_t dev_bus;
	struct sim_cfg cfg; /* the downstream bridge */
	bool powered;
	bool cmd_broken;
	bool link_broken;
	bool any_dev;
	uint64_t crs_ns;
	uint64_t crs_until;
	uint64_t cc_event;
	uint16_t ctl_log[FAKE_VSWITCH_CTL_LOG];
	unsigned nctl;
	unsigned msis;
	uint8_t image[FAB_PCI_CFG_SPACE_EXP_SIZE];
};

struct fake_vswitch {
	struct fake_vswitch_desc desc;
	struct sim_clock *clk;
	struct sim_port up;
	struct sim_cfg usp;
	uint8_t usp_image[FAB_PCI_CFG_SPACE_EXP_SIZE];
	struct sim_cfg_masks usp_masks;
	struct sim_cfg_masks dsp_masks;
	struct fvs_slot slot[FAKE_VSWITCH_MAX_SLOTS];
};

/* ---------------------------------------------------------------------
 * Config images.
 */

static void fvs_mask(uint8_t *m, uint16_t off, unsigned len, uint32_t bits)
{
	for (unsigned i = 0; i < len; i++)
		m[off + i] = (uint8_t)(bits >> (8 * i));
}

/* A PCI-PCI bridge header with a PCIe capability of @type. */
static void fvs_build_bridge(uint8_t *c, struct sim_cfg_masks *m,
			     const struct fake_vswitch_desc *d, uint8_t type,
			     bool has_msi)
{
	const uint32_t err_bits = 0xf900;

	fab_cfg_wr16(c, PCI_VENDOR_ID, d->vendor);
	fab_cfg_wr16(c, PCI_DEVICE_ID, d->device);
	fab_cfg_wr16(c, PCI_STATUS, PCI_STATUS_CAP_LIST);
	fab_cfg_wr32(c, PCI_CLASS_REVISION, 0x060400u << 8);
	fab_cfg_wr8(c, PCI_HEADER_TYPE, PCI_HEADER_TYPE_BRIDGE);
	fab_cfg_wr16(c, PCI_PREF_MEMORY_BASE, PCI_PREF_RANGE_TYPE_64);
	fab_cfg_wr16(c, PCI_PREF_MEMORY_LIMIT, PCI_PREF_RANGE_TYPE_64);
	fab_cfg_wr8(c, PCI_CAPABILITY_LIST, FVS_EXP);
	fvs_mask(m->wmask, PCI_COMMAND, 2, 0x0547);
	fvs_mask(m->w1cmask, PCI_STATUS, 2, err_bits);
	fvs_mask(m->wmask, PCI_PRIMARY_BUS, 3, 0xffffff);
	fvs_mask(m->w1cmask, PCI_SEC_STATUS, 2, err_bits);
	fvs_mask(m->wmask, PCI_MEMORY_BASE, 4, 0xfff0fff0);
	fvs_mask(m->wmask, PCI_PREF_MEMORY_BASE, 4, 0xfff0fff0);
	fvs_mask(m->wmask, PCI_PREF_BASE_UPPER32, 4, 0xffffffff);
	fvs_mask(m->wmask, PCI_PREF_LIMIT_UPPER32, 4, 0xffffffff);
	fvs_mask(m->wmask, PCI_INTERRUPT_LINE, 1, 0xff);
	fvs_mask(m->wmask, PCI_BRIDGE_CONTROL, 2, 0x007f);

	fab_cfg_wr8(c, FVS_EXP + PCI_CAP_LIST_ID, PCI_CAP_ID_EXP);
	fab_cfg_wr8(c, FVS_EXP + PCI_CAP_LIST_NEXT, has_msi ? FVS_MSI : 0);
	fab_cfg_wr16(c, FVS_EXP + PCI_EXP_FLAGS,
		     FM_FIELD_PREP(PCI_EXP_FLAGS_VERS, 2) |
			     FM_FIELD_PREP(PCI_EXP_FLAGS_TYPE, type));
	fvs_mask(m->wmask, FVS_EXP + PCI_EXP_DEVCTL, 2, 0x7fff);
	fvs_mask(m->w1cmask, FVS_EXP + PCI_EXP_DEVSTA, 2, 0x000f);
	fab_cfg_wr32(
		c, FVS_EXP + PCI_EXP_LNKCAP,
		FM_FIELD_PREP(PCI_EXP_LNKCAP_SPEED, d->link.speed) |
			FM_FIELD_PREP(PCI_EXP_LNKCAP_WIDTH, d->link.width) |
			PCI_EXP_LNKCAP_DLLA);
	fvs_mask(m->wmask, FVS_EXP + PCI_EXP_LNKCTL, 2, 0x0fc3);
	if (!has_msi)
		return;
	fab_cfg_wr8(c, FVS_MSI + PCI_CAP_LIST_ID, PCI_CAP_ID_MSI);
	fab_cfg_wr16(c, FVS_MSI + PCI_MSI_FLAGS, PCI_MSI_FLAGS_64BIT);
	fvs_mask(m->wmask, FVS_MSI + PCI_MSI_FLAGS, 2,
		 PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
	fvs_mask(m->wmask, FVS_MSI + PCI_MSI_ADDRESS_LO, 4, 0xfffffffc);
	fvs_mask(m->wmask, FVS_MSI + PCI_MSI_ADDRESS_HI, 4, 0xffffffff);
	fvs_mask(m->wmask, FVS_MSI + PCI_MSI_DATA_64, 2, 0xffff);
}

/* The slot parts of a downstream bridge, for slot @index. */
static void fvs_build_slot(uint8_t *c, struct sim_cfg_masks *m, unsigned index)
{
	fab_cfg_wr16(c, FVS_EXP + PCI_EXP_FLAGS,
		     fab_cfg_rd16(c, FVS_EXP + PCI_EXP_FLAGS) |
			     PCI_EXP_FLAGS_SLOT);
	fab_cfg_wr32(c, FVS_EXP + PCI_EXP_SLTCAP,
		     PCI_EXP_SLTCAP_ATNB | PCI_EXP_SLTCAP_PWRC |
			     PCI_EXP_SLTCAP_PWRI | PCI_EXP_SLTCAP_HPC |
			     FM_FIELD_PREP(PCI_EXP_SLTCAP_PSN, index + 1));
	/* power off, power indicator off, until someone decides otherwise */
	fab_cfg_wr16(c, FVS_SLTCTL,
		     PCI_EXP_SLTCTL_PWRC |
			     FM_FIELD_PREP(PCI_EXP_SLTCTL_PWRI,
					   FAB_PCI_EXP_SLTCTL_IND_OFF));
	fvs_mask(m->wmask, FVS_SLTCTL, 2, FVS_SLTCTL_WMASK);
	fvs_mask(m->w1cmask, FVS_SLTSTA, 2, FVS_SLTSTA_EVENTS);
	fab_cfg_wr32(c, FVS_EXP + PCI_EXP_DEVCAP2, PCI_EXP_DEVCAP2_ARI);
	fvs_mask(m->wmask, FVS_DEVCTL2, 2, 0x001f | PCI_EXP_DEVCTL2_ARI);
}

static uint32_t fvs_rd(const struct sim_cfg *cfg, uint16_t off, unsigned len)
{
	return sim_cfg_read(cfg, off, len);
}

static void fvs_poke(struct sim_cfg *cfg, uint16_t off, unsigned len,
		     uint32_t val)
{
	/* the fixture asserts nothing: a failed copy leaves the old value */
	if (sim_cfg_poke(cfg, off, len, val) < 0)
		FM_LOG(FM_LOG_ERROR, "fake vswitch: out of memory");
}

/* ---------------------------------------------------------------------
 * Hot-plug events and the MSI.
 */

/*
 * The hot-plug interrupt condition (r6.0 6.7.3.4): event bits whose
 * enable bit is set, while Hot-Plug Interrupt Enable is set.  Data Link
 * Layer State Changed sits at bit 8 of Slot Status, its enable at 12.
 */
static uint32_t fvs_pending(const struct fvs_slot *s)
{
	uint32_t ctl = fvs_rd(&s->cfg, FVS_SLTCTL, 2);
	uint32_t sta = fvs_rd(&s->cfg, FVS_SLTSTA, 2);
	uint32_t en = ctl & 0x1f;

	if (!(ctl & PCI_EXP_SLTCTL_HPIE))
		return 0;
	if (ctl & PCI_EXP_SLTCTL_LLCHG)
		en |= PCI_EXP_SLTSTA_LLCHG;
	return sta & en;
}

static uint16_t fvs_slot_rid(const struct fvs_slot *s)
{
	uint8_t bus = (uint8_t)fvs_rd(&s->vs->usp, PCI_SECONDARY_BUS, 1);

	return FAB_RID(bus, s->index, 0);
}

/* Send the MSI when an enabled event rose since @before was sampled. */
static void fvs_irq(struct fvs_slot *s, uint32_t before)
{
	uint32_t flags = fvs_rd(&s->cfg, FVS_MSI + PCI_MSI_FLAGS, 2);
	struct fab_tlp tlp, cpl;
	uint64_t addr;

	if (!(fvs_pending(s) & ~before) || !(flags & PCI_MSI_FLAGS_ENABLE))
		return;
	addr = fvs_rd(&s->cfg, FVS_MSI + PCI_MSI_ADDRESS_LO, 4) |
	       (uint64_t)fvs_rd(&s->cfg, FVS_MSI + PCI_MSI_ADDRESS_HI, 4) << 32;
	fab_tlp_msi(&tlp, fvs_slot_rid(s), addr,
		    fvs_rd(&s->cfg, FVS_MSI + PCI_MSI_DATA_64, 2));
	s->msis++;
	sim_port_tx(&s->vs->up, &tlp, &cpl);
}

/* The device side sets Slot Status bits (and clears @clear). */
static void fvs_slot_status(struct fvs_slot *s, uint32_t set, uint32_t clear)
{
	uint32_t before = fvs_pending(s);
	uint32_t sta = fvs_rd(&s->cfg, FVS_SLTSTA, 2);

	fvs_poke(&s->cfg, FVS_SLTSTA, 2, (sta & ~clear) | set);
	fvs_irq(s, before);
}

static void fvs_cmd_complete(void *arg)
{
	struct fvs_slot *s = arg;

	s->cc_event = 0;
	fvs_slot_status(s, PCI_EXP_SLTSTA_CMDC, 0);
}

/* The slot's link may train only while powered and not broken. */
static void fvs_slot_sync_link_enable(struct fvs_slot *s)
{
	if (s->link)
		sim_link_set_enabled(s->link, s->powered && !s->link_broken);
}

/* A Slot Control write: the power controller acts, the command completes. */
static void fvs_slot_command(struct fvs_slot *s, uint32_t old)
{
	uint32_t ctl = fvs_rd(&s->cfg, FVS_SLTCTL, 2);
	bool powered = !(ctl & PCI_EXP_SLTCTL_PWRC);

	if (s->nctl < FAKE_VSWITCH_CTL_LOG)
		s->ctl_log[s->nctl++] = (uint16_t)ctl;
	if (powered != !(old & PCI_EXP_SLTCTL_PWRC)) {
		s->powered = powered;
		fvs_slot_sync_link_enable(s);
	}
	if (s->cmd_broken || s->cc_event)
		return;
	if (s->vs->desc.cmd_ns == 0)
		fvs_cmd_complete(s);
	else
		s->cc_event = sim_clock_schedule(s->vs->clk, s->vs->desc.cmd_ns,
						 fvs_cmd_complete, s);
}

/* The downstream port's link went up or down. */
static void fvs_slot_link_event(struct sim_port *port, bool up)
{
	struct fvs_slot *s = port->owner;
	uint32_t sta = 0;

	if (up) {
		sta = PCI_EXP_LNKSTA_DL_ACT |
		      FM_FIELD_PREP(PCI_EXP_LNKSTA_SPEED,
				    sim_link_speed(s->link)) |
		      FM_FIELD_PREP(PCI_EXP_LNKSTA_WIDTH,
				    sim_link_width(s->link));
		if (s->crs_ns)
			s->crs_until = sim_clock_now(s->vs->clk) + s->crs_ns;
	}
	fvs_poke(&s->cfg, FVS_LNKSTA, 2, sta);
	fvs_slot_status(s, PCI_EXP_SLTSTA_LLCHG, 0);
}

/* ---------------------------------------------------------------------
 * Routing.
 */

static int fvs_ur(const struct fab_tlp *req, struct fab_tlp *cpl,
		  uint16_t completer)
{
	if (!fab_tlp_is_nonposted(req))
		return SIM_RX_DROPPED;
	fab_tlp_complete(cpl, req, completer, FAB_CPL_UR);
	return SIM_RX_COMPLETED;
}

static bool fvs_is_write(const struct fab_tlp *req)
{
	return req->type == FAB_TLP_CFG_WR0 || req->type == FAB_TLP_CFG_WR1;
}

/* A config access to one of the fake's own bridges. */
static int fvs_bridge_cfg(struct fake_vswitch *vs, struct fvs_slot *s,
			  const struct fab_tlp *req, struct fab_tlp *cpl)
{
	struct sim_cfg *cfg = s ? &s->cfg : &vs->usp;
	uint16_t reg = req->cfg_reg, target = req->cfg_target;
	uint32_t old_ctl = 0, before = 0;

	if (!fvs_is_write(req)) {
		uint32_t v = fvs_rd(cfg, reg, req->len);

		fab_tlp_complete(cpl, req, target, FAB_CPL_SC);
		fab_tlp_set_cfg_value(cpl, v);
		return SIM_RX_COMPLETED;
	}
	if (s) {
		old_ctl = fvs_rd(cfg, FVS_SLTCTL, 2);
		before = fvs_pending(s);
	}
	if (sim_cfg_write(cfg, reg, req->len, fab_tlp_cfg_value(req)) < 0)
		FM_LOG(FM_LOG_ERROR, "fake vswitch: out of memory");
	if (s && reg < FVS_SLTCTL + 2 && reg + req->len > FVS_SLTCTL)
		fvs_slot_command(s, old_ctl);
	if (s)
		fvs_irq(s, before);
	fab_tlp_complete(cpl, req, target, FAB_CPL_SC);
	return SIM_RX_COMPLETED;
}

/* Host bus @bus -> the device's own bus, and back. */
static uint16_t fvs_down_rid(const struct fvs_slot *s, uint16_t rid)
{
	uint8_t sec = (uint8_t)fvs_rd(&s->cfg, PCI_SECONDARY_BUS, 1);

	return (uint16_t)(((s->dev_bus + FAB_RID_BUS(rid) - sec) & 0xff) << 8 |
			  FAB_RID_DEVFN(rid));
}

static uint16_t fvs_up_rid(const struct fvs_slot *s, uint16_t rid)
{
	uint8_t sec = (uint8_t)fvs_rd(&s->cfg, PCI_SECONDARY_BUS, 1);

	return (uint16_t)(((sec + FAB_RID_BUS(rid) - s->dev_bus) & 0xff) << 8 |
			  FAB_RID_DEVFN(rid));
}

/* A config request for a bus behind slot @s: to the device, as type 0. */
static int fvs_slot_cfg(struct fvs_slot *s, const struct fab_tlp *req,
			struct fab_tlp *cpl)
{
	uint8_t sec = (uint8_t)fvs_rd(&s->cfg, PCI_SECONDARY_BUS, 1);
	bool ari = fvs_rd(&s->cfg, FVS_DEVCTL2, 2) & PCI_EXP_DEVCTL2_ARI;
	uint16_t self = fvs_slot_rid(s);
	struct fab_tlp fwd;

	if (!sim_link_is_up(s->link))
		return fvs_ur(req, cpl, self);
	/* r6.0 7.3.3: only device 0 below a downstream port, unless ARI */
	if (FAB_RID_BUS(req->cfg_target) == sec && !ari && !s->any_dev &&
	    FAB_RID_DEV(req->cfg_target) != 0)
		return fvs_ur(req, cpl, self);
	if (sim_clock_now(s->vs->clk) < s->crs_until) {
		fab_tlp_complete(cpl, req, req->cfg_target, FAB_CPL_CRS);
		return SIM_RX_COMPLETED;
	}
	fwd = *req;
	fwd.type = fvs_is_write(req) ? FAB_TLP_CFG_WR0 : FAB_TLP_CFG_RD0;
	fwd.cfg_target = fvs_down_rid(s, req->cfg_target);
	return sim_port_tx(&s->port, &fwd, cpl);
}

static bool fvs_in_window(const struct sim_cfg *cfg, uint64_t addr,
			  unsigned len)
{
	uint64_t base, limit, last = addr + len - 1;

	if (!(fvs_rd(cfg, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY))
		return false;
	base = (uint64_t)(fvs_rd(cfg, PCI_MEMORY_BASE, 2) & 0xfff0) << 16;
	limit = (uint64_t)(fvs_rd(cfg, PCI_MEMORY_LIMIT, 2) & 0xfff0) << 16 |
		0xfffff;
	if (base <= limit && addr >= base && last <= limit)
		return true;
	base = (uint64_t)(fvs_rd(cfg, PCI_PREF_MEMORY_BASE, 2) & 0xfff0) << 16 |
	       (uint64_t)fvs_rd(cfg, PCI_PREF_BASE_UPPER32, 4) << 32;
	limit = (uint64_t)(fvs_rd(cfg, PCI_PREF_MEMORY_LIMIT, 2) & 0xfff0)
			<< 16 |
		0xfffff |
		(uint64_t)fvs_rd(cfg, PCI_PREF_LIMIT_UPPER32, 4) << 32;
	return base <= limit && addr >= base && last <= limit;
}

static struct fvs_slot *fvs_bus_slot(struct fake_vswitch *vs, uint8_t bus)
{
	for (unsigned i = 0; i < vs->desc.nslots; i++) {
		const struct sim_cfg *c = &vs->slot[i].cfg;
		uint8_t sec = (uint8_t)fvs_rd(c, PCI_SECONDARY_BUS, 1);
		uint8_t sub = (uint8_t)fvs_rd(c, PCI_SUBORDINATE_BUS, 1);

		if (sec && bus >= sec && bus <= sub)
			return &vs->slot[i];
	}
	return NULL;
}

static int fvs_rx_cfg(struct fake_vswitch *vs, const struct fab_tlp *req,
		      struct fab_tlp *cpl)
{
	uint16_t t = req->cfg_target;
	uint8_t sec = (uint8_t)fvs_rd(&vs->usp, PCI_SECONDARY_BUS, 1);
	uint8_t sub = (uint8_t)fvs_rd(&vs->usp, PCI_SUBORDINATE_BUS, 1);
	struct fvs_slot *s;

	if (req->type == FAB_TLP_CFG_RD0 || req->type == FAB_TLP_CFG_WR0) {
		if (FAB_RID_DEVFN(t) != 0)
			return fvs_ur(req, cpl, t);
		return fvs_bridge_cfg(vs, NULL, req, cpl);
	}
	if (!sec || FAB_RID_BUS(t) < sec || FAB_RID_BUS(t) > sub)
		return fvs_ur(req, cpl, t);
	if (FAB_RID_BUS(t) == sec) {
		if (FAB_RID_FN(t) != 0 || FAB_RID_DEV(t) >= vs->desc.nslots)
			return fvs_ur(req, cpl, t);
		return fvs_bridge_cfg(vs, &vs->slot[FAB_RID_DEV(t)], req, cpl);
	}
	s = fvs_bus_slot(vs, FAB_RID_BUS(t));
	if (!s)
		return fvs_ur(req, cpl, t);
	return fvs_slot_cfg(s, req, cpl);
}

static int fvs_rx_mem(struct fake_vswitch *vs, const struct fab_tlp *req,
		      struct fab_tlp *cpl)
{
	if (fvs_in_window(&vs->usp, req->addr, req->len))
		for (unsigned i = 0; i < vs->desc.nslots; i++)
			if (fvs_in_window(&vs->slot[i].cfg, req->addr,
					  req->len))
				return sim_port_tx(&vs->slot[i].port, req, cpl);
	return fvs_ur(req, cpl, 0);
}

/* Requests from the root port. */
static int fvs_rx(struct sim_port *port, const struct fab_tlp *req,
		  struct fab_tlp *cpl)
{
	struct fake_vswitch *vs = port->owner;

	switch (req->type) {
	case FAB_TLP_CFG_RD0:
	case FAB_TLP_CFG_WR0:
	case FAB_TLP_CFG_RD1:
	case FAB_TLP_CFG_WR1:
		return fvs_rx_cfg(vs, req, cpl);
	case FAB_TLP_MEM_RD:
	case FAB_TLP_MEM_WR:
		return fvs_rx_mem(vs, req, cpl);
	case FAB_TLP_MSG:
		return SIM_RX_ACCEPTED;
	default:
		return fvs_ur(req, cpl, 0);
	}
}

/*
 * A hot reset from the root port resets every bridge and propagates to
 * the slots' links (r6.0 6.6.1).  Slot power and presence are physical
 * and stay as they were.
 */
static void fvs_hot_reset(struct sim_port *port)
{
	struct fake_vswitch *vs = port->owner;

	sim_cfg_reset(&vs->usp);
	for (unsigned i = 0; i < vs->desc.nslots; i++) {
		struct fvs_slot *s = &vs->slot[i];

		if (s->cc_event)
			sim_clock_cancel(vs->clk, s->cc_event);
		s->cc_event = 0;
		sim_cfg_reset(&s->cfg);
		if (s->powered)
			fvs_poke(&s->cfg, FVS_SLTCTL, 2,
				 fvs_rd(&s->cfg, FVS_SLTCTL, 2) &
					 ~(uint32_t)PCI_EXP_SLTCTL_PWRC);
		if (s->link)
			fvs_poke(&s->cfg, FVS_SLTSTA, 2, PCI_EXP_SLTSTA_PRES);
		if (s->link)
			sim_link_hot_reset(s->link, &s->port);
	}
}

/* Requests from a slot's device: upstream, if the bridges let it master. */
static int fvs_slot_rx(struct sim_port *port, const struct fab_tlp *req,
		       struct fab_tlp *cpl)
{
	struct fvs_slot *s = port->owner;
	struct fab_tlp fwd;

	if (req->type != FAB_TLP_MEM_RD && req->type != FAB_TLP_MEM_WR &&
	    req->type != FAB_TLP_MSG)
		return fvs_ur(req, cpl, fvs_slot_rid(s));
	if (!(fvs_rd(&s->cfg, PCI_COMMAND, 2) & PCI_COMMAND_MASTER) ||
	    !(fvs_rd(&s->vs->usp, PCI_COMMAND, 2) & PCI_COMMAND_MASTER))
		return fvs_ur(req, cpl, fvs_slot_rid(s));
	fwd = *req;
	fwd.requester = fvs_up_rid(s, req->requester);
	return sim_port_tx(&s->vs->up, &fwd, cpl);
}

static const struct sim_port_ops fvs_up_ops = {
	.rx = fvs_rx,
	.hot_reset = fvs_hot_reset,
};

static const struct sim_port_ops fvs_slot_ops = {
	.rx = fvs_slot_rx,
	.link_event = fvs_slot_link_event,
};

/* ---------------------------------------------------------------------
 * Life cycle and test controls.
 */

int fake_vswitch_new(struct fake_vswitch **out, struct sim_clock *clk,
		     const struct fake_vswitch_desc *desc, struct fm_err *err)
{
	struct fake_vswitch *vs;

	if (desc->nslots == 0 || desc->nslots > FAKE_VSWITCH_MAX_SLOTS)
		return fm_err_set(err, FM_ERANGE,
				  "fake vswitch: %u slots, 1..%u allowed",
				  desc->nslots, FAKE_VSWITCH_MAX_SLOTS);
	vs = calloc(1, sizeof(*vs));
	if (!vs)
		return fm_err_set(err, FM_ENOMEM,
				  "fake vswitch: out of memory");
	vs->desc = *desc;
	vs->clk = clk;
	vs->up.ops = &fvs_up_ops;
	vs->up.owner = vs;
	fvs_build_bridge(vs->usp_image, &vs->usp_masks, desc,
			 PCI_EXP_TYPE_UPSTREAM, false);
	sim_cfg_init(&vs->usp, vs->usp_image, &vs->usp_masks);
	for (unsigned i = 0; i < desc->nslots; i++) {
		struct fvs_slot *s = &vs->slot[i];

		s->vs = vs;
		s->index = i;
		s->port.ops = &fvs_slot_ops;
		s->port.owner = s;
		fvs_build_bridge(s->image, &vs->dsp_masks, desc,
				 PCI_EXP_TYPE_DOWNSTREAM, true);
		fvs_build_slot(s->image, &vs->dsp_masks, i);
		sim_cfg_init(&s->cfg, s->image, &vs->dsp_masks);
	}
	*out = vs;
	return 0;
}

void fake_vswitch_free(struct fake_vswitch *vs)
{
	if (!vs)
		return;
	for (unsigned i = 0; i < vs->desc.nslots; i++) {
		struct fvs_slot *s = &vs->slot[i];

		if (s->cc_event)
			sim_clock_cancel(vs->clk, s->cc_event);
		sim_link_free(s->link);
		sim_cfg_fini(&s->cfg);
	}
	sim_cfg_fini(&vs->usp);
	free(vs);
}

struct sim_port *fake_vswitch_port(struct fake_vswitch *vs)
{
	return &vs->up;
}

static struct fvs_slot *fvs_slot(const struct fake_vswitch *vs, unsigned slot)
{
	return slot < vs->desc.nslots ? (struct fvs_slot *)&vs->slot[slot]
				      : NULL;
}

int fake_vswitch_insert(struct fake_vswitch *vs, unsigned slot,
			struct sim_port *dev, uint8_t dev_bus, bool powered,
			struct fm_err *err)
{
	struct fvs_slot *s = fvs_slot(vs, slot);
	uint32_t ctl;
	int ret;

	if (!s)
		return fm_err_set(err, FM_ERANGE, "fake vswitch: no slot %u",
				  slot);
	if (s->link)
		return fm_err_set(err, FM_EBUSY,
				  "fake vswitch: slot %u is occupied", slot);
	ret = sim_link_new(&s->link, vs->clk, &s->port, dev, &vs->desc.link,
			   err);
	if (ret < 0)
		return ret;
	s->dev_bus = dev_bus;
	if (powered && !s->powered) {
		s->powered = true;
		ctl = fvs_rd(&s->cfg, FVS_SLTCTL, 2);
		fvs_poke(&s->cfg, FVS_SLTCTL, 2,
			 ctl & ~(uint32_t)PCI_EXP_SLTCTL_PWRC);
	}
	fvs_slot_sync_link_enable(s);
	fvs_slot_status(s, PCI_EXP_SLTSTA_PRES | PCI_EXP_SLTSTA_PRSD, 0);
	return 0;
}

void fake_vswitch_pull(struct fake_vswitch *vs, unsigned slot)
{
	struct fvs_slot *s = fvs_slot(vs, slot);

	if (!s || !s->link)
		return;
	fvs_slot_status(s, PCI_EXP_SLTSTA_PRSD, PCI_EXP_SLTSTA_PRES);
	sim_link_down(s->link);
	sim_link_free(s->link);
	s->link = NULL;
}

void fake_vswitch_press_button(struct fake_vswitch *vs, unsigned slot)
{
	struct fvs_slot *s = fvs_slot(vs, slot);

	if (s)
		fvs_slot_status(s, PCI_EXP_SLTSTA_ATNB, 0);
}

void fake_vswitch_set_cmd_broken(struct fake_vswitch *vs, unsigned slot,
				 bool broken)
{
	struct fvs_slot *s = fvs_slot(vs, slot);

	if (s)
		s->cmd_broken = broken;
}

void fake_vswitch_set_link_broken(struct fake_vswitch *vs, unsigned slot,
				  bool broken)
{
	struct fvs_slot *s = fvs_slot(vs, slot);

	if (!s)
		return;
	s->link_broken = broken;
	fvs_slot_sync_link_enable(s);
}

void fake_vswitch_set_crs(struct fake_vswitch *vs, unsigned slot, uint64_t ns)
{
	struct fvs_slot *s = fvs_slot(vs, slot);

	if (s)
		s->crs_ns = ns;
}

void fake_vswitch_set_any_device(struct fake_vswitch *vs, unsigned slot,
				 bool any)
{
	struct fvs_slot *s = fvs_slot(vs, slot);

	if (s)
		s->any_dev = any;
}

bool fake_vswitch_slot_powered(const struct fake_vswitch *vs, unsigned slot)
{
	const struct fvs_slot *s = fvs_slot(vs, slot);

	return s && s->powered;
}

bool fake_vswitch_slot_occupied(const struct fake_vswitch *vs, unsigned slot)
{
	const struct fvs_slot *s = fvs_slot(vs, slot);

	return s && s->link;
}

uint16_t fake_vswitch_slot_ctl(const struct fake_vswitch *vs, unsigned slot)
{
	const struct fvs_slot *s = fvs_slot(vs, slot);

	return s ? (uint16_t)fvs_rd(&s->cfg, FVS_SLTCTL, 2) : 0xffff;
}

unsigned fake_vswitch_slot_ctl_writes(const struct fake_vswitch *vs,
				      unsigned slot)
{
	const struct fvs_slot *s = fvs_slot(vs, slot);

	return s ? s->nctl : 0;
}

uint16_t fake_vswitch_slot_ctl_write(const struct fake_vswitch *vs,
				     unsigned slot, unsigned index)
{
	const struct fvs_slot *s = fvs_slot(vs, slot);

	return s && index < s->nctl ? s->ctl_log[index] : 0xffff;
}

unsigned fake_vswitch_slot_msis(const struct fake_vswitch *vs, unsigned slot)
{
	const struct fvs_slot *s = fvs_slot(vs, slot);

	return s ? s->msis : 0;
}

uint32_t fake_vswitch_cfg(const struct fake_vswitch *vs, int slot, uint16_t off,
			  unsigned len)
{
	const struct fvs_slot *s;

	if (slot < 0)
		return fvs_rd(&vs->usp, off, len);
	s = fvs_slot(vs, (unsigned)slot);
	return s ? fvs_rd(&s->cfg, off, len) : 0xffffffffu;
}

/* ---------------------------------------------------------------------
 * fake_mfd: a config-only multi-function device.
 */

#define MFD_EXP 0x40
#define MFD_ARI 0x100

struct fake_mfd {
	struct sim_port port;
	unsigned nfn;
	bool ari;
	uint64_t bar_size;
	struct sim_cfg *fn;
	uint8_t *images; /* nfn power-on images: each ARI chain link differs */
	struct sim_cfg_masks masks;
	unsigned requests;
	unsigned dev_nonzero;
};

static void mfd_build(struct fake_mfd *m, unsigned i)
{
	uint8_t *c = m->images + (size_t)i * FAB_PCI_CFG_SPACE_EXP_SIZE;

	fab_cfg_wr16(c, PCI_VENDOR_ID, FAKE_MFD_VENDOR);
	fab_cfg_wr16(c, PCI_DEVICE_ID, FAKE_MFD_DEVICE);
	fab_cfg_wr16(c, PCI_STATUS, PCI_STATUS_CAP_LIST);
	fab_cfg_wr32(c, PCI_CLASS_REVISION, FAKE_MFD_CLASS << 8);
	fab_cfg_wr8(c, PCI_HEADER_TYPE,
		    PCI_HEADER_TYPE_NORMAL | (m->nfn > 1 ? 0x80 : 0));
	fab_cfg_wr8(c, PCI_CAPABILITY_LIST, MFD_EXP);
	fab_cfg_wr8(c, MFD_EXP + PCI_CAP_LIST_ID, PCI_CAP_ID_EXP);
	fab_cfg_wr16(c, MFD_EXP + PCI_EXP_FLAGS,
		     FM_FIELD_PREP(PCI_EXP_FLAGS_VERS, 2) |
			     FM_FIELD_PREP(PCI_EXP_FLAGS_TYPE,
					   PCI_EXP_TYPE_ENDPOINT));
	if (!m->ari)
		return;
	/* ARI: id, version 1, no next capability; Next Function Number */
	fab_cfg_wr32(c, MFD_ARI, PCI_EXT_CAP_ID_ARI | 1u << 16);
	fab_cfg_wr16(c, MFD_ARI + PCI_ARI_CAP,
		     (uint16_t)((i + 1 < m->nfn ? i + 1 : 0) << 8));
}

static int mfd_rx(struct sim_port *port, const struct fab_tlp *req,
		  struct fab_tlp *cpl);

static const struct sim_port_ops mfd_ops = {
	.rx = mfd_rx,
};

int fake_mfd_new(struct fake_mfd **out, unsigned nfn, bool ari,
		 uint64_t bar_size, struct fm_err *err)
{
	struct fake_mfd *m;

	if (nfn == 0 || nfn > (ari ? 256u : 8u) ||
	    (bar_size && (bar_size < 16 || bar_size > (1ULL << 31) ||
			  (bar_size & (bar_size - 1)))))
		return fm_err_set(err, FM_EINVAL,
				  "fake mfd: %u functions (ari %d), BAR %llu",
				  nfn, ari, (unsigned long long)bar_size);
	m = calloc(1, sizeof(*m));
	if (m) {
		m->fn = calloc(nfn, sizeof(*m->fn));
		m->images = calloc(nfn, FAB_PCI_CFG_SPACE_EXP_SIZE);
	}
	if (!m || !m->fn || !m->images) {
		fake_mfd_free(m);
		return fm_err_set(err, FM_ENOMEM, "fake mfd: out of memory");
	}
	m->nfn = nfn;
	m->ari = ari;
	m->bar_size = bar_size;
	m->port.ops = &mfd_ops;
	m->port.owner = m;
	fvs_mask(m->masks.wmask, PCI_COMMAND, 2, 0x0547);
	if (bar_size)
		fvs_mask(m->masks.wmask, PCI_BASE_ADDRESS_0, 4,
			 (uint32_t) ~(bar_size - 1) & ~0xfu);
	for (unsigned i = 0; i < nfn; i++) {
		mfd_build(m, i);
		sim_cfg_init(&m->fn[i],
			     m->images + (size_t)i * FAB_PCI_CFG_SPACE_EXP_SIZE,
			     &m->masks);
	}
	*out = m;
	return 0;
}

void fake_mfd_free(struct fake_mfd *m)
{
	if (!m)
		return;
	for (unsigned i = 0; m->fn && i < m->nfn; i++)
		sim_cfg_fini(&m->fn[i]);
	free(m->fn);
	free(m->images);
	free(m);
}

struct sim_port *fake_mfd_port(struct fake_mfd *m)
{
	return &m->port;
}

unsigned fake_mfd_cfg_requests(const struct fake_mfd *m)
{
	return m->requests;
}

unsigned fake_mfd_cfg_requests_dev_nonzero(const struct fake_mfd *m)
{
	return m->dev_nonzero;
}

/* The function a memory request hits, or NULL. */
static struct sim_cfg *mfd_decode(struct fake_mfd *m, uint64_t addr,
				  unsigned len)
{
	for (unsigned i = 0; m->bar_size && i < m->nfn; i++) {
		struct sim_cfg *c = &m->fn[i];
		uint64_t base = fvs_rd(c, PCI_BASE_ADDRESS_0, 4) & ~0xfULL;

		if ((fvs_rd(c, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY) &&
		    addr >= base && addr + len <= base + m->bar_size)
			return c;
	}
	return NULL;
}

static int mfd_rx(struct sim_port *port, const struct fab_tlp *req,
		  struct fab_tlp *cpl)
{
	struct fake_mfd *m = port->owner;
	uint16_t t = req->cfg_target;
	unsigned fn;

	switch (req->type) {
	case FAB_TLP_CFG_RD0:
	case FAB_TLP_CFG_WR0:
		break;
	case FAB_TLP_MEM_RD:
		if (!mfd_decode(m, req->addr, req->len))
			return fvs_ur(req, cpl, 0);
		fab_tlp_complete(cpl, req, 0, FAB_CPL_SC);
		return SIM_RX_COMPLETED;
	case FAB_TLP_MEM_WR:
		return mfd_decode(m, req->addr, req->len) ? SIM_RX_ACCEPTED
							  : SIM_RX_DROPPED;
	default:
		return fvs_ur(req, cpl, 0);
	}
	m->requests++;
	if (FAB_RID_DEV(t) != 0)
		m->dev_nonzero++;
	fn = m->ari ? FAB_RID_DEVFN(t) : FAB_RID_FN(t);
	if (fn >= m->nfn)
		return fvs_ur(req, cpl, t);
	if (req->type == FAB_TLP_CFG_WR0) {
		if (sim_cfg_write(&m->fn[fn], req->cfg_reg, req->len,
				  fab_tlp_cfg_value(req)) < 0)
			FM_LOG(FM_LOG_ERROR, "fake mfd: out of memory");
		fab_tlp_complete(cpl, req, t, FAB_CPL_SC);
		return SIM_RX_COMPLETED;
	}
	fab_tlp_complete(cpl, req, t, FAB_CPL_SC);
	fab_tlp_set_cfg_value(cpl, fvs_rd(&m->fn[fn], req->cfg_reg, req->len));
	return SIM_RX_COMPLETED;
}
