/* SPDX-License-Identifier: MIT */
/*
 * fake_port.h - a test-side link partner.  A struct t_fake_port is a
 * struct sim_port that a test cables to the device under test (an
 * endpoint, a switch port, a blade's root port) to act as the other end
 * of the link: it sends config and memory requests as a host or switch
 * would, and records every request the device sends to it (DMA, MSI,
 * messages), answering non-posted ones as told.
 *
 * Usage:
 *	struct t_fake_port fp;
 *	t_fake_port_init(&fp);
 *	t_fake_port_connect(&fp, clk, sim_ep_port(ep), &link_desc, NULL);
 *	t_fake_port_cfg_read(&val, &fp, rid, PCI_VENDOR_ID, 2);
 *	...
 *	t_fake_port_fini(&fp);  // before the device is freed
 *
 * Everything runs synchronously on the caller's thread.
 */
#ifndef MRFABRIC_TESTS_FAKE_PORT_H
#define MRFABRIC_TESTS_FAKE_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "fabric/cfg.h"
#include "sim/sim_int.h"

struct t_fake_port;

/*
 * Optional override of how the fake answers a request it receives (after
 * recording it): fill @cpl for a non-posted request and return an enum
 * sim_rx_result, as struct sim_port_ops.rx does.
 */
typedef int t_fake_port_rx_fn(struct t_fake_port *fp, const struct fab_tlp *req,
			      struct fab_tlp *cpl);

struct t_fake_port {
	struct sim_port port;  /* cable this to the device's port */
	struct sim_link *link; /* made by t_fake_port_connect(), else NULL */
	uint16_t rid;	       /* requester/completer ID it uses (0000) */
	uint8_t tag;	       /* tag of the next request it sends */

	/* Default answers to non-posted requests it receives. */
	uint8_t np_status; /* completion status (FAB_CPL_SC) */
	uint8_t rd_fill;   /* every data byte of a successful read (0) */
	t_fake_port_rx_fn *rx_hook; /* replaces the defaults when set */
	void *rx_ctx;		    /* for rx_hook's use */

	/* What it saw; read through the accessors below. */
	struct fab_tlp *rx; /* received requests, oldest first (owned) */
	unsigned nrx;
	unsigned rx_cap;
	unsigned link_ups;
	unsigned link_downs;
	unsigned hot_resets; /* hot resets the device sent to it */
};

/* Start with the defaults above, uncabled. */
void t_fake_port_init(struct t_fake_port *fp);
/* Free the link made by t_fake_port_connect() and the records. */
void t_fake_port_fini(struct t_fake_port *fp);

/*
 * Cable @fp to @dev with a link of @desc, train it and run @clk for
 * desc->train_ns so the link is up on return (other due events run too).
 * The fake owns the link.  Returns 0, the error of sim_link_new(), or
 * -FM_EIO when the link did not come up.
 */
int t_fake_port_connect(struct t_fake_port *fp, struct sim_clock *clk,
			struct sim_port *dev, const struct sim_link_desc *desc,
			struct fm_err *err);

/*
 * Send @req to the link partner; *cpl gets the completion of a non-posted
 * request.  Returns enum sim_rx_result.
 */
int t_fake_port_send(struct fab_tlp *cpl, struct t_fake_port *fp,
		     const struct fab_tlp *req);

/*
 * Type 0 config read of @len (1, 2, 4) bytes at @reg of function @rid.
 * Returns the completion status (enum fab_cpl_status), or -FM_EINVAL for
 * a bad length or offset.  *val gets the data, or all ones (what a host
 * sees) when the status is not successful.
 */
int t_fake_port_cfg_read(uint32_t *val, struct t_fake_port *fp, uint16_t rid,
			 uint16_t reg, unsigned len);
/* Type 0 config write; returns the completion status or -FM_EINVAL. */
int t_fake_port_cfg_write(struct t_fake_port *fp, uint16_t rid, uint16_t reg,
			  unsigned len, uint32_t val);
/* The value of a type 0 config read (all ones unless it succeeded). */
uint32_t t_fake_port_cfg_value(struct t_fake_port *fp, uint16_t rid,
			       uint16_t reg, unsigned len);

/*
 * Memory read of @len (1..FAB_TLP_MAX_DATA) bytes at @addr.  Returns the
 * completion status or -FM_EINVAL; @buf gets the data, or all ones when
 * the status is not successful.
 */
int t_fake_port_mem_read(void *buf, struct t_fake_port *fp, uint64_t addr,
			 unsigned len);
/*
 * Memory write (posted).  Returns SIM_RX_ACCEPTED or SIM_RX_DROPPED as the
 * device reported it, or -FM_EINVAL for a bad length.
 */
int t_fake_port_mem_write(struct t_fake_port *fp, uint64_t addr,
			  const void *buf, unsigned len);

/* A config reader (for fab_cfg_find_cap() & co.) of function @rid. */
struct t_fake_port_fn {
	struct t_fake_port *fp;
	uint16_t rid;
};

/* Fill @r to read through @fn (borrowed; must outlive @r). */
void t_fake_port_reader_init(struct fab_cfg_reader *r,
			     struct t_fake_port_fn *fn);

/* Requests received from the device, oldest first. */
unsigned t_fake_port_rx_count(const struct t_fake_port *fp);
/* Request @i (borrowed, valid until the next receive or clear), or NULL. */
const struct fab_tlp *t_fake_port_rx_tlp(const struct t_fake_port *fp,
					 unsigned i);
/* Forget the received requests. */
void t_fake_port_rx_clear(struct t_fake_port *fp);

#endif
