/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dmg_json.c - the "response" of `dmg -j`: any mgmt.proto message turned into a JSON object
 * by walking its protobuf-c descriptor, so every command gets JSON output without a
 * converter of its own. Field names are the proto's (snake_case, as DAOS's JSON uses);
 * repeated fields become arrays, nested messages objects, 64-bit numbers JSON integers.
 */
#define D_LOGFAC DD_FAC(control)

#include <string.h>

#include "control/dmg/dmg_int.h"

static json_t *
scalar_json(const ProtobufCFieldDescriptor *fd, const void *p)
{
	switch (fd->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		return json_integer(*(const int32_t *)p);
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		return json_integer(*(const uint32_t *)p);
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		return json_integer(*(const int64_t *)p);
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		/* json_int_t is signed: values past INT64_MAX would wrap, so clamp them */
		return json_integer((json_int_t)D_MIN(*(const uint64_t *)p, (uint64_t)INT64_MAX));
	case PROTOBUF_C_TYPE_FLOAT:
		return json_real(*(const float *)p);
	case PROTOBUF_C_TYPE_DOUBLE:
		return json_real(*(const double *)p);
	case PROTOBUF_C_TYPE_BOOL:
		return json_boolean(*(const protobuf_c_boolean *)p);
	case PROTOBUF_C_TYPE_ENUM:
		return json_integer(*(const int *)p);
	case PROTOBUF_C_TYPE_STRING:
		return json_string(*(const char *const *)p ? *(const char *const *)p : "");
	case PROTOBUF_C_TYPE_BYTES:
		return json_stringn((const char *)((const ProtobufCBinaryData *)p)->data,
				    ((const ProtobufCBinaryData *)p)->len);
	case PROTOBUF_C_TYPE_MESSAGE:
		if (*(const ProtobufCMessage *const *)p == NULL)
			return json_null();
		return dmg_json_from_pb(*(const ProtobufCMessage *const *)p);
	}
	return json_null();
}

static size_t
type_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(void *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	default:
		return 4;
	}
}

json_t *
dmg_json_from_pb(const ProtobufCMessage *msg)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;
	json_t *obj = json_object();
	unsigned int i;

	if (obj == NULL)
		return NULL;
	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &d->fields[i];
		const char *base = (const char *)msg + fd->offset;
		json_t *v;

		if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)((const char *)msg + fd->quantifier_offset);
			const char *arr = *(const char *const *)base;
			size_t k;

			v = json_array();
			for (k = 0; v != NULL && k < n; k++)
				json_array_append_new(
					v, scalar_json(fd, arr + k * type_size(fd->type)));
		} else {
			v = scalar_json(fd, base);
		}
		if (v == NULL || json_object_set_new(obj, fd->name, v) != 0) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}
