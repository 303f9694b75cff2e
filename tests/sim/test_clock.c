/* SPDX-License-Identifier: MIT */
/*
 * Virtual clock: ordering, cancellation, run-until and run-idle.
 */
#include <criterion/criterion.h>

#include "sim/sim.h"

struct trace {
	unsigned n;
	int order[64];
	uint64_t when[64];
	struct sim_clock *clk;
};

struct tagged {
	struct trace *t;
	int tag;
};

static void record(void *arg)
{
	struct tagged *e = arg;

	e->t->order[e->t->n] = e->tag;
	e->t->when[e->t->n] = sim_clock_now(e->t->clk);
	e->t->n++;
}

Test(sim_clock, events_run_in_time_order_at_their_time)
{
	struct sim_clock *clk = sim_clock_new();
	struct trace t = { .clk = clk };
	struct tagged a = { &t, 1 }, b = { &t, 2 }, c = { &t, 3 };

	sim_clock_schedule(clk, 300, record, &c);
	sim_clock_schedule(clk, 100, record, &a);
	sim_clock_schedule(clk, 200, record, &b);
	cr_assert_eq(sim_clock_run_idle(clk, 0), 3);
	cr_assert_eq(t.order[0], 1);
	cr_assert_eq(t.order[1], 2);
	cr_assert_eq(t.order[2], 3);
	cr_assert_eq(t.when[0], 100);
	cr_assert_eq(t.when[2], 300);
	cr_assert_eq(sim_clock_now(clk), 300);
	sim_clock_free(clk);
}

Test(sim_clock, same_time_events_run_in_schedule_order)
{
	struct sim_clock *clk = sim_clock_new();
	struct trace t = { .clk = clk };
	struct tagged e[40];

	for (int i = 0; i < 40; i++) {
		e[i] = (struct tagged){ &t, i };
		sim_clock_schedule(clk, 50, record, &e[i]);
	}
	sim_clock_run_idle(clk, 0);
	cr_assert_eq(t.n, 40);
	for (int i = 0; i < 40; i++)
		cr_assert_eq(t.order[i], i, "event %d ran at position %d",
			     t.order[i], i);
	sim_clock_free(clk);
}

Test(sim_clock, cancelled_event_never_runs_and_stale_id_is_refused)
{
	struct sim_clock *clk = sim_clock_new();
	struct trace t = { .clk = clk };
	struct tagged a = { &t, 1 }, b = { &t, 2 };
	uint64_t ida = sim_clock_schedule(clk, 10, record, &a);

	sim_clock_schedule(clk, 20, record, &b);
	cr_assert(sim_clock_cancel(clk, ida));
	cr_assert_not(sim_clock_cancel(clk, ida), "second cancel must fail");
	cr_assert_eq(sim_clock_pending(clk), 1);
	sim_clock_run_idle(clk, 0);
	cr_assert_eq(t.n, 1);
	cr_assert_eq(t.order[0], 2);
	/* the slot of the cancelled event is reused; its old id stays dead */
	uint64_t idc = sim_clock_schedule(clk, 5, record, &a);
	cr_assert_not(sim_clock_cancel(clk, ida));
	cr_assert(sim_clock_cancel(clk, idc));
	sim_clock_free(clk);
}

Test(sim_clock, run_until_stops_at_the_limit_and_sets_time)
{
	struct sim_clock *clk = sim_clock_new();
	struct trace t = { .clk = clk };
	struct tagged a = { &t, 1 }, b = { &t, 2 };

	sim_clock_schedule(clk, 1000, record, &a);
	sim_clock_schedule(clk, 1001, record, &b);
	cr_assert_eq(sim_clock_run_until(clk, 1000), 1);
	cr_assert_eq(sim_clock_now(clk), 1000);
	cr_assert_eq(sim_clock_pending(clk), 1);
	cr_assert_eq(sim_clock_run_for(clk, 5000), 1);
	cr_assert_eq(sim_clock_now(clk), 6000);
	sim_clock_run_until(clk, 10);
	cr_assert_eq(sim_clock_now(clk), 6000, "time never goes backwards");
	sim_clock_free(clk);
}

struct chain {
	struct sim_clock *clk;
	unsigned left;
	unsigned ran;
};

static void rearm(void *arg)
{
	struct chain *c = arg;

	c->ran++;
	if (--c->left)
		sim_clock_schedule(c->clk, 10 * FAB_NS_PER_MS, rearm, c);
}

Test(sim_clock,
     events_scheduled_from_events_run_and_spec_waits_cost_no_wall_time)
{
	struct sim_clock *clk = sim_clock_new();
	struct chain c = { clk, 1000, 0 };

	/* 1000 x 10 ms = 10 s of virtual time */
	sim_clock_schedule(clk, 10 * FAB_NS_PER_MS, rearm, &c);
	cr_assert_eq(sim_clock_run_idle(clk, 0), 1000);
	cr_assert_eq(c.ran, 1000);
	cr_assert_eq(sim_clock_now(clk), 10 * FAB_NS_PER_S);
	sim_clock_free(clk);
}

Test(sim_clock, run_idle_honours_event_budget)
{
	struct sim_clock *clk = sim_clock_new();
	struct chain c = { clk, 100, 0 };

	sim_clock_schedule(clk, 1, rearm, &c);
	cr_assert_eq(sim_clock_run_idle(clk, 7), 7);
	cr_assert_eq(c.ran, 7);
	cr_assert_eq(sim_clock_pending(clk), 1);
	sim_clock_free(clk);
}

struct monotonic {
	struct sim_clock *clk;
	uint64_t last;
	unsigned n;
	bool sorted;
};

static void check_monotonic(void *arg)
{
	struct monotonic *m = arg;
	uint64_t now = sim_clock_now(m->clk);

	if (now < m->last)
		m->sorted = false;
	m->last = now;
	m->n++;
}

Test(sim_clock, many_random_events_come_out_in_time_order)
{
	struct sim_clock *clk = sim_clock_new();
	struct monotonic m = { clk, 0, 0, true };
	uint32_t x = 12345;

	for (int i = 0; i < 5000; i++) {
		x = x * 1103515245u + 12345u;
		cr_assert_neq(sim_clock_schedule(clk, x % 100000,
						 check_monotonic, &m),
			      0);
	}
	cr_assert_eq(sim_clock_run_idle(clk, 0), 5000);
	cr_assert_eq(m.n, 5000);
	cr_assert(m.sorted);
	sim_clock_free(clk);
}

static void noop(void *arg)
{
	(void)arg;
}

Test(sim_clock, next_time_names_the_earliest_live_event)
{
	struct sim_clock *clk = sim_clock_new();
	uint64_t early;

	cr_assert_eq(sim_clock_next_time(clk), UINT64_MAX, "empty queue");
	early = sim_clock_schedule(clk, 100, noop, NULL);
	sim_clock_schedule(clk, 250, noop, NULL);
	cr_assert_eq(sim_clock_next_time(clk), 100);
	sim_clock_cancel(clk, early);
	cr_assert_eq(sim_clock_next_time(clk), 250, "cancelled event skipped");
	sim_clock_run_idle(clk, 0);
	cr_assert_eq(sim_clock_next_time(clk), UINT64_MAX);
	sim_clock_free(clk);
}
