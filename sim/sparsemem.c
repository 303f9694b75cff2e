/* SPDX-License-Identifier: MIT */
/*
 * sparsemem.c - sparse memory: pages on first write, zero elsewhere.
 *
 * The first SIM_SPARSE_NEAR pages sit in the struct (filled in order,
 * never moved), so a memory of a page or two costs one compare per page
 * and no index.  The others go to an open-addressing hash table with
 * linear probing, keyed by page number (Fibonacci hashing), whose slots
 * hold key and page side by side (one cache line per probe), kept at
 * most half full.  Pages are never freed one by one: memory is cleared as
 * a whole (FLR, VF disable), so the table needs no tombstones.
 */
#include "sim/sparsemem_int.h"

#include <stdlib.h>
#include <string.h>

#define SIM_SPARSE_MIN_CAP 8u

void sim_sparse_init(struct sim_sparse *m)
{
	memset(m, 0, sizeof(*m));
}

void sim_sparse_fini(struct sim_sparse *m)
{
	for (unsigned i = 0; i < SIM_SPARSE_NEAR; i++)
		free(m->near[i].page);
	for (uint32_t i = 0; i < m->cap; i++)
		free(m->tab[i].page);
	free(m->tab);
	sim_sparse_init(m);
}

static uint32_t sim_sparse_slot(uint64_t key, uint32_t cap)
{
	/* Fibonacci hashing: the high bits of key * 2^64/phi */
	uint64_t h = key * 0x9e3779b97f4a7c15ULL;

	return (uint32_t)(h >> 32) & (cap - 1);
}

/* Slot of @tab (@cap slots) holding @key, or the free slot for it. */
static struct sim_sparse_ent *sim_sparse_probe(struct sim_sparse_ent *tab,
					       uint32_t cap, uint64_t key)
{
	uint32_t i = sim_sparse_slot(key, cap);

	while (tab[i].page && tab[i].key != key)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static uint8_t *sim_sparse_find(const struct sim_sparse *m, uint64_t key)
{
	for (unsigned i = 0; i < SIM_SPARSE_NEAR; i++) {
		const struct sim_sparse_ent *e = &m->near[i];

		/* filled in order: a free near slot means an empty table */
		if (!e->page)
			return NULL;
		if (e->key == key)
			return e->page;
	}
	if (m->cap == 0)
		return NULL;
	return sim_sparse_probe(m->tab, m->cap, key)->page;
}

static int sim_sparse_grow(struct sim_sparse *m)
{
	uint32_t cap = m->cap ? m->cap * 2 : SIM_SPARSE_MIN_CAP;
	struct sim_sparse_ent *tab;

	if (cap == 0)
		return -FM_ENOMEM;
	tab = calloc(cap, sizeof(*tab));
	if (!tab)
		return -FM_ENOMEM;
	for (uint32_t i = 0; i < m->cap; i++)
		if (m->tab[i].page)
			*sim_sparse_probe(tab, cap, m->tab[i].key) = m->tab[i];
	free(m->tab);
	m->tab = tab;
	m->cap = cap;
	return 0;
}

/* The page for @key, allocated (zeroed) if missing; NULL when out of memory. */
static uint8_t *sim_sparse_get(struct sim_sparse *m, uint64_t key)
{
	uint8_t *page = sim_sparse_find(m, key);
	struct sim_sparse_ent *e = NULL;
	bool hashed = false;

	if (page)
		return page;
	for (unsigned i = 0; i < SIM_SPARSE_NEAR && !e; i++)
		if (!m->near[i].page)
			e = &m->near[i];
	if (!e) {
		/* keep the table at most half full so probes stay short */
		if ((m->nhash + 1) * 2 > m->cap && sim_sparse_grow(m) < 0)
			return NULL;
		e = sim_sparse_probe(m->tab, m->cap, key);
		hashed = true;
	}
	page = calloc(1, SIM_SPARSE_PAGE_SIZE);
	if (!page)
		return NULL;
	e->key = key;
	e->page = page;
	if (hashed)
		m->nhash++;
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
	uint8_t *page;

	if (len == 0)
		return 0;
	last = (addr + len - 1) >> SIM_SPARSE_PAGE_SHIFT;
	if (first == last) {
		page = sim_sparse_get(m, first);
		if (!page)
			return -FM_ENOMEM;
		memcpy(page + (addr & (SIM_SPARSE_PAGE_SIZE - 1)), in, len);
		return 0;
	}
	/* allocate every page first so a failure writes nothing */
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
	uint32_t n = m->nhash;

	for (unsigned i = 0; i < SIM_SPARSE_NEAR; i++)
		n += m->near[i].page != NULL;
	return n;
}

uint64_t sim_sparse_bytes(const struct sim_sparse *m)
{
	return (uint64_t)sim_sparse_pages(m) * SIM_SPARSE_PAGE_SIZE +
	       (uint64_t)m->cap * sizeof(*m->tab);
}
