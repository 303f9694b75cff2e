/* SPDX-License-Identifier: MIT */
/*
 * test_loop.c - the daemon's event loop: timers, descriptors, signals and
 * the virtual clock of an embedded simulator mapped onto wall time.
 * Waits are bounded by timers of a few milliseconds at most.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "fabric/pcie.h"
#include "mgmt/mgmt.h"
#include "sim/sim.h"

#define MS FAB_NS_PER_MS

static struct mgmt_loop *loop;

static void setup(void)
{
	cr_assert_eq(mgmt_loop_new(&loop, NULL), 0);
}

static void teardown(void)
{
	mgmt_loop_free(loop);
}

TestSuite(mgmt_loop, .init = setup, .fini = teardown, .timeout = 10);

/* Timers record their tag in firing order. */
static int fired[256];
static unsigned nfired;

static void on_timer(void *ctx)
{
	fired[nfired++] = (int)(intptr_t)ctx;
}

static void run_until_fired(unsigned n)
{
	unsigned i;

	for (i = 0; i < 1000 && nfired < n; i++)
		cr_assert_eq(mgmt_loop_run_once(loop, 20 * MS, NULL), 0);
	cr_assert_eq(nfired, n);
}

Test(mgmt_loop, timers_fire_in_deadline_order)
{
	struct mgmt_timer t[3];
	int i;

	for (i = 0; i < 3; i++)
		mgmt_timer_init(&t[i], on_timer, (void *)(intptr_t)i);
	cr_assert_eq(mgmt_timer_start(loop, &t[2], 3 * MS, NULL), 0);
	cr_assert_eq(mgmt_timer_start(loop, &t[0], 1 * MS, NULL), 0);
	cr_assert_eq(mgmt_timer_start(loop, &t[1], 2 * MS, NULL), 0);
	run_until_fired(3);
	cr_assert_eq(fired[0], 0);
	cr_assert_eq(fired[1], 1);
	cr_assert_eq(fired[2], 2);
}

Test(mgmt_loop, timer_fires_no_earlier_than_its_delay)
{
	struct mgmt_timer t;
	uint64_t start = mgmt_loop_now(loop);

	mgmt_timer_init(&t, on_timer, NULL);
	cr_assert_eq(mgmt_timer_start(loop, &t, 2 * MS, NULL), 0);
	run_until_fired(1);
	cr_assert_geq(mgmt_loop_now(loop) - start, 2 * MS);
}

Test(mgmt_loop, equal_deadlines_fire_in_start_order)
{
	struct mgmt_timer t[5];
	int i;

	for (i = 0; i < 5; i++) {
		mgmt_timer_init(&t[i], on_timer, (void *)(intptr_t)i);
		cr_assert_eq(mgmt_timer_start(loop, &t[i], 0, NULL), 0);
	}
	cr_assert_eq(mgmt_loop_run_once(loop, 0, NULL), 0);
	cr_assert_eq(nfired, 5);
	for (i = 0; i < 5; i++)
		cr_assert_eq(fired[i], i);
}

Test(mgmt_loop, many_timers_fire_each_once_in_order)
{
	static struct mgmt_timer t[200];
	static int seen[200];
	unsigned i, n = 0;

	/* a heap with deadlines in scrambled order, half then stopped */
	for (i = 0; i < 200; i++) {
		mgmt_timer_init(&t[i], on_timer, NULL);
		cr_assert_eq(mgmt_timer_start(
				     loop, &t[i],
				     (uint64_t)((i * 7919) % 200) * 1000, NULL),
			     0);
	}
	for (i = 0; i < 200; i += 2)
		mgmt_timer_stop(loop, &t[i]);
	for (i = 0; i < 200; i++)
		cr_assert_eq(mgmt_timer_pending(&t[i]), i % 2 == 1);
	while (n < 100) {
		cr_assert_eq(mgmt_loop_run_once(loop, MS, NULL), 0);
		for (i = 1; i < 200; i += 2) {
			if (!seen[i] && !mgmt_timer_pending(&t[i])) {
				seen[i] = 1;
				n++;
			}
		}
	}
	cr_assert_eq(nfired, 100);
}

static struct mgmt_timer self_timer;

static void on_self_restart(void *ctx)
{
	on_timer(ctx);
	mgmt_timer_start(loop, &self_timer, 0, NULL);
}

Test(mgmt_loop, zero_delay_restart_waits_for_next_iteration)
{
	mgmt_timer_init(&self_timer, on_self_restart, NULL);
	cr_assert_eq(mgmt_timer_start(loop, &self_timer, 0, NULL), 0);
	cr_assert_eq(mgmt_loop_run_once(loop, 0, NULL), 0);
	cr_assert_eq(nfired, 1);
	cr_assert_eq(mgmt_loop_run_once(loop, 0, NULL), 0);
	cr_assert_eq(nfired, 2);
	mgmt_timer_stop(loop, &self_timer);
}

Test(mgmt_loop, stopped_timer_never_fires)
{
	struct mgmt_timer t;

	mgmt_timer_init(&t, on_timer, NULL);
	cr_assert_not(mgmt_timer_pending(&t));
	cr_assert_eq(mgmt_timer_start(loop, &t, 0, NULL), 0);
	cr_assert(mgmt_timer_pending(&t));
	mgmt_timer_stop(loop, &t);
	mgmt_timer_stop(loop, &t);
	cr_assert_not(mgmt_timer_pending(&t));
	cr_assert_eq(mgmt_loop_run_once(loop, MS, NULL), 0);
	cr_assert_eq(nfired, 0);
}

Test(mgmt_loop, restart_replaces_the_deadline)
{
	struct mgmt_timer t;

	mgmt_timer_init(&t, on_timer, NULL);
	cr_assert_eq(mgmt_timer_start(loop, &t, 3600 * FAB_NS_PER_S, NULL), 0);
	cr_assert_eq(mgmt_timer_start(loop, &t, 0, NULL), 0);
	cr_assert_eq(mgmt_loop_run_once(loop, 0, NULL), 0);
	cr_assert_eq(nfired, 1);
	cr_assert_not(mgmt_timer_pending(&t));
}

static void on_stop(void *ctx)
{
	(void)ctx;
	mgmt_loop_stop(loop);
}

Test(mgmt_loop, stop_from_a_callback_ends_run)
{
	struct mgmt_timer t;

	mgmt_timer_init(&t, on_stop, NULL);
	cr_assert_eq(mgmt_timer_start(loop, &t, MS, NULL), 0);
	cr_assert_eq(mgmt_loop_run(loop, NULL), 0);
	cr_assert(mgmt_loop_stopped(loop));
	cr_assert_eq(mgmt_loop_signal(loop), 0);
}

/* Descriptors */
struct io_seen {
	int fd;
	unsigned events;
	unsigned calls;
	int remove; /* fd to remove when called, -1 none */
};

static void on_io(void *ctx, int fd, unsigned events)
{
	struct io_seen *s = ctx;

	s->fd = fd;
	s->events |= events;
	s->calls++;
	if (s->remove >= 0)
		mgmt_loop_io_remove(loop, s->remove);
}

Test(mgmt_loop, readable_descriptor_gets_its_callback)
{
	struct io_seen s = { .remove = -1 };
	int p[2];

	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(mgmt_loop_io_add(loop, p[0], MGMT_IO_IN, on_io, &s, NULL),
		     0);
	cr_assert_eq(mgmt_loop_run_once(loop, 0, NULL), 0);
	cr_assert_eq(s.calls, 0);
	cr_assert_eq(write(p[1], "x", 1), 1);
	cr_assert_eq(mgmt_loop_run_once(loop, 100 * MS, NULL), 0);
	cr_assert_eq(s.calls, 1);
	cr_assert_eq(s.fd, p[0]);
	cr_assert(s.events & MGMT_IO_IN);
	mgmt_loop_io_remove(loop, p[0]);
	close(p[0]);
	close(p[1]);
}

Test(mgmt_loop, hang_up_reads_as_readable_with_err)
{
	struct io_seen s = { .remove = -1 };
	int p[2];

	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(mgmt_loop_io_add(loop, p[0], MGMT_IO_IN, on_io, &s, NULL),
		     0);
	close(p[1]);
	cr_assert_eq(mgmt_loop_run_once(loop, 100 * MS, NULL), 0);
	cr_assert_eq(s.calls, 1);
	cr_assert_eq(s.events, MGMT_IO_IN | MGMT_IO_ERR);
	mgmt_loop_io_remove(loop, p[0]);
	close(p[0]);
}

Test(mgmt_loop, io_set_changes_what_is_watched)
{
	struct io_seen s = { .remove = -1 };
	int p[2];

	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(mgmt_loop_io_add(loop, p[1], MGMT_IO_OUT, on_io, &s, NULL),
		     0);
	cr_assert_eq(mgmt_loop_run_once(loop, 100 * MS, NULL), 0);
	cr_assert_eq(s.events, MGMT_IO_OUT);
	cr_assert_eq(mgmt_loop_io_set(loop, p[1], MGMT_IO_IN, NULL), 0);
	s.calls = 0;
	cr_assert_eq(mgmt_loop_run_once(loop, 0, NULL), 0);
	cr_assert_eq(s.calls, 0);
	mgmt_loop_io_remove(loop, p[1]);
	close(p[0]);
	close(p[1]);
}

Test(mgmt_loop, descriptor_removed_by_a_callback_gets_no_call)
{
	struct io_seen a = { .remove = -1 }, b = { .remove = -1 };
	int p[2], q[2];

	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(pipe(q), 0);
	a.remove = q[0];
	b.remove = p[0];
	cr_assert_eq(mgmt_loop_io_add(loop, p[0], MGMT_IO_IN, on_io, &a, NULL),
		     0);
	cr_assert_eq(mgmt_loop_io_add(loop, q[0], MGMT_IO_IN, on_io, &b, NULL),
		     0);
	cr_assert_eq(write(p[1], "x", 1), 1);
	cr_assert_eq(write(q[1], "x", 1), 1);
	cr_assert_eq(mgmt_loop_run_once(loop, 100 * MS, NULL), 0);
	/* both were ready; whichever ran first removed the other */
	cr_assert_eq(a.calls + b.calls, 1, "a %u b %u", a.calls, b.calls);
	cr_assert_eq(mgmt_loop_run_once(loop, 0, NULL), 0);
	cr_assert(a.calls == 0 || b.calls == 0, "a %u b %u", a.calls, b.calls);
	mgmt_loop_io_remove(loop, p[0]);
	mgmt_loop_io_remove(loop, q[0]);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

Test(mgmt_loop, descriptor_watched_twice_is_refused)
{
	struct io_seen s = { .remove = -1 };
	struct fm_err err = { 0 };
	int p[2];

	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(mgmt_loop_io_add(loop, p[0], MGMT_IO_IN, on_io, &s, NULL),
		     0);
	cr_assert_eq(mgmt_loop_io_add(loop, p[0], MGMT_IO_IN, on_io, &s, &err),
		     -FM_EEXIST);
	cr_assert(strstr(err.msg, "is already watched"), "%s", err.msg);
	mgmt_loop_io_remove(loop, p[0]);
	close(p[0]);
	close(p[1]);
}

Test(mgmt_loop, bad_watches_are_refused)
{
	struct io_seen s = { .remove = -1 };

	cr_assert_eq(mgmt_loop_io_add(loop, -1, MGMT_IO_IN, on_io, &s, NULL),
		     -FM_EINVAL);
	cr_assert_eq(mgmt_loop_io_add(loop, 0, MGMT_IO_ERR, on_io, &s, NULL),
		     -FM_EINVAL);
	cr_assert_eq(mgmt_loop_io_add(loop, 0, MGMT_IO_IN, NULL, &s, NULL),
		     -FM_EINVAL);
	cr_assert_eq(mgmt_loop_io_set(loop, 0, MGMT_IO_IN, NULL), -FM_ENOENT);
}

/* Signals */
Test(mgmt_loop, sigterm_stops_the_loop_and_is_reported)
{
	cr_assert_eq(mgmt_loop_catch_signals(loop, NULL), 0);
	cr_assert_eq(raise(SIGTERM), 0);
	cr_assert_eq(mgmt_loop_run(loop, NULL), 0);
	cr_assert_eq(mgmt_loop_signal(loop), SIGTERM);
}

Test(mgmt_loop, sigint_stops_the_loop_and_is_reported)
{
	cr_assert_eq(mgmt_loop_catch_signals(loop, NULL), 0);
	cr_assert_eq(raise(SIGINT), 0);
	cr_assert_eq(mgmt_loop_run(loop, NULL), 0);
	cr_assert_eq(mgmt_loop_signal(loop), SIGINT);
}

/* The virtual clock */
static uint64_t ran_at;
static unsigned nran;

static void on_sim_event(void *arg)
{
	struct sim_clock *clk = arg;

	ran_at = sim_clock_now(clk);
	nran++;
}

Test(mgmt_loop, vclock_runs_events_when_wall_time_reaches_them)
{
	struct sim_clock *clk = sim_clock_new();
	uint64_t start = mgmt_loop_now(loop);
	unsigned i;

	/* 1 s of virtual time at x1000: 1 ms of wall time */
	sim_clock_schedule(clk, FAB_NS_PER_S, on_sim_event, clk);
	cr_assert_eq(mgmt_loop_set_vclock(loop, clk, 1000, NULL), 0);
	for (i = 0; i < 1000 && !nran; i++)
		cr_assert_eq(mgmt_loop_run_once(loop, 20 * MS, NULL), 0);
	cr_assert_eq(nran, 1);
	cr_assert_eq(ran_at, FAB_NS_PER_S);
	cr_assert_geq(mgmt_loop_now(loop) - start, MS);
	mgmt_loop_set_vclock(loop, NULL, 1, NULL);
	sim_clock_free(clk);
}

Test(mgmt_loop, vclock_does_not_run_events_early)
{
	struct sim_clock *clk = sim_clock_new();

	sim_clock_schedule(clk, 10 * FAB_NS_PER_S, on_sim_event, clk);
	cr_assert_eq(mgmt_loop_set_vclock(loop, clk, 1, NULL), 0);
	cr_assert_eq(mgmt_loop_run_once(loop, 0, NULL), 0);
	cr_assert_eq(nran, 0);
	cr_assert_lt(sim_clock_now(clk), 10 * FAB_NS_PER_S);
	mgmt_loop_set_vclock(loop, NULL, 1, NULL);
	sim_clock_free(clk);
}

Test(mgmt_loop, vclock_speed_zero_jumps_to_the_next_event)
{
	struct sim_clock *clk = sim_clock_new();

	sim_clock_schedule(clk, 3600 * FAB_NS_PER_S, on_sim_event, clk);
	cr_assert_eq(mgmt_loop_set_vclock(loop, clk, 0, NULL), 0);
	/* an hour of virtual time in one iteration that does not wait */
	cr_assert_eq(mgmt_loop_run_once(loop, 0, NULL), 0);
	cr_assert_eq(nran, 1);
	cr_assert_eq(sim_clock_now(clk), 3600 * FAB_NS_PER_S);
	mgmt_loop_set_vclock(loop, NULL, 1, NULL);
	sim_clock_free(clk);
}

static struct sim_clock *io_clk;

static void on_io_schedules(void *ctx, int fd, unsigned events)
{
	char c;

	(void)ctx;
	(void)events;
	cr_assert_eq(read(fd, &c, 1), 1);
	sim_clock_schedule(io_clk, 0, on_sim_event, io_clk);
}

Test(mgmt_loop, vclock_runs_events_a_callback_scheduled)
{
	int p[2];

	io_clk = sim_clock_new();
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(mgmt_loop_set_vclock(loop, io_clk, 1, NULL), 0);
	cr_assert_eq(mgmt_loop_io_add(loop, p[0], MGMT_IO_IN, on_io_schedules,
				      NULL, NULL),
		     0);
	cr_assert_eq(write(p[1], "x", 1), 1);
	cr_assert_eq(mgmt_loop_run_once(loop, 100 * MS, NULL), 0);
	cr_assert_eq(nran, 0);
	/* due now: the next iteration runs it before it waits */
	cr_assert_eq(mgmt_loop_run_once(loop, 0, NULL), 0);
	cr_assert_eq(nran, 1);
	mgmt_loop_io_remove(loop, p[0]);
	mgmt_loop_set_vclock(loop, NULL, 1, NULL);
	sim_clock_free(io_clk);
	close(p[0]);
	close(p[1]);
}

Test(mgmt_loop, vclock_refuses_a_bad_speed)
{
	struct sim_clock *clk = sim_clock_new();
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_loop_set_vclock(loop, clk, -1, &err), -FM_EINVAL);
	cr_assert_str_eq(err.msg, "event loop: virtual clock speed -1 is not "
				  "a finite factor >= 0");
	cr_assert_eq(mgmt_loop_set_vclock(loop, clk, NAN, NULL), -FM_EINVAL);
	cr_assert_eq(mgmt_loop_set_vclock(loop, clk, INFINITY, NULL),
		     -FM_EINVAL);
	sim_clock_free(clk);
}
