/* SPDX-License-Identifier: MIT */
/*
 * pciehp.c - the blade's PCIe native hot-plug driver, modelled on Linux
 * pciehp (drivers/pci/hotplug/pciehp_hpc.c, pciehp_ctrl.c), with its
 * timing on the virtual clock.
 *
 * One driver instance per hot-plug capable downstream port.  The port's
 * MSI arrives through the blade's MSI window; the interrupt handler reads
 * Slot Status, clears what it saw (write 1 to clear), notes Command
 * Completed at once and queues the other events.  Queued events are
 * handled one at a time, like Linux's IRQ thread, and the work they start
 * (power on and enumerate, remove and power off, ...) is a job: a short
 * program of steps from the tables below, run on the virtual clock.
 * While a job runs, new events wait, as they wait for Linux's thread.
 *
 * Slot states are Linux's: OFF, ON, BLINKINGON/BLINKINGOFF (the 5 s after
 * an attention button press, when a second press cancels), POWERON and
 * POWEROFF (a job is turning the slot on or off).
 *
 * Every Slot Control write is a command: the next one first waits up to
 * 1 s for Command Completed of the previous one (r6.0 6.7.3.2), on the
 * interrupt when it is enabled, else polling every 10 ms.  A command that
 * never completes is logged SIM_HP_CMD_TIMEOUT and the driver goes on.
 */
#include "sim/blade_int.h"

#include <stdlib.h>
#include <string.h>

/* Linux's waits (pciehp_hpc.c, pciehp_ctrl.c, pci.c). */
#define HP_CMD_TIMEOUT_NS FAB_NS_PER_S	    /* Command Completed */
#define HP_CMD_POLL_NS (10 * FAB_NS_PER_MS) /* pcie_poll_cmd() */
#define HP_LINK_TIMEOUT_NS FAB_NS_PER_S	    /* pcie_wait_for_link() */
#define HP_LINK_POLL_NS (10 * FAB_NS_PER_MS)
#define HP_LINK_SETTLE_NS (100 * FAB_NS_PER_MS) /* r6.0 6.7.3.3 / 6.6.1 */
#define HP_BUTTON_NS (5 * FAB_NS_PER_S)		/* r6.0 6.7.1.5: 5 s abort */
#define HP_POWER_OFF_NS FAB_NS_PER_S		/* after power off */

/* Slot Status event bits the driver handles. */
#define HP_EVENTS                                                              \
	(PCI_EXP_SLTSTA_ATNB | PCI_EXP_SLTSTA_PWRF | PCI_EXP_SLTSTA_PRSD |     \
	 PCI_EXP_SLTSTA_CMDC | PCI_EXP_SLTSTA_LLCHG)
#define HP_LINK_EVENTS (PCI_EXP_SLTSTA_PRSD | PCI_EXP_SLTSTA_LLCHG)
/* A pseudo-event above the register bits: the button asked for removal. */
#define HP_DISABLE_SLOT 0x10000u

enum hp_state {
	HP_OFF = 0,
	HP_BLINKINGON,
	HP_BLINKINGOFF,
	HP_POWERON,
	HP_POWEROFF,
	HP_ON,
	HP_STATE_COUNT
};

static const char *const hp_state_names[HP_STATE_COUNT] = {
	[HP_OFF] = "off",
	[HP_BLINKINGON] = "blinking-on",
	[HP_BLINKINGOFF] = "blinking-off",
	[HP_POWERON] = "powering-on",
	[HP_POWEROFF] = "powering-off",
	[HP_ON] = "on",
};

/* Steps of a job (the argument is struct hp_op.arg). */
enum hp_op_code {
	HP_OP_OFF_IF_EMPTY,	/* probe: power off an empty slot left on */
	HP_OP_NOTIFY,		/* probe: enable slot event interrupts */
	HP_OP_CHECK_PRESENCE,	/* probe: queue PDC if slot and state differ */
	HP_OP_POWER,		/* 1: on, 0: off; waits for completion */
	HP_OP_INDICATORS,	/* HP_IND(power, attention); 0 leaves one */
	HP_OP_BUTTON_TIMER,	/* start the 5 s attention button window */
	HP_OP_WAIT_LINK,	/* Data Link Layer Link Active within 1 s */
	HP_OP_SLEEP,		/* nanoseconds */
	HP_OP_SCAN,		/* enumerate below the port */
	HP_OP_REMOVE,		/* forget the devices below the port */
	HP_OP_DROP_LINK_EVENTS, /* forget presence/link events we caused */
	HP_OP_END,		/* final state, or HP_KEEP */
};

#define HP_KEEP HP_STATE_COUNT
#define HP_IND(pwr, attn) ((pwr) | (attn) << 8)

struct hp_op {
	uint8_t code;	   /* enum hp_op_code */
	bool if_power_ctl; /* only when the slot has a power controller */
	uint64_t arg;
};

/*
 * The jobs.  A job is a list of steps ending in HP_OP_END; a step that
 * fails (no link, nothing found) switches to hp_job_enable_failed.  To add
 * a job, write its table here and start it with hp_job_start().
 */

/* pciehp_probe(): pcie_init(), pcie_enable_notification(), check presence */
static const struct hp_op hp_job_probe[] = {
	{ HP_OP_OFF_IF_EMPTY, true, 0 },
	{ HP_OP_NOTIFY, false, 0 },
	{ HP_OP_CHECK_PRESENCE, false, 0 },
	{ HP_OP_END, false, HP_KEEP },
};

/* board_added() */
static const struct hp_op hp_job_enable[] = {
	{ HP_OP_POWER, true, 1 },
	{ HP_OP_INDICATORS, false, HP_IND(FAB_PCI_EXP_SLTCTL_IND_BLINK, 0) },
	{ HP_OP_WAIT_LINK, false, 0 },
	{ HP_OP_SLEEP, false, HP_LINK_SETTLE_NS },
	{ HP_OP_SCAN, false, 0 },
	{ HP_OP_INDICATORS, false,
	  HP_IND(FAB_PCI_EXP_SLTCTL_IND_ON, FAB_PCI_EXP_SLTCTL_IND_OFF) },
	{ HP_OP_END, false, HP_ON },
};

/*
 * set_slot_off(): board_added() failed.  Like remove_board(), forget the
 * link change our own power off caused, or the slot would retry forever.
 */
static const struct hp_op hp_job_enable_failed[] = {
	{ HP_OP_POWER, true, 0 },
	{ HP_OP_SLEEP, true, HP_POWER_OFF_NS },
	{ HP_OP_DROP_LINK_EVENTS, true, 0 },
	{ HP_OP_INDICATORS, false,
	  HP_IND(FAB_PCI_EXP_SLTCTL_IND_OFF, FAB_PCI_EXP_SLTCTL_IND_ON) },
	{ HP_OP_END, false, HP_OFF },
};

/* remove_board() */
static const struct hp_op hp_job_disable[] = {
	{ HP_OP_REMOVE, false, 0 },
	{ HP_OP_POWER, true, 0 },
	{ HP_OP_SLEEP, true, HP_POWER_OFF_NS },
	{ HP_OP_DROP_LINK_EVENTS, true, 0 },
	{ HP_OP_INDICATORS, false, HP_IND(FAB_PCI_EXP_SLTCTL_IND_OFF, 0) },
	{ HP_OP_END, false, HP_OFF },
};

/* pciehp_handle_button_press(): blink and give 5 s to change one's mind */
static const struct hp_op hp_job_blink[] = {
	{ HP_OP_INDICATORS, false,
	  HP_IND(FAB_PCI_EXP_SLTCTL_IND_BLINK, FAB_PCI_EXP_SLTCTL_IND_OFF) },
	{ HP_OP_BUTTON_TIMER, false, 0 },
	{ HP_OP_END, false, HP_KEEP },
};

/* ... cancelled: the power indicator shows the state kept */
static const struct hp_op hp_job_show_on[] = {
	{ HP_OP_INDICATORS, false,
	  HP_IND(FAB_PCI_EXP_SLTCTL_IND_ON, FAB_PCI_EXP_SLTCTL_IND_OFF) },
	{ HP_OP_END, false, HP_KEEP },
};

static const struct hp_op hp_job_show_off[] = {
	{ HP_OP_INDICATORS, false,
	  HP_IND(FAB_PCI_EXP_SLTCTL_IND_OFF, FAB_PCI_EXP_SLTCTL_IND_OFF) },
	{ HP_OP_END, false, HP_KEEP },
};

/* What a running job waits for. */
enum hp_wait {
	HP_WAIT_NONE = 0,
	HP_WAIT_CMD,   /* Command Completed (interrupt or poll) or timeout */
	HP_WAIT_TIMER, /* a step's timer */
};

struct sim_pciehp {
	struct sim_blade *b;
	struct sim_clock *clk;
	uint16_t rid; /* the port */
	uint16_t exp; /* its PCI Express capability */
	uint32_t sltcap;
	uint8_t vector;
	enum hp_state state;
	uint32_t pending; /* queued events: Slot Status bits, HP_DISABLE_SLOT */
	uint16_t slot_ctrl; /* last Slot Control written */
	bool cmd_busy;
	uint64_t cmd_started;
	/* the running job, NULL when idle */
	const struct hp_op *job;
	unsigned pc;
	unsigned phase; /* progress within the current step */
	enum hp_wait wait;
	uint64_t wait_start;
	bool safe;    /* this removal is a requested one, not a surprise */
	bool recheck; /* after a surprise removal, look at the slot again */
	struct sim_blade_crs crs;
	uint64_t isr_event;
	uint64_t timer_event;
	uint64_t button_event;
};

static void hp_job_run(struct sim_pciehp *hp);
static void hp_process(struct sim_pciehp *hp);

static bool hp_power_ctl(const struct sim_pciehp *hp)
{
	return hp->sltcap & PCI_EXP_SLTCAP_PWRC;
}

static uint32_t hp_rd(struct sim_pciehp *hp, uint16_t reg, unsigned len)
{
	return sim_blade_cfg_rd(hp->b, hp->rid, hp->exp + reg, len);
}

static void hp_wr(struct sim_pciehp *hp, uint16_t reg, unsigned len,
		  uint32_t val)
{
	sim_blade_cfg_wr(hp->b, hp->rid, hp->exp + reg, len, val);
}

static void hp_log(struct sim_pciehp *hp, enum sim_hp_action a)
{
	sim_blade_hp_log(hp->b, hp->rid, 0, a);
}

static uint64_t hp_now(const struct sim_pciehp *hp)
{
	return sim_clock_now(hp->clk);
}

static bool hp_present(struct sim_pciehp *hp)
{
	uint32_t sta = hp_rd(hp, PCI_EXP_SLTSTA, 2);

	return sta != 0xffff && (sta & PCI_EXP_SLTSTA_PRES);
}

static bool hp_link_active(struct sim_pciehp *hp)
{
	uint32_t sta = hp_rd(hp, PCI_EXP_LNKSTA, 2);

	return sta != 0xffff && (sta & PCI_EXP_LNKSTA_DL_ACT);
}

/* Power Controller Control clear means power on (r6.0 7.5.3.10). */
static bool hp_powered(struct sim_pciehp *hp)
{
	uint32_t ctl = hp_rd(hp, PCI_EXP_SLTCTL, 2);

	return ctl != 0xffff && !(ctl & PCI_EXP_SLTCTL_PWRC);
}

static void hp_timer_fired(void *arg)
{
	struct sim_pciehp *hp = arg;

	hp->timer_event = 0;
	hp->wait = HP_WAIT_NONE;
	hp_job_run(hp);
}

static bool hp_timer(struct sim_pciehp *hp, enum hp_wait wait, uint64_t ns)
{
	char name[FAB_RID_STR_LEN];

	hp->wait = wait;
	hp->timer_event = sim_clock_schedule(hp->clk, ns, hp_timer_fired, hp);
	if (!hp->timer_event)
		FM_LOG(FM_LOG_ERROR, "sim blade %s: slot %s: out of memory",
		       sim_blade_name(hp->b), fab_rid_format(name, hp->rid));
	return false;
}

/* ---------------------------------------------------------------------
 * Slot Control commands (pcie_do_write_cmd(), pcie_wait_cmd()).
 */

/* Command Completed is signalled by interrupt: slot events are enabled. */
static bool hp_cmd_irq(const struct sim_pciehp *hp)
{
	return (hp->slot_ctrl & PCI_EXP_SLTCTL_HPIE) &&
	       (hp->slot_ctrl & PCI_EXP_SLTCTL_CMDC);
}

/*
 * True when no command is outstanding: it completed, timed out now, or
 * the slot cannot tell.  Otherwise arms the wait and returns false.
 */
static bool hp_cmd_done(struct sim_pciehp *hp)
{
	uint64_t now = hp_now(hp),
		 deadline = hp->cmd_started + HP_CMD_TIMEOUT_NS;
	char name[FAB_RID_STR_LEN];
	uint32_t sta;

	if (!hp->cmd_busy || (hp->sltcap & PCI_EXP_SLTCAP_NOCMDCOMP))
		return true;
	if (!hp_cmd_irq(hp)) {
		sta = hp_rd(hp, PCI_EXP_SLTSTA, 2);
		if (sta != 0xffff && (sta & PCI_EXP_SLTSTA_CMDC)) {
			hp_wr(hp, PCI_EXP_SLTSTA, 2, PCI_EXP_SLTSTA_CMDC);
			hp->cmd_busy = false;
			return true;
		}
	}
	if (now >= deadline) {
		FM_LOG(FM_LOG_WARN,
		       "sim blade %s: slot %s: timeout on hotplug command "
		       "0x%04x (issued %llu ms ago)",
		       sim_blade_name(hp->b), fab_rid_format(name, hp->rid),
		       hp->slot_ctrl,
		       (unsigned long long)((now - hp->cmd_started) /
					    FAB_NS_PER_MS));
		hp_log(hp, SIM_HP_CMD_TIMEOUT);
		hp->cmd_busy = false;
		return true;
	}
	if (hp_cmd_irq(hp))
		return hp_timer(hp, HP_WAIT_CMD, deadline - now);
	return hp_timer(hp, HP_WAIT_CMD,
			deadline - now < HP_CMD_POLL_NS ? deadline - now
							: HP_CMD_POLL_NS);
}

static void hp_cmd_write(struct sim_pciehp *hp, uint16_t val, uint16_t mask)
{
	uint32_t ctl = hp_rd(hp, PCI_EXP_SLTCTL, 2);

	if (ctl == 0xffff)
		return; /* the port does not answer: nothing to command */
	ctl = (ctl & ~(uint32_t)mask) | (val & mask);
	hp->cmd_busy = true;
	hp->slot_ctrl = (uint16_t)ctl;
	hp->cmd_started = hp_now(hp);
	hp_wr(hp, PCI_EXP_SLTCTL, 2, ctl);
}

/*
 * One command as a job step: wait for the previous one, write (logging
 * @action unless it is SIM_HP_ACTION_COUNT), and with @wait wait for this
 * one.  True when the step is done.
 */
static bool hp_cmd(struct sim_pciehp *hp, uint16_t val, uint16_t mask,
		   bool wait, enum sim_hp_action action)
{
	switch (hp->phase) {
	case 0:
		if (!hp_cmd_done(hp))
			return false;
		hp->phase = 1;
		/* fall through */
	case 1:
		hp_cmd_write(hp, val, mask);
		if (action != SIM_HP_ACTION_COUNT)
			hp_log(hp, action);
		hp->phase = 2;
		if (!wait)
			break;
		/* fall through */
	default:
		if (!hp_cmd_done(hp))
			return false;
		break;
	}
	hp->phase = 0;
	return true;
}

static bool hp_op_power(struct sim_pciehp *hp, bool on)
{
	/* a slot already on is not switched again (the model's choice) */
	if (on && hp->phase == 0 && hp_powered(hp))
		return true;
	return hp_cmd(hp, on ? 0 : PCI_EXP_SLTCTL_PWRC, PCI_EXP_SLTCTL_PWRC,
		      true, on ? SIM_HP_POWER_ON : SIM_HP_POWER_OFF);
}

/* pciehp_set_indicators(): only the indicators the slot has. */
static bool hp_op_indicators(struct sim_pciehp *hp, uint64_t arg)
{
	unsigned pwr = arg & 0xff, attn = (arg >> 8) & 0xff;
	uint16_t val = 0, mask = 0;

	if (pwr && (hp->sltcap & PCI_EXP_SLTCAP_PWRI)) {
		mask |= PCI_EXP_SLTCTL_PWRI;
		val |= (uint16_t)FM_FIELD_PREP(PCI_EXP_SLTCTL_PWRI, pwr);
	}
	if (attn && (hp->sltcap & PCI_EXP_SLTCAP_ATNI)) {
		mask |= PCI_EXP_SLTCTL_ATNI;
		val |= (uint16_t)FM_FIELD_PREP(PCI_EXP_SLTCTL_ATNI, attn);
	}
	if (!mask)
		return true;
	return hp_cmd(hp, val, mask, false, SIM_HP_ACTION_COUNT);
}

/*
 * Slot events to enable: attention button (when there is one), presence
 * detect, data link layer state, command completed (unless the port has
 * none) and the interrupt itself.
 */
static bool hp_op_notify(struct sim_pciehp *hp)
{
	uint16_t cmd = PCI_EXP_SLTCTL_PRSD | PCI_EXP_SLTCTL_LLCHG |
		       PCI_EXP_SLTCTL_HPIE;
	uint16_t mask = PCI_EXP_SLTCTL_ATNB | PCI_EXP_SLTCTL_PWRF |
			PCI_EXP_SLTCTL_MRLS | PCI_EXP_SLTCTL_PRSD |
			PCI_EXP_SLTCTL_CMDC | PCI_EXP_SLTCTL_HPIE |
			PCI_EXP_SLTCTL_LLCHG;

	if (hp->sltcap & PCI_EXP_SLTCAP_ATNB)
		cmd |= PCI_EXP_SLTCTL_ATNB;
	if (!(hp->sltcap & PCI_EXP_SLTCAP_NOCMDCOMP))
		cmd |= PCI_EXP_SLTCTL_CMDC;
	return hp_cmd(hp, cmd, mask, false, SIM_HP_ACTION_COUNT);
}

/* pcie_wait_for_link(): poll every 10 ms for up to 1 s. */
static bool hp_op_wait_link(struct sim_pciehp *hp, bool *failed)
{
	char name[FAB_RID_STR_LEN];

	if (hp->phase == 0) {
		hp->wait_start = hp_now(hp);
		hp->phase = 1;
	}
	if (hp_link_active(hp)) {
		hp->phase = 0;
		return true;
	}
	if (hp_now(hp) - hp->wait_start >= HP_LINK_TIMEOUT_NS) {
		FM_LOG(FM_LOG_WARN, "sim blade %s: slot %s: no link",
		       sim_blade_name(hp->b), fab_rid_format(name, hp->rid));
		hp_log(hp, SIM_HP_LINK_TIMEOUT);
		hp->phase = 0;
		*failed = true;
		return true;
	}
	return hp_timer(hp, HP_WAIT_TIMER, HP_LINK_POLL_NS);
}

static bool hp_op_sleep(struct sim_pciehp *hp, uint64_t ns)
{
	if (hp->phase == 0) {
		hp->phase = 1;
		return hp_timer(hp, HP_WAIT_TIMER, ns);
	}
	hp->phase = 0;
	return true;
}

/* pciehp_check_link_status() + pciehp_configure_device() */
static bool hp_op_scan(struct sim_pciehp *hp, bool *failed)
{
	struct fm_err err = { 0 };
	uint64_t retry = 0;

	if (sim_blade_slot_scan(&retry, hp->b, hp->rid, &hp->crs, &err) < 0) {
		FM_LOG(FM_LOG_WARN, "%s", err.msg);
		*failed = true;
		return true;
	}
	if (retry)
		return hp_timer(hp, HP_WAIT_TIMER, retry);
	/* link or presence changes up to here were ours: ignore them */
	hp->pending &= ~HP_LINK_EVENTS;
	return true;
}

static void hp_button_expired(void *arg);

/* Run one step; true when it is done, false when it waits. */
static bool hp_op_run(struct sim_pciehp *hp, const struct hp_op *op,
		      bool *failed)
{
	bool occupied;

	switch ((enum hp_op_code)op->code) {
	case HP_OP_OFF_IF_EMPTY:
		occupied = hp_present(hp) || hp_link_active(hp);
		if (hp->phase == 0 && (occupied || !hp_powered(hp)))
			return true;
		return hp_op_power(hp, false);
	case HP_OP_NOTIFY:
		return hp_op_notify(hp);
	case HP_OP_CHECK_PRESENCE:
		occupied = hp_present(hp) || hp_link_active(hp);
		if ((occupied &&
		     (hp->state == HP_OFF || hp->state == HP_BLINKINGON)) ||
		    (!occupied &&
		     (hp->state == HP_ON || hp->state == HP_BLINKINGOFF)))
			hp->pending |= PCI_EXP_SLTSTA_PRSD;
		return true;
	case HP_OP_POWER:
		return hp_op_power(hp, op->arg != 0);
	case HP_OP_INDICATORS:
		return hp_op_indicators(hp, op->arg);
	case HP_OP_BUTTON_TIMER:
		hp->button_event = sim_clock_schedule(hp->clk, HP_BUTTON_NS,
						      hp_button_expired, hp);
		return true;
	case HP_OP_WAIT_LINK:
		return hp_op_wait_link(hp, failed);
	case HP_OP_SLEEP:
		return hp_op_sleep(hp, op->arg);
	case HP_OP_SCAN:
		return hp_op_scan(hp, failed);
	case HP_OP_REMOVE:
		sim_blade_slot_remove(hp->b, hp->rid, hp->safe);
		return true;
	case HP_OP_DROP_LINK_EVENTS:
		hp->pending &= ~HP_LINK_EVENTS;
		return true;
	case HP_OP_END:
		return true;
	}
	return true;
}

static void hp_presence_tail(struct sim_pciehp *hp);

/* The job ended: look at the slot again if asked, then at queued events. */
static void hp_job_done(struct sim_pciehp *hp)
{
	if (hp->recheck) {
		hp->recheck = false;
		hp_presence_tail(hp);
	}
	hp_process(hp);
}

static void hp_job_run(struct sim_pciehp *hp)
{
	while (hp->job) {
		const struct hp_op *op = &hp->job[hp->pc];
		bool failed = false;

		if (op->if_power_ctl && !hp_power_ctl(hp)) {
			hp->pc++;
			continue;
		}
		if (op->code == HP_OP_END) {
			if (op->arg != HP_KEEP)
				hp->state = (enum hp_state)op->arg;
			hp->job = NULL;
			hp_job_done(hp);
			return;
		}
		if (!hp_op_run(hp, op, &failed))
			return;
		hp->phase = 0;
		if (failed) {
			hp->job = hp_job_enable_failed;
			hp->pc = 0;
			continue;
		}
		hp->pc++;
	}
}

static void hp_job_start(struct sim_pciehp *hp, const struct hp_op *job)
{
	hp->job = job;
	hp->pc = 0;
	hp->phase = 0;
	hp_job_run(hp);
}

static void hp_cancel(struct sim_pciehp *hp, uint64_t *event)
{
	if (*event)
		sim_clock_cancel(hp->clk, *event);
	*event = 0;
}

/* ---------------------------------------------------------------------
 * Event handling (pciehp_ctrl.c).
 */

/* pciehp_handle_button_press() */
static void hp_button(struct sim_pciehp *hp)
{
	char name[FAB_RID_STR_LEN];

	fab_rid_format(name, hp->rid);
	switch (hp->state) {
	case HP_ON:
		if (sim_blade_ignores_removal(hp->b)) {
			FM_LOG(FM_LOG_INFO,
			       "sim blade %s: slot %s: removal request "
			       "ignored",
			       sim_blade_name(hp->b), name);
			hp_log(hp, SIM_HP_REMOVAL_IGNORED);
			return;
		}
		hp->state = HP_BLINKINGOFF;
		hp_job_start(hp, hp_job_blink);
		break;
	case HP_OFF:
		hp->state = HP_BLINKINGON;
		hp_job_start(hp, hp_job_blink);
		break;
	case HP_BLINKINGOFF:
	case HP_BLINKINGON:
		/* a second press within 5 s cancels */
		hp_cancel(hp, &hp->button_event);
		hp_log(hp, SIM_HP_BUTTON_CANCEL);
		if (hp->state == HP_BLINKINGOFF) {
			hp->state = HP_ON;
			hp_job_start(hp, hp_job_show_on);
		} else {
			hp->state = HP_OFF;
			hp_job_start(hp, hp_job_show_off);
		}
		break;
	case HP_POWERON:
	case HP_POWEROFF:
	case HP_STATE_COUNT:
		FM_LOG(FM_LOG_INFO,
		       "sim blade %s: slot %s: button ignored while %s",
		       sim_blade_name(hp->b), name, hp_state_names[hp->state]);
		break;
	}
}

static void hp_button_expired(void *arg)
{
	struct sim_pciehp *hp = arg;

	hp->button_event = 0;
	if (hp->state == HP_BLINKINGOFF)
		hp->pending |= HP_DISABLE_SLOT;
	else if (hp->state == HP_BLINKINGON)
		hp->pending |= PCI_EXP_SLTSTA_PRSD;
	hp_process(hp);
}

/* pciehp_handle_disable_request(): a safe removal */
static void hp_disable_request(struct sim_pciehp *hp)
{
	hp_cancel(hp, &hp->button_event);
	hp->state = HP_POWEROFF;
	hp->safe = true;
	hp_job_start(hp, hp_job_disable);
}

static void hp_enable(struct sim_pciehp *hp)
{
	hp->state = HP_POWERON;
	sim_blade_crs_init(&hp->crs);
	hp_job_start(hp, hp_job_enable);
}

/* Second half: turn the slot on if it is occupied or its link is up. */
static void hp_presence_tail(struct sim_pciehp *hp)
{
	if (!hp_present(hp) && !hp_link_active(hp)) {
		if (hp->state == HP_BLINKINGON) {
			hp_cancel(hp, &hp->button_event);
			hp->state = HP_OFF;
			hp_job_start(hp, hp_job_show_off);
		}
		return;
	}
	switch (hp->state) {
	case HP_BLINKINGON:
		hp_cancel(hp, &hp->button_event);
		/* fall through */
	case HP_OFF:
		hp_enable(hp);
		break;
	case HP_BLINKINGOFF:
	case HP_POWERON:
	case HP_POWEROFF:
	case HP_ON:
	case HP_STATE_COUNT:
		break;
	}
}

/*
 * pciehp_handle_presence_or_link_change(): a slot that is on and sees
 * presence or link change is turned off first (the card may not be the
 * same one); then it is turned on again if occupied.
 */
static void hp_presence_or_link(struct sim_pciehp *hp)
{
	switch (hp->state) {
	case HP_BLINKINGOFF:
		hp_cancel(hp, &hp->button_event);
		/* fall through */
	case HP_ON:
		hp->state = HP_POWEROFF;
		hp->safe = false;
		hp->recheck = true;
		hp_job_start(hp, hp_job_disable);
		return;
	case HP_OFF:
	case HP_BLINKINGON:
	case HP_POWERON:
	case HP_POWEROFF:
	case HP_STATE_COUNT:
		break;
	}
	hp_presence_tail(hp);
}

/* pciehp_ist(): queued events, one kind at a time, while no job runs. */
static void hp_process(struct sim_pciehp *hp)
{
	while (!hp->job && hp->pending) {
		if (hp->pending & PCI_EXP_SLTSTA_ATNB) {
			hp->pending &= ~(uint32_t)PCI_EXP_SLTSTA_ATNB;
			hp_button(hp);
		} else if (hp->pending & HP_DISABLE_SLOT) {
			/* a disable request outranks presence/link changes */
			hp->pending &= ~(HP_DISABLE_SLOT | HP_LINK_EVENTS);
			hp_disable_request(hp);
		} else if (hp->pending & HP_LINK_EVENTS) {
			hp->pending &= ~(uint32_t)HP_LINK_EVENTS;
			hp_presence_or_link(hp);
		} else {
			hp->pending = 0; /* power faults, MRL: not modelled */
		}
	}
}

/* pciehp_isr(): read and clear Slot Status, note what it says. */
static void hp_isr(void *arg)
{
	struct sim_pciehp *hp = arg;
	uint32_t sta, events;

	hp->isr_event = 0;
	sta = hp_rd(hp, PCI_EXP_SLTSTA, 2);
	if (sta == 0xffff)
		return;
	events = sta & HP_EVENTS;
	if (!events)
		return;
	hp_wr(hp, PCI_EXP_SLTSTA, 2, events);
	if (events & PCI_EXP_SLTSTA_ATNB)
		hp_log(hp, SIM_HP_BUTTON);
	if (events & PCI_EXP_SLTSTA_PRSD)
		hp_log(hp, sta & PCI_EXP_SLTSTA_PRES ? SIM_HP_PRESENCE_ON
						     : SIM_HP_PRESENCE_OFF);
	if (events & PCI_EXP_SLTSTA_LLCHG)
		hp_log(hp,
		       hp_link_active(hp) ? SIM_HP_LINK_UP : SIM_HP_LINK_DOWN);
	hp->pending |= events & ~(uint32_t)PCI_EXP_SLTSTA_CMDC;
	if (events & PCI_EXP_SLTSTA_CMDC) {
		hp->cmd_busy = false;
		if (hp->wait == HP_WAIT_CMD) {
			hp_cancel(hp, &hp->timer_event);
			hp->wait = HP_WAIT_NONE;
			hp_job_run(hp);
			return;
		}
	}
	hp_process(hp);
}

/* The port's MSI: handle it from the clock, never inside the link. */
static void hp_msi(void *arg)
{
	struct sim_pciehp *hp = arg;

	if (!hp->isr_event)
		hp->isr_event = sim_clock_schedule(hp->clk, 0, hp_isr, hp);
}

/* ---------------------------------------------------------------------
 * Probe and remove.
 */

static void hp_msi_enable(struct sim_pciehp *hp, uint16_t msi)
{
	struct sim_blade *b = hp->b;
	uint32_t flags = sim_blade_cfg_rd(b, hp->rid, msi + PCI_MSI_FLAGS, 2);
	uint16_t data = PCI_MSI_DATA_32;

	sim_blade_cfg_wr(b, hp->rid, msi + PCI_MSI_ADDRESS_LO, 4,
			 (uint32_t)FAB_MSI_ADDR_BASE);
	if (flags & PCI_MSI_FLAGS_64BIT) {
		sim_blade_cfg_wr(b, hp->rid, msi + PCI_MSI_ADDRESS_HI, 4,
				 (uint32_t)(FAB_MSI_ADDR_BASE >> 32));
		data = PCI_MSI_DATA_64;
	}
	sim_blade_cfg_wr(b, hp->rid, msi + data, 2, hp->vector);
	flags &= ~(uint32_t)PCI_MSI_FLAGS_QSIZE; /* one vector */
	sim_blade_cfg_wr(b, hp->rid, msi + PCI_MSI_FLAGS, 2,
			 flags | PCI_MSI_FLAGS_ENABLE);
}

int sim_pciehp_probe(struct sim_pciehp **out, struct sim_blade *b,
		     uint16_t port_rid, struct fm_err *err)
{
	struct sim_blade_reader br;
	char name[FAB_RID_STR_LEN];
	struct sim_pciehp *hp;
	uint16_t msi = 0;
	int ret;

	hp = calloc(1, sizeof(*hp));
	if (!hp)
		return fm_err_set(err, FM_ENOMEM, "pciehp: out of memory");
	hp->b = b;
	hp->clk = sim_blade_clock(b);
	hp->rid = port_rid;
	fab_rid_format(name, port_rid);
	sim_blade_reader_init(&br, b, port_rid);
	if (fab_cfg_find_cap(&hp->exp, &br.r, PCI_CAP_ID_EXP, NULL) < 0 ||
	    fab_cfg_find_cap(&msi, &br.r, PCI_CAP_ID_MSI, NULL) < 0) {
		ret = fm_err_set(err, FM_EUNSUPP,
				 "pciehp %s: no PCI Express or MSI capability",
				 name);
		goto fail;
	}
	ret = sim_blade_msi_alloc(&hp->vector, b, hp_msi, hp, err);
	if (ret < 0)
		goto fail;
	hp->sltcap = hp_rd(hp, PCI_EXP_SLTCAP, 4);
	hp->slot_ctrl = (uint16_t)hp_rd(hp, PCI_EXP_SLTCTL, 2);
	hp_msi_enable(hp, msi);
	/* clear stale events before enabling them (pcie_init()) */
	hp_wr(hp, PCI_EXP_SLTSTA, 2,
	      PCI_EXP_SLTSTA_ATNB | PCI_EXP_SLTSTA_PWRF | PCI_EXP_SLTSTA_MRLS |
		      PCI_EXP_SLTSTA_PRSD | PCI_EXP_SLTSTA_CMDC |
		      PCI_EXP_SLTSTA_LLCHG);
	hp->state = sim_blade_slot_occupied(b, port_rid) ? HP_ON : HP_OFF;
	FM_LOG(FM_LOG_DEBUG,
	       "sim blade %s: pciehp %s: slot %u, vector 0x%02x, %s",
	       sim_blade_name(b), name,
	       (unsigned)FM_FIELD_GET(PCI_EXP_SLTCAP_PSN, hp->sltcap),
	       hp->vector, hp_state_names[hp->state]);
	*out = hp;
	hp_job_start(hp, hp_job_probe);
	return 0;
fail:
	free(hp);
	return ret;
}

void sim_pciehp_remove(struct sim_pciehp *hp)
{
	if (!hp)
		return;
	hp_cancel(hp, &hp->isr_event);
	hp_cancel(hp, &hp->timer_event);
	hp_cancel(hp, &hp->button_event);
	sim_blade_msi_free(hp->b, hp->vector);
	free(hp);
}
