/* SPDX-License-Identifier: MIT */
/*
 * dev.c - the physical devices behind the downstream ports, as firmware
 * finds and keeps them through the chip HAL: config requests out of the
 * port (HAL cfg_read/cfg_write), BARs sized by writing all ones and placed
 * in the chip's physical address space, SR-IOV brought up (System Page
 * Size, ARI Capable Hierarchy, NumVFs = TotalVFs, VF Enable, VF MSE), and
 * Function Level Reset overseen on a HAL timer.
 *
 * An SR-IOV PF stays the fabric's (memory decode and bus mastering on);
 * its VFs are the functions blades get.  A device without SR-IOV is one
 * function that a blade gets whole, and so may an SR-IOV PF while none of
 * its VFs is in use: its VFs are then disabled until it comes back.
 */
#include "switchfw/fw_int.h"

#include <stdlib.h>
#include <string.h>

static struct fab_chip *sw_dev_hal(const struct sw_dev *d)
{
	return d->chip->hal;
}

static uint32_t sw_ones(unsigned len)
{
	return len == 4 ? 0xffffffffu : (1u << (8 * len)) - 1;
}

static int sw_dev_rd(const struct sw_dev *d, uint16_t rid, uint16_t reg,
		     unsigned len, uint32_t *val, struct fm_err *err)
{
	struct fab_chip *hal = sw_dev_hal(d);
	uint8_t st = FAB_CPL_UR;
	int ret;

	ret = hal->ops->cfg_read(hal, d->port, rid, reg, len, val, &st, err);
	if (ret < 0)
		return ret;
	if (st != FAB_CPL_SC)
		return fm_err_set(err, FM_EIO,
				  "sw chip%u port%u: config read of %04x "
				  "at %#x: completion status %u",
				  d->chip->index, d->port, rid, reg, st);
	return 0;
}

static int sw_dev_wr(const struct sw_dev *d, uint16_t rid, uint16_t reg,
		     unsigned len, uint32_t val, struct fm_err *err)
{
	struct fab_chip *hal = sw_dev_hal(d);
	uint8_t st = FAB_CPL_UR;
	int ret;

	ret = hal->ops->cfg_write(hal, d->port, rid, reg, len, val, &st, err);
	if (ret < 0)
		return ret;
	if (st != FAB_CPL_SC)
		return fm_err_set(err, FM_EIO,
				  "sw chip%u port%u: config write of %04x "
				  "at %#x: completion status %u",
				  d->chip->index, d->port, rid, reg, st);
	return 0;
}

int sw_fn_cfg_read(const struct sw_fn *fn, uint16_t reg, unsigned len,
		   uint32_t *val, uint8_t *status)
{
	struct fab_chip *hal = sw_dev_hal(fn->dev);

	return hal->ops->cfg_read(hal, fn->dev->port, fn->rid, reg, len, val,
				  status, NULL);
}

int sw_fn_cfg_write(const struct sw_fn *fn, uint16_t reg, unsigned len,
		    uint32_t val, uint8_t *status)
{
	struct fab_chip *hal = sw_dev_hal(fn->dev);

	return hal->ops->cfg_write(hal, fn->dev->port, fn->rid, reg, len, val,
				   status, NULL);
}

/* A capability-walker reader over config requests through the HAL. */
struct sw_hal_reader {
	struct fab_cfg_reader r;
	const struct sw_dev *dev;
	uint16_t rid;
};

static uint32_t sw_hal_reader_read(void *ctx, uint16_t off, unsigned len)
{
	const struct sw_hal_reader *hr = ctx;
	uint32_t v = 0;

	if (sw_dev_rd(hr->dev, hr->rid, off, len, &v, NULL) < 0)
		return sw_ones(len);
	return v;
}

static void sw_hal_reader_init(struct sw_hal_reader *hr, const struct sw_dev *d,
			       uint16_t rid)
{
	hr->r.read = sw_hal_reader_read;
	hr->r.ctx = hr;
	hr->dev = d;
	hr->rid = rid;
}

/* PCI Express capability and its FLR bit (DEVCAP, r6.0 7.5.3.3). */
static uint16_t sw_dev_find_exp(const struct sw_dev *d, uint16_t rid, bool *flr)
{
	struct sw_hal_reader hr;
	uint16_t off = 0;
	uint32_t cap = 0;

	*flr = false;
	sw_hal_reader_init(&hr, d, rid);
	if (fab_cfg_find_cap(&off, &hr.r, PCI_CAP_ID_EXP, NULL) < 0)
		return 0;
	if (sw_dev_rd(d, rid, off + PCI_EXP_DEVCAP, 4, &cap, NULL) == 0)
		*flr = cap & PCI_EXP_DEVCAP_FLRESET;
	return off;
}

/* ---------------------------------------------------------------------
 * BARs.
 */

/*
 * Size the memory BARs at @reg0 (six of them: a header's, or the SR-IOV
 * capability's VF BARs) as r6.0 7.5.1.2.1 says: write all ones, read the
 * size mask back, restore.  I/O BARs are left alone: nothing routes I/O.
 * Decode must be off (PF Memory Space, VF Enable) meanwhile.
 */
static int sw_dev_size_bars(struct sw_bar *bars, const struct sw_dev *d,
			    uint16_t reg0, struct fm_err *err)
{
	uint16_t rid = FAB_RID(d->sec_bus, 0, 0);
	int ret = 0;

	memset(bars, 0, 6 * sizeof(*bars));
	for (unsigned k = 0; k < 6 && ret == 0; k++) {
		uint16_t reg = (uint16_t)(reg0 + 4 * k);
		uint32_t lo = 0, sz = 0, hi = 0, hsz = 0;
		uint64_t mask;
		bool mem64;

		ret = sw_dev_rd(d, rid, reg, 4, &lo, err);
		if (ret == 0)
			ret = sw_dev_wr(d, rid, reg, 4, 0xffffffffu, err);
		if (ret == 0)
			ret = sw_dev_rd(d, rid, reg, 4, &sz, err);
		if (ret == 0)
			ret = sw_dev_wr(d, rid, reg, 4, lo, err);
		if (ret < 0 || (lo & PCI_BASE_ADDRESS_SPACE_IO))
			continue;
		mem64 = (lo & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
			PCI_BASE_ADDRESS_MEM_TYPE_64;
		mask = sz & ~0xfULL;
		if (mem64 && k < 5) {
			ret = sw_dev_rd(d, rid, reg + 4, 4, &hi, err);
			if (ret == 0)
				ret = sw_dev_wr(d, rid, reg + 4, 4, 0xffffffffu,
						err);
			if (ret == 0)
				ret = sw_dev_rd(d, rid, reg + 4, 4, &hsz, err);
			if (ret == 0)
				ret = sw_dev_wr(d, rid, reg + 4, 4, hi, err);
			mask |= (uint64_t)hsz << 32;
		} else if (mask) {
			mask |= 0xffffffff00000000ULL;
		}
		if (ret == 0 && mask) {
			bars[k].size = mask & (~mask + 1);
			bars[k].mem64 = mem64;
			bars[k].prefetch = lo & PCI_BASE_ADDRESS_MEM_PREFETCH;
		}
		if (mem64)
			k++;
	}
	return ret;
}

/* Take @size bytes aligned to @align from the chip's 32- or 64-bit space. */
static int sw_chip_alloc(uint64_t *addr, struct sw_chip *c, uint64_t size,
			 uint64_t align, bool mem64, struct fm_err *err)
{
	uint64_t *next = mem64 ? &c->next64 : &c->next32;
	uint64_t end = mem64 ? c->end64 : c->end32;
	uint64_t a = (*next + align - 1) & ~(align - 1);

	if (a < *next || a > end || size > end - a)
		return fm_err_set(err, FM_ENOSPC,
				  "sw chip%u: no room for a %#llx-byte %s BAR "
				  "in the physical address space",
				  c->index, (unsigned long long)size,
				  mem64 ? "64-bit" : "32-bit");
	*addr = a;
	*next = a + size;
	return 0;
}

/* Physical addresses for every BAR (PF BARs, then all VFs' VF BARs). */
static int sw_dev_place(struct sw_dev *d, struct fm_err *err)
{
	int ret = 0;

	for (unsigned k = 0; k < 6 && ret == 0; k++) {
		struct sw_bar *b = &d->bar[k];

		if (b->size)
			ret = sw_chip_alloc(&b->phys, d->chip, b->size, b->size,
					    b->mem64, err);
	}
	for (unsigned k = 0; k < 6 && ret == 0; k++) {
		struct sw_bar *b = &d->vf_bar[k];

		/* SR-IOV 1.1 2.1.1.1: VF n's part is base + (n - 1) * size */
		if (b->size && d->num_vfs)
			ret = sw_chip_alloc(&b->phys, d->chip,
					    b->size * d->num_vfs, b->size,
					    b->mem64, err);
	}
	if (ret == 0)
		d->placed = true;
	return ret;
}

static int sw_dev_write_bars(const struct sw_dev *d, const struct sw_bar *bars,
			     uint16_t reg0, struct fm_err *err)
{
	uint16_t rid = FAB_RID(d->sec_bus, 0, 0);
	int ret = 0;

	for (unsigned k = 0; k < 6 && ret == 0; k++) {
		const struct sw_bar *b = &bars[k];
		uint16_t reg = (uint16_t)(reg0 + 4 * k);

		if (!b->size)
			continue;
		ret = sw_dev_wr(d, rid, reg, 4, (uint32_t)b->phys, err);
		if (ret == 0 && b->mem64)
			ret = sw_dev_wr(d, rid, reg + 4, 4,
					(uint32_t)(b->phys >> 32), err);
	}
	return ret;
}

/* ---------------------------------------------------------------------
 * SR-IOV.
 */

static uint16_t sw_dev_iov(const struct sw_dev *d, uint16_t reg)
{
	return (uint16_t)(d->sriov + reg);
}

/*
 * What must be set before VF Enable (SR-IOV 1.1 3.3.3.5, 3.3.13): a
 * System Page Size of 4 KiB (the VF BARs were sized and placed with it)
 * and ARI Capable Hierarchy, since the PF sits alone below a switch
 * Downstream Port that forwards ARI.  First VF Offset and VF Stride may
 * change with ARI (3.3.9), so they are read after.
 */
static int sw_dev_iov_prepare(struct sw_dev *d, struct fm_err *err)
{
	uint16_t rid = FAB_RID(d->sec_bus, 0, 0);
	uint32_t sysps = 0, supps = 0, v = 0;
	int ret;

	ret = sw_dev_rd(d, rid, sw_dev_iov(d, PCI_IOV_SUPPS), 4, &supps, err);
	if (ret == 0)
		ret = sw_dev_rd(d, rid, sw_dev_iov(d, PCI_IOV_SYSPS), 4, &sysps,
				err);
	if (ret == 0 && sysps != 1 && (supps & 1))
		ret = sw_dev_wr(d, rid, sw_dev_iov(d, PCI_IOV_SYSPS), 4, 1,
				err);
	if (ret == 0)
		ret = sw_dev_wr(d, rid, sw_dev_iov(d, PCI_IOV_CTRL), 2,
				PCI_IOV_CTRL_ARI, err);
	if (ret == 0)
		ret = sw_dev_rd(d, rid, sw_dev_iov(d, PCI_IOV_OFFSET), 2, &v,
				err);
	d->vf_offset = (uint16_t)v;
	if (ret == 0)
		ret = sw_dev_rd(d, rid, sw_dev_iov(d, PCI_IOV_STRIDE), 2, &v,
				err);
	d->vf_stride = (uint16_t)v;
	return ret;
}

/* VF Enable with NumVFs VFs, their BARs decoding (SR-IOV 1.1 3.3.3). */
static int sw_dev_iov_enable(struct sw_dev *d, struct fm_err *err)
{
	uint16_t rid = FAB_RID(d->sec_bus, 0, 0);
	int ret;

	ret = sw_dev_iov_prepare(d, err);
	if (ret == 0)
		ret = sw_dev_write_bars(d, d->vf_bar,
					sw_dev_iov(d, PCI_IOV_BAR_BASE), err);
	if (ret == 0)
		ret = sw_dev_wr(d, rid, sw_dev_iov(d, PCI_IOV_NUMVF), 2,
				d->num_vfs, err);
	if (ret == 0)
		ret = sw_dev_wr(d, rid, sw_dev_iov(d, PCI_IOV_CTRL), 2,
				PCI_IOV_CTRL_ARI | PCI_IOV_CTRL_VFE |
					PCI_IOV_CTRL_MSE,
				err);
	return ret;
}

int sw_dev_vfs_disable(struct sw_dev *d, struct fm_err *err)
{
	return sw_dev_wr(d, FAB_RID(d->sec_bus, 0, 0),
			 sw_dev_iov(d, PCI_IOV_CTRL), 2, PCI_IOV_CTRL_ARI, err);
}

int sw_dev_program(struct sw_dev *d, struct fm_err *err)
{
	uint16_t rid = FAB_RID(d->sec_bus, 0, 0);
	int ret;

	ret = sw_dev_write_bars(d, d->bar, PCI_BASE_ADDRESS_0, err);
	if (ret < 0 || !d->sriov || !d->num_vfs || d->whole_bound)
		return ret;
	ret = sw_dev_iov_enable(d, err);
	if (ret == 0)
		ret = sw_dev_wr(d, rid, PCI_COMMAND, 2,
				PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, err);
	return ret;
}

/* ---------------------------------------------------------------------
 * Discovery.
 */

static void sw_dev_fns_reset(struct sw_dev *d)
{
	for (unsigned i = 0; i < d->nfns; i++) {
		struct sw_fn *fn = &d->fn[i];

		sw_fn_flr_cancel(fn);
		fn->state = SW_FN_FREE;
	}
	if (d->sriov && d->num_vfs)
		d->fn[0].state = SW_FN_FABRIC;
}

/* The function array for the PF and num_vfs VFs (kept if it fits). */
static int sw_dev_build_fns(struct sw_dev *d, struct fm_err *err)
{
	unsigned n = 1u + d->num_vfs;

	if (d->fn && d->nfns != n) {
		for (unsigned i = 0; i < d->nfns; i++)
			sw_fn_flr_cancel(&d->fn[i]);
		free(d->fn);
		d->fn = NULL;
		d->nfns = 0;
	}
	if (!d->fn) {
		d->fn = calloc(n, sizeof(*d->fn));
		if (!d->fn)
			return fm_err_set(err, FM_ENOMEM,
					  "sw chip%u port%u: out of memory for "
					  "%u functions",
					  d->chip->index, d->port, n);
		d->nfns = n;
	}
	for (unsigned i = 0; i < n; i++) {
		struct sw_fn *fn = &d->fn[i];

		fn->dev = d;
		fn->index = (uint16_t)i;
		fn->fid = SW_FID(d->chip->index, d->port, i);
		fn->rid = i == 0 ? FAB_RID(d->sec_bus, 0, 0)
				 : (uint16_t)(FAB_RID(d->sec_bus, 0, 0) +
					      d->vf_offset +
					      (i - 1u) * d->vf_stride);
	}
	sw_dev_fns_reset(d);
	return 0;
}

/* How many of TotalVFs answer inside the port's bus range. */
static uint16_t sw_dev_vfs_fitting(const struct sw_dev *d)
{
	uint32_t pf = FAB_RID(d->sec_bus, 0, 0);
	uint32_t limit = (uint32_t)d->sub_bus << 8 | 0xff;
	uint16_t n = 0;

	while (n < d->total_vfs &&
	       pf + d->vf_offset + (uint32_t)n * d->vf_stride <= limit &&
	       (n == 0 || d->vf_stride))
		n++;
	return n;
}

/* The SR-IOV capability: numbers, VF BAR sizes (VF Enable still clear). */
static int sw_dev_probe_iov(struct sw_dev *d, struct fm_err *err)
{
	uint16_t rid = FAB_RID(d->sec_bus, 0, 0);
	uint32_t v = 0;
	int ret;

	ret = sw_dev_wr(d, rid, sw_dev_iov(d, PCI_IOV_CTRL), 2, 0, err);
	if (ret == 0)
		ret = sw_dev_rd(d, rid, sw_dev_iov(d, PCI_IOV_TOTALVF), 2, &v,
				err);
	d->total_vfs = (uint16_t)v;
	if (ret == 0)
		ret = sw_dev_rd(d, rid, sw_dev_iov(d, PCI_IOV_DID), 2, &v, err);
	d->vf_device = (uint16_t)v;
	if (ret == 0)
		ret = sw_dev_iov_prepare(d, err);
	if (ret == 0)
		ret = sw_dev_size_bars(d->vf_bar, d,
				       sw_dev_iov(d, PCI_IOV_BAR_BASE), err);
	if (ret < 0)
		return ret;
	d->num_vfs = sw_dev_vfs_fitting(d);
	if (d->num_vfs < d->total_vfs)
		FM_LOG(FM_LOG_WARN,
		       "sw chip%u port%u: only %u of %u VFs fit in buses "
		       "%02x-%02x",
		       d->chip->index, d->port, d->num_vfs, d->total_vfs,
		       d->sec_bus, d->sub_bus);
	return 0;
}

/* IDs, capabilities and BAR sizes of the device at sec_bus:00.0. */
static int sw_dev_probe(struct sw_dev *d, uint32_t id, struct fm_err *err)
{
	uint16_t rid = FAB_RID(d->sec_bus, 0, 0);
	struct sw_hal_reader hr;
	uint32_t v = 0, cmd = 0;
	int ret;

	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	ret = sw_dev_rd(d, rid, PCI_CLASS_REVISION, 4, &v, err);
	d->class_code = v >> 8;
	if (ret == 0)
		ret = sw_dev_rd(d, rid, PCI_HEADER_TYPE, 1, &v, err);
	if (ret == 0 && (v & 0x7f) != PCI_HEADER_TYPE_NORMAL)
		return fm_err_set(err, FM_EUNSUPP,
				  "sw chip%u port%u: %04x:%04x has header "
				  "type %u; only endpoints are supported",
				  d->chip->index, d->port, d->vendor, d->device,
				  v & 0x7f);
	if (ret < 0)
		return ret;
	d->exp_pf = sw_dev_find_exp(d, rid, &d->flr_pf);
	sw_hal_reader_init(&hr, d, rid);
	d->sriov = 0;
	d->total_vfs = d->num_vfs = 0;
	memset(d->vf_bar, 0, sizeof(d->vf_bar));
	if (fab_cfg_find_ecap(&d->sriov, &hr.r, PCI_EXT_CAP_ID_SRIOV, NULL) < 0)
		d->sriov = 0;
	if (d->sriov)
		ret = sw_dev_probe_iov(d, err);
	/* memory decode off while the BARs size themselves */
	if (ret == 0)
		ret = sw_dev_rd(d, rid, PCI_COMMAND, 2, &cmd, err);
	if (ret == 0 && (cmd & PCI_COMMAND_MEMORY))
		ret = sw_dev_wr(d, rid, PCI_COMMAND, 2,
				cmd & ~(uint32_t)PCI_COMMAND_MEMORY, err);
	if (ret == 0)
		ret = sw_dev_size_bars(d->bar, d, PCI_BASE_ADDRESS_0, err);
	return ret;
}

/* Same BAR layout (sizes and types), whatever the addresses. */
static bool sw_bars_same(const struct sw_bar *a, const struct sw_bar *b)
{
	for (unsigned k = 0; k < 6; k++)
		if (a[k].size != b[k].size || a[k].mem64 != b[k].mem64 ||
		    a[k].prefetch != b[k].prefetch)
			return false;
	return true;
}

int sw_dev_discover(struct sw_dev *d, struct fm_err *err)
{
	struct fab_chip *hal = sw_dev_hal(d);
	uint16_t rid = FAB_RID(d->sec_bus, 0, 0);
	struct sw_bar bar[6], vf_bar[6];
	uint32_t id = 0xffffffffu;
	uint8_t st = FAB_CPL_UR;
	bool known = d->placed;
	uint16_t vendor = d->vendor, device = d->device;
	int ret;

	d->present = false;
	ret = hal->ops->cfg_read(hal, d->port, rid, PCI_VENDOR_ID, 4, &id, &st,
				 err);
	if (ret < 0)
		return ret;
	if (st != FAB_CPL_SC || (id & 0xffff) == 0xffff || (id & 0xffff) == 0)
		return 0; /* nothing answers: an empty port */
	memcpy(bar, d->bar, sizeof(bar));
	memcpy(vf_bar, d->vf_bar, sizeof(vf_bar));
	ret = sw_dev_probe(d, id, err);
	if (ret < 0)
		return ret;
	/* the same device again keeps its addresses; another one is placed */
	if (known &&
	    (vendor != d->vendor || device != d->device ||
	     !sw_bars_same(bar, d->bar) || !sw_bars_same(vf_bar, d->vf_bar))) {
		known = false;
		d->placed = false;
	}
	if (known) {
		memcpy(d->bar, bar, sizeof(bar));
		memcpy(d->vf_bar, vf_bar, sizeof(vf_bar));
	} else {
		ret = sw_dev_place(d, err);
	}
	d->whole_bound = false;
	if (ret == 0)
		ret = sw_dev_program(d, err);
	if (ret == 0 && d->num_vfs)
		d->exp_vf = sw_dev_find_exp(d, (uint16_t)(rid + d->vf_offset),
					    &d->flr_vf);
	if (ret == 0)
		ret = sw_dev_build_fns(d, err);
	if (ret < 0)
		return ret;
	d->present = true;
	FM_LOG(FM_LOG_INFO,
	       "sw chip%u port%u: %04x:%04x class %06x at %02x:00.0, %u of %u "
	       "VFs enabled",
	       d->chip->index, d->port, d->vendor, d->device, d->class_code,
	       d->sec_bus, d->num_vfs, d->total_vfs);
	return 0;
}

void sw_dev_lost(struct sw_dev *d)
{
	d->present = false;
	for (unsigned i = 0; i < d->nfns; i++) {
		struct sw_fn *fn = &d->fn[i];

		if (fn->vppb)
			sw_vppb_event(fn->vppb, SW_HP_DEV_LOST);
		sw_fn_flr_cancel(fn);
		fn->state = SW_FN_FAILED;
	}
	/* a link down resets the device (r6.0 6.6.1): its VFs are gone */
	d->whole_bound = false;
}

void sw_dev_fini(struct sw_dev *d)
{
	if (!d)
		return;
	for (unsigned i = 0; i < d->nfns; i++)
		sw_fn_flr_cancel(&d->fn[i]);
	free(d->fn);
	d->fn = NULL;
	d->nfns = 0;
}

struct sw_fn *sw_dev_fn_by_rid(struct sw_dev *d, uint16_t rid)
{
	uint32_t first, delta, i;

	if (!d->present || !d->nfns)
		return NULL;
	if (rid == d->fn[0].rid)
		return &d->fn[0];
	first = (uint32_t)d->fn[0].rid + d->vf_offset;
	if (!d->num_vfs || rid < first)
		return NULL;
	delta = rid - first;
	if (!d->vf_stride)
		return delta == 0 ? &d->fn[1] : NULL;
	if (delta % d->vf_stride)
		return NULL;
	i = delta / d->vf_stride;
	return i < d->num_vfs ? &d->fn[1 + i] : NULL;
}

/* ---------------------------------------------------------------------
 * Functions.
 */

const struct sw_bar *sw_fn_bars(const struct sw_fn *fn)
{
	return fn->index ? fn->dev->vf_bar : fn->dev->bar;
}

uint64_t sw_fn_bar_phys(const struct sw_fn *fn, unsigned k)
{
	const struct sw_bar *b = &sw_fn_bars(fn)[k];

	if (!fn->index)
		return b->phys;
	return b->phys + (uint64_t)(fn->index - 1u) * b->size;
}

uint16_t sw_fn_exp(const struct sw_fn *fn)
{
	return fn->index ? fn->dev->exp_vf : fn->dev->exp_pf;
}

bool sw_fn_flr_capable(const struct sw_fn *fn)
{
	return sw_fn_exp(fn) && (fn->index ? fn->dev->flr_vf : fn->dev->flr_pf);
}

/* The state a function rests in when nobody has it. */
static uint8_t sw_fn_idle_state(const struct sw_fn *fn)
{
	const struct sw_dev *d = fn->dev;

	return fn->index == 0 && d->sriov && d->num_vfs ? SW_FN_FABRIC
							: SW_FN_FREE;
}

static void sw_fn_flr_done(struct sw_fn *fn)
{
	struct sw_fw *fw = fn->dev->chip->fw;
	struct sw_dev *d = fn->dev;
	struct fm_err err = { 0 };

	fn->in_flr = false;
	/* a PF's reset cleared its BARs and VF Enable: put them back */
	if (fn->index == 0) {
		/* back from a blade: the VFs return, all of them fresh */
		if (fn->state == SW_FN_RESETTING && d->whole_bound) {
			d->whole_bound = false;
			for (unsigned i = 1; i < d->nfns; i++)
				if (d->fn[i].state == SW_FN_FAILED)
					d->fn[i].state = SW_FN_FREE;
		}
		if (sw_dev_program(d, &err) < 0)
			FM_LOG(FM_LOG_ERROR, "%s", err.msg);
	}
	if (fn->state == SW_FN_RESETTING)
		fn->state = sw_fn_idle_state(fn);
	if (fn->announce)
		sw_event_fn(fw, SW_EV_FLR_DONE, fn);
}

static void sw_fn_flr_timeout(struct sw_fn *fn)
{
	struct sw_fw *fw = fn->dev->chip->fw;

	fn->in_flr = false;
	FM_LOG(FM_LOG_WARN,
	       "sw fn %#x: FLR not complete after %llu ms; function failed",
	       fn->fid,
	       (unsigned long long)((sw_chip_now(fn->dev->chip) -
				     fn->flr_start) /
				    FAB_NS_PER_MS));
	if (fn->state == SW_FN_RESETTING)
		fn->state = SW_FN_FAILED;
	if (fn->announce || fn->state == SW_FN_FAILED)
		sw_event_fn(fw, SW_EV_FLR_TIMEOUT, fn);
}

/*
 * After the 100 ms: a function that completes a config read (anything but
 * CRS or no answer) is back (r6.0 6.6.2, 2.3.1).  Never wait past the
 * configured timeout.
 */
static void sw_fn_flr_poll(void *arg)
{
	struct sw_fn *fn = arg;
	struct sw_chip *c = fn->dev->chip;
	uint64_t limit = c->fw->cfg.flr_timeout_ns;
	uint64_t waited = sw_chip_now(c) - fn->flr_start;
	uint8_t st = FAB_CPL_UR;
	uint32_t v = 0;

	fn->flr_timer = 0;
	if (sw_fn_cfg_read(fn, PCI_VENDOR_ID, 2, &v, &st) == 0 &&
	    st == FAB_CPL_SC) {
		sw_fn_flr_done(fn);
		return;
	}
	if (waited >= limit) {
		sw_fn_flr_timeout(fn);
		return;
	}
	fn->flr_timer =
		sw_chip_timer(c,
			      limit - waited < SW_FLR_POLL_NS ? limit - waited
							      : SW_FLR_POLL_NS,
			      sw_fn_flr_poll, fn);
	if (!fn->flr_timer)
		sw_fn_flr_timeout(fn);
}

int sw_fn_flr_start(struct sw_fn *fn, bool initiate, bool announce)
{
	struct sw_chip *c = fn->dev->chip;
	uint16_t devctl = (uint16_t)(sw_fn_exp(fn) + PCI_EXP_DEVCTL);
	uint64_t wait = FAB_FLR_TIME_NS;
	uint8_t st = FAB_CPL_UR;
	uint32_t v = 0;

	sw_fn_flr_cancel(fn);
	if (initiate) {
		/* a function that does not answer gets the write anyway */
		if (sw_fn_cfg_read(fn, devctl, 2, &v, &st) < 0 ||
		    st != FAB_CPL_SC)
			v = 0;
		sw_fn_cfg_write(fn, devctl, 2, v | FAB_PCI_EXP_DEVCTL_FLR, &st);
	}
	fn->in_flr = true;
	fn->announce = announce;
	fn->flr_start = sw_chip_now(c);
	if (fn->state == SW_FN_FREE || fn->state == SW_FN_FAILED)
		fn->state = SW_FN_RESETTING;
	if (fn->vppb)
		sw_bind_fn_reset(fn->vppb);
	if (wait > c->fw->cfg.flr_timeout_ns)
		wait = c->fw->cfg.flr_timeout_ns;
	fn->flr_timer = sw_chip_timer(c, wait, sw_fn_flr_poll, fn);
	if (!fn->flr_timer) {
		fn->in_flr = false;
		return -FM_ENOMEM;
	}
	return 0;
}

void sw_fn_flr_cancel(struct sw_fn *fn)
{
	if (fn->dev)
		sw_chip_timer_cancel(fn->dev->chip, &fn->flr_timer);
	fn->in_flr = false;
}
