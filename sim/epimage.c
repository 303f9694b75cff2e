/* SPDX-License-Identifier: MIT */
/*
 * epimage.c - power-on config images and masks of endpoint functions.
 *
 * Two kinds per device: the PF, and its VFs (one image and one mask set
 * shared by every VF).  A VF differs from its PF as the SR-IOV spec (1.1
 * ch. 3) requires: Vendor and Device ID read FFFFh, BARs are RO 0 (the VF
 * BARs live in the PF's SR-IOV capability), Memory Space Enable is RO 0
 * (VF MSE governs decode), no INTx, no PM, and the link registers are
 * reserved (the PF's link is the VFs' link).
 *
 * Registers not named here read 0 and are read-only.
 */
#include "sim/endpoint_int.h"

#include <string.h>

#include "fabric/cfg.h"

/* Extended capability header (r6.0 7.6.3): ID, version 1, next pointer */
#define SIM_EP_ECAP_HDR(id, next)                                              \
	((uint32_t)(id) | (1u << 16) | ((uint32_t)(next) << 20))

/* Status bits set by hardware, cleared by writing 1 (r6.0 7.5.1.1.4) */
#define SIM_EP_STATUS_W1C                                                      \
	(PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT |                     \
	 PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT |           \
	 PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY)

/* Device Status error bits, RW1C (r6.0 7.5.3.5) */
#define SIM_EP_DEVSTA_W1C                                                      \
	(PCI_EXP_DEVSTA_CED | PCI_EXP_DEVSTA_NFED | PCI_EXP_DEVSTA_FED |       \
	 PCI_EXP_DEVSTA_URD)

/* One image under construction. */
struct sim_epimg {
	const struct sim_ep *ep;
	uint8_t *bytes;
	struct sim_cfg_masks *m;
	bool vf;
};

static void sim_epimg_set16(struct sim_epimg *img, uint16_t off, uint16_t v,
			    uint16_t wmask, uint16_t w1c)
{
	fab_cfg_wr16(img->bytes, off, v);
	fab_cfg_wr16(img->m->wmask, off, wmask);
	fab_cfg_wr16(img->m->w1cmask, off, w1c);
}

static void sim_epimg_set32(struct sim_epimg *img, uint16_t off, uint32_t v,
			    uint32_t wmask)
{
	fab_cfg_wr32(img->bytes, off, v);
	fab_cfg_wr32(img->m->wmask, off, wmask);
}

void sim_ep_bar_masks(struct sim_cfg_masks *m, uint16_t off, uint64_t size,
		      bool mem64)
{
	uint64_t addr_mask = ~(size - 1);

	fab_cfg_wr32(m->wmask, off, (uint32_t)addr_mask & ~0xfu);
	if (mem64)
		fab_cfg_wr32(m->wmask, off + 4, (uint32_t)(addr_mask >> 32));
}

/*
 * A memory BAR at @off as hardware sizes it: the type bits are read-only
 * and so are the address bits below the size, so writing all ones reads
 * back the size mask with the type bits (r6.0 7.5.1.2.1).
 */
static void sim_epimg_bar(struct sim_epimg *img, uint16_t off,
			  const struct sim_ep_bar *b, bool prefetch)
{
	uint32_t flags = PCI_BASE_ADDRESS_SPACE_MEMORY;

	if (b->mem64)
		flags |= PCI_BASE_ADDRESS_MEM_TYPE_64;
	if (prefetch)
		flags |= PCI_BASE_ADDRESS_MEM_PREFETCH;
	fab_cfg_wr32(img->bytes, off, flags);
	sim_ep_bar_masks(img->m, off, b->size, b->mem64);
}

/* Type 0 header (r6.0 7.5.1.1, 7.5.1.2). */
static void sim_epimg_header(struct sim_epimg *img, uint16_t cap_ptr)
{
	const struct sim_ep_desc *d = &img->ep->desc;
	uint16_t cmd_wmask =
		PCI_COMMAND_MASTER | PCI_COMMAND_PARITY | PCI_COMMAND_SERR;

	if (!img->vf)
		cmd_wmask |= PCI_COMMAND_MEMORY | PCI_COMMAND_DISABLE_INTx;
	fab_cfg_wr16(img->bytes, PCI_VENDOR_ID, img->vf ? 0xffff : d->vendor);
	fab_cfg_wr16(img->bytes, PCI_DEVICE_ID, img->vf ? 0xffff : d->device);
	sim_epimg_set16(img, PCI_COMMAND, 0, cmd_wmask, 0);
	sim_epimg_set16(img, PCI_STATUS, PCI_STATUS_CAP_LIST, 0,
			SIM_EP_STATUS_W1C);
	fab_cfg_wr32(img->bytes, PCI_CLASS_REVISION,
		     (d->class_code & 0xffffffu) << 8 | d->revision);
	if (!img->vf)
		img->m->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	img->bytes[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	fab_cfg_wr16(img->bytes, PCI_SUBSYSTEM_VENDOR_ID, d->subsys_vendor);
	fab_cfg_wr16(img->bytes, PCI_SUBSYSTEM_ID, d->subsys_device);
	img->bytes[PCI_CAPABILITY_LIST] = (uint8_t)cap_ptr;
	if (!img->vf) {
		img->m->wmask[PCI_INTERRUPT_LINE] = 0xff;
		img->bytes[PCI_INTERRUPT_PIN] = 1; /* INTA */
		for (unsigned i = 0; i < img->ep->nbars; i++) {
			const struct sim_ep_bar *b = &img->ep->bars[i];

			sim_epimg_bar(img, PCI_BASE_ADDRESS_0 + 4 * b->slot, b,
				      d->bar[b->slot].prefetch);
		}
	}
}

/* Power Management, version 3; D0 and D3hot only; No_Soft_Reset. */
static void sim_epimg_pm(struct sim_epimg *img, uint16_t off)
{
	fab_cfg_wr16(img->bytes, off + PCI_CAP_FLAGS, 3);
	sim_epimg_set16(img, off + PCI_PM_CTRL, PCI_PM_CTRL_NO_SOFT_RST,
			PCI_PM_CTRL_STATE_MASK, 0);
}

/* MSI with a 64-bit address and one vector (r6.0 7.7.1). */
static void sim_epimg_msi(struct sim_epimg *img, uint16_t off)
{
	sim_epimg_set16(img, off + PCI_MSI_FLAGS, PCI_MSI_FLAGS_64BIT,
			PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE, 0);
	sim_epimg_set32(img, off + PCI_MSI_ADDRESS_LO, 0, 0xfffffffcu);
	sim_epimg_set32(img, off + PCI_MSI_ADDRESS_HI, 0, 0xffffffffu);
	sim_epimg_set16(img, off + PCI_MSI_DATA_64, 0, 0xffff, 0);
}

/* PCI Express capability version 2, Endpoint (r6.0 7.5.3). */
static void sim_epimg_exp(struct sim_epimg *img, uint16_t off)
{
	const struct sim_ep_desc *d = &img->ep->desc;
	uint16_t lnksta =
		(uint16_t)(FM_FIELD_PREP(PCI_EXP_LNKSTA_SPEED, d->link_speed) |
			   FM_FIELD_PREP(PCI_EXP_LNKSTA_WIDTH, d->link_width) |
			   PCI_EXP_LNKSTA_SL_CLK);
	uint16_t devctl = PCI_EXP_DEVCTL_RELAXED | PCI_EXP_DEVCTL_NOSNOOP |
			  FM_FIELD_PREP(PCI_EXP_DEVCTL_READRQ, 2); /* 512 B */

	fab_cfg_wr16(
		img->bytes, off + PCI_EXP_FLAGS,
		2 | FM_FIELD_PREP(PCI_EXP_FLAGS_TYPE, PCI_EXP_TYPE_ENDPOINT));
	fab_cfg_wr32(img->bytes, off + PCI_EXP_DEVCAP,
		     FM_FIELD_PREP(PCI_EXP_DEVCAP_PAYLOAD, 1) | /* 256 B */
			     PCI_EXP_DEVCAP_EXT_TAG | PCI_EXP_DEVCAP_RBE |
			     PCI_EXP_DEVCAP_FLRESET);
	/* completion timeout range B, disable supported */
	fab_cfg_wr32(img->bytes, off + PCI_EXP_DEVCAP2,
		     0x2 | PCI_EXP_DEVCAP2_TIMEOUT_DIS);
	sim_epimg_set16(img, off + PCI_EXP_DEVSTA, 0, 0, SIM_EP_DEVSTA_W1C);
	if (img->vf) {
		/* SR-IOV 1.1 3.5.5: in a VF only Initiate FLR is its own */
		sim_epimg_set16(img, off + PCI_EXP_DEVCTL, 0,
				FAB_PCI_EXP_DEVCTL_FLR, 0);
		return;
	}
	sim_epimg_set16(
		img, off + PCI_EXP_DEVCTL, devctl,
		(uint16_t) ~(PCI_EXP_DEVCTL_PHANTOM | PCI_EXP_DEVCTL_AUX_PME),
		0);
	fab_cfg_wr32(
		img->bytes, off + PCI_EXP_LNKCAP,
		FM_FIELD_PREP(PCI_EXP_LNKCAP_SPEED, d->link_speed) |
			FM_FIELD_PREP(PCI_EXP_LNKCAP_WIDTH, d->link_width));
	sim_epimg_set16(img, off + PCI_EXP_LNKCTL, 0,
			PCI_EXP_LNKCTL_ASPM | PCI_EXP_LNKCTL_RCB |
				PCI_EXP_LNKCTL_CLOCK | PCI_EXP_LNKCTL_XSYNCH,
			0);
	fab_cfg_wr16(img->bytes, off + PCI_EXP_LNKSTA, lnksta);
	sim_epimg_set16(img, off + PCI_EXP_DEVCTL2, 0,
			0xf | PCI_EXP_DEVCTL2_TIMEOUT_DIS, 0);
	/* Supported Link Speeds Vector: every speed up to the maximum */
	fab_cfg_wr32(img->bytes, off + PCI_EXP_LNKCAP2,
		     ((1u << d->link_speed) - 1) << 1);
	sim_epimg_set16(img, off + PCI_EXP_LNKCTL2, d->link_speed, 0xf, 0);
}

/* SR-IOV (SR-IOV 1.1 3.3), in the PF only. */
static void sim_epimg_sriov(struct sim_epimg *img, uint16_t off)
{
	const struct sim_ep_desc *d = &img->ep->desc;

	sim_epimg_set16(img, off + PCI_IOV_CTRL, 0,
			PCI_IOV_CTRL_VFE | PCI_IOV_CTRL_MSE | PCI_IOV_CTRL_ARI,
			0);
	/* no VF Migration: InitialVFs equals TotalVFs (3.3.6) */
	fab_cfg_wr16(img->bytes, off + PCI_IOV_INITIALVF, d->total_vfs);
	fab_cfg_wr16(img->bytes, off + PCI_IOV_TOTALVF, d->total_vfs);
	sim_epimg_set16(img, off + PCI_IOV_NUMVF, 0, 0xffff, 0);
	fab_cfg_wr16(img->bytes, off + PCI_IOV_OFFSET, d->first_vf_offset);
	fab_cfg_wr16(img->bytes, off + PCI_IOV_STRIDE, d->vf_stride);
	fab_cfg_wr16(img->bytes, off + PCI_IOV_DID, d->vf_device);
	fab_cfg_wr32(img->bytes, off + PCI_IOV_SUPPS, SIM_EP_SRIOV_PAGE_SIZES);
	/* System Page Size powers on as 4 KiB; only supported sizes stick */
	sim_epimg_set32(img, off + PCI_IOV_SYSPS, 0x1, SIM_EP_SRIOV_PAGE_SIZES);
	for (unsigned i = 0; i < img->ep->nvf_bars; i++) {
		const struct sim_ep_bar *b = &img->ep->vf_bars[i];

		sim_epimg_bar(img, off + PCI_IOV_BAR_BASE + 4 * b->slot, b,
			      d->vf_bar[b->slot].prefetch);
	}
}

typedef void sim_epimg_cap_fn(struct sim_epimg *img, uint16_t off);

/*
 * The capabilities, in list order.  To add one: give it an offset in
 * endpoint_int.h that does not overlap its neighbours, a builder that
 * fills its registers and masks (the header and next pointer are done
 * here; NULL when every register reads 0), and say which kinds carry it.
 */
static const struct sim_epimg_cap {
	uint16_t off;
	uint16_t id; /* PCI_CAP_ID_* or PCI_EXT_CAP_ID_* */
	bool ext;
	bool in_pf;
	bool in_vf;
	bool sriov_only; /* only on devices with SR-IOV */
	sim_epimg_cap_fn *build;
} sim_epimg_caps[] = {
	{ SIM_EP_CAP_PM, PCI_CAP_ID_PM, false, true, false, false,
	  sim_epimg_pm },
	{ SIM_EP_CAP_MSI, PCI_CAP_ID_MSI, false, true, true, false,
	  sim_epimg_msi },
	{ SIM_EP_CAP_EXP, PCI_CAP_ID_EXP, false, true, true, false,
	  sim_epimg_exp },
	/* ARI (r6.0 7.8.8): one PF, so Capability and Control read 0 */
	{ SIM_EP_ECAP_ARI, PCI_EXT_CAP_ID_ARI, true, true, true, true, NULL },
	{ SIM_EP_ECAP_SRIOV, PCI_EXT_CAP_ID_SRIOV, true, true, false, true,
	  sim_epimg_sriov },
};

/* Build one kind: capabilities linked in table order, then the header. */
static void sim_epimg_build(struct sim_epimg *img)
{
	bool sriov = img->ep->desc.total_vfs > 0;
	uint16_t first = 0, prev = 0, prev_ext = 0;

	memset(img->bytes, 0, FAB_PCI_CFG_SPACE_EXP_SIZE);
	memset(img->m, 0, sizeof(*img->m));
	for (size_t i = 0; i < FM_ARRAY_SIZE(sim_epimg_caps); i++) {
		const struct sim_epimg_cap *c = &sim_epimg_caps[i];

		if (!(img->vf ? c->in_vf : c->in_pf) ||
		    (c->sriov_only && !sriov))
			continue;
		if (c->ext) {
			if (prev_ext)
				fab_cfg_wr32(
					img->bytes, prev_ext,
					fab_cfg_rd32(img->bytes, prev_ext) |
						(uint32_t)c->off << 20);
			fab_cfg_wr32(img->bytes, c->off,
				     SIM_EP_ECAP_HDR(c->id, 0));
			prev_ext = c->off;
		} else {
			if (prev)
				img->bytes[prev + PCI_CAP_LIST_NEXT] =
					(uint8_t)c->off;
			else
				first = c->off;
			img->bytes[c->off + PCI_CAP_LIST_ID] = (uint8_t)c->id;
			prev = c->off;
		}
		if (c->build)
			c->build(img, c->off);
	}
	sim_epimg_header(img, first);
}

void sim_ep_build_images(struct sim_ep *ep)
{
	struct sim_epimg pf = { ep, ep->pf_image, &ep->pf_masks, false };
	struct sim_epimg vf = { ep, ep->vf_image, &ep->vf_masks, true };

	sim_epimg_build(&pf);
	sim_epimg_build(&vf);
}
