/* SPDX-License-Identifier: MIT */
/*
 * blade.c - a simulated blade: a host root complex with a host bridge at
 * 00:00.0 and one PCIe Root Port at 00:01.0 cabled to a switch, its RAM,
 * MSI delivery, and the host OS's PCI enumerator.
 *
 * Host accesses: ECAM config requests for bus 0 are answered here; those
 * for a bus in the root port's secondary..subordinate range go out of the
 * root port as config TLPs (type 0 for its secondary bus, type 1 beyond);
 * memory requests inside the root port's windows go out as memory TLPs.
 * Requests from the link (DMA) are completed from host RAM (sparse, pages
 * on first write), or are MSIs when they hit the MSI window.
 *
 * The enumerator does what Linux does at boot (drivers/pci/probe.c and
 * setup-bus.c): a depth-first walk through config requests that numbers
 * buses in order, sizes BARs, sizes bridge windows bottom-up, places them
 * top-down in the blade's apertures, programs everything and enables
 * memory decode and bus mastering.  What it found is the host's device
 * list, kept in depth-first order (each bridge followed by everything
 * below it).  Hot-plug capable downstream ports then get the pciehp-like
 * driver of pciehp.c.
 *
 * A function answering CRS stops the walk; the walk starts over after the
 * wait Linux would sleep (see struct sim_blade_crs).  Starting over gives
 * the same bus numbers and the same result, on the same virtual time.
 */
#include "sim/blade_int.h"

#include <stdlib.h>
#include <string.h>

#include "sim/sparsemem_int.h"

#define BLADE_HB_RID FAB_RID(0, 0, 0)
#define BLADE_RP_RID FAB_RID(0, 1, 0)
#define BLADE_NO_PARENT 0xffff

/* Config layout of the root port: one PCI Express capability. */
#define BLADE_RP_EXP 0x40

#define BLADE_CLASS_HOST_BRIDGE 0x060000
#define BLADE_CLASS_PCI_BRIDGE 0x060400

/* Vendor ID a root complex returns for a CRS completion (r6.0 2.3.2). */
#define BLADE_CRS_VENDOR 0x0001

/* Boot: how long and how often to look for the root port's link. */
#define BLADE_LINK_WAIT_NS FAB_NS_PER_S
#define BLADE_LINK_POLL_NS (10 * FAB_NS_PER_MS)

/* Bridge memory windows are 1 MiB granular (PCI-PCI Bridge r1.2 3.2.5.8). */
#define BLADE_WIN_GRAN (1ULL << 20)

/* x86 MSI vectors the host hands out (0x00-0x2f and 0xf0+ are reserved). */
#define BLADE_MSI_FIRST 0x30
#define BLADE_MSI_LAST 0xef
#define BLADE_MSI_VECTORS 256

enum blade_win {
	BLADE_WIN_MEM = 0, /* 32-bit non-prefetchable window */
	BLADE_WIN_PREF,	   /* 64-bit prefetchable window */
	BLADE_WIN_COUNT
};

/* One enumerated function: what the host shows, plus enumerator state. */
struct blade_dev {
	struct sim_host_dev pub;
	uint16_t exp; /* PCI Express capability offset, 0 if none */
	bool pref64;  /* bridge implements a 64-bit prefetchable window */
	bool pref_ok; /* ... and it and every bridge above may use it */
	uint64_t win_size[BLADE_WIN_COUNT]; /* bridges: sized windows */
	uint64_t win_align[BLADE_WIN_COUNT];
};

struct blade_devlist {
	struct blade_dev *v;
	unsigned n;
	unsigned cap;
};

enum blade_state {
	BLADE_DOWN = 0,	 /* not booted */
	BLADE_WAIT_LINK, /* booting: waiting for the root port's link */
	BLADE_ENUM,	 /* booting: enumeration waits for a CRS device */
	BLADE_UP,	 /* enumerated; hot-plug drivers running */
};

struct blade_msi {
	sim_blade_msi_fn *fn;
	void *arg;
};

struct sim_blade {
	struct sim_blade_desc desc;
	struct sim_clock *clk;
	struct sim_port port; /* the root port's end of its link */
	struct sim_cfg hb;    /* 00:00.0 */
	struct sim_cfg rp;    /* 00:01.0 */
	struct sim_cfg_masks hb_masks;
	struct sim_cfg_masks rp_masks;
	uint8_t hb_image[FAB_PCI_CFG_SPACE_EXP_SIZE];
	uint8_t rp_image[FAB_PCI_CFG_SPACE_EXP_SIZE];
	struct sim_sparse ram;
	uint64_t irqs;
	struct blade_msi msi[BLADE_MSI_VECTORS];
	struct blade_devlist devs;
	enum blade_state state;
	uint64_t boot_started;
	uint64_t boot_event; /* pending link poll or CRS retry, 0 if none */
	struct sim_blade_crs crs;
	struct sim_pciehp **hp;
	unsigned nhp;
	bool ignore_removal;
	struct sim_hp_record *log;
	unsigned nlog;
	unsigned log_cap;
};

static uint32_t blade_ones(unsigned len)
{
	return len >= 4 ? 0xffffffffu : (1u << (8 * len)) - 1;
}

static uint64_t blade_align_up(uint64_t v, uint64_t align)
{
	uint64_t r = (v + align - 1) & ~(align - 1);

	return r < v ? UINT64_MAX : r;
}

/* ---------------------------------------------------------------------
 * Config spaces of the host bridge and the root port.
 */

static void blade_mask(uint8_t *mask, uint16_t off, unsigned len, uint32_t bits)
{
	for (unsigned i = 0; i < len; i++)
		mask[off + i] = (uint8_t)(bits >> (8 * i));
}

static void blade_build_hb(struct sim_blade *b)
{
	uint8_t *c = b->hb_image;

	/* the simulated part numbers its host bridge just below its root port */
	fab_cfg_wr16(c, PCI_VENDOR_ID, b->desc.rp_vendor);
	fab_cfg_wr16(c, PCI_DEVICE_ID, (uint16_t)(b->desc.rp_device - 1));
	fab_cfg_wr16(c, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	fab_cfg_wr32(c, PCI_CLASS_REVISION, BLADE_CLASS_HOST_BRIDGE << 8);
	fab_cfg_wr8(c, PCI_HEADER_TYPE, PCI_HEADER_TYPE_NORMAL);
	/* every bit read-only: masks stay zero */
}

static void blade_build_rp(struct sim_blade *b)
{
	const struct sim_blade_desc *d = &b->desc;
	uint8_t *c = b->rp_image;
	uint8_t *w = b->rp_masks.wmask;
	uint8_t *w1c = b->rp_masks.w1cmask;
	const uint16_t x = BLADE_RP_EXP;
	const uint32_t err_bits =
		PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT |
		PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT |
		PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY;

	fab_cfg_wr16(c, PCI_VENDOR_ID, d->rp_vendor);
	fab_cfg_wr16(c, PCI_DEVICE_ID, d->rp_device);
	fab_cfg_wr16(c, PCI_STATUS, PCI_STATUS_CAP_LIST);
	fab_cfg_wr32(c, PCI_CLASS_REVISION, BLADE_CLASS_PCI_BRIDGE << 8);
	fab_cfg_wr8(c, PCI_HEADER_TYPE, PCI_HEADER_TYPE_BRIDGE);
	/* no I/O window: I/O Base/Limit read zero and are read-only */
	fab_cfg_wr16(c, PCI_PREF_MEMORY_BASE, PCI_PREF_RANGE_TYPE_64);
	fab_cfg_wr16(c, PCI_PREF_MEMORY_LIMIT, PCI_PREF_RANGE_TYPE_64);
	fab_cfg_wr8(c, PCI_CAPABILITY_LIST, x);

	blade_mask(w, PCI_COMMAND, 2,
		   PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			   PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
			   PCI_COMMAND_DISABLE_INTx);
	blade_mask(w1c, PCI_STATUS, 2, err_bits);
	blade_mask(w, PCI_PRIMARY_BUS, 3, 0xffffff);
	blade_mask(w1c, PCI_SEC_STATUS, 2, err_bits);
	blade_mask(w, PCI_MEMORY_BASE, 2, 0xfff0);
	blade_mask(w, PCI_MEMORY_LIMIT, 2, 0xfff0);
	blade_mask(w, PCI_PREF_MEMORY_BASE, 2, 0xfff0);
	blade_mask(w, PCI_PREF_MEMORY_LIMIT, 2, 0xfff0);
	blade_mask(w, PCI_PREF_BASE_UPPER32, 4, 0xffffffff);
	blade_mask(w, PCI_PREF_LIMIT_UPPER32, 4, 0xffffffff);
	blade_mask(w, PCI_INTERRUPT_LINE, 1, 0xff);
	blade_mask(w, PCI_BRIDGE_CONTROL, 2,
		   PCI_BRIDGE_CTL_PARITY | PCI_BRIDGE_CTL_SERR |
			   PCI_BRIDGE_CTL_NO_ISA | PCI_BRIDGE_CTL_VGA |
			   PCI_BRIDGE_CTL_VGA_16BIT |
			   PCI_BRIDGE_CTL_MASTER_ABORT);

	/* PCI Express capability, version 2, Root Port, no slot */
	fab_cfg_wr8(c, x + PCI_CAP_LIST_ID, PCI_CAP_ID_EXP);
	fab_cfg_wr16(c, x + PCI_EXP_FLAGS,
		     FM_FIELD_PREP(PCI_EXP_FLAGS_VERS, 2) |
			     FM_FIELD_PREP(PCI_EXP_FLAGS_TYPE,
					   PCI_EXP_TYPE_ROOT_PORT));
	fab_cfg_wr32(c, x + PCI_EXP_DEVCAP,
		     FM_FIELD_PREP(PCI_EXP_DEVCAP_PAYLOAD, 1) |
			     PCI_EXP_DEVCAP_RBE);
	blade_mask(w, x + PCI_EXP_DEVCTL, 2, 0x7fff);
	blade_mask(w1c, x + PCI_EXP_DEVSTA, 2, 0x000f);
	fab_cfg_wr32(
		c, x + PCI_EXP_LNKCAP,
		FM_FIELD_PREP(PCI_EXP_LNKCAP_SPEED, d->link_speed) |
			FM_FIELD_PREP(PCI_EXP_LNKCAP_WIDTH, d->link_width) |
			PCI_EXP_LNKCAP_DLLA |
			FM_FIELD_PREP(PCI_EXP_LNKCAP_PORT, 1));
	blade_mask(w, x + PCI_EXP_LNKCTL, 2, 0x0fc3);
	/* Root Control: error forwarding, PME, CRS Software Visibility */
	blade_mask(w, x + PCI_EXP_RTCTL, 2,
		   PCI_EXP_RTCTL_SECEE | PCI_EXP_RTCTL_SENFEE |
			   PCI_EXP_RTCTL_SEFEE | PCI_EXP_RTCTL_PMEIE |
			   PCI_EXP_RTCTL_CRSVIS);
	fab_cfg_wr16(c, x + PCI_EXP_RTCAP, PCI_EXP_RTCAP_CRSVIS);
	fab_cfg_wr32(c, x + PCI_EXP_DEVCAP2, PCI_EXP_DEVCAP2_ARI);
	/* Completion Timeout Value/Disable and ARI Forwarding Enable */
	blade_mask(w, x + PCI_EXP_DEVCTL2, 2, 0x001f | PCI_EXP_DEVCTL2_ARI);
	fab_cfg_wr32(c, x + PCI_EXP_LNKCAP2,
		     (((1u << d->link_speed) - 1) << 1) & 0xfe);
	fab_cfg_wr16(c, x + PCI_EXP_LNKCTL2, d->link_speed);
	blade_mask(w, x + PCI_EXP_LNKCTL2, 2, 0x000f);
}

/* Link Status follows the link (r6.0 7.5.3.8). */
static void blade_rp_sync_link(struct sim_blade *b)
{
	const struct sim_link *l = b->port.link;
	uint32_t sta = 0;

	if (sim_link_is_up(l))
		sta = PCI_EXP_LNKSTA_DL_ACT |
		      FM_FIELD_PREP(PCI_EXP_LNKSTA_SPEED, sim_link_speed(l)) |
		      FM_FIELD_PREP(PCI_EXP_LNKSTA_WIDTH, sim_link_width(l));
	if (sim_cfg_poke(&b->rp, BLADE_RP_EXP + PCI_EXP_LNKSTA, 2, sta) < 0)
		FM_LOG(FM_LOG_ERROR,
		       "sim blade %s: out of memory for root port config",
		       b->desc.name);
}

static uint32_t blade_rp_rd(const struct sim_blade *b, uint16_t off,
			    unsigned len)
{
	return sim_cfg_read(&b->rp, off, len);
}

/* ---------------------------------------------------------------------
 * Host config accesses (ECAM).
 */

static struct sim_cfg *blade_local_cfg(struct sim_blade *b, uint16_t rid)
{
	switch (rid) {
	case BLADE_HB_RID:
		return &b->hb;
	case BLADE_RP_RID:
		return &b->rp;
	default:
		return NULL;
	}
}

/* Does the root port forward config requests for @bus, and as type 1? */
static bool blade_rp_routes_bus(const struct sim_blade *b, uint8_t bus,
				bool *type1)
{
	uint8_t sec = (uint8_t)blade_rp_rd(b, PCI_SECONDARY_BUS, 1);
	uint8_t sub = (uint8_t)blade_rp_rd(b, PCI_SUBORDINATE_BUS, 1);

	if (sec == 0 || bus < sec || bus > sub)
		return false;
	*type1 = bus != sec;
	return true;
}

/*
 * With CRS Software Visibility enabled, a CRS completion of a read that
 * covers the Vendor ID returns 0x0001 there and all ones elsewhere
 * (r6.0 2.3.2).  Any other request would be re-issued by the root complex
 * until it succeeds; the model ends that at once with all ones (a retry
 * limit expired), because config requests here take no virtual time.
 */
static uint32_t blade_crs_value(const struct sim_blade *b, uint16_t reg,
				unsigned len)
{
	uint32_t rtctl = blade_rp_rd(b, BLADE_RP_EXP + PCI_EXP_RTCTL, 2);

	if (reg != PCI_VENDOR_ID || len < 2 || !(rtctl & PCI_EXP_RTCTL_CRSVIS))
		return blade_ones(len);
	return (blade_ones(len) & ~0xffffu) | BLADE_CRS_VENDOR;
}

uint32_t sim_blade_cfg_rd(struct sim_blade *b, uint16_t rid, uint16_t reg,
			  unsigned len)
{
	struct fab_tlp tlp, cpl;
	struct sim_cfg *cfg;
	bool type1 = false;

	if (FAB_RID_BUS(rid) == 0) {
		cfg = blade_local_cfg(b, rid);
		return cfg ? sim_cfg_read(cfg, reg, len) : blade_ones(len);
	}
	if (!blade_rp_routes_bus(b, FAB_RID_BUS(rid), &type1) ||
	    fab_tlp_cfg_read(&tlp, type1, BLADE_RP_RID, rid, reg, len, NULL) <
		    0)
		return blade_ones(len);
	if (sim_port_tx(&b->port, &tlp, &cpl) != SIM_RX_COMPLETED)
		return blade_ones(len);
	switch (cpl.status) {
	case FAB_CPL_SC:
		return fab_tlp_cfg_value(&cpl) & blade_ones(len);
	case FAB_CPL_CRS:
		return blade_crs_value(b, reg, len);
	default:
		return blade_ones(len);
	}
}

void sim_blade_cfg_wr(struct sim_blade *b, uint16_t rid, uint16_t reg,
		      unsigned len, uint32_t val)
{
	struct fab_tlp tlp, cpl;
	struct sim_cfg *cfg;
	bool type1 = false;

	if (FAB_RID_BUS(rid) == 0) {
		cfg = blade_local_cfg(b, rid);
		if (cfg && sim_cfg_write(cfg, reg, len, val) < 0)
			FM_LOG(FM_LOG_ERROR,
			       "sim blade %s: out of memory for config of "
			       "00:%02x.%x",
			       b->desc.name, FAB_RID_DEV(rid), FAB_RID_FN(rid));
		return;
	}
	if (!blade_rp_routes_bus(b, FAB_RID_BUS(rid), &type1) ||
	    fab_tlp_cfg_write(&tlp, type1, BLADE_RP_RID, rid, reg, len, val,
			      NULL) < 0)
		return;
	sim_port_tx(&b->port, &tlp, &cpl);
}

static uint32_t blade_reader_read(void *ctx, uint16_t off, unsigned len)
{
	struct sim_blade_reader *br = ctx;

	return sim_blade_cfg_rd(br->b, br->rid, off, len);
}

void sim_blade_reader_init(struct sim_blade_reader *br, struct sim_blade *b,
			   uint16_t rid)
{
	br->r.read = blade_reader_read;
	br->r.ctx = br;
	br->b = b;
	br->rid = rid;
}

static uint16_t blade_find_cap(struct sim_blade *b, uint16_t rid, uint8_t id)
{
	struct sim_blade_reader br;
	uint16_t off = 0;

	sim_blade_reader_init(&br, b, rid);
	if (fab_cfg_find_cap(&off, &br.r, id, NULL) < 0)
		return 0;
	return off;
}

static uint16_t blade_find_ecap(struct sim_blade *b, uint16_t rid, uint16_t id)
{
	struct sim_blade_reader br;
	uint16_t off = 0;

	sim_blade_reader_init(&br, b, rid);
	if (fab_cfg_find_ecap(&off, &br.r, id, NULL) < 0)
		return 0;
	return off;
}

static int blade_check_cfg(const struct sim_blade *b, const char *what,
			   uint16_t rid, uint16_t reg, unsigned len,
			   struct fm_err *err)
{
	char name[FAB_RID_STR_LEN];

	if (fab_cfg_check_access(reg, len, FAB_PCI_CFG_SPACE_EXP_SIZE, NULL) ==
	    0)
		return 0;
	return fm_err_set(err, FM_EINVAL,
			  "sim blade %s: config %s of %s at 0x%x, %u bytes: "
			  "length must be 1, 2 or 4, naturally aligned, "
			  "below 0x1000",
			  b->desc.name, what, fab_rid_format(name, rid), reg,
			  len);
}

int sim_blade_cfg_read(struct sim_blade *b, uint16_t rid, uint16_t reg,
		       unsigned len, uint32_t *val, struct fm_err *err)
{
	int ret;

	ret = blade_check_cfg(b, "read", rid, reg, len, err);
	if (ret < 0)
		return ret;
	*val = sim_blade_cfg_rd(b, rid, reg, len);
	return 0;
}

int sim_blade_cfg_write(struct sim_blade *b, uint16_t rid, uint16_t reg,
			unsigned len, uint32_t val, struct fm_err *err)
{
	int ret;

	ret = blade_check_cfg(b, "write", rid, reg, len, err);
	if (ret < 0)
		return ret;
	sim_blade_cfg_wr(b, rid, reg, len, val);
	return 0;
}

/* ---------------------------------------------------------------------
 * Memory: the root port's windows, MMIO, host RAM, MSI.
 */

/* The memory (non-prefetchable) window of a bridge config image. */
static bool blade_rp_mem_window(const struct sim_blade *b, uint64_t *base,
				uint64_t *limit)
{
	*base = (uint64_t)(blade_rp_rd(b, PCI_MEMORY_BASE, 2) & 0xfff0) << 16;
	*limit = (uint64_t)(blade_rp_rd(b, PCI_MEMORY_LIMIT, 2) & 0xfff0)
			 << 16 |
		 0xfffff;
	return *base <= *limit;
}

static bool blade_rp_pref_window(const struct sim_blade *b, uint64_t *base,
				 uint64_t *limit)
{
	*base = (uint64_t)(blade_rp_rd(b, PCI_PREF_MEMORY_BASE, 2) & 0xfff0)
			<< 16 |
		(uint64_t)blade_rp_rd(b, PCI_PREF_BASE_UPPER32, 4) << 32;
	*limit = (uint64_t)(blade_rp_rd(b, PCI_PREF_MEMORY_LIMIT, 2) & 0xfff0)
			 << 16 |
		 0xfffff |
		 (uint64_t)blade_rp_rd(b, PCI_PREF_LIMIT_UPPER32, 4) << 32;
	return *base <= *limit;
}

/* Does [addr, addr + len) fall in one of the root port's windows? */
static bool blade_rp_claims(const struct sim_blade *b, uint64_t addr,
			    size_t len)
{
	uint64_t base, limit, last = addr + len - 1;

	if (!(blade_rp_rd(b, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY))
		return false;
	if (blade_rp_mem_window(b, &base, &limit) && addr >= base &&
	    last <= limit)
		return true;
	return blade_rp_pref_window(b, &base, &limit) && addr >= base &&
	       last <= limit;
}

static int blade_check_mmio(const struct sim_blade *b, const char *what,
			    uint64_t addr, const void *buf, size_t len,
			    struct fm_err *err)
{
	if (buf && len >= 1 && len <= FAB_TLP_MAX_DATA && addr + len > addr)
		return 0;
	return fm_err_set(err, FM_EINVAL,
			  "sim blade %s: mmio %s of %zu bytes at 0x%llx: "
			  "length must be 1..%u, with a buffer, not wrapping",
			  b->desc.name, what, len, (unsigned long long)addr,
			  FAB_TLP_MAX_DATA);
}

int sim_blade_mmio_read(struct sim_blade *b, uint64_t addr, void *buf,
			size_t len, uint8_t *status, struct fm_err *err)
{
	struct fab_tlp tlp, cpl;
	uint8_t st = FAB_CPL_UR;
	int ret;

	ret = blade_check_mmio(b, "read", addr, buf, len, err);
	if (ret < 0)
		return ret;
	if (blade_rp_claims(b, addr, len) &&
	    fab_tlp_mem_read(&tlp, BLADE_RP_RID, addr, (unsigned)len, NULL) ==
		    0 &&
	    sim_port_tx(&b->port, &tlp, &cpl) == SIM_RX_COMPLETED)
		st = cpl.status;
	if (st == FAB_CPL_SC)
		memcpy(buf, cpl.data, len);
	else
		memset(buf, 0xff, len);
	if (status)
		*status = st;
	return 0;
}

int sim_blade_mmio_write(struct sim_blade *b, uint64_t addr, const void *buf,
			 size_t len, struct fm_err *err)
{
	struct fab_tlp tlp, cpl;
	int ret;

	ret = blade_check_mmio(b, "write", addr, buf, len, err);
	if (ret < 0)
		return ret;
	/* a posted write nothing decodes is lost, as on hardware */
	if (blade_rp_claims(b, addr, len) &&
	    fab_tlp_mem_write(&tlp, BLADE_RP_RID, addr, buf, (unsigned)len,
			      NULL) == 0)
		sim_port_tx(&b->port, &tlp, &cpl);
	return 0;
}

int sim_blade_ram_read(struct sim_blade *b, uint64_t addr, void *buf,
		       size_t len, struct fm_err *err)
{
	if (len == 0)
		return 0;
	if (!buf || addr + len - 1 < addr)
		return fm_err_set(err, FM_ERANGE,
				  "sim blade %s: ram read of %zu bytes at "
				  "0x%llx wraps or has no buffer",
				  b->desc.name, len, (unsigned long long)addr);
	sim_sparse_read(&b->ram, addr, buf, len);
	return 0;
}

uint64_t sim_blade_irq_count(const struct sim_blade *b)
{
	return b->irqs;
}

int sim_blade_msi_alloc(uint8_t *vector, struct sim_blade *b,
			sim_blade_msi_fn *fn, void *arg, struct fm_err *err)
{
	for (unsigned v = BLADE_MSI_FIRST; v <= BLADE_MSI_LAST; v++) {
		if (b->msi[v].fn)
			continue;
		b->msi[v].fn = fn;
		b->msi[v].arg = arg;
		*vector = (uint8_t)v;
		return 0;
	}
	return fm_err_set(err, FM_ENOSPC, "sim blade %s: no free MSI vector",
			  b->desc.name);
}

void sim_blade_msi_free(struct sim_blade *b, uint8_t vector)
{
	b->msi[vector].fn = NULL;
	b->msi[vector].arg = NULL;
}

static void blade_msi_deliver(struct sim_blade *b, uint32_t data)
{
	const struct blade_msi *m = &b->msi[data & 0xff];

	b->irqs++;
	if (m->fn)
		m->fn(m->arg);
	else
		FM_LOG(FM_LOG_DEBUG, "sim blade %s: spurious MSI 0x%x",
		       b->desc.name, data);
}

/*
 * Requests from below may reach host memory only while the root port's
 * Bus Master Enable is set (r6.0 7.5.1.1.3), and never the root port's
 * own windows: the model has no peer-to-peer routing in the root complex.
 */
static bool blade_dma_allowed(const struct sim_blade *b, uint64_t addr,
			      unsigned len)
{
	if (!(blade_rp_rd(b, PCI_COMMAND, 2) & PCI_COMMAND_MASTER))
		return false;
	return !blade_rp_claims(b, addr, len);
}

typedef int blade_rx_fn(struct sim_blade *b, const struct fab_tlp *req,
			struct fab_tlp *cpl);

static int blade_rx_unsupported(struct sim_blade *b, const struct fab_tlp *req,
				struct fab_tlp *cpl)
{
	(void)b;
	if (!fab_tlp_is_nonposted(req))
		return SIM_RX_DROPPED;
	fab_tlp_complete(cpl, req, BLADE_RP_RID, FAB_CPL_UR);
	return SIM_RX_COMPLETED;
}

static int blade_rx_mem_write(struct sim_blade *b, const struct fab_tlp *req,
			      struct fab_tlp *cpl)
{
	(void)cpl;
	if (!blade_dma_allowed(b, req->addr, req->len))
		return SIM_RX_DROPPED;
	if (fab_tlp_is_msi(req)) {
		/* an MSI is one dword; anything else there is malformed */
		if (req->len != 4)
			return SIM_RX_DROPPED;
		blade_msi_deliver(b, fab_cfg_rd32(req->data, 0));
		return SIM_RX_ACCEPTED;
	}
	if (sim_sparse_write(&b->ram, req->addr, req->data, req->len) < 0) {
		FM_LOG(FM_LOG_ERROR, "sim blade %s: out of memory for RAM",
		       b->desc.name);
		return SIM_RX_DROPPED;
	}
	return SIM_RX_ACCEPTED;
}

static int blade_rx_mem_read(struct sim_blade *b, const struct fab_tlp *req,
			     struct fab_tlp *cpl)
{
	uint64_t addr = req->addr;
	unsigned len = req->len;

	if (!blade_dma_allowed(b, addr, len) ||
	    (addr + len > FAB_MSI_ADDR_BASE &&
	     addr < FAB_MSI_ADDR_BASE + FAB_MSI_ADDR_SIZE))
		return blade_rx_unsupported(b, req, cpl);
	/* @cpl may alias @req: addr and len were read above */
	fab_tlp_complete(cpl, req, BLADE_RP_RID, FAB_CPL_SC);
	sim_sparse_read(&b->ram, addr, cpl->data, len);
	return SIM_RX_COMPLETED;
}

/* Messages (PME, error messages, INTx) are accepted and have no effect. */
static int blade_rx_msg(struct sim_blade *b, const struct fab_tlp *req,
			struct fab_tlp *cpl)
{
	(void)b;
	(void)req;
	(void)cpl;
	return SIM_RX_ACCEPTED;
}

/*
 * Requests arriving from the link, by TLP type.  A root port is never the
 * target of config requests from below; completions never arrive as
 * requests (delivery is synchronous).  NULL entries are unsupported.
 */
static blade_rx_fn *const blade_rx_table[FAB_TLP_TYPE_COUNT] = {
	[FAB_TLP_MEM_RD] = blade_rx_mem_read,
	[FAB_TLP_MEM_WR] = blade_rx_mem_write,
	[FAB_TLP_MSG] = blade_rx_msg,
};

static int blade_rx(struct sim_port *port, const struct fab_tlp *req,
		    struct fab_tlp *cpl)
{
	struct sim_blade *b = port->owner;
	blade_rx_fn *fn = NULL;

	if (req->type < FAB_TLP_TYPE_COUNT)
		fn = blade_rx_table[req->type];
	if (!fn)
		return blade_rx_unsupported(b, req, cpl);
	return fn(b, req, cpl);
}

static void blade_link_event(struct sim_port *port, bool up)
{
	(void)up;
	blade_rp_sync_link(port->owner);
}

static const struct sim_port_ops blade_port_ops = {
	.rx = blade_rx,
	.link_event = blade_link_event,
};

/* ---------------------------------------------------------------------
 * The device list.
 */

static struct blade_dev *blade_devlist_add(struct blade_devlist *l)
{
	struct blade_dev *v;

	if (l->n == l->cap) {
		unsigned cap = l->cap ? 2 * l->cap : 16;

		v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	v = &l->v[l->n++];
	memset(v, 0, sizeof(*v));
	return v;
}

static int blade_devlist_insert(struct blade_devlist *l, unsigned at,
				const struct blade_dev *src, unsigned n)
{
	if (l->n + n > l->cap) {
		unsigned cap = l->cap ? l->cap : 16;
		struct blade_dev *v;

		while (cap < l->n + n)
			cap *= 2;
		v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -FM_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	memmove(&l->v[at + n], &l->v[at], (l->n - at) * sizeof(*l->v));
	memcpy(&l->v[at], src, n * sizeof(*src));
	l->n += n;
	return 0;
}

static void blade_devlist_free(struct blade_devlist *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int blade_dev_index(const struct sim_blade *b, uint16_t rid)
{
	for (unsigned i = 0; i < b->devs.n; i++)
		if (b->devs.v[i].pub.rid == rid)
			return (int)i;
	return -1;
}

/* End (exclusive) of the entries below the bridge at @i. */
static unsigned blade_subtree_end(const struct blade_devlist *l, unsigned i)
{
	const struct sim_host_dev *br = &l->v[i].pub;
	unsigned j = i + 1;

	if (!br->is_bridge || br->sec_bus == 0)
		return j;
	while (j < l->n && FAB_RID_BUS(l->v[j].pub.rid) >= br->sec_bus &&
	       FAB_RID_BUS(l->v[j].pub.rid) <= br->sub_bus)
		j++;
	return j;
}

unsigned sim_blade_dev_count(const struct sim_blade *b)
{
	return b->devs.n;
}

const struct sim_host_dev *sim_blade_dev(const struct sim_blade *b,
					 unsigned index)
{
	return index < b->devs.n ? &b->devs.v[index].pub : NULL;
}

const struct sim_host_dev *sim_blade_dev_find(const struct sim_blade *b,
					      uint16_t rid)
{
	int i = blade_dev_index(b, rid);

	return i < 0 ? NULL : &b->devs.v[i].pub;
}

/* ---------------------------------------------------------------------
 * Scanning (drivers/pci/probe.c).
 */

/* The bridge whose secondary bus is being scanned. */
struct blade_parent {
	uint16_t rid; /* BLADE_NO_PARENT for the root bus */
	uint8_t pcie_type;
	uint16_t exp;
};

struct blade_scan {
	struct sim_blade *b;
	struct blade_devlist *out; /* found, in depth-first order */
	struct sim_blade_crs *crs;
	uint8_t bus_limit; /* highest bus number this scan may hand out */
	uint64_t retry_ns; /* a function answered CRS: start over then */
	int err;
};

static bool blade_scan_stopped(const struct blade_scan *s)
{
	return s->retry_ns || s->err;
}

void sim_blade_crs_init(struct sim_blade_crs *crs)
{
	memset(crs, 0, sizeof(*crs));
}

static bool blade_crs_gave_up(const struct sim_blade_crs *crs, uint16_t rid)
{
	for (unsigned i = 0; i < crs->ngave_up; i++)
		if (crs->gave_up[i] == rid)
			return true;
	return false;
}

/*
 * Is a function at @rid?  The Vendor ID read tells (pci_bus_read_dev_
 * vendor_id()): all ones, all zeros or half of either mean nothing there;
 * 0x0001 means it answered CRS: not ready yet.
 */
static bool blade_scan_present(struct blade_scan *s, uint16_t rid, uint32_t *id)
{
	struct sim_blade_crs *crs = s->crs;
	char name[FAB_RID_STR_LEN];
	uint32_t v = sim_blade_cfg_rd(s->b, rid, PCI_VENDOR_ID, 4);

	if (v == 0xffffffffu || v == 0 || v == 0x0000ffffu || v == 0xffff0000u)
		return false;
	if ((v & 0xffff) != BLADE_CRS_VENDOR) {
		if (crs->delay_ms && crs->rid == rid)
			crs->delay_ms = 0;
		*id = v;
		return true;
	}
	if (blade_crs_gave_up(crs, rid))
		return false;
	if (!crs->delay_ms || crs->rid != rid) {
		crs->rid = rid;
		crs->delay_ms = 1;
	}
	if (crs->delay_ms > SIM_BLADE_CRS_TIMEOUT_MS) {
		FM_LOG(FM_LOG_WARN,
		       "sim blade %s: %s not ready after %u ms; giving up",
		       s->b->desc.name, fab_rid_format(name, rid),
		       crs->delay_ms - 1);
		if (crs->ngave_up < SIM_BLADE_CRS_GIVEUP_MAX)
			crs->gave_up[crs->ngave_up++] = rid;
		crs->delay_ms = 0;
		return false;
	}
	s->retry_ns = crs->delay_ms * FAB_NS_PER_MS;
	crs->delay_ms *= 2;
	return false;
}

/*
 * Size the BARs of @d (__pci_read_base()): write all ones, read back,
 * restore, with memory decode off meanwhile.  I/O BARs are left alone:
 * the blade has no I/O aperture.
 */
static void blade_size_bars(struct sim_blade *b, struct blade_dev *d,
			    unsigned nbars)
{
	uint16_t rid = d->pub.rid;
	uint32_t cmd = sim_blade_cfg_rd(b, rid, PCI_COMMAND, 2);
	const uint32_t decode = PCI_COMMAND_MEMORY | PCI_COMMAND_IO;

	if (cmd & decode)
		sim_blade_cfg_wr(b, rid, PCI_COMMAND, 2, cmd & ~decode);
	for (unsigned i = 0; i < nbars; i++) {
		uint16_t reg = (uint16_t)(PCI_BASE_ADDRESS_0 + 4 * i);
		uint32_t l = sim_blade_cfg_rd(b, rid, reg, 4);
		uint32_t sz, hl, hsz = 0;
		uint64_t mask;
		bool mem64;
		unsigned slot = i;

		sim_blade_cfg_wr(b, rid, reg, 4, 0xffffffffu);
		sz = sim_blade_cfg_rd(b, rid, reg, 4);
		sim_blade_cfg_wr(b, rid, reg, 4, l);
		if (l == 0xffffffffu || (l & PCI_BASE_ADDRESS_SPACE_IO))
			continue;
		mem64 = (l & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
			PCI_BASE_ADDRESS_MEM_TYPE_64;
		mask = sz & ~0xfu;
		if (mem64 && i + 1 < nbars) {
			hl = sim_blade_cfg_rd(b, rid, reg + 4, 4);
			sim_blade_cfg_wr(b, rid, reg + 4, 4, 0xffffffffu);
			hsz = sim_blade_cfg_rd(b, rid, reg + 4, 4);
			sim_blade_cfg_wr(b, rid, reg + 4, 4, hl);
			mask |= (uint64_t)hsz << 32;
			i++;
		} else if (mask) {
			mask |= 0xffffffff00000000ULL;
		}
		if (!mask)
			continue;
		d->pub.bar[slot].size = mask & (~mask + 1);
		d->pub.bar[slot].mem64 = mem64;
		d->pub.bar[slot].prefetch = l & PCI_BASE_ADDRESS_MEM_PREFETCH;
	}
	if (cmd & decode)
		sim_blade_cfg_wr(b, rid, PCI_COMMAND, 2, cmd);
}

/*
 * A bridge has a prefetchable window when its base register is writable
 * (pci_read_bridge_windows()); only a 64-bit one is used here.
 */
static bool blade_bridge_pref64(struct sim_blade *b, uint16_t rid)
{
	uint32_t pmem = sim_blade_cfg_rd(b, rid, PCI_PREF_MEMORY_BASE, 2);

	if (!pmem) {
		sim_blade_cfg_wr(b, rid, PCI_PREF_MEMORY_BASE, 2, 0xfff0);
		pmem = sim_blade_cfg_rd(b, rid, PCI_PREF_MEMORY_BASE, 2);
		sim_blade_cfg_wr(b, rid, PCI_PREF_MEMORY_BASE, 2, 0);
	}
	return pmem != 0xffff &&
	       (pmem & PCI_PREF_RANGE_TYPE_MASK) == PCI_PREF_RANGE_TYPE_64;
}

/* Read what the host needs of the function at @rid (pci_setup_device()). */
static void blade_setup_fn(struct sim_blade *b, struct blade_dev *d,
			   uint16_t rid, uint16_t parent, uint32_t id,
			   uint8_t hdr)
{
	uint32_t flags;

	d->pub.rid = rid;
	d->pub.parent_rid = parent;
	d->pub.vendor = (uint16_t)id;
	d->pub.device = (uint16_t)(id >> 16);
	d->pub.class_code =
		sim_blade_cfg_rd(b, rid, PCI_CLASS_REVISION, 4) >> 8;
	d->pub.is_bridge = (hdr & 0x7f) == PCI_HEADER_TYPE_BRIDGE;
	d->pub.pcie_type = FAB_PCI_EXP_TYPE_UNKNOWN;
	d->exp = blade_find_cap(b, rid, PCI_CAP_ID_EXP);
	if (d->exp) {
		flags = sim_blade_cfg_rd(b, rid, d->exp + PCI_EXP_FLAGS, 2);
		d->pub.pcie_type =
			(uint8_t)FM_FIELD_GET(PCI_EXP_FLAGS_TYPE, flags);
		if (d->pub.is_bridge && (flags & PCI_EXP_FLAGS_SLOT))
			d->pub.hotplug_slot =
				sim_blade_cfg_rd(b, rid,
						 d->exp + PCI_EXP_SLTCAP, 4) &
				PCI_EXP_SLTCAP_HPC;
	}
	switch (hdr & 0x7f) {
	case PCI_HEADER_TYPE_NORMAL:
		blade_size_bars(b, d, 6);
		break;
	case PCI_HEADER_TYPE_BRIDGE:
		blade_size_bars(b, d, 2);
		d->pref64 = blade_bridge_pref64(b, rid);
		break;
	default:
		break;
	}
}

/*
 * Scan one function into @bus_devs.  Returns true when one answered;
 * *multi tells whether its header says multi-function.
 */
static bool blade_scan_fn(struct blade_scan *s, struct blade_devlist *bus_devs,
			  uint16_t rid, const struct blade_parent *self,
			  bool *multi)
{
	struct blade_dev *d;
	uint32_t id = 0;
	uint8_t hdr;

	if (!blade_scan_present(s, rid, &id))
		return false;
	hdr = (uint8_t)sim_blade_cfg_rd(s->b, rid, PCI_HEADER_TYPE, 1);
	if (multi)
		*multi = hdr & 0x80;
	d = blade_devlist_add(bus_devs);
	if (!d) {
		s->err = -FM_ENOMEM;
		return false;
	}
	blade_setup_fn(s->b, d, rid, self->rid, id, hdr);
	return true;
}

/*
 * pci_configure_ari(): below a port that supports ARI Forwarding, enable
 * it when the device at 00.0 has the ARI capability (and disable it when
 * not).  Returns whether it is enabled.
 */
static bool blade_configure_ari(struct sim_blade *b,
				const struct blade_parent *self, uint16_t fn0)
{
	uint16_t ctl2 = (uint16_t)(self->exp + PCI_EXP_DEVCTL2);
	uint32_t cap2, v;
	bool ari;

	if (self->rid == BLADE_NO_PARENT || !self->exp ||
	    !blade_find_cap(b, fn0, PCI_CAP_ID_EXP))
		return false;
	cap2 = sim_blade_cfg_rd(b, self->rid, self->exp + PCI_EXP_DEVCAP2, 4);
	if (!(cap2 & PCI_EXP_DEVCAP2_ARI))
		return false;
	ari = blade_find_ecap(b, fn0, PCI_EXT_CAP_ID_ARI) != 0;
	v = sim_blade_cfg_rd(b, self->rid, ctl2, 2);
	v = ari ? v | PCI_EXP_DEVCTL2_ARI : v & ~PCI_EXP_DEVCTL2_ARI;
	sim_blade_cfg_wr(b, self->rid, ctl2, 2, v);
	return ari;
}

/* next_ari_fn(): the function the ARI capability of @rid points to, or -1. */
static int blade_next_ari_fn(struct sim_blade *b, uint16_t rid)
{
	uint16_t pos = blade_find_ecap(b, rid, PCI_EXT_CAP_ID_ARI);
	unsigned next;

	if (!pos)
		return -1;
	next = PCI_ARI_CAP_NFN(sim_blade_cfg_rd(b, rid, pos + PCI_ARI_CAP, 2));
	/* a chain that does not climb is malformed: stop there */
	return next > FAB_RID_DEVFN(rid) ? (int)next : -1;
}

/* pci_scan_slot(): function 0 of device @dev, then its other functions. */
static void blade_scan_slot(struct blade_scan *s,
			    struct blade_devlist *bus_devs, uint8_t bus,
			    uint8_t dev, const struct blade_parent *self)
{
	uint16_t rid = FAB_RID(bus, dev, 0);
	bool multi = false, ari = false;
	int fn;

	if (!blade_scan_fn(s, bus_devs, rid, self, &multi))
		return;
	if (dev == 0)
		ari = blade_configure_ari(s->b, self, rid);
	if (ari) {
		for (fn = blade_next_ari_fn(s->b, rid); fn > 0;
		     fn = blade_next_ari_fn(s->b, rid)) {
			rid = (uint16_t)(bus << 8 | fn);
			if (!blade_scan_fn(s, bus_devs, rid, self, NULL))
				return;
		}
		return;
	}
	if (!multi)
		return;
	for (fn = 1; fn < 8 && !blade_scan_stopped(s); fn++)
		blade_scan_fn(s, bus_devs, FAB_RID(bus, dev, fn), self, NULL);
}

/* pcie_downstream_port(): below these only device 0 exists. */
static bool blade_only_one_child(const struct blade_parent *self)
{
	switch (self->pcie_type) {
	case PCI_EXP_TYPE_ROOT_PORT:
	case PCI_EXP_TYPE_DOWNSTREAM:
	case PCI_EXP_TYPE_PCIE_BRIDGE:
		return self->rid != BLADE_NO_PARENT;
	default:
		return false;
	}
}

static void blade_scan_bridge(struct blade_scan *s, unsigned idx,
			      uint8_t primary, unsigned *max);

/*
 * pci_scan_child_bus(): every slot of @bus, then each bridge found gets
 * the next bus numbers and is scanned in turn.  The device list is kept in
 * depth-first order: each function, then everything below it.
 */
static void blade_scan_bus(struct blade_scan *s, uint8_t bus,
			   const struct blade_parent *self, unsigned *max)
{
	struct blade_devlist here = { 0 };
	unsigned ndev = blade_only_one_child(self) ? 1 : 32;
	struct blade_dev *d;

	for (unsigned dev = 0; dev < ndev && !blade_scan_stopped(s); dev++)
		blade_scan_slot(s, &here, bus, (uint8_t)dev, self);
	for (unsigned i = 0; i < here.n && !blade_scan_stopped(s); i++) {
		d = blade_devlist_add(s->out);
		if (!d) {
			s->err = -FM_ENOMEM;
			break;
		}
		*d = here.v[i];
		if (d->pub.is_bridge)
			blade_scan_bridge(s, s->out->n - 1, bus, max);
	}
	blade_devlist_free(&here);
}

/*
 * pci_scan_bridge_extend(), pass 1: the bridge gets the next free bus as
 * secondary and the scan's limit as subordinate while its subtree is
 * scanned, then the highest bus used.  A hot-plug bridge keeps at least
 * SIM_BLADE_HP_BUS_SIZE extra buses for what may be plugged in later.
 */
static void blade_scan_bridge(struct blade_scan *s, unsigned idx,
			      uint8_t primary, unsigned *max)
{
	struct sim_blade *b = s->b;
	struct blade_dev *d = &s->out->v[idx];
	struct blade_parent self = { d->pub.rid, d->pub.pcie_type, d->exp };
	char name[FAB_RID_STR_LEN];
	uint32_t buses;
	unsigned sec;

	if (*max >= s->bus_limit) {
		FM_LOG(FM_LOG_WARN,
		       "sim blade %s: no bus number left for bridge %s",
		       b->desc.name, fab_rid_format(name, self.rid));
		return;
	}
	sec = *max + 1;
	buses = sim_blade_cfg_rd(b, self.rid, PCI_PRIMARY_BUS, 4);
	buses = (buses & 0xff000000u) | primary | sec << 8 |
		(uint32_t)s->bus_limit << 16;
	sim_blade_cfg_wr(b, self.rid, PCI_PRIMARY_BUS, 4, buses);
	*max = sec;
	blade_scan_bus(s, (uint8_t)sec, &self, max);
	if (blade_scan_stopped(s))
		return;
	d = &s->out->v[idx];
	if (d->pub.hotplug_slot && *max < sec + SIM_BLADE_HP_BUS_SIZE)
		*max = sec + SIM_BLADE_HP_BUS_SIZE < s->bus_limit
			       ? sec + SIM_BLADE_HP_BUS_SIZE
			       : s->bus_limit;
	sim_blade_cfg_wr(b, self.rid, PCI_SUBORDINATE_BUS, 1, *max);
	d->pub.sec_bus = (uint8_t)sec;
	d->pub.sub_bus = (uint8_t)*max;
}

/* ---------------------------------------------------------------------
 * Resources (drivers/pci/setup-bus.c): size windows bottom-up, assign
 * top-down, program.
 */

/* One thing that needs memory in a window: a BAR or a child's window. */
struct blade_res {
	unsigned dev; /* index in the list */
	int bar;      /* BAR slot, or -1 for the child bridge's window */
	uint64_t size;
	uint64_t align;
	unsigned seq; /* list order, for a stable sort */
};

/* Where the BAR goes: a 64-bit prefetchable BAR in a usable pref window. */
static enum blade_win blade_bar_win(const struct sim_host_bar *bar,
				    bool pref_ok)
{
	return bar->mem64 && bar->prefetch && pref_ok ? BLADE_WIN_PREF
						      : BLADE_WIN_MEM;
}

static int blade_res_cmp(const void *pa, const void *pb)
{
	const struct blade_res *a = pa, *b = pb;

	if (a->align != b->align)
		return a->align > b->align ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/*
 * What the children of @parent need in window @t, largest alignment first
 * (pdev_sort_resources()).  *out is malloc'd (NULL when *n is 0).
 */
static int blade_res_gather(struct blade_res **out, unsigned *n,
			    const struct blade_dev *v, unsigned nv,
			    uint16_t parent, bool pref_ok, enum blade_win t)
{
	struct blade_res *r = NULL;
	unsigned cnt = 0, pass, i, k;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < nv; i++) {
			const struct blade_dev *d = &v[i];

			if (d->pub.parent_rid != parent)
				continue;
			for (k = 0; k < 6; k++) {
				const struct sim_host_bar *bar = &d->pub.bar[k];

				if (!bar->size ||
				    blade_bar_win(bar, pref_ok) != t)
					continue;
				if (r)
					r[cnt] = (struct blade_res){
						i, (int)k, bar->size, bar->size,
						i * 8 + k
					};
				cnt++;
			}
			if (d->pub.is_bridge && d->win_size[t]) {
				if (r)
					r[cnt] = (struct blade_res){
						i, -1, d->win_size[t],
						d->win_align[t], i * 8 + 7
					};
				cnt++;
			}
		}
		if (pass == 1 || cnt == 0)
			break;
		r = malloc(cnt * sizeof(*r));
		if (!r)
			return -FM_ENOMEM;
		cnt = 0;
	}
	if (r)
		qsort(r, cnt, sizeof(*r), blade_res_cmp);
	*out = r;
	*n = cnt;
	return 0;
}

/* Bytes the sorted resources span when packed from an aligned base. */
static uint64_t blade_res_span(const struct blade_res *r, unsigned n,
			       uint64_t *align)
{
	uint64_t end = 0;

	*align = n ? r[0].align : 0;
	for (unsigned i = 0; i < n; i++) {
		end = blade_align_up(end, r[i].align);
		if (end == UINT64_MAX || r[i].size > UINT64_MAX - end)
			return UINT64_MAX;
		end += r[i].size;
	}
	return end;
}

static int blade_parent_index(const struct blade_dev *v, unsigned i)
{
	uint16_t parent = v[i].pub.parent_rid;

	while (i-- > 0)
		if (v[i].pub.rid == parent)
			return (int)i;
	return -1;
}

/*
 * Which bridges may use their prefetchable window: those that have a
 * 64-bit one below a bridge that may (or below @root, when @root_ok).
 */
static void blade_res_pref_ok(struct blade_dev *v, unsigned n, uint16_t root,
			      bool root_ok)
{
	for (unsigned i = 0; i < n; i++) {
		int p;
		bool up;

		if (!v[i].pub.is_bridge)
			continue;
		if (v[i].pub.parent_rid == root) {
			up = root_ok;
		} else {
			p = blade_parent_index(v, i);
			up = p >= 0 && v[p].pref_ok;
		}
		v[i].pref_ok = up && v[i].pref64;
	}
}

/*
 * pbus_size_mem(), bottom-up: a window spans its children packed by
 * alignment, rounded up to 1 MiB; a hot-plug bridge's window is at least
 * the hot-plug reservation.  Depth-first order means every child comes
 * after its bridge, so walking backwards sizes children first.
 */
static int blade_res_size(struct blade_dev *v, unsigned n)
{
	static const uint64_t hp_size[BLADE_WIN_COUNT] = {
		[BLADE_WIN_MEM] = SIM_BLADE_HP_MMIO_SIZE,
		[BLADE_WIN_PREF] = SIM_BLADE_HP_PREF_SIZE,
	};

	for (unsigned i = n; i-- > 0;) {
		struct blade_dev *d = &v[i];

		if (!d->pub.is_bridge || !d->pub.sec_bus)
			continue;
		for (int t = 0; t < BLADE_WIN_COUNT; t++) {
			struct blade_res *r = NULL;
			uint64_t size, align = 0;
			unsigned cnt = 0;
			int ret;

			d->win_size[t] = 0;
			d->win_align[t] = 0;
			if (t == BLADE_WIN_PREF && !d->pref_ok)
				continue;
			ret = blade_res_gather(&r, &cnt, v, n, d->pub.rid,
					       d->pref_ok, (enum blade_win)t);
			if (ret < 0)
				return ret;
			size = blade_align_up(blade_res_span(r, cnt, &align),
					      BLADE_WIN_GRAN);
			free(r);
			if (d->pub.hotplug_slot && size < hp_size[t])
				size = hp_size[t];
			if (!size)
				continue;
			d->win_size[t] = size;
			d->win_align[t] =
				align > BLADE_WIN_GRAN ? align : BLADE_WIN_GRAN;
		}
	}
	return 0;
}

static void blade_set_window(struct blade_dev *d, enum blade_win t,
			     uint64_t base)
{
	uint64_t limit = base + d->win_size[t] - 1;

	if (t == BLADE_WIN_MEM) {
		d->pub.mem_base = base;
		d->pub.mem_limit = limit;
	} else {
		d->pub.pref_base = base;
		d->pub.pref_limit = limit;
	}
}

/*
 * Place the children of @parent in window @t from @base, in sorted order
 * (the span was reserved by blade_res_size() with the same order), and
 * their children within their windows.
 */
static int blade_res_place(struct blade_dev *v, unsigned n, uint16_t parent,
			   bool pref_ok, enum blade_win t, uint64_t base)
{
	struct blade_res *r = NULL;
	uint64_t cur = base;
	unsigned cnt = 0;
	int ret;

	ret = blade_res_gather(&r, &cnt, v, n, parent, pref_ok, t);
	for (unsigned i = 0; ret == 0 && i < cnt; i++) {
		struct blade_dev *d = &v[r[i].dev];
		uint64_t addr = blade_align_up(cur, r[i].align);

		cur = addr + r[i].size;
		if (r[i].bar >= 0) {
			d->pub.bar[r[i].bar].addr = addr;
			continue;
		}
		blade_set_window(d, t, addr);
		ret = blade_res_place(v, n, d->pub.rid, d->pref_ok, t, addr);
	}
	free(r);
	return ret;
}

/* The space the children of a root (the host bridge, or a port) get. */
struct blade_res_root {
	uint16_t rid;
	bool pref_ok;
	bool top_down; /* at the top of the space (boot), else the bottom */
	uint64_t lo[BLADE_WIN_COUNT];
	uint64_t hi[BLADE_WIN_COUNT]; /* inclusive; lo > hi: no space */
};

static int blade_res_assign(struct sim_blade *b, struct blade_dev *v,
			    unsigned n, const struct blade_res_root *root)
{
	static const char *const names[BLADE_WIN_COUNT] = { "mmio", "mmio64" };

	for (int t = 0; t < BLADE_WIN_COUNT; t++) {
		uint64_t span, align = 0, lo = root->lo[t], hi = root->hi[t];
		uint64_t base;
		struct blade_res *r = NULL;
		unsigned cnt = 0;
		int ret;

		if (t == BLADE_WIN_PREF && !root->pref_ok)
			continue;
		ret = blade_res_gather(&r, &cnt, v, n, root->rid, root->pref_ok,
				       (enum blade_win)t);
		if (ret < 0)
			return ret;
		span = blade_res_span(r, cnt, &align);
		free(r);
		if (!span)
			continue;
		if (lo > hi || span > hi - lo + 1) {
			FM_LOG(FM_LOG_WARN,
			       "sim blade %s: no space for 0x%llx bytes of %s",
			       b->desc.name, (unsigned long long)span,
			       names[t]);
			continue;
		}
		if (root->top_down)
			base = (hi - span + 1) & ~(align - 1);
		else
			base = blade_align_up(lo, align);
		if (base < lo || base > hi || span > hi - base + 1) {
			FM_LOG(FM_LOG_WARN,
			       "sim blade %s: no aligned space for 0x%llx "
			       "bytes of %s",
			       b->desc.name, (unsigned long long)span,
			       names[t]);
			continue;
		}
		ret = blade_res_place(v, n, root->rid, root->pref_ok,
				      (enum blade_win)t, base);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* pci_setup_bridge(): windows as assigned; closed is base above limit. */
static void blade_program_bridge(struct sim_blade *b, const struct blade_dev *d)
{
	uint16_t rid = d->pub.rid;
	uint32_t base, limit;

	/* no I/O window: Base 0xf0 above Limit 0x00 */
	sim_blade_cfg_wr(b, rid, PCI_IO_BASE, 2, 0x00f0);
	sim_blade_cfg_wr(b, rid, PCI_IO_BASE_UPPER16, 4, 0);
	base = 0xfff0;
	limit = 0;
	if (d->pub.mem_limit) {
		base = (uint32_t)(d->pub.mem_base >> 16) & 0xfff0;
		limit = (uint32_t)(d->pub.mem_limit >> 16) & 0xfff0;
	}
	sim_blade_cfg_wr(b, rid, PCI_MEMORY_BASE, 4, base | limit << 16);
	/* (a bridge without the window ignores these writes) */
	/* upper limit first: the window is briefly closed, never wrong */
	sim_blade_cfg_wr(b, rid, PCI_PREF_LIMIT_UPPER32, 4, 0);
	base = 0xfff0;
	limit = 0;
	if (d->pub.pref_limit) {
		base = (uint32_t)(d->pub.pref_base >> 16) & 0xfff0;
		limit = (uint32_t)(d->pub.pref_limit >> 16) & 0xfff0;
	}
	sim_blade_cfg_wr(b, rid, PCI_PREF_MEMORY_BASE, 4, base | limit << 16);
	sim_blade_cfg_wr(b, rid, PCI_PREF_BASE_UPPER32, 4,
			 (uint32_t)(d->pub.pref_base >> 32));
	sim_blade_cfg_wr(b, rid, PCI_PREF_LIMIT_UPPER32, 4,
			 (uint32_t)(d->pub.pref_limit >> 32));
}

/*
 * Write BARs and windows, then enable bus mastering, and memory decode
 * when every memory BAR got an address (a BAR left at 0 must not decode).
 */
static void blade_res_program(struct sim_blade *b, const struct blade_dev *v,
			      unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const struct blade_dev *d = &v[i];
		uint16_t rid = d->pub.rid;
		bool all = true;
		uint32_t cmd;

		for (unsigned k = 0; k < 6; k++) {
			const struct sim_host_bar *bar = &d->pub.bar[k];
			uint16_t reg = (uint16_t)(PCI_BASE_ADDRESS_0 + 4 * k);

			if (!bar->size)
				continue;
			if (!bar->addr) {
				all = false;
				continue;
			}
			sim_blade_cfg_wr(b, rid, reg, 4, (uint32_t)bar->addr);
			if (bar->mem64)
				sim_blade_cfg_wr(b, rid, reg + 4, 4,
						 (uint32_t)(bar->addr >> 32));
		}
		if (d->pub.is_bridge && d->pub.sec_bus)
			blade_program_bridge(b, d);
		cmd = sim_blade_cfg_rd(b, rid, PCI_COMMAND, 2);
		if (cmd == 0xffff)
			continue;
		cmd |= PCI_COMMAND_MASTER;
		if (all)
			cmd |= PCI_COMMAND_MEMORY;
		sim_blade_cfg_wr(b, rid, PCI_COMMAND, 2, cmd);
	}
}

/* Size, assign and program what a scan found below @root. */
static int blade_res_setup(struct sim_blade *b, struct blade_devlist *l,
			   const struct blade_res_root *root)
{
	int ret;

	blade_res_pref_ok(l->v, l->n, root->rid, root->pref_ok);
	ret = blade_res_size(l->v, l->n);
	if (ret == 0)
		ret = blade_res_assign(b, l->v, l->n, root);
	if (ret == 0)
		blade_res_program(b, l->v, l->n);
	return ret;
}

/* ---------------------------------------------------------------------
 * Boot, rescan, reset.
 */

static void blade_hp_stop(struct sim_blade *b)
{
	for (unsigned i = 0; i < b->nhp; i++)
		sim_pciehp_remove(b->hp[i]);
	free(b->hp);
	b->hp = NULL;
	b->nhp = 0;
}

/* The OS lets go of everything: drivers, devices, pending boot work. */
static void blade_forget(struct sim_blade *b)
{
	if (b->boot_event)
		sim_clock_cancel(b->clk, b->boot_event);
	b->boot_event = 0;
	blade_hp_stop(b);
	b->devs.n = 0;
	b->state = BLADE_DOWN;
}

/* pciehp's probe on every hot-plug capable downstream port found. */
static void blade_hp_start(struct sim_blade *b)
{
	uint16_t *ports = NULL;
	unsigned n = 0, i;

	for (i = 0; i < b->devs.n; i++) {
		const struct sim_host_dev *d = &b->devs.v[i].pub;

		n += d->hotplug_slot &&
		     (d->pcie_type == PCI_EXP_TYPE_DOWNSTREAM ||
		      d->pcie_type == PCI_EXP_TYPE_ROOT_PORT);
	}
	if (!n)
		return;
	b->hp = calloc(n, sizeof(*b->hp));
	ports = calloc(n, sizeof(*ports));
	if (!b->hp || !ports) {
		FM_LOG(FM_LOG_ERROR,
		       "sim blade %s: out of memory for hot-plug drivers",
		       b->desc.name);
		goto out;
	}
	/* a driver may change the device list as it starts: note ports first */
	for (i = 0, n = 0; i < b->devs.n; i++) {
		const struct sim_host_dev *d = &b->devs.v[i].pub;

		if (d->hotplug_slot &&
		    (d->pcie_type == PCI_EXP_TYPE_DOWNSTREAM ||
		     d->pcie_type == PCI_EXP_TYPE_ROOT_PORT))
			ports[n++] = d->rid;
	}
	for (i = 0; i < n; i++) {
		struct fm_err err = { 0 };

		if (sim_pciehp_probe(&b->hp[b->nhp], b, ports[i], &err) == 0)
			b->nhp++;
		else
			FM_LOG(FM_LOG_WARN, "sim blade %s: %s", b->desc.name,
			       err.msg);
	}
out:
	free(ports);
}

/*
 * Enumerate from the root bus.  Returns 0 when done or waiting for a CRS
 * device (the scan is then scheduled again), -FM_ENOMEM.
 */
static void blade_enum_retry(void *arg);

static int blade_enumerate(struct sim_blade *b, struct fm_err *err)
{
	struct blade_devlist found = { 0 };
	struct blade_scan s = { b, &found, &b->crs, 0xff, 0, 0 };
	struct blade_parent root = { BLADE_NO_PARENT, FAB_PCI_EXP_TYPE_UNKNOWN,
				     0 };
	struct blade_res_root res = { .rid = BLADE_NO_PARENT,
				      .pref_ok = b->desc.pref_size > 0,
				      .top_down = true };
	uint16_t rtctl = BLADE_RP_EXP + PCI_EXP_RTCTL;
	unsigned max = 0;
	int ret;

	/* pci_enable_crs(): let CRS show as Vendor ID 0x0001 */
	if (blade_rp_rd(b, BLADE_RP_EXP + PCI_EXP_RTCAP, 2) &
	    PCI_EXP_RTCAP_CRSVIS)
		sim_blade_cfg_wr(b, BLADE_RP_RID, rtctl, 2,
				 blade_rp_rd(b, rtctl, 2) |
					 PCI_EXP_RTCTL_CRSVIS);
	blade_scan_bus(&s, 0, &root, &max);
	ret = s.err;
	if (ret == 0 && s.retry_ns) {
		blade_devlist_free(&found);
		b->state = BLADE_ENUM;
		b->boot_event = sim_clock_schedule(b->clk, s.retry_ns,
						   blade_enum_retry, b);
		if (!b->boot_event)
			ret = -FM_ENOMEM;
		goto out;
	}
	/* an empty aperture is lo 1 above hi 0: nothing fits */
	res.lo[BLADE_WIN_MEM] = b->desc.mmio_size ? b->desc.mmio_base : 1;
	res.hi[BLADE_WIN_MEM] =
		b->desc.mmio_size ? b->desc.mmio_base + b->desc.mmio_size - 1
				  : 0;
	res.lo[BLADE_WIN_PREF] = b->desc.pref_base;
	res.hi[BLADE_WIN_PREF] = b->desc.pref_base + b->desc.pref_size - 1;
	if (ret == 0)
		ret = blade_res_setup(b, &found, &res);
	if (ret == 0) {
		blade_devlist_free(&b->devs);
		b->devs = found;
		found = (struct blade_devlist){ 0 };
		b->state = BLADE_UP;
		sim_blade_crs_init(&b->crs);
		FM_LOG(FM_LOG_INFO, "sim blade %s: enumerated %u functions",
		       b->desc.name, b->devs.n);
		blade_hp_start(b);
	}
out:
	blade_devlist_free(&found);
	if (ret < 0) {
		b->state = BLADE_DOWN;
		return fm_err_set(err, -ret, "sim blade %s: enumeration: %s",
				  b->desc.name, fm_strerror(-ret));
	}
	return 0;
}

static void blade_enum_retry(void *arg)
{
	struct sim_blade *b = arg;
	struct fm_err err = { 0 };

	b->boot_event = 0;
	if (blade_enumerate(b, &err) < 0)
		FM_LOG(FM_LOG_ERROR, "%s", err.msg);
}

static void blade_enum_start(struct sim_blade *b)
{
	sim_blade_crs_init(&b->crs);
	blade_enum_retry(b);
}

/* Firmware waits for the root port's link, then the OS enumerates. */
static void blade_boot_poll(void *arg)
{
	struct sim_blade *b = arg;
	uint64_t waited = sim_clock_now(b->clk) - b->boot_started;

	b->boot_event = 0;
	if (sim_link_is_up(b->port.link) || waited >= BLADE_LINK_WAIT_NS) {
		blade_enum_start(b);
		return;
	}
	b->boot_event = sim_clock_schedule(b->clk, BLADE_LINK_POLL_NS,
					   blade_boot_poll, b);
	if (!b->boot_event)
		FM_LOG(FM_LOG_ERROR, "sim blade %s: out of memory at boot",
		       b->desc.name);
}

void sim_blade_boot(struct sim_blade *b)
{
	blade_forget(b);
	b->state = BLADE_WAIT_LINK;
	b->boot_started = sim_clock_now(b->clk);
	blade_boot_poll(b);
}

int sim_blade_rescan(struct sim_blade *b, struct fm_err *err)
{
	blade_forget(b);
	sim_blade_crs_init(&b->crs);
	return blade_enumerate(b, err);
}

int sim_blade_reset(struct sim_blade *b, struct fm_err *err)
{
	(void)err;
	blade_forget(b);
	/* the host reboots: its root complex comes back at power-on state */
	sim_cfg_reset(&b->hb);
	sim_cfg_reset(&b->rp);
	if (b->port.link)
		sim_link_hot_reset(b->port.link, &b->port);
	blade_rp_sync_link(b);
	FM_LOG(FM_LOG_INFO, "sim blade %s: reset", b->desc.name);
	sim_blade_boot(b);
	return 0;
}

/* ---------------------------------------------------------------------
 * Hot-plug slots: what pciehp.c asks of the OS.
 */

bool sim_blade_slot_occupied(const struct sim_blade *b, uint16_t port_rid)
{
	int i = blade_dev_index(b, port_rid);

	return i >= 0 &&
	       blade_subtree_end(&b->devs, (unsigned)i) > (unsigned)i + 1;
}

int sim_blade_slot_scan(uint64_t *retry_ns, struct sim_blade *b,
			uint16_t port_rid, struct sim_blade_crs *crs,
			struct fm_err *err)
{
	struct blade_devlist found = { 0 };
	struct blade_scan s = { b, &found, crs, 0, 0, 0 };
	struct blade_res_root res = { 0 };
	char name[FAB_RID_STR_LEN];
	const struct blade_dev *port;
	struct blade_parent self;
	unsigned max, at;
	int i, ret = 0;

	*retry_ns = 0;
	i = blade_dev_index(b, port_rid);
	if (i < 0 || !b->devs.v[i].pub.sec_bus) {
		ret = fm_err_set(err, FM_ESTATE,
				 "sim blade %s: port %s is not enumerated",
				 b->desc.name, fab_rid_format(name, port_rid));
		goto out;
	}
	port = &b->devs.v[i];
	self = (struct blade_parent){ port_rid, port->pub.pcie_type,
				      port->exp };
	s.bus_limit = port->pub.sub_bus;
	max = port->pub.sec_bus;
	res = (struct blade_res_root){
		port_rid,
		port->pref_ok,
		false,
		{ port->pub.mem_base, port->pub.pref_base },
		{ port->pub.mem_limit, port->pub.pref_limit },
	};
	if (!port->pub.mem_limit)
		res.lo[BLADE_WIN_MEM] = 1;
	if (!port->pub.pref_limit)
		res.lo[BLADE_WIN_PREF] = 1;
	blade_scan_bus(&s, port->pub.sec_bus, &self, &max);
	ret = s.err;
	if (ret == 0 && s.retry_ns) {
		*retry_ns = s.retry_ns;
		goto out;
	}
	if (ret == 0 && !found.n) {
		ret = fm_err_set(err, FM_ENOENT,
				 "sim blade %s: no device found below %s",
				 b->desc.name, fab_rid_format(name, port_rid));
		goto out;
	}
	if (ret == 0)
		ret = blade_res_setup(b, &found, &res);
	if (ret == 0) {
		at = blade_subtree_end(&b->devs, (unsigned)i);
		ret = blade_devlist_insert(&b->devs, at, found.v, found.n);
	}
	if (ret < 0) {
		fm_err_set(err, -ret, "sim blade %s: scan below %s: %s",
			   b->desc.name, fab_rid_format(name, port_rid),
			   fm_strerror(-ret));
		goto out;
	}
	for (unsigned k = 0; k < found.n; k++)
		sim_blade_hp_log(b, port_rid, found.v[k].pub.rid,
				 SIM_HP_DEV_ADDED);
out:
	blade_devlist_free(&found);
	return ret;
}

void sim_blade_slot_remove(struct sim_blade *b, uint16_t port_rid, bool safe)
{
	int i = blade_dev_index(b, port_rid);
	unsigned first, end, k;

	if (i < 0)
		return;
	first = (unsigned)i + 1;
	end = blade_subtree_end(&b->devs, (unsigned)i);
	for (k = end; k-- > first;) {
		uint16_t rid = b->devs.v[k].pub.rid;
		uint32_t cmd;

		if (safe) {
			cmd = sim_blade_cfg_rd(b, rid, PCI_COMMAND, 2);
			if (cmd != 0xffff)
				sim_blade_cfg_wr(b, rid, PCI_COMMAND, 2,
						 cmd & ~PCI_COMMAND_MASTER);
		}
		sim_blade_hp_log(b, port_rid, rid, SIM_HP_DEV_REMOVED);
	}
	memmove(&b->devs.v[first], &b->devs.v[end],
		(b->devs.n - end) * sizeof(*b->devs.v));
	b->devs.n -= end - first;
}

struct sim_clock *sim_blade_clock(struct sim_blade *b)
{
	return b->clk;
}

bool sim_blade_ignores_removal(const struct sim_blade *b)
{
	return b->ignore_removal;
}

void sim_blade_set_ignore_removal(struct sim_blade *b, bool ignore)
{
	b->ignore_removal = ignore;
}

void sim_blade_hp_log(struct sim_blade *b, uint16_t port_rid, uint16_t dev_rid,
		      enum sim_hp_action action)
{
	char port[FAB_RID_STR_LEN], dev[FAB_RID_STR_LEN];

	if (b->nlog == b->log_cap) {
		unsigned cap = b->log_cap ? 2 * b->log_cap : 32;
		struct sim_hp_record *v = realloc(b->log, cap * sizeof(*v));

		if (!v) {
			FM_LOG(FM_LOG_ERROR,
			       "sim blade %s: out of memory for hot-plug log",
			       b->desc.name);
			return;
		}
		b->log = v;
		b->log_cap = cap;
	}
	b->log[b->nlog++] =
		(struct sim_hp_record){ sim_clock_now(b->clk), port_rid,
					dev_rid, (uint8_t)action };
	FM_LOG(FM_LOG_DEBUG, "sim blade %s: slot %s: %s %s", b->desc.name,
	       fab_rid_format(port, port_rid), sim_hp_action_name(action),
	       fab_rid_format(dev, dev_rid));
}

static const char *const sim_hp_action_names[SIM_HP_ACTION_COUNT] = {
	[SIM_HP_BUTTON] = "button",
	[SIM_HP_BUTTON_CANCEL] = "button-cancel",
	[SIM_HP_REMOVAL_IGNORED] = "removal-ignored",
	[SIM_HP_PRESENCE_ON] = "presence-on",
	[SIM_HP_PRESENCE_OFF] = "presence-off",
	[SIM_HP_LINK_UP] = "link-up",
	[SIM_HP_LINK_DOWN] = "link-down",
	[SIM_HP_LINK_TIMEOUT] = "link-timeout",
	[SIM_HP_POWER_ON] = "power-on",
	[SIM_HP_POWER_OFF] = "power-off",
	[SIM_HP_CMD_TIMEOUT] = "cmd-timeout",
	[SIM_HP_DEV_ADDED] = "dev-added",
	[SIM_HP_DEV_REMOVED] = "dev-removed",
};

const char *sim_hp_action_name(enum sim_hp_action a)
{
	if ((unsigned)a >= SIM_HP_ACTION_COUNT)
		return "unknown";
	return sim_hp_action_names[a];
}

unsigned sim_blade_hp_count(const struct sim_blade *b)
{
	return b->nlog;
}

const struct sim_hp_record *sim_blade_hp_record(const struct sim_blade *b,
						unsigned index)
{
	return index < b->nlog ? &b->log[index] : NULL;
}

/* ---------------------------------------------------------------------
 * Life cycle.
 */

const char *sim_blade_name(const struct sim_blade *b)
{
	return b->desc.name;
}

struct sim_port *sim_blade_port(struct sim_blade *b)
{
	return &b->port;
}

static int blade_check_aperture(const struct sim_blade_desc *d,
				const char *what, uint64_t base, uint64_t size,
				uint64_t limit, struct fm_err *err)
{
	if (size == 0)
		return 0;
	if ((base | size) & (BLADE_WIN_GRAN - 1) || base + size < base ||
	    base + size > limit)
		return fm_err_set(err, FM_EINVAL,
				  "sim blade %s: %s aperture 0x%llx+0x%llx "
				  "must be 1 MiB aligned and end by 0x%llx",
				  d->name, what, (unsigned long long)base,
				  (unsigned long long)size,
				  (unsigned long long)limit);
	if (base < FAB_MSI_ADDR_BASE + FAB_MSI_ADDR_SIZE &&
	    base + size > FAB_MSI_ADDR_BASE)
		return fm_err_set(err, FM_EINVAL,
				  "sim blade %s: %s aperture 0x%llx+0x%llx "
				  "overlaps the MSI window",
				  d->name, what, (unsigned long long)base,
				  (unsigned long long)size);
	return 0;
}

static int blade_check_desc(const struct sim_blade_desc *d, struct fm_err *err)
{
	int ret;

	if (!d->name[0] || !memchr(d->name, 0, sizeof(d->name)))
		return fm_err_set(err, FM_EINVAL,
				  "sim blade: name must be 1..%zu characters",
				  sizeof(d->name) - 1);
	if (d->link_width == 0 || d->link_width > 32 || d->link_speed == 0 ||
	    d->link_speed > 6)
		return fm_err_set(err, FM_EINVAL,
				  "sim blade %s: link width %u / speed %u out "
				  "of range",
				  d->name, d->link_width, d->link_speed);
	ret = blade_check_aperture(d, "mmio", d->mmio_base, d->mmio_size,
				   1ULL << 32, err);
	if (ret == 0)
		ret = blade_check_aperture(d, "mmio64", d->pref_base,
					   d->pref_size, UINT64_MAX, err);
	if (ret == 0 && d->mmio_size && d->pref_size &&
	    d->pref_base < d->mmio_base + d->mmio_size &&
	    d->mmio_base < d->pref_base + d->pref_size)
		ret = fm_err_set(err, FM_EINVAL,
				 "sim blade %s: mmio and mmio64 apertures "
				 "overlap",
				 d->name);
	return ret;
}

int sim_blade_new(struct sim_blade **out, struct sim_clock *clk,
		  const struct sim_blade_desc *desc, struct fm_err *err)
{
	struct sim_blade *b;
	int ret;

	ret = blade_check_desc(desc, err);
	if (ret < 0)
		return ret;
	b = calloc(1, sizeof(*b));
	if (!b)
		return fm_err_set(err, FM_ENOMEM, "sim blade %s: out of memory",
				  desc->name);
	b->desc = *desc;
	b->clk = clk;
	b->port.ops = &blade_port_ops;
	b->port.owner = b;
	blade_build_hb(b);
	blade_build_rp(b);
	sim_cfg_init(&b->hb, b->hb_image, &b->hb_masks);
	sim_cfg_init(&b->rp, b->rp_image, &b->rp_masks);
	sim_sparse_init(&b->ram);
	*out = b;
	return 0;
}

void sim_blade_free(struct sim_blade *b)
{
	if (!b)
		return;
	blade_forget(b);
	blade_devlist_free(&b->devs);
	sim_cfg_fini(&b->hb);
	sim_cfg_fini(&b->rp);
	sim_sparse_fini(&b->ram);
	free(b->log);
	free(b);
}
