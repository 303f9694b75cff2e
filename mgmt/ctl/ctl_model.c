/* SPDX-License-Identifier: MIT */
/*
 * ctl_model.c - the fabric as mrfabricctl reads it: every resource the
 * views need, one GET each (the service offers no $expand), following the
 * collections from the Fabric and the Enclosure; and the friendly names
 * of blades and functions (the Ids of mgmt/fabric.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/ctl/ctl_int.h"

#define FABRIC_URI "/redfish/v1/Fabrics/PCIe"
#define ENCLOSURE_URI "/redfish/v1/Chassis/Enclosure"
#define ZONES_URI FABRIC_URI "/Zones/"
#define ENDPOINTS_URI FABRIC_URI "/Endpoints/"

const char *ctl_json_str(struct json_object *o, const char *key,
			 const char *dflt)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return dflt;
	return json_object_get_string(v);
}

const char *ctl_json_link(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return ctl_json_str(v, "@odata.id", NULL);
}

struct json_object *ctl_json_array(struct json_object *o, const char *key)
{
	struct json_object *a;

	if (!o || !json_object_object_get_ex(o, key, &a) ||
	    !json_object_is_type(a, json_type_array))
		return NULL;
	return a;
}

size_t ctl_json_len(struct json_object *a)
{
	return a ? json_object_array_length(a) : 0;
}

const char *ctl_uri_path(const char *uri)
{
	const char *p = strstr(uri, "://");

	if (!p || strchr(uri, '/') < p)
		return uri;
	p = strchr(p + 3, '/');
	return p ? p : "";
}

const char *ctl_uri_leaf(const char *uri)
{
	const char *s = strrchr(uri, '/');

	return s ? s + 1 : uri;
}

/*
 * GET every member of the collection linked as @key from @parent into a
 * new array; @sub (may be NULL) names a collection link of each member
 * to read the same way, into the member under the name @sub_key (the
 * link itself stays as served).
 */
static int load_members(struct json_object **out, struct ctl *c,
			struct json_object *parent, const char *key,
			const char *sub, const char *sub_key)
{
	struct json_object *coll = NULL, *members, *arr, *m = NULL, *inner;
	const char *uri = ctl_json_link(parent, key), *muri;
	char what[CTL_URI_MAX + 16];
	size_t i, n;
	int ret;

	*out = NULL;
	arr = json_object_new_array();
	if (!arr)
		return CTL_EXIT_SERVER;
	if (!uri) {
		/* a resource without that collection: nothing in it */
		*out = arr;
		return 0;
	}
	snprintf(what, sizeof(what), "GET %s", uri);
	ret = ctl_http_get(&coll, c, what, uri);
	if (ret)
		goto out;
	if (!json_object_object_get_ex(coll, "Members", &members) ||
	    !json_object_is_type(members, json_type_array)) {
		fprintf(stderr, CTL_PROG ": %s: no Members array\n", what);
		ret = CTL_EXIT_SERVER;
		goto out;
	}
	n = json_object_array_length(members);
	for (i = 0; i < n; i++) {
		muri = ctl_json_str(json_object_array_get_idx(members, i),
				    "@odata.id", NULL);
		if (!muri)
			continue;
		snprintf(what, sizeof(what), "GET %s", muri);
		ret = ctl_http_get(&m, c, what, muri);
		if (ret)
			goto out;
		if (sub) {
			ret = load_members(&inner, c, m, sub, NULL, NULL);
			if (ret)
				goto out;
			json_object_object_add(m, sub_key, inner);
		}
		if (json_object_array_add(arr, m) < 0) {
			ret = CTL_EXIT_SERVER;
			goto out;
		}
		m = NULL;
	}
	*out = arr;
	arr = NULL;
out:
	json_object_put(m);
	json_object_put(coll);
	json_object_put(arr);
	return ret;
}

int ctl_model_load(struct json_object **out, struct ctl *c, unsigned parts)
{
	/* member of the model, resource it hangs off, link, sub-collection */
	static const struct {
		unsigned part;
		const char *name;
		int parent; /* 0: the Fabric, 1: the Enclosure, 2: root */
		const char *link;
		const char *sub;
		const char *sub_key;
		unsigned sub_part;
	} table[] = {
		{ CTL_MODEL_SWITCHES, "Switches", 0, "Switches", "Ports",
		  CTL_MODEL_PORT_MEMBERS, CTL_MODEL_PORTS },
		{ CTL_MODEL_ENDPOINTS, "Endpoints", 0, "Endpoints", NULL, NULL,
		  0 },
		{ CTL_MODEL_ZONES, "Zones", 0, "Zones", NULL, NULL, 0 },
		{ CTL_MODEL_DEVICES, "PCIeDevices", 1, "PCIeDevices",
		  "PCIeFunctions", CTL_MODEL_FUNCTION_MEMBERS,
		  CTL_MODEL_DEVICES },
		{ CTL_MODEL_SYSTEMS, "Systems", 2, "Systems", NULL, NULL, 0 },
	};
	static const char *const uris[3] = { FABRIC_URI, ENCLOSURE_URI,
					     "/redfish/v1" };
	struct json_object *model = NULL, *res[3] = { NULL }, *arr;
	char what[64];
	size_t i;
	int ret = 0, p;

	*out = NULL;
	model = json_object_new_object();
	if (!model)
		return CTL_EXIT_SERVER;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (!(parts & table[i].part))
			continue;
		p = table[i].parent;
		if (!res[p]) {
			snprintf(what, sizeof(what), "GET %s", uris[p]);
			ret = ctl_http_get(&res[p], c, what, uris[p]);
			if (ret)
				goto out;
		}
		ret = load_members(&arr, c, res[p], table[i].link,
				   parts & table[i].sub_part ? table[i].sub
							     : NULL,
				   table[i].sub_key);
		if (ret)
			goto out;
		json_object_object_add(model, table[i].name, arr);
	}
	if (res[0])
		json_object_object_add(model, "Fabric",
				       json_object_get(res[0]));
	*out = model;
	model = NULL;
out:
	for (i = 0; i < 3; i++)
		json_object_put(res[i]);
	json_object_put(model);
	return ret;
}

struct json_object *ctl_model_endpoint(struct json_object *model,
				       const char *uri)
{
	struct json_object *eps = ctl_json_array(model, "Endpoints"), *e;
	size_t i;

	for (i = 0; i < ctl_json_len(eps); i++) {
		e = json_object_array_get_idx(eps, i);
		if (strcmp(ctl_json_str(e, "@odata.id", ""), uri) == 0)
			return e;
	}
	return NULL;
}

const char *ctl_model_endpoint_system(struct json_object *ep)
{
	struct json_object *ents, *e;
	const char *link;

	ents = ctl_json_array(ep, "ConnectedEntities");
	if (!ctl_json_len(ents))
		return NULL;
	e = json_object_array_get_idx(ents, 0);
	if (strcmp(ctl_json_str(e, "EntityRole", ""), "Initiator") != 0)
		return NULL;
	link = ctl_json_link(e, "EntityLink");
	return link ? ctl_uri_leaf(link) : NULL;
}

bool ctl_model_fn_row(struct ctl_fn_row *row, struct json_object *dev,
		      struct json_object *fn)
{
	struct json_object *oem = NULL, *mf = NULL, *fid;
	const char *system, *ep;

	memset(row, 0, sizeof(*row));
	if (!ctl_json_str(fn, "Id", NULL))
		return false;
	if (json_object_object_get_ex(fn, "Oem", &oem))
		json_object_object_get_ex(oem, "MrFabric", &mf);
	ep = ctl_json_link(mf, "Endpoint");
	system = ctl_json_link(mf, "System");
	row->endpoint = ep ? ctl_uri_leaf(ep) : "";
	row->device = ctl_json_str(dev, "Id", "?");
	row->kind = strcmp(ctl_json_str(fn, "FunctionType", ""), "Virtual")
			    ? "PF"
			    : "VF";
	row->index = json_object_object_get_ex(fn, "FunctionId", &fid)
			     ? json_object_get_int(fid)
			     : atoi(ctl_json_str(fn, "Id", "0"));
	row->vendor = ctl_json_str(fn, "VendorId", "?");
	row->devid = ctl_json_str(fn, "DeviceId", "?");
	row->state = ctl_json_str(mf, "State", "?");
	if (system)
		row->owner = ctl_uri_leaf(system);
	else if (!ep)
		row->owner = "fabric";
	else
		row->owner = "free";
	return true;
}

/* true when @s is a decimal number without sign or leading zeros */
static bool is_number(const char *s)
{
	size_t i;

	if (!s[0] || (s[0] == '0' && s[1]))
		return false;
	for (i = 0; s[i]; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return i <= 9;
}

int ctl_name_blade(char *zone, size_t zone_len, char *blade, size_t blade_len,
		   const char *name)
{
	static const char *const prefixes[] = { "Blade-", "Zone-", "Host-",
						"" };
	const char *num = NULL;
	size_t i, pl;

	if (strncmp(name, "/redfish/v1/", 12) == 0)
		name = ctl_uri_leaf(name);
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		pl = strlen(prefixes[i]);
		if (strncmp(name, prefixes[i], pl) == 0 &&
		    is_number(name + pl)) {
			num = name + pl;
			break;
		}
	}
	if (!num) {
		fprintf(stderr,
			CTL_PROG ": blade \"%s\": expected Blade-N, N or "
				 "Zone-N\n",
			name);
		return CTL_EXIT_USAGE;
	}
	snprintf(zone, zone_len, ZONES_URI "Zone-%s", num);
	snprintf(blade, blade_len, "Blade-%s", num);
	return 0;
}

int ctl_name_function(char *uri, size_t len, const char *name)
{
	const char *id = name;
	unsigned a, b, d;
	char tail;

	if (strncmp(name, ENDPOINTS_URI, strlen(ENDPOINTS_URI)) == 0)
		id = name + strlen(ENDPOINTS_URI);
	if (sscanf(id, "F-%u-%u-%u%c", &a, &b, &d, &tail) != 3 ||
	    strchr(id, '+') || strchr(id, ' ')) {
		fprintf(stderr,
			CTL_PROG ": function \"%s\": expected an Endpoint Id "
				 "such as F-0-2-1 (see `" CTL_PROG
				 " functions`)\n",
			name);
		return CTL_EXIT_USAGE;
	}
	snprintf(uri, len, ENDPOINTS_URI "%s", id);
	return 0;
}
