/* SPDX-License-Identifier: MIT */
/*
 * chassis_int.h - the chassis as the builder, the dumps and mrfabric-sim
 * see it: what the description said (names, cables, physical bus numbers)
 * next to the objects built from it.  Private to sim/.
 */
#ifndef MRFABRIC_SIM_CHASSIS_INT_H
#define MRFABRIC_SIM_CHASSIS_INT_H

#include <stddef.h>

#include "sim/sim_int.h"

/* schemas/chassis.schema.json, embedded by CMake (see sim/CMakeLists.txt). */
extern const char mrfabric_chassis_schema[];
extern const size_t mrfabric_chassis_schema_len;

/* One switch port as described, indexed by its port number. */
struct sim_ch_port {
	uint8_t kind;	   /* enum fab_port_kind */
	uint8_t width;	   /* port link capability */
	uint8_t speed;	   /* PCI_EXP_LNKCAP_SLS encoding */
	int blade;	   /* upstream: index of the blade cabled here, or -1 */
	int ep;		   /* downstream: index of the endpoint, or -1 */
	int peer_switch;   /* fabric: index of the peer switch, or -1 */
	uint8_t peer_port; /* fabric: port number on the peer */
	uint8_t sec_bus;   /* the port bridge's secondary..subordinate bus */
	uint8_t sub_bus;   /* range; downstream: covers the endpoint's VFs */
};

struct sim_ch_switch {
	struct sim_switch *sw; /* NULL until built */
	struct sim_switch_desc desc;
	unsigned nports;
	struct sim_ch_port *ports; /* nports entries, by port number */
	struct sim_switch_port_desc *port_descs;
};

struct sim_ch_blade {
	struct sim_blade *b; /* NULL until built */
	struct sim_blade_desc desc;
	int sw; /* switch and port its root port is cabled to */
	unsigned port;
};

struct sim_ch_ep {
	struct sim_ep *ep; /* NULL until built */
	struct sim_ep_desc desc;
	int sw; /* switch and downstream port it is cabled to */
	unsigned port;
	uint8_t bus; /* physical bus of the PF in the switch's domain */
};

struct sim_chassis {
	char name[32];
	struct sim_clock *clk;
	bool powered;
	unsigned nblades;
	unsigned nswitches;
	unsigned neps;
	unsigned nlinks;
	struct sim_ch_blade *blades;
	struct sim_ch_switch *switches;
	struct sim_ch_ep *eps;
	struct sim_link **links; /* nlinks built cables */
};

/* Chassis name from the description (borrowed). */
const char *sim_chassis_name(const struct sim_chassis *ch);

/*
 * Virtual time a link takes from the start of training to DL_Active at
 * @speed (PCI_EXP_LNKCAP_SLS encoding); see chassis.c for the figures.
 */
uint64_t sim_chassis_train_ns(uint8_t speed);

/* "2.5GT/s" ... "64GT/s" for a PCI_EXP_LNKCAP_SLS encoding, "?" if none. */
const char *sim_chassis_speed_name(uint8_t speed);

#endif
