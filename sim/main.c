/* SPDX-License-Identifier: MIT */
/*
 * main.c - mrfabric-sim: build a simulated chassis from its description,
 * power it on, and print what it became: a readable summary, or config
 * space dumps that `lspci -F` reads.
 *
 * Exit status: 0 on success, 1 when the chassis file is bad or the
 * chassis does not power on (or output fails), 2 for a usage error.
 * Everything is checked before the chassis is built, and the output file
 * is opened only once the chassis is up, so a bad run changes nothing.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/chassis_int.h"

#ifndef MRFABRIC_VERSION
#define MRFABRIC_VERSION "0.1.0"
#endif

#define PROG "mrfabric-sim"
#define MAX_DUMPS 64

enum exit_status {
	EXIT_OK = 0,
	EXIT_BAD_CHASSIS = 1,
	EXIT_USAGE = 2,
};

/* A requested dump: the fabric, or one blade by index or name. */
struct dump_req {
	bool fabric;
	const char *blade; /* host:N: N as given */
};

struct options {
	const char *chassis;
	const char *output;
	bool quiet;
	unsigned ndumps;
	struct dump_req dumps[MAX_DUMPS];
};

static const char usage_text[] =
	"Usage: mrfabric-sim --chassis FILE [--dump fabric|host:N]...\n"
	"                    [--output FILE] [--quiet]\n"
	"       mrfabric-sim --help | --version\n"
	"\n"
	"Simulate a multi-root PCIe blade chassis: build it from the JSON\n"
	"description FILE (see schemas/chassis.schema.json), power it on\n"
	"(links train, blades boot and enumerate, on virtual time), then\n"
	"print a summary: the blades and what each enumerated, the switches\n"
	"and their port link states, the endpoints and their SR-IOV numbers.\n"
	"\n"
	"Options:\n"
	"  -c, --chassis FILE  chassis description to load (required; FILE\n"
	"                      may also be the only non-option argument)\n"
	"  -d, --dump WHAT     instead of the summary, print config space in\n"
	"                      `lspci -xxxx` format; `lspci -F DUMPFILE`\n"
	"                      reads it back.  WHAT is one of:\n"
	"                        fabric  the physical fabric as the switch\n"
	"                                management CPU sees it: PCI\n"
	"                                domain N is switch N, port P is the\n"
	"                                bridge at 00:P.0, endpoints (PFs and\n"
	"                                enabled VFs) sit below the\n"
	"                                downstream ports\n"
	"                        host:N  what blade N sees (N: the blade's\n"
	"                                index from 0, or its name)\n"
	"                      Repeat to print several dumps, in order.\n"
	"  -o, --output FILE   write to FILE instead of standard output; the\n"
	"                      file is created only once the chassis is up\n"
	"  -q, --quiet         print no summary, and of the simulator's own\n"
	"                      messages (normally warnings and errors, on\n"
	"                      stderr) only errors; the exit status says\n"
	"                      whether the chassis loaded and powered on\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n"
	"Examples:\n"
	"  mrfabric-sim --chassis examples/chassis-small.json\n"
	"  mrfabric-sim -c examples/chassis-rack.json -d fabric -o fab.txt\n"
	"  lspci -F fab.txt -tv\n"
	"\n"
	"Exit status: 0 success; 1 bad chassis file, power-on failure or\n"
	"output error; 2 usage error (including an unknown blade in\n"
	"--dump host:N).\n";

static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry '" PROG " --help' for more information.\n", stderr);
	return EXIT_USAGE;
}

static int parse_dump(struct options *o, const char *arg)
{
	struct dump_req *d;

	if (o->ndumps == MAX_DUMPS)
		return usage_error("--dump: at most 64 dumps, got more (%s)",
				   arg);
	d = &o->dumps[o->ndumps];
	if (strcmp(arg, "fabric") == 0) {
		d->fabric = true;
	} else if (strncmp(arg, "host:", 5) == 0 && arg[5]) {
		d->blade = arg + 5;
	} else {
		return usage_error("--dump: expected \"fabric\" or \"host:N\", "
				   "got \"%s\"",
				   arg);
	}
	o->ndumps++;
	return EXIT_OK;
}

/* Returns -1 to go on, else the exit status. */
static int parse_args(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "chassis", required_argument, NULL, 'c' },
		{ "dump", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;

	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, ":c:d:o:qhV", longopts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'c':
			if (o->chassis)
				return usage_error("--chassis given twice (%s)",
						   optarg);
			o->chassis = optarg;
			break;
		case 'd':
			ret = parse_dump(o, optarg);
			if (ret != EXIT_OK)
				return ret;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		case 'V':
			printf(PROG " " MRFABRIC_VERSION "\n");
			return EXIT_OK;
		case ':':
			return usage_error("%s needs an argument",
					   argv[optind - 1]);
		default:
			return usage_error("unknown option %s",
					   argv[optind - 1]);
		}
	}
	if (optind < argc && !o->chassis)
		o->chassis = argv[optind++];
	if (optind < argc)
		return usage_error("unexpected argument \"%s\"", argv[optind]);
	if (!o->chassis)
		return usage_error("no chassis: give --chassis FILE");
	return -1;
}

/* host:N names a blade by index, or else by name. */
static struct sim_blade *find_blade(struct sim_chassis *ch, const char *n)
{
	char *end = NULL;
	unsigned long i;

	errno = 0;
	i = strtoul(n, &end, 10);
	if (errno == 0 && *n >= '0' && *n <= '9' && *end == '\0' &&
	    i < sim_chassis_blade_count(ch))
		return sim_chassis_blade(ch, (unsigned)i);
	return sim_chassis_blade_find(ch, n);
}

static const char *const pcie_type_names[] = {
	[PCI_EXP_TYPE_ENDPOINT] = "endpoint",
	[PCI_EXP_TYPE_LEG_END] = "legacy endpoint",
	[PCI_EXP_TYPE_ROOT_PORT] = "root port",
	[PCI_EXP_TYPE_UPSTREAM] = "upstream port",
	[PCI_EXP_TYPE_DOWNSTREAM] = "downstream port",
	[PCI_EXP_TYPE_PCI_BRIDGE] = "pcie-to-pci bridge",
	[PCI_EXP_TYPE_PCIE_BRIDGE] = "pci-to-pcie bridge",
	[PCI_EXP_TYPE_ROOT_INT_EP] = "rc integrated endpoint",
	[PCI_EXP_TYPE_ROOT_EC] = "rc event collector",
};

static const char *dev_kind(const struct sim_host_dev *d)
{
	if (d->pcie_type < FM_ARRAY_SIZE(pcie_type_names) &&
	    pcie_type_names[d->pcie_type])
		return pcie_type_names[d->pcie_type];
	if ((d->class_code >> 8) == 0x0600)
		return "host bridge";
	return d->is_bridge ? "bridge" : "function";
}

static const char *const port_kind_names[] = {
	[FAB_PORT_UPSTREAM] = "upstream",
	[FAB_PORT_DOWNSTREAM] = "downstream",
	[FAB_PORT_FABRIC] = "fabric",
};

/* "up x16 16GT/s", "training", "down", "disabled". */
static const char *port_state(char *buf, size_t len, struct fab_chip *chip,
			      unsigned port)
{
	struct fab_port_status st = { 0 };

	if (chip->ops->port_status(chip, port, &st, NULL) < 0)
		snprintf(buf, len, "unknown");
	else if (st.up)
		snprintf(buf, len, "up x%u %s", st.width,
			 sim_chassis_speed_name(st.speed));
	else
		snprintf(buf, len, "%s",
			 !st.enabled ? "disabled"
				     : (st.training ? "training" : "down"));
	return buf;
}

static void summary_blades(FILE *out, struct sim_chassis *ch)
{
	char state[64], rid[FAB_RID_STR_LEN];
	unsigned i, j;

	fprintf(out, "blades:\n");
	for (i = 0; i < ch->nblades; i++) {
		const struct sim_ch_blade *cb = &ch->blades[i];
		const struct sim_ch_switch *cs = &ch->switches[cb->sw];
		struct sim_blade *b = cb->b;
		unsigned n = sim_blade_dev_count(b);

		fprintf(out,
			"  %u %s: root port x%u %s, cabled to %s port %u: "
			"%s; %u function%s enumerated\n",
			i, cb->desc.name, cb->desc.link_width,
			sim_chassis_speed_name(cb->desc.link_speed),
			cs->desc.name, cb->port,
			port_state(state, sizeof(state),
				   sim_switch_chip(cs->sw), cb->port),
			n, n == 1 ? "" : "s");
		for (j = 0; j < n; j++) {
			const struct sim_host_dev *d = sim_blade_dev(b, j);

			fprintf(out, "    %s %04x:%04x class %06x %s",
				fab_rid_format(rid, d->rid), d->vendor,
				d->device, d->class_code, dev_kind(d));
			if (d->is_bridge)
				fprintf(out, " [bus %02x-%02x]", d->sec_bus,
					d->sub_bus);
			if (d->hotplug_slot)
				fprintf(out, " hot-plug slot");
			fputc('\n', out);
		}
	}
}

static void summary_switches(FILE *out, struct sim_chassis *ch)
{
	char state[64];
	unsigned s, p;

	fprintf(out, "switches:\n");
	for (s = 0; s < ch->nswitches; s++) {
		const struct sim_ch_switch *cs = &ch->switches[s];
		struct fab_chip *chip = sim_switch_chip(cs->sw);

		fprintf(out, "  %u %s: %04x:%04x, %u ports, domain %04x\n", s,
			cs->desc.name, cs->desc.vendor, cs->desc.device,
			cs->nports, s);
		for (p = 0; p < cs->nports; p++) {
			const struct sim_ch_port *cp = &cs->ports[p];
			char link[16];

			snprintf(link, sizeof(link), "x%u %s", cp->width,
				 sim_chassis_speed_name(cp->speed));
			fprintf(out, "    port %2u %-10s %-11s %-14s %s", p,
				port_kind_names[cp->kind], link,
				cs->port_descs[p].label[0]
					? cs->port_descs[p].label
					: "(empty)",
				port_state(state, sizeof(state), chip, p));
			if (cp->kind == FAB_PORT_DOWNSTREAM)
				fprintf(out, ", bus %02x-%02x", cp->sec_bus,
					cp->sub_bus);
			if (cp->kind == FAB_PORT_FABRIC && cp->peer_switch >= 0)
				fprintf(out, ", peer port %u", cp->peer_port);
			fputc('\n', out);
		}
	}
}

static void summary_eps(FILE *out, struct sim_chassis *ch)
{
	unsigned i;

	fprintf(out, "endpoints:\n");
	for (i = 0; i < ch->neps; i++) {
		const struct sim_ch_ep *ce = &ch->eps[i];
		const struct sim_ep_desc *d = &ce->desc;

		fprintf(out,
			"  %u %s: %04x:%04x class %06x x%u %s, %s port %u, "
			"PF %04x:%02x:00.0",
			i, d->name, d->vendor, d->device, d->class_code,
			d->link_width, sim_chassis_speed_name(d->link_speed),
			ch->switches[ce->sw].desc.name, ce->port, ce->sw,
			ce->bus);
		if (d->total_vfs)
			fprintf(out,
				", SR-IOV: %u VFs (%u enabled), VF device "
				"%04x, offset %u, stride %u",
				d->total_vfs, sim_ep_num_vfs_enabled(ce->ep),
				d->vf_device, d->first_vf_offset, d->vf_stride);
		fputc('\n', out);
	}
}

static void summary(FILE *out, struct sim_chassis *ch)
{
	uint64_t t = sim_clock_now(ch->clk);

	fprintf(out,
		"chassis %s: %u blade%s, %u switch%s, %u endpoint%s; "
		"powered on in %" PRIu64 ".%03" PRIu64 " ms (virtual)\n",
		ch->name, ch->nblades, ch->nblades == 1 ? "" : "s",
		ch->nswitches, ch->nswitches == 1 ? "" : "es", ch->neps,
		ch->neps == 1 ? "" : "s", (uint64_t)(t / FAB_NS_PER_MS),
		(uint64_t)(t % FAB_NS_PER_MS / FAB_NS_PER_US));
	summary_blades(out, ch);
	summary_switches(out, ch);
	summary_eps(out, ch);
}

static int run(const struct options *o)
{
	struct sim_blade *blades[MAX_DUMPS] = { NULL };
	struct sim_chassis *ch = NULL;
	struct fm_err err = { 0 };
	FILE *out = stdout;
	int status = EXIT_BAD_CHASSIS;
	unsigned i;

	/* the summary says what the info messages would */
	fm_log_set_level(o->quiet ? FM_LOG_ERROR : FM_LOG_WARN);
	if (sim_chassis_load(&ch, o->chassis, &err) < 0)
		goto out;
	for (i = 0; i < o->ndumps; i++) {
		if (o->dumps[i].fabric)
			continue;
		blades[i] = find_blade(ch, o->dumps[i].blade);
		if (!blades[i]) {
			status = usage_error("--dump host:%s: %s has no such "
					     "blade (%u blades: index 0..%u "
					     "or a name)",
					     o->dumps[i].blade, o->chassis,
					     sim_chassis_blade_count(ch),
					     sim_chassis_blade_count(ch) - 1);
			goto out;
		}
	}
	if (sim_chassis_power_on(ch, &err) < 0)
		goto out;
	if (o->output) {
		out = fopen(o->output, "w");
		if (!out) {
			out = stdout;
			fm_err_sys(&err, FM_EIO, errno, "%s", o->output);
			goto out;
		}
	}
	if (!o->ndumps && !o->quiet)
		summary(out, ch);
	for (i = 0; i < o->ndumps; i++) {
		int ret = o->dumps[i].fabric
				  ? sim_chassis_dump_fabric(ch, out, &err)
				  : sim_blade_dump(blades[i], out, &err);

		if (ret < 0)
			goto out;
	}
	if (fflush(out) != 0 || ferror(out)) {
		fm_err_sys(&err, FM_EIO, errno ? errno : EIO, "%s",
			   o->output ? o->output : "standard output");
		goto out;
	}
	status = EXIT_OK;
out:
	if (out != stdout && fclose(out) != 0 && status == EXIT_OK) {
		fm_err_sys(&err, FM_EIO, errno, "%s", o->output);
		status = EXIT_BAD_CHASSIS;
	}
	if (err.code)
		fprintf(stderr, PROG ": %s\n", err.msg);
	sim_chassis_free(ch);
	return status;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	int ret;

	ret = parse_args(&o, argc, argv);
	if (ret >= 0)
		return ret;
	return run(&o);
}
