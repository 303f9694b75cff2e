/* SPDX-License-Identifier: MIT */
/*
 * sriov.c - the SR-IOV capability of a PF (PCI-SIG SR-IOV 1.1, ch. 2-3):
 * VF Enable and NumVFs rules, VF routing IDs, System Page Size and the
 * decode of VF BARs.
 *
 * VFs are found by arithmetic, never by a scan: VF i answers at
 * PF RID + First VF Offset + i * VF Stride (2.1.3), and VF i's part of VF
 * BAR n is [base + i * size, base + (i + 1) * size) (2.1.1.1); the bases
 * and sizes are cached in the device's decode cache (endpoint_int.h).
 */
#include "sim/endpoint_int.h"

static uint32_t sim_sriov_rd(const struct sim_ep *ep, uint16_t reg,
			     unsigned len)
{
	return sim_cfg_read(&ep->pf.cfg, SIM_EP_ECAP_SRIOV + reg, len);
}

static void sim_sriov_poke(struct sim_ep *ep, uint16_t reg, unsigned len,
			   uint32_t val)
{
	if (sim_cfg_poke(&ep->pf.cfg, SIM_EP_ECAP_SRIOV + reg, len, val) < 0)
		FM_LOG(FM_LOG_ERROR,
		       "sim ep %s: out of memory for config space at %#x",
		       ep->desc.name, SIM_EP_ECAP_SRIOV + reg);
}

uint16_t sim_sriov_vf_rid(const struct sim_ep *ep, unsigned i)
{
	return (uint16_t)(ep->pf.rid + ep->desc.first_vf_offset +
			  i * ep->desc.vf_stride);
}

/* VF Enable 0 -> 1 with a valid NumVFs: VFs 0..n-1 appear, reset. */
static void sim_sriov_enable(struct sim_ep *ep, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		sim_fn_setup(&ep->vfs[i], ep, true, (uint16_t)i,
			     sim_sriov_vf_rid(ep, i));
	ep->num_vfs = n;
	sim_sriov_decode_refresh(ep);
}

void sim_sriov_disable(struct sim_ep *ep)
{
	for (unsigned i = 0; i < ep->num_vfs; i++) {
		struct sim_fn *vf = &ep->vfs[i];

		sim_fn_scrub(vf);
		sim_cfg_fini(&vf->cfg);
		vf->present = false;
	}
	ep->num_vfs = 0;
	sim_sriov_decode_refresh(ep);
}

/*
 * SR-IOV Control (3.3.3).  VF Enable 0 -> 1 needs 1 <= NumVFs <= TotalVFs;
 * otherwise the write is refused whole, so the device changes nothing.
 * VF Enable 1 -> 0 removes every VF.  ARI Capable Hierarchy may change
 * only while VF Enable is clear (3.3.3.5).
 */
static void sim_sriov_ctrl_written(struct sim_fn *pf, uint32_t old,
				   uint32_t val)
{
	struct sim_ep *ep = pf->ep;
	unsigned numvfs;

	if ((old & PCI_IOV_CTRL_VFE) && ((old ^ val) & PCI_IOV_CTRL_ARI)) {
		val = (val & ~PCI_IOV_CTRL_ARI) | (old & PCI_IOV_CTRL_ARI);
		sim_sriov_poke(ep, PCI_IOV_CTRL, 2, val);
	}
	if (!(old & PCI_IOV_CTRL_VFE) && (val & PCI_IOV_CTRL_VFE)) {
		numvfs = sim_sriov_rd(ep, PCI_IOV_NUMVF, 2);
		if (numvfs == 0 || numvfs > ep->desc.total_vfs) {
			FM_LOG(FM_LOG_DEBUG,
			       "sim ep %s: VF Enable refused: NumVFs %u not "
			       "in 1..%u",
			       ep->desc.name, numvfs, ep->desc.total_vfs);
			sim_sriov_poke(ep, PCI_IOV_CTRL, 2, old);
			return;
		}
		sim_sriov_enable(ep, numvfs);
	} else if ((old & PCI_IOV_CTRL_VFE) && !(val & PCI_IOV_CTRL_VFE)) {
		sim_sriov_disable(ep);
	}
}

/* NumVFs (3.3.7) is read-only while VF Enable is set. */
static void sim_sriov_numvf_written(struct sim_fn *pf, uint32_t old,
				    uint32_t val)
{
	struct sim_ep *ep = pf->ep;

	if (old != val &&
	    (sim_sriov_rd(ep, PCI_IOV_CTRL, 2) & PCI_IOV_CTRL_VFE))
		sim_sriov_poke(ep, PCI_IOV_NUMVF, 2, old);
}

/*
 * System Page Size (3.3.13): exactly one supported size (the mask keeps
 * unsupported bits 0), changed only while VF Enable is clear; anything
 * else leaves the old value.
 */
static void sim_sriov_sysps_written(struct sim_fn *pf, uint32_t old,
				    uint32_t val)
{
	struct sim_ep *ep = pf->ep;

	if (old == val)
		return;
	if (val == 0 || (val & (val - 1)) ||
	    (sim_sriov_rd(ep, PCI_IOV_CTRL, 2) & PCI_IOV_CTRL_VFE)) {
		sim_sriov_poke(ep, PCI_IOV_SYSPS, 4, old);
		return;
	}
	sim_sriov_apply_page_size(ep);
}

void sim_sriov_apply_page_size(struct sim_ep *ep)
{
	uint32_t sysps = sim_sriov_rd(ep, PCI_IOV_SYSPS, 4);
	unsigned shift = SIM_EP_SRIOV_PAGE_SHIFT +
			 (sysps ? (unsigned)__builtin_ctz(sysps) : 0);

	for (unsigned i = 0; i < ep->nvf_bars; i++) {
		struct sim_ep_bar *b = &ep->vf_bars[i];
		uint16_t reg = PCI_IOV_BAR_BASE + 4 * b->slot;
		uint64_t size = ep->desc.vf_bar[b->slot].size;
		uint32_t lo;

		if (size < (1ULL << shift))
			size = 1ULL << shift;
		b->size = size;
		b->shift = (uint8_t)__builtin_ctzll(size);
		sim_ep_bar_masks(&ep->pf_masks, SIM_EP_ECAP_SRIOV + reg, size,
				 b->mem64);
		/* address bits that just became read-only read 0 */
		lo = sim_sriov_rd(ep, reg, 4);
		sim_sriov_poke(ep, reg, 4,
			       (lo & 0xfu) |
				       (lo & ~0xfu & (uint32_t) ~(size - 1)));
		if (b->mem64)
			sim_sriov_poke(ep, reg + 4, 4,
				       sim_sriov_rd(ep, reg + 4, 4) &
					       (uint32_t)(~(size - 1) >> 32));
	}
}

/*
 * PF register hooks.  Each hooked register sits alone in its dword, so a
 * config write runs at most one of them.
 */
const struct sim_ep_reg_hook sim_sriov_hooks[] = {
	{ SIM_EP_ECAP_SRIOV + PCI_IOV_CTRL, 2, sim_sriov_ctrl_written },
	{ SIM_EP_ECAP_SRIOV + PCI_IOV_NUMVF, 2, sim_sriov_numvf_written },
	{ SIM_EP_ECAP_SRIOV + PCI_IOV_SYSPS, 4, sim_sriov_sysps_written },
};
const unsigned sim_sriov_nhooks = FM_ARRAY_SIZE(sim_sriov_hooks);

struct sim_fn *sim_sriov_vf_by_rid(struct sim_ep *ep, uint16_t rid)
{
	uint32_t first = (uint32_t)ep->pf.rid + ep->desc.first_vf_offset;
	uint32_t d, i;

	if (ep->num_vfs == 0 || rid < first)
		return NULL;
	d = rid - first;
	if (ep->desc.vf_stride == 0) /* one VF only, checked at creation */
		return d == 0 ? &ep->vfs[0] : NULL;
	if (d % ep->desc.vf_stride)
		return NULL;
	i = d / ep->desc.vf_stride;
	return i < ep->num_vfs ? &ep->vfs[i] : NULL;
}

void sim_sriov_decode_refresh(struct sim_ep *ep)
{
	ep->nvf_win = 0;
	if (ep->num_vfs == 0 ||
	    !(sim_sriov_rd(ep, PCI_IOV_CTRL, 2) & PCI_IOV_CTRL_MSE))
		return;
	for (unsigned j = 0; j < ep->nvf_bars; j++) {
		const struct sim_ep_bar *b = &ep->vf_bars[j];
		struct sim_ep_win *w = &ep->vf_win[ep->nvf_win++];
		uint16_t reg = PCI_IOV_BAR_BASE + 4 * b->slot;

		w->base = sim_sriov_rd(ep, reg, 4) & ~0xfULL;
		if (b->mem64)
			w->base |= (uint64_t)sim_sriov_rd(ep, reg + 4, 4) << 32;
		w->size = b->size;
		w->slot = b->slot;
		w->shift = b->shift;
	}
}
