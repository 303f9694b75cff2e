/* SPDX-License-Identifier: MIT */
/*
 * ctl_cmd_dot.c - `dot`: the fabric as a Graphviz digraph (render with
 * `dot -Tsvg`).  Switches and their ports, blades, devices and their
 * functions; edges for the cables (port to blade, port to device), for a
 * device's functions, and for bindings (function to blade, dashed).  Each
 * blade has a colour and the functions it owns are filled with it; free
 * functions are white, the fabric's PFs grey.
 */
#include <stdio.h>
#include <string.h>

#include "mgmt/ctl/ctl_int.h"

/* Blade colours (X11 names Graphviz knows), reused past the last. */
static const char *const palette[] = {
	"lightblue", "palegreen",   "khaki",	  "lightpink",
	"plum",	     "lightsalmon", "aquamarine", "wheat",
};

#define NPALETTE (sizeof(palette) / sizeof(palette[0]))

/* The colour of blade @id: its index among the Systems. */
static const char *blade_colour(struct json_object *model, const char *id)
{
	struct json_object *systems = ctl_json_array(model, "Systems");
	size_t i;

	for (i = 0; i < ctl_json_len(systems); i++)
		if (strcmp(ctl_json_str(json_object_array_get_idx(systems, i),
					"Id", ""),
			   id) == 0)
			return palette[i % NPALETTE];
	return "white";
}

static void dot_switches(struct json_object *model)
{
	struct json_object *sws = ctl_json_array(model, "Switches"), *sw,
			   *ports, *port, *links, *assoc, *ep;
	const char *sid, *pid, *first, *sys;
	size_t i, j;

	for (i = 0; i < ctl_json_len(sws); i++) {
		sw = json_object_array_get_idx(sws, i);
		sid = ctl_json_str(sw, "Id", "?");
		printf("  subgraph \"cluster_sw%s\" {\n"
		       "    label=\"Switch %s\\n%s\";\n"
		       "    style=rounded;\n"
		       "    \"sw%s\" [shape=box, style=bold, label=\"Switch "
		       "%s\"];\n",
		       sid, sid, ctl_json_str(sw, "Model", ""), sid, sid);
		ports = ctl_json_array(sw, CTL_MODEL_PORT_MEMBERS);
		for (j = 0; j < ctl_json_len(ports); j++) {
			port = json_object_array_get_idx(ports, j);
			pid = ctl_json_str(port, "Id", "?");
			printf("    \"sw%s.p%s\" [shape=ellipse, label=\"port "
			       "%s\\n%s\"%s];\n"
			       "    \"sw%s\" -> \"sw%s.p%s\";\n",
			       sid, pid, pid,
			       ctl_json_str(port, "LinkStatus", ""),
			       strcmp(ctl_json_str(port, "LinkStatus", ""),
				      "LinkUp")
				       ? ", style=dashed"
				       : "",
			       sid, sid, pid);
		}
		printf("  }\n");
		for (j = 0; j < ctl_json_len(ports); j++) {
			port = json_object_array_get_idx(ports, j);
			pid = ctl_json_str(port, "Id", "?");
			if (!json_object_object_get_ex(port, "Links", &links))
				continue;
			assoc = ctl_json_array(links, "AssociatedEndpoints");
			if (!ctl_json_len(assoc))
				continue;
			first = ctl_json_str(
				json_object_array_get_idx(assoc, 0),
				"@odata.id", "");
			ep = ctl_model_endpoint(model, first);
			sys = ep ? ctl_model_endpoint_system(ep) : NULL;
			if (sys)
				printf("  \"sw%s.p%s\" -> \"%s\" "
				       "[dir=none, penwidth=2];\n",
				       sid, pid, sys);
		}
	}
}

static void dot_blades(struct json_object *model)
{
	struct json_object *systems = ctl_json_array(model, "Systems");
	const char *id;
	size_t i;

	for (i = 0; i < ctl_json_len(systems); i++) {
		id = ctl_json_str(json_object_array_get_idx(systems, i), "Id",
				  "?");
		printf("  \"%s\" [shape=box3d, style=filled, fillcolor=%s];\n",
		       id, blade_colour(model, id));
	}
}

static void dot_devices(struct json_object *model)
{
	struct json_object *devs = ctl_json_array(model, "PCIeDevices"), *dev,
			   *fns;
	struct ctl_fn_row row;
	const char *did, *dash, *fill;
	char node[96];
	size_t i, j;

	for (i = 0; i < ctl_json_len(devs); i++) {
		dev = json_object_array_get_idx(devs, i);
		did = ctl_json_str(dev, "Id", "?");
		printf("  \"dev%s\" [shape=component, label=\"%s\\n%s\"];\n",
		       did, did, ctl_json_str(dev, "Model", ""));
		/* devices are named <switch>-<port> (mgmt/fabric.h) */
		dash = strchr(did, '-');
		if (dash)
			printf("  \"sw%.*s.p%s\" -> \"dev%s\" "
			       "[dir=none, penwidth=2];\n",
			       (int)(dash - did), did, dash + 1, did);
		fns = ctl_json_array(dev, CTL_MODEL_FUNCTION_MEMBERS);
		for (j = 0; j < ctl_json_len(fns); j++) {
			if (!ctl_model_fn_row(
				    &row, dev,
				    json_object_array_get_idx(fns, j)))
				continue;
			snprintf(node, sizeof(node), "fn%s.%d", did, row.index);
			if (strcmp(row.owner, "fabric") == 0)
				fill = "grey80";
			else if (strcmp(row.owner, "free") == 0)
				fill = "white";
			else
				fill = blade_colour(model, row.owner);
			printf("  \"%s\" [shape=box, style=\"rounded,filled\", "
			       "fillcolor=%s, label=\"%s %d\\n%s\"];\n"
			       "  \"dev%s\" -> \"%s\";\n",
			       node, fill, row.kind, row.index,
			       row.endpoint[0] ? row.endpoint : "fabric", did,
			       node);
			if (strcmp(row.owner, "fabric") &&
			    strcmp(row.owner, "free"))
				printf("  \"%s\" -> \"%s\" [style=dashed, "
				       "color=%s, penwidth=2];\n",
				       node, row.owner, fill);
		}
	}
}

static int dot_run(struct ctl *c, int argc, char **argv)
{
	struct json_object *model = NULL;
	int ret;

	ret = ctl_cmd_plain_opts(&ctl_cmd_dot, argc, argv, 0);
	if (ret >= 0)
		return ret;
	ret = ctl_model_load(&model, c, CTL_MODEL_ALL & ~CTL_MODEL_ZONES);
	if (ret)
		return ret;
	printf("digraph fabric {\n"
	       "  rankdir=LR;\n"
	       "  node [fontname=\"Helvetica\", fontsize=10];\n");
	dot_switches(model);
	dot_blades(model);
	dot_devices(model);
	printf("}\n");
	json_object_put(model);
	return 0;
}

const struct ctl_cmd ctl_cmd_dot = {
	.name = "dot",
	.summary = "Graphviz picture of the fabric and its owners",
	.fn = dot_run,
	.network = true,
	.usage = "dot",
	.help = "Write the fabric as a Graphviz digraph on standard output:\n"
		"switches with their ports, blades, devices with their PFs "
		"and\n"
		"VFs; cables as bold lines, bindings as dashed arrows from a\n"
		"function to its blade.  Every blade has a colour and its\n"
		"functions are filled with it; free functions are white, the\n"
		"PFs the fabric keeps grey.  Render it with\n"
		"  " CTL_PROG " dot | dot -Tsvg > fabric.svg\n",
};
