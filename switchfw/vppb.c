/* SPDX-License-Identifier: MIT */
/*
 * vppb.c - a virtual PCI-to-PCI bridge below a partition's virtual
 * upstream bridge: a PCIe Downstream Port with a hot-plug slot, answered
 * by firmware from virtual config space.
 *
 * Config layout: Type 1 header; PCI Express capability (0x40, Slot
 * Implemented, Data Link Layer Link Active Reporting, ARI Forwarding
 * Supported); MSI (0x80, 64-bit, one vector), which is how the slot
 * interrupts its host; ACS (0x100: Source Validation, Translation
 * Blocking, P2P Request and Completion Redirect, Upstream Forwarding).
 *
 * The slot (r6.0 6.7, 7.5.3.9-7.5.3.11) has an attention button and
 * indicator, a power controller and a power indicator, no MRL and no
 * interlock.  A Slot Control write is a command that completes at once
 * (Command Completed).  Presence is "a function is bound"; the virtual
 * link comes up SW_VPPB_TRAIN_NS after the slot is powered with a
 * function bound, unless the host disabled it.  An event bit rising while
 * its enable and Hot-Plug Interrupt Enable are set sends one MSI out of
 * the partition's upstream port (r6.0 6.7.3.4), if the host enabled MSI
 * and bus mastering.
 *
 * The slot's state machine is the table sw_hp_table[state][event]:
 * EMPTY -> (bind) ADDING -> (powered, link trained) BOUND -> (unbind)
 * REMOVING -> EMPTY, with the three unbind modes of the CXL FM API.
 */
#include "switchfw/fw_int.h"

#include <string.h>

#define SW_SLTCTL (SW_VBR_EXP + PCI_EXP_SLTCTL)
#define SW_SLTSTA (SW_VBR_EXP + PCI_EXP_SLTSTA)
#define SW_LNKCTL (SW_VBR_EXP + PCI_EXP_LNKCTL)
#define SW_LNKSTA (SW_VBR_EXP + PCI_EXP_LNKSTA)

/* Slot Control bits that do something here (no interlock control). */
#define SW_SLTCTL_WMASK                                                        \
	(PCI_EXP_SLTCTL_ATNB | PCI_EXP_SLTCTL_PWRF | PCI_EXP_SLTCTL_MRLS |     \
	 PCI_EXP_SLTCTL_PRSD | PCI_EXP_SLTCTL_CMDC | PCI_EXP_SLTCTL_HPIE |     \
	 PCI_EXP_SLTCTL_ATNI | PCI_EXP_SLTCTL_PWRI | PCI_EXP_SLTCTL_PWRC |     \
	 PCI_EXP_SLTCTL_LLCHG)
/* Slot Status event bits, RW1C. */
#define SW_SLTSTA_EVENTS                                                       \
	(PCI_EXP_SLTSTA_ATNB | PCI_EXP_SLTSTA_PWRF | PCI_EXP_SLTSTA_MRLS |     \
	 PCI_EXP_SLTSTA_PRSD | PCI_EXP_SLTSTA_CMDC | PCI_EXP_SLTSTA_LLCHG)
/* Slot Control enables 0-4 match Slot Status events 0-4 bit for bit. */
#define SW_SLTCTL_EVENT_ENABLES 0x1f
/* Physical Slot Number is 13 bits (r6.0 7.5.3.9). */
#define SW_PSN_MAX 0x1fff

#define SW_ACS_BITS                                                            \
	(PCI_ACS_CAP_VALID | PCI_ACS_CAP_BLOCK | PCI_ACS_CAP_REQ_RED |         \
	 PCI_ACS_CAP_CMPLT_RED | PCI_ACS_CAP_FORWARD)

static struct sw_fw *sw_vppb_fw(const struct sw_vppb *v)
{
	return v->part->fw;
}

static uint32_t sw_vppb_rd(const struct sw_vppb *v, uint16_t off, unsigned len)
{
	return sw_vcfg_read(v->cfg, off, len);
}

bool sw_vppb_powered(const struct sw_vppb *v)
{
	return !(sw_vppb_rd(v, SW_SLTCTL, 2) & PCI_EXP_SLTCTL_PWRC);
}

static bool sw_vppb_link_disabled(const struct sw_vppb *v)
{
	return sw_vppb_rd(v, SW_LNKCTL, 2) & PCI_EXP_LNKCTL_DISABLE;
}

uint8_t sw_vppb_sec_bus(const struct sw_vppb *v)
{
	return sw_vcfg_sec_bus(v->cfg);
}

uint16_t sw_vppb_self_rid(const struct sw_vppb *v)
{
	return FAB_RID(sw_vcfg_sec_bus(v->part->cfg), v->index, 0);
}

/* ---------------------------------------------------------------------
 * Config image.
 */

static void sw_vppb_build(struct sw_vppb *v)
{
	struct sw_part *p = v->part;
	struct sw_vmasks *m = &p->fw->ppb_masks;
	const struct fab_port_info *pi = &p->chip->port[p->port];
	uint32_t psn = (p->id * SW_MAX_VPPBS + v->index + 1u) & SW_PSN_MAX;
	const uint16_t e = SW_VBR_EXP;
	uint16_t ctl;

	sw_vcfg_bridge_header(v->cfg, p->chip->info.vendor,
			      p->chip->info.device);
	sw_vcfg_bridge_masks(m);
	sw_vcfg_exp_cap(v->cfg, m, PCI_EXP_TYPE_DOWNSTREAM, pi->max_speed,
			pi->max_width, (uint8_t)v->index, SW_VBR_MSI);
	sw_vcfg_set(v->cfg, e + PCI_EXP_FLAGS, 2,
		    sw_vppb_rd(v, e + PCI_EXP_FLAGS, 2) | PCI_EXP_FLAGS_SLOT);
	sw_vmask_set(m, SW_LNKCTL, 2,
		     PCI_EXP_LNKCTL_ASPM | PCI_EXP_LNKCTL_DISABLE |
			     PCI_EXP_LNKCTL_RETRAIN | PCI_EXP_LNKCTL_CLOCK |
			     PCI_EXP_LNKCTL_XSYNCH,
		     0);
	sw_vcfg_set(v->cfg, e + PCI_EXP_SLTCAP, 4,
		    PCI_EXP_SLTCAP_ATNB | PCI_EXP_SLTCAP_PWRC |
			    PCI_EXP_SLTCAP_ATNI | PCI_EXP_SLTCAP_PWRI |
			    PCI_EXP_SLTCAP_HPC |
			    FM_FIELD_PREP(PCI_EXP_SLTCAP_PSN, psn));
	/* powered at reset, as platform firmware leaves slots it may use */
	ctl = (uint16_t)(FM_FIELD_PREP(PCI_EXP_SLTCTL_ATNI,
				       FAB_PCI_EXP_SLTCTL_IND_OFF) |
			 FM_FIELD_PREP(PCI_EXP_SLTCTL_PWRI,
				       v->fn ? FAB_PCI_EXP_SLTCTL_IND_ON
					     : FAB_PCI_EXP_SLTCTL_IND_OFF));
	sw_vcfg_set(v->cfg, SW_SLTCTL, 2, ctl);
	sw_vmask_set(m, SW_SLTCTL, 2, SW_SLTCTL_WMASK, 0);
	sw_vcfg_set(v->cfg, SW_SLTSTA, 2, v->fn ? PCI_EXP_SLTSTA_PRES : 0);
	sw_vmask_set(m, SW_SLTSTA, 2, 0, SW_SLTSTA_EVENTS);
	sw_vcfg_set(v->cfg, e + PCI_EXP_DEVCAP2, 4, PCI_EXP_DEVCAP2_ARI);
	sw_vmask_set(m, e + PCI_EXP_DEVCTL2, 2, PCI_EXP_DEVCTL2_ARI, 0);

	/* MSI, 64-bit, one vector (r6.0 7.7.1) */
	v->cfg[SW_VBR_MSI + PCI_CAP_LIST_ID] = PCI_CAP_ID_MSI;
	v->cfg[SW_VBR_MSI + PCI_CAP_LIST_NEXT] = 0;
	sw_vcfg_set(v->cfg, SW_VBR_MSI + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_64BIT);
	sw_vmask_set(m, SW_VBR_MSI + PCI_MSI_FLAGS, 2,
		     PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE, 0);
	sw_vmask_set(m, SW_VBR_MSI + PCI_MSI_ADDRESS_LO, 4, 0xfffffffcu, 0);
	sw_vmask_set(m, SW_VBR_MSI + PCI_MSI_ADDRESS_HI, 4, 0xffffffffu, 0);
	sw_vmask_set(m, SW_VBR_MSI + PCI_MSI_DATA_64, 2, 0xffff, 0);

	/* ACS (r6.0 7.7.8): extended capability, version 1, last */
	sw_vcfg_set(v->cfg, SW_VBR_ACS, 4, PCI_EXT_CAP_ID_ACS | 1u << 16);
	sw_vcfg_set(v->cfg, SW_VBR_ACS + PCI_ACS_CAP, 2, SW_ACS_BITS);
	sw_vmask_set(m, SW_VBR_ACS + PCI_ACS_CTRL, 2, SW_ACS_BITS, 0);
}

/* ---------------------------------------------------------------------
 * Slot events and the MSI.
 */

/* Event bits enabled to interrupt under Slot Control @ctl (r6.0 6.7.3.4). */
static uint32_t sw_vppb_pending(const struct sw_vppb *v, uint32_t ctl)
{
	uint32_t sta = sw_vppb_rd(v, SW_SLTSTA, 2);
	uint32_t en = ctl & SW_SLTCTL_EVENT_ENABLES;

	if (!(ctl & PCI_EXP_SLTCTL_HPIE))
		return 0;
	if (ctl & PCI_EXP_SLTCTL_LLCHG)
		en |= PCI_EXP_SLTSTA_LLCHG;
	return sta & en;
}

/* The slot's MSI, as the host programmed it, out of the upstream port. */
static void sw_vppb_msi(struct sw_vppb *v)
{
	uint32_t flags = sw_vppb_rd(v, SW_VBR_MSI + PCI_MSI_FLAGS, 2);
	uint64_t addr;
	struct fab_tlp tlp;

	if (!(flags & PCI_MSI_FLAGS_ENABLE) ||
	    !(sw_vppb_rd(v, PCI_COMMAND, 2) & PCI_COMMAND_MASTER) ||
	    !sw_part_bus_master(v->part))
		return;
	addr = sw_vppb_rd(v, SW_VBR_MSI + PCI_MSI_ADDRESS_LO, 4) |
	       (uint64_t)sw_vppb_rd(v, SW_VBR_MSI + PCI_MSI_ADDRESS_HI, 4)
		       << 32;
	fab_tlp_msi(&tlp, sw_vppb_self_rid(v), addr,
		    sw_vppb_rd(v, SW_VBR_MSI + PCI_MSI_DATA_64, 2));
	sw_part_send(v->part, &tlp);
}

/*
 * The slot side sets Slot Status bits @set and clears @clear; an enabled
 * event that rose interrupts, unless a Slot Control command is being
 * handled (it interrupts once at its end).
 */
static void sw_vppb_status(struct sw_vppb *v, uint32_t set, uint32_t clear)
{
	uint32_t ctl = sw_vppb_rd(v, SW_SLTCTL, 2);
	uint32_t before = sw_vppb_pending(v, ctl);
	uint32_t sta = sw_vppb_rd(v, SW_SLTSTA, 2);

	sw_vcfg_set(v->cfg, SW_SLTSTA, 2, (sta & ~clear) | set);
	if (!v->in_cmd && (sw_vppb_pending(v, ctl) & ~before))
		sw_vppb_msi(v);
}

static void sw_vppb_set_link(struct sw_vppb *v, bool up)
{
	uint32_t sta = sw_vppb_rd(v, SW_LNKSTA, 2);

	v->link_up = up;
	sta = up ? sta | PCI_EXP_LNKSTA_DL_ACT
		 : sta & ~(uint32_t)PCI_EXP_LNKSTA_DL_ACT;
	sw_vcfg_set(v->cfg, SW_LNKSTA, 2, sta);
}

/* Take the virtual link down; returns whether it was up. */
static bool sw_vppb_link_down(struct sw_vppb *v)
{
	bool was = v->link_up;

	sw_chip_timer_cancel(v->part->chip, &v->train_timer);
	if (was)
		sw_vppb_set_link(v, false);
	return was;
}

static void sw_vppb_timer_fired(void *arg, enum sw_hp_event ev, uint64_t *timer)
{
	struct sw_vppb *v = arg;

	*timer = 0;
	sw_vppb_event(v, ev);
}

static void sw_vppb_trained(void *arg)
{
	struct sw_vppb *v = arg;

	sw_vppb_timer_fired(v, SW_HP_TRAINED, &v->train_timer);
}

static void sw_vppb_unbind_timeout(void *arg)
{
	struct sw_vppb *v = arg;

	sw_vppb_timer_fired(v, SW_HP_TIMEOUT, &v->unbind_timer);
}

/* ---------------------------------------------------------------------
 * The state machine's actions.
 */

/* Train the link when the slot is powered, enabled and has a function. */
static void sw_hp_train(struct sw_vppb *v)
{
	if (!v->fn || v->link_up || v->train_timer || !sw_vppb_powered(v) ||
	    sw_vppb_link_disabled(v))
		return;
	v->train_timer = sw_chip_timer(v->part->chip, SW_VPPB_TRAIN_NS,
				       sw_vppb_trained, v);
	if (!v->train_timer)
		FM_LOG(FM_LOG_ERROR,
		       "sw part%u/vppb%u: no timer for link "
		       "training",
		       v->part->id, v->index);
}

/* Hot-add (r6.0 6.7.1.3): the function is present; power decides. */
static void sw_hp_bind(struct sw_vppb *v)
{
	v->state = SW_VPPB_ADDING;
	sw_vppb_status(v, PCI_EXP_SLTSTA_PRES | PCI_EXP_SLTSTA_PRSD, 0);
	sw_hp_train(v);
}

static void sw_hp_trained(struct sw_vppb *v)
{
	sw_vppb_set_link(v, true);
	v->state = SW_VPPB_BOUND;
	sw_vppb_status(v, PCI_EXP_SLTSTA_LLCHG, 0);
	sw_event_fn(sw_vppb_fw(v), SW_EV_HOST_ENABLED, v->fn);
	sw_bind_sync(v);
}

/* Power off or link disabled before the link came up. */
static void sw_hp_stop_training(struct sw_vppb *v)
{
	sw_vppb_link_down(v);
}

/* The host powered off or disabled a working slot on its own. */
static void sw_hp_host_off(struct sw_vppb *v)
{
	if (sw_vppb_link_down(v))
		sw_vppb_status(v, PCI_EXP_SLTSTA_LLCHG, 0);
	v->state = SW_VPPB_ADDING;
	sw_bind_sync(v);
}

/*
 * The function leaves the slot: link and presence drop together, one
 * interrupt for both (r6.0 6.7.1.3 surprise removal), then it is detached
 * and reset.
 */
static void sw_hp_leave(struct sw_vppb *v, bool lost)
{
	uint32_t set = PCI_EXP_SLTSTA_PRSD;

	if (sw_vppb_link_down(v))
		set |= PCI_EXP_SLTSTA_LLCHG;
	sw_vppb_status(v, set, PCI_EXP_SLTSTA_PRES);
	sw_bind_detach(v, lost);
}

static void sw_hp_leave_now(struct sw_vppb *v)
{
	sw_hp_leave(v, false);
}

static void sw_hp_lost(struct sw_vppb *v)
{
	sw_hp_leave(v, true);
}

static void sw_hp_arm(struct sw_vppb *v, uint64_t ns)
{
	v->unbind_timer =
		sw_chip_timer(v->part->chip, ns, sw_vppb_unbind_timeout, v);
	if (!v->unbind_timer)
		FM_LOG(FM_LOG_ERROR, "sw part%u/vppb%u: no timer for unbind",
		       v->part->id, v->index);
}

/* Managed removal: press the attention button (r6.0 6.7.1.5). */
static void sw_hp_button(struct sw_vppb *v)
{
	v->state = SW_VPPB_REMOVING;
	v->unbind_mode = SW_UNBIND_MANAGED;
	sw_hp_arm(v, sw_vppb_fw(v)->cfg.managed_timeout_ns);
	sw_vppb_status(v, PCI_EXP_SLTSTA_ATNB, 0);
}

/* Wait-for-link-down: nothing is signalled; the host must act. */
static void sw_hp_wait_link(struct sw_vppb *v)
{
	v->state = SW_VPPB_REMOVING;
	v->unbind_mode = SW_UNBIND_WAIT_LINK_DOWN;
	sw_hp_arm(v, sw_vppb_fw(v)->cfg.link_down_timeout_ns);
}

/*
 * The removal ends: the host powered off or disabled the slot it was
 * asked to give up, or firmware cannot wait for it any more.
 */
static void sw_hp_released(struct sw_vppb *v)
{
	sw_chip_timer_cancel(v->part->chip, &v->unbind_timer);
	sw_hp_leave(v, false);
}

static void sw_hp_timeout(struct sw_vppb *v)
{
	struct sw_fw *fw = sw_vppb_fw(v);

	if (v->unbind_mode == SW_UNBIND_MANAGED) {
		sw_event_fn(fw, SW_EV_MANAGED_FALLBACK, v->fn);
		sw_hp_leave(v, false);
		return;
	}
	/* wait-for-link-down ran out: the function stays where it is */
	v->state = SW_VPPB_BOUND;
	v->fn->state = SW_FN_BOUND;
	sw_event_fn(fw, SW_EV_UNBIND_FAILED, v->fn);
}

typedef void sw_hp_fn(struct sw_vppb *v);

/*
 * What each event does in each state; NULL: nothing.  To add an event,
 * add it to enum sw_hp_event and give it an action in every state where
 * it means something.
 */
static sw_hp_fn *const sw_hp_table[SW_VPPB_REMOVING + 1][SW_HP_EVENT_COUNT] = {
	[SW_VPPB_EMPTY] = {
		[SW_HP_BIND] = sw_hp_bind,
	},
	[SW_VPPB_ADDING] = {
		[SW_HP_POWER_ON] = sw_hp_train,
		[SW_HP_LINK_ENABLE] = sw_hp_train,
		[SW_HP_POWER_OFF] = sw_hp_stop_training,
		[SW_HP_LINK_DISABLE] = sw_hp_stop_training,
		[SW_HP_TRAINED] = sw_hp_trained,
		/* the host has not got it yet: nothing to ask */
		[SW_HP_UNBIND_MANAGED] = sw_hp_leave_now,
		[SW_HP_UNBIND_SURPRISE] = sw_hp_leave_now,
		[SW_HP_UNBIND_WAIT] = sw_hp_leave_now,
		[SW_HP_DEV_LOST] = sw_hp_lost,
	},
	[SW_VPPB_BOUND] = {
		[SW_HP_POWER_OFF] = sw_hp_host_off,
		[SW_HP_LINK_DISABLE] = sw_hp_host_off,
		[SW_HP_UNBIND_MANAGED] = sw_hp_button,
		[SW_HP_UNBIND_SURPRISE] = sw_hp_leave_now,
		[SW_HP_UNBIND_WAIT] = sw_hp_wait_link,
		[SW_HP_DEV_LOST] = sw_hp_lost,
	},
	[SW_VPPB_REMOVING] = {
		[SW_HP_POWER_OFF] = sw_hp_released,
		[SW_HP_LINK_DISABLE] = sw_hp_released,
		/* firmware cannot wait any longer (a fabric link went down) */
		[SW_HP_UNBIND_SURPRISE] = sw_hp_released,
		[SW_HP_TIMEOUT] = sw_hp_timeout,
		[SW_HP_DEV_LOST] = sw_hp_lost,
	},
};

void sw_vppb_event(struct sw_vppb *v, enum sw_hp_event ev)
{
	sw_hp_fn *fn = NULL;

	if (v->state <= SW_VPPB_REMOVING && (unsigned)ev < SW_HP_EVENT_COUNT)
		fn = sw_hp_table[v->state][ev];
	if (fn)
		fn(v);
}

/* ---------------------------------------------------------------------
 * Register side effects of host writes.
 */

static void sw_vppb_decode_written(void *obj, uint32_t old, uint32_t val)
{
	struct sw_vppb *v = obj;

	if (old != val)
		sw_bind_sync(v);
}

static void sw_vppb_bus_written(void *obj, uint32_t old, uint32_t val)
{
	struct sw_vppb *v = obj;

	if (old == val)
		return;
	sw_part_sync_buses(v->part);
	sw_bind_sync(v);
}

/* Secondary Bus Reset 0 -> 1: a hot reset of what is below (r6.0 6.6.1). */
static void sw_vppb_bctl_written(void *obj, uint32_t old, uint32_t val)
{
	struct sw_vppb *v = obj;

	if ((old & PCI_BRIDGE_CTL_BUS_RESET) ||
	    !(val & PCI_BRIDGE_CTL_BUS_RESET) || !v->fn || v->fn->in_flr)
		return;
	if (sw_fn_flr_start(v->fn, true, false) < 0)
		FM_LOG(FM_LOG_ERROR, "sw part%u/vppb%u: no timer for reset",
		       v->part->id, v->index);
}

/* Link Disable (r6.0 7.5.3.7); Retrain Link always reads 0. */
static void sw_vppb_lnkctl_written(void *obj, uint32_t old, uint32_t val)
{
	struct sw_vppb *v = obj;

	if (val & PCI_EXP_LNKCTL_RETRAIN)
		sw_vcfg_set(v->cfg, SW_LNKCTL, 2,
			    val & ~(uint32_t)PCI_EXP_LNKCTL_RETRAIN);
	if ((old ^ val) & PCI_EXP_LNKCTL_DISABLE)
		sw_vppb_event(v, val & PCI_EXP_LNKCTL_DISABLE
					 ? SW_HP_LINK_DISABLE
					 : SW_HP_LINK_ENABLE);
}

/*
 * A Slot Control write is a command (r6.0 6.7.3.2): the power controller
 * acts, then Command Completed is set; one interrupt covers every event
 * the command raised, including one whose enable it just set.
 */
static void sw_vppb_sltctl_written(void *obj, uint32_t old, uint32_t val)
{
	struct sw_vppb *v = obj;
	uint32_t before = sw_vppb_pending(v, old);
	bool was_on = !(old & PCI_EXP_SLTCTL_PWRC);
	bool on = !(val & PCI_EXP_SLTCTL_PWRC);

	v->in_cmd = true;
	if (on != was_on)
		sw_vppb_event(v, on ? SW_HP_POWER_ON : SW_HP_POWER_OFF);
	sw_vppb_status(v, PCI_EXP_SLTSTA_CMDC, 0);
	v->in_cmd = false;
	if (sw_vppb_pending(v, sw_vppb_rd(v, SW_SLTCTL, 2)) & ~before)
		sw_vppb_msi(v);
}

/* Registers with side effects, each alone in its table entry. */
static const struct sw_vcfg_hook sw_vppb_hooks[] = {
	{ PCI_COMMAND, 2, sw_vppb_decode_written },
	{ PCI_PRIMARY_BUS, 4, sw_vppb_bus_written },
	{ PCI_MEMORY_BASE, 4, sw_vppb_decode_written },
	{ PCI_PREF_MEMORY_BASE, 4, sw_vppb_decode_written },
	{ PCI_PREF_BASE_UPPER32, 4, sw_vppb_decode_written },
	{ PCI_PREF_LIMIT_UPPER32, 4, sw_vppb_decode_written },
	{ PCI_BRIDGE_CONTROL, 2, sw_vppb_bctl_written },
	{ SW_LNKCTL, 2, sw_vppb_lnkctl_written },
	{ SW_SLTCTL, 2, sw_vppb_sltctl_written },
};

void sw_vppb_cfg(struct sw_vppb *v, const struct fab_tlp *req,
		 struct fab_tlp *cpl)
{
	if (req->type == FAB_TLP_CFG_RD1) {
		fab_tlp_complete(cpl, req, req->cfg_target, FAB_CPL_SC);
		fab_tlp_set_cfg_value(cpl,
				      sw_vppb_rd(v, req->cfg_reg, req->len));
		return;
	}
	sw_vcfg_write(v->cfg, &sw_vppb_fw(v)->ppb_masks, req->cfg_reg, req->len,
		      fab_tlp_cfg_value(req), sw_vppb_hooks,
		      FM_ARRAY_SIZE(sw_vppb_hooks), v);
	fab_tlp_complete(cpl, req, req->cfg_target, FAB_CPL_SC);
}

/* ---------------------------------------------------------------------
 * Life cycle.
 */

void sw_vppb_init(struct sw_vppb *v, struct sw_part *part, unsigned index)
{
	memset(v, 0, sizeof(*v));
	v->part = part;
	v->index = index;
	v->state = SW_VPPB_EMPTY;
	sw_vppb_build(v);
}

void sw_vppb_stop(struct sw_vppb *v)
{
	sw_chip_timer_cancel(v->part->chip, &v->train_timer);
	sw_chip_timer_cancel(v->part->chip, &v->unbind_timer);
}

/*
 * Power-on state: a removal in progress is complete (the host it waited
 * for is gone); a bound function is present in a powered slot whose link
 * trains again.
 */
void sw_vppb_reset(struct sw_vppb *v)
{
	sw_vppb_stop(v);
	if (v->state == SW_VPPB_REMOVING)
		sw_bind_detach(v, false);
	sw_bind_teardown(v);
	v->link_up = false;
	sw_vppb_build(v);
	if (!v->fn)
		return;
	v->state = SW_VPPB_ADDING;
	sw_hp_train(v);
}
