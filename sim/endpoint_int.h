/* SPDX-License-Identifier: MIT */
/*
 * endpoint_int.h - private interface between the endpoint model's files:
 * endpoint.c (the device on its link: TLPs, config dispatch, memory, FLR,
 * DMA) and sriov.c (the config-space images and the SR-IOV capability:
 * VF Enable, VF RIDs, VF BAR decode).  Nothing outside sim/ includes this
 * except tests, for sim_ep_footprint().
 *
 * Memory model: every function kind (the PF, and all VFs of that PF) has
 * one power-on image and one mask set, owned by the struct sim_ep.  Each
 * function's struct sim_cfg starts as a copy-on-write view of its kind's
 * image, so an untouched VF costs only its struct sim_fn.  The VF structs
 * are allocated once (TotalVFs of them) when the device is created; VF
 * Enable only initialises them, VF disable scrubs them.
 */
#ifndef MRFABRIC_SIM_ENDPOINT_INT_H
#define MRFABRIC_SIM_ENDPOINT_INT_H

#include "sim/sim_int.h"
#include "sim/sparsemem_int.h"

/*
 * Config space layout of every simulated endpoint function.  The PF has
 * all of it; a VF has MSI, PCIe and ARI at the same offsets (its
 * capability list starts at MSI); SR-IOV devices alone have ARI/SR-IOV.
 */
#define SIM_EP_CAP_PM 0x40	/* Power Management, PCI_PM_SIZEOF bytes */
#define SIM_EP_CAP_MSI 0x50	/* MSI, 64-bit address, one vector */
#define SIM_EP_CAP_EXP 0x70	/* PCI Express capability, version 2 */
#define SIM_EP_ECAP_ARI 0x100	/* ARI */
#define SIM_EP_ECAP_SRIOV 0x140 /* SR-IOV, 0x40 bytes */

/* SR-IOV Supported Page Sizes (SR-IOV 1.1 3.3.12): 4K 8K 64K 256K 1M 4M */
#define SIM_EP_SRIOV_PAGE_SIZES 0x553u
/* System Page Size bit n means pages of 2^(12 + n) bytes; power-on: bit 0 */
#define SIM_EP_SRIOV_PAGE_SHIFT 12

/* Largest BAR the model accepts (also the sparse memory split per BAR). */
#define SIM_EP_BAR_MAX_SHIFT 56

/* A request held outstanding by sim_fn_hold_transactions(). */
struct sim_ep_hold {
	struct sim_fn *fn;
	struct sim_ep_hold *next;
	uint64_t event; /* clock event that completes it */
};

/*
 * One function.  The first cache line holds all a memory request reads
 * or writes (the memory index, the counter, FLR state, the RID for the
 * completion), so at 16,384 VFs a request touches one line of its
 * function plus the data; the rest is cold.  Arrays of it are allocated
 * 64-byte aligned (sim_ep_new()).
 */
struct sim_fn {
	_Alignas(64) struct sim_sparse mem; /* BAR memory, BAR in bits 56+ */
	uint64_t mem_requests;
	uint16_t rid;
	uint16_t index; /* VF index (0-based); 0 for the PF */
	uint8_t tag;	/* next DMA read tag */
	bool is_vf;
	bool present; /* PF: always; VF: while VF Enable set and in range */
	bool in_flr;
	/* second line: config space, FLR timer, held requests */
	struct sim_ep *ep;
	struct sim_cfg cfg;
	struct sim_ep_hold *holds; /* Transactions Pending while non-empty */
	uint64_t flr_event;	   /* pending end of FLR, 0 if none */
	uint64_t flr_count;
};

/* A PF or VF BAR the device implements. */
struct sim_ep_bar {
	uint64_t size; /* PF: bytes; VF: bytes per VF after the page size */
	uint8_t slot;  /* BAR number 0..5 (the low half of a 64-bit BAR) */
	uint8_t shift; /* log2(size) */
	bool mem64;
};

/*
 * A BAR as memory requests decode it right now: its base address from
 * config space, with the size of struct sim_ep_bar.  For a VF BAR, VF i
 * owns [base + i * size, base + (i + 1) * size).
 */
struct sim_ep_win {
	uint64_t base;
	uint64_t size;
	uint8_t slot;
	uint8_t shift;
};

/*
 * The decode cache (struct sim_ep npf_win ... vf_win): the BARs that
 * decode memory now, so a memory request costs arithmetic and no config
 * read.  It is derived from the PF's Command (Memory Space Enable), PMCSR
 * (D0), BARs, SR-IOV Control (VF MSE), VF BARs, System Page Size (VF BAR
 * sizes) and the number of enabled VFs, and is refreshed by
 * sim_ep_decode_refresh() whenever one of them may have changed: after a
 * PF config write touching one of them (endpoint.c lists the registers),
 * after a device reset (PF FLR, hot reset), and (the VF half) when VFs
 * are enabled or disabled.  VF config writes never change it: a VF's
 * BARs and Memory Space Enable are read-only zero.
 */
struct sim_ep {
	struct sim_port port; /* the device's upstream port */
	struct sim_fn *vfs;   /* desc.total_vfs entries */
	unsigned num_vfs;     /* VFs enabled (0 while VF Enable is clear) */
	unsigned npf_win;     /* 0 while PF memory decode is off */
	unsigned nvf_win;     /* 0 while VF memory decode is off */
	struct sim_ep_win pf_win[6];
	struct sim_ep_win vf_win[6];
	struct sim_clock *clk;
	struct sim_ep_desc desc;
	uint8_t bus;
	uint8_t last_bus;
	struct sim_fn pf;
	struct sim_ep_bar bars[6];
	unsigned nbars;
	struct sim_ep_bar vf_bars[6]; /* sizes follow System Page Size */
	unsigned nvf_bars;
	uint8_t pf_image[FAB_PCI_CFG_SPACE_EXP_SIZE];
	uint8_t vf_image[FAB_PCI_CFG_SPACE_EXP_SIZE];
	struct sim_cfg_masks pf_masks; /* per device: VF BAR masks change */
	struct sim_cfg_masks vf_masks;
	/*
	 * sim_fn_inject_flr_hang(): functions whose FLR never completes, bit
	 * 0 the PF, bit 1 + i VF i (kept out of the hot struct sim_fn).
	 */
	uint64_t flr_hang[(SIM_MAX_VFS + 1 + 63) / 64];
};

/* Config register hook: runs after a write touched [off, off + len). */
typedef void sim_ep_reg_hook_fn(struct sim_fn *fn, uint32_t old, uint32_t val);

struct sim_ep_reg_hook {
	uint16_t off;
	uint8_t len; /* 2 or 4 */
	sim_ep_reg_hook_fn *fn;
};

/* epimage.c: the power-on images. */

/*
 * Build the PF and VF power-on images and masks from ep->desc, ep->bars
 * and ep->vf_bars.
 */
void sim_ep_build_images(struct sim_ep *ep);
/*
 * Make the memory BAR at @off size itself as @size bytes in masks @m: the
 * address bits below @size and the type bits read-only.  A 64-bit BAR
 * also covers the upper dword at @off + 4.
 */
void sim_ep_bar_masks(struct sim_cfg_masks *m, uint16_t off, uint64_t size,
		      bool mem64);

/* sriov.c: SR-IOV state and VF lookup. */
/* PF register hooks of the SR-IOV capability (the table is in sriov.c). */
extern const struct sim_ep_reg_hook sim_sriov_hooks[];
extern const unsigned sim_sriov_nhooks;
/*
 * Recompute VF BAR sizes and masks from the System Page Size now in the
 * PF config space (SR-IOV 1.1 3.3.13: VF BARs are aligned to it).
 */
void sim_sriov_apply_page_size(struct sim_ep *ep);
/* Remove every VF: scrub their state and memory.  Safe with none. */
void sim_sriov_disable(struct sim_ep *ep);
/* The enabled VF answering at @rid, or NULL. */
struct sim_fn *sim_sriov_vf_by_rid(struct sim_ep *ep, uint16_t rid);
/*
 * Fill the VF half of the decode cache (nvf_win, vf_win) from the PF's
 * SR-IOV capability: none unless VFs are enabled and VF MSE is set.
 */
void sim_sriov_decode_refresh(struct sim_ep *ep);
/* VF @i's RID: PF RID + First VF Offset + i * VF Stride. */
uint16_t sim_sriov_vf_rid(const struct sim_ep *ep, unsigned i);

/* endpoint.c: function state shared with sriov.c. */

/* Rebuild the whole decode cache from config space (see struct sim_ep). */
void sim_ep_decode_refresh(struct sim_ep *ep);

/* Set up @fn as a freshly reset function of its kind's image. */
void sim_fn_setup(struct sim_fn *fn, struct sim_ep *ep, bool is_vf,
		  uint16_t index, uint16_t rid);
/*
 * Scrub a function: cancel its FLR and held requests, free its memory and
 * private config bytes.  The function keeps its config view (reset).
 */
void sim_fn_scrub(struct sim_fn *fn);

/*
 * Heap bytes the device holds: its struct, the VF structs, private config
 * copies, BAR-backed memory pages and pending-request records.  Lets tests
 * and benchmarks prove untouched VFs share their config image.
 */
uint64_t sim_ep_footprint(const struct sim_ep *ep);

#endif
