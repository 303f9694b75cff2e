/* SPDX-License-Identifier: MIT */
/*
 * switch_win.c - the memory window table of one ingress port (see the
 * comment above struct sim_sw_win_table in switch_int.h).
 *
 * Windows are kept sorted by base in parallel arrays.  The bucket index
 * splits the span [lo, hi] of the windows into a power-of-two number of
 * equal buckets (at least twice the number of windows); bucket[k] is the
 * last window whose base is at or below the start of bucket k.  A lookup
 * reads bucket[k]; unless that window holds the address, it binary-
 * searches the windows up to bucket[k + 1]: no step when windows are
 * spread evenly (BARs laid out by a host enumerator), O(log n) at worst.
 * The index is rebuilt, without allocating, by the first lookup after a
 * change, so a burst of firmware updates costs one rebuild.
 */
#include "sim/switch_int.h"

#include <stdlib.h>
#include <string.h>

/* Index of the last window whose base is <= @addr, or -1 (any state). */
static long sw_win_search(const struct sim_sw_win_table *t, uint64_t addr)
{
	unsigned lo = 0, hi = t->n;

	if (t->n == 0 || addr < t->base[0])
		return -1;
	/* invariant: base[lo] <= addr, and every index >= hi is above addr */
	while (hi - lo > 1) {
		unsigned mid = lo + (hi - lo) / 2;

		if (t->base[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static unsigned sw_bitlen(uint64_t x)
{
	return x ? 64u - (unsigned)__builtin_clzll(x) : 0;
}

void sim_sw_win_reindex(struct sim_sw_win_table *t)
{
	unsigned m, nb = 1;
	uint64_t span;
	unsigned i = 0;

	t->dirty = false;
	if (t->n == 0)
		return;
	while (nb < t->n)
		nb *= 2;
	nb *= 2; /* <= 2 * cap: cap is a power of two */
	m = sw_bitlen(nb) - 1;
	t->lo = t->base[0];
	t->hi = t->win[t->n - 1].last;
	span = t->hi - t->lo;
	t->shift = sw_bitlen(span) > m ? sw_bitlen(span) - m : 0;
	for (unsigned k = 0; k < nb; k++) {
		uint64_t rel = (uint64_t)k << t->shift;

		if (rel > span) {
			t->bucket[k] = t->n - 1;
			continue;
		}
		while (i + 1 < t->n && t->base[i + 1] - t->lo <= rel)
			i++;
		t->bucket[k] = i;
	}
	t->bucket[nb] = t->n - 1;
}

/* Double the capacity (a power of two); all or nothing. */
static int sw_win_grow(struct sim_sw_win_table *t)
{
	unsigned cap = t->cap ? t->cap * 2 : 32;
	struct sim_sw_win_table nt = { 0 };

	if (cap > SIM_SW_MAX_WINDOWS)
		return -FM_ENOSPC;
	nt.base = malloc(cap * sizeof(*nt.base));
	nt.win = malloc(cap * sizeof(*nt.win));
	nt.egress = malloc(cap);
	nt.bucket = malloc((2 * (size_t)cap + 1) * sizeof(*nt.bucket));
	if (!nt.base || !nt.win || !nt.egress || !nt.bucket) {
		sim_sw_win_fini(&nt);
		return -FM_ENOMEM;
	}
	if (t->n) {
		memcpy(nt.base, t->base, t->n * sizeof(*nt.base));
		memcpy(nt.win, t->win, t->n * sizeof(*nt.win));
		memcpy(nt.egress, t->egress, t->n);
	}
	nt.n = t->n;
	nt.cap = cap;
	nt.dirty = true;
	sim_sw_win_fini(t);
	*t = nt;
	return 0;
}

int sim_sw_win_insert(struct sim_sw_win_table *t, uint64_t base, uint64_t size,
		      uint64_t target, uint8_t egress, long *conflict)
{
	long i = sw_win_search(t, base);
	unsigned at = (unsigned)(i + 1);
	int ret;

	if (i >= 0 && base <= t->win[i].last) {
		*conflict = i;
		return -FM_EEXIST;
	}
	if (at < t->n && t->base[at] - base <= size - 1) {
		*conflict = at;
		return -FM_EEXIST;
	}
	if (t->n == t->cap) {
		ret = sw_win_grow(t);
		if (ret < 0)
			return ret;
	}
	memmove(&t->base[at + 1], &t->base[at], (t->n - at) * sizeof(*t->base));
	memmove(&t->win[at + 1], &t->win[at], (t->n - at) * sizeof(*t->win));
	memmove(&t->egress[at + 1], &t->egress[at], t->n - at);
	t->base[at] = base;
	t->win[at] = (struct sim_sw_win){ .last = base + (size - 1),
					  .delta = target - base };
	t->egress[at] = egress;
	t->n++;
	t->dirty = true;
	return 0;
}

int sim_sw_win_remove(struct sim_sw_win_table *t, uint64_t base)
{
	long i = sw_win_search(t, base);
	unsigned at;

	if (i < 0 || t->base[i] != base)
		return -FM_ENOENT;
	at = (unsigned)i;
	memmove(&t->base[at], &t->base[at + 1],
		(t->n - at - 1) * sizeof(*t->base));
	memmove(&t->win[at], &t->win[at + 1],
		(t->n - at - 1) * sizeof(*t->win));
	memmove(&t->egress[at], &t->egress[at + 1], t->n - at - 1);
	t->n--;
	t->dirty = true;
	return 0;
}

void sim_sw_win_fini(struct sim_sw_win_table *t)
{
	free(t->base);
	free(t->win);
	free(t->egress);
	free(t->bucket);
	memset(t, 0, sizeof(*t));
}
