/* SPDX-License-Identifier: MIT */
/*
 * Configuration flash: A/B copies with CRC, generation ordering, fallback
 * from a corrupted or torn copy.  The chip is a flash-only HAL double over
 * a byte array that can tear a write after a given number of bytes.
 */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <string.h>

#include "switchfw/flash_int.h"
#include "switchfw/switchfw.h"

#define FLASH_BYTES 4096
#define HALF (FLASH_BYTES / 2)

struct flash_chip {
	struct fab_chip chip;
	uint8_t mem[FLASH_BYTES];
	long tear_after; /* < 0: writes complete; else bytes written */
	unsigned writes;
};

static int fc_get_info(struct fab_chip *chip, struct fab_chip_info *info)
{
	(void)chip;
	memset(info, 0, sizeof(*info));
	info->flash_size = FLASH_BYTES;
	return 0;
}

static int fc_read(struct fab_chip *chip, uint64_t off, void *buf, size_t len,
		   struct fm_err *err)
{
	struct flash_chip *fc = FM_CONTAINER_OF(chip, struct flash_chip, chip);

	if (off > FLASH_BYTES || len > FLASH_BYTES - off)
		return fm_err_set(err, FM_ERANGE, "read past the end");
	memcpy(buf, fc->mem + off, len);
	return 0;
}

static int fc_write(struct fab_chip *chip, uint64_t off, const void *buf,
		    size_t len, struct fm_err *err)
{
	struct flash_chip *fc = FM_CONTAINER_OF(chip, struct flash_chip, chip);

	if (off > FLASH_BYTES || len > FLASH_BYTES - off)
		return fm_err_set(err, FM_ERANGE, "write past the end");
	fc->writes++;
	if (fc->tear_after >= 0 && (size_t)fc->tear_after < len) {
		memcpy(fc->mem + off, buf, (size_t)fc->tear_after);
		return fm_err_set(err, FM_EIO, "power lost mid-write");
	}
	memcpy(fc->mem + off, buf, len);
	return 0;
}

static const struct fab_chip_ops fc_ops = {
	.get_info = fc_get_info,
	.flash_read = fc_read,
	.flash_write = fc_write,
};

static struct flash_chip fc;

static void fc_setup(void)
{
	memset(&fc, 0, sizeof(fc));
	fc.chip.ops = &fc_ops;
	fc.tear_after = -1;
}

TestSuite(sw_flash, .init = fc_setup);

static const struct sw_flash_binding cfg1[] = {
	{ SW_FID(0, 4, 1), 0, 0 },
	{ SW_FID(0, 4, 2), 1, 3 },
	{ SW_FID(1, 7, 0), 2, 31 },
};

static const struct sw_flash_binding cfg2[] = {
	{ SW_FID(0, 5, 9), 3, 1 },
};

static const struct sw_flash_binding cfg3[] = {
	{ SW_FID(0, 6, 1), 0, 2 },
	{ SW_FID(0, 6, 2), 0, 3 },
};

static void save_ok(const struct sw_flash_binding *b, unsigned n)
{
	struct fm_err err = { 0 };

	cr_assert_eq(sw_flash_save(&fc.chip, b, n, &err), 0, "%s", err.msg);
}

static void assert_loads(const struct sw_flash_binding *want, unsigned n)
{
	struct sw_flash_binding got[16];
	struct fm_err err = { 0 };
	unsigned count = 99;

	cr_assert_eq(sw_flash_load(got, 16, &count, &fc.chip, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(count, n);
	for (unsigned i = 0; i < n; i++) {
		cr_assert_eq(got[i].fid, want[i].fid, "record %u", i);
		cr_assert_eq(got[i].partition, want[i].partition, "record %u",
			     i);
		cr_assert_eq(got[i].vppb, want[i].vppb, "record %u", i);
	}
}

static void assert_no_config(void)
{
	struct sw_flash_binding got[16];
	struct fm_err err = { 0 };
	unsigned count = 99;

	cr_assert_eq(sw_flash_load(got, 16, &count, &fc.chip, &err),
		     -FM_ENOENT);
	cr_assert_eq(err.code, FM_ENOENT);
	cr_assert_eq(count, 99, "count written on failure");
}

Test(sw_flash, crc32_matches_the_standard_check_value)
{
	cr_assert_eq(sw_flash_crc32(0, "123456789", 9), 0xcbf43926u);
	cr_assert_eq(sw_flash_crc32(sw_flash_crc32(0, "1234", 4), "56789", 5),
		     0xcbf43926u, "crc does not continue across calls");
}

Test(sw_flash, blank_flash_has_no_config)
{
	assert_no_config();
}

Test(sw_flash, saved_bindings_load_back)
{
	save_ok(cfg1, 3);
	assert_loads(cfg1, 3);
}

Test(sw_flash, empty_config_loads_as_zero_bindings)
{
	save_ok(NULL, 0);
	assert_loads(NULL, 0);
}

Test(sw_flash, copies_are_little_endian_with_magic_at_copy_start)
{
	save_ok(cfg1, 3);
	cr_assert_eq(memcmp(fc.mem, "MRFL", 4), 0);
	cr_assert_eq(fc.mem[8], 1, "generation 1, low byte first");
	cr_assert_eq(fc.mem[16], 3 * SW_FLASH_REC_SIZE);
}

Test(sw_flash, first_save_writes_copy_a_second_copy_b)
{
	save_ok(cfg1, 3);
	cr_assert_eq(memcmp(fc.mem, "MRFL", 4), 0);
	cr_assert_neq(memcmp(fc.mem + HALF, "MRFL", 4), 0);
	save_ok(cfg2, 1);
	cr_assert_eq(memcmp(fc.mem + HALF, "MRFL", 4), 0);
	cr_assert_eq(fc.mem[HALF + 8], 2, "copy B has generation 2");
}

Test(sw_flash, load_takes_the_highest_generation)
{
	save_ok(cfg1, 3); /* A, gen 1 */
	save_ok(cfg2, 1); /* B, gen 2 */
	assert_loads(cfg2, 1);
	save_ok(cfg3, 2); /* A, gen 3 */
	assert_loads(cfg3, 2);
}

Test(sw_flash, many_saves_keep_the_latest)
{
	struct sw_flash_binding b = { 0, 0, 0 };

	for (unsigned i = 1; i <= 50; i++) {
		b.fid = i;
		save_ok(&b, 1);
	}
	assert_loads(&b, 1);
	cr_assert_eq(fc.mem[HALF + 8], 50, "gen 50 lands in copy B");
}

Test(sw_flash, corrupted_record_in_newest_copy_falls_back_to_older)
{
	save_ok(cfg1, 3); /* A */
	save_ok(cfg2, 1); /* B, newest */
	fc.mem[HALF + SW_FLASH_HDR_SIZE] ^= 0x01;
	assert_loads(cfg1, 3);
}

Test(sw_flash, corrupted_copy_a_falls_back_to_copy_b)
{
	save_ok(cfg1, 3); /* A gen 1 */
	save_ok(cfg2, 1); /* B gen 2 */
	save_ok(cfg3, 2); /* A gen 3, newest */
	fc.mem[SW_FLASH_HDR_SIZE + 5] ^= 0x80;
	assert_loads(cfg2, 1);
}

Test(sw_flash, bad_magic_falls_back_to_the_other_copy)
{
	save_ok(cfg1, 3);
	save_ok(cfg2, 1);
	fc.mem[HALF] = 'X';
	assert_loads(cfg1, 3);
}

Test(sw_flash, corrupted_generation_is_caught_by_the_crc)
{
	save_ok(cfg1, 3);
	save_ok(cfg2, 1);
	fc.mem[8] = 0x7f; /* copy A claims generation 127 */
	assert_loads(cfg2, 1);
}

Test(sw_flash, length_past_the_half_falls_back_to_the_other_copy)
{
	save_ok(cfg1, 3);
	save_ok(cfg2, 1);
	fc.mem[HALF + 16] = 0xf8;
	fc.mem[HALF + 17] = 0x7f; /* 0x7ff8 bytes: does not fit */
	assert_loads(cfg1, 3);
}

Test(sw_flash, both_copies_corrupt_is_no_config)
{
	save_ok(cfg1, 3);
	save_ok(cfg2, 1);
	fc.mem[SW_FLASH_HDR_SIZE] ^= 0xff;
	fc.mem[HALF + 20] ^= 0xff;
	assert_no_config();
}

Test(sw_flash, save_after_corruption_continues_the_generation)
{
	save_ok(cfg1, 3); /* A gen 1 */
	save_ok(cfg2, 1); /* B gen 2 */
	fc.mem[HALF + SW_FLASH_HDR_SIZE] ^= 1;
	save_ok(cfg3, 2); /* must overwrite the bad B, keep A */
	assert_loads(cfg3, 2);
	fc.mem[HALF + SW_FLASH_HDR_SIZE] ^= 1;
	assert_loads(cfg1, 3);
	cr_assert_eq(fc.mem[HALF + 8], 2, "generation is newest valid + 1");
}

static bool loads_equal(const struct sw_flash_binding *want, unsigned n)
{
	struct sw_flash_binding got[16];
	unsigned count = 0;

	if (sw_flash_load(got, 16, &count, &fc.chip, NULL) < 0 || count != n)
		return false;
	return n == 0 || memcmp(got, want, n * sizeof(*want)) == 0;
}

/*
 * A power loss at every byte of a save leaves the previous config, or the
 * new one when every byte that differed had already landed; never a mix.
 */
Test(sw_flash, torn_write_at_any_byte_keeps_the_previous_config)
{
	size_t size = SW_FLASH_HDR_SIZE + 2 * SW_FLASH_REC_SIZE;

	for (long k = 0; k < (long)size; k++) {
		struct fm_err err = { 0 };

		fc_setup();
		save_ok(cfg1, 3);
		save_ok(cfg2, 1);
		fc.tear_after = k;
		cr_assert_eq(sw_flash_save(&fc.chip, cfg3, 2, &err), -FM_EIO);
		fc.tear_after = -1;
		cr_assert(loads_equal(cfg2, 1) || loads_equal(cfg3, 2),
			  "tear at byte %ld loads neither config", k);
		save_ok(cfg3, 2);
		assert_loads(cfg3, 2);
	}
}

Test(sw_flash, torn_first_save_is_no_config)
{
	struct fm_err err = { 0 };

	fc.tear_after = SW_FLASH_HDR_SIZE + 4;
	cr_assert_eq(sw_flash_save(&fc.chip, cfg1, 3, &err), -FM_EIO);
	fc.tear_after = -1;
	assert_no_config();
}

Test(sw_flash, save_larger_than_a_copy_is_refused_and_writes_nothing)
{
	static struct sw_flash_binding many[HALF / SW_FLASH_REC_SIZE];
	struct fm_err err = { 0 };
	unsigned cap = sw_flash_capacity(&fc.chip);

	cr_assert_eq(cap, (HALF - SW_FLASH_HDR_SIZE) / SW_FLASH_REC_SIZE);
	save_ok(cfg1, 3);
	cr_assert_eq(sw_flash_save(&fc.chip, many, cap + 1, &err), -FM_ENOSPC);
	cr_assert(strstr(err.msg, "room for"), "%s", err.msg);
	cr_assert_eq(fc.writes, 1);
	assert_loads(cfg1, 3);
}

Test(sw_flash, full_copy_round_trips)
{
	static struct sw_flash_binding many[HALF / SW_FLASH_REC_SIZE];
	static struct sw_flash_binding got[HALF / SW_FLASH_REC_SIZE];
	struct fm_err err = { 0 };
	unsigned cap = sw_flash_capacity(&fc.chip), n = 0;

	for (unsigned i = 0; i < cap; i++)
		many[i] = (struct sw_flash_binding){ i * 7919u, (uint16_t)i,
						     (uint16_t)(i % 32) };
	save_ok(many, cap);
	cr_assert_eq(sw_flash_load(got, cap, &n, &fc.chip, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(n, cap);
	cr_assert_eq(memcmp(got, many, sizeof(got[0]) * cap), 0);
}

Test(sw_flash, load_into_too_small_array_is_refused)
{
	struct sw_flash_binding got[2];
	struct fm_err err = { 0 };
	unsigned n = 99;

	save_ok(cfg1, 3);
	cr_assert_eq(sw_flash_load(got, 2, &n, &fc.chip, &err), -FM_ENOSPC);
	cr_assert_eq(n, 99);
}
