/* SPDX-License-Identifier: MIT */
/*
 * clock.c - the virtual clock: a discrete-event queue.
 *
 * Events live in a slab of slots; a binary min-heap of slot indices orders
 * them by (time, sequence), so events due at the same time run in the
 * order they were scheduled.  An event id carries the slot index and the
 * slot's generation, so a stale id (event already run or cancelled) never
 * cancels a later event that reused the slot.  Cancelled events stay in
 * the heap and are skipped when they surface.
 */
#include "sim/sim.h"

#include <stdlib.h>

struct sim_event_slot {
	uint64_t time;
	uint64_t seq;
	sim_event_fn *fn; /* NULL: free or cancelled */
	void *arg;
	uint32_t gen;
	uint32_t next_free; /* free list link, valid while free */
	bool queued;	    /* in the heap (possibly cancelled) */
};

struct sim_clock {
	uint64_t now;
	uint64_t seq;
	uint64_t pending; /* queued and not cancelled */
	struct sim_event_slot *slots;
	uint32_t nslots;
	uint32_t free_head; /* UINT32_MAX: none */
	uint32_t *heap;	    /* slot indices */
	uint32_t heap_len;
	uint32_t heap_cap;
};

#define SIM_CLOCK_NO_SLOT UINT32_MAX

struct sim_clock *sim_clock_new(void)
{
	struct sim_clock *clk = calloc(1, sizeof(*clk));

	if (!clk)
		return NULL;
	clk->free_head = SIM_CLOCK_NO_SLOT;
	return clk;
}

void sim_clock_free(struct sim_clock *clk)
{
	if (!clk)
		return;
	free(clk->slots);
	free(clk->heap);
	free(clk);
}

uint64_t sim_clock_now(const struct sim_clock *clk)
{
	return clk->now;
}

uint64_t sim_clock_pending(const struct sim_clock *clk)
{
	return clk->pending;
}

static bool sim_clock_before(const struct sim_clock *clk, uint32_t a,
			     uint32_t b)
{
	const struct sim_event_slot *sa = &clk->slots[a];
	const struct sim_event_slot *sb = &clk->slots[b];

	if (sa->time != sb->time)
		return sa->time < sb->time;
	return sa->seq < sb->seq;
}

static void sim_clock_sift_up(struct sim_clock *clk, uint32_t i)
{
	uint32_t slot = clk->heap[i];

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (!sim_clock_before(clk, slot, clk->heap[parent]))
			break;
		clk->heap[i] = clk->heap[parent];
		i = parent;
	}
	clk->heap[i] = slot;
}

static void sim_clock_sift_down(struct sim_clock *clk, uint32_t i)
{
	uint32_t slot = clk->heap[i];
	uint32_t n = clk->heap_len;

	for (;;) {
		uint32_t child = 2 * i + 1;

		if (child >= n)
			break;
		if (child + 1 < n && sim_clock_before(clk, clk->heap[child + 1],
						      clk->heap[child]))
			child++;
		if (!sim_clock_before(clk, clk->heap[child], slot))
			break;
		clk->heap[i] = clk->heap[child];
		i = child;
	}
	clk->heap[i] = slot;
}

static uint32_t sim_clock_alloc_slot(struct sim_clock *clk)
{
	uint32_t idx;

	if (clk->free_head != SIM_CLOCK_NO_SLOT) {
		idx = clk->free_head;
		clk->free_head = clk->slots[idx].next_free;
		return idx;
	}
	if (clk->nslots == clk->heap_cap) {
		uint32_t cap = clk->heap_cap ? clk->heap_cap * 2 : 64;
		struct sim_event_slot *slots;
		uint32_t *heap;

		if (cap < clk->heap_cap)
			return SIM_CLOCK_NO_SLOT;
		slots = realloc(clk->slots, (size_t)cap * sizeof(*slots));
		if (!slots)
			return SIM_CLOCK_NO_SLOT;
		clk->slots = slots;
		heap = realloc(clk->heap, (size_t)cap * sizeof(*heap));
		if (!heap)
			return SIM_CLOCK_NO_SLOT;
		clk->heap = heap;
		clk->heap_cap = cap;
	}
	idx = clk->nslots++;
	clk->slots[idx].gen = 0;
	return idx;
}

static void sim_clock_release_slot(struct sim_clock *clk, uint32_t idx)
{
	struct sim_event_slot *s = &clk->slots[idx];

	s->fn = NULL;
	s->arg = NULL;
	s->queued = false;
	s->gen++;
	s->next_free = clk->free_head;
	clk->free_head = idx;
}

uint64_t sim_clock_schedule(struct sim_clock *clk, uint64_t delay_ns,
			    sim_event_fn *fn, void *arg)
{
	struct sim_event_slot *s;
	uint32_t idx;

	idx = sim_clock_alloc_slot(clk);
	if (idx == SIM_CLOCK_NO_SLOT)
		return 0;
	s = &clk->slots[idx];
	s->time = delay_ns > UINT64_MAX - clk->now ? UINT64_MAX
						   : clk->now + delay_ns;
	s->seq = clk->seq++;
	s->fn = fn;
	s->arg = arg;
	s->queued = true;
	clk->heap[clk->heap_len] = idx;
	sim_clock_sift_up(clk, clk->heap_len++);
	clk->pending++;
	/* id: generation in the high half, slot + 1 in the low half (never 0) */
	return ((uint64_t)s->gen << 32) | ((uint64_t)idx + 1);
}

bool sim_clock_cancel(struct sim_clock *clk, uint64_t id)
{
	uint32_t idx = (uint32_t)(id & 0xffffffffu);
	uint32_t gen = (uint32_t)(id >> 32);
	struct sim_event_slot *s;

	if (idx == 0 || idx > clk->nslots)
		return false;
	s = &clk->slots[idx - 1];
	if (!s->queued || s->gen != gen || !s->fn)
		return false;
	s->fn = NULL; /* skipped, and its slot released, when it surfaces */
	clk->pending--;
	return true;
}

/* Pop the earliest slot; the caller releases it. */
static uint32_t sim_clock_pop(struct sim_clock *clk);

uint64_t sim_clock_next_time(struct sim_clock *clk)
{
	/* drop cancelled events at the top so the answer is a live event */
	while (clk->heap_len > 0 && !clk->slots[clk->heap[0]].fn)
		sim_clock_release_slot(clk, sim_clock_pop(clk));
	if (clk->heap_len == 0)
		return UINT64_MAX;
	return clk->slots[clk->heap[0]].time;
}

static uint32_t sim_clock_pop(struct sim_clock *clk)
{
	uint32_t top = clk->heap[0];

	clk->heap_len--;
	if (clk->heap_len > 0) {
		clk->heap[0] = clk->heap[clk->heap_len];
		sim_clock_sift_down(clk, 0);
	}
	return top;
}

/*
 * Run the earliest event if it is due at or before @limit.  Returns true
 * when an event ran (cancelled ones are dropped silently).
 */
static bool sim_clock_step(struct sim_clock *clk, uint64_t limit, bool *ran)
{
	struct sim_event_slot *s;
	sim_event_fn *fn;
	void *arg;
	uint32_t idx;

	*ran = false;
	if (clk->heap_len == 0)
		return false;
	idx = clk->heap[0];
	if (clk->slots[idx].time > limit)
		return false;
	sim_clock_pop(clk);
	s = &clk->slots[idx];
	fn = s->fn;
	arg = s->arg;
	if (s->time > clk->now)
		clk->now = s->time;
	sim_clock_release_slot(clk, idx);
	if (fn) {
		clk->pending--;
		fn(arg); /* may schedule: slots may move, s is stale now */
		*ran = true;
	}
	return true;
}

uint64_t sim_clock_run_until(struct sim_clock *clk, uint64_t t)
{
	uint64_t n = 0;
	bool ran;

	while (sim_clock_step(clk, t, &ran))
		n += ran;
	if (t > clk->now)
		clk->now = t;
	return n;
}

uint64_t sim_clock_run_for(struct sim_clock *clk, uint64_t delay_ns)
{
	uint64_t t = delay_ns > UINT64_MAX - clk->now ? UINT64_MAX
						      : clk->now + delay_ns;

	return sim_clock_run_until(clk, t);
}

uint64_t sim_clock_run_idle(struct sim_clock *clk, uint64_t max_events)
{
	uint64_t n = 0;
	bool ran;

	while (max_events == 0 || n < max_events) {
		if (!sim_clock_step(clk, UINT64_MAX, &ran))
			break;
		n += ran;
	}
	return n;
}
