/* SPDX-License-Identifier: MIT */
/*
 * test_config.c - mrfabricd's configuration: defaults, the JSON file and
 * its schema, the messages a bad file gets, command-line overrides.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <json-c/json.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fabric/json.h"
#include "mgmt/mgmt.h"
#include "tests/support/support.h"

static struct mgmt_config defaults(void)
{
	struct mgmt_config c;

	mgmt_config_defaults(&c);
	return c;
}

static int from_text(struct mgmt_config *c, const char *text,
		     struct fm_err *err)
{
	struct json_object *doc = NULL;
	int ret;

	cr_assert_eq(fab_json_parse(&doc, "test", text, strlen(text), NULL), 0,
		     "test document does not parse: %s", text);
	ret = mgmt_config_from_json(c, doc, "cfg.json", err);
	json_object_put(doc);
	return ret;
}

static bool matches(const char *re, const char *s)
{
	regex_t r;
	bool ok;

	cr_assert_eq(regcomp(&r, re, REG_EXTENDED | REG_NOSUB), 0);
	ok = regexec(&r, s, 0, NULL, 0) == 0;
	regfree(&r);
	return ok;
}

Test(mgmt_config, defaults_listen_on_loopback_8080)
{
	struct mgmt_config c = defaults();

	cr_assert_str_eq(c.listen_address, "127.0.0.1");
	cr_assert_eq(c.listen_port, 8080);
}

Test(mgmt_config, defaults_name_documented_values)
{
	struct mgmt_config c = defaults();

	cr_assert_str_eq(c.database, "mrfabricd.db");
	cr_assert_eq(c.managed_unbind_timeout_ms, 10000);
	cr_assert_eq(c.move_timeout_ms, 60000);
	cr_assert_eq(c.connection_timeout_s, 30);
	cr_assert_eq(c.switch_timeout_ms, 250);
	cr_assert_eq(c.event_retention, 1024);
	cr_assert_eq(c.body_max, 1024 * 1024);
	cr_assert_float_eq(c.sim_speed, 1.0, 1e-12);
	cr_assert_eq(c.log_level, FM_LOG_INFO);
}

Test(mgmt_config, default_uuid_is_a_uuid_and_stable)
{
	struct mgmt_config a = defaults(), b = defaults();

	cr_assert(matches("^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]"
			  "{3}-[0-9a-f]{12}$",
			  a.uuid),
		  "uuid %s", a.uuid);
	cr_assert_str_eq(a.uuid, b.uuid);
}

Test(mgmt_config, full_file_sets_every_field)
{
	struct mgmt_config c = defaults();
	struct fm_err err = { 0 };

	cr_assert_eq(
		from_text(
			&c,
			"{\"listen\": {\"address\": \"::1\", \"port\": 0},"
			" \"database\": \"/tmp/x.db\","
			" \"timeouts\": {\"managed_unbind_ms\": 500,"
			"  \"move_ms\": 2000, \"connection_s\": 5,"
			"  \"switch_ms\": 40},"
			" \"events\": {\"retention\": 7},"
			" \"limits\": {\"body_bytes\": 4096},"
			" \"sim\": {\"speed\": 2.5},"
			" \"log_level\": \"debug\","
			" \"uuid\": \"01234567-89ab-cdef-0123-456789abcdef\"}",
			&err),
		0, "%s", err.msg);
	cr_assert_str_eq(c.listen_address, "::1");
	cr_assert_eq(c.listen_port, 0);
	cr_assert_str_eq(c.database, "/tmp/x.db");
	cr_assert_eq(c.managed_unbind_timeout_ms, 500);
	cr_assert_eq(c.move_timeout_ms, 2000);
	cr_assert_eq(c.connection_timeout_s, 5);
	cr_assert_eq(c.switch_timeout_ms, 40);
	cr_assert_eq(c.event_retention, 7);
	cr_assert_eq(c.body_max, 4096);
	cr_assert_float_eq(c.sim_speed, 2.5, 1e-12);
	cr_assert_eq(c.log_level, FM_LOG_DEBUG);
	cr_assert_str_eq(c.uuid, "01234567-89ab-cdef-0123-456789abcdef");
}

Test(mgmt_config, absent_fields_keep_their_value)
{
	struct mgmt_config c = defaults(), before;
	struct fm_err err = { 0 };

	before = c;
	cr_assert_eq(from_text(&c, "{\"listen\": {\"port\": 9000}}", &err), 0,
		     "%s", err.msg);
	cr_assert_eq(c.listen_port, 9000);
	c.listen_port = before.listen_port;
	cr_assert_eq(memcmp(&c, &before, sizeof(c)), 0);
}

Test(mgmt_config, empty_object_is_all_defaults)
{
	struct mgmt_config c = defaults(), before = c;

	cr_assert_eq(from_text(&c, "{}", NULL), 0);
	cr_assert_eq(memcmp(&c, &before, sizeof(c)), 0);
}

Test(mgmt_config, example_file_loads)
{
	struct mgmt_config c = defaults();
	struct fm_err err = { 0 };
	char path[512];

	cr_assert_eq(mgmt_config_load(&c,
				      t_source_path(path, sizeof(path),
						    "examples/mrfabricd.json"),
				      &err),
		     0, "%s", err.msg);
	cr_assert_eq(c.listen_port, 8080);
}

/*
 * A bad document: the error names the file and the field, and the
 * configuration is left as it was.  (Criterion copies parameters into
 * the test process: arrays, no pointers.)
 */
struct bad_cfg {
	char doc[64];
	char msg[96]; /* regex the error message must match */
};

ParameterizedTestParameters(mgmt_config, bad_field_is_named_and_changes_nothing)
{
	static struct bad_cfg cases[] = {
		{ "{\"listen\": {\"port\": 70000}}",
		  "^cfg\\.json: listen\\.port: .*70000.*65535" },
		{ "{\"listen\": {\"port\": \"80\"}}",
		  "^cfg\\.json: listen\\.port: expected integer" },
		{ "{\"listen\": {\"address\": \"localhost\"}}",
		  "^cfg\\.json: listen\\.address: \"localhost\" is not an IPv4 "
		  "or IPv6 address$" },
		{ "{\"listen\": {\"adress\": \"::1\"}}",
		  "^cfg\\.json: listen: unknown property \"adress\"" },
		{ "{\"timeouts\": {\"move_ms\": 10}}",
		  "^cfg\\.json: timeouts\\.move_ms: .*10.*1000" },
		{ "{\"timeouts\": {\"switch_ms\": 5}}",
		  "^cfg\\.json: timeouts\\.switch_ms: .*5.*10" },
		{ "{\"limits\": {\"body_bytes\": 100}}",
		  "^cfg\\.json: limits\\.body_bytes: .*100.*1024" },
		{ "{\"events\": {\"retention\": 0}}",
		  "^cfg\\.json: events\\.retention: " },
		{ "{\"sim\": {\"speed\": -1}}", "^cfg\\.json: sim\\.speed: " },
		{ "{\"log_level\": \"loud\"}",
		  "^cfg\\.json: log_level: .*loud" },
		{ "{\"uuid\": \"not-a-uuid\"}", "^cfg\\.json: uuid: " },
		{ "{\"database\": \"\"}", "^cfg\\.json: database: " },
		{ "{\"databse\": \"x.db\"}",
		  "^cfg\\.json: \\$: unknown property \"databse\"" },
		{ "[]", "^cfg\\.json: \\$: expected object" },
	};

	return cr_make_param_array(struct bad_cfg, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_cfg *bc, mgmt_config,
		  bad_field_is_named_and_changes_nothing)
{
	struct mgmt_config c = defaults(), before = c;
	struct fm_err err = { 0 };

	cr_assert_lt(from_text(&c, bc->doc, &err), 0, "%s accepted", bc->doc);
	cr_assert(matches(bc->msg, err.msg), "%s: message \"%s\"", bc->doc,
		  err.msg);
	cr_assert_eq(memcmp(&c, &before, sizeof(c)), 0);
}

Test(mgmt_config, missing_file_names_it)
{
	struct mgmt_config c = defaults();
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_config_load(&c, "/nonexistent/mrfabricd.json", &err),
		     -FM_EIO);
	cr_assert(strstr(err.msg, "/nonexistent/mrfabricd.json"), "%s",
		  err.msg);
}

Test(mgmt_config, malformed_file_gets_line_and_column)
{
	struct mgmt_config c = defaults();
	struct fm_err err = { 0 };
	char path[] = "/tmp/mrfabricd-cfg-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	fputs("{\n  \"listen\": {\"port\": 80,}\n}\n", f);
	fclose(f);
	cr_assert_eq(mgmt_config_load(&c, path, &err), -FM_EPARSE);
	unlink(path);
	cr_assert(matches(":2:[0-9]+: ", err.msg), "%s", err.msg);
}

struct listen_case {
	char spec[24];
	char addr[16]; /* "": refused */
	unsigned port;
};

ParameterizedTestParameters(mgmt_config, listen_spec)
{
	static struct listen_case cases[] = {
		{ "0.0.0.0:9000", "0.0.0.0", 9000 },
		{ "[::1]:8443", "::1", 8443 },
		{ ":1234", "127.0.0.1", 1234 },
		{ "127.0.0.1:0", "127.0.0.1", 0 },
		{ "localhost:80", "", 0 },
		{ "::1:80", "", 0 },
		{ "1.2.3.4:70000", "", 0 },
		{ "1.2.3.4:-1", "", 0 },
		{ "1.2.3.4:", "", 0 },
		{ "1.2.3.4", "", 0 },
		{ "[1.2.3.4:80", "", 0 },
	};

	return cr_make_param_array(struct listen_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct listen_case *lc, mgmt_config, listen_spec)
{
	struct mgmt_config c = defaults(), before = c;
	struct fm_err err = { 0 };
	int ret = mgmt_config_set_listen(&c, lc->spec, &err);

	if (!lc->addr[0]) {
		cr_assert_eq(ret, -FM_EINVAL, "%s accepted", lc->spec);
		cr_assert(err.msg[0]);
		cr_assert_eq(memcmp(&c, &before, sizeof(c)), 0);
		return;
	}
	cr_assert_eq(ret, 0, "%s: %s", lc->spec, err.msg);
	cr_assert_str_eq(c.listen_address, lc->addr);
	cr_assert_eq(c.listen_port, lc->port);
}

Test(mgmt_config, log_levels_parse_by_name)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	enum fm_log_level l;
	unsigned i;

	for (i = 0; i < 4; i++) {
		cr_assert_eq(mgmt_log_level_parse(&l, names[i], NULL), 0);
		cr_assert_eq(l, (enum fm_log_level)i);
	}
}

Test(mgmt_config, unknown_log_level_lists_the_names)
{
	enum fm_log_level l = FM_LOG_WARN;
	struct fm_err err = { 0 };

	cr_assert_eq(mgmt_log_level_parse(&l, "verbose", &err), -FM_EINVAL);
	cr_assert_str_eq(err.msg, "log level \"verbose\" is not one of error, "
				  "warn, info, debug");
	cr_assert_eq(l, FM_LOG_WARN);
}
