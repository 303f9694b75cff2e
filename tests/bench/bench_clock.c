/* SPDX-License-Identifier: MIT */
/*
 * bench_clock - events per second of the virtual clock.
 *
 * Two workloads, each against the same-run reference of calling the same
 * event function through a pointer with no queue at all:
 *   chain:  each event schedules the next one (queue depth 1, the shape
 *           of spec waits);
 *   spread: 10,000 events pending at random times, each rescheduling
 *           itself (queue depth 10,000, the shape of a busy chassis).
 * Usage: bench_clock [events]   (default 20,000,000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim/sim.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct load {
	struct sim_clock *clk;
	uint64_t left;
	uint32_t rng;
	uint64_t sink;
};

static void chain_event(void *arg)
{
	struct load *l = arg;

	if (l->left && --l->left)
		sim_clock_schedule(l->clk, 1000, chain_event, l);
}

static void spread_event(void *arg)
{
	struct load *l = arg;

	if (l->left && --l->left) {
		l->rng = l->rng * 1103515245u + 12345u;
		sim_clock_schedule(l->clk, 1 + (l->rng >> 8) % 1000000,
				   spread_event, l);
	}
}

static void direct_event(void *arg)
{
	struct load *l = arg;

	l->rng = l->rng * 1103515245u + 12345u;
	l->sink += l->rng;
}

static double run_reference(uint64_t n)
{
	struct load l = { .rng = 1 };
	sim_event_fn *volatile fn = direct_event;
	double t0 = now_s();

	for (uint64_t i = 0; i < n; i++)
		fn(&l);
	if (l.sink == 42)
		puts("");
	return (double)n / (now_s() - t0);
}

static double run_chain(uint64_t n)
{
	struct load l = { .clk = sim_clock_new(), .left = n };
	double t0, rate;

	t0 = now_s();
	sim_clock_schedule(l.clk, 1000, chain_event, &l);
	sim_clock_run_idle(l.clk, 0);
	rate = (double)n / (now_s() - t0);
	sim_clock_free(l.clk);
	return rate;
}

static double run_spread(uint64_t n)
{
	struct load l = { .clk = sim_clock_new(), .left = n, .rng = 7 };
	double t0, rate;
	uint64_t ran;

	t0 = now_s();
	for (int i = 0; i < 10000; i++)
		spread_event(&l);
	ran = sim_clock_run_idle(l.clk, 0);
	rate = (double)(ran + 10000) / (now_s() - t0);
	sim_clock_free(l.clk);
	return rate;
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 20000000;
	double ref = run_reference(n);
	double chain = run_chain(n);
	double spread = run_spread(n);

	printf("virtual clock, %llu events per workload\n",
	       (unsigned long long)n);
	printf("%-34s %14s %10s\n", "workload", "events/s", "vs ref");
	printf("%-34s %14.0f %10s\n", "reference: direct indirect call", ref,
	       "1.00");
	printf("%-34s %14.0f %10.3f\n", "chain (queue depth 1)", chain,
	       chain / ref);
	printf("%-34s %14.0f %10.3f\n", "spread (queue depth 10,000)", spread,
	       spread / ref);
	return 0;
}
