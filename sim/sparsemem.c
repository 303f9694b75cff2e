/* SPDX-License-Identifier: MIT */
/*
 * sparsemem.c - sparse memory: pages on first write, zero elsewhere.
 *
 * The index is an open-addressing hash table with linear probing, keyed
 * by page number (Fibonacci hashing), kept at most half full.  Pages are
 * never freed one by one: memory is cleared as a whole (FLR, VF disable),
 * so the table needs no tombstones.
 */
#include "sim/sparsemem_int.h"

#include <stdlib.h>
#include <string.h>

/* Page numbers are at most 2^52, so this never names a real page. */
#define SIM_SPARSE_EMPTY UINT64_MAX
#define SIM_SPARSE_MIN_CAP 8u

void sim_sparse_init(struct sim_sparse *m)
{
	memset(m, 0, sizeof(*m));
}

void sim_sparse_fini(struct sim_sparse *m)
{
	for (uint32_t i = 0; i < m->cap; i++)
		if (m->keys[i] != SIM_SPARSE_EMPTY)
			free(m->pages[i]);
	free(m->keys);
	free(m->pages);
	sim_sparse_init(m);
}

static uint32_t sim_sparse_slot(uint64_t key, uint32_t cap)
{
	/* Fibonacci hashing: the high bits of key * 2^64/phi */
	uint64_t h = key * 0x9e3779b97f4a7c15ULL;

	return (uint32_t)(h >> 32) & (cap - 1);
}

/* Slot holding @key, or the free slot where it would go. */
static uint32_t sim_sparse_probe(const struct sim_sparse *m, uint64_t key)
{
	uint32_t i = sim_sparse_slot(key, m->cap);

	while (m->keys[i] != SIM_SPARSE_EMPTY && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static uint8_t *sim_sparse_find(const struct sim_sparse *m, uint64_t key)
{
	uint32_t i;

	if (m->cap == 0)
		return NULL;
	i = sim_sparse_probe(m, key);
	return m->keys[i] == key ? m->pages[i] : NULL;
}

static int sim_sparse_grow(struct sim_sparse *m)
{
	uint32_t cap = m->cap ? m->cap * 2 : SIM_SPARSE_MIN_CAP;
	struct sim_sparse n = { .cap = cap, .used = m->used };

	if (cap == 0)
		return -FM_ENOMEM;
	n.keys = malloc(sizeof(*n.keys) * cap);
	n.pages = malloc(sizeof(*n.pages) * cap);
	if (!n.keys || !n.pages) {
		free(n.keys);
		free(n.pages);
		return -FM_ENOMEM;
	}
	for (uint32_t i = 0; i < cap; i++)
		n.keys[i] = SIM_SPARSE_EMPTY;
	for (uint32_t i = 0; i < m->cap; i++) {
		uint32_t j;

		if (m->keys[i] == SIM_SPARSE_EMPTY)
			continue;
		j = sim_sparse_probe(&n, m->keys[i]);
		n.keys[j] = m->keys[i];
		n.pages[j] = m->pages[i];
	}
	free(m->keys);
	free(m->pages);
	*m = n;
	return 0;
}

/* The page for @key, allocated (zeroed) if missing; NULL when out of memory. */
static uint8_t *sim_sparse_get(struct sim_sparse *m, uint64_t key)
{
	uint8_t *page = sim_sparse_find(m, key);
	uint32_t i;

	if (page)
		return page;
	/* keep the table at most half full so probes stay short */
	if ((m->used + 1) * 2 > m->cap && sim_sparse_grow(m) < 0)
		return NULL;
	page = calloc(1, SIM_SPARSE_PAGE_SIZE);
	if (!page)
		return NULL;
	i = sim_sparse_probe(m, key);
	m->keys[i] = key;
	m->pages[i] = page;
	m->used++;
	return page;
}

void sim_sparse_read(const struct sim_sparse *m, uint64_t addr, void *buf,
		     size_t len)
{
	uint8_t *out = buf;

	while (len > 0) {
		uint64_t off = addr & (SIM_SPARSE_PAGE_SIZE - 1);
		size_t n = SIM_SPARSE_PAGE_SIZE - off;
		const uint8_t *page;

		if (n > len)
			n = len;
		page = sim_sparse_find(m, addr >> SIM_SPARSE_PAGE_SHIFT);
		if (page)
			memcpy(out, page + off, n);
		else
			memset(out, 0, n);
		out += n;
		addr += n;
		len -= n;
	}
}

int sim_sparse_write(struct sim_sparse *m, uint64_t addr, const void *buf,
		     size_t len)
{
	const uint8_t *in = buf;
	uint64_t first = addr >> SIM_SPARSE_PAGE_SHIFT;
	uint64_t last;

	if (len == 0)
		return 0;
	/* allocate every page first so a failure writes nothing */
	last = (addr + len - 1) >> SIM_SPARSE_PAGE_SHIFT;
	for (uint64_t p = first; p <= last; p++)
		if (!sim_sparse_get(m, p))
			return -FM_ENOMEM;
	while (len > 0) {
		uint64_t off = addr & (SIM_SPARSE_PAGE_SIZE - 1);
		size_t n = SIM_SPARSE_PAGE_SIZE - off;

		if (n > len)
			n = len;
		memcpy(sim_sparse_find(m, addr >> SIM_SPARSE_PAGE_SHIFT) + off,
		       in, n);
		in += n;
		addr += n;
		len -= n;
	}
	return 0;
}

uint32_t sim_sparse_pages(const struct sim_sparse *m)
{
	return m->used;
}

uint64_t sim_sparse_bytes(const struct sim_sparse *m)
{
	return (uint64_t)m->used * SIM_SPARSE_PAGE_SIZE +
	       (uint64_t)m->cap * (sizeof(*m->keys) + sizeof(*m->pages));
}
