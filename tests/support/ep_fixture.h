/* SPDX-License-Identifier: MIT */
/*
 * ep_fixture.h - an endpoint device on the virtual clock, cabled to a
 * t_fake_port that plays the switch downstream port, for the endpoint
 * tests (tests/sim/test_endpoint.c, test_sriov.c, test_flr.c).  Tests
 * drive the device only through TLPs and the public sim_ep/sim_fn calls.
 */
#ifndef MRFABRIC_TESTS_EP_FIXTURE_H
#define MRFABRIC_TESTS_EP_FIXTURE_H

#include "tests/support/fake_port.h"

#define T_EP_BUS 0x10
#define T_EP_TRAIN_NS (20 * FAB_NS_PER_MS)
#define T_EP_VENDOR 0x8086
#define T_EP_DEVICE 0x1572
#define T_EP_VF_DEVICE 0x154c
#define T_EP_CLASS 0x020000 /* Ethernet controller */

/*
 * The reference NIC of t_ep_desc_nic():
 *   BAR0 64-bit 128 KiB, BAR2 32-bit 16 KiB, BAR3 64-bit prefetchable 1 MiB;
 *   64 VFs at First VF Offset 0x10, VF Stride 1;
 *   VF BAR0 64-bit prefetchable 16 KiB, VF BAR2 32-bit 8 KiB per VF.
 * t_ep_assign() places them at these addresses:
 */
#define T_EP_BAR0_ADDR 0x200000000ULL
#define T_EP_BAR0_SIZE 0x20000ULL
#define T_EP_BAR2_ADDR 0xc0000000ULL
#define T_EP_BAR2_SIZE 0x4000ULL
#define T_EP_BAR3_ADDR 0x300000000ULL
#define T_EP_BAR3_SIZE 0x100000ULL
#define T_EP_VFBAR0_ADDR 0x400000000ULL
#define T_EP_VFBAR0_SIZE 0x4000ULL
#define T_EP_VFBAR2_ADDR 0xd0000000ULL
#define T_EP_VFBAR2_SIZE 0x2000ULL
#define T_EP_TOTAL_VFS 64
#define T_EP_VF_OFFSET 0x10
#define T_EP_VF_STRIDE 1

struct t_ep {
	struct sim_clock *clk;
	struct sim_ep *ep;
	struct t_fake_port fp;
	uint16_t pf; /* PF routing ID */
	/* capability offsets found by walking the PF's list */
	uint16_t pm, msi, exp, ari, sriov;
};

/* The reference NIC described above. */
struct sim_ep_desc t_ep_desc_nic(void);
/* A plain endpoint (no SR-IOV) with one 32-bit 4 KiB BAR0. */
struct sim_ep_desc t_ep_desc_plain(void);

/*
 * Build @desc at T_EP_BUS on a new clock, cable and train it, and find
 * the PF's capabilities.  Asserts on failure.
 */
void t_ep_init(struct t_ep *t, const struct sim_ep_desc *desc);
void t_ep_fini(struct t_ep *t);

/* Config access to function @rid through the fake port. */
uint32_t t_ep_rd(struct t_ep *t, uint16_t rid, uint16_t reg, unsigned len);
/* Write and assert the completion is successful. */
void t_ep_wr(struct t_ep *t, uint16_t rid, uint16_t reg, unsigned len,
	     uint32_t val);
/* Offset of standard / extended capability @id of @rid, 0 if absent. */
uint16_t t_ep_find_cap(struct t_ep *t, uint16_t rid, uint8_t id);
uint16_t t_ep_find_ecap(struct t_ep *t, uint16_t rid, uint16_t id);

/* Program the PF BARs (and VF BARs) at the addresses above, set MSE. */
void t_ep_assign(struct t_ep *t);
/* NumVFs = @n, then VF Enable and VF MSE; asserts @n VFs appeared. */
void t_ep_enable_vfs(struct t_ep *t, unsigned n);
/* Routing ID the SR-IOV capability gives VF @i (0-based). */
uint16_t t_ep_vf_rid(struct t_ep *t, unsigned i);

#endif
