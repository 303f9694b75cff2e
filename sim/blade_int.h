/* SPDX-License-Identifier: MIT */
/*
 * blade_int.h - private interface between the blade model (blade.c: root
 * complex, root port, host RAM, MSI delivery, the enumerator) and its
 * hot-plug driver (pciehp.c).  Nothing else includes it.
 *
 * Everything runs on the blade's virtual clock, on one thread.  Config
 * accesses here are the host's own, through its ECAM: they never fail, and
 * a function that does not answer reads as all ones.
 */
#ifndef MRFABRIC_SIM_BLADE_INT_H
#define MRFABRIC_SIM_BLADE_INT_H

#include "fabric/cfg.h"
#include "sim/sim_int.h"

/*
 * Linux's defaults, which the enumerator follows: extra bus numbers
 * reserved below a hot-plug bridge (pci_hotplug_bus_size, "hpbussize"),
 * and the memory reserved in its windows so a device hot-added later fits
 * (DEFAULT_HOTPLUG_MMIO_SIZE, DEFAULT_HOTPLUG_MMIO_PREF_SIZE).
 */
#define SIM_BLADE_HP_BUS_SIZE 1
#define SIM_BLADE_HP_MMIO_SIZE (2ULL << 20)
#define SIM_BLADE_HP_PREF_SIZE (2ULL << 20)

/* Longest a function may answer CRS before the scan gives up on it. */
#define SIM_BLADE_CRS_TIMEOUT_MS 1000u

/* Host config read of @len (1, 2, 4) bytes; all ones when nothing answers. */
uint32_t sim_blade_cfg_rd(struct sim_blade *b, uint16_t rid, uint16_t reg,
			  unsigned len);
/* Host config write; silently lost when nothing answers (as on hardware). */
void sim_blade_cfg_wr(struct sim_blade *b, uint16_t rid, uint16_t reg,
		      unsigned len, uint32_t val);

/* A capability-walker reader over the host's config view of @rid. */
struct sim_blade_reader {
	struct fab_cfg_reader r;
	struct sim_blade *b;
	uint16_t rid;
};

void sim_blade_reader_init(struct sim_blade_reader *br, struct sim_blade *b,
			   uint16_t rid);

struct sim_clock *sim_blade_clock(struct sim_blade *b);
bool sim_blade_ignores_removal(const struct sim_blade *b);
/* Append a hot-plug record stamped with the current virtual time. */
void sim_blade_hp_log(struct sim_blade *b, uint16_t port_rid, uint16_t dev_rid,
		      enum sim_hp_action action);

/*
 * MSI vectors.  An MSI is a 4-byte memory write into the MSI window whose
 * data low byte is the vector; the handler registered for that vector runs
 * in the link's receive path, so it must not issue requests itself (defer
 * work to the clock).
 */
typedef void sim_blade_msi_fn(void *arg);

/* Returns 0 with *vector set, or -FM_ENOSPC when every vector is taken. */
int sim_blade_msi_alloc(uint8_t *vector, struct sim_blade *b,
			sim_blade_msi_fn *fn, void *arg, struct fm_err *err);
void sim_blade_msi_free(struct sim_blade *b, uint8_t vector);

/*
 * The state of a scan that a function answering CRS interrupts.  Linux
 * waits 1, 2, 4 ... ms between reads of the Vendor ID and gives up once
 * the next wait would pass the timeout (pci_bus_wait_crs()); a scan here
 * stops instead and is started again after the wait, so this remembers
 * the wait in progress and the functions already given up on.
 */
#define SIM_BLADE_CRS_GIVEUP_MAX 16

struct sim_blade_crs {
	uint16_t rid;	   /* the function being waited for */
	uint32_t delay_ms; /* its next wait; 0 when no wait is in progress */
	uint16_t gave_up[SIM_BLADE_CRS_GIVEUP_MAX];
	unsigned ngave_up;
};

void sim_blade_crs_init(struct sim_blade_crs *crs);

/*
 * Enumerate what is below the hot-plug port @port_rid (device 0 of its
 * secondary bus and anything below it), give it bus numbers within the
 * port's range and memory within the port's windows, program and enable
 * it, add it to the device list and log SIM_HP_DEV_ADDED per function.
 * Returns 0 when done, or 0 with *retry_ns set when a function answered
 * CRS (call again after that long, with the same @crs); -FM_ENOENT when
 * no function answered, -FM_ESTATE when the port is not enumerated,
 * -FM_ENOMEM.
 */
int sim_blade_slot_scan(uint64_t *retry_ns, struct sim_blade *b,
			uint16_t port_rid, struct sim_blade_crs *crs,
			struct fm_err *err);
/*
 * Forget every function below @port_rid, deepest first, logging
 * SIM_HP_DEV_REMOVED for each.  A @safe removal first clears Bus Master
 * Enable of each function that still answers, as Linux does before it
 * lets go of a device.
 */
void sim_blade_slot_remove(struct sim_blade *b, uint16_t port_rid, bool safe);
/* True when the host has any function below @port_rid. */
bool sim_blade_slot_occupied(const struct sim_blade *b, uint16_t port_rid);

/*
 * pciehp.c: the hot-plug driver of one port.  Probing enables the port's
 * MSI and slot events and takes the slot over; removing stops every timer
 * and frees the vector without touching the hardware (the host is going
 * away or resetting).
 */
struct sim_pciehp;

int sim_pciehp_probe(struct sim_pciehp **out, struct sim_blade *b,
		     uint16_t port_rid, struct fm_err *err);
void sim_pciehp_remove(struct sim_pciehp *hp);

#endif
