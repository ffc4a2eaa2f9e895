/* publish.c - a bundle taken as the node's own, signed (see publish.h). */
#include "feed/publish.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/uuid.h"
#include "trust/sign.h"

static bool keeps_its_creator(const char *type)
{
	return strcmp(type, "identity") == 0 || strcmp(type, "marking-definition") == 0 ||
	       strcmp(type, "extension-definition") == 0;
}

/* Signs one object (a copy with our creator) into out. */
static int sign_one(json_t *obj, const char *identity_id, const struct ent_keypair *kp,
                    struct ent_buf *out, char *errbuf)
{
	char *text;
	int rc;

	if (json_object_set_new(obj, "created_by_ref", json_string(identity_id)) != 0)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	text = json_dumps(obj, JSON_COMPACT);
	if (text == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	rc = ent_sign_object(text, strlen(text), kp, out, errbuf);
	free(text);
	return rc;
}

int ent_publish_bundle(const char *in_path, const char *identity_id, const struct ent_keypair *kp,
                       const char *out_path, size_t *signed_out, char *errbuf)
{
	json_error_t jerr;
	json_t *bundle, *objs, *obj;
	struct ent_buf out, one;
	size_t i, n = 0;
	struct stat st;
	char uuid[ENT_UUID_STRLEN];
	int rc = ENT_OK, fd;

	*signed_out = 0;
	errbuf[0] = '\0';
	if (stat(in_path, &st) != 0)
		return ent_errf(errbuf, ENT_EIO, "%s: %s", in_path, strerror(errno));
	if ((size_t)st.st_size > ENT_PUBLISH_MAX_BYTES)
		return ent_errf(errbuf, ENT_ELIMIT, "%s: larger than %u MiB: publish it in parts",
		                in_path, ENT_PUBLISH_MAX_BYTES >> 20);
	bundle = json_load_file(in_path, JSON_REJECT_DUPLICATES, &jerr);
	if (bundle == NULL)
		return ent_errf(errbuf, ENT_EPARSE, "%s: line %d, column %d: %s", in_path,
		                jerr.line, jerr.column, jerr.text);
	objs = json_object_get(bundle, "objects");
	if (!json_is_object(bundle) ||
	    strcmp(json_string_value(json_object_get(bundle, "type")) ?: "", "bundle") != 0 ||
	    !json_is_array(objs)) {
		json_decref(bundle);
		return ent_errf(errbuf, ENT_EINVAL, "%s: --publish takes a STIX 2.1 bundle",
		                in_path);
	}
	ent_buf_init(&out, (size_t)ENT_PUBLISH_MAX_BYTES * 2);
	ent_buf_init(&one, ENT_SIGN_MAX_BYTES);
	ent_uuid_v4(uuid);
	rc = ent_buf_printf(&out, "{\"type\":\"bundle\",\"id\":\"bundle--%s\",\"objects\":[", uuid);
	json_array_foreach(objs, i, obj)
	{
		const char *type = json_string_value(json_object_get(obj, "type"));
		char *text = NULL;

		if (rc != ENT_OK)
			break;
		if (type == NULL) {
			rc = ent_errf(errbuf, ENT_EINVAL, "%s: objects[%zu]: no type", in_path, i);
			break;
		}
		ent_buf_reset(&one);
		if (keeps_its_creator(type)) {
			text = json_dumps(obj, JSON_COMPACT);
			rc = text != NULL ? ent_buf_puts(&one, text) : ENT_ENOMEM;
			free(text);
		} else {
			rc = sign_one(obj, identity_id, kp, &one, errbuf);
			if (rc != ENT_OK) {
				ent_err_prefix(errbuf, "%s: objects[%zu]", in_path, i);
				break;
			}
			n++;
		}
		if (rc == ENT_OK && i > 0)
			rc = ent_buf_puts(&out, ",");
		if (rc == ENT_OK)
			rc = ent_buf_append(&out, one.data, one.len);
	}
	if (rc == ENT_OK)
		rc = ent_buf_puts(&out, "]}\n");
	json_decref(bundle);
	ent_buf_free(&one);
	if (rc != ENT_OK) {
		ent_buf_free(&out);
		return errbuf[0] ? rc : ent_errf(errbuf, rc, "%s: out of memory", in_path);
	}
	fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, out.data, out.len) != (ssize_t)out.len) {
		rc = ent_errf(errbuf, ENT_EIO, "%s: %s", out_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(out_path);
	} else if (close(fd) != 0) {
		rc = ent_errf(errbuf, ENT_EIO, "%s: %s", out_path, strerror(errno));
		unlink(out_path);
	}
	ent_buf_free(&out);
	*signed_out = n;
	return rc;
}
