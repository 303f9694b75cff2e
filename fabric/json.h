/* SPDX-License-Identifier: MIT */
/*
 * json.h - JSON input for every layer that reads descriptions and
 * configuration: parsing with positions in errors, and validation against
 * a JSON Schema (the subset of draft 2020-12 our schemas/ use).
 */
#ifndef MRFABRIC_FABRIC_JSON_H
#define MRFABRIC_FABRIC_JSON_H

#include <stddef.h>

#include "fm.h"

struct json_object;

/*
 * Parse @len bytes of @text as one JSON document.  On success *out holds a
 * new reference (the caller puts it).  On failure returns -FM_EPARSE with
 * "<name>:<line>:<column>: <reason>" in @err and *out untouched.  Trailing
 * non-space text is an error.
 */
int fab_json_parse(struct json_object **out, const char *name, const char *text,
		   size_t len, struct fm_err *err);

/* Read and parse a file; -FM_EIO with the errno when it cannot be read. */
int fab_json_parse_file(struct json_object **out, const char *path,
			struct fm_err *err);

/*
 * Validate @doc against @schema.  Returns 0, or -FM_ESCHEMA with the
 * first violation in @err as "<path>: <reason>", where path names the
 * field the way a person would ("blades[1].link_width", "$" for the whole
 * document) and reason says what was expected and what was found
 * ("expected integer, got string \"x4\"", "missing required property
 * \"name\"", "unknown property \"widht\"", "3 is not one of [1, 2, 4, 8,
 * 16]", "value 300 above maximum 256").  A schema using a keyword outside
 * the supported subset gives -FM_EUNSUPP naming the keyword.
 *
 * Supported keywords: type (string or array), properties, required,
 * additionalProperties (boolean or schema), items, minItems, maxItems,
 * uniqueItems, enum, const, minimum, maximum, exclusiveMinimum,
 * exclusiveMaximum, multipleOf, minLength, maxLength, pattern (POSIX ERE),
 * $ref to "#/$defs/<name>", allOf, anyOf, oneOf, not, and the
 * annotations $schema, $id, $comment, title, description, default,
 * examples, $defs.
 */
int fab_json_validate(const struct json_object *schema,
		      const struct json_object *doc, struct fm_err *err);

#endif
