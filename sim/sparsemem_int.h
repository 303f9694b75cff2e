/* SPDX-License-Identifier: MIT */
/*
 * sparsemem_int.h - sparse byte-addressed memory for the simulator: pages
 * of SIM_SPARSE_PAGE_SIZE bytes allocated on first write, bytes never
 * written read as zero.  It backs endpoint BARs, so a large BAR on each of
 * thousands of VFs costs nothing until something is written there; any
 * other simulated memory (host RAM, device buffers) may use it the same
 * way.
 *
 * Pages are 256 bytes, not 4 KiB: every access the fabric makes is one
 * TLP of at most FAB_TLP_MAX_DATA (64) bytes, and a device's registers
 * and doorbells sit in a few bytes of each BAR.  With 4 KiB pages, a few
 * bytes touched on each of 16,384 VFs spread over 16,384 CPU pages, and
 * every request missed the TLB (bench_forward: 1.5x slower end to end);
 * small pages keep the touched bytes dense in the heap.
 *
 * The first SIM_SPARSE_NEAR pages a memory gets are held in the struct
 * itself, so a memory that uses only a few pages (a function's register
 * page, its doorbells) is reached without touching anything but the
 * struct and the page; later pages are found through an open-addressing
 * hash of page numbers, so every access is O(1) whatever the address.
 * Not thread-safe (the simulator runs on one thread).
 */
#ifndef MRFABRIC_SIM_SPARSEMEM_INT_H
#define MRFABRIC_SIM_SPARSEMEM_INT_H

#include <stddef.h>
#include <stdint.h>

#include "fabric/fm.h"

#define SIM_SPARSE_PAGE_SHIFT 8 /* 256-byte pages, see above */
#define SIM_SPARSE_PAGE_SIZE (1u << SIM_SPARSE_PAGE_SHIFT)
/* Pages held in the struct before the hash is used. */
#define SIM_SPARSE_NEAR 2

/* One page: its number and its SIM_SPARSE_PAGE_SIZE bytes (NULL: free). */
struct sim_sparse_ent {
	uint64_t key;
	uint8_t *page;
};

/*
 * Zero-initialised (or sim_sparse_init()) means empty.  The fields are
 * private to sparsemem.c.  48 bytes on a 64-bit host, so that a struct
 * embedding it can keep it in one cache line with its own hot fields
 * (struct sim_fn does).
 */
struct sim_sparse {
	struct sim_sparse_ent near[SIM_SPARSE_NEAR]; /* first pages written */
	struct sim_sparse_ent *tab; /* the other pages; cap slots */
	uint32_t cap;		    /* slots, a power of two; 0: no table */
	uint32_t nhash;		    /* pages in tab */
};

void sim_sparse_init(struct sim_sparse *m);
/* Free every page: the memory reads as zero again.  Safe on empty memory. */
void sim_sparse_fini(struct sim_sparse *m);

/* Copy @len bytes at @addr into @buf; unwritten bytes read as zero. */
void sim_sparse_read(const struct sim_sparse *m, uint64_t addr, void *buf,
		     size_t len);
/*
 * Store @len bytes of @buf at @addr, allocating the pages touched.
 * Returns 0, or -FM_ENOMEM (with nothing written) when a page or the
 * index could not be allocated.  @addr + @len must not wrap past 2^64.
 */
int sim_sparse_write(struct sim_sparse *m, uint64_t addr, const void *buf,
		     size_t len);

/* Pages currently allocated. */
uint32_t sim_sparse_pages(const struct sim_sparse *m);
/* Heap bytes held: pages plus the index. */
uint64_t sim_sparse_bytes(const struct sim_sparse *m);

#endif
