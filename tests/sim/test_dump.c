/* SPDX-License-Identifier: MIT */
/*
 * test_dump.c - the lspci-format dumps, read back the way lspci reads
 * them: through libpci's dump access method.  A blade dump holds exactly
 * what the blade enumerated, byte for byte; the fabric dump has one
 * domain per switch with the right PCIe port types, the SR-IOV numbers of
 * the chassis file, and the VFs firmware enabled through the chip HAL.
 */
#include <criterion/criterion.h>
#include <pci/pci.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/sim.h"
#include "tests/support/support.h"

static struct sim_chassis *load_on(const char *rel)
{
	struct sim_chassis *ch = NULL;
	struct fm_err err = { 0 };
	char path[512];

	cr_assert_eq(sim_chassis_load(
			     &ch, t_source_path(path, sizeof(path), rel), &err),
		     0, "%s: %s", rel, err.msg);
	cr_assert_eq(sim_chassis_power_on(ch, &err), 0, "%s", err.msg);
	return ch;
}

/* A dump file plus the libpci view of it. */
struct dump {
	char path[64];
	struct pci_access *pa;
};

static void dump_open(struct dump *d)
{
	d->pa = pci_alloc();
	d->pa->method = PCI_ACCESS_DUMP;
	pci_set_param(d->pa, "dump.name", d->path);
	pci_init(d->pa);
	pci_scan_bus(d->pa);
}

static FILE *dump_create(struct dump *d)
{
	int fd;

	snprintf(d->path, sizeof(d->path), "/tmp/mrfabric-dump-XXXXXX");
	fd = mkstemp(d->path);
	cr_assert_geq(fd, 0);
	return fdopen(fd, "w");
}

static void dump_blade(struct dump *d, struct sim_blade *b)
{
	FILE *f = dump_create(d);
	struct fm_err err = { 0 };

	cr_assert_eq(sim_blade_dump(b, f, &err), 0, "%s", err.msg);
	cr_assert_eq(fclose(f), 0);
	dump_open(d);
}

static void dump_fabric(struct dump *d, struct sim_chassis *ch)
{
	FILE *f = dump_create(d);
	struct fm_err err = { 0 };

	cr_assert_eq(sim_chassis_dump_fabric(ch, f, &err), 0, "%s", err.msg);
	cr_assert_eq(fclose(f), 0);
	dump_open(d);
}

static void dump_close(struct dump *d)
{
	pci_cleanup(d->pa);
	unlink(d->path);
}

static unsigned dump_count(const struct dump *d)
{
	struct pci_dev *p;
	unsigned n = 0;

	for (p = d->pa->devices; p; p = p->next)
		n++;
	return n;
}

static struct pci_dev *dump_get(const struct dump *d, int domain, uint16_t rid)
{
	struct pci_dev *p;

	for (p = d->pa->devices; p; p = p->next) {
		if (p->domain == domain && p->bus == FAB_RID_BUS(rid) &&
		    p->dev == FAB_RID_DEV(rid) && p->func == FAB_RID_FN(rid))
			return p;
	}
	return NULL;
}

static unsigned pcie_type(struct pci_dev *p)
{
	struct pci_cap *cap = pci_find_cap(p, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);

	cr_assert_not_null(cap, "%02x:%02x.%d has no PCIe capability", p->bus,
			   p->dev, p->func);
	return FM_FIELD_GET(PCI_EXP_FLAGS_TYPE,
			    pci_read_word(p, cap->addr + PCI_EXP_FLAGS));
}

static struct pci_cap *sriov_cap(struct pci_dev *p)
{
	pci_fill_info(p, PCI_FILL_EXT_CAPS);
	return pci_find_cap(p, PCI_EXT_CAP_ID_SRIOV, PCI_CAP_EXTENDED);
}

/* Firmware's way: NumVFs, then VF Enable and VF MSE, through the HAL. */
static void enable_vfs(struct sim_chassis *ch, const char *ep_name,
		       uint16_t num)
{
	struct sim_ep *ep = sim_chassis_ep_find(ch, ep_name);
	uint16_t rid = sim_fn_rid(sim_ep_pf(ep));
	struct fab_chip *chip = sim_switch_chip(sim_chassis_switch(ch, 0));
	struct fm_err err = { 0 };
	uint32_t v = 0;
	uint16_t off = 0x100;
	uint8_t st = 0xff;
	unsigned port;

	for (port = 0; port < sim_switch_nports(sim_chassis_switch(ch, 0));
	     port++) {
		struct fab_port_info info;

		memset(&info, 0, sizeof(info));
		chip->ops->port_info(chip, port, &info, NULL);
		if (info.kind == FAB_PORT_DOWNSTREAM &&
		    info.sec_bus == FAB_RID_BUS(rid))
			break;
	}
	/* walk the extended capabilities to SR-IOV */
	for (;;) {
		cr_assert_eq(chip->ops->cfg_read(chip, port, rid, off, 4, &v,
						 &st, &err),
			     0, "%s", err.msg);
		if ((v & 0xffff) == PCI_EXT_CAP_ID_SRIOV)
			break;
		off = (uint16_t)(v >> 20);
		cr_assert_neq(off, 0, "no SR-IOV capability");
	}
	cr_assert_eq(chip->ops->cfg_write(chip, port, rid, off + PCI_IOV_NUMVF,
					  2, num, &st, &err),
		     0, "%s", err.msg);
	cr_assert_eq(st, FAB_CPL_SC);
	cr_assert_eq(chip->ops->cfg_write(
			     chip, port, rid, off + PCI_IOV_CTRL, 2,
			     PCI_IOV_CTRL_VFE | PCI_IOV_CTRL_MSE, &st, &err),
		     0, "%s", err.msg);
	cr_assert_eq(st, FAB_CPL_SC);
	sim_clock_run_idle(sim_chassis_clock(ch), 0);
	cr_assert_eq(sim_ep_num_vfs_enabled(ep), num);
}

Test(sim_dump, blade_dump_lists_exactly_what_the_blade_enumerated)
{
	struct sim_chassis *ch = load_on("examples/chassis-small.json");
	struct sim_blade *b = sim_chassis_blade(ch, 1);
	struct dump d;
	unsigned i;

	dump_blade(&d, b);
	cr_assert_eq(dump_count(&d), sim_blade_dev_count(b));
	for (i = 0; i < sim_blade_dev_count(b); i++) {
		const struct sim_host_dev *hd = sim_blade_dev(b, i);
		struct pci_dev *p = dump_get(&d, 0, hd->rid);

		cr_assert_not_null(p, "device %04x missing", hd->rid);
		pci_fill_info(p, PCI_FILL_IDENT | PCI_FILL_CLASS);
		cr_assert_eq(p->vendor_id, hd->vendor);
		cr_assert_eq(p->device_id, hd->device);
		cr_assert_eq(p->device_class, hd->class_code >> 8);
	}
	dump_close(&d);
	sim_chassis_free(ch);
}

Test(sim_dump, blade_dump_holds_the_config_bytes_the_host_reads)
{
	struct sim_chassis *ch = load_on("examples/chassis-small.json");
	struct sim_blade *b = sim_chassis_blade(ch, 0);
	struct dump d;
	unsigned i, off;

	dump_blade(&d, b);
	for (i = 0; i < sim_blade_dev_count(b); i++) {
		uint16_t rid = sim_blade_dev(b, i)->rid;
		struct pci_dev *p = dump_get(&d, 0, rid);

		for (off = 0; off < 4096; off += 4) {
			uint32_t v = 0;

			sim_blade_cfg_read(b, rid, (uint16_t)off, 4, &v, NULL);
			cr_assert_eq(pci_read_long(p, (int)off), v,
				     "%04x at %03x", rid, off);
		}
	}
	dump_close(&d);
	sim_chassis_free(ch);
}

Test(sim_dump, blade_dump_shows_a_root_port)
{
	struct sim_chassis *ch = load_on("examples/chassis-small.json");
	struct sim_blade *b = sim_chassis_blade(ch, 0);
	struct dump d;

	dump_blade(&d, b);
	cr_assert_eq(pcie_type(dump_get(&d, 0, sim_blade_dev(b, 1)->rid)),
		     PCI_EXP_TYPE_ROOT_PORT);
	dump_close(&d);
	sim_chassis_free(ch);
}

Test(sim_dump, fabric_dump_shows_switch_ports_with_their_pcie_types)
{
	struct sim_chassis *ch = load_on("examples/chassis-small.json");
	struct dump d;

	dump_fabric(&d, ch);
	cr_assert_eq(pcie_type(dump_get(&d, 0, FAB_RID(0, 0, 0))),
		     PCI_EXP_TYPE_UPSTREAM);
	cr_assert_eq(pcie_type(dump_get(&d, 0, FAB_RID(0, 1, 0))),
		     PCI_EXP_TYPE_UPSTREAM);
	cr_assert_eq(pcie_type(dump_get(&d, 0, FAB_RID(0, 2, 0))),
		     PCI_EXP_TYPE_DOWNSTREAM);
	cr_assert_eq(pcie_type(dump_get(&d, 0, FAB_RID(0, 3, 0))),
		     PCI_EXP_TYPE_DOWNSTREAM);
	cr_assert_eq(pcie_type(dump_get(&d, 0, FAB_RID(3, 0, 0))),
		     PCI_EXP_TYPE_ENDPOINT);
	dump_close(&d);
	sim_chassis_free(ch);
}

Test(sim_dump, fabric_dump_puts_each_switch_in_its_own_domain)
{
	struct sim_chassis *ch = load_on("examples/chassis-rack.json");
	struct pci_dev *nic2;
	struct dump d;

	dump_fabric(&d, ch);
	/* 9 ports and 4 PFs on sw0, 9 ports and 3 PFs on sw1, no VFs */
	cr_assert_eq(dump_count(&d), 25);
	cr_assert_not_null(dump_get(&d, 1, FAB_RID(0, 8, 0)));
	nic2 = dump_get(&d, 1, FAB_RID(5, 0, 0));
	cr_assert_not_null(nic2);
	pci_fill_info(nic2, PCI_FILL_IDENT);
	cr_assert_eq(nic2->device_id, 0x1021);
	dump_close(&d);
	sim_chassis_free(ch);
}

Test(sim_dump, downstream_port_bus_range_in_the_dump_covers_its_endpoint)
{
	struct sim_chassis *ch = load_on("tests/data/chassis-sriov.json");
	struct pci_dev *port;
	struct dump d;

	dump_fabric(&d, ch);
	port = dump_get(&d, 0, FAB_RID(0, 1, 0));
	cr_assert_eq(pci_read_byte(port, PCI_SECONDARY_BUS), 2);
	cr_assert_eq(pci_read_byte(port, PCI_SUBORDINATE_BUS), 3);
	dump_close(&d);
	sim_chassis_free(ch);
}

Test(sim_dump, fabric_dump_sriov_capability_matches_the_chassis_file)
{
	struct sim_chassis *ch = load_on("tests/data/chassis-sriov.json");
	struct pci_dev *pf;
	struct pci_cap *cap;
	struct dump d;

	dump_fabric(&d, ch);
	pf = dump_get(&d, 0, FAB_RID(2, 0, 0));
	cr_assert_not_null(pf);
	cap = sriov_cap(pf);
	cr_assert_not_null(cap, "no SR-IOV capability in the dump");
	cr_assert_eq(pci_read_word(pf, cap->addr + PCI_IOV_TOTALVF), 128);
	cr_assert_eq(pci_read_word(pf, cap->addr + PCI_IOV_INITIALVF), 128);
	cr_assert_eq(pci_read_word(pf, cap->addr + PCI_IOV_OFFSET), 16);
	cr_assert_eq(pci_read_word(pf, cap->addr + PCI_IOV_STRIDE), 2);
	cr_assert_eq(pci_read_word(pf, cap->addr + PCI_IOV_DID), 0x1889);
	cr_assert_eq(pci_read_word(pf, cap->addr + PCI_IOV_NUMVF), 0);
	dump_close(&d);
	sim_chassis_free(ch);
}

Test(sim_dump, endpoint_without_sriov_has_no_sriov_capability)
{
	struct sim_chassis *ch = load_on("tests/data/chassis-sriov.json");
	struct pci_dev *gpu;
	struct dump d;

	dump_fabric(&d, ch);
	gpu = dump_get(&d, 0, FAB_RID(6, 0, 0));
	cr_assert_not_null(gpu);
	cr_assert_null(sriov_cap(gpu));
	dump_close(&d);
	sim_chassis_free(ch);
}

Test(sim_dump, fabric_dump_has_no_vfs_until_firmware_enables_them)
{
	struct sim_chassis *ch = load_on("examples/chassis-small.json");
	struct dump d;

	dump_fabric(&d, ch);
	/* 4 port bridges and the PF */
	cr_assert_eq(dump_count(&d), 5);
	dump_close(&d);
	sim_chassis_free(ch);
}

Test(sim_dump, enabled_vfs_appear_with_pf_vendor_and_vf_device_id)
{
	struct sim_chassis *ch = load_on("examples/chassis-small.json");
	struct dump d;
	unsigned i;

	enable_vfs(ch, "nic0", 8);
	dump_fabric(&d, ch);
	cr_assert_eq(dump_count(&d), 5 + 8);
	for (i = 0; i < 8; i++) {
		/* offset 1, stride 1: VF i+1 at 03:00.(i+1) under ARI */
		uint16_t rid = (uint16_t)(FAB_RID(3, 0, 0) + 1 + i);
		struct pci_dev *vf = dump_get(&d, 0, rid);

		cr_assert_not_null(vf, "VF%u at %04x missing", i + 1, rid);
		pci_fill_info(vf, PCI_FILL_IDENT | PCI_FILL_CLASS);
		cr_assert_eq(vf->vendor_id, 0x15b3);
		cr_assert_eq(vf->device_id, 0x101e);
		cr_assert_eq(vf->device_class, 0x0200);
	}
	dump_close(&d);
	sim_chassis_free(ch);
}

Test(sim_dump, enabled_vfs_sit_at_the_rids_offset_and_stride_give)
{
	struct sim_chassis *ch = load_on("tests/data/chassis-sriov.json");
	struct pci_dev *pf;
	struct dump d;

	enable_vfs(ch, "nic0", 128);
	dump_fabric(&d, ch);
	/* VF n at 02:00.0 + 16 + (n - 1) * 2; VF128 at 0x10e past it */
	cr_assert_not_null(dump_get(&d, 0, FAB_RID(2, 0, 0) + 16));
	cr_assert_not_null(dump_get(&d, 0, FAB_RID(2, 0, 0) + 16 + 2));
	cr_assert_null(dump_get(&d, 0, FAB_RID(2, 0, 0) + 17));
	cr_assert_not_null(dump_get(&d, 0, FAB_RID(2, 0, 0) + 16 + 127 * 2));
	pf = dump_get(&d, 0, FAB_RID(2, 0, 0));
	cr_assert_eq(pci_read_word(pf, sriov_cap(pf)->addr + PCI_IOV_NUMVF),
		     128);
	dump_close(&d);
	sim_chassis_free(ch);
}

Test(sim_dump, write_error_is_reported)
{
	struct sim_chassis *ch = load_on("examples/chassis-small.json");
	struct fm_err err = { 0 };
	FILE *f = fopen("/dev/full", "w");

	cr_assert_not_null(f);
	cr_assert_eq(sim_chassis_dump_fabric(ch, f, &err), -FM_EIO);
	cr_assert_str_eq(err.msg,
			 "fabric dump: write failed: No space left on device");
	fclose(f);
	sim_chassis_free(ch);
}
