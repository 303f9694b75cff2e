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
#include "tests/bench/chassis_gen.h"

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

static void die(const char *what, const struct fm_err *err)
{
	fprintf(stderr, "bench_chassis: %s: %s\n", what, err->msg);
	exit(1);
}

/* Firmware's sequence through the HAL: NumVFs, then VF Enable + MSE. */
static unsigned enable_all_vfs(struct sim_chassis *ch,
			       const struct gen_shape *sh)
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

static struct timing run_once(const struct gen_shape *sh, const char *json)
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

static struct result measure(const struct gen_shape *sh, unsigned runs,
			     long baseline_kib)
{
	char *json = gen_chassis(sh);
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

static void print(const struct gen_shape *sh, const struct result *r)
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
	static const struct gen_shape small = {
		"reference", 1, 2, 1, 64, GEN_FABRIC_NONE
	};
	static const struct gen_shape big = { "big", 4,	  8,
					      16,    256, GEN_FABRIC_RING };
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
