/* SPDX-License-Identifier: MIT */
/*
 * sparsemem_int.h - sparse byte-addressed memory for the simulator: 4 KiB
 * pages allocated on first write, bytes never written read as zero.  It
 * backs endpoint BARs, so a large BAR on each of thousands of VFs costs
 * nothing until something is written there; any other simulated memory
 * (host RAM, device buffers) may use it the same way.
 *
 * Pages are found through an open-addressing hash of page numbers, so
 * every access is O(1) whatever the address.  Not thread-safe (the
 * simulator runs on one thread).
 */
#ifndef MRFABRIC_SIM_SPARSEMEM_INT_H
#define MRFABRIC_SIM_SPARSEMEM_INT_H

#include <stddef.h>
#include <stdint.h>

#include "fabric/fm.h"

#define SIM_SPARSE_PAGE_SHIFT 12
#define SIM_SPARSE_PAGE_SIZE (1u << SIM_SPARSE_PAGE_SHIFT)

/*
 * Zero-initialised (or sim_sparse_init()) means empty.  The fields are
 * private to sparsemem.c.
 */
struct sim_sparse {
	uint64_t *keys;	 /* page numbers; SIM_SPARSE_EMPTY marks a free slot */
	uint8_t **pages; /* SIM_SPARSE_PAGE_SIZE bytes each */
	uint32_t cap;	 /* slots, a power of two; 0 before the first write */
	uint32_t used;	 /* pages allocated */
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
