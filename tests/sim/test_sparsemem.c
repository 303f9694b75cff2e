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
