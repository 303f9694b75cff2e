/* SPDX-License-Identifier: MIT */
/*
 * switch_fixture.h - a switch on the virtual clock with test-side link
 * partners, for the switch silicon tests (tests/sim/test_switch*.c).
 *
 * Layout of t_sw_init(): port 0 and 1 upstream (blade partners), 2 and 3
 * downstream (device partners), 4 fabric (uncabled; t_sw_cable_fabric()
 * links two switches), 5 downstream with no cable.  Ports 0-3 are cabled
 * and trained, and every chip event is recorded.
 */
#ifndef MRFABRIC_TESTS_SWITCH_FIXTURE_H
#define MRFABRIC_TESTS_SWITCH_FIXTURE_H

#include "sim/sim_int.h"

#define T_SW_PORTS 6
#define T_SW_CABLED 4
#define T_SW_FABRIC 4
#define T_SW_EMPTY 5
#define T_SW_TRAIN_NS (50 * FAB_NS_PER_MS)
#define T_SW_MAX_EVENTS 64
#define T_SW_VENDOR 0x11f8
#define T_SW_DEVICE 0x4052

/*
 * A link partner that records what reaches it.  Config reads complete
 * with cfg_value; memory lands in (and is read from) mem[] at addr modulo
 * its size.
 */
struct t_partner {
	struct sim_port port;
	unsigned rx;	     /* requests received */
	struct fab_tlp last; /* the last request received */
	uint32_t cfg_value;  /* what config reads return */
	uint16_t completer;  /* completer ID of its completions */
	unsigned ups, downs, resets;
	uint8_t mem[4096];
};

void t_partner_init(struct t_partner *p);
/* Send @req to the partner's link peer; returns enum sim_rx_result. */
int t_partner_send(struct t_partner *p, const struct fab_tlp *req,
		   struct fab_tlp *cpl);

struct t_sw {
	struct sim_clock *clk;
	bool own_clk;
	struct sim_switch *sw;
	struct fab_chip *chip;
	const struct fab_chip_ops *ops;
	struct t_partner part[T_SW_CABLED];
	struct sim_link *link[T_SW_CABLED];
	struct sim_link *fabric_link; /* shared with fabric_peer */
	struct t_sw *fabric_peer;
	struct fab_chip_event ev[T_SW_MAX_EVENTS];
	unsigned nev;
};

/*
 * Build the layout above on @clk (NULL: a clock of its own), with
 * @flash_path (may be NULL).  Asserts on failure.
 */
void t_sw_init(struct t_sw *t, struct sim_clock *clk, const char *name,
	       const char *flash_path);
void t_sw_fini(struct t_sw *t);
/*
 * Cable @a's fabric port to @b's and train the link; whichever of the two
 * is finished first frees the link.
 */
void t_sw_cable_fabric(struct t_sw *a, struct t_sw *b);
/* Number of recorded events of @type. */
unsigned t_sw_events(const struct t_sw *t, enum fab_chip_event_type type);
/* The last recorded event of @type, or NULL. */
const struct fab_chip_event *t_sw_last_event(const struct t_sw *t,
					     enum fab_chip_event_type type);
/* Counters of @port, from port_status. */
struct fab_port_counters t_sw_counters(struct t_sw *t, unsigned port);

#endif
