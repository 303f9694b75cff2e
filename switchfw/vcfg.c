/* SPDX-License-Identifier: MIT */
/*
 * vcfg.c - virtual config space, as QEMU keeps it: 4 KiB of bytes, and
 * per bridge kind a write mask and a write-1-to-clear mask.  A host write
 * becomes (old & ~wmask) | (val & wmask), then the bits written as 1 in
 * w1c clear; the side effects are hooks, in tables, on the registers the
 * write touched.  Also the Type 1 header and PCI Express capability the
 * virtual upstream bridge and the vPPBs share.
 */
#include "switchfw/fw_int.h"

#include <string.h>

/* Status bits set by hardware and cleared by writing 1 (r6.0 7.5.1.1.4). */
#define SW_STATUS_W1C                                                          \
	(PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT |                     \
	 PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT |           \
	 PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY)

/* A bridge's Command: I/O, Memory, Bus Master, Parity, SERR#, INTx off. */
#define SW_BRIDGE_CMD_WMASK                                                    \
	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |            \
	 PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_DISABLE_INTx)

/* Bridge Control bits a PCIe bridge implements (r6.0 7.5.1.3.13). */
#define SW_BRIDGE_CTL_WMASK                                                    \
	(PCI_BRIDGE_CTL_PARITY | PCI_BRIDGE_CTL_SERR | PCI_BRIDGE_CTL_NO_ISA | \
	 PCI_BRIDGE_CTL_VGA | PCI_BRIDGE_CTL_VGA_16BIT |                       \
	 PCI_BRIDGE_CTL_BUS_RESET)

/* Device Status error bits, RW1C (r6.0 7.5.3.5). */
#define SW_DEVSTA_W1C                                                          \
	(PCI_EXP_DEVSTA_CED | PCI_EXP_DEVSTA_NFED | PCI_EXP_DEVSTA_FED |       \
	 PCI_EXP_DEVSTA_URD)

/* Hook calls a single write may trigger (a dword holds at most 4). */
#define SW_VCFG_MAX_TOUCHED 4

uint32_t sw_vcfg_read(const uint8_t *cfg, uint16_t off, unsigned len)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < len; i++)
		v |= (uint32_t)cfg[off + i] << (8 * i);
	return v;
}

void sw_vcfg_set(uint8_t *cfg, uint16_t off, unsigned len, uint32_t val)
{
	for (unsigned i = 0; i < len; i++)
		cfg[off + i] = (uint8_t)(val >> (8 * i));
}

void sw_vmask_set(struct sw_vmasks *m, uint16_t off, unsigned len,
		  uint32_t wmask, uint32_t w1c)
{
	sw_vcfg_set(m->wmask, off, len, wmask);
	sw_vcfg_set(m->w1c, off, len, w1c);
}

void sw_vcfg_write(uint8_t *cfg, const struct sw_vmasks *m, uint16_t off,
		   unsigned len, uint32_t val, const struct sw_vcfg_hook *hooks,
		   unsigned nhooks, void *obj)
{
	const struct sw_vcfg_hook *touched[SW_VCFG_MAX_TOUCHED];
	uint32_t old[SW_VCFG_MAX_TOUCHED];
	unsigned n = 0;

	for (unsigned i = 0; i < nhooks && n < SW_VCFG_MAX_TOUCHED; i++) {
		const struct sw_vcfg_hook *h = &hooks[i];

		if (h->off >= off + len || off >= h->off + h->len)
			continue;
		touched[n] = h;
		old[n] = sw_vcfg_read(cfg, h->off, h->len);
		n++;
	}
	for (unsigned i = 0; i < len; i++) {
		uint16_t at = (uint16_t)(off + i);
		uint8_t v = (uint8_t)(val >> (8 * i));
		uint8_t b = (uint8_t)((cfg[at] & ~m->wmask[at]) |
				      (v & m->wmask[at]));

		cfg[at] = (uint8_t)(b & ~(v & m->w1c[at]));
	}
	for (unsigned i = 0; i < n; i++)
		touched[i]->fn(
			obj, old[i],
			sw_vcfg_read(cfg, touched[i]->off, touched[i]->len));
}

/*
 * Type 1 header (r6.0 7.5.1.3): bus numbers, a 16-bit I/O window (there
 * is no I/O routing, but a window that can be closed reads right), the
 * memory window and a 64-bit prefetchable window.  No BARs, no ROM.
 */
void sw_vcfg_bridge_masks(struct sw_vmasks *m)
{
	sw_vmask_set(m, PCI_COMMAND, 2, SW_BRIDGE_CMD_WMASK, 0);
	sw_vmask_set(m, PCI_STATUS, 2, 0, SW_STATUS_W1C);
	sw_vmask_set(m, PCI_PRIMARY_BUS, 3, 0xffffff, 0);
	sw_vmask_set(m, PCI_IO_BASE, 2, 0xf0f0, 0);
	sw_vmask_set(m, PCI_SEC_STATUS, 2, 0, SW_STATUS_W1C);
	sw_vmask_set(m, PCI_MEMORY_BASE, 4, 0xfff0fff0, 0);
	sw_vmask_set(m, PCI_PREF_MEMORY_BASE, 4, 0xfff0fff0, 0);
	sw_vmask_set(m, PCI_PREF_BASE_UPPER32, 4, 0xffffffff, 0);
	sw_vmask_set(m, PCI_PREF_LIMIT_UPPER32, 4, 0xffffffff, 0);
	sw_vmask_set(m, PCI_INTERRUPT_LINE, 1, 0xff, 0);
	sw_vmask_set(m, PCI_BRIDGE_CONTROL, 2, SW_BRIDGE_CTL_WMASK, 0);
}

void sw_vcfg_bridge_header(uint8_t *cfg, uint16_t vendor, uint16_t device)
{
	memset(cfg, 0, SW_VBR_SIZE);
	sw_vcfg_set(cfg, PCI_VENDOR_ID, 2, vendor);
	sw_vcfg_set(cfg, PCI_DEVICE_ID, 2, device);
	sw_vcfg_set(cfg, PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
	sw_vcfg_set(cfg, PCI_CLASS_REVISION, 4,
		    (uint32_t)PCI_CLASS_BRIDGE_PCI << 16);
	cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_BRIDGE;
	cfg[PCI_IO_BASE] = PCI_IO_RANGE_TYPE_16;
	cfg[PCI_IO_LIMIT] = PCI_IO_RANGE_TYPE_16;
	sw_vcfg_set(cfg, PCI_PREF_MEMORY_BASE, 2, PCI_PREF_RANGE_TYPE_64);
	sw_vcfg_set(cfg, PCI_PREF_MEMORY_LIMIT, 2, PCI_PREF_RANGE_TYPE_64);
	cfg[PCI_CAPABILITY_LIST] = SW_VBR_EXP;
}

/*
 * PCI Express capability, version 2 (r6.0 7.5.3): Device Capabilities
 * with 256-byte payloads and role-based error reporting, Link
 * Capabilities with Data Link Layer Link Active Reporting (required of a
 * hot-plug capable Downstream Port, r6.0 7.5.3.6), every speed up to
 * @speed in Link Capabilities 2.  Slot registers are the vPPB's (vppb.c).
 */
void sw_vcfg_exp_cap(uint8_t *cfg, struct sw_vmasks *m, uint8_t type,
		     uint8_t speed, uint8_t width, uint8_t port, uint8_t next)
{
	const uint16_t e = SW_VBR_EXP;
	uint16_t lnksta =
		(uint16_t)(FM_FIELD_PREP(PCI_EXP_LNKSTA_SPEED, speed) |
			   FM_FIELD_PREP(PCI_EXP_LNKSTA_WIDTH, width));

	cfg[e + PCI_CAP_LIST_ID] = PCI_CAP_ID_EXP;
	cfg[e + PCI_CAP_LIST_NEXT] = next;
	sw_vcfg_set(cfg, e + PCI_EXP_FLAGS, 2,
		    FM_FIELD_PREP(PCI_EXP_FLAGS_VERS, 2) |
			    FM_FIELD_PREP(PCI_EXP_FLAGS_TYPE, type));
	sw_vcfg_set(cfg, e + PCI_EXP_DEVCAP, 4,
		    FM_FIELD_PREP(PCI_EXP_DEVCAP_PAYLOAD, 1) |
			    PCI_EXP_DEVCAP_RBE);
	sw_vmask_set(m, e + PCI_EXP_DEVCTL, 2,
		     PCI_EXP_DEVCTL_CERE | PCI_EXP_DEVCTL_NFERE |
			     PCI_EXP_DEVCTL_FERE | PCI_EXP_DEVCTL_URRE |
			     PCI_EXP_DEVCTL_RELAXED | PCI_EXP_DEVCTL_PAYLOAD |
			     PCI_EXP_DEVCTL_EXT_TAG | PCI_EXP_DEVCTL_NOSNOOP |
			     PCI_EXP_DEVCTL_READRQ,
		     0);
	sw_vcfg_set(cfg, e + PCI_EXP_DEVCTL, 2,
		    PCI_EXP_DEVCTL_RELAXED | PCI_EXP_DEVCTL_NOSNOOP |
			    FM_FIELD_PREP(PCI_EXP_DEVCTL_READRQ, 2));
	sw_vmask_set(m, e + PCI_EXP_DEVSTA, 2, 0, SW_DEVSTA_W1C);
	sw_vcfg_set(cfg, e + PCI_EXP_LNKCAP, 4,
		    FM_FIELD_PREP(PCI_EXP_LNKCAP_SPEED, speed) |
			    FM_FIELD_PREP(PCI_EXP_LNKCAP_WIDTH, width) |
			    PCI_EXP_LNKCAP_DLLA |
			    FM_FIELD_PREP(PCI_EXP_LNKCAP_PORT, port));
	sw_vmask_set(m, e + PCI_EXP_LNKCTL, 2,
		     PCI_EXP_LNKCTL_ASPM | PCI_EXP_LNKCTL_CLOCK |
			     PCI_EXP_LNKCTL_XSYNCH,
		     0);
	sw_vcfg_set(cfg, e + PCI_EXP_LNKSTA, 2, lnksta);
	sw_vcfg_set(cfg, e + PCI_EXP_LNKCAP2, 4, ((1u << speed) - 1) << 1);
	sw_vcfg_set(cfg, e + PCI_EXP_LNKCTL2, 2, speed);
	sw_vmask_set(m, e + PCI_EXP_LNKCTL2, 2, 0xf, 0);
	sw_vcfg_set(cfg, e + PCI_EXP_LNKSTA2, 2, 0);
}

bool sw_vcfg_bridge_claims(const uint8_t *cfg, uint64_t addr, uint64_t size)
{
	uint64_t last = addr + size - 1;
	uint64_t base, limit;

	if (!(sw_vcfg_read(cfg, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY) ||
	    size == 0 || last < addr)
		return false;
	base = (uint64_t)(sw_vcfg_read(cfg, PCI_MEMORY_BASE, 2) & 0xfff0) << 16;
	limit = (uint64_t)(sw_vcfg_read(cfg, PCI_MEMORY_LIMIT, 2) & 0xfff0)
			<< 16 |
		0xfffff;
	if (base <= limit && addr >= base && last <= limit)
		return true;
	base = (uint64_t)(sw_vcfg_read(cfg, PCI_PREF_MEMORY_BASE, 2) & 0xfff0)
		       << 16 |
	       (uint64_t)sw_vcfg_read(cfg, PCI_PREF_BASE_UPPER32, 4) << 32;
	limit = (uint64_t)(sw_vcfg_read(cfg, PCI_PREF_MEMORY_LIMIT, 2) & 0xfff0)
			<< 16 |
		0xfffff |
		(uint64_t)sw_vcfg_read(cfg, PCI_PREF_LIMIT_UPPER32, 4) << 32;
	return base <= limit && addr >= base && last <= limit;
}

uint8_t sw_vcfg_sec_bus(const uint8_t *cfg)
{
	return cfg[PCI_SECONDARY_BUS];
}

uint8_t sw_vcfg_sub_bus(const uint8_t *cfg)
{
	return cfg[PCI_SUBORDINATE_BUS];
}
