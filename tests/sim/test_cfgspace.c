/* SPDX-License-Identifier: MIT */
/*
 * Config space model: read-only, read-write and write-1-to-clear bits,
 * copy-on-write sharing of the power-on image.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sim/sim_int.h"

static uint8_t image[FAB_PCI_CFG_SPACE_EXP_SIZE];
static struct sim_cfg_masks masks;

static void setup(void)
{
	memset(image, 0, sizeof(image));
	memset(&masks, 0, sizeof(masks));
	image[PCI_VENDOR_ID] = 0x86;
	image[PCI_VENDOR_ID + 1] = 0x80;
	/* Command: low byte writable; Status: error bits write-1-to-clear */
	masks.wmask[PCI_COMMAND] = 0xff;
	masks.w1cmask[PCI_STATUS + 1] = 0xf9;
	image[PCI_STATUS + 1] = 0x90;
}

TestSuite(sim_cfgspace, .init = setup);

Test(sim_cfgspace, read_only_bits_ignore_writes)
{
	struct sim_cfg cfg;

	sim_cfg_init(&cfg, image, &masks);
	cr_assert_eq(sim_cfg_write(&cfg, PCI_VENDOR_ID, 2, 0x1234), 0);
	cr_assert_eq(sim_cfg_read(&cfg, PCI_VENDOR_ID, 2), 0x8086);
	sim_cfg_fini(&cfg);
}

Test(sim_cfgspace, read_write_bits_take_the_written_value)
{
	struct sim_cfg cfg;

	sim_cfg_init(&cfg, image, &masks);
	cr_assert_eq(sim_cfg_write(&cfg, PCI_COMMAND, 2, 0xffff), 0);
	cr_assert_eq(sim_cfg_read(&cfg, PCI_COMMAND, 2), 0x00ff);
	sim_cfg_fini(&cfg);
}

Test(sim_cfgspace, write_one_clears_and_write_zero_keeps)
{
	struct sim_cfg cfg;

	sim_cfg_init(&cfg, image, &masks);
	cr_assert_eq(sim_cfg_write(&cfg, PCI_STATUS, 2, 0x0000), 0);
	cr_assert_eq(sim_cfg_read(&cfg, PCI_STATUS, 2), 0x9000);
	cr_assert_eq(sim_cfg_write(&cfg, PCI_STATUS, 2, 0x1000), 0);
	cr_assert_eq(sim_cfg_read(&cfg, PCI_STATUS, 2), 0x8000);
	sim_cfg_fini(&cfg);
}

Test(sim_cfgspace, untouched_function_shares_the_image_until_its_first_change)
{
	struct sim_cfg a, b;

	sim_cfg_init(&a, image, &masks);
	sim_cfg_init(&b, image, &masks);
	cr_assert(a.shared);
	/* a write that changes nothing keeps sharing */
	sim_cfg_write(&a, PCI_VENDOR_ID, 2, 0xffff);
	cr_assert(a.shared);
	sim_cfg_write(&a, PCI_COMMAND, 1, 0x06);
	cr_assert_not(a.shared);
	cr_assert_eq(sim_cfg_read(&a, PCI_COMMAND, 1), 0x06);
	cr_assert_eq(sim_cfg_read(&b, PCI_COMMAND, 1), 0x00,
		     "other function unchanged");
	cr_assert_eq(image[PCI_COMMAND], 0x00, "power-on image unchanged");
	sim_cfg_fini(&a);
	sim_cfg_fini(&b);
}

Test(sim_cfgspace, reset_returns_to_the_power_on_image)
{
	struct sim_cfg cfg;

	sim_cfg_init(&cfg, image, &masks);
	sim_cfg_write(&cfg, PCI_COMMAND, 1, 0x06);
	sim_cfg_poke(&cfg, 0x40, 4, 0xdeadbeef);
	sim_cfg_reset(&cfg);
	cr_assert_eq(sim_cfg_read(&cfg, PCI_COMMAND, 1), 0);
	cr_assert_eq(sim_cfg_read(&cfg, 0x40, 4), 0);
	sim_cfg_fini(&cfg);
}

Test(sim_cfgspace, poke_sets_device_owned_bits_regardless_of_masks)
{
	struct sim_cfg cfg;

	sim_cfg_init(&cfg, image, &masks);
	cr_assert_eq(sim_cfg_poke(&cfg, PCI_VENDOR_ID, 2, 0x15b3), 0);
	cr_assert_eq(sim_cfg_read(&cfg, PCI_VENDOR_ID, 2), 0x15b3);
	cr_assert_eq(sim_cfg_read(&cfg, PCI_VENDOR_ID, 1), 0xb3);
	sim_cfg_fini(&cfg);
}
