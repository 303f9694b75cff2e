/* SPDX-License-Identifier: MIT */
/*
 * chip.h - the chip HAL: everything switch firmware may do to switch
 * silicon, as one ops table (like pciutils' struct pci_methods).  sim/
 * implements it over the simulated silicon; a real chip would implement it
 * over its register map.  switchfw/ uses only this.
 *
 * Ports are numbered 0..nports-1 per chip.  Forwarding tables belong to an
 * ingress port and are consulted for TLPs arriving on it:
 *
 *   config requests: type 0 -> the port's type-0 route; type 1 -> the route
 *                    for the target RID if set, else the route for its bus,
 *                    else none.  A TRAP route hands the request to the trap
 *                    handler (firmware); FORWARD sends it out of the egress
 *                    port with the target RID rewritten.
 *   memory requests: the window containing the address; the address is
 *                    rewritten to target_base + (addr - base).
 *   requests from functions (DMA, MSI) arriving on downstream ports: the
 *                    RID route of the requester ID; the requester ID is
 *                    rewritten so the receiving host understands it.
 *
 * A request that matches nothing is an isolation violation: posted ones
 * are dropped, non-posted ones complete with Unsupported Request, the
 * ingress port's counters count it and an event is raised.
 */
#ifndef MRFABRIC_FABRIC_CHIP_H
#define MRFABRIC_FABRIC_CHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fm.h"
#include "pcie.h"

struct fab_chip;

enum fab_port_kind {
	FAB_PORT_UPSTREAM = 0, /* cabled to a host root port */
	FAB_PORT_DOWNSTREAM,   /* cabled to an endpoint device */
	FAB_PORT_FABRIC,       /* link to another switch */
};

struct fab_chip_info {
	char name[32];
	uint16_t vendor;
	uint16_t device;
	unsigned nports;
	uint64_t flash_size; /* bytes of configuration flash */
};

struct fab_port_info {
	uint8_t kind;	   /* enum fab_port_kind */
	uint8_t max_width; /* lanes */
	uint8_t max_speed; /* PCI_EXP_LNKCAP_SLS encoding: 1=2.5GT/s .. 6=64GT/s */
	uint8_t peer_port; /* FAB_PORT_FABRIC: port number on the peer chip */
	int peer_chip;	   /* FAB_PORT_FABRIC: peer chip index, else -1 */
	/*
	 * FAB_PORT_DOWNSTREAM: the physical bus range behind the port; the
	 * device on it answers type-0 config requests at sec_bus:00.x (and
	 * its VFs at the RIDs SR-IOV gives them, up to sub_bus).
	 */
	uint8_t sec_bus;
	uint8_t sub_bus;
	char label[32]; /* e.g. "blade3", "nic0" */
};

/* Per-port counters; they only grow. */
struct fab_port_counters {
	uint64_t tlp_in;
	uint64_t tlp_out;
	uint64_t dropped;    /* posted requests that matched no route */
	uint64_t ur;	     /* non-posted requests completed with UR */
	uint64_t trapped;    /* config requests handed to firmware */
	uint64_t link_downs; /* transitions from up to down */
};

struct fab_port_status {
	bool up;       /* data link layer active */
	bool training; /* link training in progress */
	bool enabled;  /* not disabled by port control */
	uint8_t width; /* negotiated lanes, 0 when down */
	uint8_t speed; /* negotiated speed, 0 when down */
	struct fab_port_counters counters;
};

enum fab_port_ctl {
	FAB_PORT_CTL_DISABLE = 0, /* take the link down and keep it down */
	FAB_PORT_CTL_ENABLE,	  /* allow the link to train */
	FAB_PORT_CTL_RETRAIN,	  /* retrain: down, then up after training */
	FAB_PORT_CTL_RESET,	  /* hot reset the device/host on the link */
};

enum fab_cfg_route_kind {
	FAB_ROUTE_NONE = 0, /* no route: isolation violation */
	FAB_ROUTE_TRAP,	    /* hand to the trap handler (firmware) */
	FAB_ROUTE_FORWARD,  /* send out of egress_port */
};

struct fab_cfg_route {
	uint8_t kind; /* enum fab_cfg_route_kind */
	uint8_t egress_port;
	bool egress_type1;   /* FORWARD: emit as type 1 (to another switch) */
	uint16_t target_rid; /* FORWARD: target RID on the egress side */
};

struct fab_mem_window {
	uint64_t base; /* host-side address, as the ingress side sees it */
	uint64_t size; /* bytes, > 0 */
	uint8_t egress_port;
	uint64_t target_base; /* address on the egress side */
};

struct fab_rid_route {
	uint8_t kind; /* FAB_ROUTE_NONE or FAB_ROUTE_FORWARD */
	uint8_t egress_port;
	uint16_t new_requester; /* requester ID as the egress side sees it */
};

enum fab_chip_event_type {
	FAB_CHIP_EV_LINK_UP = 0,
	FAB_CHIP_EV_LINK_DOWN,
	FAB_CHIP_EV_VIOLATION, /* a request matched no route */
	FAB_CHIP_EV_RESET,     /* hot reset received on an upstream port */
};

struct fab_chip_event {
	uint8_t type; /* enum fab_chip_event_type */
	uint8_t port;
	uint8_t tlp_type;    /* VIOLATION: enum fab_tlp_type */
	uint16_t requester;  /* VIOLATION: requester ID of the request */
	uint16_t cfg_target; /* VIOLATION: config target RID */
	uint64_t addr;	     /* VIOLATION: memory address */
	uint64_t time_ns;    /* virtual time of the event */
};

/*
 * Firmware callbacks.  The trap handler answers a config request aimed at
 * a virtual bridge: for a read it fills @cpl (fab_tlp_complete() and the
 * value), for a write it fills @cpl with the completion status.  It runs
 * synchronously inside the forwarding call and may call back into the
 * chip (send TLPs, change routes).
 */
typedef void fab_chip_trap_fn(void *ctx, unsigned ingress_port,
			      const struct fab_tlp *req, struct fab_tlp *cpl);
typedef void fab_chip_event_fn(void *ctx, const struct fab_chip_event *ev);
typedef void fab_chip_timer_fn(void *arg);

/*
 * The HAL.  Every operation returns 0 or a negative -FM_E* code with @err
 * filled (bad port number -> -FM_ERANGE, table full -> -FM_ENOSPC,
 * overlapping window -> -FM_EEXIST, missing entry -> -FM_ENOENT).
 */
struct fab_chip_ops {
	int (*get_info)(struct fab_chip *chip, struct fab_chip_info *info);
	int (*port_info)(struct fab_chip *chip, unsigned port,
			 struct fab_port_info *info, struct fm_err *err);
	int (*port_status)(struct fab_chip *chip, unsigned port,
			   struct fab_port_status *st, struct fm_err *err);
	int (*port_control)(struct fab_chip *chip, unsigned port,
			    enum fab_port_ctl ctl, struct fm_err *err);

	/*
	 * Config access to the switch's own physical bridge of @port
	 * (link control/status, slot registers of the physical port).
	 */
	int (*port_cfg_read)(struct fab_chip *chip, unsigned port, uint16_t reg,
			     unsigned len, uint32_t *val, struct fm_err *err);
	int (*port_cfg_write)(struct fab_chip *chip, unsigned port,
			      uint16_t reg, unsigned len, uint32_t val,
			      struct fm_err *err);

	/*
	 * Config request out of downstream @port to physical @rid (type 0).
	 * *status is the completion status; a read of a function that does
	 * not answer gives FAB_CPL_UR and *val all ones.
	 */
	int (*cfg_read)(struct fab_chip *chip, unsigned port, uint16_t rid,
			uint16_t reg, unsigned len, uint32_t *val,
			uint8_t *status, struct fm_err *err);
	int (*cfg_write)(struct fab_chip *chip, unsigned port, uint16_t rid,
			 uint16_t reg, unsigned len, uint32_t val,
			 uint8_t *status, struct fm_err *err);

	/* Forwarding tables (see the top of this file). */
	int (*cfg_route_type0)(struct fab_chip *chip, unsigned port,
			       const struct fab_cfg_route *route,
			       struct fm_err *err);
	int (*cfg_route_bus)(struct fab_chip *chip, unsigned port, uint8_t bus,
			     const struct fab_cfg_route *route,
			     struct fm_err *err);
	int (*cfg_route_rid)(struct fab_chip *chip, unsigned port, uint16_t rid,
			     const struct fab_cfg_route *route,
			     struct fm_err *err);
	int (*mem_window_add)(struct fab_chip *chip, unsigned port,
			      const struct fab_mem_window *w,
			      struct fm_err *err);
	int (*mem_window_del)(struct fab_chip *chip, unsigned port,
			      uint64_t base, struct fm_err *err);
	int (*rid_route)(struct fab_chip *chip, unsigned port,
			 uint16_t requester, const struct fab_rid_route *route,
			 struct fm_err *err);

	/* Firmware hooks; NULL uninstalls. */
	void (*set_trap_handler)(struct fab_chip *chip, fab_chip_trap_fn *fn,
				 void *ctx);
	void (*set_event_handler)(struct fab_chip *chip, fab_chip_event_fn *fn,
				  void *ctx);

	/*
	 * Emit a TLP generated by firmware (a virtual bridge's MSI or message)
	 * out of @port towards its link partner.  Posted TLPs only.
	 */
	int (*send)(struct fab_chip *chip, unsigned port,
		    const struct fab_tlp *tlp, struct fm_err *err);

	/* Time: nanoseconds; timers fire once. Timer id 0 is never used. */
	uint64_t (*now)(struct fab_chip *chip);
	uint64_t (*timer_start)(struct fab_chip *chip, uint64_t delay_ns,
				fab_chip_timer_fn *fn, void *arg);
	bool (*timer_cancel)(struct fab_chip *chip, uint64_t id);

	/* Configuration flash, flash_size bytes. */
	int (*flash_read)(struct fab_chip *chip, uint64_t off, void *buf,
			  size_t len, struct fm_err *err);
	int (*flash_write)(struct fab_chip *chip, uint64_t off, const void *buf,
			   size_t len, struct fm_err *err);
};

/* A chip handle: implementations embed this and use FM_CONTAINER_OF. */
struct fab_chip {
	const struct fab_chip_ops *ops;
};

#endif
