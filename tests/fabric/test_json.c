/* SPDX-License-Identifier: MIT */
/*
 * Tests for fabric/json.c: parsing with positions, and the JSON Schema
 * validator (every keyword, exact messages, first violation in document
 * order, schema errors).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "fabric/json.h"

static struct json_object *parse_ok(const char *text)
{
	struct json_object *o = NULL;
	struct fm_err err = { 0 };

	cr_assert_eq(fab_json_parse(&o, "t", text, strlen(text), &err), 0,
		     "parse %s: %s", text, err.msg);
	return o;
}

/* ------------------------------------------------------------------ */
/* Parsing */

Test(fabric_json, parse_returns_document)
{
	struct json_object *o = parse_ok("{\"a\": [1, 2]}");
	struct json_object *a;

	cr_assert(json_object_object_get_ex(o, "a", &a));
	cr_assert_eq(json_object_array_length(a), 2);
	json_object_put(o);
}

Test(fabric_json, parse_accepts_number_ending_the_input)
{
	struct json_object *o = parse_ok("42");

	cr_assert_eq(json_object_get_int(o), 42);
	json_object_put(o);
}

Test(fabric_json, parse_accepts_trailing_whitespace)
{
	struct json_object *o = parse_ok("[true] \n\t\r\n");

	cr_assert(json_object_is_type(o, json_type_array));
	json_object_put(o);
}

Test(fabric_json, parse_of_null_gives_null_object)
{
	struct json_object *o = (struct json_object *)&o;
	struct fm_err err = { 0 };

	cr_assert_eq(fab_json_parse(&o, "t", "null", 4, &err), 0);
	cr_assert_null(o);
}

Test(fabric_json, parse_reads_only_len_bytes)
{
	struct json_object *o = NULL;

	cr_assert_eq(fab_json_parse(&o, "t", "[1]]]]", 3, NULL), 0);
	cr_assert_eq(json_object_array_length(o), 1);
	json_object_put(o);
}

/* Criterion copies parameters into the test process: no pointers. */
struct parse_case {
	char text[96];
	char msg[96];
};

ParameterizedTestParameters(fabric_json, parse_error_names_line_and_column)
{
	static struct parse_case cases[] = {
		{ "", "f.json:1:1: unexpected end of data" },
		{ "   ", "f.json:1:4: unexpected end of data" },
		{ "[1, 2", "f.json:1:6: unexpected end of data" },
		{ "tru", "f.json:1:4: unexpected end of data" },
		{ "[1 2]", "f.json:1:4: array value separator ',' expected" },
		{ "{\"a\" 1}",
		  "f.json:1:6: object property name separator ':' expected" },
		{ "{\n  \"a\":\n    x}", "f.json:3:5: unexpected character" },
		{ "{\"a\": 1,}", "f.json:1:9: unexpected character" },
		{ "[1,]", "f.json:1:4: unexpected character" },
		{ "/* c */ {}", "f.json:1:1: unexpected character" },
		{ "{} x", "f.json:1:4: unexpected character" },
		{ "{}\n\n  }", "f.json:3:3: unexpected character" },
		{ "12a", "f.json:1:3: unexpected character" },
		{ "[\"\xc3\xa9\xc3\xa9\", x]",
		  "f.json:1:8: unexpected character" },
		{ "\"\xff\"", "f.json:1:2: invalid utf-8 string" },
		{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]"
		  "]]]]]]]]",
		  "f.json:1:33: nesting too deep" },
	};

	return cr_make_param_array(struct parse_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct parse_case *c, fabric_json,
		  parse_error_names_line_and_column)
{
	struct json_object *o = (struct json_object *)&o;
	struct fm_err err = { 0 };

	cr_assert_eq(
		fab_json_parse(&o, "f.json", c->text, strlen(c->text), &err),
		-FM_EPARSE, "text %s", c->text);
	cr_assert_eq(err.code, FM_EPARSE);
	cr_assert_str_eq(err.msg, c->msg);
	cr_assert_eq(o, (struct json_object *)&o, "*out changed");
}

Test(fabric_json, parse_rejects_nul_byte_at_its_position)
{
	struct fm_err err = { 0 };
	struct json_object *o = NULL;

	cr_assert_eq(fab_json_parse(&o, "f", "{}\0x", 4, &err), -FM_EPARSE);
	cr_assert_str_eq(err.msg, "f:1:3: NUL byte in input");
}

Test(fabric_json, parse_rejects_text_after_document_when_len_covers_it)
{
	struct fm_err err = { 0 };
	struct json_object *o = NULL;

	cr_assert_eq(fab_json_parse(&o, "f", "[1]]", 4, &err), -FM_EPARSE);
	cr_assert_str_eq(err.msg, "f:1:4: unexpected character");
}

Test(fabric_json, parse_without_name_says_input)
{
	struct fm_err err = { 0 };
	struct json_object *o = NULL;

	cr_assert_eq(fab_json_parse(&o, NULL, "x", 1, &err), -FM_EPARSE);
	cr_assert_str_eq(err.msg, "<input>:1:1: unexpected character");
}

/* A temporary file holding @text; the path is written to @path. */
static void write_temp(char *path, size_t len, const char *text)
{
	int fd;

	snprintf(path, len, "/tmp/fabric_json_XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

Test(fabric_json, parse_file_reads_document)
{
	struct json_object *o = NULL, *n;
	struct fm_err err = { 0 };
	char path[64];

	write_temp(path, sizeof(path), "{\"name\": \"blade1\"}\n");
	cr_assert_eq(fab_json_parse_file(&o, path, &err), 0, "%s", err.msg);
	unlink(path);
	cr_assert(json_object_object_get_ex(o, "name", &n));
	cr_assert_str_eq(json_object_get_string(n), "blade1");
	json_object_put(o);
}

Test(fabric_json, parse_file_names_file_in_parse_error)
{
	struct json_object *o = NULL;
	struct fm_err err = { 0 };
	char path[64], want[128];

	write_temp(path, sizeof(path), "{\n  \"a\": ]\n}\n");
	cr_assert_eq(fab_json_parse_file(&o, path, &err), -FM_EPARSE);
	unlink(path);
	snprintf(want, sizeof(want), "%s:2:8: unexpected character", path);
	cr_assert_str_eq(err.msg, want);
}

Test(fabric_json, parse_file_reports_missing_file_with_errno)
{
	struct json_object *o = NULL;
	struct fm_err err = { 0 };

	cr_assert_eq(fab_json_parse_file(&o, "/nonexistent/x.json", &err),
		     -FM_EIO);
	cr_assert_eq(err.sys_errno, ENOENT);
	cr_assert_str_eq(err.msg, "cannot open /nonexistent/x.json: No such "
				  "file or directory");
}

Test(fabric_json, parse_file_reports_directory_as_unreadable)
{
	struct json_object *o = NULL;
	struct fm_err err = { 0 };

	cr_assert_eq(fab_json_parse_file(&o, "/tmp", &err), -FM_EIO);
	cr_assert_eq(err.sys_errno, EISDIR);
	cr_assert_str_eq(err.msg, "cannot read /tmp: Is a directory");
}

Test(fabric_json, parse_file_reads_large_document)
{
	struct json_object *o = NULL;
	struct fm_err err = { 0 };
	size_t n = 20000, i, at = 0;
	char *text = malloc(n * 4 + 8);
	char path[64];

	cr_assert_not_null(text);
	text[at++] = '[';
	for (i = 0; i < n; i++)
		at += (size_t)sprintf(text + at, "%s7", i ? ", " : "");
	text[at++] = ']';
	text[at] = '\0';
	write_temp(path, sizeof(path), text);
	free(text);
	cr_assert_eq(fab_json_parse_file(&o, path, &err), 0, "%s", err.msg);
	unlink(path);
	cr_assert_eq(json_object_array_length(o), n);
	json_object_put(o);
}

/* ------------------------------------------------------------------ */
/* Validation: one table row per keyword behaviour */

struct vcase {
	char schema[320];
	char doc[96];
	char msg[128]; /* "": the document is valid */
};

static void check_vcase(const struct vcase *c)
{
	struct json_object *schema = parse_ok(c->schema);
	struct json_object *doc = parse_ok(c->doc);
	struct fm_err err = { 0 };
	int ret;

	ret = fab_json_validate(schema, doc, &err);
	if (c->msg[0]) {
		cr_assert_eq(ret, -FM_ESCHEMA, "schema %s doc %s: %d %s",
			     c->schema, c->doc, ret, err.msg);
		cr_assert_eq(err.code, FM_ESCHEMA);
		cr_assert_str_eq(err.msg, c->msg, "schema %s doc %s", c->schema,
				 c->doc);
	} else {
		cr_assert_eq(ret, 0, "schema %s doc %s: %s", c->schema, c->doc,
			     err.msg);
		cr_assert_eq(err.code, 0);
	}
	json_object_put(schema);
	json_object_put(doc);
}

ParameterizedTestParameters(fabric_json, validate_accepts_conforming_document)
{
	static struct vcase cases[] = {
		{ "{}", "{\"anything\": [1, null]}", "" },
		{ "true", "3", "" },
		{ "{\"type\": \"integer\"}", "-7", "" },
		{ "{\"type\": \"integer\"}", "2.0", "" },
		{ "{\"type\": \"number\"}", "2", "" },
		{ "{\"type\": \"number\"}", "2.5", "" },
		{ "{\"type\": \"string\"}", "\"x\"", "" },
		{ "{\"type\": \"boolean\"}", "false", "" },
		{ "{\"type\": \"null\"}", "null", "" },
		{ "{\"type\": \"array\"}", "[]", "" },
		{ "{\"type\": \"object\"}", "{}", "" },
		{ "{\"type\": [\"string\", \"null\"]}", "null", "" },
		{ "{\"properties\": {\"a\": {\"type\": \"integer\"}}}",
		  "{\"b\": \"x\"}", "" },
		{ "{\"required\": [\"a\"]}", "{\"a\": null}", "" },
		{ "{\"required\": [\"a\"]}", "[]", "" },
		{ "{\"properties\": {\"a\": {}}, \"additionalProperties\": "
		  "false}",
		  "{\"a\": 1}", "" },
		{ "{\"additionalProperties\": {\"type\": \"integer\"}}",
		  "{\"a\": 1, \"b\": 2}", "" },
		{ "{\"additionalProperties\": true}", "{\"a\": 1}", "" },
		{ "{\"items\": {\"type\": \"integer\"}}", "[1, 2, 3]", "" },
		{ "{\"minItems\": 2, \"maxItems\": 2}", "[1, 2]", "" },
		{ "{\"uniqueItems\": true}", "[1, \"1\", [1], {\"a\": 1}]",
		  "" },
		{ "{\"uniqueItems\": false}", "[1, 1]", "" },
		{ "{\"enum\": [1, \"a\", null]}", "null", "" },
		{ "{\"enum\": [{\"a\": [1, 2]}]}", "{\"a\": [1, 2.0]}", "" },
		{ "{\"const\": 4}", "4.0", "" },
		{ "{\"const\": {\"a\": 1, \"b\": 2}}", "{\"b\": 2, \"a\": 1}",
		  "" },
		{ "{\"minimum\": 1, \"maximum\": 256}", "256", "" },
		{ "{\"minimum\": 1}", "\"not a number\"", "" },
		{ "{\"exclusiveMinimum\": 0, \"exclusiveMaximum\": 1}", "0.5",
		  "" },
		{ "{\"multipleOf\": 4}", "-12", "" },
		{ "{\"multipleOf\": 0.1}", "0.3", "" },
		{ "{\"minLength\": 2, \"maxLength\": 2}",
		  "\"\xc3\xa9\xc3\xa9\"", "" },
		{ "{\"pattern\": \"^x[0-9]+$\"}", "\"x16\"", "" },
		{ "{\"pattern\": \"[0-9]\"}", "\"link x4 wide\"", "" },
		{ "{\"$defs\": {\"w\": {\"type\": \"integer\"}}, \"$ref\": "
		  "\"#/$defs/w\"}",
		  "3", "" },
		{ "{\"$defs\": {\"a/b\": {\"type\": \"integer\"}}, \"$ref\": "
		  "\"#/$defs/a~1b\"}",
		  "3", "" },
		{ "{\"allOf\": [{\"minimum\": 1}, {\"maximum\": 3}]}", "2",
		  "" },
		{ "{\"anyOf\": [{\"type\": \"string\"}, {\"type\": "
		  "\"integer\"}]}",
		  "2", "" },
		{ "{\"oneOf\": [{\"type\": \"string\"}, {\"type\": "
		  "\"integer\"}]}",
		  "2", "" },
		{ "{\"not\": {\"type\": \"string\"}}", "2", "" },
		{ "{\"$schema\": \"https://json-schema.org/draft/2020-12/"
		  "schema\", \"$id\": \"x\", \"$comment\": \"c\", \"title\": "
		  "\"t\", \"description\": \"d\", \"default\": 1, "
		  "\"examples\": [1]}",
		  "1", "" },
		/* a tree: $ref recursion that follows the document down */
		{ "{\"$defs\": {\"node\": {\"type\": \"object\", "
		  "\"properties\": {\"kids\": {\"items\": {\"$ref\": "
		  "\"#/$defs/node\"}}}}}, \"$ref\": \"#/$defs/node\"}",
		  "{\"kids\": [{\"kids\": [{\"kids\": []}]}, {}]}", "" },
	};

	return cr_make_param_array(struct vcase, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct vcase *c, fabric_json,
		  validate_accepts_conforming_document)
{
	check_vcase(c);
}

ParameterizedTestParameters(fabric_json, validate_reports_violation_exactly)
{
	static struct vcase cases[] = {
		/* type */
		{ "{\"type\": \"integer\"}", "\"x4\"",
		  "$: expected integer, got string \"x4\"" },
		{ "{\"type\": \"integer\"}", "2.5",
		  "$: expected integer, got number 2.5" },
		{ "{\"type\": \"integer\"}", "true",
		  "$: expected integer, got boolean true" },
		{ "{\"type\": \"number\"}", "false",
		  "$: expected number, got boolean false" },
		{ "{\"type\": \"string\"}", "null",
		  "$: expected string, got null" },
		{ "{\"type\": \"object\"}", "[1]",
		  "$: expected object, got array" },
		{ "{\"type\": \"array\"}", "{}",
		  "$: expected array, got object" },
		{ "{\"type\": \"null\"}", "0",
		  "$: expected null, got integer 0" },
		{ "{\"type\": \"boolean\"}", "1",
		  "$: expected boolean, got integer 1" },
		{ "{\"type\": [\"integer\", \"string\", \"null\"]}", "true",
		  "$: expected integer, string or null, got boolean true" },
		{ "{\"type\": [\"integer\", \"null\"]}", "[]",
		  "$: expected integer or null, got array" },
		{ "{\"type\": \"integer\"}",
		  "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
		  "$: expected integer, got string \"aaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaa..." },
		/* properties, required, additionalProperties */
		{ "{\"properties\": {\"a\": {\"type\": \"integer\"}}}",
		  "{\"a\": \"x\"}", "a: expected integer, got string \"x\"" },
		{ "{\"required\": [\"name\", \"id\"]}", "{\"name\": 1}",
		  "$: missing required property \"id\"" },
		{ "{\"properties\": {\"width\": {}}, \"additionalProperties\": "
		  "false}",
		  "{\"width\": 4, \"widht\": 4}",
		  "$: unknown property \"widht\"" },
		{ "{\"additionalProperties\": {\"type\": \"integer\"}}",
		  "{\"a\": 1, \"b\": \"2\"}",
		  "b: expected integer, got string \"2\"" },
		{ "{\"properties\": {\"a\": false}}", "{\"a\": 1}",
		  "a: no value allowed here" },
		/* arrays */
		{ "{\"items\": {\"type\": \"string\"}}", "[\"a\", 1]",
		  "$[1]: expected string, got integer 1" },
		{ "{\"minItems\": 2}", "[1]",
		  "$: expected at least 2 items, got 1" },
		{ "{\"maxItems\": 1}", "[1, 2]",
		  "$: expected at most 1 items, got 2" },
		{ "{\"uniqueItems\": true}", "[1, 2, 1.0]",
		  "$[2]: duplicate of item 0" },
		{ "{\"uniqueItems\": true}",
		  "[{\"a\": 1, \"b\": 2}, {\"b\": 2, "
		  "\"a\": 1}]",
		  "$[1]: duplicate of item 0" },
		/* enum, const */
		{ "{\"enum\": [1, 2, 4, 8, 16]}", "3",
		  "$: 3 is not one of [1, 2, 4, 8, 16]" },
		{ "{\"enum\": [\"up\", \"down\"]}", "\"Up\"",
		  "$: \"Up\" is not one of [\"up\", \"down\"]" },
		{ "{\"enum\": [1]}", "true", "$: true is not one of [1]" },
		{ "{\"const\": \"a\"}", "\"b\"",
		  "$: expected \"a\", got \"b\"" },
		{ "{\"const\": {\"a\": [1, null]}}", "{\"a\": [1]}",
		  "$: expected {\"a\": [1, null]}, got {\"a\": [1]}" },
		/* numbers */
		{ "{\"maximum\": 256}", "300",
		  "$: value 300 above maximum 256" },
		{ "{\"minimum\": 1.5}", "1", "$: value 1 below minimum 1.5" },
		{ "{\"exclusiveMaximum\": 256}", "256",
		  "$: value 256 not below exclusive maximum 256" },
		{ "{\"exclusiveMinimum\": 0}", "0.0",
		  "$: value 0.0 not above exclusive minimum 0" },
		{ "{\"multipleOf\": 2}", "7",
		  "$: value 7 is not a multiple of 2" },
		{ "{\"multipleOf\": 0.5}", "0.7",
		  "$: value 0.7 is not a multiple of 0.5" },
		/* strings */
		{ "{\"minLength\": 3}", "\"ab\"",
		  "$: expected at least 3 characters, got \"ab\"" },
		{ "{\"maxLength\": 2}", "\"h\xc3\xa9llo\"",
		  "$: expected at most 2 characters, got \"h\xc3\xa9llo\"" },
		{ "{\"pattern\": \"^x[0-9]+$\"}", "\"y4\"",
		  "$: \"y4\" does not match pattern \"^x[0-9]+$\"" },
		{ "{\"pattern\": \"^a$\"}", "\"a\\nb\"",
		  "$: \"a\\nb\" does not match pattern \"^a$\"" },
		/* $ref, allOf, anyOf, oneOf, not, false */
		{ "{\"$defs\": {\"w\": {\"enum\": [1, 2]}}, \"properties\": "
		  "{\"w\": {\"$ref\": \"#/$defs/w\"}}}",
		  "{\"w\": 3}", "w: 3 is not one of [1, 2]" },
		{ "{\"allOf\": [{\"minimum\": 1}, {\"maximum\": 3}]}", "4",
		  "$: value 4 above maximum 3" },
		{ "{\"anyOf\": [{\"type\": \"integer\"}, {\"type\": "
		  "\"string\"}]}",
		  "true", "$: boolean true matches none of anyOf" },
		{ "{\"anyOf\": [{\"const\": \"a\"}, {\"const\": \"b\"}]}",
		  "\"c\"", "$: string \"c\" matches none of anyOf" },
		{ "{\"anyOf\": [{\"type\": \"integer\"}, {\"type\": "
		  "\"string\", "
		  "\"pattern\": \"^x\"}]}",
		  "\"y\"", "$: \"y\" does not match pattern \"^x\"" },
		{ "{\"anyOf\": [{\"required\": [\"a\"], \"properties\": "
		  "{\"a\": "
		  "{\"type\": \"integer\"}}}, {\"required\": [\"b\"]}]}",
		  "{\"a\": \"1\"}", "a: expected integer, got string \"1\"" },
		{ "{\"anyOf\": [{\"properties\": {\"a\": {\"const\": 1}}}, "
		  "{\"properties\": {\"a\": {\"const\": 2}, \"b\": {\"const\": "
		  "2}}}]}",
		  "{\"a\": 2, \"b\": 3}", "b: expected 2, got 3" },
		{ "{\"oneOf\": [{\"type\": \"integer\"}, {\"type\": "
		  "\"number\"}]}",
		  "1",
		  "$: matches oneOf branches 0 and 1, expected exactly one" },
		{ "{\"oneOf\": [{\"type\": \"integer\"}, {\"type\": "
		  "\"string\"}]}",
		  "null", "$: null matches none of oneOf" },
		{ "{\"not\": {\"type\": \"string\"}}", "\"b\"",
		  "$: must not match the schema in \"not\"" },
		{ "false", "1", "$: no value allowed here" },
		/* paths */
		{ "{\"properties\": {\"blades\": {\"items\": {\"properties\": "
		  "{\"link_width\": {\"enum\": [1, 2, 4, 8, 16]}}}}}}",
		  "{\"blades\": [{\"link_width\": 4}, {\"link_width\": 3}]}",
		  "blades[1].link_width: 3 is not one of [1, 2, 4, 8, 16]" },
		{ "{\"items\": {\"items\": {\"type\": \"integer\"}}}",
		  "[[1], [2, \"x\"]]",
		  "$[1][1]: expected integer, got string \"x\"" },
		{ "{\"properties\": {\"@odata.id\": {\"type\": \"string\"}}}",
		  "{\"@odata.id\": 1}",
		  "$[\"@odata.id\"]: expected string, got integer 1" },
		{ "{\"properties\": {\"a\": {\"properties\": {\"b c\": "
		  "{\"type\": \"string\"}}}}}",
		  "{\"a\": {\"b c\": 1}}",
		  "a[\"b c\"]: expected string, got integer 1" },
		/* the first violation in document order wins */
		{ "{\"properties\": {\"a\": {\"type\": \"string\"}, \"b\": "
		  "{\"type\": \"string\"}}}",
		  "{\"b\": 1, \"a\": 2}", "b: expected string, got integer 1" },
		{ "{\"required\": [\"z\"], \"properties\": {\"a\": {\"type\": "
		  "\"string\"}}}",
		  "{\"a\": 1}", "$: missing required property \"z\"" },
		{ "{\"properties\": {\"a\": {\"type\": \"string\"}}, "
		  "\"additionalProperties\": false}",
		  "{\"x\": 1, \"a\": 2}", "$: unknown property \"x\"" },
		{ "{\"allOf\": [{\"properties\": {\"b\": {\"type\": "
		  "\"string\"}}}, {\"properties\": {\"a\": {\"type\": "
		  "\"string\"}}}]}",
		  "{\"a\": 1, \"b\": 2}", "a: expected string, got integer 1" },
		{ "{\"items\": {\"type\": \"integer\"}, \"uniqueItems\": true}",
		  "[1, 1, \"x\"]", "$[1]: duplicate of item 0" },
		{ "{\"type\": \"object\", \"required\": [\"a\"]}", "[]",
		  "$: expected object, got array" },
	};

	return cr_make_param_array(struct vcase, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct vcase *c, fabric_json,
		  validate_reports_violation_exactly)
{
	check_vcase(c);
}

struct scase {
	char schema[128];
	int code;
	char msg[128];
};

ParameterizedTestParameters(fabric_json, validate_refuses_bad_schema)
{
	static struct scase cases[] = {
		{ "{\"minimun\": 1}", -FM_EUNSUPP,
		  "schema #: unsupported keyword \"minimun\"" },
		{ "{\"properties\": {\"a/b\": {\"format\": \"uri\"}}}",
		  -FM_EUNSUPP,
		  "schema #/properties/a~1b: unsupported keyword \"format\"" },
		{ "{\"$defs\": {\"x\": {\"patternProperties\": {}}}}",
		  -FM_EUNSUPP,
		  "schema #/$defs/x: unsupported keyword "
		  "\"patternProperties\"" },
		{ "{\"anyOf\": [{}, {\"if\": true}]}", -FM_EUNSUPP,
		  "schema #/anyOf/1: unsupported keyword \"if\"" },
		{ "{\"$ref\": \"other.json#/x\"}", -FM_EUNSUPP,
		  "schema #: unsupported $ref \"other.json#/x\" (only "
		  "\"#/$defs/<name>\")" },
		{ "{\"$ref\": \"#/$defs/a/b\"}", -FM_EUNSUPP,
		  "schema #: unsupported $ref \"#/$defs/a/b\" (only "
		  "\"#/$defs/<name>\")" },
		{ "{\"$ref\": \"#/$defs/nope\"}", -FM_EINVAL,
		  "schema #: $ref \"#/$defs/nope\" not found" },
		{ "{\"type\": \"integr\"}", -FM_EINVAL,
		  "schema #: unknown type \"integr\"" },
		{ "{\"type\": [\"string\", 1]}", -FM_EINVAL,
		  "schema #: unknown type 1" },
		{ "{\"type\": [\"string\", \"string\"]}", -FM_EINVAL,
		  "schema #: \"type\" lists \"string\" twice" },
		{ "{\"type\": []}", -FM_EINVAL,
		  "schema #: \"type\" is an empty array" },
		{ "{\"minimum\": \"1\"}", -FM_EINVAL,
		  "schema #: \"minimum\" must be a number" },
		{ "{\"multipleOf\": 0}", -FM_EINVAL,
		  "schema #: \"multipleOf\" must be a number above 0" },
		{ "{\"minItems\": -1}", -FM_EINVAL,
		  "schema #: \"minItems\" must be a non-negative integer" },
		{ "{\"maxLength\": 1.5}", -FM_EINVAL,
		  "schema #: \"maxLength\" must be a non-negative integer" },
		{ "{\"required\": [\"a\", 1]}", -FM_EINVAL,
		  "schema #: \"required\" must be an array of strings" },
		{ "{\"uniqueItems\": 1}", -FM_EINVAL,
		  "schema #: \"uniqueItems\" must be a boolean" },
		{ "{\"enum\": 1}", -FM_EINVAL,
		  "schema #: \"enum\" must be an array" },
		{ "{\"anyOf\": []}", -FM_EINVAL,
		  "schema #: \"anyOf\" must be a non-empty array of schemas" },
		{ "{\"properties\": []}", -FM_EINVAL,
		  "schema #: \"properties\" must be an object of schemas" },
		{ "{\"title\": 3}", -FM_EINVAL,
		  "schema #: \"title\" must be a string" },
		{ "{\"items\": 3}", -FM_EINVAL,
		  "schema #/items: expected object or boolean, got integer 3" },
		{ "{\"pattern\": \"(\"}", -FM_EINVAL,
		  "schema #: bad pattern \"(\": Unmatched ( or \\(" },
		{ "[]", -FM_EINVAL,
		  "schema #: expected object or boolean, got array" },
		{ "{\"$defs\": {\"w\": {\"$ref\": \"#/$defs/w\"}}, \"$ref\": "
		  "\"#/$defs/w\"}",
		  -FM_EINVAL,
		  "schema: more than 512 nested subschemas at $ (a $ref "
		  "loop?)" },
		{ "{\"$defs\": {\"a\": {\"anyOf\": [{\"$ref\": "
		  "\"#/$defs/a\"}]}}, \"$ref\": \"#/$defs/a\"}",
		  -FM_EINVAL,
		  "schema: more than 512 nested subschemas at $ (a $ref "
		  "loop?)" },
	};

	return cr_make_param_array(struct scase, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct scase *c, fabric_json, validate_refuses_bad_schema)
{
	struct json_object *schema = parse_ok(c->schema);
	struct fm_err err = { 0 };

	cr_assert_eq(fab_json_validate(schema, NULL, &err), c->code,
		     "schema %s: %s", c->schema, err.msg);
	cr_assert_str_eq(err.msg, c->msg);
	json_object_put(schema);
}

Test(fabric_json, validate_refuses_schema_typo_the_document_never_reaches)
{
	struct json_object *schema =
		parse_ok("{\"properties\": {\"a\": {\"maximun\": 3}}}");
	struct json_object *doc = parse_ok("{}");
	struct fm_err err = { 0 };

	cr_assert_eq(fab_json_validate(schema, doc, &err), -FM_EUNSUPP);
	cr_assert_str_eq(err.msg, "schema #/properties/a: unsupported "
				  "keyword \"maximun\"");
	json_object_put(schema);
	json_object_put(doc);
}

Test(fabric_json, validate_leaves_document_and_schema_unchanged)
{
	const char *st = "{\"type\": \"object\", \"properties\": {\"a\": "
			 "{\"anyOf\": [{\"type\": \"string\", \"pattern\": "
			 "\"^x\"}, {\"enum\": [1.5, 2]}]}}, "
			 "\"additionalProperties\": false}";
	const char *dt = "{\"a\": 2.0, \"b\": [1.25, \"x\", null]}";
	struct json_object *schema = parse_ok(st), *doc = parse_ok(dt);
	struct json_object *schema0 = parse_ok(st), *doc0 = parse_ok(dt);

	cr_assert_eq(fab_json_validate(schema, doc, NULL), -FM_ESCHEMA);
	cr_assert(json_object_equal(schema, schema0));
	cr_assert(json_object_equal(doc, doc0));
	json_object_put(schema);
	json_object_put(doc);
	json_object_put(schema0);
	json_object_put(doc0);
}

Test(fabric_json, validate_success_leaves_err_untouched)
{
	struct json_object *schema = parse_ok("{\"type\": \"integer\"}");
	struct json_object *doc = parse_ok("1");
	struct fm_err err = { .msg = "before" };

	cr_assert_eq(fab_json_validate(schema, doc, &err), 0);
	cr_assert_eq(err.code, 0);
	cr_assert_str_eq(err.msg, "before");
	json_object_put(schema);
	json_object_put(doc);
}

Test(fabric_json, validate_is_deterministic_across_runs)
{
	struct json_object *schema = parse_ok(
		"{\"anyOf\": [{\"items\": {\"type\": \"string\"}}, {\"items\": "
		"{\"type\": \"integer\"}}]}");
	struct json_object *doc = parse_ok("[1, \"a\", 2]");
	struct fm_err first = { 0 }, again;
	int i;

	cr_assert_eq(fab_json_validate(schema, doc, &first), -FM_ESCHEMA);
	cr_assert_str_eq(first.msg, "$[1]: expected integer, got string \"a\"");
	for (i = 0; i < 5; i++) {
		memset(&again, 0, sizeof(again));
		fab_json_validate(schema, doc, &again);
		cr_assert_str_eq(again.msg, first.msg);
	}
	json_object_put(schema);
	json_object_put(doc);
}

Test(fabric_json, validate_refuses_document_nested_deeper_than_64)
{
	struct json_object *schema =
		parse_ok("{\"$defs\": {\"deep\": {\"items\": {\"$ref\": "
			 "\"#/$defs/deep\"}}}, \"$ref\": \"#/$defs/deep\"}");
	struct json_object *doc = json_object_new_array();
	struct json_object *cur = doc;
	struct fm_err err = { 0 };
	int i;

	for (i = 0; i < 70; i++) {
		struct json_object *next = json_object_new_array();

		json_object_array_add(cur, next);
		cur = next;
	}
	cr_assert_eq(fab_json_validate(schema, doc, &err), -FM_EINVAL);
	cr_assert(strstr(err.msg, "document nested deeper than 64 levels"),
		  "%s", err.msg);
	json_object_put(schema);
	json_object_put(doc);
}

Test(fabric_json, validate_matches_pattern_across_nul_in_string)
{
	struct json_object *schema = parse_ok("{\"pattern\": \"b$\"}");
	struct json_object *doc = parse_ok("\"a\\u0000b\"");

	cr_assert_eq(fab_json_validate(schema, doc, NULL), 0);
	json_object_put(schema);
	json_object_put(doc);
}
