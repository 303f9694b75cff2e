/* SPDX-License-Identifier: MIT */
/*
 * ctl_cmd_view.c - `topology` (a tree of the fabric) and `functions` (a
 * table of PFs and VFs with their owners), both from the model of
 * ctl_model.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "mgmt/ctl/ctl_int.h"

/* The first link of Links.@key of @o ("Zones", "Endpoints"...), or NULL. */
static const char *first_link(struct json_object *o, const char *key,
			      size_t idx)
{
	struct json_object *links = NULL;
	struct json_object *a;

	if (!json_object_object_get_ex(o, "Links", &links))
		return NULL;
	a = ctl_json_array(links, key);
	if (idx >= ctl_json_len(a))
		return NULL;
	return ctl_json_str(json_object_array_get_idx(a, idx), "@odata.id",
			    NULL);
}

/* "x16 256 Gb/s" of a Port, "" when its link is down. */
static void port_link(char *out, size_t len, struct json_object *port)
{
	struct json_object *v;
	int width = 0;
	double gbps = 0;

	if (json_object_object_get_ex(port, "Width", &v))
		width = json_object_get_int(v);
	if (json_object_object_get_ex(port, "CurrentSpeedGbps", &v))
		gbps = json_object_get_double(v);
	out[0] = '\0';
	if (strcmp(ctl_json_str(port, "LinkStatus", ""), "LinkUp") == 0)
		snprintf(out, len, "x%d %g Gb/s", width, gbps);
}

/* What is at the far end of @port: a blade or a device. */
static void port_peer(char *out, size_t len, struct json_object *model,
		      const char *sw_id, struct json_object *port)
{
	struct json_object *devs = ctl_json_array(model, "PCIeDevices"), *ep;
	const char *first = first_link(port, "AssociatedEndpoints", 0);
	const char *sys;
	char dev_id[64];
	size_t i;

	out[0] = '\0';
	if (strcmp(ctl_json_str(port, "PortType", ""), "UpstreamPort") == 0) {
		ep = first ? ctl_model_endpoint(model, first) : NULL;
		sys = ep ? ctl_model_endpoint_system(ep) : NULL;
		if (first)
			snprintf(out, len, "-> %s%s%s%s", ctl_uri_leaf(first),
				 sys ? " (" : "", sys ? sys : "",
				 sys ? ")" : "");
		return;
	}
	/* devices are named <switch>-<port> (mgmt/fabric.h) */
	snprintf(dev_id, sizeof(dev_id), "%s-%s", sw_id,
		 ctl_json_str(port, "Id", ""));
	for (i = 0; i < ctl_json_len(devs); i++)
		if (strcmp(ctl_json_str(json_object_array_get_idx(devs, i),
					"Id", ""),
			   dev_id) == 0) {
			snprintf(out, len, "-> device %s", dev_id);
			return;
		}
}

/* Print @line without its trailing blanks (padded columns), and '\n'. */
static void rtrim_print(char *line)
{
	size_t n = strlen(line);

	while (n && line[n - 1] == ' ')
		line[--n] = '\0';
	puts(line);
}

static void topo_switches(struct json_object *model, const char *pre)
{
	struct json_object *sws = ctl_json_array(model, "Switches"), *sw,
			   *ports, *port;
	char link[64], peer[256], line[512];
	size_t i, j, n = ctl_json_len(sws), np;
	const char *id;
	bool last;

	for (i = 0; i < n; i++) {
		sw = json_object_array_get_idx(sws, i);
		id = ctl_json_str(sw, "Id", "?");
		printf("%s|-- Switch %s: %s (%s, firmware %s)\n", pre, id,
		       ctl_json_str(sw, "Name", ""),
		       ctl_json_str(sw, "Model", "?"),
		       ctl_json_str(sw, "FirmwareVersion", "?"));
		ports = ctl_json_array(sw, CTL_MODEL_PORT_MEMBERS);
		np = ctl_json_len(ports);
		for (j = 0; j < np; j++) {
			port = json_object_array_get_idx(ports, j);
			last = j + 1 == np;
			port_link(link, sizeof(link), port);
			port_peer(peer, sizeof(peer), model, id, port);
			snprintf(line, sizeof(line),
				 "%s|   %s Port %-3s %-15s %-9s %-14s %s", pre,
				 last ? "`--" : "|--",
				 ctl_json_str(port, "Id", "?"),
				 ctl_json_str(port, "PortType", "?"),
				 ctl_json_str(port, "LinkStatus", "?"), link,
				 peer);
			rtrim_print(line);
		}
	}
}

/* The functions @blade owns, comma separated, into @out. */
static void blade_functions(char *out, size_t len, struct json_object *model,
			    const char *blade)
{
	struct json_object *devs = ctl_json_array(model, "PCIeDevices"), *dev,
			   *fns;
	struct ctl_fn_row row;
	size_t i, j, used = 0;

	out[0] = '\0';
	for (i = 0; i < ctl_json_len(devs); i++) {
		dev = json_object_array_get_idx(devs, i);
		fns = ctl_json_array(dev, CTL_MODEL_FUNCTION_MEMBERS);
		for (j = 0; j < ctl_json_len(fns); j++) {
			if (!ctl_model_fn_row(
				    &row, dev,
				    json_object_array_get_idx(fns, j)) ||
			    strcmp(row.owner, blade) != 0)
				continue;
			if (used + 1 < len)
				used += (size_t)snprintf(
					out + used, len - used, "%s%s",
					used ? ", " : "", row.endpoint);
		}
	}
	if (!out[0])
		snprintf(out, len, "(none)");
}

static void topo_blades(struct json_object *model, const char *pre)
{
	struct json_object *systems = ctl_json_array(model, "Systems"), *sys,
			   *ep;
	char fns[1024];
	const char *id, *host, *zone;
	size_t i, n = ctl_json_len(systems);

	printf("%s|-- Blades\n", pre);
	for (i = 0; i < n; i++) {
		sys = json_object_array_get_idx(systems, i);
		id = ctl_json_str(sys, "Id", "?");
		host = first_link(sys, "Endpoints", 0);
		ep = host ? ctl_model_endpoint(model, host) : NULL;
		zone = ep ? first_link(ep, "Zones", 0) : NULL;
		blade_functions(fns, sizeof(fns), model, id);
		printf("%s|   %s %-8s %-7s %-7s functions: %s\n", pre,
		       i + 1 == n ? "`--" : "|--", id,
		       host ? ctl_uri_leaf(host) : "-",
		       zone ? ctl_uri_leaf(zone) : "-", fns);
	}
}

static void topo_devices(struct json_object *model, const char *pre)
{
	struct json_object *devs = ctl_json_array(model, "PCIeDevices"), *dev,
			   *fns, *iface = NULL, *v;
	struct ctl_fn_row row;
	size_t i, j, n = ctl_json_len(devs), nf;
	const char *branch, *cont;
	int lanes = 0;

	printf("%s`-- Devices\n", pre);
	for (i = 0; i < n; i++) {
		dev = json_object_array_get_idx(devs, i);
		branch = i + 1 == n ? "`--" : "|--";
		cont = i + 1 == n ? "    " : "|   ";
		lanes = 0;
		if (json_object_object_get_ex(dev, "PCIeInterface", &iface) &&
		    json_object_object_get_ex(iface, "LanesInUse", &v))
			lanes = json_object_get_int(v);
		printf("%s    %s %s: %s %s (%s x%d)\n", pre, branch,
		       ctl_json_str(dev, "Id", "?"),
		       ctl_json_str(dev, "Manufacturer", ""),
		       ctl_json_str(dev, "Model", ""),
		       ctl_json_str(iface, "PCIeType", "?"), lanes);
		fns = ctl_json_array(dev, CTL_MODEL_FUNCTION_MEMBERS);
		nf = ctl_json_len(fns);
		for (j = 0; j < nf; j++) {
			if (!ctl_model_fn_row(
				    &row, dev,
				    json_object_array_get_idx(fns, j)))
				continue;
			printf("%s    %s %s %s %-3d %s:%s  %-9s %s\n", pre,
			       cont, j + 1 == nf ? "`--" : "|--", row.kind,
			       row.index, row.vendor + 2, row.devid + 2,
			       row.endpoint[0] ? row.endpoint : "-", row.owner);
		}
	}
}

static int topology_run(struct ctl *c, int argc, char **argv)
{
	struct json_object *model = NULL, *fabric;
	int ret;

	ret = ctl_cmd_plain_opts(&ctl_cmd_topology, argc, argv, 0);
	if (ret >= 0)
		return ret;
	ret = ctl_model_load(&model, c, CTL_MODEL_ALL);
	if (ret)
		return ret;
	if (c->opts.json) {
		ctl_print_json(model);
		goto out;
	}
	json_object_object_get_ex(model, "Fabric", &fabric);
	printf("Fabric %s (%s)\n", ctl_json_str(fabric, "Id", "?"),
	       ctl_json_str(fabric, "FabricType", "?"));
	topo_switches(model, "");
	topo_blades(model, "");
	topo_devices(model, "");
out:
	json_object_put(model);
	return ret;
}

/* ---------------------------------------------------------------------
 * functions
 */

struct fn_filter {
	const char *device;
	char owner[64]; /* a blade Id, "" for any */
	bool free;
};

static bool fn_match(const struct fn_filter *f, const struct ctl_fn_row *r)
{
	if (f->device && strcmp(f->device, r->device) != 0)
		return false;
	if (f->owner[0] && strcmp(f->owner, r->owner) != 0)
		return false;
	if (f->free && strcmp(r->owner, "free") != 0)
		return false;
	return true;
}

static int functions_parse(struct fn_filter *f, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "owner", required_argument, NULL, 'o' },
		{ "free", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char zone[CTL_URI_MAX];
	int ch, ret;

	optind = 0;
	opterr = 0;
	for (;;) {
		ch = getopt_long(argc, argv, ":h", longopts, NULL);
		if (ch == -1)
			break;
		switch (ch) {
		case 'd':
			f->device = optarg;
			break;
		case 'o':
			ret = ctl_name_blade(zone, sizeof(zone), f->owner,
					     sizeof(f->owner), optarg);
			if (ret)
				return ret;
			break;
		case 'f':
			f->free = true;
			break;
		case 'h':
			return ctl_cmd_help(&ctl_cmd_functions);
		default:
			return ctl_opt_error(&ctl_cmd_functions, ch, argv);
		}
	}
	ret = ctl_opt_no_args(&ctl_cmd_functions, argc, argv);
	if (ret >= 0)
		return ret;
	if (f->free && f->owner[0])
		return ctl_usage_error(&ctl_cmd_functions,
				       "--free and --owner exclude each other");
	return -1;
}

static int functions_run(struct ctl *c, int argc, char **argv)
{
	struct json_object *model = NULL, *devs, *dev, *fns, *fn, *out = NULL;
	struct fn_filter f = { 0 };
	struct ctl_fn_row row;
	char pf[16], vd[32];
	size_t i, j;
	int ret;

	ret = functions_parse(&f, argc, argv);
	if (ret >= 0)
		return ret;
	ret = ctl_model_load(&model, c, CTL_MODEL_DEVICES);
	if (ret)
		return ret;
	out = json_object_new_array();
	if (!out) {
		ret = CTL_EXIT_SERVER;
		goto out;
	}
	if (!c->opts.json)
		printf("%-10s %-7s %-6s %-11s %-9s %s\n", "FUNCTION", "DEVICE",
		       "TYPE", "ID", "OWNER", "STATE");
	devs = ctl_json_array(model, "PCIeDevices");
	for (i = 0; i < ctl_json_len(devs); i++) {
		dev = json_object_array_get_idx(devs, i);
		fns = ctl_json_array(dev, CTL_MODEL_FUNCTION_MEMBERS);
		for (j = 0; j < ctl_json_len(fns); j++) {
			fn = json_object_array_get_idx(fns, j);
			if (!ctl_model_fn_row(&row, dev, fn) ||
			    !fn_match(&f, &row))
				continue;
			if (c->opts.json) {
				json_object_array_add(out, json_object_get(fn));
				continue;
			}
			snprintf(pf, sizeof(pf), "%s %d", row.kind, row.index);
			snprintf(vd, sizeof(vd), "%s:%s",
				 strncmp(row.vendor, "0x", 2) ? row.vendor
							      : row.vendor + 2,
				 strncmp(row.devid, "0x", 2) ? row.devid
							     : row.devid + 2);
			printf("%-10s %-7s %-6s %-11s %-9s %s\n",
			       row.endpoint[0] ? row.endpoint : "-", row.device,
			       pf, vd, row.owner, row.state);
		}
	}
	if (c->opts.json)
		ctl_print_json(out);
out:
	json_object_put(out);
	json_object_put(model);
	return ret;
}

const struct ctl_cmd ctl_cmd_topology = {
	.name = "topology",
	.summary = "tree of switches, ports, blades, devices, VFs",
	.fn = topology_run,
	.network = true,
	.usage = "topology",
	.help = "Show the fabric as a tree: each switch with its ports (type,\n"
		"link state, width and speed, and what is cabled there: a\n"
		"blade's host endpoint or a device), the blades with their\n"
		"host endpoint, zone and the functions they have, and the\n"
		"devices with their PFs and VFs (endpoint and owner: a blade,\n"
		"\"free\", or \"fabric\" for an SR-IOV PF the fabric keeps).\n"
		"One GET per resource.\n"
		"With --json: {\"Fabric\", \"Switches\", \"Endpoints\",\n"
		"\"Zones\", \"PCIeDevices\", \"Systems\"}: the resources as\n"
		"served, each Switch with its Port resources added as\n"
		"\"PortMembers\", each PCIeDevice with its PCIeFunction\n"
		"resources as \"FunctionMembers\".\n",
};

const struct ctl_cmd ctl_cmd_functions = {
	.name = "functions",
	.summary = "table of PFs and VFs with their owners",
	.fn = functions_run,
	.network = true,
	.usage = "functions [--device DEVICE] [--owner BLADE] [--free]",
	.help = "List the PCIe functions of the shared devices: endpoint Id,\n"
		"device, PF or VF and its number, vendor:device, owner and\n"
		"state (Free, Bound, Fabric, or a move's state).\n"
		"  --device DEVICE  only this device (an Id such as 0-2)\n"
		"  --owner BLADE    only what BLADE has (Blade-N, N or "
		"Zone-N)\n"
		"  --free           only functions no blade has\n"
		"With --json: the matching PCIeFunction resources as served.\n",
};
