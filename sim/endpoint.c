/* SPDX-License-Identifier: MIT */
/*
 * endpoint.c - a simulated PCIe endpoint device on a link: its PF and the
 * VFs SR-IOV gives it (sriov.c), config requests with the register side
 * effects hardware has, BAR-backed memory, Function Level Reset,
 * Transactions Pending, DMA and link events.
 *
 * Everything is synchronous and single-threaded; spec waits (100 ms of
 * FLR, held transactions) run on the virtual clock.
 *
 * Lifetime: the device owns its functions.  A VF's struct stays valid
 * until sim_ep_free() even after VF Enable clears; while disabled it
 * answers nothing and refuses DMA.  Free the link before the device, and
 * the device before its clock (it cancels its pending events).
 */
#include "sim/endpoint_int.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fabric/cfg.h"

static const struct sim_port_ops sim_ep_port_ops;

/* On 64-bit hosts: what a memory request reads fills the first line. */
_Static_assert(sizeof(void *) != 8 || (offsetof(struct sim_fn, ep) == 64 &&
				       sizeof(struct sim_fn) == 128),
	       "a memory request must find all it needs in the first cache "
	       "line of struct sim_fn");

#define SIM_FN_LABEL_LEN 16

/* "pf 10:00.0" or "vf4 10:00.4" (VFs count from 1, as SR-IOV does). */
static const char *sim_fn_label(char *buf, const struct sim_fn *fn)
{
	char rid[FAB_RID_STR_LEN];

	fab_rid_format(rid, fn->rid);
	if (fn->is_vf)
		snprintf(buf, SIM_FN_LABEL_LEN, "vf%u %s", fn->index + 1u, rid);
	else
		snprintf(buf, SIM_FN_LABEL_LEN, "pf %s", rid);
	return buf;
}

/* ---------------------------------------------------------------------
 * Creation.
 */

/* Lane counts r6.0 7.5.3.6 allows in Maximum Link Width. */
static bool sim_ep_width_ok(uint8_t w)
{
	return w == 1 || w == 2 || w == 4 || w == 8 || w == 12 || w == 16 ||
	       w == 32;
}

static int sim_ep_check_bars(const struct sim_ep_desc *d,
			     const struct sim_bar_desc *bar, const char *what,
			     struct fm_err *err)
{
	for (unsigned i = 0; i < 6; i++) {
		const struct sim_bar_desc *b = &bar[i];

		if (b->size == 0)
			continue;
		if (b->size < 16 || (b->size & (b->size - 1)))
			return fm_err_set(err, FM_EINVAL,
					  "sim ep %s: %s%u size %#llx is not a "
					  "power of two >= 16",
					  d->name, what, i,
					  (unsigned long long)b->size);
		if (b->size >
		    (b->mem64 ? 1ULL << SIM_EP_BAR_MAX_SHIFT : 1ULL << 31))
			return fm_err_set(
				err, FM_ERANGE,
				"sim ep %s: %s%u size %#llx too large "
				"for a %s BAR",
				d->name, what, i, (unsigned long long)b->size,
				b->mem64 ? "64-bit" : "32-bit");
		if (!b->mem64)
			continue;
		if (i == 5 || bar[i + 1].size)
			return fm_err_set(err, FM_EINVAL,
					  "sim ep %s: 64-bit %s%u needs slot "
					  "%u free for its upper half",
					  d->name, what, i, i + 1);
		i++;
	}
	return 0;
}

static int sim_ep_check_desc(const struct sim_ep_desc *d, uint8_t bus,
			     struct fm_err *err)
{
	uint32_t last;
	int ret;

	if (!memchr(d->name, '\0', sizeof(d->name)))
		return fm_err_set(err, FM_EINVAL,
				  "sim ep: name is not NUL-terminated");
	if (d->vendor == 0xffff)
		return fm_err_set(err, FM_EINVAL,
				  "sim ep %s: vendor ID ffff means no device",
				  d->name);
	if (!sim_ep_width_ok(d->link_width) || d->link_speed < 1 ||
	    d->link_speed > 6)
		return fm_err_set(err, FM_ERANGE,
				  "sim ep %s: link width x%u / speed %u not "
				  "valid (x1..x32, speed 1..6)",
				  d->name, d->link_width, d->link_speed);
	ret = sim_ep_check_bars(d, d->bar, "BAR", err);
	if (ret < 0 || d->total_vfs == 0)
		return ret;
	if (d->total_vfs > SIM_MAX_VFS)
		return fm_err_set(err, FM_ERANGE,
				  "sim ep %s: TotalVFs %u above %u", d->name,
				  d->total_vfs, SIM_MAX_VFS);
	if (d->first_vf_offset == 0 || (d->total_vfs > 1 && !d->vf_stride))
		return fm_err_set(err, FM_EINVAL,
				  "sim ep %s: First VF Offset %u / VF Stride "
				  "%u would put a VF on the PF",
				  d->name, d->first_vf_offset, d->vf_stride);
	last = FAB_RID(bus, 0, 0) + d->first_vf_offset +
	       (uint32_t)(d->total_vfs - 1) * d->vf_stride;
	if (last > 0xffff)
		return fm_err_set(err, FM_ERANGE,
				  "sim ep %s: last VF routing ID %#x beyond "
				  "bus ff",
				  d->name, last);
	return sim_ep_check_bars(d, d->vf_bar, "VF BAR", err);
}

/* The implemented BARs of @bar in slot order. */
static unsigned sim_ep_collect_bars(struct sim_ep_bar *out,
				    const struct sim_bar_desc *bar,
				    uint64_t min_size)
{
	unsigned n = 0;

	for (unsigned i = 0; i < 6; i++) {
		uint64_t size = bar[i].size;

		if (size == 0)
			continue;
		if (size < min_size)
			size = min_size;
		out[n].size = size;
		out[n].slot = (uint8_t)i;
		out[n].shift = (uint8_t)__builtin_ctzll(size);
		out[n].mem64 = bar[i].mem64;
		n++;
		if (bar[i].mem64)
			i++;
	}
	return n;
}

/*
 * Zeroed memory aligned for struct sim_fn (and so struct sim_ep), whose
 * hot fields must sit in one cache line.  @size is a multiple of the
 * alignment since it counts whole structs.  Free with free().
 */
static void *sim_ep_zalloc(size_t size)
{
	void *p = aligned_alloc(_Alignof(struct sim_fn), size);

	if (p)
		memset(p, 0, size);
	return p;
}

int sim_ep_new(struct sim_ep **out, struct sim_clock *clk,
	       const struct sim_ep_desc *desc, uint8_t bus, struct fm_err *err)
{
	struct sim_ep *ep = NULL;
	int ret;

	ret = sim_ep_check_desc(desc, bus, err);
	if (ret < 0)
		goto out;
	ep = sim_ep_zalloc(sizeof(*ep));
	if (ep && desc->total_vfs)
		ep->vfs = sim_ep_zalloc(desc->total_vfs * sizeof(*ep->vfs));
	if (!ep || (desc->total_vfs && !ep->vfs)) {
		ret = fm_err_set(err, FM_ENOMEM, "sim ep %s: out of memory",
				 desc->name);
		goto out;
	}
	ep->clk = clk;
	ep->desc = *desc;
	ep->bus = bus;
	ep->port.ops = &sim_ep_port_ops;
	ep->port.owner = ep;
	ep->nbars = sim_ep_collect_bars(ep->bars, desc->bar, 0);
	/* VF BARs are at least a System Page Size (4 KiB at power-on) */
	ep->nvf_bars = sim_ep_collect_bars(ep->vf_bars, desc->vf_bar,
					   1ULL << SIM_EP_SRIOV_PAGE_SHIFT);
	sim_ep_build_images(ep);
	sim_fn_setup(&ep->pf, ep, false, 0, FAB_RID(bus, 0, 0));
	sim_ep_decode_refresh(ep);
	ep->last_bus =
		desc->total_vfs
			? FAB_RID_BUS(sim_sriov_vf_rid(ep, desc->total_vfs - 1))
			: bus;
	*out = ep;
	ep = NULL;
out:
	sim_ep_free(ep);
	return ret;
}

void sim_ep_free(struct sim_ep *ep)
{
	if (!ep)
		return;
	if (ep->pf.ep) {
		sim_fn_scrub(&ep->pf);
		sim_cfg_fini(&ep->pf.cfg);
	}
	free(ep->vfs);
	free(ep);
}

/* ---------------------------------------------------------------------
 * Functions: state, reset, held transactions.
 */

void sim_fn_setup(struct sim_fn *fn, struct sim_ep *ep, bool is_vf,
		  uint16_t index, uint16_t rid)
{
	memset(fn, 0, sizeof(*fn));
	fn->ep = ep;
	fn->is_vf = is_vf;
	fn->index = index;
	fn->rid = rid;
	fn->present = true;
	sim_sparse_init(&fn->mem);
	if (is_vf)
		sim_cfg_init(&fn->cfg, ep->vf_image, &ep->vf_masks);
	else
		sim_cfg_init(&fn->cfg, ep->pf_image, &ep->pf_masks);
}

static void sim_fn_poke(struct sim_fn *fn, uint16_t off, unsigned len,
			uint32_t val)
{
	if (sim_cfg_poke(&fn->cfg, off, len, val) < 0)
		FM_LOG(FM_LOG_ERROR,
		       "sim ep %s: out of memory for config space at %#x",
		       fn->ep->desc.name, off);
}

/* Device Status Transactions Pending follows the held requests. */
static void sim_fn_sync_trpnd(struct sim_fn *fn)
{
	uint16_t off = SIM_EP_CAP_EXP + PCI_EXP_DEVSTA;
	uint32_t sta = sim_cfg_read(&fn->cfg, off, 2);

	if (fn->holds)
		sta |= PCI_EXP_DEVSTA_TRPND;
	else
		sta &= ~(uint32_t)PCI_EXP_DEVSTA_TRPND;
	sim_fn_poke(fn, off, 2, sta);
}

static void sim_fn_hold_done(void *arg)
{
	struct sim_ep_hold *h = arg;
	struct sim_fn *fn = h->fn;
	struct sim_ep_hold **pp = &fn->holds;

	while (*pp != h)
		pp = &(*pp)->next;
	*pp = h->next;
	free(h);
	sim_fn_sync_trpnd(fn);
}

/* Discard every held request (their completions never come). */
static void sim_fn_drop_holds(struct sim_fn *fn)
{
	while (fn->holds) {
		struct sim_ep_hold *h = fn->holds;

		fn->holds = h->next;
		sim_clock_cancel(fn->ep->clk, h->event);
		free(h);
	}
}

void sim_fn_scrub(struct sim_fn *fn)
{
	if (fn->flr_event) {
		sim_clock_cancel(fn->ep->clk, fn->flr_event);
		fn->flr_event = 0;
	}
	fn->in_flr = false;
	sim_fn_drop_holds(fn);
	sim_sparse_fini(&fn->mem);
	/* the PF's reset clears VF Enable: its VFs go first */
	if (!fn->is_vf)
		sim_sriov_disable(fn->ep);
	sim_cfg_reset(&fn->cfg);
}

/* Link Status shows what the link negotiated (r6.0 7.5.3.8). */
static void sim_ep_sync_link(struct sim_ep *ep)
{
	uint16_t off = SIM_EP_CAP_EXP + PCI_EXP_LNKSTA;
	uint32_t sta;

	if (!sim_link_is_up(ep->port.link))
		return;
	sta = sim_cfg_read(&ep->pf.cfg, off, 2) &
	      ~(uint32_t)(PCI_EXP_LNKSTA_SPEED | PCI_EXP_LNKSTA_WIDTH);
	sta |= FM_FIELD_PREP(PCI_EXP_LNKSTA_SPEED,
			     sim_link_speed(ep->port.link)) |
	       FM_FIELD_PREP(PCI_EXP_LNKSTA_WIDTH,
			     sim_link_width(ep->port.link));
	sim_fn_poke(&ep->pf, off, 2, sta);
}

/* Reset the whole device now: PF to power-on state, VFs gone. */
static void sim_ep_reset(struct sim_ep *ep)
{
	sim_fn_scrub(&ep->pf);
	sim_sriov_apply_page_size(ep);
	sim_ep_decode_refresh(ep);
	sim_ep_sync_link(ep);
}

static void sim_fn_flr_done(void *arg)
{
	struct sim_fn *fn = arg;

	fn->flr_event = 0;
	fn->in_flr = false;
	fn->flr_count++;
}

/* Fault injection (sim_fn_inject_flr_hang()): does its FLR never end? */
static bool sim_fn_flr_hangs(const struct sim_fn *fn)
{
	unsigned bit = fn->is_vf ? fn->index + 1u : 0;

	return fn->ep->flr_hang[bit / 64] & (1ULL << (bit % 64));
}

/*
 * Function Level Reset (r6.0 6.6.2): the function's state is scrubbed at
 * once, and for FAB_FLR_TIME_NS it completes config requests with CRS and
 * ignores memory requests.
 */
static void sim_fn_flr_start(struct sim_fn *fn)
{
	char label[SIM_FN_LABEL_LEN];

	if (fn->is_vf)
		sim_fn_scrub(fn);
	else
		sim_ep_reset(fn->ep);
	fn->in_flr = true;
	if (sim_fn_flr_hangs(fn))
		return; /* a broken device: the FLR never ends */
	fn->flr_event = sim_clock_schedule(fn->ep->clk, FAB_FLR_TIME_NS,
					   sim_fn_flr_done, fn);
	if (!fn->flr_event) {
		FM_LOG(FM_LOG_ERROR,
		       "sim ep %s: %s: out of memory for FLR timer",
		       fn->ep->desc.name, sim_fn_label(label, fn));
		sim_fn_flr_done(fn);
	}
}

void sim_fn_inject_flr_hang(struct sim_fn *fn, bool hang)
{
	unsigned bit = fn->is_vf ? fn->index + 1u : 0;
	uint64_t *word = &fn->ep->flr_hang[bit / 64];

	if (hang)
		*word |= 1ULL << (bit % 64);
	else
		*word &= ~(1ULL << (bit % 64));
	if (!hang && fn->in_flr && !fn->flr_event)
		sim_fn_flr_done(fn);
}

/*
 * A function in FLR or a disabled VF issues no requests, so there is
 * nothing to hold: the call is ignored.
 */
void sim_fn_hold_transactions(struct sim_fn *fn, unsigned n, uint64_t ns)
{
	char label[SIM_FN_LABEL_LEN];
	struct sim_ep_hold *h;

	if (!fn->present || fn->in_flr || n == 0)
		return;
	h = calloc(1, sizeof(*h));
	if (h)
		h->event = sim_clock_schedule(fn->ep->clk, ns, sim_fn_hold_done,
					      h);
	if (!h || !h->event) {
		FM_LOG(FM_LOG_ERROR,
		       "sim ep %s: %s: out of memory holding %u requests",
		       fn->ep->desc.name, sim_fn_label(label, fn), n);
		free(h);
		return;
	}
	h->fn = fn;
	h->next = fn->holds;
	fn->holds = h;
	sim_fn_sync_trpnd(fn);
}

/* ---------------------------------------------------------------------
 * Config space: writes and their side effects.
 */

/* Device Control: Initiate Function Level Reset (r6.0 7.5.3.4). */
static void sim_fn_devctl_written(struct sim_fn *fn, uint32_t old, uint32_t val)
{
	(void)old;
	if (val & FAB_PCI_EXP_DEVCTL_FLR)
		sim_fn_flr_start(fn);
}

/*
 * PMCSR PowerState (PCI PM 1.2 3.2.4): D1 and D2 are not supported, and
 * writing an unsupported state changes nothing.
 */
static void sim_fn_pmcsr_written(struct sim_fn *fn, uint32_t old, uint32_t val)
{
	uint32_t state = FM_FIELD_GET(PCI_PM_CTRL_STATE_MASK, val);

	if (state == 1 || state == 2)
		sim_fn_poke(fn, SIM_EP_CAP_PM + PCI_PM_CTRL, 2,
			    (val & ~(uint32_t)PCI_PM_CTRL_STATE_MASK) |
				    (old & PCI_PM_CTRL_STATE_MASK));
}

/*
 * Registers whose writes have side effects, for every function (a VF has
 * no PM capability; its masks keep PMCSR read-only, so the hook sees no
 * change).  Each sits alone in its dword.  SR-IOV adds its own for PFs.
 * To add one: a hook that acts on (old, new) of the whole register.
 */
static const struct sim_ep_reg_hook sim_fn_hooks[] = {
	{ SIM_EP_CAP_EXP + PCI_EXP_DEVCTL, 2, sim_fn_devctl_written },
	{ SIM_EP_CAP_PM + PCI_PM_CTRL, 2, sim_fn_pmcsr_written },
};

#define SIM_EP_MAX_TOUCHED 4

struct sim_ep_touched {
	const struct sim_ep_reg_hook *hook;
	uint32_t old;
};

static unsigned sim_fn_collect_hooks(struct sim_ep_touched *t, unsigned n,
				     const struct sim_fn *fn,
				     const struct sim_ep_reg_hook *hooks,
				     unsigned nhooks, uint16_t off,
				     unsigned len)
{
	for (unsigned i = 0; i < nhooks && n < SIM_EP_MAX_TOUCHED; i++) {
		const struct sim_ep_reg_hook *h = &hooks[i];

		if (h->off >= off + len || off >= h->off + h->len)
			continue;
		t[n].hook = h;
		t[n].old = sim_cfg_read(&fn->cfg, h->off, h->len);
		n++;
	}
	return n;
}

/*
 * PF registers the decode cache is derived from (struct sim_ep): a PF
 * config write that touches one refreshes the cache once its hooks have
 * run.  NumVFs and System Page Size are not here: they change only while
 * VF Enable is clear, when no VF decodes, and setting VF Enable is a
 * write of SR-IOV Control.  To add one: list it here and read it in
 * sim_ep_decode_refresh() or sim_sriov_decode_refresh().
 */
static const struct sim_ep_decode_reg {
	uint16_t off;
	uint16_t len;
} sim_ep_decode_regs[] = {
	{ PCI_COMMAND, 2 },
	{ PCI_BASE_ADDRESS_0, 6 * 4 },
	{ SIM_EP_CAP_PM + PCI_PM_CTRL, 2 },
	{ SIM_EP_ECAP_SRIOV + PCI_IOV_CTRL, 2 },
	{ SIM_EP_ECAP_SRIOV + PCI_IOV_BAR_BASE, 6 * 4 },
};

static bool sim_ep_touches_decode(uint16_t off, unsigned len)
{
	for (size_t i = 0; i < FM_ARRAY_SIZE(sim_ep_decode_regs); i++) {
		const struct sim_ep_decode_reg *r = &sim_ep_decode_regs[i];

		if (off < r->off + r->len && r->off < off + len)
			return true;
	}
	return false;
}

void sim_ep_decode_refresh(struct sim_ep *ep)
{
	const struct sim_cfg *cfg = &ep->pf.cfg;
	bool on = sim_cfg_read(cfg, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY;

	/* PCI PM 1.2 5.4: in D3hot a function decodes config only */
	if (sim_cfg_read(cfg, SIM_EP_CAP_PM + PCI_PM_CTRL, 2) &
	    PCI_PM_CTRL_STATE_MASK)
		on = false;
	ep->npf_win = 0;
	for (unsigned i = 0; on && i < ep->nbars; i++) {
		const struct sim_ep_bar *b = &ep->bars[i];
		struct sim_ep_win *w = &ep->pf_win[ep->npf_win++];
		uint16_t reg = PCI_BASE_ADDRESS_0 + 4 * b->slot;

		w->base = sim_cfg_read(cfg, reg, 4) & ~0xfULL;
		if (b->mem64)
			w->base |= (uint64_t)sim_cfg_read(cfg, reg + 4, 4)
				   << 32;
		w->size = b->size;
		w->slot = b->slot;
		w->shift = b->shift;
	}
	sim_sriov_decode_refresh(ep);
}

/* A config write with hardware semantics; returns a completion status. */
static uint8_t sim_fn_cfg_write(struct sim_fn *fn, uint16_t off, unsigned len,
				uint32_t val)
{
	char label[SIM_FN_LABEL_LEN];
	struct sim_ep_touched t[SIM_EP_MAX_TOUCHED];
	unsigned n;

	n = sim_fn_collect_hooks(t, 0, fn, sim_fn_hooks,
				 FM_ARRAY_SIZE(sim_fn_hooks), off, len);
	if (!fn->is_vf && fn->ep->desc.total_vfs)
		n = sim_fn_collect_hooks(t, n, fn, sim_sriov_hooks,
					 sim_sriov_nhooks, off, len);
	if (sim_cfg_write(&fn->cfg, off, len, val) < 0) {
		FM_LOG(FM_LOG_ERROR,
		       "sim ep %s: %s: out of memory for config space",
		       fn->ep->desc.name, sim_fn_label(label, fn));
		return FAB_CPL_CA;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct sim_ep_reg_hook *h = t[i].hook;

		h->fn(fn, t[i].old, sim_cfg_read(&fn->cfg, h->off, h->len));
	}
	if (!fn->is_vf && sim_ep_touches_decode(off, len))
		sim_ep_decode_refresh(fn->ep);
	return FAB_CPL_SC;
}

uint32_t sim_fn_cfg_read(const struct sim_fn *fn, uint16_t off, unsigned len)
{
	if (!fn->present ||
	    fab_cfg_check_access(off, len, FAB_PCI_CFG_SPACE_EXP_SIZE, NULL))
		return len == 4 ? 0xffffffffu : (1u << (8 * len)) - 1;
	return sim_cfg_read(&fn->cfg, off, len);
}

/* ---------------------------------------------------------------------
 * Requests from the link.
 */

typedef int sim_ep_rx_fn(struct sim_ep *ep, const struct fab_tlp *req,
			 struct fab_tlp *cpl);

/* Not for this device: non-posted gets UR, posted is dropped. */
static int sim_ep_rx_unsupported(struct sim_ep *ep, const struct fab_tlp *req,
				 struct fab_tlp *cpl)
{
	if (!fab_tlp_is_nonposted(req))
		return SIM_RX_DROPPED;
	fab_tlp_complete(cpl, req, ep->pf.rid, FAB_CPL_UR);
	return SIM_RX_COMPLETED;
}

static struct sim_fn *sim_ep_fn_by_rid(struct sim_ep *ep, uint16_t rid)
{
	if (rid == ep->pf.rid)
		return &ep->pf;
	return sim_sriov_vf_by_rid(ep, rid);
}

/* Type 0 config read or write of the PF or an enabled VF. */
static int sim_ep_rx_cfg0(struct sim_ep *ep, const struct fab_tlp *req,
			  struct fab_tlp *cpl)
{
	struct sim_fn *fn = sim_ep_fn_by_rid(ep, req->cfg_target);
	uint16_t reg = req->cfg_reg;
	unsigned len = req->len;
	uint32_t val;
	uint8_t status;

	if (!fn ||
	    fab_cfg_check_access(reg, len, FAB_PCI_CFG_SPACE_EXP_SIZE, NULL))
		return sim_ep_rx_unsupported(ep, req, cpl);
	if (fn->in_flr) {
		fab_tlp_complete(cpl, req, fn->rid, FAB_CPL_CRS);
		return SIM_RX_COMPLETED;
	}
	if (req->type == FAB_TLP_CFG_WR0) {
		status = sim_fn_cfg_write(fn, reg, len, fab_tlp_cfg_value(req));
		fab_tlp_complete(cpl, req, fn->rid, status);
		return SIM_RX_COMPLETED;
	}
	val = sim_cfg_read(&fn->cfg, reg, len);
	fab_tlp_complete(cpl, req, fn->rid, FAB_CPL_SC);
	fab_tlp_set_cfg_value(cpl, val);
	return SIM_RX_COMPLETED;
}

/*
 * Decode a memory request of @len bytes at @addr with the decode cache:
 * the PF BARs in slot order, then the VF BARs, whose VF is found by a
 * shift, never a scan.  Returns the function that claims it, with *key
 * its BAR memory address (BAR number in bits 56+, then the offset); NULL
 * when nothing claims it or the function is in FLR.
 */
static struct sim_fn *sim_ep_decode(struct sim_ep *ep, uint64_t addr,
				    unsigned len, uint64_t *key)
{
	struct sim_fn *fn = NULL;
	uint64_t off = 0;
	uint8_t slot = 0;

	if (len == 0 || len > FAB_TLP_MAX_DATA)
		return NULL;
	for (unsigned i = 0; i < ep->npf_win && !fn; i++) {
		const struct sim_ep_win *w = &ep->pf_win[i];

		off = addr - w->base;
		if (addr >= w->base && off < w->size && len <= w->size - off) {
			fn = &ep->pf;
			slot = w->slot;
		}
	}
	for (unsigned i = 0; i < ep->nvf_win && !fn; i++) {
		const struct sim_ep_win *w = &ep->vf_win[i];
		uint64_t idx = (addr - w->base) >> w->shift;

		off = (addr - w->base) & (w->size - 1);
		if (addr >= w->base && idx < ep->num_vfs &&
		    len <= w->size - off) {
			fn = &ep->vfs[idx];
			slot = w->slot;
		}
	}
	if (!fn || fn->in_flr)
		return NULL;
	*key = (uint64_t)slot << SIM_EP_BAR_MAX_SHIFT | off;
	return fn;
}

static int sim_ep_rx_mem_read(struct sim_ep *ep, const struct fab_tlp *req,
			      struct fab_tlp *cpl)
{
	unsigned len = req->len;
	uint64_t key = 0;
	struct sim_fn *fn = sim_ep_decode(ep, req->addr, len, &key);

	if (!fn)
		return sim_ep_rx_unsupported(ep, req, cpl);
	fn->mem_requests++;
	/* @cpl may alias @req: everything needed was read above */
	fab_tlp_complete(cpl, req, fn->rid, FAB_CPL_SC);
	sim_sparse_read(&fn->mem, key, cpl->data, len);
	return SIM_RX_COMPLETED;
}

static int sim_ep_rx_mem_write(struct sim_ep *ep, const struct fab_tlp *req,
			       struct fab_tlp *cpl)
{
	char label[SIM_FN_LABEL_LEN];
	uint64_t key = 0;
	struct sim_fn *fn = sim_ep_decode(ep, req->addr, req->len, &key);

	(void)cpl;
	if (!fn)
		return SIM_RX_DROPPED;
	fn->mem_requests++;
	if (sim_sparse_write(&fn->mem, key, req->data, req->len) < 0) {
		FM_LOG(FM_LOG_ERROR,
		       "sim ep %s: %s: out of memory for BAR data",
		       ep->desc.name, sim_fn_label(label, fn));
		return SIM_RX_DROPPED;
	}
	return SIM_RX_ACCEPTED;
}

/* Messages (Set_Slot_Power_Limit, ...) are accepted and have no effect. */
static int sim_ep_rx_msg(struct sim_ep *ep, const struct fab_tlp *req,
			 struct fab_tlp *cpl)
{
	(void)ep;
	(void)req;
	(void)cpl;
	return SIM_RX_ACCEPTED;
}

/*
 * Requests by TLP type.  Type 1 config requests are for bridges, so an
 * endpoint refuses them; completions never arrive as requests (delivery
 * is synchronous).  NULL entries are unsupported.
 */
static sim_ep_rx_fn *const sim_ep_rx_table[FAB_TLP_TYPE_COUNT] = {
	[FAB_TLP_CFG_RD0] = sim_ep_rx_cfg0,
	[FAB_TLP_CFG_WR0] = sim_ep_rx_cfg0,
	[FAB_TLP_MEM_RD] = sim_ep_rx_mem_read,
	[FAB_TLP_MEM_WR] = sim_ep_rx_mem_write,
	[FAB_TLP_MSG] = sim_ep_rx_msg,
};

static int sim_ep_rx(struct sim_port *port, const struct fab_tlp *req,
		     struct fab_tlp *cpl)
{
	struct sim_ep *ep = port->owner;
	sim_ep_rx_fn *fn = NULL;

	/* with the link down the device is unreachable: nothing answers */
	if (req->type < FAB_TLP_TYPE_COUNT && sim_link_is_up(port->link))
		fn = sim_ep_rx_table[req->type];
	if (!fn)
		return sim_ep_rx_unsupported(ep, req, cpl);
	return fn(ep, req, cpl);
}

static void sim_ep_link_event(struct sim_port *port, bool up)
{
	if (up)
		sim_ep_sync_link(port->owner);
}

/* A hot reset (r6.0 6.6.1) resets the whole device, like a PF FLR. */
static void sim_ep_hot_reset(struct sim_port *port)
{
	sim_ep_reset(port->owner);
}

static const struct sim_port_ops sim_ep_port_ops = {
	.rx = sim_ep_rx,
	.link_event = sim_ep_link_event,
	.hot_reset = sim_ep_hot_reset,
};

/* ---------------------------------------------------------------------
 * DMA: requests the function sends upstream.
 */

/*
 * 0 when @fn may send requests upstream now; -FM_ESTATE when it is not
 * enabled, in FLR or lacks Bus Master Enable, -FM_EIO with the link down.
 */
static int sim_fn_check_master(const struct sim_fn *fn, struct fm_err *err)
{
	char label[SIM_FN_LABEL_LEN];

	sim_fn_label(label, fn);
	if (!fn->present)
		return fm_err_set(err, FM_ESTATE,
				  "sim ep %s: %s is not enabled",
				  fn->ep->desc.name, label);
	if (fn->in_flr)
		return fm_err_set(err, FM_ESTATE,
				  "sim ep %s: %s is in Function Level Reset",
				  fn->ep->desc.name, label);
	if (!(sim_cfg_read(&fn->cfg, PCI_COMMAND, 2) & PCI_COMMAND_MASTER))
		return fm_err_set(err, FM_ESTATE,
				  "sim ep %s: %s has Bus Master Enable clear",
				  fn->ep->desc.name, label);
	if (!sim_link_is_up(fn->ep->port.link))
		return fm_err_set(err, FM_EIO, "sim ep %s: link is down",
				  fn->ep->desc.name);
	return 0;
}

static int sim_fn_check_dma(const struct sim_fn *fn, uint64_t addr,
			    const void *buf, size_t len, struct fm_err *err)
{
	char label[SIM_FN_LABEL_LEN];

	if (!buf || len == 0 || addr + len - 1 < addr)
		return fm_err_set(err, FM_EINVAL,
				  "sim ep %s: %s: DMA of %zu bytes at %#llx: "
				  "empty or wrapping",
				  fn->ep->desc.name, sim_fn_label(label, fn),
				  len, (unsigned long long)addr);
	return sim_fn_check_master(fn, err);
}

/* Next request size: one TLP at most, never across 4 KiB (r6.0 2.2.7). */
static unsigned sim_fn_dma_chunk(uint64_t addr, size_t left)
{
	uint64_t to_page = 4096 - (addr & 4095);
	uint64_t n = left < FAB_TLP_MAX_DATA ? left : FAB_TLP_MAX_DATA;

	return (unsigned)(n < to_page ? n : to_page);
}

/*
 * DMA is split into TLPs of at most FAB_TLP_MAX_DATA bytes that never
 * cross 4 KiB.  Returns 0; -FM_EINVAL for an empty or wrapping range;
 * -FM_ESTATE when the function is not enabled, in FLR or lacks Bus
 * Master Enable; -FM_EIO with the link down.  Nothing is sent on error.
 * A read stops at the first failed completion: *status gets its status,
 * the rest of @buf all ones, and Status records Received Master Abort
 * (UR) or Received Target Abort (CA).
 */
int sim_fn_dma_write(struct sim_fn *fn, uint64_t addr, const void *buf,
		     size_t len, struct fm_err *err)
{
	const uint8_t *p = buf;
	struct fab_tlp tlp, cpl;
	int ret;

	ret = sim_fn_check_dma(fn, addr, buf, len, err);
	while (ret == 0 && len > 0) {
		unsigned n = sim_fn_dma_chunk(addr, len);

		ret = fab_tlp_mem_write(&tlp, fn->rid, addr, p, n, err);
		if (ret < 0)
			break;
		sim_port_tx(&fn->ep->port, &tlp, &cpl);
		p += n;
		addr += n;
		len -= n;
	}
	return ret;
}

/* Record a failed read completion in Status (r6.0 7.5.1.1.4). */
static void sim_fn_note_cpl(struct sim_fn *fn, uint8_t status)
{
	uint32_t bit = status == FAB_CPL_CA ? PCI_STATUS_REC_TARGET_ABORT
					    : PCI_STATUS_REC_MASTER_ABORT;

	sim_fn_poke(fn, PCI_STATUS, 2,
		    sim_cfg_read(&fn->cfg, PCI_STATUS, 2) | bit);
}

int sim_fn_dma_read(struct sim_fn *fn, uint64_t addr, void *buf, size_t len,
		    uint8_t *status, struct fm_err *err)
{
	uint8_t *p = buf;
	struct fab_tlp tlp, cpl;
	uint8_t st = FAB_CPL_SC;
	int ret;

	ret = sim_fn_check_dma(fn, addr, buf, len, err);
	while (ret == 0 && len > 0 && st == FAB_CPL_SC) {
		unsigned n = sim_fn_dma_chunk(addr, len);

		ret = fab_tlp_mem_read(&tlp, fn->rid, addr, n, err);
		if (ret < 0)
			break;
		tlp.tag = fn->tag++;
		/* no completion at all is a Completion Timeout: report UR */
		if (sim_port_tx(&fn->ep->port, &tlp, &cpl) != SIM_RX_COMPLETED)
			st = FAB_CPL_UR;
		else if (cpl.type != FAB_TLP_CPLD || cpl.status != FAB_CPL_SC)
			st = cpl.status != FAB_CPL_SC ? cpl.status : FAB_CPL_UR;
		if (st != FAB_CPL_SC) {
			sim_fn_note_cpl(fn, st);
			memset(p, 0xff, len);
			break;
		}
		memcpy(p, cpl.data, n);
		p += n;
		addr += n;
		len -= n;
	}
	if (ret == 0 && status)
		*status = st;
	return ret;
}

/* ---------------------------------------------------------------------
 * Queries.
 */

const char *sim_ep_name(const struct sim_ep *ep)
{
	return ep->desc.name;
}

struct sim_port *sim_ep_port(struct sim_ep *ep)
{
	return &ep->port;
}

uint8_t sim_ep_last_bus(const struct sim_ep *ep)
{
	return ep->last_bus;
}

struct sim_fn *sim_ep_pf(struct sim_ep *ep)
{
	return &ep->pf;
}

struct sim_fn *sim_ep_vf(struct sim_ep *ep, unsigned index)
{
	return index < ep->num_vfs ? &ep->vfs[index] : NULL;
}

unsigned sim_ep_num_vfs_enabled(const struct sim_ep *ep)
{
	return ep->num_vfs;
}

uint16_t sim_fn_rid(const struct sim_fn *fn)
{
	return fn->rid;
}

bool sim_fn_is_vf(const struct sim_fn *fn)
{
	return fn->is_vf;
}

bool sim_fn_in_flr(const struct sim_fn *fn)
{
	return fn->in_flr;
}

uint64_t sim_fn_flr_count(const struct sim_fn *fn)
{
	return fn->flr_count;
}

uint64_t sim_fn_mem_requests(const struct sim_fn *fn)
{
	return fn->mem_requests;
}

int sim_fn_mem_peek(struct sim_fn *fn, unsigned bar, uint64_t off, void *buf,
		    size_t len, struct fm_err *err)
{
	char label[SIM_FN_LABEL_LEN];
	const struct sim_ep *ep = fn->ep;
	const struct sim_ep_bar *bars = fn->is_vf ? ep->vf_bars : ep->bars;
	unsigned nbars = fn->is_vf ? ep->nvf_bars : ep->nbars;
	const struct sim_ep_bar *b = NULL;

	for (unsigned i = 0; i < nbars; i++)
		if (bars[i].slot == bar)
			b = &bars[i];
	if (!fn->present || !b)
		return fm_err_set(err, FM_ERANGE, "sim ep %s: %s has no BAR %u",
				  ep->desc.name, sim_fn_label(label, fn), bar);
	if (off > b->size || len > b->size - off)
		return fm_err_set(
			err, FM_ERANGE,
			"sim ep %s: %s: %zu bytes at %#llx beyond BAR "
			"%u of %#llx bytes",
			ep->desc.name, sim_fn_label(label, fn), len,
			(unsigned long long)off, bar,
			(unsigned long long)b->size);
	sim_sparse_read(&fn->mem, (uint64_t)bar << SIM_EP_BAR_MAX_SHIFT | off,
			buf, len);
	return 0;
}

static uint64_t sim_fn_footprint(const struct sim_fn *fn)
{
	uint64_t bytes = sim_sparse_bytes(&fn->mem);

	if (!fn->present)
		return 0;
	if (!fn->cfg.shared)
		bytes += FAB_PCI_CFG_SPACE_EXP_SIZE;
	for (const struct sim_ep_hold *h = fn->holds; h; h = h->next)
		bytes += sizeof(*h);
	return bytes;
}

uint64_t sim_ep_footprint(const struct sim_ep *ep)
{
	uint64_t bytes = sizeof(*ep) + ep->desc.total_vfs * sizeof(*ep->vfs);

	bytes += sim_fn_footprint(&ep->pf);
	for (unsigned i = 0; i < ep->num_vfs; i++)
		bytes += sim_fn_footprint(&ep->vfs[i]);
	return bytes;
}
