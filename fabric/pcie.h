/* SPDX-License-Identifier: MIT */
/*
 * pcie.h - PCIe basics shared by every layer: routing IDs, TLPs and the
 * few register names pciutils' <pci/header.h> lacks.
 */
#ifndef MRFABRIC_FABRIC_PCIE_H
#define MRFABRIC_FABRIC_PCIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pci/header.h>

#include "fm.h"

/*
 * Register names missing from <pci/header.h>, in its layout.
 */
#define FAB_PCI_EXP_DEVCTL_FLR                                                 \
	0x8000 /* Initiate Function Level Reset (r6.0 7.5.3.4), endpoints */
#define FAB_PCI_CFG_SPACE_SIZE 256	/* conventional config space */
#define FAB_PCI_CFG_SPACE_EXP_SIZE 4096 /* PCIe extended config space */
#define FAB_PCI_EXP_TYPE_UNKNOWN 0xff
/*
 * Slot Control indicator encodings (r6.0 7.5.3.10), for the 2-bit fields
 * PCI_EXP_SLTCTL_ATNI and PCI_EXP_SLTCTL_PWRI (use FM_FIELD_PREP).
 */
#define FAB_PCI_EXP_SLTCTL_IND_ON 0x1
#define FAB_PCI_EXP_SLTCTL_IND_BLINK 0x2
#define FAB_PCI_EXP_SLTCTL_IND_OFF 0x3

/* Spec times, in nanoseconds of (virtual) time. */
#define FAB_NS_PER_US 1000ULL
#define FAB_NS_PER_MS 1000000ULL
#define FAB_NS_PER_S 1000000000ULL
#define FAB_FLR_TIME_NS                                                        \
	(100 * FAB_NS_PER_MS) /* r6.0 6.6.2: FLR done within 100 ms */

/*
 * Routing ID (requester/completer ID): bus[15:8] device[7:3] function[2:0];
 * under ARI the low 8 bits are one function number.
 */
#define FAB_RID(bus, dev, fn)                                                  \
	((uint16_t)((((bus)&0xff) << 8) | (((dev)&0x1f) << 3) | ((fn)&0x7)))
#define FAB_RID_BUS(rid) ((uint8_t)((rid) >> 8))
#define FAB_RID_DEV(rid) ((uint8_t)(((rid) >> 3) & 0x1f))
#define FAB_RID_FN(rid) ((uint8_t)((rid)&0x7))
#define FAB_RID_DEVFN(rid) ((uint8_t)((rid)&0xff))

/* "bb:dd.f" plus NUL */
#define FAB_RID_STR_LEN 8

/* Format @rid as "bb:dd.f" into @buf (FAB_RID_STR_LEN bytes); returns buf. */
char *fab_rid_format(char *buf, uint16_t rid);

/*
 * Parse "bb:dd.f" (hex bus and device, 0-7 function; an optional
 * "dddd:" domain prefix is accepted and ignored).  Returns 0 or -FM_EINVAL.
 */
int fab_rid_parse(uint16_t *rid, const char *s, struct fm_err *err);

/*
 * Transaction layer packets.  The simulator moves these by pointer; the
 * layout is ours, not the wire format, but every field has its wire
 * meaning.
 */
enum fab_tlp_type {
	FAB_TLP_CFG_RD0 = 0,
	FAB_TLP_CFG_WR0,
	FAB_TLP_CFG_RD1,
	FAB_TLP_CFG_WR1,
	FAB_TLP_MEM_RD,
	FAB_TLP_MEM_WR, /* also MSI: a memory write to the MSI address */
	FAB_TLP_CPL,	/* completion without data */
	FAB_TLP_CPLD,	/* completion with data */
	FAB_TLP_MSG,
	FAB_TLP_TYPE_COUNT
};

/* Completion status (r6.0 2.2.9, Cpl Status field). */
enum fab_cpl_status {
	FAB_CPL_SC = 0,	 /* successful completion */
	FAB_CPL_UR = 1,	 /* unsupported request */
	FAB_CPL_CRS = 2, /* configuration request retry status */
	FAB_CPL_CA = 4,	 /* completer abort */
};

/* Message codes (r6.0 2.2.8) used by the simulator. */
enum fab_msg_code {
	FAB_MSG_PM_PME = 0x18,
	FAB_MSG_ASSERT_INTA = 0x20,
	FAB_MSG_DEASSERT_INTA = 0x24,
	FAB_MSG_ERR_COR = 0x30,
	FAB_MSG_ERR_NONFATAL = 0x31,
	FAB_MSG_ERR_FATAL = 0x33,
	FAB_MSG_SET_SLOT_POWER = 0x50,
};

/* Largest memory payload carried in one struct fab_tlp. */
#define FAB_TLP_MAX_DATA 64

/* x86 MSI address window: a memory write here is an interrupt. */
#define FAB_MSI_ADDR_BASE 0xfee00000ULL
#define FAB_MSI_ADDR_SIZE 0x00100000ULL

struct fab_tlp {
	uint8_t type; /* enum fab_tlp_type */
	uint8_t tag;
	uint16_t requester; /* requester ID */
	uint16_t completer; /* completions: completer ID */
	uint8_t status;	    /* completions: enum fab_cpl_status */
	uint8_t msg_code;   /* messages: enum fab_msg_code */
	uint16_t len; /* bytes: config 1/2/4, memory 1..FAB_TLP_MAX_DATA */
	uint16_t cfg_target; /* config: target routing ID */
	uint16_t cfg_reg;    /* config: byte offset 0..4095, aligned to len */
	uint64_t addr;	     /* memory: address */
	uint8_t data[FAB_TLP_MAX_DATA]; /* payload, little-endian */
};

/* True for posted requests (memory writes, messages). */
bool fab_tlp_is_posted(const struct fab_tlp *tlp);
/* True for config read/write of either type. */
bool fab_tlp_is_cfg(const struct fab_tlp *tlp);
/* True for requests that expect a completion. */
bool fab_tlp_is_nonposted(const struct fab_tlp *tlp);
/* True for a memory write into the MSI window. */
bool fab_tlp_is_msi(const struct fab_tlp *tlp);
/* Stable short name ("CfgRd0", "MWr", ...). */
const char *fab_tlp_type_name(enum fab_tlp_type type);

/*
 * Builders.  They fill every field (the rest zeroed) and return 0, or
 * -FM_EINVAL when the length or alignment is wrong: config accesses are 1,
 * 2 or 4 bytes, naturally aligned, below 4096; memory accesses are
 * 1..FAB_TLP_MAX_DATA bytes.
 */
int fab_tlp_cfg_read(struct fab_tlp *tlp, bool type1, uint16_t requester,
		     uint16_t target, uint16_t reg, unsigned len,
		     struct fm_err *err);
int fab_tlp_cfg_write(struct fab_tlp *tlp, bool type1, uint16_t requester,
		      uint16_t target, uint16_t reg, unsigned len, uint32_t val,
		      struct fm_err *err);
int fab_tlp_mem_read(struct fab_tlp *tlp, uint16_t requester, uint64_t addr,
		     unsigned len, struct fm_err *err);
int fab_tlp_mem_write(struct fab_tlp *tlp, uint16_t requester, uint64_t addr,
		      const void *data, unsigned len, struct fm_err *err);
/* An MSI: a 4-byte memory write of @data to @addr. */
void fab_tlp_msi(struct fab_tlp *tlp, uint16_t requester, uint64_t addr,
		 uint32_t data);
void fab_tlp_msg(struct fab_tlp *tlp, uint16_t requester,
		 enum fab_msg_code code);
/* Fill @cpl as the completion of @req with @status (data zeroed). */
void fab_tlp_complete(struct fab_tlp *cpl, const struct fab_tlp *req,
		      uint16_t completer, enum fab_cpl_status status);

/* Config payload (len 1, 2 or 4 bytes) as a host-order value. */
uint32_t fab_tlp_cfg_value(const struct fab_tlp *tlp);
void fab_tlp_set_cfg_value(struct fab_tlp *tlp, uint32_t val);

#endif
