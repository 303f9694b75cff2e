/* SPDX-License-Identifier: MIT */
/*
 * bench_endpoint - cost of SR-IOV endpoints at chassis scale.
 *
 * Builds N devices with 256 VFs each (default 64: 16,384 VFs), each
 * cabled to a bare link partner, and enables every VF through config
 * writes as firmware would.  Reports:
 *   build and VF Enable time, and heap held by the devices
 *   (sim_ep_footprint) and RSS growth for all of them;
 *   config reads/s of random VFs, memory write+read pairs/s to random VF
 *   BAR slices (sparse memory), and VF FLR start+finish/s.
 * Usage: bench_endpoint [devices]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "sim/endpoint_int.h"

#define BENCH_VFS 256
#define BENCH_SRIOV SIM_EP_ECAP_SRIOV
#define BENCH_VFBAR0 0x400000000ULL
#define BENCH_VFBAR_SIZE 0x10000ULL /* per VF */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kib(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = 0;
	fclose(f);
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* The switch side of a link: sends requests, answers nothing. */
struct partner {
	struct sim_port port;
};

static int partner_rx(struct sim_port *port, const struct fab_tlp *req,
		      struct fab_tlp *cpl)
{
	(void)port;
	if (!fab_tlp_is_nonposted(req))
		return SIM_RX_ACCEPTED;
	fab_tlp_complete(cpl, req, 0, FAB_CPL_UR);
	return SIM_RX_COMPLETED;
}

static const struct sim_port_ops partner_ops = { .rx = partner_rx };

struct dev {
	struct sim_ep *ep;
	struct partner part;
	struct sim_link *link;
	uint8_t bus;
};

static uint8_t cfg(struct dev *d, bool write, uint16_t rid, uint16_t reg,
		   unsigned len, uint32_t *val)
{
	struct fab_tlp req, cpl;

	if (write)
		fab_tlp_cfg_write(&req, false, 0, rid, reg, len, *val, NULL);
	else
		fab_tlp_cfg_read(&req, false, 0, rid, reg, len, NULL);
	sim_port_tx(&d->part.port, &req, &cpl);
	if (!write)
		*val = fab_tlp_cfg_value(&cpl);
	return cpl.status;
}

static void cfg_wr(struct dev *d, uint16_t rid, uint16_t reg, unsigned len,
		   uint32_t val)
{
	if (cfg(d, true, rid, reg, len, &val) != FAB_CPL_SC) {
		fprintf(stderr, "config write %04x@%#x failed\n", rid, reg);
		exit(1);
	}
}

static struct sim_ep_desc nic_desc(unsigned i)
{
	struct sim_ep_desc d = {
		.vendor = 0x8086,
		.device = 0x1572,
		.class_code = 0x020000,
		.link_width = 8,
		.link_speed = 3,
		.bar = { [0] = { 0x2000000, true, true } },
		.total_vfs = BENCH_VFS,
		.first_vf_offset = 1,
		.vf_stride = 1,
		.vf_device = 0x154c,
		.vf_bar = { [0] = { BENCH_VFBAR_SIZE, true, true } },
	};

	snprintf(d.name, sizeof(d.name), "nic%u", i);
	return d;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 64;
	struct sim_link_desc ld = { .width = 8, .speed = 3, .train_ns = 1000 };
	struct sim_clock *clk = sim_clock_new();
	struct dev *devs = calloc(n, sizeof(*devs));
	struct fm_err err = { 0 };
	uint64_t heap = 0, ops, sink = 0;
	uint32_t rng = 1;
	long rss0 = rss_kib();
	double t0, t_build, t_enable, t;

	if (!clk || !devs || n == 0 || n > 120) {
		fprintf(stderr, "usage: bench_endpoint [devices 1..120]\n");
		return 1;
	}
	t0 = now_s();
	for (unsigned i = 0; i < n; i++) {
		struct sim_ep_desc d = nic_desc(i);
		struct dev *v = &devs[i];

		v->bus = (uint8_t)(2 * i + 2);
		v->part.port.ops = &partner_ops;
		if (sim_ep_new(&v->ep, clk, &d, v->bus, &err) < 0 ||
		    sim_link_new(&v->link, clk, &v->part.port,
				 sim_ep_port(v->ep), &ld, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		sim_link_train(v->link);
	}
	sim_clock_run_for(clk, ld.train_ns);
	t_build = now_s() - t0;

	t0 = now_s();
	for (unsigned i = 0; i < n; i++) {
		struct dev *v = &devs[i];
		uint16_t pf = FAB_RID(v->bus, 0, 0);

		cfg_wr(v, pf, BENCH_SRIOV + PCI_IOV_BAR_BASE, 4,
		       (uint32_t)BENCH_VFBAR0);
		cfg_wr(v, pf, BENCH_SRIOV + PCI_IOV_BAR_BASE + 4, 4,
		       (uint32_t)(BENCH_VFBAR0 >> 32) + i);
		cfg_wr(v, pf, BENCH_SRIOV + PCI_IOV_NUMVF, 2, BENCH_VFS);
		cfg_wr(v, pf, BENCH_SRIOV + PCI_IOV_CTRL, 2,
		       PCI_IOV_CTRL_VFE | PCI_IOV_CTRL_MSE | PCI_IOV_CTRL_ARI);
		if (sim_ep_num_vfs_enabled(v->ep) != BENCH_VFS) {
			fprintf(stderr, "VF Enable failed on %u\n", i);
			return 1;
		}
	}
	t_enable = now_s() - t0;
	for (unsigned i = 0; i < n; i++)
		heap += sim_ep_footprint(devs[i].ep);
	printf("devices %u, VFs %u\n", n, n * BENCH_VFS);
	printf("build %.3f ms, VF Enable %.1f us per 256 VFs\n", t_build * 1e3,
	       t_enable * 1e6 / n);
	printf("heap held %.2f MiB (%.0f B per VF), RSS growth %.2f MiB\n",
	       (double)heap / (1 << 20), (double)heap / (n * BENCH_VFS),
	       (double)(rss_kib() - rss0) / 1024);

	ops = 2000000;
	t0 = now_s();
	for (uint64_t k = 0; k < ops; k++) {
		struct dev *v;
		uint32_t val = 0;

		rng = rng * 1103515245u + 12345u;
		v = &devs[(rng >> 8) % n];
		cfg(v, false,
		    (uint16_t)(FAB_RID(v->bus, 0, 0) + 1 +
			       (rng >> 20) % BENCH_VFS),
		    PCI_COMMAND, 4, &val);
		sink += val;
	}
	t = now_s() - t0;
	printf("config reads of random VFs: %.2f M/s\n", ops / t / 1e6);

	ops = 1000000;
	t0 = now_s();
	for (uint64_t k = 0; k < ops; k++) {
		struct fab_tlp req, cpl;
		uint64_t data = k;
		unsigned i, vf;
		uint64_t addr;

		rng = rng * 1103515245u + 12345u;
		i = (rng >> 8) % n;
		vf = (rng >> 16) % BENCH_VFS;
		addr = ((BENCH_VFBAR0 + ((uint64_t)i << 32)) +
			vf * BENCH_VFBAR_SIZE + ((rng >> 4) & 0xff8));
		fab_tlp_mem_write(&req, 0, addr, &data, 8, NULL);
		sim_port_tx(&devs[i].part.port, &req, &cpl);
		fab_tlp_mem_read(&req, 0, addr, 8, NULL);
		sim_port_tx(&devs[i].part.port, &req, &cpl);
		sink += cpl.data[0];
	}
	t = now_s() - t0;
	heap = 0;
	for (unsigned i = 0; i < n; i++)
		heap += sim_ep_footprint(devs[i].ep);
	printf("memory write+read pairs to random VFs: %.2f M/s "
	       "(heap after: %.1f MiB)\n",
	       ops / t / 1e6, (double)heap / (1 << 20));

	ops = 200000;
	t0 = now_s();
	for (uint64_t k = 0; k < ops; k++) {
		struct dev *v = &devs[k % n];
		uint16_t rid = (uint16_t)(FAB_RID(v->bus, 0, 0) + 1 +
					  (k / n) % BENCH_VFS);

		cfg_wr(v, rid, SIM_EP_CAP_EXP + PCI_EXP_DEVCTL, 2,
		       FAB_PCI_EXP_DEVCTL_FLR);
		if (k % 1000 == 999)
			sim_clock_run_for(clk, FAB_FLR_TIME_NS);
	}
	sim_clock_run_for(clk, FAB_FLR_TIME_NS);
	t = now_s() - t0;
	printf("VF FLRs (start + 100 ms virtual + done): %.2f M/s\n",
	       ops / t / 1e6);

	for (unsigned i = 0; i < n; i++) {
		sim_link_free(devs[i].link);
		sim_ep_free(devs[i].ep);
	}
	free(devs);
	sim_clock_free(clk);
	return sink == 42 ? 2 : 0;
}
