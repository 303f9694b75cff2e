/* SPDX-License-Identifier: MIT */
/*
 * sim.h - public interface of the fabric hardware simulator: the virtual
 * clock, SR-IOV endpoints, switch silicon (reached by firmware only through
 * its chip HAL, see fabric/chip.h), blades (host root complexes with a
 * Linux-like enumerator and pciehp-like hot-plug driver) and the chassis
 * that wires them from a JSON description.
 *
 * Everything runs on one thread, on virtual time: nothing here sleeps.
 * Ownership: the chassis owns every object it built; handles returned by
 * sim_chassis_*() are borrowed and valid until sim_chassis_free().
 */
#ifndef MRFABRIC_SIM_SIM_H
#define MRFABRIC_SIM_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fabric/chip.h"
#include "fabric/fm.h"
#include "fabric/pcie.h"

struct json_object;

/* ---------------------------------------------------------------------
 * Virtual clock: a discrete-event queue.  Events at the same time run in
 * the order they were scheduled.  Time is in nanoseconds.
 */
struct sim_clock;

typedef void sim_event_fn(void *arg);

struct sim_clock *sim_clock_new(void);
void sim_clock_free(struct sim_clock *clk);
uint64_t sim_clock_now(const struct sim_clock *clk);

/*
 * Run @fn(@arg) @delay_ns from now.  Returns an event id (never 0), or 0
 * when out of memory.
 */
uint64_t sim_clock_schedule(struct sim_clock *clk, uint64_t delay_ns,
			    sim_event_fn *fn, void *arg);
/* Cancel a pending event; false when it already ran or was cancelled. */
bool sim_clock_cancel(struct sim_clock *clk, uint64_t id);
/* Pending (not cancelled) events. */
uint64_t sim_clock_pending(const struct sim_clock *clk);
/*
 * Time of the earliest pending event, or UINT64_MAX when none is pending
 * (an event loop mapping virtual time to wall time sleeps until then).
 */
uint64_t sim_clock_next_time(struct sim_clock *clk);

/*
 * Run every event due at or before @t, then set the time to @t (never
 * backwards).  Returns the number of events run.
 */
uint64_t sim_clock_run_until(struct sim_clock *clk, uint64_t t);
/* Run for @delay_ns of virtual time from now. */
uint64_t sim_clock_run_for(struct sim_clock *clk, uint64_t delay_ns);
/*
 * Run until no event is pending, or @max_events ran (0: no limit).
 * Returns the number of events run.
 */
uint64_t sim_clock_run_idle(struct sim_clock *clk, uint64_t max_events);

/* ---------------------------------------------------------------------
 * Endpoint devices and their functions.
 */
struct sim_ep; /* a device on a downstream port: a PF (+ VFs) */
struct sim_fn; /* one function: PF or VF */

#define SIM_MAX_VFS 256

struct sim_bar_desc {
	uint64_t size; /* bytes, power of two >= 16 (memory), 0 = unused */
	bool mem64;    /* 64-bit BAR (takes two BAR slots) */
	bool prefetch;
};

struct sim_ep_desc {
	char name[32];
	uint16_t vendor;
	uint16_t device;
	uint32_t class_code; /* 24 bits: base, sub, prog-if */
	uint8_t revision;
	uint16_t subsys_vendor;
	uint16_t subsys_device;
	uint8_t link_width; /* lanes */
	uint8_t link_speed; /* 1..6, PCI_EXP_LNKCAP_SLS encoding */
	struct sim_bar_desc bar[6];
	/* SR-IOV; total_vfs == 0 means a plain endpoint without SR-IOV */
	uint16_t total_vfs;
	uint16_t first_vf_offset;
	uint16_t vf_stride;
	uint16_t vf_device;
	struct sim_bar_desc vf_bar[6];
};

const char *sim_ep_name(const struct sim_ep *ep);
struct sim_fn *sim_ep_pf(struct sim_ep *ep);
/* VF @index (0-based: VF1 is index 0); NULL unless enabled and in range. */
struct sim_fn *sim_ep_vf(struct sim_ep *ep, unsigned index);
/* Number of VFs currently enabled (0 when VF Enable is clear). */
unsigned sim_ep_num_vfs_enabled(const struct sim_ep *ep);

/* Physical routing ID of the function. */
uint16_t sim_fn_rid(const struct sim_fn *fn);
bool sim_fn_is_vf(const struct sim_fn *fn);
/* True while a Function Level Reset is in progress. */
bool sim_fn_in_flr(const struct sim_fn *fn);
/* Completed FLRs of this function since creation. */
uint64_t sim_fn_flr_count(const struct sim_fn *fn);
/*
 * Fault injection: while @hang is set, an FLR of the function never
 * completes (its config requests complete with CRS for ever, as a broken
 * device's do).  Clearing it completes an FLR stuck now.  The setting
 * belongs to the function slot (PF, or VF n) and survives VF Enable
 * cycles.
 */
void sim_fn_inject_flr_hang(struct sim_fn *fn, bool hang);

/*
 * Back-door view of the function's BAR-backed memory (what the device
 * holds, bypassing the fabric): @len bytes at @off of BAR @bar.  Returns 0
 * or -FM_ERANGE.  Memory never written reads as zero.
 */
int sim_fn_mem_peek(struct sim_fn *fn, unsigned bar, uint64_t off, void *buf,
		    size_t len, struct fm_err *err);
/* Memory requests and bytes that reached this function. */
uint64_t sim_fn_mem_requests(const struct sim_fn *fn);

/*
 * DMA from the function: a memory write (posted) or read (non-posted)
 * sent upstream through the fabric with the function's requester ID.
 * For a read, *status gets the completion status.
 */
int sim_fn_dma_write(struct sim_fn *fn, uint64_t addr, const void *buf,
		     size_t len, struct fm_err *err);
int sim_fn_dma_read(struct sim_fn *fn, uint64_t addr, void *buf, size_t len,
		    uint8_t *status, struct fm_err *err);
/*
 * Mark @n of the function's own non-posted requests as outstanding for
 * @ns of virtual time (Device Status Transactions Pending reads 1 until
 * they complete; an FLR discards them).
 */
void sim_fn_hold_transactions(struct sim_fn *fn, unsigned n, uint64_t ns);

/* ---------------------------------------------------------------------
 * Switch silicon.  Firmware drives it through its chip HAL only.
 */
struct sim_switch;

struct fab_chip *sim_switch_chip(struct sim_switch *sw);
const char *sim_switch_name(const struct sim_switch *sw);
unsigned sim_switch_nports(const struct sim_switch *sw);

/* ---------------------------------------------------------------------
 * Blades: host root complexes.
 */
struct sim_blade;

/* A device the host OS enumerated (a snapshot). */
struct sim_host_bar {
	uint64_t addr; /* assigned address, 0 if unassigned */
	uint64_t size; /* 0 if the BAR is not implemented */
	bool mem64;
	bool prefetch;
};

struct sim_host_dev {
	uint16_t rid;	     /* host bus:dev.fn */
	uint16_t parent_rid; /* bridge above; the root port's own is 0xffff */
	uint16_t vendor;
	uint16_t device;
	uint32_t class_code;
	uint8_t pcie_type; /* PCI_EXP_TYPE_*, FAB_PCI_EXP_TYPE_UNKNOWN if none */
	bool is_bridge;
	uint8_t sec_bus; /* bridges */
	uint8_t sub_bus;
	bool hotplug_slot; /* bridges: Slot Capabilities Hot-Plug Capable */
	uint64_t mem_base, mem_limit; /* bridges: window, 0/0 if closed */
	uint64_t pref_base, pref_limit;
	struct sim_host_bar bar[6];
};

const char *sim_blade_name(const struct sim_blade *b);

/*
 * Host config access as the CPU does it through ECAM: a read of a
 * function that does not answer returns all ones.  Returns 0, or
 * -FM_EINVAL for a bad length or alignment.
 */
int sim_blade_cfg_read(struct sim_blade *b, uint16_t rid, uint16_t reg,
		       unsigned len, uint32_t *val, struct fm_err *err);
int sim_blade_cfg_write(struct sim_blade *b, uint16_t rid, uint16_t reg,
			unsigned len, uint32_t val, struct fm_err *err);
/*
 * Host memory-mapped I/O: @len bytes (<= FAB_TLP_MAX_DATA) at @addr.
 * *status gets the completion status of a read (all ones data on UR).
 */
int sim_blade_mmio_read(struct sim_blade *b, uint64_t addr, void *buf,
			size_t len, uint8_t *status, struct fm_err *err);
int sim_blade_mmio_write(struct sim_blade *b, uint64_t addr, const void *buf,
			 size_t len, struct fm_err *err);

/* Host RAM as DMA left it; never-written memory reads as zero. */
int sim_blade_ram_read(struct sim_blade *b, uint64_t addr, void *buf,
		       size_t len, struct fm_err *err);
/* MSI interrupts received. */
uint64_t sim_blade_irq_count(const struct sim_blade *b);

/* The host OS view: devices enumerated, in depth-first order. */
unsigned sim_blade_dev_count(const struct sim_blade *b);
const struct sim_host_dev *sim_blade_dev(const struct sim_blade *b,
					 unsigned index);
const struct sim_host_dev *sim_blade_dev_find(const struct sim_blade *b,
					      uint16_t rid);
/* Forget everything and enumerate the hierarchy again. */
int sim_blade_rescan(struct sim_blade *b, struct fm_err *err);

/* Ignore attention-button removal requests (a non-cooperating host). */
void sim_blade_set_ignore_removal(struct sim_blade *b, bool ignore);
/*
 * Reset the blade alone: its OS forgets its devices, its link goes through
 * a hot reset, and it enumerates again once the link is back.
 */
int sim_blade_reset(struct sim_blade *b, struct fm_err *err);

/* What the hot-plug driver did, in order, with virtual time stamps. */
enum sim_hp_action {
	SIM_HP_BUTTON = 0,	/* attention button press seen */
	SIM_HP_BUTTON_CANCEL,	/* second press within 5 s cancelled it */
	SIM_HP_REMOVAL_IGNORED, /* host told to ignore removal requests */
	SIM_HP_PRESENCE_ON,	/* presence detect changed to present */
	SIM_HP_PRESENCE_OFF,
	SIM_HP_LINK_UP, /* data link layer state changed: up */
	SIM_HP_LINK_DOWN,
	SIM_HP_LINK_TIMEOUT, /* link did not come up within 1 s */
	SIM_HP_POWER_ON,     /* slot control written: power on */
	SIM_HP_POWER_OFF,
	SIM_HP_CMD_TIMEOUT, /* no Command Completed within 1 s */
	SIM_HP_DEV_ADDED,   /* a function below the slot enumerated */
	SIM_HP_DEV_REMOVED,
	SIM_HP_ACTION_COUNT
};

struct sim_hp_record {
	uint64_t time_ns;
	uint16_t port_rid; /* host RID of the downstream port (slot) */
	uint16_t dev_rid;  /* DEV_ADDED / DEV_REMOVED: the function */
	uint8_t action;	   /* enum sim_hp_action */
};

const char *sim_hp_action_name(enum sim_hp_action a);
unsigned sim_blade_hp_count(const struct sim_blade *b);
const struct sim_hp_record *sim_blade_hp_record(const struct sim_blade *b,
						unsigned index);

/*
 * Write what the blade sees in `lspci -xxxx` format (4096 bytes per
 * function), readable by `lspci -F FILE`.
 */
int sim_blade_dump(struct sim_blade *b, FILE *out, struct fm_err *err);

/* ---------------------------------------------------------------------
 * Chassis: a whole simulated system built from a JSON description that
 * is validated against schemas/chassis.schema.json.
 */
struct sim_chassis;

int sim_chassis_load(struct sim_chassis **out, const char *path,
		     struct fm_err *err);
int sim_chassis_from_string(struct sim_chassis **out, const char *json,
			    struct fm_err *err);
int sim_chassis_from_json(struct sim_chassis **out, struct json_object *doc,
			  struct fm_err *err);
void sim_chassis_free(struct sim_chassis *ch);

/*
 * Power on: links train, blades boot and enumerate.  Runs the clock until
 * the chassis is idle.
 */
int sim_chassis_power_on(struct sim_chassis *ch, struct fm_err *err);

struct sim_clock *sim_chassis_clock(struct sim_chassis *ch);
unsigned sim_chassis_blade_count(const struct sim_chassis *ch);
struct sim_blade *sim_chassis_blade(struct sim_chassis *ch, unsigned i);
struct sim_blade *sim_chassis_blade_find(struct sim_chassis *ch,
					 const char *name);
unsigned sim_chassis_switch_count(const struct sim_chassis *ch);
struct sim_switch *sim_chassis_switch(struct sim_chassis *ch, unsigned i);
unsigned sim_chassis_ep_count(const struct sim_chassis *ch);
struct sim_ep *sim_chassis_ep(struct sim_chassis *ch, unsigned i);
struct sim_ep *sim_chassis_ep_find(struct sim_chassis *ch, const char *name);

/*
 * The physical fabric as the switch management CPU sees it, in
 * `lspci -xxxx` format: one PCI domain per switch, its ports as bridges,
 * each endpoint's PF and enabled VFs.
 */
int sim_chassis_dump_fabric(struct sim_chassis *ch, FILE *out,
			    struct fm_err *err);

#endif
