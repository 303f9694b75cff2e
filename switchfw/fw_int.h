/* SPDX-License-Identifier: MIT */
/*
 * fw_int.h - private to the switch firmware core: the objects behind
 * struct sw_fw and the calls between its files.
 *
 *   fw.c      struct sw_fw, struct sw_chip: life cycle, power-on, chip
 *             events, queries, flash save/load
 *   dev.c     struct sw_dev, struct sw_fn: the physical devices found
 *             behind downstream ports, their BARs, SR-IOV and FLR
 *   vcfg.c    virtual config space: bytes plus masks, register hooks, the
 *             Type 1 header both kinds of virtual bridge share
 *   part.c    struct sw_part: a partition, its virtual upstream bridge,
 *             the trapped config requests of its host, bus routes, reset
 *   vppb.c    struct sw_vppb: a virtual downstream bridge, its slot
 *             registers, the hot-plug state machine, its MSI
 *   bind.c    bind/unbind, the bound function as the host sees it
 *             (virtual IDs and BARs, pass-through), windows and RID routes
 *   events.c  the event ring
 *
 * Threading: none.  Everything runs on the chips' clock, called from the
 * HAL's trap, event and timer callbacks or from the public API; the trap
 * and event callbacks may call back into the HAL (it allows that).
 *
 * Ownership: struct sw_fw owns every object here; pointers between them
 * are borrowed and valid until sw_fw_free().
 */
#ifndef MRFABRIC_SWITCHFW_FW_INT_H
#define MRFABRIC_SWITCHFW_FW_INT_H

#include "fabric/cfg.h"
#include "fabric/pcie.h"
#include "switchfw/switchfw.h"

#define SW_FW_VERSION ((1u << 16) | 0u) /* 1.0 */

/* Defaults of struct sw_fw_config (see switchfw.h). */
#define SW_DEF_VPPBS 8
#define SW_DEF_MANAGED_TIMEOUT_NS (10 * FAB_NS_PER_S)
#define SW_DEF_LINK_DOWN_TIMEOUT_NS (30 * FAB_NS_PER_S)
#define SW_DEF_FLR_TIMEOUT_NS FAB_NS_PER_S

/*
 * A vPPB's virtual link trains this long after the slot is powered with a
 * function bound (the physical link of the function is already up; this
 * is the time a real switch takes to bring up its virtual link).
 */
#define SW_VPPB_TRAIN_NS (10 * FAB_NS_PER_MS)
/* After the 100 ms of an FLR, how often to look whether it answers. */
#define SW_FLR_POLL_NS (10 * FAB_NS_PER_MS)

/*
 * Physical address space of each chip's domain, where firmware places the
 * BARs of the devices behind it.  The ranges of different chips never
 * overlap, so a physical address also names its chip on a fabric link.
 */
#define SW_PHYS64_BASE (1ULL << 44)
#define SW_PHYS64_SPAN (1ULL << 40) /* per chip */
#define SW_PHYS32_BASE 0x40000000ULL
#define SW_PHYS32_SPAN 0x08000000ULL /* per chip, below 4 GiB */

/* Config layout of the virtual bridges. */
#define SW_VBR_EXP 0x40	 /* PCI Express capability, version 2 */
#define SW_VBR_MSI 0x80	 /* MSI, 64-bit, one vector (vPPBs) */
#define SW_VBR_ACS 0x100 /* ACS extended capability (vPPBs) */
#define SW_VBR_SIZE FAB_PCI_CFG_SPACE_EXP_SIZE

/* Bytes of a bound function's header that firmware answers itself. */
#define SW_VHDR_SIZE 0x40

struct sw_fw;
struct sw_chip;
struct sw_dev;
struct sw_fn;
struct sw_part;
struct sw_vppb;

/* ---------------------------------------------------------------------
 * Virtual config space (vcfg.c).
 */

/* Write masks shared by every bridge of one kind. */
struct sw_vmasks {
	uint8_t wmask[SW_VBR_SIZE]; /* writable bits */
	uint8_t w1c[SW_VBR_SIZE];   /* write-1-to-clear bits */
};

/* Runs after a write touched the register [off, off + len). */
typedef void sw_vcfg_hook_fn(void *obj, uint32_t old, uint32_t val);

struct sw_vcfg_hook {
	uint16_t off;
	uint8_t len; /* 1, 2 or 4 */
	sw_vcfg_hook_fn *fn;
};

uint32_t sw_vcfg_read(const uint8_t *cfg, uint16_t off, unsigned len);
/* A device-side update that ignores the masks (status bits, IDs). */
void sw_vcfg_set(uint8_t *cfg, uint16_t off, unsigned len, uint32_t val);
void sw_vmask_set(struct sw_vmasks *m, uint16_t off, unsigned len,
		  uint32_t wmask, uint32_t w1c);
/*
 * A host write with hardware semantics: (old & ~wmask) | (val & wmask),
 * then write-1-to-clear; then the hook of every register the write
 * touched, with its old and new value.  @off/@len were checked by the
 * TLP builder (aligned, below 4096).
 */
void sw_vcfg_write(uint8_t *cfg, const struct sw_vmasks *m, uint16_t off,
		   unsigned len, uint32_t val, const struct sw_vcfg_hook *hooks,
		   unsigned nhooks, void *obj);

/* The Type 1 header both virtual bridges share (PCI-PCI Bridge r1.2). */
void sw_vcfg_bridge_masks(struct sw_vmasks *m);
void sw_vcfg_bridge_header(uint8_t *cfg, uint16_t vendor, uint16_t device);
/*
 * The PCI Express capability at SW_VBR_EXP of @type (Upstream or
 * Downstream Port) with link @speed/@width and Port Number @port.
 */
void sw_vcfg_exp_cap(uint8_t *cfg, struct sw_vmasks *m, uint8_t type,
		     uint8_t speed, uint8_t width, uint8_t port, uint8_t next);
/*
 * Does the bridge forward [addr, addr + size) from its primary side:
 * Memory Space Enable and the range inside its memory or prefetchable
 * window.
 */
bool sw_vcfg_bridge_claims(const uint8_t *cfg, uint64_t addr, uint64_t size);
uint8_t sw_vcfg_sec_bus(const uint8_t *cfg);
uint8_t sw_vcfg_sub_bus(const uint8_t *cfg);

/* ---------------------------------------------------------------------
 * Physical devices and functions (dev.c).
 */

/* A BAR as firmware placed it. */
struct sw_bar {
	uint64_t size; /* bytes (VF BARs: per VF); 0 when not implemented */
	uint64_t phys; /* address (VF BARs: of VF1's part) */
	bool mem64;
	bool prefetch;
};

struct sw_fn {
	struct sw_dev *dev;
	struct sw_vppb *vppb; /* owner while BOUND or UNBINDING */
	uint32_t fid;
	uint16_t index; /* 0: the PF; n: VF n */
	uint16_t rid;	/* physical, in the chip's domain */
	uint8_t state;	/* enum sw_fn_state */
	bool in_flr;	/* an FLR firmware knows of is in progress */
	bool announce;	/* log SW_EV_FLR_DONE / SW_EV_FLR_TIMEOUT */
	uint64_t flr_start;
	uint64_t flr_timer;
};

struct sw_dev {
	struct sw_chip *chip;
	uint8_t port;
	uint8_t sec_bus; /* the port's physical bus range */
	uint8_t sub_bus;
	bool present;	  /* found behind a link that is up */
	bool placed;	  /* BARs have physical addresses */
	bool whole_bound; /* the SR-IOV PF is bound whole: VFs disabled */
	uint16_t vendor;
	uint16_t device;
	uint32_t class_code;
	uint16_t exp_pf; /* PCI Express capability of the PF */
	uint16_t exp_vf; /* ... of the VFs */
	uint16_t sriov;	 /* SR-IOV capability, 0 when none */
	bool flr_pf;	 /* Function Level Reset capable */
	bool flr_vf;
	uint16_t total_vfs;
	uint16_t num_vfs; /* VFs firmware enables (TotalVFs) */
	uint16_t vf_offset;
	uint16_t vf_stride;
	uint16_t vf_device;
	struct sw_bar bar[6];
	struct sw_bar vf_bar[6];
	unsigned nfns;	  /* 1 + num_vfs entries of fn */
	struct sw_fn *fn; /* fn[0] the PF, fn[n] VF n */
};

/*
 * Find the device behind the port and bring it up: size and place its
 * BARs, enable its VFs.  Called when the port's link comes up.  Returns
 * 0 (also for an empty port), -FM_ENOMEM, -FM_ENOSPC (no room for BARs).
 */
int sw_dev_discover(struct sw_dev *dev, struct fm_err *err);
/* The port's link went down: surprise-remove its bound functions. */
void sw_dev_lost(struct sw_dev *dev);
/*
 * Put the PF back as firmware keeps it after a reset: BARs, and unless
 * it is bound whole, System Page Size, ARI, VFs with memory decode.
 */
int sw_dev_program(struct sw_dev *dev, struct fm_err *err);
/* Disable the VFs (the PF is about to be bound whole). */
int sw_dev_vfs_disable(struct sw_dev *dev, struct fm_err *err);
void sw_dev_fini(struct sw_dev *dev);

struct sw_fn *sw_dev_fn_by_rid(struct sw_dev *dev, uint16_t rid);
/* The BAR layout the function has (PF BARs or VF BARs). */
const struct sw_bar *sw_fn_bars(const struct sw_fn *fn);
/* Physical address of BAR @k of the function. */
uint64_t sw_fn_bar_phys(const struct sw_fn *fn, unsigned k);
/* PCI Express capability offset of the function. */
uint16_t sw_fn_exp(const struct sw_fn *fn);
bool sw_fn_flr_capable(const struct sw_fn *fn);
/* Config access to the function through its chip's HAL. */
int sw_fn_cfg_read(const struct sw_fn *fn, uint16_t reg, unsigned len,
		   uint32_t *val, uint8_t *status);
int sw_fn_cfg_write(const struct sw_fn *fn, uint16_t reg, unsigned len,
		    uint32_t val, uint8_t *status);
/*
 * Start an FLR firmware oversees (r6.0 6.6.2): initiate it, then after
 * 100 ms poll until the function answers or flr_timeout_ns passed.  With
 * @initiate false the host already wrote Initiate FLR through the
 * pass-through; firmware only follows it.  A bound function stays bound;
 * a free or failed one is RESETTING until it answers.  @announce logs
 * the outcome.  Returns 0 or -FM_ENOMEM (no timer).
 */
int sw_fn_flr_start(struct sw_fn *fn, bool initiate, bool announce);
/* Forget a pending FLR (the device went away). */
void sw_fn_flr_cancel(struct sw_fn *fn);

/* ---------------------------------------------------------------------
 * Virtual downstream bridges (vppb.c).
 */

/* Hot-plug events of a vPPB's slot state machine. */
enum sw_hp_event {
	SW_HP_BIND = 0,	      /* a function was bound to the slot */
	SW_HP_POWER_ON,	      /* host: Power Controller Control on */
	SW_HP_POWER_OFF,      /* host: Power Controller Control off */
	SW_HP_LINK_DISABLE,   /* host: Link Control Link Disable set */
	SW_HP_LINK_ENABLE,    /* host: Link Disable cleared */
	SW_HP_TRAINED,	      /* the virtual link finished training */
	SW_HP_UNBIND_MANAGED, /* sw_fw_unbind() modes */
	SW_HP_UNBIND_SURPRISE,
	SW_HP_UNBIND_WAIT,
	SW_HP_TIMEOUT,	/* the unbind mode's timer ran out */
	SW_HP_DEV_LOST, /* the function's device went away */
	SW_HP_EVENT_COUNT
};

/* A memory window firmware installed for one BAR. */
struct sw_win {
	uint64_t base; /* host address (on the partition's upstream port) */
	uint64_t size;
	uint64_t phys; /* the BAR's physical address */
	bool on;
};

struct sw_vppb {
	struct sw_part *part;
	unsigned index;
	uint8_t state;	     /* enum sw_vppb_state */
	uint8_t unbind_mode; /* enum sw_unbind_mode while REMOVING */
	bool link_up;	  /* the virtual link (Data Link Layer Link Active) */
	bool in_cmd;	  /* a Slot Control command is being handled */
	struct sw_fn *fn; /* bound function, NULL when empty */
	uint64_t train_timer;
	uint64_t unbind_timer;
	uint8_t cfg[SW_VBR_SIZE];
	/* the bound function as the host sees it (bind.c) */
	uint8_t vhdr[SW_VHDR_SIZE]; /* IDs, BARs, ROM BAR */
	uint16_t vcmd;		    /* Command as the host last wrote it */
	struct sw_win win[6];
	bool rid_on;	   /* RID route installed */
	uint16_t rid_host; /* ... giving the function this host RID */
};

void sw_vppb_init(struct sw_vppb *v, struct sw_part *part, unsigned index);
/* Back to power-on state; a bound slot is powered and starts training. */
void sw_vppb_reset(struct sw_vppb *v);
/* Cancel the vPPB's timers. */
void sw_vppb_stop(struct sw_vppb *v);
/* A config request to the vPPB itself (trapped). */
void sw_vppb_cfg(struct sw_vppb *v, const struct fab_tlp *req,
		 struct fab_tlp *cpl);
/* Feed the slot state machine. */
void sw_vppb_event(struct sw_vppb *v, enum sw_hp_event ev);
bool sw_vppb_powered(const struct sw_vppb *v);
uint8_t sw_vppb_sec_bus(const struct sw_vppb *v);
/* Host RID of a vPPB's own function: its device on the vUSP's bus. */
uint16_t sw_vppb_self_rid(const struct sw_vppb *v);

/* ---------------------------------------------------------------------
 * Binding (bind.c).
 */

/* Attach @fn to @v as the host will see it (vhdr, no routes yet). */
void sw_bind_attach(struct sw_vppb *v, struct sw_fn *fn);
/*
 * Detach the function (tables first), log SW_EV_UNBIND, then reset it:
 * an FLR, or with @lost (its device went away) straight to FAILED.
 */
void sw_bind_detach(struct sw_vppb *v, bool lost);
/* A config request to the bound function (trapped below the vPPB). */
void sw_bind_fn_cfg(struct sw_vppb *v, const struct fab_tlp *req,
		    struct fab_tlp *cpl);
/*
 * Make the silicon tables match the host's view: a window per BAR the
 * host decodes through every bridge above it, the RID route while both
 * bridges let the function master.  Call after anything they depend on
 * changed.
 */
void sw_bind_sync(struct sw_vppb *v);
/*
 * The state reported for @fn: a VF of a PF bound whole is held by the
 * fabric (SW_FN_FABRIC) whatever its own state.
 */
uint8_t sw_fn_reported_state(const struct sw_fn *fn);
/* Remove every table entry of the binding. */
void sw_bind_teardown(struct sw_vppb *v);
/* The function was reset: its BARs and Command read as after reset. */
void sw_bind_fn_reset(struct sw_vppb *v);

/* ---------------------------------------------------------------------
 * Partitions (part.c).
 */

struct sw_part {
	struct sw_fw *fw;
	struct sw_chip *chip;
	unsigned id;
	uint8_t port;
	bool link_up;
	uint8_t host_bus; /* bus the host reaches the vUSP on (captured) */
	uint8_t cfg[SW_VBR_SIZE]; /* the virtual upstream bridge */
	uint8_t bus_trap[256];	  /* buses routed to TRAP on the port */
	unsigned nvppbs;
	struct sw_vppb *vppb;
};

int sw_part_init(struct sw_part *p, struct sw_chip *chip, uint8_t port,
		 unsigned id, struct fm_err *err);
void sw_part_fini(struct sw_part *p);
/*
 * Firmware stops: every table entry the partition installed is removed,
 * so the silicon forwards nothing on its behalf any more.
 */
void sw_part_shutdown(struct sw_part *p);
/*
 * The host reset its link (hot reset, link down): the whole virtual
 * hierarchy goes back to power-on state, removals in progress complete,
 * bound functions are reset and announced again.
 */
void sw_part_reset(struct sw_part *p);
/* Route exactly the buses of the virtual hierarchy to TRAP. */
void sw_part_sync_buses(struct sw_part *p);
/* Re-sync the tables of every binding (a vUSP register changed). */
void sw_part_sync_all(struct sw_part *p);
/* The host's link came up. */
void sw_part_link_up(struct sw_part *p);
/* The HAL trap handler (ctx: struct sw_chip). */
void sw_part_trap(void *ctx, unsigned ingress_port, const struct fab_tlp *req,
		  struct fab_tlp *cpl);
/* Upstream port MSI (a posted TLP) towards the host; false if not sent. */
bool sw_part_send(struct sw_part *p, const struct fab_tlp *tlp);
bool sw_part_bus_master(const struct sw_part *p);

/* ---------------------------------------------------------------------
 * The firmware (fw.c) and its event ring (events.c).
 */

struct sw_chip {
	struct sw_fw *fw;
	struct fab_chip *hal;
	unsigned index;
	struct fab_chip_info info;
	struct fab_port_info *port;  /* info.nports */
	struct sw_dev **dev;	     /* per port: downstream ports only */
	struct sw_part **part;	     /* per port: upstream ports only */
	int fabric_to[SW_MAX_CHIPS]; /* fabric port to chip j, or -1 */
	uint64_t next64, end64;	     /* physical BAR allocators */
	uint64_t next32, end32;
};

struct sw_fw {
	struct sw_fw_config cfg;
	unsigned nchips;
	struct sw_chip chip[SW_MAX_CHIPS];
	bool started;
	unsigned nparts;
	struct sw_part *parts;
	struct sw_vmasks usp_masks;
	struct sw_vmasks ppb_masks;
	/* bindings read from flash whose device has not shown up yet */
	struct sw_fw_pending *pending;
	unsigned npending;
	/* events */
	struct sw_event ring[SW_EVENT_LOG_SIZE];
	uint64_t seq; /* of the last event logged */
	sw_event_notify_fn *notify;
	void *notify_ctx;
};

/* A binding waiting for its function to be discovered. */
struct sw_fw_pending {
	uint32_t fid;
	uint16_t partition;
	uint16_t vppb;
};

/* HAL shortcuts. */
uint64_t sw_chip_now(const struct sw_chip *c);
uint64_t sw_chip_timer(struct sw_chip *c, uint64_t ns, fab_chip_timer_fn *fn,
		       void *arg);
void sw_chip_timer_cancel(struct sw_chip *c, uint64_t *id);

struct sw_fn *sw_fw_fn_find(struct sw_fw *fw, uint32_t fid);
/* Bindings from flash for functions of @dev that is now present. */
void sw_fw_apply_pending(struct sw_fw *fw, struct sw_dev *dev);
/*
 * Forget waiting bindings that a new binding replaces: of @fid, or to
 * vPPB @vppb of partition @part.
 */
void sw_fw_pending_drop(struct sw_fw *fw, uint32_t fid, unsigned part,
			unsigned vppb);

/* Log an event (seq and time filled in) and tell the notify callback. */
void sw_event_log(struct sw_fw *fw, enum sw_event_type type, int partition,
		  int vppb, unsigned chip, unsigned port, uint32_t fid,
		  uint64_t detail);
/* Shorthands for events about a function or a vPPB. */
void sw_event_fn(struct sw_fw *fw, enum sw_event_type type,
		 const struct sw_fn *fn);

#endif
