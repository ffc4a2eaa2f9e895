/*
 * test_http_server.c - the HTTP(S) front of `entente serve`
 * (taxii/http_server.h), driven by libcurl on loopback over ephemeral
 * ports: TLS verified against a pinned self-signed certificate made by
 * trust/cert.c (and refused without it), 413 before the handler, 401 with
 * WWW-Authenticate (RFC 9110 section 11.6.1), Basic and Bearer principals,
 * decoded query arguments, plain HTTP, slow and surplus connections cut
 * off, a thousand connections at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "store/peers.h"
#include "taxii/http_server.h"
#include "testutil.h"
#include "trust/auth.h"
#include "trust/cert.h"

static char *dir;
static char cert[512], key[512], other_cert[512], other_key[512], store_path[512];
static char token[ENT_AUTH_TOKEN_MAX];
static atomic_int handler_calls;

/* The handler answers 401 to requests without a valid principal on paths
 * under /private, and otherwise echoes what it saw, one fact per line. */
static void echo_handler(void *ctx, const struct ent_http_request *req,
                         struct ent_http_response *resp)
{
	const char *a = ent_http_query(req, "a"), *m = ent_http_query(req, "match[id]");

	(void)ctx;
	atomic_fetch_add(&handler_calls, 1);
	if (strncmp(req->path, "/private", 8) == 0 && req->who == NULL) {
		resp->status = 401;
		return;
	}
	resp->status = 200;
	resp->content_type = "text/plain";
	assert_int_equal(ent_http_response_header(resp, "X-Test", "yes"), ENT_OK);
	assert_int_equal(ent_buf_printf(&resp->body,
	                                "method=%s\npath=%s\nwho=%s\ngroups=%s\ncreds=%d\na=%s\n"
	                                "match=%s\nbody=%zu\nct=%s\n",
	                                req->method, req->path, req->who ? req->who->peer : "-",
	                                req->who ? req->who->groups : "-", req->credentials_given,
	                                a ? a : "-", m ? m : "-", req->body_len,
	                                req->content_type ? req->content_type : "-"),
	                 ENT_OK);
}

static int setup_all(void **state)
{
	char err[ENT_ERRBUF_SIZE];
	struct ent_store *s;
	struct ent_peer p = {0};

	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	dir = tu_mkdtemp();
	snprintf(cert, sizeof(cert), "%s/tls.crt", dir);
	snprintf(key, sizeof(key), "%s/tls.key", dir);
	snprintf(other_cert, sizeof(other_cert), "%s/other.crt", dir);
	snprintf(other_key, sizeof(other_key), "%s/other.key", dir);
	snprintf(store_path, sizeof(store_path), "%s/store.db", dir);
	if (ent_cert_generate(cert, key, "node-a.example", 30, err) != ENT_OK ||
	    ent_cert_generate(other_cert, other_key, "node-b", 30, err) != ENT_OK) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if (ent_store_open(store_path, ENT_STORE_CREATE, &s, err) != ENT_OK)
		return -1;
	snprintf(p.name, sizeof(p.name), "peer-a");
	snprintf(p.groups, sizeof(p.groups), "community,partners");
	p.trust = 50;
	ent_auth_token_new(token);
	{
		char id[ENT_AUTH_TOKEN_ID_LEN + 1];

		if (ent_store_peer_add(s, &p, err) != ENT_OK ||
		    ent_store_account_add(s, p.id, "basic", "alice", "s3cret pass", NULL, err) !=
		        ENT_OK ||
		    !ent_auth_token_id(token, id) ||
		    ent_store_account_add(s, p.id, "token", id, token, NULL, err) != ENT_OK) {
			fprintf(stderr, "%s\n", err);
			return -1;
		}
	}
	ent_store_close(s);
	return 0;
}

static int teardown_all(void **state)
{
	(void)state;
	free(dir);
	curl_global_cleanup();
	return 0;
}

static struct ent_http_config base_config(bool plain)
{
	struct ent_http_config c = {
	    .listen = "127.0.0.1:0",
	    .tls_cert = plain ? NULL : cert,
	    .tls_key = plain ? NULL : key,
	    .plain_http = plain,
	    .threads = 2,
	    .max_body = 1000,
	    .max_connections = 64,
	    .max_per_client = 0,
	    .idle_timeout_s = 30,
	    .request_timeout_s = 60,
	    .max_response = 1 << 20,
	};
	return c;
}

/* ---- a small libcurl client ---- */

struct reply {
	long status;
	CURLcode code;
	char body[4096];
	size_t len;
	char www_auth[256];
	char x_test[16];
};

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct reply *r = ctx;
	size_t len = size * n, room = sizeof(r->body) - 1 - r->len;

	memcpy(r->body + r->len, p, len < room ? len : room);
	r->len += len < room ? len : room;
	r->body[r->len] = '\0';
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct reply *r = ctx;
	size_t len = size * n;
	char line[512];

	snprintf(line, sizeof(line), "%.*s", (int)len, p);
	line[strcspn(line, "\r\n")] = '\0';
	if (strncasecmp(line, "WWW-Authenticate: ", 18) == 0)
		snprintf(r->www_auth, sizeof(r->www_auth), "%s", line + 18);
	if (strncasecmp(line, "X-Test: ", 8) == 0)
		snprintf(r->x_test, sizeof(r->x_test), "%s", line + 8);
	return len;
}

struct req_opts {
	const char *ca;
	const char *userpwd;
	const char *bearer;
	const char *body;
	size_t body_len;
	bool chunked;
	const char *resolve_localhost; /* use https://localhost, resolved to 127.0.0.1 */
};

static void request(struct ent_http_server *srv, bool tls, const char *path_query,
                    const struct req_opts *o, struct reply *r)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hdrs = NULL, *resolve = NULL;
	char url[512], line[512];
	uint16_t port = ent_http_port(srv);

	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "%s://%s:%u%s", tls ? "https" : "http",
	         o->resolve_localhost ? "localhost" : "127.0.0.1", port, path_query);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (o->resolve_localhost) {
		snprintf(line, sizeof(line), "localhost:%u:127.0.0.1", port);
		resolve = curl_slist_append(resolve, line);
		curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
	}
	if (o->ca != NULL) {
		/* only the pinned certificate, not the system's CA directory too */
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca);
		curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	}
	if (o->userpwd != NULL) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERPWD, o->userpwd);
	}
	if (o->bearer != NULL) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", o->bearer);
		hdrs = curl_slist_append(hdrs, line);
	}
	if (o->body != NULL) {
		hdrs = curl_slist_append(hdrs, "Content-Type: application/taxii+json;version=2.1");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, o->body);
		if (o->chunked)
			hdrs = curl_slist_append(hdrs, "Transfer-Encoding: chunked");
		else
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)o->body_len);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	r->code = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hdrs);
	curl_slist_free_all(resolve);
	curl_easy_cleanup(c);
}

static struct ent_http_server *start(const struct ent_http_config *cfg, struct ent_auth *auth)
{
	char err[ENT_ERRBUF_SIZE];
	struct ent_http_server *srv = NULL;

	if (ent_http_start(cfg, auth, echo_handler, NULL, &srv, err) != ENT_OK)
		fail_msg("ent_http_start: %s", err);
	assert_int_not_equal(ent_http_port(srv), 0);
	return srv;
}

/* ---- tests ---- */

static void test_tls_pinned(void **state)
{
	struct ent_http_config cfg = base_config(false);
	struct ent_http_server *srv;
	struct reply r;

	(void)state;
	srv = start(&cfg, NULL);
	/* the pinned certificate verifies, for the IP and for DNS:localhost */
	request(srv, true, "/x", &(struct req_opts){.ca = cert}, &r);
	assert_int_equal(r.code, CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "path=/x\n"));
	assert_string_equal(r.x_test, "yes");
	request(srv, true, "/x", &(struct req_opts){.ca = cert, .resolve_localhost = "1"}, &r);
	assert_int_equal(r.code, CURLE_OK);
	assert_int_equal(r.status, 200);
	/* another certificate, or none (the system's CAs), does not */
	request(srv, true, "/x", &(struct req_opts){.ca = other_cert}, &r);
	assert_int_equal(r.code, CURLE_PEER_FAILED_VERIFICATION);
	request(srv, true, "/x", &(struct req_opts){0}, &r);
	assert_int_equal(r.code, CURLE_PEER_FAILED_VERIFICATION);
	/* plain HTTP to a TLS server gets no answer */
	request(srv, false, "/x", &(struct req_opts){0}, &r);
	assert_int_not_equal(r.status, 200);
	ent_http_stop(srv);
}

static void test_plain_http_and_query(void **state)
{
	struct ent_http_config cfg = base_config(true);
	struct ent_http_server *srv;
	struct reply r;

	(void)state;
	srv = start(&cfg, NULL);
	request(srv, false, "/api%20root/objects/?a=b%20c%2Fd&match%5Bid%5D=indicator--1&a=second",
	        &(struct req_opts){0}, &r);
	assert_int_equal(r.code, CURLE_OK);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "method=GET\n"));
	assert_non_null(strstr(r.body, "path=/api root/objects/\n"));
	/* the first of a repeated argument; keys decoded too */
	assert_non_null(strstr(r.body, "a=b c/d\n"));
	assert_non_null(strstr(r.body, "match=indicator--1\n"));
	assert_non_null(strstr(r.body, "creds=0\n"));
	ent_http_stop(srv);
}

static void test_body_limit(void **state)
{
	struct ent_http_config cfg = base_config(false);
	struct ent_http_server *srv;
	struct reply r;
	char big[1002];
	int before;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0'; /* the chunked request sends it as a string */
	srv = start(&cfg, NULL);
	/* exactly max_body reaches the handler */
	request(srv, true, "/in", &(struct req_opts){.ca = cert, .body = big, .body_len = 1000},
	        &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "body=1000\n"));
	assert_non_null(strstr(r.body, "ct=application/taxii+json;version=2.1\n"));
	before = atomic_load(&handler_calls);
	/* one byte more, declared in Content-Length: 413, no handler */
	request(srv, true, "/in", &(struct req_opts){.ca = cert, .body = big, .body_len = 1001},
	        &r);
	assert_int_equal(r.status, 413);
	/* the same, chunked (no Content-Length): 413 at its end */
	request(srv, true, "/in",
	        &(struct req_opts){.ca = cert, .body = big, .body_len = 1001, .chunked = true}, &r);
	assert_int_equal(r.status, 413);
	assert_int_equal(atomic_load(&handler_calls), before);
	ent_http_stop(srv);
}

static void test_auth(void **state)
{
	struct ent_http_config cfg = base_config(false);
	struct ent_http_server *srv;
	struct ent_auth *auth;
	char err[ENT_ERRBUF_SIZE], wrong[ENT_AUTH_TOKEN_MAX];
	struct reply r;

	(void)state;
	assert_int_equal(ent_auth_new(store_path, &auth, err), ENT_OK);
	srv = start(&cfg, auth);
	/* no credentials: the handler's 401 carries the challenge */
	request(srv, true, "/private", &(struct req_opts){.ca = cert}, &r);
	assert_int_equal(r.status, 401);
	assert_string_equal(r.www_auth, "Basic realm=\"entente\", Bearer realm=\"entente\"");
	/* Basic */
	request(srv, true, "/private/x",
	        &(struct req_opts){.ca = cert, .userpwd = "alice:s3cret pass"}, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "who=peer-a\n"));
	assert_non_null(strstr(r.body, "groups=community,partners\n"));
	assert_non_null(strstr(r.body, "creds=1\n"));
	/* a wrong password: given, but no principal */
	request(srv, true, "/x", &(struct req_opts){.ca = cert, .userpwd = "alice:s3cret pas"}, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "who=-\n"));
	assert_non_null(strstr(r.body, "creds=1\n"));
	request(srv, true, "/private", &(struct req_opts){.ca = cert, .userpwd = "mallory:x"}, &r);
	assert_int_equal(r.status, 401);
	assert_string_equal(r.www_auth, "Basic realm=\"entente\", Bearer realm=\"entente\"");
	/* Bearer */
	request(srv, true, "/private", &(struct req_opts){.ca = cert, .bearer = token}, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "who=peer-a\n"));
	snprintf(wrong, sizeof(wrong), "%s", token);
	wrong[strlen(wrong) - 1] = wrong[strlen(wrong) - 1] == 'A' ? 'B' : 'A';
	request(srv, true, "/x", &(struct req_opts){.ca = cert, .bearer = wrong}, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "who=-\n"));
	ent_http_stop(srv);
	ent_auth_free(auth);
}

/* A raw plain-HTTP connection to the server. */
static int raw_connect(struct ent_http_server *srv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(ent_http_port(srv))};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* True if the server closes fd within limit_s seconds (recv gives 0 or an error). */
static bool closed_within(int fd, int limit_s)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char b[256];

	for (int waited = 0; waited < limit_s * 10; waited++) {
		if (poll(&p, 1, 100) == 1) {
			ssize_t n = recv(fd, b, sizeof(b), MSG_DONTWAIT);

			if (n <= 0)
				return true;
		}
	}
	return false;
}

static void test_slow_body_cut_off(void **state)
{
	struct ent_http_config cfg = base_config(true);
	struct ent_http_server *srv;
	static const char head[] = "POST /in HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n";
	bool cut = false;
	int fd, before = atomic_load(&handler_calls);

	(void)state;
	cfg.request_timeout_s = 1; /* the idle timeout (30 s) alone would not cut it off */
	srv = start(&cfg, NULL);
	fd = raw_connect(srv);
	assert_int_equal(send(fd, head, sizeof(head) - 1, MSG_NOSIGNAL), (ssize_t)sizeof(head) - 1);
	/* a byte every 200 ms: never idle, never done */
	for (int i = 0; i < 100 && !cut; i++) {
		struct timespec ts = {0, 200 * 1000000L};

		if (send(fd, "x", 1, MSG_NOSIGNAL) != 1) {
			cut = true;
			break;
		}
		nanosleep(&ts, NULL);
		{
			struct pollfd p = {.fd = fd, .events = POLLIN};
			char b[64];

			if (poll(&p, 1, 0) == 1 && recv(fd, b, sizeof(b), MSG_DONTWAIT) <= 0)
				cut = true;
		}
	}
	assert_true(cut);
	assert_int_equal(atomic_load(&handler_calls), before);
	close(fd);

	/* headers trickled in the same way are cut off too */
	fd = raw_connect(srv);
	cut = false;
	for (int i = 0; i < 100 && !cut; i++) {
		struct timespec ts = {0, 200 * 1000000L};

		if (send(fd, i == 0 ? "G" : "X", 1, MSG_NOSIGNAL) != 1)
			cut = true;
		nanosleep(&ts, NULL);
		{
			struct pollfd p = {.fd = fd, .events = POLLIN};
			char b[64];

			if (poll(&p, 1, 0) == 1 && recv(fd, b, sizeof(b), MSG_DONTWAIT) <= 0)
				cut = true;
		}
	}
	assert_true(cut);
	close(fd);
	ent_http_stop(srv);
}

static void test_connection_limit(void **state)
{
	struct ent_http_config cfg = base_config(true);
	struct ent_http_server *srv;
	static const char req[] = "GET /fifth HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	int fds[4], extra;

	(void)state;
	cfg.threads = 1;
	cfg.max_connections = 4;
	srv = start(&cfg, NULL);
	for (int i = 0; i < 4; i++)
		fds[i] = raw_connect(srv);
	/* all four slots are held: MHD leaves the fifth in the listen queue,
	 * unanswered, and serves it as soon as a slot frees */
	extra = raw_connect(srv);
	assert_int_equal(send(extra, req, sizeof(req) - 1, MSG_NOSIGNAL), (ssize_t)sizeof(req) - 1);
	{
		struct pollfd p = {.fd = extra, .events = POLLIN};

		assert_int_equal(poll(&p, 1, 500), 0);
	}
	close(fds[0]);
	{
		struct pollfd p = {.fd = extra, .events = POLLIN};
		char b[64] = "";

		assert_int_equal(poll(&p, 1, 20000), 1);
		assert_true(recv(extra, b, sizeof(b) - 1, 0) > 12);
		assert_memory_equal(b, "HTTP/1.1 200", 12);
	}
	close(extra);
	for (int i = 1; i < 4; i++)
		close(fds[i]);
	ent_http_stop(srv);

	/* the per-client limit likewise */
	cfg = base_config(true);
	cfg.max_per_client = 2;
	srv = start(&cfg, NULL);
	fds[0] = raw_connect(srv);
	fds[1] = raw_connect(srv);
	extra = raw_connect(srv);
	assert_true(closed_within(extra, 20));
	close(extra);
	close(fds[0]);
	close(fds[1]);
	ent_http_stop(srv);
}

#define N_CONCURRENT 1000

static void test_thousand_connections(void **state)
{
	struct ent_http_config cfg = base_config(false);
	struct ent_http_server *srv;
	CURLM *m = curl_multi_init();
	CURL **easy = calloc(N_CONCURRENT, sizeof(*easy));
	struct reply *replies = calloc(N_CONCURRENT, sizeof(*replies));
	char url[128];
	int running = 1, ok = 0;

	(void)state;
	cfg.max_connections = N_CONCURRENT + 24;
	srv = start(&cfg, NULL);
	snprintf(url, sizeof(url), "https://127.0.0.1:%u/many", ent_http_port(srv));
	for (int i = 0; i < N_CONCURRENT; i++) {
		easy[i] = curl_easy_init();
		curl_easy_setopt(easy[i], CURLOPT_URL, url);
		curl_easy_setopt(easy[i], CURLOPT_CAINFO, cert);
		curl_easy_setopt(easy[i], CURLOPT_CAPATH, NULL);
		curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(easy[i], CURLOPT_WRITEDATA, &replies[i]);
		curl_easy_setopt(easy[i], CURLOPT_TIMEOUT, 120L);
		curl_easy_setopt(easy[i], CURLOPT_FORBID_REUSE, 1L);
		curl_multi_add_handle(m, easy[i]);
	}
	while (running) {
		CURLMsg *msg;
		int left;

		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left)) != NULL)
			if (msg->msg == CURLMSG_DONE && msg->data.result != CURLE_OK)
				fprintf(stderr, "curl: %s\n", curl_easy_strerror(msg->data.result));
		curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	for (int i = 0; i < N_CONCURRENT; i++) {
		long status = 0;

		curl_easy_getinfo(easy[i], CURLINFO_RESPONSE_CODE, &status);
		if (status == 200 && strstr(replies[i].body, "path=/many\n") != NULL)
			ok++;

		curl_multi_remove_handle(m, easy[i]);
		curl_easy_cleanup(easy[i]);
	}
	curl_multi_cleanup(m);
	free(easy);
	free(replies);
	assert_int_equal(ok, N_CONCURRENT);
	ent_http_stop(srv);
}

static void test_bad_config(void **state)
{
	struct ent_http_config cfg = base_config(false);
	struct ent_http_server *srv = NULL;
	char err[ENT_ERRBUF_SIZE];
	static const char *const bad[] = {"127.0.0.1",    "127.0.0.1:", "127.0.0.1:65536",
	                                  "localhost:80", "[::1:80",    "::1:80",
	                                  "1.2.3:80"};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg.listen = bad[i];
		assert_int_equal(ent_http_start(&cfg, NULL, echo_handler, NULL, &srv, err),
		                 ENT_EINVAL);
		assert_null(srv);
	}
	cfg.listen = "127.0.0.1:0";
	cfg.tls_key = "/nonexistent/tls.key";
	assert_int_equal(ent_http_start(&cfg, NULL, echo_handler, NULL, &srv, err), ENT_EIO);
	assert_non_null(strstr(err, "/nonexistent/tls.key"));
	/* IPv6 loopback, when the machine has it */
	cfg = base_config(true);
	cfg.listen = "[::1]:0";
	if (ent_http_start(&cfg, NULL, echo_handler, NULL, &srv, err) == ENT_OK) {
		assert_int_not_equal(ent_http_port(srv), 0);
		ent_http_stop(srv);
	}
}

static void test_response_header(void **state)
{
	struct ent_http_response resp;

	(void)state;
	memset(&resp, 0, sizeof(resp));
	assert_int_equal(ent_http_response_header(&resp, "X-A", "bad\r\nInjected: 1"), ENT_EINVAL);
	assert_int_equal(ent_http_response_header(&resp, "X A", "v"), ENT_EINVAL);
	for (int i = 0; i < ENT_HTTP_MAX_HEADERS; i++)
		assert_int_equal(ent_http_response_header(&resp, "X-A", "v"), ENT_OK);
	assert_int_equal(ent_http_response_header(&resp, "X-A", "v"), ENT_ELIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tls_pinned),
	    cmocka_unit_test(test_plain_http_and_query),
	    cmocka_unit_test(test_body_limit),
	    cmocka_unit_test(test_auth),
	    cmocka_unit_test(test_slow_body_cut_off),
	    cmocka_unit_test(test_connection_limit),
	    cmocka_unit_test(test_thousand_connections),
	    cmocka_unit_test(test_bad_config),
	    cmocka_unit_test(test_response_header),
	};

	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
