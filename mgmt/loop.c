/* SPDX-License-Identifier: MIT */
/*
 * loop.c - the daemon's single event loop: epoll over the registered
 * descriptors (the HTTP server's, the FMP socket's, the signalfd), a heap
 * of timers, and the embedded simulator's virtual clock mapped to wall
 * time.  See mgmt.h for the contract.
 *
 * One iteration: run the virtual events due, run the timers due, wait in
 * epoll_wait() until the earliest of the next timer, the next virtual
 * event and the caller's bound, call the ready descriptors' callbacks,
 * then free the watches removed meanwhile (a callback may remove a
 * descriptor whose readiness is still in the array being walked).
 */
#include "mgmt/mgmt.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "fabric/pcie.h"
#include "sim/sim.h"

#define LOOP_MAX_EVENTS 64
#define LOOP_TIMER_IDLE SIZE_MAX

struct loop_io {
	int fd;
	unsigned events; /* MGMT_IO_* watched */
	mgmt_io_fn *fn;
	void *ctx;
	bool dead; /* removed; freed at the end of the iteration */
	struct loop_io *next;
};

struct mgmt_loop {
	int epfd;
	uint64_t now;
	bool stop;
	struct loop_io *ios; /* live and dead watches */
	/* timers: a binary min-heap on (when, seq) */
	struct mgmt_timer **heap;
	size_t nheap;
	size_t cap;
	uint64_t seq;
	/* signals */
	int sigfd;
	int signal;
	sigset_t old_mask;
	/* virtual clock: virt = virt_base + (wall - wall_base) * speed */
	struct sim_clock *vclk;
	double speed;
	uint64_t wall_base;
	uint64_t virt_base;
	/* mgmt_loop_set_prewait() */
	mgmt_timer_fn *prewait;
	void *prewait_ctx;
};

static uint64_t loop_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * FAB_NS_PER_S + (uint64_t)ts.tv_nsec;
}

int mgmt_loop_new(struct mgmt_loop **out, struct fm_err *err)
{
	struct mgmt_loop *loop;

	loop = calloc(1, sizeof(*loop));
	if (!loop)
		return fm_err_set(err, FM_ENOMEM, "event loop: out of memory");
	loop->sigfd = -1;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		int e = errno;

		free(loop);
		return fm_err_sys(err, FM_EIO, e, "event loop: epoll_create1");
	}
	loop->now = loop_clock();
	*out = loop;
	return 0;
}

static void loop_reap(struct mgmt_loop *loop, bool all)
{
	struct loop_io **pp = &loop->ios;

	while (*pp) {
		struct loop_io *io = *pp;

		if (io->dead || all) {
			*pp = io->next;
			free(io);
		} else {
			pp = &io->next;
		}
	}
}

void mgmt_loop_free(struct mgmt_loop *loop)
{
	if (!loop)
		return;
	if (loop->sigfd >= 0) {
		close(loop->sigfd);
		sigprocmask(SIG_SETMASK, &loop->old_mask, NULL);
	}
	loop_reap(loop, true);
	close(loop->epfd);
	free(loop->heap);
	free(loop);
}

uint64_t mgmt_loop_now(const struct mgmt_loop *loop)
{
	return loop->now;
}

/* ---------------------------------------------------------------------
 * Descriptors
 */
static struct loop_io *loop_io_find(struct mgmt_loop *loop, int fd)
{
	struct loop_io *io;

	for (io = loop->ios; io; io = io->next)
		if (io->fd == fd && !io->dead)
			return io;
	return NULL;
}

static uint32_t loop_epoll_events(unsigned events)
{
	uint32_t ev = 0;

	if (events & MGMT_IO_IN)
		ev |= EPOLLIN;
	if (events & MGMT_IO_OUT)
		ev |= EPOLLOUT;
	return ev;
}

int mgmt_loop_io_add(struct mgmt_loop *loop, int fd, unsigned events,
		     mgmt_io_fn *fn, void *ctx, struct fm_err *err)
{
	struct epoll_event ev = { 0 };
	struct loop_io *io;

	if (fd < 0 || !fn || (events & ~(MGMT_IO_IN | MGMT_IO_OUT)))
		return fm_err_set(err, FM_EINVAL,
				  "event loop: bad watch of fd %d (events %#x)",
				  fd, events);
	if (loop_io_find(loop, fd))
		return fm_err_set(err, FM_EEXIST,
				  "event loop: fd %d is already watched", fd);
	io = calloc(1, sizeof(*io));
	if (!io)
		return fm_err_set(err, FM_ENOMEM, "event loop: out of memory");
	io->fd = fd;
	io->events = events;
	io->fn = fn;
	io->ctx = ctx;
	ev.events = loop_epoll_events(events);
	ev.data.ptr = io;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int e = errno;

		free(io);
		return fm_err_sys(err, FM_EIO, e, "event loop: watch fd %d",
				  fd);
	}
	io->next = loop->ios;
	loop->ios = io;
	return 0;
}

int mgmt_loop_io_set(struct mgmt_loop *loop, int fd, unsigned events,
		     struct fm_err *err)
{
	struct epoll_event ev = { 0 };
	struct loop_io *io = loop_io_find(loop, fd);

	if (!io)
		return fm_err_set(err, FM_ENOENT,
				  "event loop: fd %d is not watched", fd);
	if (events & ~(MGMT_IO_IN | MGMT_IO_OUT))
		return fm_err_set(err, FM_EINVAL,
				  "event loop: bad events %#x for fd %d",
				  events, fd);
	if (events == io->events)
		return 0;
	ev.events = loop_epoll_events(events);
	ev.data.ptr = io;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return fm_err_sys(err, FM_EIO, errno, "event loop: fd %d", fd);
	io->events = events;
	return 0;
}

void mgmt_loop_io_remove(struct mgmt_loop *loop, int fd)
{
	struct loop_io *io = loop_io_find(loop, fd);

	if (!io)
		return;
	/* fails only if the caller closed fd first; the watch goes anyway */
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	io->dead = true;
}

/* ---------------------------------------------------------------------
 * Timers
 */
static bool timer_before(const struct mgmt_timer *a, const struct mgmt_timer *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void heap_place(struct mgmt_loop *loop, size_t i, struct mgmt_timer *t)
{
	loop->heap[i] = t;
	t->slot = i;
}

static void heap_up(struct mgmt_loop *loop, size_t i)
{
	struct mgmt_timer *t = loop->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!timer_before(t, loop->heap[parent]))
			break;
		heap_place(loop, i, loop->heap[parent]);
		i = parent;
	}
	heap_place(loop, i, t);
}

static void heap_down(struct mgmt_loop *loop, size_t i)
{
	struct mgmt_timer *t = loop->heap[i];

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= loop->nheap)
			break;
		if (child + 1 < loop->nheap &&
		    timer_before(loop->heap[child + 1], loop->heap[child]))
			child++;
		if (!timer_before(loop->heap[child], t))
			break;
		heap_place(loop, i, loop->heap[child]);
		i = child;
	}
	heap_place(loop, i, t);
}

static void heap_remove(struct mgmt_loop *loop, struct mgmt_timer *t)
{
	size_t i = t->slot;
	struct mgmt_timer *last = loop->heap[--loop->nheap];

	t->slot = LOOP_TIMER_IDLE;
	if (last == t)
		return;
	heap_place(loop, i, last);
	heap_down(loop, i);
	heap_up(loop, last->slot);
}

void mgmt_timer_init(struct mgmt_timer *t, mgmt_timer_fn *fn, void *ctx)
{
	t->when = 0;
	t->seq = 0;
	t->slot = LOOP_TIMER_IDLE;
	t->fn = fn;
	t->ctx = ctx;
}

bool mgmt_timer_pending(const struct mgmt_timer *t)
{
	return t->slot != LOOP_TIMER_IDLE;
}

void mgmt_timer_stop(struct mgmt_loop *loop, struct mgmt_timer *t)
{
	if (mgmt_timer_pending(t))
		heap_remove(loop, t);
}

int mgmt_timer_start(struct mgmt_loop *loop, struct mgmt_timer *t,
		     uint64_t delay_ns, struct fm_err *err)
{
	mgmt_timer_stop(loop, t);
	if (loop->nheap == loop->cap) {
		size_t cap = loop->cap ? 2 * loop->cap : 16;
		struct mgmt_timer **heap;

		heap = realloc(loop->heap, cap * sizeof(*heap));
		if (!heap)
			return fm_err_set(err, FM_ENOMEM,
					  "event loop: out of memory for "
					  "%zu timers",
					  cap);
		loop->heap = heap;
		loop->cap = cap;
	}
	t->when = delay_ns > UINT64_MAX - loop->now ? UINT64_MAX
						    : loop->now + delay_ns;
	t->seq = ++loop->seq;
	loop->nheap++;
	heap_place(loop, loop->nheap - 1, t);
	heap_up(loop, loop->nheap - 1);
	return 0;
}

/*
 * Fire the timers due now that were started before this pass: one
 * started by a callback here (seq > last) waits for the next iteration.
 */
static void loop_run_timers(struct mgmt_loop *loop)
{
	uint64_t last = loop->seq;

	while (loop->nheap && !loop->stop) {
		struct mgmt_timer *t = loop->heap[0];

		if (t->when > loop->now || t->seq > last)
			break;
		heap_remove(loop, t);
		t->fn(t->ctx);
	}
}

/* ---------------------------------------------------------------------
 * Signals
 */
static void loop_on_signal(void *ctx, int fd, unsigned events)
{
	struct mgmt_loop *loop = ctx;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (!loop->signal)
			loop->signal = (int)si.ssi_signo;
		loop->stop = true;
	}
}

int mgmt_loop_catch_signals(struct mgmt_loop *loop, struct fm_err *err)
{
	sigset_t set;
	int ret;

	if (loop->sigfd >= 0)
		return 0;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, &loop->old_mask) < 0)
		return fm_err_sys(err, FM_EIO, errno,
				  "event loop: sigprocmask");
	loop->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (loop->sigfd < 0) {
		ret = fm_err_sys(err, FM_EIO, errno, "event loop: signalfd");
		goto fail;
	}
	ret = mgmt_loop_io_add(loop, loop->sigfd, MGMT_IO_IN, loop_on_signal,
			       loop, err);
	if (ret < 0)
		goto fail;
	return 0;
fail:
	if (loop->sigfd >= 0)
		close(loop->sigfd);
	loop->sigfd = -1;
	sigprocmask(SIG_SETMASK, &loop->old_mask, NULL);
	return ret;
}

int mgmt_loop_signal(const struct mgmt_loop *loop)
{
	return loop->signal;
}

/* ---------------------------------------------------------------------
 * Virtual clock
 */
int mgmt_loop_set_vclock(struct mgmt_loop *loop, struct sim_clock *clk,
			 double speed, struct fm_err *err)
{
	if (!isfinite(speed) || speed < 0)
		return fm_err_set(err, FM_EINVAL,
				  "event loop: virtual clock speed %g is not "
				  "a finite factor >= 0",
				  speed);
	loop->vclk = clk;
	loop->speed = speed;
	/* now, not the iteration's time: setting up the simulator took some */
	loop->wall_base = loop_clock();
	loop->virt_base = clk ? sim_clock_now(clk) : 0;
	return 0;
}

/* Wall ns from @wall_base until virtual time reaches @virt. */
static uint64_t vclock_wall_at(const struct mgmt_loop *loop, uint64_t virt)
{
	double d = (double)(virt - loop->virt_base) / loop->speed;

	if (d >= (double)(UINT64_MAX - loop->wall_base))
		return UINT64_MAX;
	return loop->wall_base + (uint64_t)ceil(d);
}

/*
 * Run the virtual events due at the current wall time.  Returns the wall
 * ns to wait until the next one, UINT64_MAX when none is pending.
 */
static uint64_t loop_run_vclock(struct mgmt_loop *loop)
{
	uint64_t next, target, due;
	double v;

	if (!loop->vclk)
		return UINT64_MAX;
	if (loop->speed == 0) {
		next = sim_clock_next_time(loop->vclk);
		if (next == UINT64_MAX)
			return UINT64_MAX;
		sim_clock_run_until(loop->vclk, next);
		return sim_clock_next_time(loop->vclk) == UINT64_MAX
			       ? UINT64_MAX
			       : 0;
	}
	if (loop->now < loop->wall_base)
		return 0; /* attached after this iteration began */
	v = (double)(loop->now - loop->wall_base) * loop->speed;
	target = v >= (double)(UINT64_MAX - loop->virt_base)
			 ? UINT64_MAX
			 : loop->virt_base + (uint64_t)v;
	sim_clock_run_until(loop->vclk, target);
	next = sim_clock_next_time(loop->vclk);
	if (next == UINT64_MAX)
		return UINT64_MAX;
	due = vclock_wall_at(loop, next);
	return due > loop->now ? due - loop->now : 0;
}

/* ---------------------------------------------------------------------
 * Iterations
 */
static unsigned loop_ready(uint32_t ev)
{
	unsigned r = 0;

	if (ev & (EPOLLIN | EPOLLHUP | EPOLLRDHUP))
		r |= MGMT_IO_IN;
	if (ev & EPOLLOUT)
		r |= MGMT_IO_OUT;
	if (ev & (EPOLLERR | EPOLLHUP))
		r |= MGMT_IO_ERR;
	return r;
}

int mgmt_loop_run_once(struct mgmt_loop *loop, uint64_t max_wait_ns,
		       struct fm_err *err)
{
	struct epoll_event evs[LOOP_MAX_EVENTS];
	uint64_t wait = max_wait_ns, vwait;
	int timeout_ms, n, i;

	loop->now = loop_clock();
	vwait = loop_run_vclock(loop);
	loop_run_timers(loop);
	if (loop->prewait)
		loop->prewait(loop->prewait_ctx);
	if (vwait < wait)
		wait = vwait;
	if (loop->nheap) {
		uint64_t when = loop->heap[0]->when;

		when = when > loop->now ? when - loop->now : 0;
		if (when < wait)
			wait = when;
	}
	if (loop->stop)
		wait = 0;
	if (wait == UINT64_MAX)
		timeout_ms = -1;
	else if (wait >= (uint64_t)INT_MAX * FAB_NS_PER_MS)
		timeout_ms = INT_MAX;
	else /* round up: waking early would spin until the deadline */
		timeout_ms = (int)((wait + FAB_NS_PER_MS - 1) / FAB_NS_PER_MS);

	n = epoll_wait(loop->epfd, evs, LOOP_MAX_EVENTS, timeout_ms);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		return fm_err_sys(err, FM_EIO, errno, "event loop: epoll_wait");
	}
	loop->now = loop_clock();
	for (i = 0; i < n; i++) {
		struct loop_io *io = evs[i].data.ptr;

		if (io->dead)
			continue;
		io->fn(io->ctx, io->fd, loop_ready(evs[i].events));
	}
	loop_reap(loop, false);
	return 0;
}

int mgmt_loop_run(struct mgmt_loop *loop, struct fm_err *err)
{
	int ret = 0;

	loop->stop = loop->signal != 0;
	while (!loop->stop && ret == 0)
		ret = mgmt_loop_run_once(loop, UINT64_MAX, err);
	return ret;
}

void mgmt_loop_set_prewait(struct mgmt_loop *loop, mgmt_timer_fn *fn, void *ctx)
{
	loop->prewait = fn;
	loop->prewait_ctx = ctx;
}

void mgmt_loop_stop(struct mgmt_loop *loop)
{
	loop->stop = true;
}

bool mgmt_loop_stopped(const struct mgmt_loop *loop)
{
	return loop->stop;
}
