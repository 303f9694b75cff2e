/* SPDX-License-Identifier: MIT */
/*
 * res_registries.c - /redfish/v1/Registries: the message registries the
 * service's messages come from (DSP0266 "Message registries"), one
 * MessageRegistryFile per registry:
 *
 *   Base.1.22           error bodies (redfish.c's mgmt_base_messages[])
 *   TaskEvent.1.0       task events (task.c)
 *   ResourceEvent.1.4   events of the hub (events.c's table)
 *   Fabric.1.0          link events of the hub (events.c's table)
 *   MrfabricEvent.1.0   the hub's own events (events.c's table)
 *
 * Like most BMCs the service does not carry DMTF's registry files: their
 * Location points at DMTF's published copy.  The OEM registry exists
 * nowhere else, so the service serves it, generated from events.c's
 * table (mgmt_events_msg_get()), at REG_OEM_URI.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "mgmt/events.h"
#include "mgmt/redfish_int.h"
#include "mgmt/router_int.h"

#define REG_URI "/redfish/v1/Registries"
#define REG_COLLECTION_TYPE                                                    \
	"#MessageRegistryFileCollection.MessageRegistryFileCollection"
#define REG_FILE_TYPE "#MessageRegistryFile.v1_1_5.MessageRegistryFile"
#define REG_DOC_TYPE "#MessageRegistry.v1_6_3.MessageRegistry"
#define REG_DMTF "https://redfish.dmtf.org/registries/"

#define REG_OEM_PREFIX "MrfabricEvent"
#define REG_OEM_VERSION "1.0.0" /* MGMT_EVENTS_OEM_REGISTRY + errata */
#define REG_OEM_URI                                                            \
	REG_URI "/" REG_OEM_PREFIX "/" MGMT_EVENTS_OEM_REGISTRY ".json"

/*
 * The registries whose messages the service sends.  @registry names the
 * version its MessageIds carry; @publication is DMTF's published file of
 * that version (NULL: the OEM registry, served at @location).  To add a
 * registry: a row here, and a test in tests/mgmt/test_res_registries.c
 * that the MessageIds sent resolve in it.
 */
struct reg_file {
	const char *id;	      /* the URI segment: "Base" */
	const char *registry; /* "<prefix>.<major>.<minor>" */
	const char *name;
	const char *description;
	const char *location;	 /* where a client gets the file */
	const char *publication; /* DMTF's published copy, NULL: OEM */
};

static const struct reg_file reg_files[] = {
	{
		.id = "Base",
		.registry = "Base.1.22",
		.name = "Base Message Registry File",
		.description = "DMTF Base Message Registry File Location",
		.location = MGMT_BASE_REGISTRY_URI,
		.publication = MGMT_BASE_REGISTRY_URI,
	},
	{
		.id = "TaskEvent",
		.registry = "TaskEvent.1.0",
		.name = "Task Event Message Registry File",
		.description = "DMTF Task Event Message Registry File Location",
		.location = REG_DMTF "TaskEvent.1.0.5.json",
		.publication = REG_DMTF "TaskEvent.1.0.5.json",
	},
	{
		.id = "ResourceEvent",
		.registry = "ResourceEvent.1.4",
		.name = "Resource Event Message Registry File",
		.description = "DMTF Resource Event Message Registry File "
			       "Location",
		.location = REG_DMTF "ResourceEvent.1.4.3.json",
		.publication = REG_DMTF "ResourceEvent.1.4.3.json",
	},
	{
		.id = "Fabric",
		.registry = "Fabric.1.0",
		.name = "Fabric Message Registry File",
		.description = "DMTF Fabric Message Registry File Location",
		.location = REG_DMTF "Fabric.1.0.3.json",
		.publication = REG_DMTF "Fabric.1.0.3.json",
	},
	{
		.id = REG_OEM_PREFIX,
		.registry = MGMT_EVENTS_OEM_REGISTRY,
		.name = "mrfabric Event Message Registry File",
		.description = "mrfabric's own event messages, served by "
			       "this service",
		.location = REG_OEM_URI,
		.publication = NULL,
	},
};

static int reg_collection_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			      const struct mgmt_req *req, struct fm_err *err)
{
	struct json_object *o = NULL;
	char uri[MGMT_URI_MAX];
	size_t i;
	int ret;

	(void)ctx;
	(void)req;
	ret = mgmt_rf_collection_new(&o, REG_URI, REG_COLLECTION_TYPE,
				     "Message Registry File Collection", err);
	for (i = 0; ret == 0 && i < FM_ARRAY_SIZE(reg_files); i++) {
		snprintf(uri, sizeof(uri), REG_URI "/%s", reg_files[i].id);
		ret = mgmt_rf_collection_add(o, uri, err);
	}
	return mgmt_rf_reply(resp, 200, o, ret);
}

static struct json_object *reg_location_new(const struct reg_file *f)
{
	struct json_object *loc = json_object_new_array_ext(1);
	struct json_object *en = json_object_new_object();
	int bad = 0;

	if (!loc || !en) {
		json_object_put(loc);
		json_object_put(en);
		return NULL;
	}
	bad |= mgmt_rf_set_str(en, "Language", "en");
	bad |= mgmt_rf_set_str(en, "Uri", f->location);
	if (f->publication)
		bad |= mgmt_rf_set_str(en, "PublicationUri", f->publication);
	if (bad || json_object_array_add(loc, en) != 0) {
		json_object_put(en);
		json_object_put(loc);
		return NULL;
	}
	return loc;
}

static int reg_file_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
			const struct mgmt_req *req, struct fm_err *err)
{
	const char *id = mgmt_req_param(req, "registry");
	const struct reg_file *f = NULL;
	struct json_object *o = NULL, *langs, *en;
	size_t i;
	int bad = 0, ret;

	(void)ctx;
	for (i = 0; i < FM_ARRAY_SIZE(reg_files) && !f; i++)
		if (strcmp(reg_files[i].id, id) == 0)
			f = &reg_files[i];
	if (!f)
		return fm_err_set(err, FM_ENOENT, "no message registry %s", id);
	ret = mgmt_rf_resource_new(&o, req->uri, REG_FILE_TYPE, f->name, err);
	if (ret < 0)
		return ret;
	langs = json_object_new_array_ext(1);
	en = json_object_new_string("en");
	if (!langs || !en || json_object_array_add(langs, en) != 0) {
		json_object_put(en);
		bad = -FM_ENOMEM;
	}
	bad |= mgmt_rf_set_str(o, "Description", f->description);
	bad |= mgmt_rf_set(o, "Languages", langs);
	bad |= mgmt_rf_set_str(o, "Registry", f->registry);
	bad |= mgmt_rf_set(o, "Location", reg_location_new(f));
	return mgmt_rf_reply(resp, 200, o,
			     bad ? mgmt_rf_nomem(err, req->uri) : 0);
}

/* The ParamTypes of @m: a new array, NULL without memory. */
static struct json_object *reg_params_new(const struct mgmt_events_msg *m)
{
	struct json_object *a = json_object_new_array_ext((int)m->nargs);
	unsigned i;

	for (i = 0; a && i < m->nargs; i++) {
		struct json_object *s =
			json_object_new_string(m->param_types[i]);

		if (!s || json_object_array_add(a, s) != 0) {
			json_object_put(s);
			json_object_put(a);
			a = NULL;
		}
	}
	return a;
}

/*
 * The registry entry of OEM message @m (MessageRegistry.v1_6_3 Message)
 * into *out (a new reference).  -FM_EINVAL when events.c's table lacks
 * its description (a programmer error the tests catch), -FM_ENOMEM.
 */
static int reg_message_new(struct json_object **out,
			   const struct mgmt_events_msg *m, struct fm_err *err)
{
	struct json_object *o = NULL;
	int bad = 0;

	if (!m->description || !m->resolution || (m->nargs && !m->param_types))
		return fm_err_set(err, FM_EINVAL,
				  "message %s: no registry description", m->id);
	o = json_object_new_object();
	if (!o)
		return fm_err_set(err, FM_ENOMEM, "out of memory");
	bad |= mgmt_rf_set_str(o, "Description", m->description);
	bad |= mgmt_rf_set_str(o, "Message", m->text);
	bad |= mgmt_rf_set_str(o, "Severity", m->severity);
	bad |= mgmt_rf_set_str(o, "MessageSeverity", m->severity);
	bad |= mgmt_rf_set(o, "NumberOfArgs",
			   json_object_new_int((int32_t)m->nargs));
	if (m->nargs)
		bad |= mgmt_rf_set(o, "ParamTypes", reg_params_new(m));
	bad |= mgmt_rf_set_str(o, "Resolution", m->resolution);
	if (bad) {
		json_object_put(o);
		return fm_err_set(err, FM_ENOMEM, "out of memory");
	}
	*out = o;
	return 0;
}

/* The Messages of the OEM registry: every OEM entry of events.c's table. */
static int reg_messages_new(struct json_object **out, struct fm_err *err)
{
	static const char oem[] = MGMT_EVENTS_OEM_REGISTRY ".";
	struct json_object *msgs = json_object_new_object();
	struct json_object *m = NULL;
	struct mgmt_events_msg d;
	size_t i;
	int ret = 0;

	if (!msgs)
		return fm_err_set(err, FM_ENOMEM, "out of memory");
	for (i = 0; ret == 0 && i < mgmt_events_msg_count(); i++) {
		if (mgmt_events_msg_get(&d, i) < 0 ||
		    strncmp(d.id, oem, sizeof(oem) - 1) != 0)
			continue;
		ret = reg_message_new(&m, &d, err);
		if (ret == 0 && mgmt_rf_set(msgs, d.id + sizeof(oem) - 1, m))
			ret = fm_err_set(err, FM_ENOMEM, "out of memory");
	}
	if (ret < 0) {
		json_object_put(msgs);
		return ret;
	}
	*out = msgs;
	return 0;
}

static int reg_oem_get(struct mgmt_resp *resp, struct mgmt_ctx *ctx,
		       const struct mgmt_req *req, struct fm_err *err)
{
	struct json_object *o = json_object_new_object();
	struct json_object *msgs = NULL;
	int bad = 0, ret;

	(void)ctx;
	(void)req;
	if (!o)
		return fm_err_set(err, FM_ENOMEM, "out of memory");
	ret = reg_messages_new(&msgs, err);
	if (ret < 0)
		goto out;
	bad |= mgmt_rf_set_str(o, "@odata.type", REG_DOC_TYPE);
	bad |= mgmt_rf_set_str(o, "Id", MGMT_EVENTS_OEM_REGISTRY ".0");
	bad |= mgmt_rf_set_str(o, "Name", "mrfabric Event Message Registry");
	bad |= mgmt_rf_set_str(o, "Language", "en");
	bad |= mgmt_rf_set_str(o, "Description",
			       "The events of the mrfabric PCIe fabric "
			       "manager that DMTF's registries do not "
			       "cover: bindings, removals, isolation, and "
			       "gaps in the event stream.");
	bad |= mgmt_rf_set_str(o, "RegistryPrefix", REG_OEM_PREFIX);
	bad |= mgmt_rf_set_str(o, "RegistryVersion", REG_OEM_VERSION);
	bad |= mgmt_rf_set_str(o, "OwningEntity", "mrfabric");
	bad |= mgmt_rf_set(o, "Messages", msgs);
	if (bad) {
		ret = fm_err_set(err, FM_ENOMEM, "out of memory");
		goto out;
	}
	mgmt_resp_set_json(resp, 200, o);
	o = NULL;
out:
	json_object_put(o);
	return ret;
}

static const struct mgmt_route reg_routes[] = {
	{
		.path = REG_URI,
		.type = REG_COLLECTION_TYPE,
		.flags = MGMT_ROUTE_STATIC,
		.op[MGMT_GET] = { reg_collection_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = REG_URI "/{registry}",
		.type = REG_FILE_TYPE,
		.flags = MGMT_ROUTE_STATIC,
		.op[MGMT_GET] = { reg_file_get, MGMT_PRIV_LOGIN },
	},
	{
		.path = REG_OEM_URI,
		.type = REG_DOC_TYPE,
		.flags = MGMT_ROUTE_STATIC,
		.op[MGMT_GET] = { reg_oem_get, MGMT_PRIV_LOGIN },
	},
};

MGMT_ROUTE_SET(mgmt_res_registries, "registries", reg_routes);
