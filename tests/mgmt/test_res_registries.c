/* SPDX-License-Identifier: MIT */
/*
 * test_res_registries.c - /redfish/v1/Registries: the collection lists
 * every registry whose messages the service sends, DMTF's registry files
 * point at DMTF's published copies (compared with ../shared/redfish/
 * registries), and the OEM registry MrfabricEvent is served by the
 * service itself, generated from the event hub's table.  The last tests
 * run the hub on the small example chassis (firmware in-process, an
 * in-memory store, a task engine) and resolve every MessageId of the
 * events it records in the registries the collection lists.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fabric/json.h"
#include "mgmt/events.h"
#include "mgmt/router_int.h"
#include "mgmt/store.h"
#include "mgmt/task.h"
#include "sim/sim.h"
#include "switchfw/fmp.h"
#include "switchfw/switchfw.h"
#include "tests/mgmt/json_path.h"
#include "tests/mgmt/mf_fixture.h"
#include "tests/support/support.h"

#define REG_URI "/redfish/v1/Registries"
#define OEM_URI REG_URI "/MrfabricEvent/MrfabricEvent.1.0.json"
#define DMTF_URL "https://redfish.dmtf.org/registries/"
#define DMTF_DIR "../shared/redfish/registries/"

static struct mgmt_config cfg;
static struct mgmt_router *router;
static struct mgmt_ctx ctx;

static void setup(void)
{
	mgmt_config_defaults(&cfg);
	cr_assert_eq(mgmt_router_new_default(&router, NULL), 0);
	ctx.cfg = &cfg;
	ctx.router = router;
}

static void teardown(void)
{
	mgmt_router_free(router);
}

TestSuite(mgmt_res_registries, .init = setup, .fini = teardown);

static void get(struct mgmt_resp *resp, const char *path)
{
	struct mgmt_req req = { .method = "GET", .path = path };

	mgmt_router_dispatch(resp, router, &ctx, &req);
}

/* An authentication hook that lets nobody in. */
static int refuse_all(struct mgmt_principal *who, void *actx,
		      const struct mgmt_req *req, struct mgmt_resp *resp,
		      struct fm_err *err)
{
	(void)who;
	(void)actx;
	(void)req;
	(void)resp;
	return fm_err_set(err, FM_EPERM, "nobody");
}

/* "<Prefix>.<Major>.<Minor>" of MessageId @id into @out. */
static void registry_of(char *out, size_t len, const char *id)
{
	const char *p = id;
	int dots = 0;

	while (*p && dots < 3)
		if (*p++ == '.')
			dots++;
	cr_assert_eq(dots, 3, "MessageId %s has no <Prefix>.<Major>.<Minor>",
		     id);
	cr_assert_lt((size_t)(p - id), len);
	memcpy(out, id, (size_t)(p - id - 1));
	out[p - id - 1] = '\0';
}

/* The key (last segment) of MessageId @id. */
static const char *key_of(const char *id)
{
	return strrchr(id, '.') + 1;
}

/*
 * The registry document that defines MessageId @id, as a client finds
 * it: /redfish/v1/Registries/<Prefix> must say Registry
 * "<Prefix>.<Major>.<Minor>"; its Location is DMTF's published file
 * (read from ../shared/redfish/registries) or a document the service
 * serves.  A new reference.
 */
static struct json_object *registry_doc(const char *id)
{
	struct json_object *doc = NULL;
	struct fm_err err = { 0 };
	struct mgmt_resp r, d;
	char reg[128], uri[256], path[512];
	const char *loc, *file;

	registry_of(reg, sizeof(reg), id);
	snprintf(uri, sizeof(uri), REG_URI "/%.*s", (int)strcspn(reg, "."),
		 reg);
	get(&r, uri);
	cr_assert_eq(r.status, 200, "%s: no registry at %s", id, uri);
	cr_assert_str_eq(jstr(r.json, "Registry"), reg, "%s", id);
	loc = jstr(r.json, "Location/0/Uri");
	cr_assert(loc, "%s: no Location", id);
	if (strncmp(loc, DMTF_URL, strlen(DMTF_URL)) == 0) {
		file = loc + strlen(DMTF_URL);
		snprintf(uri, sizeof(uri), DMTF_DIR "%s", file);
		cr_assert_eq(fab_json_parse_file(
				     &doc,
				     t_source_path(path, sizeof(path), uri),
				     &err),
			     0, "%s: %s", id, err.msg);
	} else {
		get(&d, loc);
		cr_assert_eq(d.status, 200, "%s: %s", id, loc);
		doc = json_object_get(d.json);
		mgmt_resp_fini(&d);
	}
	mgmt_resp_fini(&r);
	/* the document is that registry, of a version reg names */
	snprintf(uri, sizeof(uri), "%s.%s.", jstr(doc, "RegistryPrefix"),
		 jstr(doc, "RegistryVersion"));
	cr_assert_eq(strncmp(uri, reg, strlen(reg)), 0, "%s: %s", id, uri);
	cr_assert_eq(uri[strlen(reg)], '.', "%s: %s", id, uri);
	return doc;
}

/* Message @fmt of a registry with %1.. replaced by @args into @out. */
static void format_message(char *out, size_t len, const char *fmt,
			   struct json_object *args)
{
	size_t o = 0;

	while (*fmt && o + 1 < len) {
		if (fmt[0] == '%' && fmt[1] >= '1' && fmt[1] <= '9') {
			const char *a = json_object_get_string(
				json_object_array_get_idx(
					args, (size_t)(fmt[1] - '1')));
			int n = snprintf(out + o, len - o, "%s", a ? a : "");

			o += (size_t)n < len - o ? (size_t)n : len - o - 1;
			fmt += 2;
		} else {
			out[o++] = *fmt++;
		}
	}
	out[o] = '\0';
}

/* The highest %n placeholder of @text (0: none). */
static unsigned placeholders(const char *text)
{
	unsigned max = 0;
	const char *p;

	for (p = text; (p = strchr(p, '%')) != NULL; p++)
		if (p[1] >= '1' && p[1] <= '9' && (unsigned)(p[1] - '0') > max)
			max = (unsigned)(p[1] - '0');
	return max;
}

/* ---------------------------------------------------------------------
 * The collection and the registry files
 */
Test(mgmt_res_registries, collection_lists_every_registry_the_service_uses)
{
	static const char *const want[] = {
		REG_URI "/Base",	  REG_URI "/TaskEvent",
		REG_URI "/ResourceEvent", REG_URI "/Fabric",
		REG_URI "/MrfabricEvent",
	};
	struct mgmt_resp r;
	char path[32];
	size_t i;

	get(&r, REG_URI);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(jstr(r.json, "@odata.type"),
			 "#MessageRegistryFileCollection."
			 "MessageRegistryFileCollection");
	cr_assert_eq(json_object_get_int(jget(r.json, "Members@odata.count")),
		     (int)FM_ARRAY_SIZE(want));
	for (i = 0; i < FM_ARRAY_SIZE(want); i++) {
		snprintf(path, sizeof(path), "Members/%zu/@odata.id", i);
		cr_assert_str_eq(jstr(r.json, path), want[i]);
	}
	mgmt_resp_fini(&r);
}

struct dmtf_reg {
	char id[16];
	char registry[24];
	char file[40]; /* DMTF's published file of the version used */
};

ParameterizedTestParameters(mgmt_res_registries,
			    dmtf_registry_file_points_at_the_published_version)
{
	static struct dmtf_reg regs[] = {
		{ "Base", "Base.1.22", "Base.1.22.1.json" },
		{ "TaskEvent", "TaskEvent.1.0", "TaskEvent.1.0.5.json" },
		{ "ResourceEvent", "ResourceEvent.1.4",
		  "ResourceEvent.1.4.3.json" },
		{ "Fabric", "Fabric.1.0", "Fabric.1.0.3.json" },
	};

	return cr_make_param_array(struct dmtf_reg, regs, FM_ARRAY_SIZE(regs));
}

ParameterizedTest(struct dmtf_reg *d, mgmt_res_registries,
		  dmtf_registry_file_points_at_the_published_version)
{
	struct json_object *doc = NULL;
	struct fm_err err = { 0 };
	struct mgmt_resp r;
	char uri[128], url[128], path[512];

	snprintf(uri, sizeof(uri), REG_URI "/%s", d->id);
	snprintf(url, sizeof(url), DMTF_URL "%s", d->file);
	get(&r, uri);
	cr_assert_eq(r.status, 200, "%s", uri);
	cr_assert_str_eq(jstr(r.json, "Id"), d->id);
	cr_assert_str_eq(jstr(r.json, "Registry"), d->registry);
	cr_assert_str_eq(jstr(r.json, "Languages/0"), "en");
	cr_assert_str_eq(jstr(r.json, "Location/0/Language"), "en");
	cr_assert_str_eq(jstr(r.json, "Location/0/Uri"), url);
	cr_assert_str_eq(jstr(r.json, "Location/0/PublicationUri"), url);
	mgmt_resp_fini(&r);
	/* DMTF's file of that name is the version the Registry names */
	snprintf(uri, sizeof(uri), DMTF_DIR "%s", d->file);
	cr_assert_eq(fab_json_parse_file(&doc,
					 t_source_path(path, sizeof(path), uri),
					 &err),
		     0, "%s", err.msg);
	snprintf(url, sizeof(url), "%s.%s", jstr(doc, "RegistryPrefix"),
		 jstr(doc, "RegistryVersion"));
	cr_assert_eq(strncmp(url, d->registry, strlen(d->registry)), 0,
		     "%s is %s", d->file, url);
	cr_assert_eq(url[strlen(d->registry)], '.', "%s is %s", d->file, url);
	json_object_put(doc);
}

Test(mgmt_res_registries, oem_registry_file_points_at_the_served_document)
{
	struct mgmt_resp r;

	get(&r, REG_URI "/MrfabricEvent");
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(jstr(r.json, "Id"), "MrfabricEvent");
	cr_assert_str_eq(jstr(r.json, "Registry"), MGMT_EVENTS_OEM_REGISTRY);
	cr_assert_str_eq(jstr(r.json, "Location/0/Language"), "en");
	cr_assert_str_eq(jstr(r.json, "Location/0/Uri"), OEM_URI);
	cr_assert_null(jget(r.json, "Location/0/PublicationUri"));
	mgmt_resp_fini(&r);
}

Test(mgmt_res_registries, oem_registry_document_describes_the_registry)
{
	struct mgmt_resp r;

	get(&r, OEM_URI);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(jstr(r.json, "@odata.type"),
			 "#MessageRegistry.v1_6_3.MessageRegistry");
	cr_assert_str_eq(jstr(r.json, "Id"), "MrfabricEvent.1.0.0");
	cr_assert_str_eq(jstr(r.json, "RegistryPrefix"), "MrfabricEvent");
	cr_assert_str_eq(jstr(r.json, "RegistryVersion"), "1.0.0");
	cr_assert_str_eq(jstr(r.json, "Language"), "en");
	cr_assert_str_eq(jstr(r.json, "OwningEntity"), "mrfabric");
	cr_assert(jstr(r.json, "Name") && jstr(r.json, "Description"));
	mgmt_resp_fini(&r);
}

Test(mgmt_res_registries, oem_registry_has_one_message_per_oem_message_id)
{
	static const char oem[] = MGMT_EVENTS_OEM_REGISTRY ".";
	struct mgmt_events_msg m;
	struct json_object *msgs;
	struct mgmt_resp r;
	size_t i, n = 0;

	get(&r, OEM_URI);
	cr_assert_eq(r.status, 200);
	msgs = jget(r.json, "Messages");
	cr_assert(msgs);
	for (i = 0; i < mgmt_events_msg_count(); i++) {
		cr_assert_eq(mgmt_events_msg_get(&m, i), 0);
		if (strncmp(m.id, oem, strlen(oem)) != 0)
			continue;
		n++;
		cr_assert(jget(msgs, key_of(m.id)), "%s is not in the registry",
			  m.id);
	}
	cr_assert_gt(n, 0);
	cr_assert_eq(json_object_object_length(msgs), (int)n);
	mgmt_resp_fini(&r);
}

/* One OEM message's entry, as events.c's table gives it. */
static void check_oem_entry(struct json_object *e, const char *key)
{
	struct json_object *types = jget(e, "ParamTypes");
	const char *text = jstr(e, "Message");
	size_t i, nargs;

	cr_assert(text, "%s: no Message", key);
	nargs = (size_t)json_object_get_int(jget(e, "NumberOfArgs"));
	cr_assert_eq(nargs, placeholders(text), "%s: %zu args for \"%s\"", key,
		     nargs, text);
	cr_assert_eq(types ? json_object_array_length(types) : 0, nargs, "%s",
		     key);
	for (i = 0; i < nargs; i++) {
		const char *t = json_object_get_string(
			json_object_array_get_idx(types, i));

		cr_assert(strcmp(t, "string") == 0 || strcmp(t, "number") == 0,
			  "%s: ParamTypes[%zu] %s", key, i, t);
	}
	cr_assert_str_eq(jstr(e, "Severity"), jstr(e, "MessageSeverity"), "%s",
			 key);
	cr_assert_gt(strlen(jstr(e, "Description")), 0, "%s", key);
	cr_assert_gt(strlen(jstr(e, "Resolution")), 0, "%s", key);
}

Test(mgmt_res_registries, oem_messages_have_as_many_args_as_placeholders)
{
	struct mgmt_resp r;
	struct json_object *msgs;

	get(&r, OEM_URI);
	cr_assert_eq(r.status, 200);
	msgs = jget(r.json, "Messages");
	cr_assert(msgs);
	json_object_object_foreach(msgs, key, e) check_oem_entry(e, key);
	mgmt_resp_fini(&r);
}

Test(mgmt_res_registries, every_message_of_the_hub_resolves_in_its_registry)
{
	struct json_object *doc, *e;
	struct mgmt_events_msg m;
	size_t i;

	for (i = 0; i < mgmt_events_msg_count(); i++) {
		cr_assert_eq(mgmt_events_msg_get(&m, i), 0);
		doc = registry_doc(m.id);
		e = jget(jget(doc, "Messages"), key_of(m.id));
		cr_assert(e, "%s is not in its registry", m.id);
		cr_assert_str_eq(jstr(e, "Message"), m.text, "%s", m.id);
		cr_assert_eq(json_object_get_int(jget(e, "NumberOfArgs")),
			     (int)m.nargs, "%s", m.id);
		cr_assert_str_eq(jstr(e, "MessageSeverity"), m.severity, "%s",
				 m.id);
		json_object_put(doc);
	}
}

Test(mgmt_res_registries, message_table_ends_where_its_count_says)
{
	struct mgmt_events_msg m = { .id = "untouched" };

	cr_assert_eq(mgmt_events_msg_get(&m, mgmt_events_msg_count()),
		     -FM_ERANGE);
	cr_assert_str_eq(m.id, "untouched");
}

Test(mgmt_res_registries, unknown_registry_is_404)
{
	struct mgmt_resp r;

	get(&r, REG_URI "/NoSuchRegistry");
	cr_assert_eq(r.status, 404);
	cr_assert_str_eq(
		jstr(r.json, "error/@Message.ExtendedInfo/0/MessageId"),
		"Base.1.22.1.ResourceMissingAtURI");
	mgmt_resp_fini(&r);
}

Test(mgmt_res_registries, registries_need_authentication)
{
	struct mgmt_resp r;

	mgmt_router_set_auth(router, refuse_all, NULL);
	get(&r, REG_URI);
	cr_assert_eq(r.status, 401);
	mgmt_resp_fini(&r);
}

Test(mgmt_res_registries, oem_registry_document_needs_authentication)
{
	struct mgmt_resp r;

	mgmt_router_set_auth(router, refuse_all, NULL);
	get(&r, OEM_URI);
	cr_assert_eq(r.status, 401);
	mgmt_resp_fini(&r);
}

/* ---------------------------------------------------------------------
 * What the hub records, on the small example chassis (the suite's router
 * answers the registry requests; Criterion runs the suite's init and
 * fini around these tests' own)
 */
static struct {
	struct mf_fx mf; /* chassis, firmware, FMP in-process */
	struct mgmt_loop *loop;
	struct mgmt_store *store;
	struct mgmt_events *ev;
	struct mgmt_tasks *tasks;
} hx;

static void hub_setup(void)
{
	struct fm_err err = { 0 };

	mf_setup(&hx.mf, MF_SMALL);
	cr_assert_eq(mgmt_loop_new(&hx.loop, &err), 0, "%s", err.msg);
	cr_assert_eq(mgmt_loop_set_vclock(hx.loop, sim_chassis_clock(hx.mf.ch),
					  0, &err),
		     0, "%s", err.msg);
	cr_assert_eq(mgmt_store_open(&hx.store, ":memory:", &err), 0, "%s",
		     err.msg);
	cr_assert_eq(mgmt_events_new(&hx.ev, hx.loop, hx.store, hx.mf.fmp, NULL,
				     &err),
		     0, "%s", err.msg);
	cr_assert_eq(
		mgmt_tasks_new(&hx.tasks, hx.loop, hx.mf.fmp, hx.store, &err),
		0, "%s", err.msg);
	mgmt_tasks_set_events(hx.tasks, hx.ev);
}

static void hub_teardown(void)
{
	mgmt_tasks_free(hx.tasks);
	mgmt_events_free(hx.ev);
	mgmt_store_close(hx.store);
	if (hx.loop)
		mgmt_loop_set_vclock(hx.loop, NULL, 1, NULL);
	mf_teardown(&hx.mf);
	mgmt_loop_free(hx.loop);
}

/* A job that reports one phase and completes at its start. */
static bool one_phase_job(struct mgmt_job *job, enum mgmt_job_why why,
			  const struct sw_fmp_event *ev)
{
	(void)why;
	(void)ev;
	mgmt_job_report(job, MGMT_TASK_RUNNING, 50, "Halfway", NULL, 0, NULL);
	mgmt_job_report(job, MGMT_TASK_COMPLETED, 100, NULL, NULL, 200, NULL);
	return true;
}

static void free_job(struct mgmt_job *job)
{
	free(job);
}

/*
 * Every event recorded: its MessageId resolves in a listed registry, its
 * MessageArgs count what the registry says, and its Message is the
 * registry's text with them in place.  Returns how many events had
 * MessageId @want.
 */
static size_t check_recorded_events(const char *want)
{
	struct mgmt_store_event *rec = NULL;
	struct json_object *body, *doc, *e, *args;
	struct fm_err err = { 0 };
	char text[MGMT_EVENTS_TEXT_MAX];
	const char *id;
	bool gap;
	size_t n = 0, i, seen = 0;

	cr_assert_eq(mgmt_store_event_read(&rec, &n, &gap, hx.store, 0,
					   MGMT_STORE_READ_MAX, &err),
		     0, "%s", err.msg);
	for (i = 0; i < n; i++) {
		body = json_tokener_parse(rec[i].payload);
		cr_assert(body, "%s", rec[i].payload);
		id = jstr(body, "MessageId");
		cr_assert(id, "%s", rec[i].payload);
		seen += strcmp(id, want) == 0;
		doc = registry_doc(id);
		e = jget(jget(doc, "Messages"), key_of(id));
		cr_assert(e, "%s is not in its registry", id);
		args = jget(body, "MessageArgs");
		cr_assert_eq(
			args ? json_object_array_length(args) : 0,
			(size_t)json_object_get_int(jget(e, "NumberOfArgs")),
			"%s", rec[i].payload);
		format_message(text, sizeof(text), jstr(e, "Message"), args);
		cr_assert_str_eq(jstr(body, "Message"), text, "%s", id);
		json_object_put(doc);
		json_object_put(body);
	}
	mgmt_store_events_free(rec, n);
	return seen;
}

Test(mgmt_res_registries, switch_events_of_the_hub_resolve_in_registries,
     .init = hub_setup, .fini = hub_teardown)
{
	struct fm_err err = { 0 };

	cr_assert_eq(sw_fw_bind(hx.mf.fw, SW_FID(0, 2, 1), 0, -1, NULL, &err),
		     0, "%s", err.msg);
	cr_assert_eq(mgmt_events_sync(hx.ev, &err), 0, "%s", err.msg);
	cr_assert_eq(check_recorded_events(MGMT_EVENTS_OEM_REGISTRY
					   ".FunctionBound"),
		     1);
}

Test(mgmt_res_registries, task_events_of_the_hub_resolve_in_registries,
     .init = hub_setup, .fini = hub_teardown)
{
	struct mgmt_job *job = calloc(1, sizeof(*job));
	struct fm_err err = { 0 };

	cr_assert(job);
	job->fn = one_phase_job;
	job->free = free_job;
	cr_assert_eq(mgmt_store_task_create(&job->task, hx.store, "POST",
					    "/redfish/v1/Fabrics/PCIe", NULL,
					    &err),
		     0, "%s", err.msg);
	cr_assert_eq(mgmt_tasks_add(hx.tasks, job, 0, &err), 0, "%s", err.msg);
	cr_assert_eq(check_recorded_events("TaskEvent.1.0.5.TaskCompletedOK"),
		     1);
}
