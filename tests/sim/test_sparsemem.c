/* SPDX-License-Identifier: MIT */
/*
 * Sparse memory: zero until written, pages only where written, O(1)
 * lookups however far apart the addresses are.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sim/sparsemem_int.h"

static struct sim_sparse m;

static void setup(void)
{
	sim_sparse_init(&m);
}

static void teardown(void)
{
	sim_sparse_fini(&m);
}

TestSuite(sim_sparsemem, .init = setup, .fini = teardown);

Test(sim_sparsemem, unwritten_memory_reads_zero_and_costs_nothing)
{
	uint8_t buf[64], zero[64] = { 0 };

	memset(buf, 0xee, sizeof(buf));
	sim_sparse_read(&m, 0x123456789000ULL, buf, sizeof(buf));
	cr_assert_arr_eq(buf, zero, sizeof(buf));
	cr_assert_eq(sim_sparse_pages(&m), 0);
	cr_assert_eq(sim_sparse_bytes(&m), 0);
}

Test(sim_sparsemem, write_across_a_page_boundary_reads_back)
{
	uint8_t out[32], in[32];

	for (unsigned i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i + 1);
	cr_assert_eq(sim_sparse_write(&m, 0x1ff0, out, sizeof(out)), 0);
	cr_assert_eq(sim_sparse_pages(&m), 2);
	sim_sparse_read(&m, 0x1ff0, in, sizeof(in));
	cr_assert_arr_eq(in, out, sizeof(out));
}

Test(sim_sparsemem, bytes_around_a_write_stay_zero)
{
	uint8_t v = 0x42, in[3];

	sim_sparse_write(&m, 0x5001, &v, 1);
	sim_sparse_read(&m, 0x5000, in, 3);
	cr_assert_eq(in[0], 0);
	cr_assert_eq(in[1], 0x42);
	cr_assert_eq(in[2], 0);
}

Test(sim_sparsemem, many_distant_pages_keep_their_data)
{
	for (uint64_t i = 0; i < 1000; i++) {
		uint64_t v = i * 0x0101010101010101ULL;

		cr_assert_eq(sim_sparse_write(&m, i << 40, &v, 8), 0);
	}
	cr_assert_eq(sim_sparse_pages(&m), 1000);
	for (uint64_t i = 0; i < 1000; i++) {
		uint64_t v = 0;

		sim_sparse_read(&m, i << 40, &v, 8);
		cr_assert_eq(v, i * 0x0101010101010101ULL, "page %llu",
			     (unsigned long long)i);
	}
}

Test(sim_sparsemem, fini_frees_everything_and_memory_reads_zero)
{
	uint32_t v = 0xffffffff;

	sim_sparse_write(&m, 0x10, &v, 4);
	sim_sparse_fini(&m);
	cr_assert_eq(sim_sparse_bytes(&m), 0);
	v = 1;
	sim_sparse_read(&m, 0x10, &v, 4);
	cr_assert_eq(v, 0);
}

Test(sim_sparsemem, page_zero_keeps_its_data_among_others)
{
	uint32_t v = 0x01020304, w = 0xa0b0c0d0, in = 0;

	cr_assert_eq(sim_sparse_write(&m, 0, &v, 4), 0);
	cr_assert_eq(sim_sparse_write(&m, 7ULL << 30, &w, 4), 0);
	sim_sparse_read(&m, 0, &in, 4);
	cr_assert_eq(in, v);
	sim_sparse_read(&m, 7ULL << 30, &in, 4);
	cr_assert_eq(in, w);
}

Test(sim_sparsemem, unwritten_page_zero_reads_zero_while_others_exist)
{
	uint64_t v = ~0ULL, in = 1;

	cr_assert_eq(sim_sparse_write(&m, 5 * SIM_SPARSE_PAGE_SIZE, &v, 8), 0);
	sim_sparse_read(&m, 0, &in, 8);
	cr_assert_eq(in, 0);
	cr_assert_eq(sim_sparse_pages(&m), 1);
}

Test(sim_sparsemem, first_pages_cost_no_index)
{
	uint8_t v = 1;

	for (unsigned i = 0; i < SIM_SPARSE_NEAR; i++)
		sim_sparse_write(&m, (uint64_t)i << 32, &v, 1);
	cr_assert_eq(sim_sparse_bytes(&m),
		     SIM_SPARSE_NEAR * SIM_SPARSE_PAGE_SIZE);
	sim_sparse_write(&m, 1ULL << 48, &v, 1);
	cr_assert_gt(sim_sparse_bytes(&m),
		     (SIM_SPARSE_NEAR + 1) * SIM_SPARSE_PAGE_SIZE);
}

Test(sim_sparsemem, write_spanning_many_pages_reads_back)
{
	uint8_t out[3 * SIM_SPARSE_PAGE_SIZE], in[sizeof(out)];
	uint64_t addr = SIM_SPARSE_PAGE_SIZE - 3;

	for (unsigned i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + 1);
	cr_assert_eq(sim_sparse_write(&m, addr, out, sizeof(out)), 0);
	cr_assert_eq(sim_sparse_pages(&m), 4);
	sim_sparse_read(&m, addr, in, sizeof(in));
	cr_assert_arr_eq(in, out, sizeof(out));
}
