/*
 * http_request.c - the parts of a request and response that do not depend
 * on the HTTP server library, so that the TAXII layer can be driven
 * without sockets in tests.
 */
#include <stdio.h>
#include <string.h>

#include "taxii/http_server.h"

const char *ent_http_query(const struct ent_http_request *req, const char *key)
{
	for (size_t i = 0; i < req->n_args; i++)
		if (strcmp(req->args[i].key, key) == 0)
			return req->args[i].value;
	return NULL;
}

void ent_http_query_each(const struct ent_http_request *req,
                         void (*fn)(void *ctx, const char *key, const char *value), void *ctx)
{
	for (size_t i = 0; i < req->n_args; i++)
		fn(ctx, req->args[i].key, req->args[i].value);
}

int ent_http_response_header(struct ent_http_response *resp, const char *name, const char *value)
{
	if (resp->n_headers == ENT_HTTP_MAX_HEADERS ||
	    strlen(name) >= sizeof(resp->headers[0].name) ||
	    strlen(value) >= sizeof(resp->headers[0].value))
		return ENT_ELIMIT;
	/* no header injection through a name or value */
	if (name[0] == '\0' || strpbrk(name, "\r\n: \t") != NULL || strpbrk(value, "\r\n") != NULL)
		return ENT_EINVAL;
	snprintf(resp->headers[resp->n_headers].name, sizeof(resp->headers[0].name), "%s", name);
	snprintf(resp->headers[resp->n_headers].value, sizeof(resp->headers[0].value), "%s", value);
	resp->n_headers++;
	return ENT_OK;
}
