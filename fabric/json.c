/* SPDX-License-Identifier: MIT */
/*
 * json.c - JSON parsing with positions, and a JSON Schema validator for
 * the subset of draft 2020-12 that schemas/ uses.
 *
 * json-c represents JSON null as a NULL struct json_object pointer, so
 * NULL is a valid document and a valid keyword value everywhere below.
 *
 * The validator first checks the whole schema (unknown keywords, keyword
 * values, patterns, $ref targets), so a schema error does not depend on
 * the document.  It then walks the document and keeps the violation that
 * comes first in document order, whichever keyword found it; values are
 * never modified (json-c getters only).
 */
#include "fabric/json.h"

#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* ------------------------------------------------------------------ */
/* Parsing */

/*
 * Line and column (both from 1) of byte @off in @text; the column counts
 * UTF-8 characters, as an editor shows it.
 */
static void fab_json_position(unsigned *line, unsigned *col, const char *text,
			      size_t off)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

static int fab_json_parse_error(struct fm_err *err, const char *name,
				const char *text, size_t off, const char *why)
{
	unsigned line, col;

	fab_json_position(&line, &col, text, off);
	return fm_err_set(err, FM_EPARSE, "%s:%u:%u: %s", name, line, col, why);
}

static bool fab_json_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int fab_json_parse(struct json_object **out, const char *name, const char *text,
		   size_t len, struct fm_err *err)
{
	struct json_tokener *tok = NULL;
	struct json_object *obj = NULL;
	enum json_tokener_error jerr;
	const char *nul;
	size_t end;
	int ret = 0;

	if (!name)
		name = "<input>";
	if (len > INT32_MAX) {
		ret = fm_err_set(err, FM_EPARSE, "%s: %zu bytes is too large",
				 name, len);
		goto out;
	}
	/* json-c would take a NUL for the end of the input */
	nul = len ? memchr(text, '\0', len) : NULL;
	if (nul) {
		ret = fab_json_parse_error(err, name, text,
					   (size_t)(nul - text),
					   "NUL byte in input");
		goto out;
	}
	tok = json_tokener_new();
	if (!tok) {
		ret = fm_err_set(err, FM_ENOMEM, "%s: out of memory", name);
		goto out;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
					    JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, len ? text : "", (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue) {
		/* the input ended; a NUL tells json-c so (a number may end) */
		obj = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		end = len;
	}
	if (jerr != json_tokener_success) {
		ret = fab_json_parse_error(err, name, text, end,
					   json_tokener_error_desc(jerr));
		goto out;
	}
	while (end < len && fab_json_is_space(text[end]))
		end++;
	if (end < len) {
		ret = fab_json_parse_error(
			err, name, text, end,
			"unexpected text after the document");
		goto out;
	}
	*out = obj;
	obj = NULL;
out:
	json_object_put(obj);
	if (tok)
		json_tokener_free(tok);
	return ret;
}

int fab_json_parse_file(struct json_object **out, const char *path,
			struct fm_err *err)
{
	FILE *f = NULL;
	char *buf = NULL;
	size_t cap = 0, len = 0;
	int ret = 0;

	f = fopen(path, "rb");
	if (!f) {
		ret = fm_err_sys(err, FM_EIO, errno, "cannot open %s", path);
		goto out;
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			char *nbuf;

			cap = cap ? cap * 2 : 16384;
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				ret = fm_err_set(err, FM_ENOMEM,
						 "%s: out of memory", path);
				goto out;
			}
			buf = nbuf;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		ret = fm_err_sys(err, FM_EIO, errno, "cannot read %s", path);
		goto out;
	}
	ret = fab_json_parse(out, path, buf, len, err);
out:
	free(buf);
	if (f)
		fclose(f);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Formatting values for messages, without touching the (const) objects */

/* A bounded text buffer; len may run past cap, which means truncated. */
struct jv_buf {
	char *s;
	size_t cap;
	size_t len;
};

static void jv_buf_init(struct jv_buf *b, char *s, size_t cap)
{
	b->s = s;
	b->cap = cap;
	b->len = 0;
	s[0] = '\0';
}

__attribute__((format(printf, 2, 3))) static void
jv_buf_add(struct jv_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len >= b->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n;
}

/* Finish: a truncated text ends in "..." on a character boundary. */
static const char *jv_buf_str(struct jv_buf *b)
{
	size_t at;

	if (b->len < b->cap)
		return b->s;
	at = b->cap - 4;
	while (at > 0 && ((unsigned char)b->s[at] & 0xc0) == 0x80)
		at--;
	memcpy(b->s + at, "...", 4);
	return b->s;
}

/* json_object_get_string() is not const, but only reads a string's text. */
static const char *jv_str(const struct json_object *o)
{
	return json_object_get_string((struct json_object *)o);
}

static void jv_fmt_double(struct jv_buf *b, double d)
{
	char num[40];
	int prec;

	if (isnan(d)) {
		jv_buf_add(b, "NaN");
		return;
	}
	if (isinf(d)) {
		jv_buf_add(b, "%sInfinity", d < 0 ? "-" : "");
		return;
	}
	/* the shortest text that reads back as the same double */
	for (prec = 15; prec < 17; prec++) {
		snprintf(num, sizeof(num), "%.*g", prec, d);
		if (strtod(num, NULL) == d)
			break;
	}
	snprintf(num, sizeof(num), "%.*g", prec, d);
	jv_buf_add(b, "%s%s", num, strpbrk(num, ".e") ? "" : ".0");
}

static void jv_fmt_string(struct jv_buf *b, const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i;

	jv_buf_add(b, "\"");
	for (i = 0; i < n && b->len < b->cap; i++) {
		if (s[i] == '"' || s[i] == '\\')
			jv_buf_add(b, "\\%c", s[i]);
		else if (s[i] == '\n')
			jv_buf_add(b, "\\n");
		else if (s[i] == '\t')
			jv_buf_add(b, "\\t");
		else if (s[i] < 0x20)
			jv_buf_add(b, "\\u%04x", s[i]);
		else
			jv_buf_add(b, "%c", s[i]);
	}
	jv_buf_add(b, "\"");
}

/* Compact JSON text of @o, as in messages: [1, 2], {"a": true}. */
static void jv_fmt(struct jv_buf *b, const struct json_object *o)
{
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_null:
		jv_buf_add(b, "null");
		break;
	case json_type_boolean:
		jv_buf_add(b, "%s",
			   json_object_get_boolean(o) ? "true" : "false");
		break;
	case json_type_int:
		if (json_object_get_int64(o) == INT64_MAX)
			jv_buf_add(
				b, "%llu",
				(unsigned long long)json_object_get_uint64(o));
		else
			jv_buf_add(b, "%lld",
				   (long long)json_object_get_int64(o));
		break;
	case json_type_double:
		jv_fmt_double(b, json_object_get_double(o));
		break;
	case json_type_string:
		jv_fmt_string(b, jv_str(o),
			      (size_t)json_object_get_string_len(o));
		break;
	case json_type_array:
		n = json_object_array_length(o);
		jv_buf_add(b, "[");
		for (i = 0; i < n && b->len < b->cap; i++) {
			jv_buf_add(b, "%s", i ? ", " : "");
			jv_fmt(b, json_object_array_get_idx(o, i));
		}
		jv_buf_add(b, "]");
		break;
	case json_type_object: {
		bool first = true;

		jv_buf_add(b, "{");
		json_object_object_foreach(o, key, val)
		{
			if (b->len >= b->cap)
				break;
			jv_buf_add(b, "%s", first ? "" : ", ");
			jv_fmt_string(b, key, strlen(key));
			jv_buf_add(b, ": ");
			jv_fmt(b, val);
			first = false;
		}
		jv_buf_add(b, "}");
		break;
	}
	}
}

/* Short rendering of a value: at most 48 bytes of text. */
#define JV_VALUE_TEXT 48

static const char *jv_value(char *buf, size_t cap, const struct json_object *o)
{
	struct jv_buf b;

	jv_buf_init(&b, buf, cap);
	jv_fmt(&b, o);
	return jv_buf_str(&b);
}

/*
 * What a value is, for "got ...": "string \"x4\"", "integer 3",
 * "boolean true", "object".
 */
static const char *jv_got(char *buf, size_t cap, const struct json_object *o)
{
	struct jv_buf b;

	jv_buf_init(&b, buf, cap);
	switch (json_object_get_type(o)) {
	case json_type_null:
		jv_buf_add(&b, "null");
		break;
	case json_type_boolean:
		jv_buf_add(&b, "boolean ");
		break;
	case json_type_int:
		jv_buf_add(&b, "integer ");
		break;
	case json_type_double:
		jv_buf_add(&b, "%snumber ",
			   isfinite(json_object_get_double(o)) ? ""
							       : "non-finite ");
		break;
	case json_type_string:
		jv_buf_add(&b, "string ");
		break;
	case json_type_array:
		jv_buf_add(&b, "array");
		break;
	case json_type_object:
		jv_buf_add(&b, "object");
		break;
	}
	if (b.len > 0 && b.s[b.len - 1] == ' ')
		jv_fmt(&b, o);
	return jv_buf_str(&b);
}

/* ------------------------------------------------------------------ */
/* Values: numbers, type names, equality */

struct jv_num {
	bool is_int; /* exact in i; otherwise use d */
	int64_t i;
	double d;
};

static bool jv_is_num(const struct json_object *o)
{
	enum json_type t = json_object_get_type(o);

	return t == json_type_int || t == json_type_double;
}

static struct jv_num jv_num_get(const struct json_object *o)
{
	struct jv_num n = { .is_int = false };

	if (json_object_get_type(o) == json_type_double) {
		n.d = json_object_get_double(o);
		return n;
	}
	n.i = json_object_get_int64(o);
	n.d = (double)n.i;
	n.is_int = true;
	/* json-c keeps integers above INT64_MAX as uint64 */
	if (n.i == INT64_MAX && json_object_get_uint64(o) > INT64_MAX) {
		n.d = (double)json_object_get_uint64(o);
		n.is_int = false;
	}
	return n;
}

/*
 * A few helpers in place of libm's (fabric does not link it).  Every
 * double of magnitude 2^52 or more is an integer.
 */
static double jv_fabs(double x)
{
	return x < 0 ? -x : x;
}

static bool jv_integral(double d)
{
	return isfinite(d) && (jv_fabs(d) >= 0x1p52 || d == (double)(int64_t)d);
}

static double jv_round(double d)
{
	if (jv_fabs(d) >= 0x1p52)
		return d;
	return (double)(int64_t)(d + (d < 0 ? -0.5 : 0.5));
}

static int jv_num_cmp(struct jv_num a, struct jv_num b)
{
	if (a.is_int && b.is_int)
		return (a.i > b.i) - (a.i < b.i);
	return (a.d > b.d) - (a.d < b.d);
}

/* A number with no fractional part is an integer (2020-12 core 4.2.2). */
static bool jv_is_integer(const struct json_object *o)
{
	if (json_object_get_type(o) == json_type_int)
		return true;
	return json_object_get_type(o) == json_type_double &&
	       jv_integral(json_object_get_double(o));
}

static bool jv_is_type(const char *name, const struct json_object *o)
{
	enum json_type t = json_object_get_type(o);

	if (!strcmp(name, "integer"))
		return jv_is_integer(o);
	if (!strcmp(name, "number"))
		return t == json_type_int ||
		       (t == json_type_double &&
			isfinite(json_object_get_double(o)));
	if (!strcmp(name, "null"))
		return t == json_type_null;
	if (!strcmp(name, "boolean"))
		return t == json_type_boolean;
	if (!strcmp(name, "string"))
		return t == json_type_string;
	if (!strcmp(name, "array"))
		return t == json_type_array;
	if (!strcmp(name, "object"))
		return t == json_type_object;
	return false;
}

static const char *const jv_type_names[] = {
	"null", "boolean", "object", "array", "number", "string", "integer",
};

/* JSON equality (2020-12 core 4.2.2): 1 equals 1.0; key order is moot. */
static bool jv_equal(const struct json_object *a, const struct json_object *b)
{
	enum json_type ta = json_object_get_type(a);
	enum json_type tb = json_object_get_type(b);
	size_t i, n;

	if (jv_is_num(a) && jv_is_num(b))
		return jv_num_cmp(jv_num_get(a), jv_num_get(b)) == 0 &&
		       !isnan(jv_num_get(a).d);
	if (ta != tb)
		return false;
	switch (ta) {
	case json_type_null:
		return true;
	case json_type_boolean:
		return json_object_get_boolean(a) == json_object_get_boolean(b);
	case json_type_string:
		return json_object_get_string_len(a) ==
			       json_object_get_string_len(b) &&
		       !memcmp(jv_str(a), jv_str(b),
			       (size_t)json_object_get_string_len(a));
	case json_type_array:
		n = json_object_array_length(a);
		if (n != json_object_array_length(b))
			return false;
		for (i = 0; i < n; i++)
			if (!jv_equal(json_object_array_get_idx(a, i),
				      json_object_array_get_idx(b, i)))
				return false;
		return true;
	case json_type_object: {
		if (json_object_object_length(a) !=
		    json_object_object_length(b))
			return false;
		json_object_object_foreach(a, key, val)
		{
			struct json_object *other;

			if (!json_object_object_get_ex(b, key, &other) ||
			    !jv_equal(val, other))
				return false;
		}
		return true;
	}
	default:
		return false;
	}
}

/* ------------------------------------------------------------------ */
/* Validator state */

/*
 * Document positions.  A violation's position is the list of child
 * indexes from the root (array index, or a key's rank in the object's own
 * order); comparing two lists lexicographically, a prefix first, is
 * document order.  The validator keeps the earliest violation.
 */
#define JV_MAX_DEPTH 64
/* Subschemas applied one inside another at once; a $ref loop hits this. */
#define JV_MAX_NEST 512
/* Schema path tokens kept for messages; deeper ones print as "...". */
#define JV_MAX_SPATH 64

struct jv_err {
	bool set;
	bool shape; /* a type mismatch at the value itself */
	unsigned depth;
	uint32_t pos[JV_MAX_DEPTH + 1];
	char msg[FM_ERR_MSG_MAX]; /* "<path>: <reason>" */
};

struct jv_re {
	const struct json_object *pattern; /* the schema's string, borrowed */
	regex_t re;
};

struct jv {
	const struct json_object *root; /* schema, for $ref */
	struct fm_err *err;		/* for failures other than violations */
	/*
	 * Where in the document: per level, the child's index (its position)
	 * and its key when the parent is an object (NULL for an element).
	 */
	uint32_t pos[JV_MAX_DEPTH];
	const char *keys[JV_MAX_DEPTH];
	unsigned depth;
	unsigned nest;
	/* where in the schema (checking pass): tokens of a JSON Pointer */
	const char *stoken[JV_MAX_SPATH];
	size_t sindex[JV_MAX_SPATH];
	unsigned sdepth;
	struct jv_re *res; /* compiled patterns */
	size_t n_res;
	size_t cap_res;
};

static int jv_pos_cmp(const uint32_t *a, unsigned na, const uint32_t *b,
		      unsigned nb)
{
	unsigned i;

	for (i = 0; i < na && i < nb; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return (na > nb) - (na < nb);
}

/*
 * True when @e holds a violation at or before the current value: nothing
 * found inside this value can come earlier, so the value needs no more
 * work.
 */
static bool jv_settled(const struct jv *v, const struct jv_err *e)
{
	return e->set && jv_pos_cmp(e->pos, e->depth, v->pos, v->depth) <= 0;
}

/* Keep @src in @e when it comes first (on a tie the one already held). */
static void jv_merge(struct jv_err *e, const struct jv_err *src)
{
	if (src->set &&
	    (!e->set || jv_pos_cmp(src->pos, src->depth, e->pos, e->depth) < 0))
		*e = *src;
}

/* A property name that reads plainly after a dot. */
static bool jv_plain_key(const char *key)
{
	const char *p;

	if (!*key)
		return false;
	for (p = key; *p; p++)
		if (!(*p == '_' || *p == '-' || *p == '@' ||
		      (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z')))
			return false;
	return true;
}

/*
 * The current value's path, the way a person names it:
 * "blades[1].link_width", "$" for the root, "$[0]", "$[\"a.b\"]".
 * Built only when a violation is reported.
 */
static const char *jv_path(const struct jv *v, char *buf, size_t cap)
{
	struct jv_buf b;
	unsigned i;

	jv_buf_init(&b, buf, cap);
	if (v->depth == 0 || !v->keys[0] || !jv_plain_key(v->keys[0]))
		jv_buf_add(&b, "$");
	for (i = 0; i < v->depth; i++) {
		const char *key = v->keys[i];

		if (!key)
			jv_buf_add(&b, "[%u]", v->pos[i]);
		else if (jv_plain_key(key))
			jv_buf_add(&b, "%s%s", b.len ? "." : "", key);
		else
			jv_buf_add(&b, "[\"%s\"]", key);
	}
	return jv_buf_str(&b);
}

/*
 * Step into member @key (@index: its rank in the object) or element
 * @index (@key NULL) of the current value; jv_leave() steps back.
 */
static int jv_enter(struct jv *v, const char *key, uint32_t index)
{
	char path[FM_ERR_MSG_MAX];

	if (v->depth >= JV_MAX_DEPTH)
		return fm_err_set(v->err, FM_EINVAL,
				  "%s: document nested deeper than %d levels",
				  jv_path(v, path, sizeof(path)), JV_MAX_DEPTH);
	v->keys[v->depth] = key;
	v->pos[v->depth++] = index;
	return 0;
}

static void jv_leave(struct jv *v)
{
	v->depth--;
}

/*
 * Record a violation of the current value (@member: of its member with
 * that rank, reported on the object, or UINT32_MAX) unless an earlier one
 * is held.
 */
__attribute__((format(printf, 5, 6))) static void
jv_fail(const struct jv *v, struct jv_err *e, bool shape, uint32_t member,
	const char *fmt, ...)
{
	uint32_t pos[JV_MAX_DEPTH + 1];
	unsigned depth = v->depth;
	va_list ap;
	int n;

	memcpy(pos, v->pos, depth * sizeof(pos[0]));
	if (member != UINT32_MAX)
		pos[depth++] = member;
	if (e->set && jv_pos_cmp(pos, depth, e->pos, e->depth) >= 0)
		return;
	e->set = true;
	e->shape = shape;
	e->depth = depth;
	memcpy(e->pos, pos, depth * sizeof(pos[0]));
	jv_path(v, e->msg, sizeof(e->msg));
	n = (int)strlen(e->msg);
	n += snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, ": ");
	if ((size_t)n >= sizeof(e->msg))
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg + n, sizeof(e->msg) - (size_t)n, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Keywords */

/* What a keyword's value must be; checked once over the whole schema. */
enum jv_arg {
	JV_ARG_ANY,
	JV_ARG_STRING,
	JV_ARG_TYPE,	    /* type name or array of them */
	JV_ARG_SCHEMA,	    /* subschema */
	JV_ARG_SCHEMA_MAP,  /* object of subschemas */
	JV_ARG_SCHEMA_LIST, /* non-empty array of subschemas */
	JV_ARG_NAMES,	    /* array of strings */
	JV_ARG_COUNT,	    /* non-negative integer */
	JV_ARG_NUMBER,
	JV_ARG_POSITIVE, /* number above 0 */
	JV_ARG_BOOL,
	JV_ARG_ARRAY,
	JV_ARG_PATTERN, /* POSIX extended regular expression */
	JV_ARG_REF,	/* "#/$defs/<name>" */
};

enum jv_kw {
	JV_KW_TYPE,
	JV_KW_CONST,
	JV_KW_ENUM,
	JV_KW_MINIMUM,
	JV_KW_EXCL_MINIMUM,
	JV_KW_MAXIMUM,
	JV_KW_EXCL_MAXIMUM,
	JV_KW_MULTIPLE_OF,
	JV_KW_MIN_LENGTH,
	JV_KW_MAX_LENGTH,
	JV_KW_PATTERN,
	JV_KW_MIN_ITEMS,
	JV_KW_MAX_ITEMS,
	JV_KW_ITEMS,
	JV_KW_UNIQUE_ITEMS,
	JV_KW_REQUIRED,
	JV_KW_PROPERTIES,
	JV_KW_ADDITIONAL,
	JV_KW_REF,
	JV_KW_ALL_OF,
	JV_KW_ANY_OF,
	JV_KW_ONE_OF,
	JV_KW_NOT,
	JV_KW_DEFS,
	JV_KW_SCHEMA,
	JV_KW_ID,
	JV_KW_COMMENT,
	JV_KW_TITLE,
	JV_KW_DESCRIPTION,
	JV_KW_DEFAULT,
	JV_KW_EXAMPLES,
	JV_KW_COUNT
};

/*
 * The supported keywords.  To add one: an entry here with the shape of
 * its value, and (unless it is an annotation) a step below that applies
 * it.  A keyword missing here is refused, so a typo in a schema cannot
 * weaken it.
 */
static const struct jv_keyword {
	const char *name;
	enum jv_arg arg;
} jv_keywords[JV_KW_COUNT] = {
	[JV_KW_TYPE] = { "type", JV_ARG_TYPE },
	[JV_KW_CONST] = { "const", JV_ARG_ANY },
	[JV_KW_ENUM] = { "enum", JV_ARG_ARRAY },
	[JV_KW_MINIMUM] = { "minimum", JV_ARG_NUMBER },
	[JV_KW_EXCL_MINIMUM] = { "exclusiveMinimum", JV_ARG_NUMBER },
	[JV_KW_MAXIMUM] = { "maximum", JV_ARG_NUMBER },
	[JV_KW_EXCL_MAXIMUM] = { "exclusiveMaximum", JV_ARG_NUMBER },
	[JV_KW_MULTIPLE_OF] = { "multipleOf", JV_ARG_POSITIVE },
	[JV_KW_MIN_LENGTH] = { "minLength", JV_ARG_COUNT },
	[JV_KW_MAX_LENGTH] = { "maxLength", JV_ARG_COUNT },
	[JV_KW_PATTERN] = { "pattern", JV_ARG_PATTERN },
	[JV_KW_MIN_ITEMS] = { "minItems", JV_ARG_COUNT },
	[JV_KW_MAX_ITEMS] = { "maxItems", JV_ARG_COUNT },
	[JV_KW_ITEMS] = { "items", JV_ARG_SCHEMA },
	[JV_KW_UNIQUE_ITEMS] = { "uniqueItems", JV_ARG_BOOL },
	[JV_KW_REQUIRED] = { "required", JV_ARG_NAMES },
	[JV_KW_PROPERTIES] = { "properties", JV_ARG_SCHEMA_MAP },
	[JV_KW_ADDITIONAL] = { "additionalProperties", JV_ARG_SCHEMA },
	[JV_KW_REF] = { "$ref", JV_ARG_REF },
	[JV_KW_ALL_OF] = { "allOf", JV_ARG_SCHEMA_LIST },
	[JV_KW_ANY_OF] = { "anyOf", JV_ARG_SCHEMA_LIST },
	[JV_KW_ONE_OF] = { "oneOf", JV_ARG_SCHEMA_LIST },
	[JV_KW_NOT] = { "not", JV_ARG_SCHEMA },
	[JV_KW_DEFS] = { "$defs", JV_ARG_SCHEMA_MAP },
	[JV_KW_SCHEMA] = { "$schema", JV_ARG_STRING },
	[JV_KW_ID] = { "$id", JV_ARG_STRING },
	[JV_KW_COMMENT] = { "$comment", JV_ARG_STRING },
	[JV_KW_TITLE] = { "title", JV_ARG_STRING },
	[JV_KW_DESCRIPTION] = { "description", JV_ARG_STRING },
	[JV_KW_DEFAULT] = { "default", JV_ARG_ANY },
	[JV_KW_EXAMPLES] = { "examples", JV_ARG_ARRAY },
};

static int jv_kw_find(const char *name)
{
	int i;

	for (i = 0; i < JV_KW_COUNT; i++)
		if (jv_keywords[i].name[0] == name[0] &&
		    !strcmp(jv_keywords[i].name, name))
			return i;
	return -1;
}

/* The keywords of one schema object (val[] is valid where has is set). */
struct jv_kws {
	uint64_t has;
	const struct json_object *val[JV_KW_COUNT];
};

static void jv_kws_load(struct jv_kws *k, const struct json_object *s)
{
	k->has = 0;
	json_object_object_foreach(s, key, val)
	{
		int i = jv_kw_find(key);

		if (i < 0)
			continue;
		k->has |= 1ull << i;
		k->val[i] = val;
	}
}

static bool jv_has(const struct jv_kws *k, enum jv_kw kw)
{
	return k->has & (1ull << kw);
}

/* A checked count keyword (a non-negative integer), saturated. */
static uint64_t jv_count(const struct json_object *o)
{
	struct jv_num n = jv_num_get(o);

	if (n.is_int)
		return (uint64_t)n.i;
	return n.d < 0x1p64 ? (uint64_t)n.d : UINT64_MAX;
}

/* The schema a "$ref": "#/$defs/<name>" names, or NULL. */
static const struct json_object *jv_ref_find(const struct jv *v,
					     const struct json_object *ref)
{
	static const char prefix[] = "#/$defs/";
	struct json_object *defs, *def;
	const char *p = jv_str(ref) + sizeof(prefix) - 1;
	char name[FM_ERR_MSG_MAX];
	size_t n = 0;

	/* JSON Pointer escapes (RFC 6901): ~1 is '/', ~0 is '~' */
	for (; *p && n + 1 < sizeof(name); p++) {
		if (p[0] == '~' && (p[1] == '0' || p[1] == '1')) {
			name[n++] = p[1] == '0' ? '~' : '/';
			p++;
		} else {
			name[n++] = *p;
		}
	}
	name[n] = '\0';
	if (!json_object_object_get_ex(v->root, "$defs", &defs) ||
	    !json_object_object_get_ex(defs, name, &def))
		return NULL;
	return def;
}

static const regex_t *jv_re_find(const struct jv *v,
				 const struct json_object *pattern)
{
	size_t i;

	for (i = 0; i < v->n_res; i++)
		if (v->res[i].pattern == pattern)
			return &v->res[i].re;
	return NULL;
}

static int jv_node(struct jv *v, const struct json_object *s,
		   const struct json_object *d, struct jv_err *e);

static int jv_child(struct jv *v, const struct json_object *s,
		    const struct json_object *d, const char *key,
		    uint32_t index, struct jv_err *e)
{
	int ret;

	ret = jv_enter(v, key, index);
	if (ret < 0)
		return ret;
	ret = jv_node(v, s, d, e);
	jv_leave(v);
	return ret;
}

/*
 * Steps apply the keywords to one value, in this order: type first, then
 * the value's own keywords, then its members in document order, then the
 * combinators.  Each step ignores a value of a type it does not apply to.
 */
typedef int jv_step_fn(struct jv *v, const struct jv_kws *k,
		       const struct json_object *d, struct jv_err *e);

static int jv_step_type(struct jv *v, const struct jv_kws *k,
			const struct json_object *d, struct jv_err *e)
{
	const struct json_object *t = k->val[JV_KW_TYPE];
	char want[128], got[JV_VALUE_TEXT];
	struct jv_buf b;
	size_t i, n;

	if (!jv_has(k, JV_KW_TYPE))
		return 0;
	if (json_object_get_type(t) == json_type_string) {
		if (!jv_is_type(jv_str(t), d))
			jv_fail(v, e, true, UINT32_MAX, "expected %s, got %s",
				jv_str(t), jv_got(got, sizeof(got), d));
		return 0;
	}
	n = json_object_array_length(t);
	for (i = 0; i < n; i++)
		if (jv_is_type(jv_str(json_object_array_get_idx(t, i)), d))
			return 0;
	jv_buf_init(&b, want, sizeof(want));
	for (i = 0; i < n; i++)
		jv_buf_add(&b, "%s%s",
			   i == 0      ? ""
			   : i + 1 < n ? ", "
				       : " or ",
			   jv_str(json_object_array_get_idx(t, i)));
	jv_fail(v, e, true, UINT32_MAX, "expected %s, got %s", jv_buf_str(&b),
		jv_got(got, sizeof(got), d));
	return 0;
}

static int jv_step_const(struct jv *v, const struct jv_kws *k,
			 const struct json_object *d, struct jv_err *e)
{
	char want[JV_VALUE_TEXT], got[JV_VALUE_TEXT];

	if (jv_has(k, JV_KW_CONST) && !jv_equal(d, k->val[JV_KW_CONST]))
		jv_fail(v, e, false, UINT32_MAX, "expected %s, got %s",
			jv_value(want, sizeof(want), k->val[JV_KW_CONST]),
			jv_value(got, sizeof(got), d));
	return 0;
}

static int jv_step_enum(struct jv *v, const struct jv_kws *k,
			const struct json_object *d, struct jv_err *e)
{
	const struct json_object *list = k->val[JV_KW_ENUM];
	char want[128], got[JV_VALUE_TEXT];
	size_t i, n;

	if (!jv_has(k, JV_KW_ENUM))
		return 0;
	n = json_object_array_length(list);
	for (i = 0; i < n; i++)
		if (jv_equal(d, json_object_array_get_idx(list, i)))
			return 0;
	jv_fail(v, e, false, UINT32_MAX, "%s is not one of %s",
		jv_value(got, sizeof(got), d),
		jv_value(want, sizeof(want), list));
	return 0;
}

/*
 * Numeric bounds (2020-12 validation 6.2): the value fails when it
 * compares to the limit with sign @fail_sign, or equals an exclusive one.
 */
static const struct jv_bound {
	enum jv_kw kw;
	int fail_sign;
	bool exclusive;
	const char *what;
} jv_bounds[] = {
	{ JV_KW_MINIMUM, -1, false, "below minimum" },
	{ JV_KW_EXCL_MINIMUM, -1, true, "not above exclusive minimum" },
	{ JV_KW_MAXIMUM, 1, false, "above maximum" },
	{ JV_KW_EXCL_MAXIMUM, 1, true, "not below exclusive maximum" },
};

static bool jv_multiple(struct jv_num x, struct jv_num m)
{
	double q;

	if (x.is_int && m.is_int)
		return x.i % m.i == 0;
	/* decimal fractions are inexact in binary: allow rounding error */
	q = x.d / m.d;
	return isfinite(q) && jv_fabs(q - jv_round(q)) <=
				      1e-9 * (jv_fabs(q) > 1 ? jv_fabs(q) : 1);
}

static int jv_step_number(struct jv *v, const struct jv_kws *k,
			  const struct json_object *d, struct jv_err *e)
{
	char got[JV_VALUE_TEXT], lim[JV_VALUE_TEXT];
	struct jv_num x, l;
	size_t i;

	if (!jv_is_num(d) || !isfinite(jv_num_get(d).d))
		return 0;
	x = jv_num_get(d);
	for (i = 0; i < FM_ARRAY_SIZE(jv_bounds); i++) {
		const struct jv_bound *b = &jv_bounds[i];
		int c;

		if (!jv_has(k, b->kw))
			continue;
		l = jv_num_get(k->val[b->kw]);
		c = jv_num_cmp(x, l);
		if (c == b->fail_sign || (b->exclusive && c == 0)) {
			jv_fail(v, e, false, UINT32_MAX, "value %s %s %s",
				jv_value(got, sizeof(got), d), b->what,
				jv_value(lim, sizeof(lim), k->val[b->kw]));
			return 0;
		}
	}
	if (jv_has(k, JV_KW_MULTIPLE_OF) &&
	    !jv_multiple(x, jv_num_get(k->val[JV_KW_MULTIPLE_OF])))
		jv_fail(v, e, false, UINT32_MAX,
			"value %s is not a multiple of %s",
			jv_value(got, sizeof(got), d),
			jv_value(lim, sizeof(lim), k->val[JV_KW_MULTIPLE_OF]));
	return 0;
}

/* Length in characters (2020-12 validation 6.3.1), of valid UTF-8. */
static uint64_t jv_str_chars(const struct json_object *d)
{
	const unsigned char *s = (const unsigned char *)jv_str(d);
	size_t n = (size_t)json_object_get_string_len(d);
	uint64_t chars = 0;
	size_t i;

	for (i = 0; i < n; i++)
		chars += (s[i] & 0xc0) != 0x80;
	return chars;
}

static int jv_step_string(struct jv *v, const struct jv_kws *k,
			  const struct json_object *d, struct jv_err *e)
{
	char got[JV_VALUE_TEXT], pat[JV_VALUE_TEXT];
	const regex_t *re;
	regmatch_t range;
	uint64_t chars;

	if (json_object_get_type(d) != json_type_string)
		return 0;
	chars = jv_str_chars(d);
	if (jv_has(k, JV_KW_MIN_LENGTH) &&
	    chars < jv_count(k->val[JV_KW_MIN_LENGTH])) {
		jv_fail(v, e, false, UINT32_MAX,
			"expected at least %llu characters, got %s",
			(unsigned long long)jv_count(k->val[JV_KW_MIN_LENGTH]),
			jv_value(got, sizeof(got), d));
		return 0;
	}
	if (jv_has(k, JV_KW_MAX_LENGTH) &&
	    chars > jv_count(k->val[JV_KW_MAX_LENGTH])) {
		jv_fail(v, e, false, UINT32_MAX,
			"expected at most %llu characters, got %s",
			(unsigned long long)jv_count(k->val[JV_KW_MAX_LENGTH]),
			jv_value(got, sizeof(got), d));
		return 0;
	}
	if (!jv_has(k, JV_KW_PATTERN))
		return 0;
	re = jv_re_find(v, k->val[JV_KW_PATTERN]);
	/* REG_STARTEND: match the whole string, NUL bytes included */
	range.rm_so = 0;
	range.rm_eo = json_object_get_string_len(d);
	if (re && regexec(re, jv_str(d), 1, &range, REG_STARTEND) != 0)
		jv_fail(v, e, false, UINT32_MAX, "%s does not match pattern %s",
			jv_value(got, sizeof(got), d),
			jv_value(pat, sizeof(pat), k->val[JV_KW_PATTERN]));
	return 0;
}

static int jv_step_array(struct jv *v, const struct jv_kws *k,
			 const struct json_object *d, struct jv_err *e)
{
	bool unique = jv_has(k, JV_KW_UNIQUE_ITEMS) &&
		      json_object_get_boolean(k->val[JV_KW_UNIQUE_ITEMS]);
	size_t i, j, n;
	int ret;

	if (json_object_get_type(d) != json_type_array)
		return 0;
	n = json_object_array_length(d);
	if (jv_has(k, JV_KW_MIN_ITEMS) &&
	    n < jv_count(k->val[JV_KW_MIN_ITEMS])) {
		jv_fail(v, e, false, UINT32_MAX,
			"expected at least %llu items, got %zu",
			(unsigned long long)jv_count(k->val[JV_KW_MIN_ITEMS]),
			n);
		return 0;
	}
	if (jv_has(k, JV_KW_MAX_ITEMS) &&
	    n > jv_count(k->val[JV_KW_MAX_ITEMS])) {
		jv_fail(v, e, false, UINT32_MAX,
			"expected at most %llu items, got %zu",
			(unsigned long long)jv_count(k->val[JV_KW_MAX_ITEMS]),
			n);
		return 0;
	}
	for (i = 0; i < n && !jv_settled(v, e); i++) {
		const struct json_object *item =
			json_object_array_get_idx(d, i);

		if (jv_has(k, JV_KW_ITEMS)) {
			ret = jv_child(v, k->val[JV_KW_ITEMS], item, NULL,
				       (uint32_t)i, e);
			if (ret < 0)
				return ret;
		}
		for (j = 0; unique && j < i; j++) {
			if (!jv_equal(item, json_object_array_get_idx(d, j)))
				continue;
			ret = jv_enter(v, NULL, (uint32_t)i);
			if (ret < 0)
				return ret;
			jv_fail(v, e, false, UINT32_MAX,
				"duplicate of item %zu", j);
			jv_leave(v);
			break;
		}
	}
	return 0;
}

static int jv_step_object(struct jv *v, const struct jv_kws *k,
			  const struct json_object *d, struct jv_err *e)
{
	const struct json_object *props = k->val[JV_KW_PROPERTIES];
	const struct json_object *extra = k->val[JV_KW_ADDITIONAL];
	uint32_t rank = 0;
	size_t i, n;
	int ret;

	if (json_object_get_type(d) != json_type_object)
		return 0;
	n = jv_has(k, JV_KW_REQUIRED)
		    ? json_object_array_length(k->val[JV_KW_REQUIRED])
		    : 0;
	for (i = 0; i < n; i++) {
		const char *name = jv_str(
			json_object_array_get_idx(k->val[JV_KW_REQUIRED], i));

		if (!json_object_object_get_ex(d, name, NULL)) {
			jv_fail(v, e, false, UINT32_MAX,
				"missing required property \"%s\"", name);
			return 0;
		}
	}
	json_object_object_foreach(d, key, val)
	{
		const struct json_object *sub = NULL;
		struct json_object *prop;

		if (jv_settled(v, e))
			break;
		if (jv_has(k, JV_KW_PROPERTIES) &&
		    json_object_object_get_ex(props, key, &prop)) {
			sub = prop;
		} else if (jv_has(k, JV_KW_ADDITIONAL)) {
			if (json_object_get_type(extra) == json_type_boolean &&
			    !json_object_get_boolean(extra)) {
				jv_fail(v, e, false, rank,
					"unknown property \"%s\"", key);
				break;
			}
			sub = extra;
		}
		if (sub) {
			ret = jv_child(v, sub, val, key, rank, e);
			if (ret < 0)
				return ret;
		}
		rank++;
	}
	return 0;
}

static int jv_step_ref(struct jv *v, const struct jv_kws *k,
		       const struct json_object *d, struct jv_err *e)
{
	if (!jv_has(k, JV_KW_REF))
		return 0;
	return jv_node(v, jv_ref_find(v, k->val[JV_KW_REF]), d, e);
}

static int jv_step_all_of(struct jv *v, const struct jv_kws *k,
			  const struct json_object *d, struct jv_err *e)
{
	size_t i, n;
	int ret;

	if (!jv_has(k, JV_KW_ALL_OF))
		return 0;
	n = json_object_array_length(k->val[JV_KW_ALL_OF]);
	for (i = 0; i < n && !jv_settled(v, e); i++) {
		ret = jv_node(
			v, json_object_array_get_idx(k->val[JV_KW_ALL_OF], i),
			d, e);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/*
 * Which failing branch to report: the one whose first violation lies
 * furthest into the document (it matched the most); at the same place, a
 * violation other than a type mismatch (the value had the branch's type);
 * then the earlier branch.
 */
static bool jv_closer(const struct jv_err *a, const struct jv_err *b)
{
	int c = jv_pos_cmp(a->pos, a->depth, b->pos, b->depth);

	return c > 0 || (c == 0 && !a->shape && b->shape);
}

/*
 * anyOf / oneOf.  When no branch matches, report the closest branch's
 * violation if it says something about this value's content (it lies
 * below the value, or it is the only branch that failed at the value for
 * a reason other than its type); otherwise say that nothing matched.
 */
static int jv_some_of(struct jv *v, const struct json_object *list,
		      const char *name, bool one, const struct json_object *d,
		      struct jv_err *e)
{
	size_t n = json_object_array_length(list);
	struct jv_err tmp, best = { .set = false };
	size_t i, matched = 0, first = 0;
	unsigned at_value = 0;
	char got[JV_VALUE_TEXT];
	int ret;

	for (i = 0; i < n; i++) {
		tmp.set = false;
		ret = jv_node(v, json_object_array_get_idx(list, i), d, &tmp);
		if (ret < 0)
			return ret;
		if (!tmp.set) {
			if (!one)
				return 0;
			matched++;
			if (matched == 1) {
				first = i;
				continue;
			}
			jv_fail(v, e, false, UINT32_MAX,
				"matches %s branches %zu and %zu, expected "
				"exactly one",
				name, first, i);
			return 0;
		}
		if (tmp.depth == v->depth && !tmp.shape)
			at_value++;
		if (!best.set || jv_closer(&tmp, &best))
			best = tmp;
	}
	if (matched == 1)
		return 0;
	if (best.depth > v->depth || (!best.shape && at_value == 1)) {
		jv_merge(e, &best);
		return 0;
	}
	jv_fail(v, e, best.shape, UINT32_MAX, "%s matches none of %s",
		jv_got(got, sizeof(got), d), name);
	return 0;
}

static int jv_step_any_of(struct jv *v, const struct jv_kws *k,
			  const struct json_object *d, struct jv_err *e)
{
	if (!jv_has(k, JV_KW_ANY_OF))
		return 0;
	return jv_some_of(v, k->val[JV_KW_ANY_OF], "anyOf", false, d, e);
}

static int jv_step_one_of(struct jv *v, const struct jv_kws *k,
			  const struct json_object *d, struct jv_err *e)
{
	if (!jv_has(k, JV_KW_ONE_OF))
		return 0;
	return jv_some_of(v, k->val[JV_KW_ONE_OF], "oneOf", true, d, e);
}

static int jv_step_not(struct jv *v, const struct jv_kws *k,
		       const struct json_object *d, struct jv_err *e)
{
	struct jv_err tmp = { .set = false };
	int ret;

	if (!jv_has(k, JV_KW_NOT))
		return 0;
	ret = jv_node(v, k->val[JV_KW_NOT], d, &tmp);
	if (ret < 0)
		return ret;
	if (!tmp.set)
		jv_fail(v, e, false, UINT32_MAX,
			"must not match the schema in \"not\"");
	return 0;
}

static jv_step_fn *const jv_steps[] = {
	jv_step_type,	jv_step_const,	jv_step_enum,	jv_step_number,
	jv_step_string, jv_step_array,	jv_step_object, jv_step_ref,
	jv_step_all_of, jv_step_any_of, jv_step_one_of, jv_step_not,
};

/*
 * Apply schema @s (already checked) to value @d, keeping in @e the first
 * violation.  Returns 0, or a negative code for a failure of the validator
 * itself (recorded in v->err).
 */
static int jv_node(struct jv *v, const struct json_object *s,
		   const struct json_object *d, struct jv_err *e)
{
	struct jv_kws k;
	size_t i;
	int ret = 0;

	if (json_object_get_type(s) == json_type_boolean) {
		if (!json_object_get_boolean(s))
			jv_fail(v, e, true, UINT32_MAX,
				"no value allowed here");
		return 0;
	}
	v->nest++;
	if (v->nest > JV_MAX_NEST) {
		char path[FM_ERR_MSG_MAX];

		ret = fm_err_set(v->err, FM_EINVAL,
				 "schema: more than %d nested subschemas at "
				 "%s (a $ref loop?)",
				 JV_MAX_NEST, jv_path(v, path, sizeof(path)));
		goto out;
	}
	jv_kws_load(&k, s);
	for (i = 0; i < FM_ARRAY_SIZE(jv_steps) && !jv_settled(v, e); i++) {
		ret = jv_steps[i](v, &k, d, e);
		if (ret < 0)
			goto out;
	}
out:
	v->nest--;
	return ret;
}

/* ------------------------------------------------------------------ */
/* Checking the schema itself, once, before any document is looked at */

static int jv_check(struct jv *v, const struct json_object *s);

/*
 * Step into the schema at @token (a keyword or property name), or at
 * element @index when @token is NULL; jv_spath_pop() steps back.
 */
static void jv_spath_push(struct jv *v, const char *token, size_t index)
{
	if (v->sdepth < JV_MAX_SPATH) {
		v->stoken[v->sdepth] = token;
		v->sindex[v->sdepth] = index;
	}
	v->sdepth++;
}

static void jv_spath_pop(struct jv *v)
{
	v->sdepth--;
}

/* The schema location as a JSON Pointer fragment (RFC 6901): "#/a~1b/0". */
static const char *jv_spath(const struct jv *v, char *buf, size_t cap)
{
	struct jv_buf b;
	const char *p;
	unsigned i;

	jv_buf_init(&b, buf, cap);
	jv_buf_add(&b, "#");
	for (i = 0; i < v->sdepth && i < JV_MAX_SPATH; i++) {
		if (!v->stoken[i]) {
			jv_buf_add(&b, "/%zu", v->sindex[i]);
			continue;
		}
		jv_buf_add(&b, "/");
		for (p = v->stoken[i]; *p; p++) {
			if (*p == '~')
				jv_buf_add(&b, "~0");
			else if (*p == '/')
				jv_buf_add(&b, "~1");
			else
				jv_buf_add(&b, "%c", *p);
		}
	}
	if (v->sdepth > JV_MAX_SPATH)
		jv_buf_add(&b, "/...");
	return jv_buf_str(&b);
}

__attribute__((format(printf, 3, 4))) static int
jv_bad_schema(struct jv *v, int code, const char *fmt, ...)
{
	char why[FM_ERR_MSG_MAX], where[FM_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return fm_err_set(v->err, code, "schema %s: %s",
			  jv_spath(v, where, sizeof(where)), why);
}

static int jv_check_sub(struct jv *v, const struct json_object *s,
			const char *token, size_t index)
{
	int ret;

	jv_spath_push(v, token, index);
	ret = jv_check(v, s);
	jv_spath_pop(v);
	return ret;
}

static int jv_check_type_name(struct jv *v, const struct json_object *t)
{
	char got[JV_VALUE_TEXT];
	size_t i;

	for (i = 0; i < FM_ARRAY_SIZE(jv_type_names); i++)
		if (json_object_get_type(t) == json_type_string &&
		    !strcmp(jv_str(t), jv_type_names[i]))
			return 0;
	return jv_bad_schema(v, FM_EINVAL, "unknown type %s",
			     jv_value(got, sizeof(got), t));
}

static int jv_check_type(struct jv *v, const struct json_object *t)
{
	size_t i, j, n;
	int ret;

	if (json_object_get_type(t) != json_type_array)
		return jv_check_type_name(v, t);
	n = json_object_array_length(t);
	if (n == 0)
		return jv_bad_schema(v, FM_EINVAL,
				     "\"type\" is an empty array");
	for (i = 0; i < n; i++) {
		const struct json_object *a = json_object_array_get_idx(t, i);

		ret = jv_check_type_name(v, a);
		if (ret < 0)
			return ret;
		for (j = 0; j < i; j++)
			if (jv_equal(a, json_object_array_get_idx(t, j)))
				return jv_bad_schema(
					v, FM_EINVAL,
					"\"type\" lists \"%s\" twice",
					jv_str(a));
	}
	return 0;
}

static int jv_check_pattern(struct jv *v, const struct json_object *p)
{
	struct jv_re *res;
	char why[128];
	int rc;

	if (json_object_get_type(p) != json_type_string)
		return jv_bad_schema(v, FM_EINVAL,
				     "\"pattern\" must be a string");
	if (jv_re_find(v, p))
		return 0;
	if (v->n_res == v->cap_res) {
		size_t cap = v->cap_res ? v->cap_res * 2 : 8;

		res = realloc(v->res, cap * sizeof(*res));
		if (!res)
			return fm_err_set(v->err, FM_ENOMEM,
					  "schema: out of memory");
		v->res = res;
		v->cap_res = cap;
	}
	res = &v->res[v->n_res];
	rc = regcomp(&res->re, jv_str(p), REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		regerror(rc, &res->re, why, sizeof(why));
		return jv_bad_schema(v, FM_EINVAL, "bad pattern \"%s\": %s",
				     jv_str(p), why);
	}
	res->pattern = p;
	v->n_res++;
	return 0;
}

static int jv_check_ref(struct jv *v, const struct json_object *r)
{
	static const char prefix[] = "#/$defs/";
	const char *s;

	if (json_object_get_type(r) != json_type_string)
		return jv_bad_schema(v, FM_EINVAL, "\"$ref\" must be a string");
	s = jv_str(r);
	if (strncmp(s, prefix, sizeof(prefix) - 1) != 0 ||
	    strchr(s + sizeof(prefix) - 1, '/') || !s[sizeof(prefix) - 1])
		return jv_bad_schema(v, FM_EUNSUPP,
				     "unsupported $ref \"%s\" (only "
				     "\"#/$defs/<name>\")",
				     s);
	if (!jv_ref_find(v, r))
		return jv_bad_schema(v, FM_EINVAL, "$ref \"%s\" not found", s);
	return 0;
}

/* What each kind of keyword value must be, for messages. */
static const char *const jv_arg_wants[] = {
	[JV_ARG_ANY] = "any value",
	[JV_ARG_STRING] = "a string",
	[JV_ARG_TYPE] = "a type name or an array of them",
	[JV_ARG_SCHEMA] = "a schema",
	[JV_ARG_SCHEMA_MAP] = "an object of schemas",
	[JV_ARG_SCHEMA_LIST] = "a non-empty array of schemas",
	[JV_ARG_NAMES] = "an array of strings",
	[JV_ARG_COUNT] = "a non-negative integer",
	[JV_ARG_NUMBER] = "a number",
	[JV_ARG_POSITIVE] = "a number above 0",
	[JV_ARG_BOOL] = "a boolean",
	[JV_ARG_ARRAY] = "an array",
	[JV_ARG_PATTERN] = "a regular expression",
	[JV_ARG_REF] = "\"#/$defs/<name>\"",
};

/* Check the value of keyword @kw in the schema at v->spath. */
static int jv_check_arg(struct jv *v, enum jv_kw kw,
			const struct json_object *a)
{
	const char *name = jv_keywords[kw].name;
	enum json_type t = json_object_get_type(a);
	size_t i, n;
	int ret = 0;

	switch (jv_keywords[kw].arg) {
	case JV_ARG_ANY:
		return 0;
	case JV_ARG_STRING:
		if (t != json_type_string)
			goto bad;
		return 0;
	case JV_ARG_TYPE:
		return jv_check_type(v, a);
	case JV_ARG_SCHEMA:
		return jv_check_sub(v, a, name, 0);
	case JV_ARG_SCHEMA_MAP: {
		if (t != json_type_object)
			goto bad;
		jv_spath_push(v, name, 0);
		json_object_object_foreach(a, key, val)
		{
			ret = jv_check_sub(v, val, key, 0);
			if (ret < 0)
				break;
		}
		jv_spath_pop(v);
		return ret;
	}
	case JV_ARG_SCHEMA_LIST: {
		if (t != json_type_array || json_object_array_length(a) == 0)
			goto bad;
		jv_spath_push(v, name, 0);
		n = json_object_array_length(a);
		for (i = 0; i < n && ret == 0; i++)
			ret = jv_check_sub(v, json_object_array_get_idx(a, i),
					   NULL, i);
		jv_spath_pop(v);
		return ret;
	}
	case JV_ARG_NAMES:
		if (t != json_type_array)
			goto bad;
		n = json_object_array_length(a);
		for (i = 0; i < n; i++)
			if (json_object_get_type(json_object_array_get_idx(
				    a, i)) != json_type_string)
				goto bad;
		return 0;
	case JV_ARG_COUNT:
		if (!jv_is_integer(a) || jv_num_get(a).d < 0)
			goto bad;
		return 0;
	case JV_ARG_NUMBER:
		if (!jv_is_num(a) || !isfinite(jv_num_get(a).d))
			goto bad;
		return 0;
	case JV_ARG_POSITIVE:
		if (!jv_is_num(a) || !isfinite(jv_num_get(a).d) ||
		    jv_num_get(a).d <= 0)
			goto bad;
		return 0;
	case JV_ARG_BOOL:
		if (t != json_type_boolean)
			goto bad;
		return 0;
	case JV_ARG_ARRAY:
		if (t != json_type_array)
			goto bad;
		return 0;
	case JV_ARG_PATTERN:
		return jv_check_pattern(v, a);
	case JV_ARG_REF:
		return jv_check_ref(v, a);
	}
bad:
	return jv_bad_schema(v, FM_EINVAL, "\"%s\" must be %s", name,
			     jv_arg_wants[jv_keywords[kw].arg]);
}

static int jv_check(struct jv *v, const struct json_object *s)
{
	char got[JV_VALUE_TEXT];
	int ret = 0;

	if (json_object_get_type(s) == json_type_boolean)
		return 0;
	if (json_object_get_type(s) != json_type_object)
		return jv_bad_schema(v, FM_EINVAL,
				     "expected object or boolean, got %s",
				     jv_got(got, sizeof(got), s));
	json_object_object_foreach(s, key, val)
	{
		int kw = jv_kw_find(key);

		if (kw < 0)
			return jv_bad_schema(v, FM_EUNSUPP,
					     "unsupported keyword \"%s\"", key);
		ret = jv_check_arg(v, (enum jv_kw)kw, val);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int fab_json_validate(const struct json_object *schema,
		      const struct json_object *doc, struct fm_err *err)
{
	struct jv_err e = { .set = false };
	struct jv v;
	size_t i;
	int ret;

	memset(&v, 0, sizeof(v));
	v.root = schema;
	v.err = err;
	ret = jv_check(&v, schema);
	if (ret == 0)
		ret = jv_node(&v, schema, doc, &e);
	if (ret == 0 && e.set)
		ret = fm_err_set(err, FM_ESCHEMA, "%s", e.msg);
	for (i = 0; i < v.n_res; i++)
		regfree(&v.res[i].re);
	free(v.res);
	return ret;
}
