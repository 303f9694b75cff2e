/* SPDX-License-Identifier: MIT */
/*
 * sim_int.h - private interfaces between the simulator's parts: link
 * ports and links, the config space model, and the constructors the
 * chassis builder uses.  Nothing outside sim/ includes this (tests may,
 * for fakes only).
 *
 * TLP delivery is synchronous: a request crosses links and the switch in
 * one call chain, and a non-posted request returns its completion in the
 * same call.  Silicon latency (~150 ns) is far below every spec wait, so
 * it is not modelled; spec waits run on the virtual clock.
 */
#ifndef MRFABRIC_SIM_SIM_INT_H
#define MRFABRIC_SIM_SIM_INT_H

#include "sim.h"

/* ---------------------------------------------------------------------
 * Link ports and links.
 */
enum sim_rx_result {
	SIM_RX_ACCEPTED = 0, /* posted request consumed */
	SIM_RX_COMPLETED,    /* non-posted request: *cpl filled */
	SIM_RX_DROPPED,	     /* posted request dropped */
};

struct sim_port;

struct sim_port_ops {
	/*
	 * A request arrives from the link.  A non-posted request must fill
	 * *cpl and return SIM_RX_COMPLETED; a posted one returns ACCEPTED or
	 * DROPPED.
	 */
	int (*rx)(struct sim_port *port, const struct fab_tlp *req,
		  struct fab_tlp *cpl);
	/* The link went up or down (optional). */
	void (*link_event)(struct sim_port *port, bool up);
	/* The partner sent a hot reset (optional). */
	void (*hot_reset)(struct sim_port *port);
};

/* One end of a link; embedded in the object that owns the port. */
struct sim_port {
	const struct sim_port_ops *ops;
	struct sim_link *link;
	void *owner;
};

struct sim_link_desc {
	uint8_t width;	   /* lanes both ends support */
	uint8_t speed;	   /* PCI_EXP_LNKCAP_SLS encoding */
	uint64_t train_ns; /* virtual time from training start to DL_Active */
};

struct sim_link;

/* Cable @a to @b.  Both ports must be unconnected.  Starts down. */
int sim_link_new(struct sim_link **out, struct sim_clock *clk,
		 struct sim_port *a, struct sim_port *b,
		 const struct sim_link_desc *desc, struct fm_err *err);
void sim_link_free(struct sim_link *link);

/* Start training; the link is up train_ns later unless disabled. */
void sim_link_train(struct sim_link *link);
/* Take the link down now (both ends get link_event(false)). */
void sim_link_down(struct sim_link *link);
/* A disabled link stays down; enabling starts training. */
void sim_link_set_enabled(struct sim_link *link, bool enabled);
/* Hot reset from @from's side: link down, partner's hot_reset, retrain. */
void sim_link_hot_reset(struct sim_link *link, struct sim_port *from);

bool sim_link_is_up(const struct sim_link *link);
bool sim_link_is_training(const struct sim_link *link);
bool sim_link_is_enabled(const struct sim_link *link);
uint8_t sim_link_width(const struct sim_link *link); /* 0 when down */
uint8_t sim_link_speed(const struct sim_link *link); /* 0 when down */
struct sim_port *sim_link_peer(const struct sim_link *link,
			       const struct sim_port *port);

/*
 * Send a request from @from to its link partner.  With no link or a link
 * that is down, a non-posted request completes with UR and a posted one
 * is dropped.  Returns enum sim_rx_result.
 */
int sim_port_tx(struct sim_port *from, const struct fab_tlp *req,
		struct fab_tlp *cpl);

/* ---------------------------------------------------------------------
 * Config space: 4 KiB of bytes plus masks, as hardware has them.  Masks
 * are shared by every function of the same kind.
 */
struct sim_cfg_masks {
	uint8_t wmask[FAB_PCI_CFG_SPACE_EXP_SIZE];   /* writable bits */
	uint8_t w1cmask[FAB_PCI_CFG_SPACE_EXP_SIZE]; /* write-1-to-clear bits */
};

struct sim_cfg {
	uint8_t *bytes;			   /* 4096; may be shared, see below */
	const uint8_t *reset_bytes;	   /* power-on image (shared) */
	const struct sim_cfg_masks *masks; /* shared, never NULL */
	bool shared; /* bytes is reset_bytes: copy on write */
};

/*
 * Start @cfg as a copy-on-write view of @reset_bytes with @masks (both
 * borrowed; they must outlive @cfg).
 */
void sim_cfg_init(struct sim_cfg *cfg, const uint8_t *reset_bytes,
		  const struct sim_cfg_masks *masks);
void sim_cfg_fini(struct sim_cfg *cfg);
/* Back to the power-on image (frees a private copy). */
void sim_cfg_reset(struct sim_cfg *cfg);
/* Read @len (1/2/4) bytes at @off; caller checked alignment. */
uint32_t sim_cfg_read(const struct sim_cfg *cfg, uint16_t off, unsigned len);
/*
 * Write with hardware semantics: bytes take (old & ~wmask) | (val & wmask),
 * then bits set in val and w1cmask clear.  Returns -FM_ENOMEM if the
 * private copy could not be made.
 */
int sim_cfg_write(struct sim_cfg *cfg, uint16_t off, unsigned len,
		  uint32_t val);
/* Device-side update ignoring masks (status bits the device sets). */
int sim_cfg_poke(struct sim_cfg *cfg, uint16_t off, unsigned len, uint32_t val);

/* ---------------------------------------------------------------------
 * Constructors the chassis builder uses.
 */

/* Endpoint: answers at bus @bus (PF at bus:00.0, VFs after it). */
int sim_ep_new(struct sim_ep **out, struct sim_clock *clk,
	       const struct sim_ep_desc *desc, uint8_t bus, struct fm_err *err);
void sim_ep_free(struct sim_ep *ep);
struct sim_port *sim_ep_port(struct sim_ep *ep);
/* Last bus any VF may occupy (for the downstream port's bus range). */
uint8_t sim_ep_last_bus(const struct sim_ep *ep);
/* Read a function's config space as the fabric dump shows it. */
uint32_t sim_fn_cfg_read(const struct sim_fn *fn, uint16_t off, unsigned len);

struct sim_switch_port_desc {
	uint8_t kind; /* enum fab_port_kind */
	uint8_t width;
	uint8_t speed;
	char label[32];
};

struct sim_switch_desc {
	char name[32];
	uint16_t vendor;
	uint16_t device;
	unsigned nports;
	const struct sim_switch_port_desc *ports;
	uint64_t flash_size;
	const char *flash_path; /* NULL: flash kept in memory */
};

int sim_switch_new(struct sim_switch **out, struct sim_clock *clk,
		   const struct sim_switch_desc *desc, struct fm_err *err);
void sim_switch_free(struct sim_switch *sw);
struct sim_port *sim_switch_port(struct sim_switch *sw, unsigned port);
/* Physical bus range behind a downstream port (set by the chassis). */
void sim_switch_set_port_buses(struct sim_switch *sw, unsigned port,
			       uint8_t sec_bus, uint8_t sub_bus);
/* Peer of a fabric port (set by the chassis). */
void sim_switch_set_port_peer(struct sim_switch *sw, unsigned port,
			      int peer_chip, uint8_t peer_port);
/* The physical bridge's config space of @port (for the fabric dump). */
uint32_t sim_switch_port_cfg_read(const struct sim_switch *sw, unsigned port,
				  uint16_t off, unsigned len);

struct sim_blade_desc {
	char name[32];
	uint16_t rp_vendor; /* root port IDs */
	uint16_t rp_device;
	uint8_t link_width;
	uint8_t link_speed;
	uint64_t mmio_base; /* 32-bit MMIO aperture for non-prefetchable BARs */
	uint64_t mmio_size;
	uint64_t pref_base; /* 64-bit prefetchable aperture */
	uint64_t pref_size;
};

int sim_blade_new(struct sim_blade **out, struct sim_clock *clk,
		  const struct sim_blade_desc *desc, struct fm_err *err);
void sim_blade_free(struct sim_blade *b);
struct sim_port *sim_blade_port(struct sim_blade *b);
/*
 * Boot: wait for the root port link (up to 1 s of virtual time) and
 * enumerate, as firmware and the OS do at power-on.
 */
void sim_blade_boot(struct sim_blade *b);

#endif
