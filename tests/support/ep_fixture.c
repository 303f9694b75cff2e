/* SPDX-License-Identifier: MIT */
/*
 * ep_fixture.c - an endpoint cabled to a fake port; see ep_fixture.h.
 */
#include "tests/support/ep_fixture.h"

#include <criterion/criterion.h>
#include <string.h>

struct sim_ep_desc t_ep_desc_nic(void)
{
	struct sim_ep_desc d = {
		.name = "nic0",
		.vendor = T_EP_VENDOR,
		.device = T_EP_DEVICE,
		.class_code = T_EP_CLASS,
		.revision = 2,
		.subsys_vendor = T_EP_VENDOR,
		.subsys_device = 0x0001,
		.link_width = 8,
		.link_speed = 3,
		.bar = { [0] = { T_EP_BAR0_SIZE, true, false },
			 [2] = { T_EP_BAR2_SIZE, false, false },
			 [3] = { T_EP_BAR3_SIZE, true, true } },
		.total_vfs = T_EP_TOTAL_VFS,
		.first_vf_offset = T_EP_VF_OFFSET,
		.vf_stride = T_EP_VF_STRIDE,
		.vf_device = T_EP_VF_DEVICE,
		.vf_bar = { [0] = { T_EP_VFBAR0_SIZE, true, true },
			    [2] = { T_EP_VFBAR2_SIZE, false, false } },
	};

	return d;
}

struct sim_ep_desc t_ep_desc_plain(void)
{
	struct sim_ep_desc d = {
		.name = "nvme0",
		.vendor = 0x144d,
		.device = 0xa808,
		.class_code = 0x010802,
		.link_width = 4,
		.link_speed = 4,
		.bar = { [0] = { 0x1000, false, false } },
	};

	return d;
}

void t_ep_init(struct t_ep *t, const struct sim_ep_desc *desc)
{
	/* the link trains narrower and slower than the device can do */
	struct sim_link_desc link = { .width = 4,
				      .speed = 2,
				      .train_ns = T_EP_TRAIN_NS };
	struct fm_err err = { 0 };

	memset(t, 0, sizeof(*t));
	t->clk = sim_clock_new();
	cr_assert_not_null(t->clk);
	cr_assert_eq(sim_ep_new(&t->ep, t->clk, desc, T_EP_BUS, &err), 0, "%s",
		     err.msg);
	t_fake_port_init(&t->fp);
	cr_assert_eq(t_fake_port_connect(&t->fp, t->clk, sim_ep_port(t->ep),
					 &link, &err),
		     0, "%s", err.msg);
	t->pf = FAB_RID(T_EP_BUS, 0, 0);
	t->pm = t_ep_find_cap(t, t->pf, PCI_CAP_ID_PM);
	t->msi = t_ep_find_cap(t, t->pf, PCI_CAP_ID_MSI);
	t->exp = t_ep_find_cap(t, t->pf, PCI_CAP_ID_EXP);
	t->ari = t_ep_find_ecap(t, t->pf, PCI_EXT_CAP_ID_ARI);
	t->sriov = t_ep_find_ecap(t, t->pf, PCI_EXT_CAP_ID_SRIOV);
}

void t_ep_fini(struct t_ep *t)
{
	t_fake_port_fini(&t->fp);
	sim_ep_free(t->ep);
	sim_clock_free(t->clk);
}

uint32_t t_ep_rd(struct t_ep *t, uint16_t rid, uint16_t reg, unsigned len)
{
	return t_fake_port_cfg_value(&t->fp, rid, reg, len);
}

void t_ep_wr(struct t_ep *t, uint16_t rid, uint16_t reg, unsigned len,
	     uint32_t val)
{
	cr_assert_eq(t_fake_port_cfg_write(&t->fp, rid, reg, len, val),
		     FAB_CPL_SC, "config write %04x @%#x", rid, reg);
}

uint16_t t_ep_find_cap(struct t_ep *t, uint16_t rid, uint8_t id)
{
	struct t_fake_port_fn fn = { &t->fp, rid };
	struct fab_cfg_reader r;
	uint16_t off = 0;

	t_fake_port_reader_init(&r, &fn);
	if (fab_cfg_find_cap(&off, &r, id, NULL) < 0)
		return 0;
	return off;
}

uint16_t t_ep_find_ecap(struct t_ep *t, uint16_t rid, uint16_t id)
{
	struct t_fake_port_fn fn = { &t->fp, rid };
	struct fab_cfg_reader r;
	uint16_t off = 0;

	t_fake_port_reader_init(&r, &fn);
	if (fab_cfg_find_ecap(&off, &r, id, NULL) < 0)
		return 0;
	return off;
}

static void t_ep_wr64(struct t_ep *t, uint16_t reg, uint64_t addr)
{
	t_ep_wr(t, t->pf, reg, 4, (uint32_t)addr);
	t_ep_wr(t, t->pf, reg + 4, 4, (uint32_t)(addr >> 32));
}

void t_ep_assign(struct t_ep *t)
{
	t_ep_wr64(t, PCI_BASE_ADDRESS_0, T_EP_BAR0_ADDR);
	t_ep_wr(t, t->pf, PCI_BASE_ADDRESS_2, 4, (uint32_t)T_EP_BAR2_ADDR);
	t_ep_wr64(t, PCI_BASE_ADDRESS_3, T_EP_BAR3_ADDR);
	t_ep_wr(t, t->pf, PCI_COMMAND, 2,
		PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if (!t->sriov)
		return;
	t_ep_wr64(t, t->sriov + PCI_IOV_BAR_BASE, T_EP_VFBAR0_ADDR);
	t_ep_wr(t, t->pf, t->sriov + PCI_IOV_BAR_BASE + 8, 4,
		(uint32_t)T_EP_VFBAR2_ADDR);
}

void t_ep_enable_vfs(struct t_ep *t, unsigned n)
{
	cr_assert_neq(t->sriov, 0, "device has no SR-IOV capability");
	t_ep_wr(t, t->pf, t->sriov + PCI_IOV_NUMVF, 2, n);
	t_ep_wr(t, t->pf, t->sriov + PCI_IOV_CTRL, 2,
		PCI_IOV_CTRL_VFE | PCI_IOV_CTRL_MSE | PCI_IOV_CTRL_ARI);
	cr_assert_eq(sim_ep_num_vfs_enabled(t->ep), n);
}

uint16_t t_ep_vf_rid(struct t_ep *t, unsigned i)
{
	uint16_t off =
		(uint16_t)t_ep_rd(t, t->pf, t->sriov + PCI_IOV_OFFSET, 2);
	uint16_t stride =
		(uint16_t)t_ep_rd(t, t->pf, t->sriov + PCI_IOV_STRIDE, 2);

	return (uint16_t)(t->pf + off + i * stride);
}
