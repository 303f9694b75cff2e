/* SPDX-License-Identifier: MIT */
/*
 * bench_chassis - cost of a big chassis: wall time to build it from its
 * JSON description, power it on, enable every VF through the chip HAL (as
 * firmware will), and have every blade enumerate again; and the memory it
 * takes: heap in use with the chassis up (glibc mallinfo2), peak RSS, and
 * the peak over the process baseline.
 *
 *   big:       32 blades, 4 switches (8 upstream, 16 downstream and 2
 *              fabric ports each, the switches in a ring), 64 SR-IOV PFs
 *              x 256 VFs = 16,384 VFs;
 *   reference: the same run on a small chassis, 2 blades, 1 switch, 1 PF
 *              x 64 VFs, measured first in the same process.
 *
 * Each chassis is generated in memory as JSON and goes through the same
 * path as a file (parse, schema, checks, build).  Times are the best of
 * @runs runs.  Targets: big under 1 s and 256 MiB.
 *
 * Usage: bench_chassis [runs]   (default 5)
 */
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "sim/sim.h"

struct shape {
	const char *name;
	unsigned switches;
	unsigned blades_per_switch;
	unsigned pfs_per_switch;
	unsigned vfs;
	bool ring; /* fabric links between neighbouring switches */
};

struct timing {
	double build, power_on, vf_enable, enumerate;
	unsigned vfs_enabled;
	size_t heap; /* heap bytes in use with the chassis up */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Heap bytes allocated and not yet freed (glibc). */
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static long maxrss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

struct text {
	char *s;
	size_t len, cap;
};

static void add(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if ((size_t)n < t->cap - t->len)
			break;
		t->cap = t->cap * 2 + (size_t)n;
		t->s = realloc(t->s, t->cap);
		if (!t->s) {
			perror("realloc");
			exit(1);
		}
	}
	t->len += (size_t)n;
}

static char *generate(const struct shape *sh)
{
	static const char link[] = "\"link\": {\"width\": 16, "
				   "\"speed\": \"32GT/s\"}";
	struct text t = { malloc(4096), 0, 4096 };
	unsigned s, i, nb = sh->switches * sh->blades_per_switch;
	unsigned np = sh->switches * sh->pfs_per_switch;

	add(&t, "{\"name\": \"%s\", \"blades\": [", sh->name);
	for (i = 0; i < nb; i++)
		add(&t, "%s{\"name\": \"blade%u\", %s}", i ? ", " : "", i,
		    link);
	add(&t, "], \"switches\": [");
	for (s = 0; s < sh->switches; s++) {
		unsigned port = 0;

		add(&t,
		    "%s{\"name\": \"sw%u\", \"vendor\": \"0x1000\", "
		    "\"device\": \"0xc030\", \"ports\": [",
		    s ? ", " : "", s);
		for (i = 0; i < sh->blades_per_switch; i++, port++)
			add(&t,
			    "%s{\"number\": %u, \"kind\": \"upstream\", %s, "
			    "\"blade\": \"blade%u\"}",
			    port ? ", " : "", port, link,
			    s * sh->blades_per_switch + i);
		for (i = 0; i < sh->pfs_per_switch; i++, port++)
			add(&t,
			    ", {\"number\": %u, \"kind\": \"downstream\", %s, "
			    "\"endpoint\": \"nic%u\"}",
			    port, link, s * sh->pfs_per_switch + i);
		if (sh->ring) {
			/* port P+0 to the next switch, P+1 to the previous */
			add(&t,
			    ", {\"number\": %u, \"kind\": \"fabric\", %s, "
			    "\"peer\": {\"switch\": \"sw%u\", \"port\": %u}}",
			    port, link, (s + 1) % sh->switches, port + 1);
			add(&t,
			    ", {\"number\": %u, \"kind\": \"fabric\", %s, "
			    "\"peer\": {\"switch\": \"sw%u\", \"port\": %u}}",
			    port + 1, link,
			    (s + sh->switches - 1) % sh->switches, port);
		}
		add(&t, "]}");
	}
	add(&t, "], \"endpoints\": [");
	for (i = 0; i < np; i++)
		add(&t,
		    "%s{\"name\": \"nic%u\", \"vendor\": \"0x15b3\", "
		    "\"device\": \"0x1021\", \"class\": \"0x020000\", %s, "
		    "\"bars\": [{\"index\": 0, \"size\": \"64M\", "
		    "\"mem64\": true, \"prefetchable\": true}], "
		    "\"sriov\": {\"total_vfs\": %u, \"vf_device\": "
		    "\"0x101e\", \"vf_bars\": [{\"index\": 0, \"size\": "
		    "\"2M\", \"mem64\": true, \"prefetchable\": true}]}}",
		    i ? ", " : "", i, link, sh->vfs);
	add(&t, "]}");
	return t.s;
}

static void die(const char *what, const struct fm_err *err)
{
	fprintf(stderr, "bench_chassis: %s: %s\n", what, err->msg);
	exit(1);
}

/* Firmware's sequence through the HAL: NumVFs, then VF Enable + MSE. */
static unsigned enable_all_vfs(struct sim_chassis *ch, const struct shape *sh)
{
	struct fm_err err = { 0 };
	unsigned s, i, total = 0;

	for (s = 0; s < sh->switches; s++) {
		struct fab_chip *chip =
			sim_switch_chip(sim_chassis_switch(ch, s));

		for (i = 0; i < sh->pfs_per_switch; i++) {
			unsigned port = sh->blades_per_switch + i;
			struct sim_ep *ep =
				sim_chassis_ep(ch, s * sh->pfs_per_switch + i);
			uint16_t rid = sim_fn_rid(sim_ep_pf(ep));
			uint16_t off = 0x100;
			uint32_t v = 0;
			uint8_t st = 0;

			do {
				if (chip->ops->cfg_read(chip, port, rid, off, 4,
							&v, &st, &err) < 0)
					die("cfg_read", &err);
				if ((v & 0xffff) == PCI_EXT_CAP_ID_SRIOV)
					break;
				off = (uint16_t)(v >> 20);
			} while (off);
			if (!off ||
			    chip->ops->cfg_write(chip, port, rid,
						 off + PCI_IOV_NUMVF, 2,
						 sh->vfs, &st, &err) < 0 ||
			    chip->ops->cfg_write(
				    chip, port, rid, off + PCI_IOV_CTRL, 2,
				    PCI_IOV_CTRL_VFE | PCI_IOV_CTRL_MSE, &st,
				    &err) < 0)
				die("VF enable", &err);
			total += sim_ep_num_vfs_enabled(ep);
		}
	}
	sim_clock_run_idle(sim_chassis_clock(ch), 0);
	return total;
}

static struct timing run_once(const struct shape *sh, const char *json)
{
	struct sim_chassis *ch = NULL;
	struct fm_err err = { 0 };
	struct timing tm = { 0 };
	size_t heap0 = heap_in_use();
	double t0 = now_s(), t1;
	unsigned i;

	if (sim_chassis_from_string(&ch, json, &err) < 0)
		die("build", &err);
	t1 = now_s();
	tm.build = t1 - t0;
	if (sim_chassis_power_on(ch, &err) < 0)
		die("power on", &err);
	t0 = now_s();
	tm.power_on = t0 - t1;
	tm.vfs_enabled = enable_all_vfs(ch, sh);
	t1 = now_s();
	tm.vf_enable = t1 - t0;
	for (i = 0; i < sim_chassis_blade_count(ch); i++) {
		if (sim_blade_rescan(sim_chassis_blade(ch, i), &err) < 0)
			die("rescan", &err);
	}
	sim_clock_run_idle(sim_chassis_clock(ch), 0);
	tm.enumerate = now_s() - t1;
	tm.heap = heap_in_use() - heap0;
	sim_chassis_free(ch);
	return tm;
}

static double total(const struct timing *t)
{
	return t->build + t->power_on + t->vf_enable + t->enumerate;
}

struct result {
	struct timing best;
	long peak_kib, delta_kib;
};

static struct result measure(const struct shape *sh, unsigned runs,
			     long baseline_kib)
{
	char *json = generate(sh);
	struct result r = { 0 };
	unsigned i;

	for (i = 0; i < runs; i++) {
		struct timing t = run_once(sh, json);

		if (i == 0 || total(&t) < total(&r.best))
			r.best = t;
	}
	free(json);
	r.peak_kib = maxrss_kib();
	r.delta_kib = r.peak_kib - baseline_kib;
	return r;
}

static void print(const struct shape *sh, const struct result *r)
{
	const struct timing *t = &r->best;

	printf("%-9s %5u VFs  build %8.3f ms  power-on %7.3f ms  "
	       "VF enable %7.3f ms  enumerate %6.3f ms  total %8.3f ms  "
	       "heap %6.2f MiB  peak RSS %5.1f MiB (+%.1f MiB)\n",
	       sh->name, t->vfs_enabled, t->build * 1e3, t->power_on * 1e3,
	       t->vf_enable * 1e3, t->enumerate * 1e3, total(t) * 1e3,
	       (double)t->heap / (1 << 20), (double)r->peak_kib / 1024,
	       (double)r->delta_kib / 1024);
}

int main(int argc, char **argv)
{
	static const struct shape small = { "reference", 1, 2, 1, 64, false };
	static const struct shape big = { "big", 4, 8, 16, 256, true };
	unsigned runs = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 5;
	long baseline = maxrss_kib();
	struct result rs, rb;

	if (!runs)
		runs = 1;
	fm_log_set_level(FM_LOG_ERROR);
	rs = measure(&small, runs, baseline);
	rb = measure(&big, runs, baseline);
	printf("baseline RSS %.1f MiB, best of %u runs\n",
	       (double)baseline / 1024, runs);
	print(&small, &rs);
	print(&big, &rb);
	printf("ratio big/reference: time %.1fx, heap %.1fx, peak RSS over "
	       "baseline %.1fx\n",
	       total(&rb.best) / total(&rs.best),
	       (double)rb.best.heap / (double)rs.best.heap,
	       rs.delta_kib > 0 ? (double)rb.delta_kib / (double)rs.delta_kib
				: 0.0);
	printf("targets: total < 1000 ms: %s; peak < 256 MiB: %s\n",
	       total(&rb.best) < 1.0 ? "met" : "MISSED",
	       rb.peak_kib < 256 * 1024 ? "met" : "MISSED");
	return 0;
}
