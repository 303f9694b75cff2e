/* SPDX-License-Identifier: MIT */
/*
 * fuzz_vcfg.c - libFuzzer target: host config-space accesses to the
 * virtual bridges the switch firmware emulates (virtual upstream bridge,
 * vPPBs with their hot-plug slots) and to a bound VF.  Each input gets a
 * fresh small chassis (examples/chassis-small.json) with the firmware
 * started, VF1 of nic0 bound to partition 0 and the hot-add run to the
 * end, so an input replays the same way on its own.
 *
 * The input is a sequence of 9-byte records, a trailing partial one
 * ignored:
 *
 *   byte 0     op: (byte % 4) 0 config read, 1 config write,
 *              2 run the clock for (value & 0xffffff) us, 3 rescan
 *   byte 1     target: bit 7 the blade (0 or 1); bits 6..0 index the
 *              blade's enumerated devices (modulo their count); with no
 *              device enumerated, the byte itself is the RID
 *   bytes 2-3  register (little-endian, any value: bad ones are refused)
 *   byte 4     length (any value: bad ones are refused)
 *   bytes 5-8  value (little-endian)
 *
 * After the last record the clock runs until idle (capped), so started
 * hot-plug and reset sequences finish.  Checked beyond the sanitizers:
 * an access returns 0 or -FM_EINVAL, never anything else.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"

#define FUZZ_VCFG_REC 9
#define FUZZ_VCFG_BIND_FID SW_FID(0, 2, 1) /* nic0 VF1 */

enum fuzz_vcfg_op {
	FUZZ_VCFG_READ = 0,
	FUZZ_VCFG_WRITE,
	FUZZ_VCFG_RUN,
	FUZZ_VCFG_RESCAN,
	FUZZ_VCFG_OP_COUNT
};

static uint16_t fuzz_vcfg_rid(const struct sim_blade *b, uint8_t target)
{
	unsigned n = sim_blade_dev_count(b);

	if (!n)
		return target;
	return sim_blade_dev(b, (target & 0x7f) % n)->rid;
}

static void fuzz_vcfg_record(struct fuzz_fabric *f, const uint8_t *rec)
{
	struct sim_blade *b = sim_chassis_blade(f->ch, rec[1] >> 7);
	uint16_t reg = (uint16_t)(rec[2] | rec[3] << 8);
	uint32_t val = (uint32_t)rec[5] | (uint32_t)rec[6] << 8 |
		       (uint32_t)rec[7] << 16 | (uint32_t)rec[8] << 24;
	struct fm_err err = { 0 };
	uint32_t got = 0;
	int ret = 0;

	switch (rec[0] % FUZZ_VCFG_OP_COUNT) {
	case FUZZ_VCFG_READ:
		ret = sim_blade_cfg_read(b, fuzz_vcfg_rid(b, rec[1]), reg,
					 rec[4], &got, &err);
		break;
	case FUZZ_VCFG_WRITE:
		ret = sim_blade_cfg_write(b, fuzz_vcfg_rid(b, rec[1]), reg,
					  rec[4], val, &err);
		break;
	case FUZZ_VCFG_RUN:
		sim_clock_run_for(f->clk, (uint64_t)(val & 0xffffff) * 1000);
		return;
	case FUZZ_VCFG_RESCAN:
		/* refusals (bus numbers exhausted, ...) are fine */
		sim_blade_rescan(b, &err);
		return;
	}
	if (ret != 0 && ret != -FM_EINVAL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_fabric f = { 0 };
	struct fm_err err = { 0 };

	fuzz_fabric_up(&f);
	if (sw_fw_bind(f.fw, FUZZ_VCFG_BIND_FID, 0, -1, NULL, &err) < 0)
		fuzz_die("bind", &err);
	sim_clock_run_idle(f.clk, FUZZ_IDLE_MAX);
	for (size_t off = 0; off + FUZZ_VCFG_REC <= size; off += FUZZ_VCFG_REC)
		fuzz_vcfg_record(&f, data + off);
	sim_clock_run_idle(f.clk, FUZZ_IDLE_MAX);
	fuzz_fabric_down(&f);
	return 0;
}
