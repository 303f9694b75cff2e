/* SPDX-License-Identifier: MIT */
/*
 * discover.h - discovery of PCI functions with libpci: on the machine it
 * runs on (libpci's default access method, read-only) or from a config
 * space dump in `lspci -xxx` / `lspci -xxxx` format (libpci's dump method,
 * the one `lspci -F FILE` uses), which is also what the simulator writes.
 * Both go through the same code: libpci reads config space, this file
 * decodes it.
 *
 * Only this file's implementation includes <pci/pci.h> (DESIGN.md); callers
 * get plain values.  A scan is synchronous and holds no libpci state once
 * it returns.  Nothing here writes config space.
 */
#ifndef MRFABRIC_FABRIC_DISCOVER_H
#define MRFABRIC_FABRIC_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fm.h"
#include "pcie.h"

/* "dddd:bb:dd.f" with up to 8 domain digits, plus NUL */
#define FAB_DISCOVER_BDF_STR_LEN 17

/*
 * Link Capabilities / Link Status of a function with a link (every PCIe
 * device or port except Root Complex Integrated Endpoints and Event
 * Collectors; r6.0 7.5.3.6, 7.5.3.8).  Speeds are the register encodings
 * (1 = 2.5GT/s ... 6 = 64GT/s, see fab_discover_link_speed_name()); widths
 * are lane counts.  A VF has the registers but they are reserved and read 0
 * (r6.0 9.3.5): its link is its PF's.
 */
struct fab_discover_link {
	bool present;	   /* the function has link registers */
	uint8_t port;	   /* Link Capabilities Port Number */
	uint8_t max_speed; /* Link Capabilities Max Link Speed */
	uint8_t max_width; /* Link Capabilities Maximum Link Width */
	uint8_t speed;	   /* Link Status Current Link Speed */
	uint8_t width;	   /* Link Status Negotiated Link Width, 0 if down */
	bool dl_active;	   /* Link Status Data Link Layer Link Active */
};

/*
 * Slot Capabilities of a Root Port or Downstream Port whose PCI Express
 * Capabilities register says Slot Implemented (r6.0 7.5.3.2, 7.5.3.9), and
 * the Presence Detect State of its Slot Status (7.5.3.11).
 */
struct fab_discover_slot {
	bool present;	       /* Slot Implemented */
	uint16_t number;       /* Physical Slot Number */
	bool hotplug;	       /* Hot-Plug Capable */
	bool surprise;	       /* Hot-Plug Surprise */
	bool attn_button;      /* Attention Button Present */
	bool power_ctrl;       /* Power Controller Present */
	bool mrl_sensor;       /* MRL Sensor Present */
	bool attn_indicator;   /* Attention Indicator Present */
	bool power_indicator;  /* Power Indicator Present */
	bool interlock;	       /* Electromechanical Interlock Present */
	bool no_cmd_completed; /* No Command Completed Support */
	bool occupied;	       /* Slot Status Presence Detect State */
};

/* The SR-IOV Extended Capability of a PF (SR-IOV r1.1 / PCIe r6.0 9.3.3). */
struct fab_discover_sriov {
	bool present;	 /* the function has an SR-IOV capability */
	uint16_t offset; /* its offset in config space */
	bool vf_enable;	 /* SR-IOV Control VF Enable */
	uint16_t initial_vfs;
	uint16_t total_vfs;
	uint16_t num_vfs;
	uint16_t first_vf_offset; /* Routing ID offset of VF 1 from the PF */
	uint16_t vf_stride;	  /* Routing ID step between VFs */
	uint16_t vf_device;	  /* VF Device ID */
};

/* One PCI function as read through libpci.  A plain value. */
struct fab_discover_fn {
	uint32_t domain;
	uint8_t bus;
	uint8_t dev;
	uint8_t func;
	uint16_t vendor;     /* as the OS reports it (for VFs: the PF's) */
	uint16_t device;     /* for VFs: the PF's VF Device ID */
	uint32_t class_code; /* base class, sub-class, prog-if: 0x020000 */
	uint8_t revision;
	uint8_t header_type; /* PCI_HEADER_TYPE_*, multi-function bit clear */
	bool multifunction;
	/* bridges (header type 1 or 2): bus numbers, all 0 otherwise */
	uint8_t primary_bus;
	uint8_t secondary_bus;
	uint8_t subordinate_bus;
	/*
	 * Hierarchy, as indices into the list.  parent: the bridge whose
	 * secondary bus this function sits on (-1 on a root bus or when
	 * that bridge is not in the list); a VF found by its PF takes the
	 * PF's parent, as VFs may sit on buses that no bridge names.  pf:
	 * for a VF, the PF whose SR-IOV capability (VF Enable set) places
	 * it at this routing ID; -1 otherwise.
	 */
	int parent;
	int pf;
	bool pcie;	   /* has a PCI Express Capability */
	uint8_t port_type; /* PCI_EXP_TYPE_*; FAB_PCI_EXP_TYPE_UNKNOWN if !pcie */
	struct fab_discover_link link;
	struct fab_discover_slot slot;
	struct fab_discover_sriov sriov;
};

/*
 * The result of a scan.  fns is sorted by domain, bus, device, function and
 * owned by the list: release it with fab_discover_list_fini().
 */
struct fab_discover_list {
	struct fab_discover_fn *fns;
	size_t count;
	/* libpci access method that read them ("linux-sysfs", "dump", ...);
	 * "" when the machine offers none */
	char method[32];
	/* why a host scan found no PCI at all (libpci's message), else "" */
	char note[FM_ERR_MSG_MAX];
};

/*
 * Scan the machine this runs on with libpci's default access method
 * (PCI_ACCESS_AUTO: sysfs on Linux), read-only, into @out (initialised
 * here).  A machine that exposes no PCI at all is not an error: when no
 * access method works, or the one found cannot list functions (containers
 * without /sys/bus/pci), the list is empty, method is "" and note says
 * libpci's reason.  Returns 0; -FM_EIO when libpci fails to read a
 * function it listed; -FM_ENOMEM.  On error @out is left empty.
 */
int fab_discover_scan_host(struct fab_discover_list *out, struct fm_err *err);

/*
 * Scan the config space dump in file @path (`lspci -x`, `-xxx` or `-xxxx`
 * format; lines that are neither function headers nor hex data, such as
 * the decoded text of `lspci -vvv -xxx`, are skipped as libpci skips them)
 * into @out (initialised here).  Every message names the path.  Returns 0;
 * -FM_EINVAL for a NULL or empty path or a directory; -FM_ENOENT when the
 * file does not exist and -FM_EIO when it cannot be opened (with errno);
 * -FM_EPARSE when it holds no function, a function shorter than its 64-byte
 * header, or a line libpci rejects (libpci's message); -FM_ENOMEM.  On
 * error @out is left empty.
 */
int fab_discover_scan_dump(struct fab_discover_list *out, const char *path,
			   struct fm_err *err);

/* Free what a scan put in @list and leave it empty.  @list may be NULL. */
void fab_discover_list_fini(struct fab_discover_list *list);

/*
 * The function at @domain:@bus:@dev.@func in @list, or NULL.  Borrowed:
 * valid until the list is finalised.
 */
const struct fab_discover_fn *
fab_discover_list_find(const struct fab_discover_list *list, uint32_t domain,
		       uint8_t bus, uint8_t dev, uint8_t func);

/* Format @fn's address as "dddd:bb:dd.f" into @buf
 * (FAB_DISCOVER_BDF_STR_LEN bytes); returns buf. */
char *fab_discover_fn_format(char *buf, const struct fab_discover_fn *fn);

/*
 * Stable names of a PCI_EXP_TYPE_* Device/Port Type, as lspci prints them
 * ("Root Port", "Upstream Port", "Downstream Port", "Endpoint", ...);
 * "Unknown" for reserved values and FAB_PCI_EXP_TYPE_UNKNOWN.
 */
const char *fab_discover_port_type_name(uint8_t type);

/* "2.5GT/s" ... "64GT/s" for a link speed encoding; "unknown" otherwise. */
const char *fab_discover_link_speed_name(uint8_t speed);

#endif
