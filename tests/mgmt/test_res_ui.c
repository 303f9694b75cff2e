/* SPDX-License-Identifier: MIT */
/*
 * test_res_ui.c - the web console's routes (mgmt/res_ui.c) through the
 * dispatcher: what a browser gets for /ui, /ui/ and /ui/<file> (the files
 * of ui/ byte for byte, their content types, the security headers), with
 * no credentials at all, and that the console stays out of the Redfish
 * service documents.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mgmt/router_int.h"

static struct mgmt_config cfg;
static struct mgmt_router *router;
static struct mgmt_ctx ctx;

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

static void setup(void)
{
	mgmt_config_defaults(&cfg);
	cr_assert_eq(mgmt_router_new_default(&router, NULL), 0);
	mgmt_router_set_auth(router, refuse_all, NULL);
	ctx.cfg = &cfg;
	ctx.router = router;
}

static void teardown(void)
{
	mgmt_router_free(router);
	router = NULL;
}

TestSuite(mgmt_res_ui, .init = setup, .fini = teardown);

static void get(struct mgmt_resp *resp, const char *path)
{
	struct mgmt_req req = { .method = "GET", .path = path };

	mgmt_router_dispatch(resp, router, &ctx, &req);
}

/* The bytes of ui/@name in the source tree. */
static char *source_file(size_t *len, const char *name)
{
	char path[512];
	char *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/ui/%s", MRFABRIC_SOURCE_DIR, name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_geq(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* GET @path answers ui/@name with @type, byte for byte. */
static void assert_serves(const char *path, const char *name, const char *type)
{
	struct mgmt_resp r;
	size_t len;
	char *want = source_file(&len, name);

	get(&r, path);
	cr_assert_eq(r.status, 200, "%s: %u", path, r.status);
	cr_assert_str_eq(mgmt_resp_header(&r, "Content-Type"), type, "%s",
			 path);
	cr_assert_eq(r.body_len, len, "%s: %zu bytes, want %zu", path,
		     r.body_len, len);
	cr_assert(memcmp(r.body, want, len) == 0, "%s differs from ui/%s", path,
		  name);
	free(want);
	mgmt_resp_fini(&r);
}

Test(mgmt_res_ui, ui_and_ui_slash_answer_the_page_without_credentials)
{
	assert_serves("/ui", "index.html", "text/html; charset=utf-8");
	assert_serves("/ui/", "index.html", "text/html; charset=utf-8");
	assert_serves("/ui/index.html", "index.html",
		      "text/html; charset=utf-8");
}

Test(mgmt_res_ui, script_and_style_sheet_have_their_content_types)
{
	assert_serves("/ui/app.js", "app.js", "text/javascript; charset=utf-8");
	assert_serves("/ui/style.css", "style.css", "text/css; charset=utf-8");
}

Test(mgmt_res_ui, every_answer_carries_the_security_headers)
{
	static const char *const paths[] = { "/ui", "/ui/app.js",
					     "/ui/style.css", "/ui/nothing" };
	size_t i;

	for (i = 0; i < FM_ARRAY_SIZE(paths); i++) {
		struct mgmt_resp r;

		get(&r, paths[i]);
		cr_assert_str_eq(
			mgmt_resp_header(&r, "Content-Security-Policy"),
			"default-src 'self'", "%s", paths[i]);
		cr_assert_str_eq(mgmt_resp_header(&r, "X-Content-Type-Options"),
				 "nosniff", "%s", paths[i]);
		cr_assert_str_eq(mgmt_resp_header(&r, "X-Frame-Options"),
				 "DENY", "%s", paths[i]);
		mgmt_resp_fini(&r);
	}
}

Test(mgmt_res_ui, unknown_file_is_404_resource_missing)
{
	struct mgmt_resp r;

	get(&r, "/ui/secret.txt");
	cr_assert_eq(r.status, 404);
	cr_assert_not_null(memmem(r.body, r.body_len,
				  "Base.1.22.1.ResourceMissingAtURI", 32));
	mgmt_resp_fini(&r);
}

Test(mgmt_res_ui, other_methods_are_405)
{
	struct mgmt_req req = { .method = "POST", .path = "/ui/app.js" };
	struct mgmt_resp r;

	mgmt_router_dispatch(&r, router, &ctx, &req);
	cr_assert_eq(r.status, 405);
	cr_assert_str_eq(mgmt_resp_header(&r, "Allow"), "GET, HEAD");
	mgmt_resp_fini(&r);
}

Test(mgmt_res_ui, page_loads_nothing_from_another_origin)
{
	static const char *const files[] = { "/ui", "/ui/app.js",
					     "/ui/style.css" };
	static const char *const remote[] = { "http:", "https:", "//",
					      "@import" };
	size_t i, j;

	for (i = 0; i < FM_ARRAY_SIZE(files); i++) {
		struct mgmt_resp r;
		char *body;

		get(&r, files[i]);
		body = strndup(r.body, r.body_len);
		cr_assert_not_null(body);
		for (j = 0; j < FM_ARRAY_SIZE(remote); j++) {
			const char *at = body;

			/* "//" starts comments in the script: only a
			 * quoted "//..." is a protocol-relative URL */
			if (strcmp(remote[j], "//") == 0) {
				cr_assert_null(strstr(body, "\"//"), "%s",
					       files[i]);
				cr_assert_null(strstr(body, "'//"), "%s",
					       files[i]);
				continue;
			}
			at = strstr(at, remote[j]);
			cr_assert_null(at, "%s refers to %s: %.40s", files[i],
				       remote[j], at);
		}
		free(body);
		mgmt_resp_fini(&r);
	}
}

Test(mgmt_res_ui, console_is_not_a_redfish_resource)
{
	size_t i;

	for (i = 0; i < mgmt_router_count(router); i++) {
		const struct mgmt_route *route = mgmt_router_route(router, i);

		if (strncmp(route->path, "/ui", 3) != 0)
			continue;
		cr_assert_null(route->type, "%s has an @odata.type",
			       route->path);
		cr_assert_eq(route->op[MGMT_GET].priv, MGMT_PRIV_NONE);
	}
}
