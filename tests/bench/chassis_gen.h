/* SPDX-License-Identifier: MIT */
/*
 * chassis_gen.h - chassis descriptions generated as JSON text for the
 * benchmarks (bench_chassis.c, bench_bind.c): blades on upstream ports,
 * SR-IOV NICs on downstream ports, and optionally fabric links between
 * the switches.  Header-only: each benchmark is one program.
 */
#ifndef MRFABRIC_TESTS_BENCH_CHASSIS_GEN_H
#define MRFABRIC_TESTS_BENCH_CHASSIS_GEN_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* How the switches of a generated chassis are linked to each other. */
enum gen_fabric {
	GEN_FABRIC_NONE = 0,
	GEN_FABRIC_RING, /* ports P, P+1 to the next and previous switch */
	GEN_FABRIC_MESH, /* one port to every other switch: one hop apart */
};

struct gen_shape {
	const char *name;
	unsigned switches;
	unsigned blades_per_switch;
	unsigned pfs_per_switch;
	unsigned vfs; /* TotalVFs of each PF */
	enum gen_fabric fabric;
};

struct gen_text {
	char *s;
	size_t len, cap;
};

static void gen_add(struct gen_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append to @t; exits the program when out of memory. */
static void gen_add(struct gen_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if ((size_t)n < t->cap - t->len)
			break;
		t->cap = t->cap * 2 + (size_t)n;
		t->s = realloc(t->s, t->cap);
		if (!t->s) {
			perror("realloc");
			exit(1);
		}
	}
	t->len += (size_t)n;
}

/*
 * GEN_FABRIC_MESH: switch s has its blades on ports 0.., its PFs next,
 * then one fabric port to each other switch: port base + j goes to
 * switch j (skipping itself).
 */
static unsigned gen_mesh_port(const struct gen_shape *sh, unsigned s,
			      unsigned to)
{
	unsigned base = sh->blades_per_switch + sh->pfs_per_switch;

	return base + (to < s ? to : to - 1);
}

/* The fabric ports of switch @s, its first free port number @port. */
static void gen_fabric_ports(struct gen_text *t, const struct gen_shape *sh,
			     unsigned s, unsigned port, const char *link)
{
	unsigned i, n = sh->switches;

	if (sh->fabric == GEN_FABRIC_RING) {
		gen_add(t,
			", {\"number\": %u, \"kind\": \"fabric\", %s, "
			"\"peer\": {\"switch\": \"sw%u\", \"port\": %u}}",
			port, link, (s + 1) % n, port + 1);
		gen_add(t,
			", {\"number\": %u, \"kind\": \"fabric\", %s, "
			"\"peer\": {\"switch\": \"sw%u\", \"port\": %u}}",
			port + 1, link, (s + n - 1) % n, port);
		return;
	}
	for (i = 0; sh->fabric == GEN_FABRIC_MESH && i < n; i++)
		if (i != s)
			gen_add(t,
				", {\"number\": %u, \"kind\": \"fabric\", %s, "
				"\"peer\": {\"switch\": \"sw%u\", \"port\": "
				"%u}}",
				gen_mesh_port(sh, s, i), link, i,
				gen_mesh_port(sh, i, s));
}

/* The chassis description of @sh (heap text; free() it). */
static char *gen_chassis(const struct gen_shape *sh)
{
	static const char link[] = "\"link\": {\"width\": 16, "
				   "\"speed\": \"32GT/s\"}";
	struct gen_text t = { malloc(4096), 0, 4096 };
	unsigned s, i, nb = sh->switches * sh->blades_per_switch;
	unsigned np = sh->switches * sh->pfs_per_switch;

	if (!t.s) {
		perror("malloc");
		exit(1);
	}
	gen_add(&t, "{\"name\": \"%s\", \"blades\": [", sh->name);
	for (i = 0; i < nb; i++)
		gen_add(&t, "%s{\"name\": \"blade%u\", %s}", i ? ", " : "", i,
			link);
	gen_add(&t, "], \"switches\": [");
	for (s = 0; s < sh->switches; s++) {
		unsigned port = 0;

		gen_add(&t,
			"%s{\"name\": \"sw%u\", \"vendor\": \"0x1000\", "
			"\"device\": \"0xc030\", \"ports\": [",
			s ? ", " : "", s);
		for (i = 0; i < sh->blades_per_switch; i++, port++)
			gen_add(&t,
				"%s{\"number\": %u, \"kind\": \"upstream\", "
				"%s, \"blade\": \"blade%u\"}",
				port ? ", " : "", port, link,
				s * sh->blades_per_switch + i);
		for (i = 0; i < sh->pfs_per_switch; i++, port++)
			gen_add(&t,
				", {\"number\": %u, \"kind\": \"downstream\", "
				"%s, \"endpoint\": \"nic%u\"}",
				port, link, s * sh->pfs_per_switch + i);
		gen_fabric_ports(&t, sh, s, port, link);
		gen_add(&t, "]}");
	}
	gen_add(&t, "], \"endpoints\": [");
	for (i = 0; i < np; i++)
		gen_add(&t,
			"%s{\"name\": \"nic%u\", \"vendor\": \"0x15b3\", "
			"\"device\": \"0x1021\", \"class\": \"0x020000\", %s, "
			"\"bars\": [{\"index\": 0, \"size\": \"64M\", "
			"\"mem64\": true, \"prefetchable\": true}], "
			"\"sriov\": {\"total_vfs\": %u, \"vf_device\": "
			"\"0x101e\", \"vf_bars\": [{\"index\": 0, \"size\": "
			"\"2M\", \"mem64\": true, \"prefetchable\": true}]}}",
			i ? ", " : "", i, link, sh->vfs);
	gen_add(&t, "]}");
	return t.s;
}

#endif
