/* SPDX-License-Identifier: MIT */
/*
 * switch_bridge.c - the physical PCI-to-PCI bridge of each switch port, as
 * the switch management CPU (firmware, the fabric dump) sees it: a Type 1
 * header with the switch's IDs and class 0x060400, and a PCI Express
 * capability (r6.0 7.5.3) whose Device/Port Type is Upstream Port for
 * upstream ports and Downstream Port for downstream and fabric ports.
 *
 * Live registers are computed from the link on every read: Link Status
 * (negotiated speed and width, Link Training, DL_Active), Link Control's
 * Link Disable, and Slot Status Presence Detect State.  Writes that act:
 * Link Control Link Disable and Retrain Link (downstream-type ports), and
 * Bridge Control Secondary Bus Reset (a hot reset of the link, sent when
 * the bit goes from 0 to 1).
 *
 * The bridge's memory and I/O windows are plain registers that start
 * closed: in this silicon the forwarding tables route, not the windows.
 */
#include "sim/switch_int.h"

#include <stdlib.h>
#include <string.h>

#include "fabric/cfg.h"

/* Where the PCI Express capability sits; it is the only capability. */
#define SW_EXP 0x40
#define SW_LNKCTL (SW_EXP + PCI_EXP_LNKCTL)
#define SW_LNKSTA (SW_EXP + PCI_EXP_LNKSTA)
#define SW_SLTCTL (SW_EXP + PCI_EXP_SLTCTL)
#define SW_SLTSTA (SW_EXP + PCI_EXP_SLTSTA)

/* Slot Power Limit advertised by downstream ports: 250 x 0.1 W = 25 W. */
#define SW_SLOT_POWER_VALUE 250
#define SW_SLOT_POWER_SCALE 1

/* Port kinds whose bridge is a Downstream Port (r6.0 7.5.3.2). */
static bool sw_bridge_is_dsp(uint8_t kind)
{
	return kind != FAB_PORT_UPSTREAM;
}

/* Only downstream ports have a slot (they are cabled to devices). */
static bool sw_bridge_has_slot(uint8_t kind)
{
	return kind == FAB_PORT_DOWNSTREAM;
}

static void sw_bridge_mask_build(struct sim_cfg_masks *m, uint8_t kind)
{
	uint8_t *w = m->wmask;
	uint8_t *c = m->w1cmask;
	const uint16_t status_w1c =
		PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT |
		PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT |
		PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY;
	uint16_t bctl = PCI_BRIDGE_CTL_PARITY | PCI_BRIDGE_CTL_SERR |
			PCI_BRIDGE_CTL_NO_ISA | PCI_BRIDGE_CTL_VGA;
	uint16_t lnkctl = PCI_EXP_LNKCTL_ASPM | PCI_EXP_LNKCTL_CLOCK |
			  PCI_EXP_LNKCTL_XSYNCH;

	memset(m, 0, sizeof(*m));
	fab_cfg_wr16(w, PCI_COMMAND,
		     PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			     PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
			     PCI_COMMAND_DISABLE_INTx);
	fab_cfg_wr16(c, PCI_STATUS, status_w1c);
	fab_cfg_wr8(w, PCI_CACHE_LINE_SIZE, 0xff);
	fab_cfg_wr8(w, PCI_IO_BASE, 0xf0);
	fab_cfg_wr8(w, PCI_IO_LIMIT, 0xf0);
	fab_cfg_wr16(c, PCI_SEC_STATUS, status_w1c);
	fab_cfg_wr16(w, PCI_MEMORY_BASE, 0xfff0);
	fab_cfg_wr16(w, PCI_MEMORY_LIMIT, 0xfff0);
	fab_cfg_wr16(w, PCI_PREF_MEMORY_BASE, 0xfff0);
	fab_cfg_wr16(w, PCI_PREF_MEMORY_LIMIT, 0xfff0);
	fab_cfg_wr32(w, PCI_PREF_BASE_UPPER32, 0xffffffff);
	fab_cfg_wr32(w, PCI_PREF_LIMIT_UPPER32, 0xffffffff);
	fab_cfg_wr8(w, PCI_INTERRUPT_LINE, 0xff);
	if (sw_bridge_is_dsp(kind))
		bctl |= PCI_BRIDGE_CTL_BUS_RESET;
	fab_cfg_wr16(w, PCI_BRIDGE_CONTROL, bctl);

	fab_cfg_wr16(w, SW_EXP + PCI_EXP_DEVCTL,
		     PCI_EXP_DEVCTL_CERE | PCI_EXP_DEVCTL_NFERE |
			     PCI_EXP_DEVCTL_FERE | PCI_EXP_DEVCTL_URRE |
			     PCI_EXP_DEVCTL_RELAXED | PCI_EXP_DEVCTL_PAYLOAD |
			     PCI_EXP_DEVCTL_EXT_TAG | PCI_EXP_DEVCTL_NOSNOOP |
			     PCI_EXP_DEVCTL_READRQ);
	fab_cfg_wr16(c, SW_EXP + PCI_EXP_DEVSTA,
		     PCI_EXP_DEVSTA_CED | PCI_EXP_DEVSTA_NFED |
			     PCI_EXP_DEVSTA_FED | PCI_EXP_DEVSTA_URD);
	if (sw_bridge_is_dsp(kind)) {
		/* Retrain Link is written but always reads 0: not in wmask */
		lnkctl |= PCI_EXP_LNKCTL_DISABLE | PCI_EXP_LNKCTL_BWMIE |
			  PCI_EXP_LNKCTL_AUTBWIE;
		fab_cfg_wr16(c, SW_LNKSTA,
			     PCI_EXP_LNKSTA_BWMGMT | PCI_EXP_LNKSTA_AUTBW);
		fab_cfg_wr16(w, SW_EXP + PCI_EXP_DEVCTL2, PCI_EXP_DEVCTL2_ARI);
	}
	fab_cfg_wr16(w, SW_LNKCTL, lnkctl);
	if (sw_bridge_has_slot(kind)) {
		fab_cfg_wr16(w, SW_SLTCTL,
			     PCI_EXP_SLTCTL_PRSD | PCI_EXP_SLTCTL_LLCHG);
		fab_cfg_wr16(c, SW_SLTSTA,
			     PCI_EXP_SLTSTA_PRSD | PCI_EXP_SLTSTA_LLCHG);
	}
	fab_cfg_wr16(w, SW_EXP + PCI_EXP_LNKCTL2, 0x000f); /* target speed */
}

void sim_sw_bridge_masks_init(struct sim_cfg_masks *masks)
{
	for (uint8_t kind = FAB_PORT_UPSTREAM; kind <= FAB_PORT_FABRIC; kind++)
		sw_bridge_mask_build(&masks[kind], kind);
}

/* The power-on image of @p's bridge into @c (4096 bytes, zeroed). */
static void sw_bridge_image_build(uint8_t *c, const struct sim_sw_port *p)
{
	const struct sim_switch *sw = p->sw;
	bool dsp = sw_bridge_is_dsp(p->kind);
	uint16_t flags = 2; /* capability version 2 */
	uint32_t lnkcap;

	fab_cfg_wr16(c, PCI_VENDOR_ID, sw->vendor);
	fab_cfg_wr16(c, PCI_DEVICE_ID, sw->device);
	fab_cfg_wr16(c, PCI_STATUS, PCI_STATUS_CAP_LIST);
	fab_cfg_wr16(c, PCI_CLASS_DEVICE, PCI_CLASS_BRIDGE_PCI);
	fab_cfg_wr8(c, PCI_HEADER_TYPE, PCI_HEADER_TYPE_BRIDGE);
	fab_cfg_wr8(c, PCI_SECONDARY_BUS, p->sec_bus);
	fab_cfg_wr8(c, PCI_SUBORDINATE_BUS, p->sub_bus);
	/* windows closed: base above limit */
	fab_cfg_wr8(c, PCI_IO_BASE, 0xf0);
	fab_cfg_wr16(c, PCI_MEMORY_BASE, 0xfff0);
	fab_cfg_wr16(c, PCI_PREF_MEMORY_BASE, 0xfff0 | PCI_PREF_RANGE_TYPE_64);
	fab_cfg_wr16(c, PCI_PREF_MEMORY_LIMIT, PCI_PREF_RANGE_TYPE_64);
	fab_cfg_wr8(c, PCI_CAPABILITY_LIST, SW_EXP);

	fab_cfg_wr8(c, SW_EXP + PCI_CAP_LIST_ID, PCI_CAP_ID_EXP);
	flags |= FM_FIELD_PREP(PCI_EXP_FLAGS_TYPE, dsp ? PCI_EXP_TYPE_DOWNSTREAM
						       : PCI_EXP_TYPE_UPSTREAM);
	if (sw_bridge_has_slot(p->kind))
		flags |= PCI_EXP_FLAGS_SLOT;
	fab_cfg_wr16(c, SW_EXP + PCI_EXP_FLAGS, flags);
	/* 256-byte max payload, role-based error reporting */
	fab_cfg_wr32(c, SW_EXP + PCI_EXP_DEVCAP,
		     FM_FIELD_PREP(PCI_EXP_DEVCAP_PAYLOAD, 1) |
			     PCI_EXP_DEVCAP_RBE);
	/* r6.0 7.5.3.4 defaults: relaxed ordering, no snoop, 512-byte reads */
	fab_cfg_wr16(c, SW_EXP + PCI_EXP_DEVCTL,
		     PCI_EXP_DEVCTL_RELAXED | PCI_EXP_DEVCTL_NOSNOOP |
			     FM_FIELD_PREP(PCI_EXP_DEVCTL_READRQ, 2));
	/*
	 * r6.0 7.5.3.6: Data Link Layer Link Active Reporting and Link
	 * Bandwidth Notification are Downstream Port features; an Upstream
	 * Port hardwires them (and DL_Active) to 0.
	 */
	lnkcap = FM_FIELD_PREP(PCI_EXP_LNKCAP_SPEED, p->speed) |
		 FM_FIELD_PREP(PCI_EXP_LNKCAP_WIDTH, p->width) |
		 FM_FIELD_PREP(PCI_EXP_LNKCAP_PORT, p->index);
	if (dsp)
		lnkcap |= PCI_EXP_LNKCAP_DLLA | PCI_EXP_LNKCAP_LBNC;
	fab_cfg_wr32(c, SW_EXP + PCI_EXP_LNKCAP, lnkcap);
	fab_cfg_wr16(c, SW_LNKSTA, PCI_EXP_LNKSTA_SL_CLK);
	if (sw_bridge_has_slot(p->kind))
		fab_cfg_wr32(c, SW_EXP + PCI_EXP_SLTCAP,
			     FM_FIELD_PREP(PCI_EXP_SLTCAP_PWR_VAL,
					   SW_SLOT_POWER_VALUE) |
				     FM_FIELD_PREP(PCI_EXP_SLTCAP_PWR_SCL,
						   SW_SLOT_POWER_SCALE) |
				     PCI_EXP_SLTCAP_NOCMDCOMP |
				     FM_FIELD_PREP(PCI_EXP_SLTCAP_PSN,
						   (uint32_t)p->index));
	if (dsp)
		fab_cfg_wr32(c, SW_EXP + PCI_EXP_DEVCAP2, PCI_EXP_DEVCAP2_ARI);
	/* Supported Link Speeds Vector: bit n set for speed n, 1..max */
	fab_cfg_wr32(c, SW_EXP + PCI_EXP_LNKCAP2,
		     (uint32_t)((1u << p->speed) - 1) << 1);
	fab_cfg_wr16(c, SW_EXP + PCI_EXP_LNKCTL2, p->speed);
}

int sim_sw_bridge_init(struct sim_sw_port *p, struct fm_err *err)
{
	p->cfg_image = calloc(1, FAB_PCI_CFG_SPACE_EXP_SIZE);
	if (!p->cfg_image)
		return fm_err_set(err, FM_ENOMEM,
				  "switch %s port %u: out of memory for its "
				  "bridge",
				  p->sw->name, p->index);
	sw_bridge_image_build(p->cfg_image, p);
	sim_cfg_init(&p->cfg, p->cfg_image, &p->sw->masks[p->kind]);
	return 0;
}

void sim_sw_bridge_fini(struct sim_sw_port *p)
{
	if (!p->cfg_image)
		return;
	sim_cfg_fini(&p->cfg);
	free(p->cfg_image);
	p->cfg_image = NULL;
}

void sim_sw_bridge_set_buses(struct sim_sw_port *p)
{
	/*
	 * Hardware strapping, not a config write: the registers are read-only
	 * to software.  The power-on image changes, and so does a private
	 * copy if the bridge has one.
	 */
	fab_cfg_wr8(p->cfg_image, PCI_SECONDARY_BUS, p->sec_bus);
	fab_cfg_wr8(p->cfg_image, PCI_SUBORDINATE_BUS, p->sub_bus);
	if (!p->cfg.shared) {
		p->cfg.bytes[PCI_SECONDARY_BUS] = p->sec_bus;
		p->cfg.bytes[PCI_SUBORDINATE_BUS] = p->sub_bus;
	}
}

/* The dword at @dw (Link Control/Status or Slot Control/Status), live. */
static uint32_t sw_bridge_live(const struct sim_sw_port *p, uint16_t dw,
			       uint32_t v)
{
	const struct sim_link *link = p->port.link;
	uint16_t ctl = (uint16_t)v;
	uint16_t sta = (uint16_t)(v >> 16);
	unsigned width;

	if (dw == SW_LNKCTL) {
		width = sim_link_width(link);
		if (width > p->width)
			width = p->width;
		sta &= (uint16_t) ~(
			PCI_EXP_LNKSTA_SPEED | PCI_EXP_LNKSTA_WIDTH |
			PCI_EXP_LNKSTA_TRAIN | PCI_EXP_LNKSTA_DL_ACT);
		sta |= FM_FIELD_PREP(PCI_EXP_LNKSTA_SPEED,
				     sim_link_speed(link)) |
		       FM_FIELD_PREP(PCI_EXP_LNKSTA_WIDTH, width);
		if (sim_link_is_training(link))
			sta |= PCI_EXP_LNKSTA_TRAIN;
		if (sw_bridge_is_dsp(p->kind) && p->up)
			sta |= PCI_EXP_LNKSTA_DL_ACT;
		if (sw_bridge_is_dsp(p->kind) && link) {
			ctl &= (uint16_t)~PCI_EXP_LNKCTL_DISABLE;
			if (!sim_link_is_enabled(link))
				ctl |= PCI_EXP_LNKCTL_DISABLE;
		}
	} else if (sw_bridge_has_slot(p->kind)) {
		sta &= (uint16_t)~PCI_EXP_SLTSTA_PRES;
		if (link && p->up)
			sta |= PCI_EXP_SLTSTA_PRES;
	}
	return ((uint32_t)sta << 16) | ctl;
}

uint32_t sim_sw_bridge_read(const struct sim_sw_port *p, uint16_t off,
			    unsigned len)
{
	uint16_t dw = off & ~3u;
	uint32_t v;

	if (dw != SW_LNKCTL && dw != SW_SLTCTL)
		return sim_cfg_read(&p->cfg, off, len);
	v = sw_bridge_live(p, dw, sim_cfg_read(&p->cfg, dw, 4));
	v >>= 8 * (off & 3);
	return len == 4 ? v : v & ((1u << (8 * len)) - 1);
}

/*
 * Write side effects.  A handler gets the register's value before the
 * write and the 16 bits software wrote (bytes it did not write keep their
 * old value).  To add one: a handler and a row keyed by the register.
 */
typedef void sw_bridge_effect_fn(struct sim_sw_port *p, uint16_t old,
				 uint16_t wrote);

static void sw_bridge_lnkctl(struct sim_sw_port *p, uint16_t old,
			     uint16_t wrote)
{
	struct sim_link *link = p->port.link;

	(void)old;
	if (!sw_bridge_is_dsp(p->kind) || !link)
		return;
	/* errors need no report: the port was checked and has a link */
	if ((wrote & PCI_EXP_LNKCTL_DISABLE) && sim_link_is_enabled(link))
		sim_switch_port_control(p->sw, p->index, FAB_PORT_CTL_DISABLE,
					NULL);
	else if (!(wrote & PCI_EXP_LNKCTL_DISABLE) &&
		 !sim_link_is_enabled(link))
		sim_switch_port_control(p->sw, p->index, FAB_PORT_CTL_ENABLE,
					NULL);
	/* r6.0 7.5.3.7: Retrain Link is ignored while Link Disable is set */
	if ((wrote & PCI_EXP_LNKCTL_RETRAIN) && sim_link_is_enabled(link))
		sim_switch_port_control(p->sw, p->index, FAB_PORT_CTL_RETRAIN,
					NULL);
}

static void sw_bridge_bctl(struct sim_sw_port *p, uint16_t old, uint16_t wrote)
{
	if (!sw_bridge_is_dsp(p->kind) || !p->port.link)
		return;
	if ((wrote & PCI_BRIDGE_CTL_BUS_RESET) &&
	    !(old & PCI_BRIDGE_CTL_BUS_RESET) &&
	    sim_link_is_enabled(p->port.link))
		sim_switch_port_control(p->sw, p->index, FAB_PORT_CTL_RESET,
					NULL);
}

static const struct {
	uint16_t reg; /* 16-bit register offset */
	sw_bridge_effect_fn *fn;
} sw_bridge_effects[] = {
	{ SW_LNKCTL, sw_bridge_lnkctl },
	{ PCI_BRIDGE_CONTROL, sw_bridge_bctl },
};

/* The 16-bit value at @reg after writing @len bytes of @val at @off. */
static uint16_t sw_bridge_written(uint16_t reg, uint16_t old, uint16_t off,
				  unsigned len, uint32_t val)
{
	uint16_t v = old;

	for (unsigned i = 0; i < 2; i++) {
		unsigned at = reg + i;

		if (at < off || at >= off + len)
			continue;
		v = (uint16_t)(v & ~(0xffu << (8 * i)));
		v = (uint16_t)(v |
			       (((val >> (8 * (at - off))) & 0xff) << (8 * i)));
	}
	return v;
}

int sim_sw_bridge_write(struct sim_sw_port *p, uint16_t off, unsigned len,
			uint32_t val, struct fm_err *err)
{
	uint16_t old[FM_ARRAY_SIZE(sw_bridge_effects)];
	int ret;

	for (unsigned i = 0; i < FM_ARRAY_SIZE(sw_bridge_effects); i++)
		old[i] = (uint16_t)sim_sw_bridge_read(
			p, sw_bridge_effects[i].reg, 2);
	ret = sim_cfg_write(&p->cfg, off, len, val);
	if (ret < 0)
		return fm_err_set(err, FM_ENOMEM,
				  "switch %s port %u: out of memory for its "
				  "bridge",
				  p->sw->name, p->index);
	for (unsigned i = 0; i < FM_ARRAY_SIZE(sw_bridge_effects); i++) {
		uint16_t reg = sw_bridge_effects[i].reg;

		if (off + len <= reg || off >= reg + 2)
			continue;
		sw_bridge_effects[i].fn(
			p, old[i],
			sw_bridge_written(reg, old[i], off, len, val));
	}
	return 0;
}

void sim_sw_bridge_link_changed(struct sim_sw_port *p, bool up)
{
	uint16_t sta;

	/*
	 * Latches; out of memory for the private copy loses only a latch, so
	 * the poke results are not reported (there is no caller to tell).
	 */
	if (sw_bridge_has_slot(p->kind)) {
		sta = (uint16_t)sim_cfg_read(&p->cfg, SW_SLTSTA, 2);
		(void)sim_cfg_poke(&p->cfg, SW_SLTSTA, 2,
				   sta | PCI_EXP_SLTSTA_PRSD |
					   PCI_EXP_SLTSTA_LLCHG);
	}
	if (up && p->retrain) {
		p->retrain = false;
		/* r6.0 7.5.3.8: retraining initiated by software completed */
		if (sw_bridge_is_dsp(p->kind)) {
			sta = (uint16_t)sim_cfg_read(&p->cfg, SW_LNKSTA, 2);
			(void)sim_cfg_poke(&p->cfg, SW_LNKSTA, 2,
					   sta | PCI_EXP_LNKSTA_BWMGMT);
		}
	}
}
