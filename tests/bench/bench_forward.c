/* SPDX-License-Identifier: MIT */
/*
 * bench_forward - memory TLPs per second through the switch silicon.
 *
 * A switch with 32 upstream ports (blade partners that only send) and
 * real SR-IOV endpoints (sim_ep) on its downstream ports, in two sizes:
 *   small: 1 PF x 64 VFs       (64 VFs, 2 windows per upstream port)
 *   large: 64 PFs x 256 VFs    (16,384 VFs, 512 windows per upstream port)
 * Firmware's work is done through the chip HAL as firmware does it: PF
 * BARs, VF BARs, NumVFs and VF Enable with HAL config writes, then one
 * memory window per VF on the upstream port of its owner (VF v belongs to
 * blade v % 32).  The blades then send 8-byte memory writes, then reads,
 * to VFs in a pseudo-random order.
 *
 * The same-run reference delivers the same TLPs (same random sequence,
 * already translated through a flat per-VF table) straight to the
 * endpoint ports, without links or switch: switch/direct is what the
 * switch and its two link hops add.
 *
 * Usage: bench_forward [tlps-per-run]   (default 4,000,000; best of 3)
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fabric/cfg.h"
#include "sim/sim_int.h"

#define NBLADES 32
#define VF_BAR_SIZE 0x4000ull /* VF BAR0, 16 KiB per VF */
#define PF_BAR_SIZE 0x4000ull
#define PHYS_PF_BASE 0x1000000000ull /* fabric-side PF BAR0s */
#define PHYS_VF_BASE 0x2000000000ull /* fabric-side VF BAR0s */
#define PHYS_VF_STRIDE 0x1000000ull  /* per endpoint: 256 x 16 KiB */
#define HOST_BASE 0x4000000000ull    /* where each blade sees its VFs */
#define TRAIN_NS (1 * FAB_NS_PER_MS)
#define REPS 3

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const struct fm_err *err)
{
	fprintf(stderr, "bench_forward: %s: %s\n", what,
		err ? err->msg : "failed");
	exit(1);
}

/* A blade that only sends: anything arriving is refused. */
static int blade_rx(struct sim_port *port, const struct fab_tlp *req,
		    struct fab_tlp *cpl)
{
	(void)port;
	if (!fab_tlp_is_nonposted(req))
		return SIM_RX_DROPPED;
	fab_tlp_complete(cpl, req, 0, FAB_CPL_UR);
	return SIM_RX_COMPLETED;
}

static const struct sim_port_ops blade_ops = { .rx = blade_rx };

/*
 * A sink in place of an endpoint: accepts writes, completes reads with
 * zeros.  With sinks the switch's own cost shows without the endpoint
 * model's (its BAR decode and sparse memory).
 */
static int sink_rx(struct sim_port *port, const struct fab_tlp *req,
		   struct fab_tlp *cpl)
{
	(void)port;
	if (!fab_tlp_is_nonposted(req))
		return SIM_RX_ACCEPTED;
	fab_tlp_complete(cpl, req, 0, FAB_CPL_SC);
	return SIM_RX_COMPLETED;
}

static const struct sim_port_ops sink_ops = { .rx = sink_rx };

struct rig {
	struct sim_clock *clk;
	struct sim_switch *sw;
	struct fab_chip *chip;
	struct sim_port blade[NBLADES];
	struct sim_link *links[NBLADES + 64];
	unsigned nlinks;
	struct sim_ep **eps; /* NULL entries with sinks */
	struct sim_port *sinks;
	unsigned neps;
	unsigned vfs_per_ep;
	unsigned nvfs;
	unsigned nwin; /* windows per blade */
	/* the reference path's flat table, by global VF index */
	uint64_t *vf_addr;
	struct sim_port **vf_port;
};

struct hal_ctx {
	struct rig *r;
	unsigned port;
	uint16_t rid;
};

static uint32_t hal_rd(struct rig *r, unsigned port, uint16_t rid, uint16_t reg,
		       unsigned len)
{
	struct fm_err err = { 0 };
	uint32_t v = 0;
	uint8_t st = 0;

	if (r->chip->ops->cfg_read(r->chip, port, rid, reg, len, &v, &st,
				   &err) < 0)
		die("hal cfg_read", &err);
	return v;
}

static void hal_wr(struct rig *r, unsigned port, uint16_t rid, uint16_t reg,
		   unsigned len, uint32_t v)
{
	struct fm_err err = { 0 };
	uint8_t st = 0;

	if (r->chip->ops->cfg_write(r->chip, port, rid, reg, len, v, &st,
				    &err) < 0 ||
	    st != FAB_CPL_SC)
		die("hal cfg_write", &err);
}

static uint32_t hal_reader(void *ctx, uint16_t off, unsigned len)
{
	struct hal_ctx *c = ctx;

	return hal_rd(c->r, c->port, c->rid, off, len);
}

/* What firmware does to bring up endpoint @e on downstream @port. */
static void fw_enable_vfs(struct rig *r, unsigned e, unsigned port, uint16_t pf)
{
	struct hal_ctx c = { r, port, pf };
	struct fab_cfg_reader rd = { .read = hal_reader, .ctx = &c };
	uint64_t pf_bar = PHYS_PF_BASE + e * PF_BAR_SIZE;
	uint64_t vf_bar = PHYS_VF_BASE + e * PHYS_VF_STRIDE;
	struct fm_err err = { 0 };
	uint16_t iov;

	if (fab_cfg_find_ecap(&iov, &rd, PCI_EXT_CAP_ID_SRIOV, &err) < 0)
		die("sr-iov capability", &err);
	hal_wr(r, port, pf, PCI_BASE_ADDRESS_0, 4, (uint32_t)pf_bar);
	hal_wr(r, port, pf, PCI_BASE_ADDRESS_1, 4, (uint32_t)(pf_bar >> 32));
	hal_wr(r, port, pf, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	hal_wr(r, port, pf, iov + PCI_IOV_BAR_BASE, 4, (uint32_t)vf_bar);
	hal_wr(r, port, pf, iov + PCI_IOV_BAR_BASE + 4, 4,
	       (uint32_t)(vf_bar >> 32));
	hal_wr(r, port, pf, iov + PCI_IOV_NUMVF, 2, r->vfs_per_ep);
	hal_wr(r, port, pf, iov + PCI_IOV_CTRL, 2,
	       PCI_IOV_CTRL_VFE | PCI_IOV_CTRL_MSE);
	if (sim_ep_num_vfs_enabled(r->eps[e]) != r->vfs_per_ep)
		die("vf enable", NULL);
}

static void cable(struct rig *r, struct sim_port *a, struct sim_port *b,
		  uint8_t width)
{
	struct sim_link_desc ld = { .width = width,
				    .speed = 4,
				    .train_ns = TRAIN_NS };
	struct fm_err err = { 0 };

	if (sim_link_new(&r->links[r->nlinks], r->clk, a, b, &ld, &err) < 0)
		die("link", &err);
	sim_link_train(r->links[r->nlinks++]);
}

static void rig_build(struct rig *r, unsigned neps, unsigned vfs_per_ep,
		      bool sinks)
{
	struct sim_switch_port_desc ports[NBLADES + 64];
	struct sim_switch_desc sd = { .name = "bench",
				      .vendor = 0x11f8,
				      .device = 0x4052,
				      .nports = NBLADES + neps,
				      .ports = ports };
	struct sim_ep_desc ed = {
		.vendor = 0x8086,
		.device = 0x1572,
		.class_code = 0x020000,
		.link_width = 16,
		.link_speed = 4,
		.bar = { [0] = { .size = PF_BAR_SIZE, .mem64 = true } },
		.total_vfs = (uint16_t)vfs_per_ep,
		.first_vf_offset = 1,
		.vf_stride = 1,
		.vf_device = 0x154c,
		.vf_bar = { [0] = { .size = VF_BAR_SIZE,
				    .mem64 = true,
				    .prefetch = true } },
	};
	struct fm_err err = { 0 };
	unsigned bus = 1;

	memset(r, 0, sizeof(*r));
	memset(ports, 0, sizeof(ports));
	r->neps = neps;
	r->vfs_per_ep = vfs_per_ep;
	r->nvfs = neps * vfs_per_ep;
	r->nwin = r->nvfs / NBLADES;
	r->clk = sim_clock_new();
	r->eps = calloc(neps, sizeof(*r->eps));
	r->vf_addr = calloc(r->nvfs, sizeof(*r->vf_addr));
	r->vf_port = calloc(r->nvfs, sizeof(*r->vf_port));
	r->sinks = calloc(neps, sizeof(*r->sinks));
	if (!r->clk || !r->eps || !r->vf_addr || !r->vf_port || !r->sinks)
		die("out of memory", NULL);
	for (unsigned i = 0; i < NBLADES + neps; i++) {
		ports[i].kind =
			i < NBLADES ? FAB_PORT_UPSTREAM : FAB_PORT_DOWNSTREAM;
		ports[i].width = 16;
		ports[i].speed = 4;
	}
	if (sim_switch_new(&r->sw, r->clk, &sd, &err) < 0)
		die("switch", &err);
	r->chip = sim_switch_chip(r->sw);
	for (unsigned b = 0; b < NBLADES; b++) {
		r->blade[b].ops = &blade_ops;
		cable(r, &r->blade[b], sim_switch_port(r->sw, b), 16);
	}
	for (unsigned e = 0; sinks && e < neps; e++) {
		r->sinks[e].ops = &sink_ops;
		cable(r, sim_switch_port(r->sw, NBLADES + e), &r->sinks[e], 16);
	}
	for (unsigned e = 0; !sinks && e < neps; e++) {
		snprintf(ed.name, sizeof(ed.name), "nic%u", e);
		if (sim_ep_new(&r->eps[e], r->clk, &ed, (uint8_t)bus, &err) < 0)
			die("endpoint", &err);
		sim_switch_set_port_buses(r->sw, NBLADES + e, (uint8_t)bus,
					  sim_ep_last_bus(r->eps[e]));
		cable(r, sim_switch_port(r->sw, NBLADES + e),
		      sim_ep_port(r->eps[e]), 16);
		bus = sim_ep_last_bus(r->eps[e]) + 1u;
	}
	sim_clock_run_for(r->clk, TRAIN_NS);

	for (unsigned e = 0; !sinks && e < neps; e++)
		fw_enable_vfs(r, e, NBLADES + e,
			      sim_fn_rid(sim_ep_pf(r->eps[e])));
	/* one window per VF on its owner's upstream port */
	for (unsigned v = 0; v < r->nvfs; v++) {
		unsigned e = v / vfs_per_ep, i = v % vfs_per_ep;
		struct fab_mem_window w = {
			.base = HOST_BASE + (v / NBLADES) * VF_BAR_SIZE,
			.size = VF_BAR_SIZE,
			.egress_port = (uint8_t)(NBLADES + e),
			.target_base = PHYS_VF_BASE + e * PHYS_VF_STRIDE +
				       i * VF_BAR_SIZE,
		};

		r->vf_addr[v] = w.target_base;
		r->vf_port[v] = sinks ? &r->sinks[e] : sim_ep_port(r->eps[e]);
		if (r->chip->ops->mem_window_add(r->chip, v % NBLADES, &w,
						 &err) < 0)
			die("window", &err);
	}
}

static void rig_free(struct rig *r)
{
	for (unsigned i = 0; i < r->nlinks; i++)
		sim_link_free(r->links[i]);
	for (unsigned e = 0; e < r->neps; e++)
		sim_ep_free(r->eps[e]);
	sim_switch_free(r->sw);
	sim_clock_free(r->clk);
	free(r->eps);
	free(r->vf_addr);
	free(r->vf_port);
	free(r->sinks);
}

static uint64_t xs_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/*
 * One pseudo-random TLP target: blade, window (= VF v / 32 of that blade)
 * and an offset among four 64-byte slots of the VF's BAR.
 */
#define PICK(r, x, b, w, off)                                                  \
	do {                                                                   \
		(b) = (unsigned)((x) & (NBLADES - 1));                         \
		(w) = (unsigned)(((x) >> 8) % (r)->nwin);                      \
		(off) = (((x) >> 40) & 3) * 64;                                \
	} while (0)

/* Bad outcomes (a write not accepted, a read not SC) of one run. */
static uint64_t bad;

static double run_switch(struct rig *r, uint8_t type, uint64_t n)
{
	struct fab_tlp tlp, cpl;
	uint64_t s = 0x9e3779b97f4a7c15ull, v = 0x0123456789abcdefull;
	double t0;

	if (type == FAB_TLP_MEM_WR)
		fab_tlp_mem_write(&tlp, 0, HOST_BASE, &v, 8, NULL);
	else
		fab_tlp_mem_read(&tlp, 0, HOST_BASE, 8, NULL);
	t0 = now_s();
	for (uint64_t i = 0; i < n; i++) {
		uint64_t x = xs_next(&s), off;
		unsigned b, w;
		int ret;

		PICK(r, x, b, w, off);
		tlp.addr = HOST_BASE + w * VF_BAR_SIZE + off;
		ret = sim_port_tx(&r->blade[b], &tlp, &cpl);
		if (type == FAB_TLP_MEM_WR ? ret != SIM_RX_ACCEPTED
					   : cpl.status != FAB_CPL_SC)
			bad++;
	}
	return (double)n / (now_s() - t0);
}

static double run_direct(struct rig *r, uint8_t type, uint64_t n)
{
	struct fab_tlp tlp, cpl;
	uint64_t s = 0x9e3779b97f4a7c15ull, v = 0x0123456789abcdefull;
	double t0;

	if (type == FAB_TLP_MEM_WR)
		fab_tlp_mem_write(&tlp, 0, HOST_BASE, &v, 8, NULL);
	else
		fab_tlp_mem_read(&tlp, 0, HOST_BASE, 8, NULL);
	t0 = now_s();
	for (uint64_t i = 0; i < n; i++) {
		uint64_t x = xs_next(&s), off;
		unsigned b, w, vf;
		struct sim_port *p;
		int ret;

		PICK(r, x, b, w, off);
		vf = w * NBLADES + b;
		tlp.addr = r->vf_addr[vf] + off;
		p = r->vf_port[vf];
		ret = p->ops->rx(p, &tlp, &cpl);
		if (type == FAB_TLP_MEM_WR ? ret != SIM_RX_ACCEPTED
					   : cpl.status != FAB_CPL_SC)
			bad++;
	}
	return (double)n / (now_s() - t0);
}

typedef double run_fn(struct rig *r, uint8_t type, uint64_t n);

static double best_of(run_fn *fn, struct rig *r, uint8_t type, uint64_t n)
{
	double best = 0;

	for (int i = 0; i < REPS; i++) {
		double rate = fn(r, type, n);

		if (rate > best)
			best = rate;
	}
	return best;
}

struct result {
	/* TLPs per second, [0] MWr, [1] MRd */
	double sw[2];	  /* blades -> switch -> endpoints */
	double direct[2]; /* same TLPs straight into the endpoints */
	double sink[2];	  /* blades -> switch -> sinks */
};

static void measure(struct result *res, unsigned neps, unsigned vfs_per_ep,
		    uint64_t n)
{
	static const uint8_t types[2] = { FAB_TLP_MEM_WR, FAB_TLP_MEM_RD };
	struct fab_port_status st;
	struct rig r;

	for (int sinks = 0; sinks < 2; sinks++) {
		rig_build(&r, neps, vfs_per_ep, sinks);
		/* warm up: the VFs' BAR pages get allocated, caches fill */
		run_switch(&r, FAB_TLP_MEM_WR, n / 4 + 4 * (uint64_t)r.nvfs);
		for (int t = 0; t < 2; t++) {
			if (sinks) {
				res->sink[t] =
					best_of(run_switch, &r, types[t], n);
				continue;
			}
			res->sw[t] = best_of(run_switch, &r, types[t], n);
			res->direct[t] = best_of(run_direct, &r, types[t], n);
		}
		for (unsigned b = 0; b < NBLADES; b++) {
			r.chip->ops->port_status(r.chip, b, &st, NULL);
			bad += st.counters.dropped + st.counters.ur;
		}
		rig_free(&r);
	}
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 4000000;
	static const char *const op[2] = { "MWr 8B", "MRd 8B" };
	struct result small, large;

	if (n == 0)
		n = 1;
	measure(&small, 1, 64, n);
	measure(&large, 64, 256, n);

	printf("switch forwarding: 32 blades -> SR-IOV VFs, one window per "
	       "VF, %llu TLPs per run, best of %d\n",
	       (unsigned long long)n, REPS);
	printf("%-22s %-6s %12s %7s %12s %7s %9s %12s %7s\n", "chassis", "op",
	       "switch->ep/s", "ns", "direct->ep/s", "ns", "sw/direct",
	       "switch->sink", "ns");
	for (int c = 0; c < 2; c++) {
		const struct result *res = c ? &large : &small;
		const char *name =
			c ? "64 PF x 256 VF (16384)" : "1 PF x 64 VF (64)";

		for (int t = 0; t < 2; t++)
			printf("%-22s %-6s %12.0f %7.1f %12.0f %7.1f %9.2f "
			       "%12.0f %7.1f\n",
			       name, op[t], res->sw[t], 1e9 / res->sw[t],
			       res->direct[t], 1e9 / res->direct[t],
			       res->direct[t] / res->sw[t], res->sink[t],
			       1e9 / res->sink[t]);
	}
	printf("cost per TLP, 16384 VFs vs 64 VFs:\n");
	printf("  switch alone (to sinks):        MWr %.2fx  MRd %.2fx\n",
	       small.sink[0] / large.sink[0], small.sink[1] / large.sink[1]);
	printf("  switch + endpoints:             MWr %.2fx  MRd %.2fx\n",
	       small.sw[0] / large.sw[0], small.sw[1] / large.sw[1]);
	printf("  endpoints alone (direct):       MWr %.2fx  MRd %.2fx\n",
	       small.direct[0] / large.direct[0],
	       small.direct[1] / large.direct[1]);
	printf("switch's share with endpoints (switch->ep minus direct), "
	       "ns/TLP:\n  64 VFs: MWr %.1f MRd %.1f; 16384 VFs: MWr %.1f "
	       "MRd %.1f\n",
	       1e9 / small.sw[0] - 1e9 / small.direct[0],
	       1e9 / small.sw[1] - 1e9 / small.direct[1],
	       1e9 / large.sw[0] - 1e9 / large.direct[0],
	       1e9 / large.sw[1] - 1e9 / large.direct[1]);
	if (bad) {
		printf("ERROR: %llu TLPs were not delivered\n",
		       (unsigned long long)bad);
		return 1;
	}
	return 0;
}
