/* SPDX-License-Identifier: MIT */
/*
 * test_res_registries.c - /redfish/v1/Registries: the collection and the
 * Base registry file that points at DMTF's published copy.  (The message
 * entries themselves are checked against DMTF's file in test_redfish.c.)
 */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <string.h>

#include "mgmt/router_int.h"
#include "tests/mgmt/json_path.h"

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

Test(mgmt_res_registries, registries_collection_lists_base)
{
	struct mgmt_resp r;

	get(&r, "/redfish/v1/Registries");
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(jstr(r.json, "@odata.type"),
			 "#MessageRegistryFileCollection."
			 "MessageRegistryFileCollection");
	cr_assert_eq(json_object_get_int(jget(r.json, "Members@odata.count")),
		     1);
	cr_assert_str_eq(jstr(r.json, "Members/0/@odata.id"),
			 "/redfish/v1/Registries/Base");
	mgmt_resp_fini(&r);
}

Test(mgmt_res_registries, base_registry_file_points_at_dmtf)
{
	struct mgmt_resp r;

	get(&r, "/redfish/v1/Registries/Base");
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(jstr(r.json, "Id"), "Base");
	cr_assert_str_eq(jstr(r.json, "Registry"), "Base.1.22");
	cr_assert_str_eq(jstr(r.json, "Languages/0"), "en");
	cr_assert_str_eq(jstr(r.json, "Location/0/Language"), "en");
	cr_assert_str_eq(
		jstr(r.json, "Location/0/Uri"),
		"https://redfish.dmtf.org/registries/Base.1.22.1.json");
	cr_assert_str_eq(
		jstr(r.json, "Location/0/PublicationUri"),
		"https://redfish.dmtf.org/registries/Base.1.22.1.json");
	mgmt_resp_fini(&r);
}

Test(mgmt_res_registries, unknown_registry_is_404)
{
	struct mgmt_resp r;

	get(&r, "/redfish/v1/Registries/Fabric");
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
	get(&r, "/redfish/v1/Registries");
	cr_assert_eq(r.status, 401);
	mgmt_resp_fini(&r);
}
