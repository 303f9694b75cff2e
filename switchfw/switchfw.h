/* SPDX-License-Identifier: MIT */
/*
 * switchfw.h - the switch firmware: turns switch silicon (reached only
 * through the chip HAL, fabric/chip.h) into one virtual PCIe hierarchy per
 * host-facing upstream port (a partition), and binds functions and VFs of
 * the shared endpoints to those hierarchies.
 *
 * One struct sw_fw drives every chip of one fabric (chips linked by fabric
 * ports).  It runs on the chips' clock (HAL now/timer_*): nothing here
 * blocks or sleeps; long operations (unbind, FLR) finish later and report
 * through the event log.  FMP (switchfw/fmp.h) is the wire form of this
 * API for mgmt/.
 *
 * Names used throughout:
 *   fid        a function of the fabric, packed as SW_FID(chip, port,
 *              index): the downstream @port of @chip holds the device;
 *              index 0 is the PF (or the whole device), index n >= 1 is
 *              VF n (SR-IOV numbering, VF1 is the first).
 *   partition  one per upstream port, numbered in chip then port order.
 *   vPPB       a virtual downstream bridge (hot-plug slot) of a partition,
 *              numbered 0..nvppbs-1.
 */
#ifndef MRFABRIC_SWITCHFW_SWITCHFW_H
#define MRFABRIC_SWITCHFW_SWITCHFW_H

#include <stdbool.h>
#include <stdint.h>

#include "fabric/chip.h"
#include "fabric/fm.h"

#define SW_MAX_CHIPS 16
#define SW_MAX_VPPBS 32 /* vPPBs per partition: one per device number */

#define SW_FID(chip, port, index)                                              \
	((uint32_t)(((uint32_t)(chip) << 24) | ((uint32_t)(port) << 16) |      \
		    ((uint32_t)(index)&0xffff)))
#define SW_FID_CHIP(fid) ((uint8_t)((fid) >> 24))
#define SW_FID_PORT(fid) ((uint8_t)((fid) >> 16))
#define SW_FID_INDEX(fid) ((uint16_t)((fid)&0xffff))
#define SW_FID_NONE 0xffffffffu

struct sw_fw;

struct sw_fw_config {
	unsigned vppbs; /* vPPBs per partition, 1..SW_MAX_VPPBS; 0: 8 */
	/*
	 * Managed unbind: time from the attention button to falling back to
	 * surprise removal when the host has not powered the slot off.  0:
	 * 10 s (Linux needs 5 s of button window plus its removal).
	 */
	uint64_t managed_timeout_ns;
	/* Wait-for-link-down unbind: give up after this.  0: 30 s. */
	uint64_t link_down_timeout_ns;
	/* An FLR still not complete after this is reported.  0: 1 s. */
	uint64_t flr_timeout_ns;
};

enum sw_fn_state {
	SW_FN_FREE = 0,	 /* bindable, reset, no owner */
	SW_FN_BOUND,	 /* bound to a partition's vPPB */
	SW_FN_UNBINDING, /* removal from its host in progress */
	SW_FN_RESETTING, /* FLR in progress; bindable when it completes */
	SW_FN_FAILED,	 /* FLR did not complete: not bindable */
	SW_FN_FABRIC,	 /* owned by the fabric (an SR-IOV PF) */
};

struct sw_fn_info {
	uint32_t fid;
	uint16_t phys_rid; /* physical RID in the chip's domain */
	uint16_t vendor;   /* for a VF: the PF's vendor ID */
	uint16_t device;   /* for a VF: the VF Device ID */
	uint32_t class_code;
	bool is_vf;
	/* SR-IOV PF only */
	uint16_t total_vfs;
	uint16_t num_vfs;
	uint16_t vf_offset;
	uint16_t vf_stride;
	uint16_t vf_device;
	uint8_t state;	   /* enum sw_fn_state */
	int16_t partition; /* owner, -1 if none */
	int16_t vppb;	   /* owner's vPPB, -1 if none */
};

enum sw_vppb_state {
	SW_VPPB_EMPTY = 0, /* nothing bound */
	SW_VPPB_ADDING,	   /* bound; hot-add signalled, host not done yet */
	SW_VPPB_BOUND,	   /* host powered the slot on and the link is up */
	SW_VPPB_REMOVING,  /* unbind in progress */
};

struct sw_vppb_info {
	uint8_t state;	 /* enum sw_vppb_state */
	uint32_t fid;	 /* SW_FID_NONE when empty */
	uint8_t sec_bus; /* host bus number below it, 0 if not assigned */
	bool slot_power; /* host-controlled slot power */
};

struct sw_partition_info {
	unsigned id;
	uint8_t chip;
	uint8_t port;
	bool link_up;
	uint8_t host_bus; /* host bus of the virtual upstream bridge */
	unsigned nvppbs;
	struct sw_vppb_info vppb[SW_MAX_VPPBS];
};

struct sw_identity {
	char name[32];
	uint16_t vendor;
	uint16_t device;
	unsigned nchips;
	unsigned nports; /* all chips */
	unsigned npartitions;
	unsigned nfunctions; /* PFs and VFs */
	unsigned vppbs;	     /* per partition */
	uint32_t fw_version; /* major << 16 | minor */
};

enum sw_unbind_mode {
	SW_UNBIND_MANAGED =
		0, /* attention button; host powers off; timeout -> surprise */
	SW_UNBIND_SURPRISE, /* presence and link drop at once, containment */
	SW_UNBIND_WAIT_LINK_DOWN, /* wait for the host to take the link down */
};

enum sw_event_type {
	SW_EV_BIND = 0,	    /* function bound, hot-add signalled */
	SW_EV_HOST_ENABLED, /* host powered the slot on, link up */
	SW_EV_UNBIND_START,
	SW_EV_MANAGED_FALLBACK, /* host ignored the button: surprise removal */
	SW_EV_UNBIND,		/* function removed from its host */
	SW_EV_FLR_DONE,		/* function reset and free again */
	SW_EV_FLR_TIMEOUT,	/* reset did not complete: function failed */
	SW_EV_LINK_UP,
	SW_EV_LINK_DOWN,
	SW_EV_VIOLATION,  /* isolation: a request matched no binding */
	SW_EV_HOST_RESET, /* a host reset its link */
	SW_EV_CONFIG_SAVED,
	SW_EV_CONFIG_RESTORED,
	SW_EV_UNBIND_FAILED, /* wait-for-link-down ran out */
	SW_EV_TYPE_COUNT
};

struct sw_event {
	uint64_t seq; /* 1, 2, ...; never reused */
	uint64_t time_ns;
	uint16_t type;	   /* enum sw_event_type */
	int16_t partition; /* -1 if none */
	int16_t vppb;	   /* -1 if none */
	uint8_t chip;
	uint8_t port;
	uint32_t fid;	 /* SW_FID_NONE if none */
	uint64_t detail; /* VIOLATION: address or target RID; else 0 */
};

#define SW_EVENT_LOG_SIZE 1024 /* events kept; older ones are overwritten */

/* Called for every event as it is logged (in-process consumers). */
typedef void sw_event_notify_fn(void *ctx, const struct sw_event *ev);

/*
 * Create the firmware for @nchips chips (borrowed, must outlive it).
 * Nothing is touched until sw_fw_start().  Returns 0, -FM_EINVAL for a bad
 * config, -FM_ENOMEM.
 */
int sw_fw_new(struct sw_fw **out, struct fab_chip *const *chips,
	      unsigned nchips, const struct sw_fw_config *cfg,
	      struct fm_err *err);
void sw_fw_free(struct sw_fw *fw);

/*
 * Power-on: discover every chip's ports and endpoints through the HAL,
 * enable each SR-IOV PF's VFs (TotalVFs of them) and assign physical BARs,
 * build one partition per upstream port, install the trap and event
 * handlers, then restore the bindings saved in flash (if any).
 */
int sw_fw_start(struct sw_fw *fw, struct fm_err *err);

void sw_fw_set_notify(struct sw_fw *fw, sw_event_notify_fn *fn, void *ctx);

void sw_fw_identify(struct sw_fw *fw, struct sw_identity *out);

/* Functions in fid order (chip, port, index). */
unsigned sw_fw_function_count(const struct sw_fw *fw);
int sw_fw_function(struct sw_fw *fw, unsigned index, struct sw_fn_info *out,
		   struct fm_err *err);
int sw_fw_function_find(struct sw_fw *fw, uint32_t fid, struct sw_fn_info *out,
			struct fm_err *err);
/* The function at physical @rid of @chip ("dddd:bb:dd.f" of the dump). */
int sw_fw_function_by_rid(uint32_t *fid, struct sw_fw *fw, unsigned chip,
			  uint16_t rid, struct fm_err *err);

unsigned sw_fw_partition_count(const struct sw_fw *fw);
int sw_fw_partition(struct sw_fw *fw, unsigned part,
		    struct sw_partition_info *out, struct fm_err *err);

int sw_fw_port_status(struct sw_fw *fw, unsigned chip, unsigned port,
		      struct fab_port_status *st, struct fm_err *err);
int sw_fw_port_control(struct sw_fw *fw, unsigned chip, unsigned port,
		       enum fab_port_ctl ctl, struct fm_err *err);

/*
 * Bind a free function to vPPB @vppb of partition @part (@vppb < 0: the
 * first empty one; the one used is stored in *vppb_out if not NULL) and
 * run the hot-add sequence towards the host.  Errors: -FM_ENOENT unknown
 * fid or partition, -FM_EEXIST already bound, -FM_EBUSY function
 * unbinding or resetting, -FM_ESTATE function not bindable (an SR-IOV PF,
 * failed), -FM_ENOSPC no empty vPPB.  Nothing changes on error.
 */
int sw_fw_bind(struct sw_fw *fw, uint32_t fid, unsigned part, int vppb,
	       unsigned *vppb_out, struct fm_err *err);

/*
 * Start removing a bound function from its host in @mode; it ends with
 * SW_EV_UNBIND, then an FLR and SW_EV_FLR_DONE (or SW_EV_FLR_TIMEOUT).
 * Errors: -FM_ENOENT, -FM_ESTATE not bound, -FM_EBUSY already unbinding.
 */
int sw_fw_unbind(struct sw_fw *fw, uint32_t fid, enum sw_unbind_mode mode,
		 struct fm_err *err);

/* FLR a free or bound function (a bound one stays bound). */
int sw_fw_reset_function(struct sw_fw *fw, uint32_t fid, struct fm_err *err);

/*
 * Events with seq > @since, oldest first, at most @max.  *overflow is set
 * when events after @since were already overwritten.  Returns the number
 * copied.
 */
unsigned sw_fw_events(struct sw_fw *fw, uint64_t since, struct sw_event *out,
		      unsigned max, bool *overflow);
uint64_t sw_fw_last_event_seq(const struct sw_fw *fw);
const char *sw_event_type_name(enum sw_event_type type);

/* Partition and binding configuration to flash (A/B copies, CRC). */
int sw_fw_save_config(struct sw_fw *fw, struct fm_err *err);
/* Apply the configuration in flash (the newest valid copy). */
int sw_fw_load_config(struct sw_fw *fw, struct fm_err *err);

#endif
