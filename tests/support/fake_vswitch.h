/* SPDX-License-Identifier: MIT */
/*
 * fake_vswitch.h - what the switch firmware will present to a host, faked
 * for blade tests: a link partner for a root port that looks like a PCIe
 * switch from above.
 *
 *   root port --link-- upstream bridge (PCI_EXP_TYPE_UPSTREAM), 00.0 on
 *                      the root port's secondary bus
 *                        |
 *                      downstream bridges (PCI_EXP_TYPE_DOWNSTREAM), one
 *                      per slot, device number = slot, on the upstream
 *                      bridge's secondary bus
 *                        |
 *                      a device in each slot (optional), cabled by its own
 *                      sim_link: a sim_ep, a fake_mfd, anything with a port
 *
 * Each downstream bridge is a hot-plug slot: Slot Capabilities with
 * Hot-Plug Capable, Attention Button, Power Controller and Power
 * Indicator; ARI Forwarding supported; an MSI capability.  Slot Control
 * writes are commands that complete (Command Completed) after desc.cmd_ns;
 * the power controller really gates the slot's link; presence, link and
 * button events set their Slot Status bits and send the MSI the host
 * programmed, following r6.0 6.7.3.4 (one message each time an enabled
 * event bit rises while Hot-Plug Interrupt Enable is set).
 *
 * Routing is a real bridge's: config requests by bus number (type 1
 * become type 0 on the slot's secondary bus, where only device 0 answers
 * unless ARI Forwarding is enabled), memory requests by the bridges'
 * windows with Memory Space Enable, and requests from a device (DMA, its
 * MSIs) go upstream when Bus Master Enable allows.  Requester IDs are
 * translated between the host's bus numbers and the bus the device was
 * built on (dev_bus), as the real switch's tables will.
 *
 * Ownership: the fake owns its slot links; the test owns the devices and
 * the upstream link, and frees the upstream link before the fake.
 */
#ifndef MRFABRIC_TESTS_FAKE_VSWITCH_H
#define MRFABRIC_TESTS_FAKE_VSWITCH_H

#include "sim/sim_int.h"

#define FAKE_VSWITCH_MAX_SLOTS 8
/* Slot Control writes remembered per slot (the oldest are kept). */
#define FAKE_VSWITCH_CTL_LOG 64

/* Config layout of the fake's bridges. */
#define FAKE_VSWITCH_CAP_EXP 0x40 /* PCI Express capability */
#define FAKE_VSWITCH_CAP_MSI 0x80 /* MSI, 64-bit (downstream bridges) */

struct fake_vswitch_desc {
	unsigned nslots; /* downstream bridges, 1..FAKE_VSWITCH_MAX_SLOTS */
	uint16_t vendor; /* IDs of every bridge */
	uint16_t device;
	uint64_t cmd_ns; /* Command Completed this long after a command */
	struct sim_link_desc link; /* of the links to slot devices */
};

struct fake_vswitch;

int fake_vswitch_new(struct fake_vswitch **out, struct sim_clock *clk,
		     const struct fake_vswitch_desc *desc, struct fm_err *err);
/* Frees the slot links (the devices stay the test's). */
void fake_vswitch_free(struct fake_vswitch *vs);
/* The upstream port: cable it to a root port. */
struct sim_port *fake_vswitch_port(struct fake_vswitch *vs);

/*
 * Put the device whose link end is @dev (answering config requests at
 * physical bus @dev_bus) into @slot: presence detected (Presence Detect
 * Changed).  With @powered the slot is powered at once, as platform
 * firmware does for cards present before the host boots; otherwise power
 * is the host's decision.  The link trains while the slot is powered.
 * Returns 0, -FM_ERANGE for a bad slot, -FM_EBUSY when occupied.
 */
int fake_vswitch_insert(struct fake_vswitch *vs, unsigned slot,
			struct sim_port *dev, uint8_t dev_bus, bool powered,
			struct fm_err *err);
/* Surprise removal: presence lost and link down at once. */
void fake_vswitch_pull(struct fake_vswitch *vs, unsigned slot);
/* Press the slot's attention button. */
void fake_vswitch_press_button(struct fake_vswitch *vs, unsigned slot);

/* Test controls (faults and oddities). */
/* Command Completed never arrives on @slot while @broken. */
void fake_vswitch_set_cmd_broken(struct fake_vswitch *vs, unsigned slot,
				 bool broken);
/* The link of @slot never trains while @broken. */
void fake_vswitch_set_link_broken(struct fake_vswitch *vs, unsigned slot,
				  bool broken);
/*
 * Config requests to the device in @slot complete with CRS until @ns
 * after its link next comes up.
 */
void fake_vswitch_set_crs(struct fake_vswitch *vs, unsigned slot, uint64_t ns);
/*
 * A non-compliant bridge: pass type 0 requests for every device number
 * of its secondary bus to the device, not just device 0.
 */
void fake_vswitch_set_any_device(struct fake_vswitch *vs, unsigned slot,
				 bool any);

/* Observation. */
bool fake_vswitch_slot_powered(const struct fake_vswitch *vs, unsigned slot);
bool fake_vswitch_slot_occupied(const struct fake_vswitch *vs, unsigned slot);
/* Slot Control now, and the writes the host made, oldest first. */
uint16_t fake_vswitch_slot_ctl(const struct fake_vswitch *vs, unsigned slot);
unsigned fake_vswitch_slot_ctl_writes(const struct fake_vswitch *vs,
				      unsigned slot);
uint16_t fake_vswitch_slot_ctl_write(const struct fake_vswitch *vs,
				     unsigned slot, unsigned index);
/* MSIs the slot sent. */
unsigned fake_vswitch_slot_msis(const struct fake_vswitch *vs, unsigned slot);
/* Read a bridge's config space as the host last left it (slot -1: upstream). */
uint32_t fake_vswitch_cfg(const struct fake_vswitch *vs, int slot, uint16_t off,
			  unsigned len);

/*
 * fake_mfd: a multi-function device with config space only: @nfn
 * functions, each a PCIe endpoint with one 32-bit BAR of @bar_size bytes
 * (0: none) whose memory reads as zero and ignores writes.  With @ari the
 * functions are numbered 0..nfn-1 through an ARI capability chain (up to
 * 256); without, 0..nfn-1 (up to 8) with the multi-function bit, and like
 * an old device it ignores the device number of a type 0 request.
 */
#define FAKE_MFD_VENDOR 0x1b36
#define FAKE_MFD_DEVICE 0x000d
#define FAKE_MFD_CLASS 0x020000

struct fake_mfd;

int fake_mfd_new(struct fake_mfd **out, unsigned nfn, bool ari,
		 uint64_t bar_size, struct fm_err *err);
void fake_mfd_free(struct fake_mfd *m);
struct sim_port *fake_mfd_port(struct fake_mfd *m);
/* Config requests received, and those naming a device number other than 0. */
unsigned fake_mfd_cfg_requests(const struct fake_mfd *m);
unsigned fake_mfd_cfg_requests_dev_nonzero(const struct fake_mfd *m);

#endif
