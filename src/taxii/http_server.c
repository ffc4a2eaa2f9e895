/*
 * http_server.c - libmicrohttpd (with GnuTLS) under the TAXII layer (see
 * http_server.h).
 *
 * MHD runs cfg->threads threads, each with its own epoll loop; every
 * callback below runs on the thread that owns the connection, except the
 * watchdog.
 *
 * A connection (struct conn, MHD's socket context) is in one of two states:
 *   RECEIVING  from its accept, and again from the end of each request, until
 *              a whole request has arrived; counts toward request_timeout;
 *   ANSWERING  from then until the request-completed callback (the handler
 *              runs, the response goes out; only the idle timeout applies).
 * on_connection (started) puts it in RECEIVING, on_request (last call)
 * moves it to ANSWERING, on_completed back to RECEIVING with a new start.
 * The watchdog thread wakes twice a second and shuts down (shutdown(2),
 * which MHD sees as the peer going away) the socket of every connection
 * RECEIVING for longer than request_timeout: a client that trickles its
 * headers, its TLS handshake or its body just fast enough to dodge the idle
 * timeout is cut off all the same. The connection list is under conns_lock;
 * MHD calls on_connection (closed) before it closes the socket, so a socket
 * in the list is always still open.
 *
 * A request (struct req, MHD's per-request context) accumulates its body in
 * a buffer bounded by max_body; a Content-Length over max_body gets 413 at
 * once, a body that grows over it is discarded and gets 413 at its end;
 * neither reaches the handler. on_completed frees it.
 */
#include "taxii/http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "trust/auth.h"

#define WWW_AUTHENTICATE "Basic realm=\"entente\", Bearer realm=\"entente\""
#define TLS_PRIORITIES   "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

struct conn {
	struct conn *prev, *next;
	int fd;
	int64_t start_ms; /* monotonic: when the current request began arriving */
	bool receiving;   /* RECEIVING (true) or ANSWERING */
};

struct req {
	struct ent_buf body;
	bool too_big;
};

struct ent_http_server {
	struct MHD_Daemon *daemon;
	struct ent_http_config cfg; /* its strings are not kept */
	struct ent_auth *auth;
	ent_http_handler_fn handler;
	void *handler_ctx;
	char *cert_pem, *key_pem;
	uint16_t port;

	pthread_mutex_t conns_lock;
	struct conn *conns;
	pthread_cond_t wake;
	bool stopping;
	bool watchdog_running;
	pthread_t watchdog;

	bool starting;       /* MHD's messages go to start_err while starting */
	char start_err[256]; /* MHD's last message while starting */
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- requests and responses as the handler sees them ---- */

#define MAX_ARGS 64

struct args_ctx {
	struct ent_http_arg *v;
	size_t n;
};

/* Collects the query arguments (MHD has decoded them) for the handler;
 * beyond MAX_ARGS they are dropped (no TAXII request needs a tenth). */
static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
	struct args_ctx *a = cls;

	(void)kind;
	if (a->n < MAX_ARGS)
		a->v[a->n++] = (struct ent_http_arg){key, value != NULL ? value : ""};
	return MHD_YES;
}

/* ---- MHD callbacks ---- */

static struct conn *conn_of(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

static void conn_set(struct ent_http_server *srv, struct conn *c, bool receiving)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&srv->conns_lock);
	c->receiving = receiving;
	c->start_ms = mono_ms();
	pthread_mutex_unlock(&srv->conns_lock);
}

/* True if the request on c has been arriving for longer than request_timeout. */
static bool conn_too_slow(struct ent_http_server *srv, struct conn *c)
{
	bool slow;

	if (c == NULL || srv->cfg.request_timeout_s == 0)
		return false;
	pthread_mutex_lock(&srv->conns_lock);
	slow = mono_ms() - c->start_ms > (int64_t)srv->cfg.request_timeout_s * 1000;
	pthread_mutex_unlock(&srv->conns_lock);
	return slow;
}

static void on_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
	struct ent_http_server *srv = cls;
	struct conn *c = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);

		c = calloc(1, sizeof(*c));
		*socket_context = c;
		if (c == NULL || ci == NULL) {
			free(c);
			*socket_context = NULL;
			return;
		}
		c->fd = ci->connect_fd;
		c->receiving = true;
		c->start_ms = mono_ms();
		pthread_mutex_lock(&srv->conns_lock);
		c->next = srv->conns;
		if (srv->conns != NULL)
			srv->conns->prev = c;
		srv->conns = c;
		pthread_mutex_unlock(&srv->conns_lock);
		return;
	}
	/* MHD_CONNECTION_NOTIFY_CLOSED: the socket is still open */
	if (c == NULL)
		return;
	pthread_mutex_lock(&srv->conns_lock);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&srv->conns_lock);
	free(c);
	*socket_context = NULL;
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct ent_http_server *srv = cls;
	struct req *r = *con_cls;

	(void)toe;
	if (r != NULL) {
		ent_buf_free(&r->body);
		free(r);
		*con_cls = NULL;
	}
	/* the next request on this connection starts now */
	conn_set(srv, conn_of(mc), true);
}

static enum MHD_Result queue(struct MHD_Connection *mc, int status, const char *content_type,
                             struct ent_buf *body, const struct ent_http_response *hdrs)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	bool have_www_auth = false;

	if (body != NULL && body->len > 0) {
		size_t len = body->len;

		resp = MHD_create_response_from_buffer(len, ent_buf_steal(body),
		                                       MHD_RESPMEM_MUST_FREE);
	} else {
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	}
	if (resp == NULL)
		return MHD_NO;
	if (content_type != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	for (size_t i = 0; hdrs != NULL && i < hdrs->n_headers; i++) {
		if (strcasecmp(hdrs->headers[i].name, MHD_HTTP_HEADER_WWW_AUTHENTICATE) == 0)
			have_www_auth = true;
		MHD_add_response_header(resp, hdrs->headers[i].name, hdrs->headers[i].value);
	}
	if (status == MHD_HTTP_UNAUTHORIZED && !have_www_auth)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, WWW_AUTHENTICATE);
	ret = MHD_queue_response(mc, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result too_large(struct MHD_Connection *mc)
{
	struct ent_buf b;
	enum MHD_Result ret;

	ent_buf_init(&b, 256);
	if (ent_buf_puts(&b, "request body too large\n") != ENT_OK)
		ent_buf_reset(&b);
	ret = queue(mc, MHD_HTTP_CONTENT_TOO_LARGE, "text/plain", &b, NULL);
	ent_buf_free(&b);
	return ret;
}

/* A Content-Length over max, or not a number (MHD refuses those itself). */
static bool declared_too_big(struct MHD_Connection *mc, size_t max)
{
	const char *cl =
	    MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	unsigned long long n;
	char *end;

	if (cl == NULL)
		return false;
	errno = 0;
	n = strtoull(cl, &end, 10);
	if (end == cl)
		return false;
	return errno == ERANGE || n > max;
}

static enum MHD_Result answer(struct ent_http_server *srv, struct MHD_Connection *mc,
                              const char *url, const char *method, struct req *r)
{
	struct ent_http_request req = {0};
	struct ent_http_arg argv[MAX_ARGS];
	struct args_ctx args = {argv, 0};
	struct ent_http_principal who;
	struct ent_http_response resp;
	enum MHD_Result ret;
	const char *authz;

	req.method = method;
	req.path = url;
	req.accept = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	req.content_type =
	    MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	req.body = r->body.data != NULL ? r->body.data : "";
	req.body_len = r->body.len;
	MHD_get_connection_values(mc, MHD_GET_ARGUMENT_KIND, collect_arg, &args);
	req.args = argv;
	req.n_args = args.n;
	authz = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	req.credentials_given = authz != NULL;
	if (authz != NULL && srv->auth != NULL &&
	    ent_auth_check(srv->auth, authz, &who, NULL) == ENT_OK)
		req.who = &who;

	memset(&resp, 0, sizeof(resp));
	ent_buf_init(&resp.body, srv->cfg.max_response);
	srv->handler(srv->handler_ctx, &req, &resp);
	if (resp.status < 100 || resp.status > 599) {
		/* the handler answered nothing sensible */
		ent_buf_reset(&resp.body);
		resp.status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		resp.content_type = NULL;
		resp.n_headers = 0;
	}
	ret =
	    queue(mc, resp.status, resp.body.len > 0 ? resp.content_type : NULL, &resp.body, &resp);
	ent_buf_free(&resp.body);
	/* the body is not needed any more; the request ends in on_completed */
	ent_buf_free(&r->body);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
	struct ent_http_server *srv = cls;
	struct req *r = *con_cls;

	(void)version;
	if (r == NULL) {
		/* first call: the headers are in, the body is not */
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return MHD_NO;
		ent_buf_init(&r->body, srv->cfg.max_body);
		*con_cls = r;
		if (declared_too_big(mc, srv->cfg.max_body)) {
			/* answered before the body is read; MHD then closes */
			conn_set(srv, conn_of(mc), false);
			return too_large(mc);
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (conn_too_slow(srv, conn_of(mc)))
			return MHD_NO; /* close */
		if (!r->too_big) {
			int rc = ent_buf_append(&r->body, upload_data, *upload_data_size);

			if (rc == ENT_ELIMIT) {
				r->too_big = true;
				ent_buf_free(&r->body);
			} else if (rc != ENT_OK) {
				return MHD_NO;
			}
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	/* last call: the whole request is in */
	conn_set(srv, conn_of(mc), false);
	if (r->too_big)
		return too_large(mc);
	return answer(srv, mc, url, method, r);
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct ent_http_server *srv = cls;

	if (!srv->starting)
		return; /* a running server's complaints are about its clients */
	vsnprintf(srv->start_err, sizeof(srv->start_err), fmt, ap);
	srv->start_err[strcspn(srv->start_err, "\r\n")] = '\0';
}

static void *watchdog_main(void *arg)
{
	struct ent_http_server *srv = arg;
	int64_t limit = (int64_t)srv->cfg.request_timeout_s * 1000;

	pthread_mutex_lock(&srv->conns_lock);
	while (!srv->stopping) {
		struct timespec until;
		int64_t now;

		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += 500 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&srv->wake, &srv->conns_lock, &until);
		if (srv->stopping)
			break;
		now = mono_ms();
		for (struct conn *c = srv->conns; c != NULL; c = c->next) {
			if (c->receiving && now - c->start_ms > limit) {
				shutdown(c->fd, SHUT_RDWR);
				c->receiving = false; /* once is enough */
			}
		}
	}
	pthread_mutex_unlock(&srv->conns_lock);
	return NULL;
}

/* ---- start and stop ---- */

/* "127.0.0.1:8443", "[::1]:0", "0.0.0.0:8443" into *ss. */
static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len,
                        char *errbuf)
{
	char host[64];
	const char *port_s;
	unsigned long port;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if (listen == NULL || listen[0] == '\0')
		return ent_errf(errbuf, ENT_EINVAL, "no listen address");
	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');

		if (close == NULL || close[1] != ':' ||
		    (size_t)(close - listen - 1) >= sizeof(host))
			goto bad;
		memcpy(host, listen + 1, (size_t)(close - listen - 1));
		host[close - listen - 1] = '\0';
		port_s = close + 2;
	} else {
		const char *colon = strrchr(listen, ':');

		if (colon == NULL || (size_t)(colon - listen) >= sizeof(host))
			goto bad;
		memcpy(host, listen, (size_t)(colon - listen));
		host[colon - listen] = '\0';
		port_s = colon + 1;
	}
	if (port_s[0] < '0' || port_s[0] > '9')
		goto bad;
	errno = 0;
	port = strtoul(port_s, &end, 10);
	if (*end != '\0' || errno != 0 || port > 65535)
		goto bad;
	if (listen[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			goto bad;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			goto bad;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
	}
	return ENT_OK;
bad:
	return ent_errf(errbuf, ENT_EINVAL,
	                "listen address '%s' is not ADDRESS:PORT (127.0.0.1:8443, [::1]:8443)",
	                listen);
}

static int load_pem(const char *path, const char *what, char **out, char *errbuf)
{
	gnutls_datum_t d = {NULL, 0};
	int g;

	if (path == NULL || path[0] == '\0')
		return ent_errf(errbuf, ENT_EINVAL, "no TLS %s file configured", what);
	g = gnutls_load_file(path, &d);
	if (g < 0)
		return ent_errf(errbuf, ENT_EIO, "%s: cannot read the TLS %s: %s", path, what,
		                gnutls_strerror(g));
	*out = malloc(d.size + 1);
	if (*out == NULL) {
		sodium_memzero(d.data, d.size);
		gnutls_free(d.data);
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	}
	memcpy(*out, d.data, d.size);
	(*out)[d.size] = '\0';
	sodium_memzero(d.data, d.size);
	gnutls_free(d.data);
	return ENT_OK;
}

/* Enough descriptors for max_connections sockets and the rest. */
static void raise_fd_limit(unsigned max_connections)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)max_connections + 128;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

static void free_server(struct ent_http_server *srv)
{
	if (srv->key_pem != NULL) {
		sodium_memzero(srv->key_pem, strlen(srv->key_pem));
		free(srv->key_pem);
	}
	free(srv->cert_pem);
	pthread_cond_destroy(&srv->wake);
	pthread_mutex_destroy(&srv->conns_lock);
	free(srv);
}

int ent_http_start(const struct ent_http_config *cfg, struct ent_auth *auth,
                   ent_http_handler_fn handler, void *handler_ctx, struct ent_http_server **out,
                   char *errbuf)
{
	struct ent_http_server *srv;
	struct sockaddr_storage ss;
	socklen_t ss_len = 0;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem ops[16];
	size_t n = 0;
	const union MHD_DaemonInfo *di;
	struct sigaction sa;
	int rc;

	*out = NULL;
	if (cfg->threads < 1 || cfg->threads > 256)
		return ent_errf(errbuf, ENT_EINVAL, "threads must be 1 to 256, not %u",
		                cfg->threads);
	if (cfg->max_connections < cfg->threads)
		return ent_errf(errbuf, ENT_EINVAL, "max_connections (%u) is below threads (%u)",
		                cfg->max_connections, cfg->threads);
	rc = parse_listen(cfg->listen, &ss, &ss_len, errbuf);
	if (rc != ENT_OK)
		return rc;
	if (sodium_init() < 0)
		return ent_errf(errbuf, ENT_EIO, "libsodium could not be initialised");
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	pthread_mutex_init(&srv->conns_lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&srv->wake, &ca);
		pthread_condattr_destroy(&ca);
	}
	srv->cfg = *cfg;
	srv->cfg.listen = srv->cfg.tls_cert = srv->cfg.tls_key = NULL;
	srv->auth = auth;
	srv->handler = handler;
	srv->handler_ctx = handler_ctx;
	if (!cfg->plain_http) {
		rc = load_pem(cfg->tls_cert, "certificate", &srv->cert_pem, errbuf);
		if (rc == ENT_OK)
			rc = load_pem(cfg->tls_key, "key", &srv->key_pem, errbuf);
		if (rc != ENT_OK) {
			free_server(srv);
			return rc;
		}
		flags |= MHD_USE_TLS;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;

	/* MHD expects the application to ignore SIGPIPE (a peer that goes
	 * away mid-response must not kill the node); leave a handler alone */
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
		sa.sa_handler = SIG_IGN;
		sigaction(SIGPIPE, &sa, NULL);
	}
	raise_fd_limit(cfg->max_connections);

	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &ss};
	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, srv};
	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, NULL};
	ops[n++] =
	    (struct MHD_OptionItem){MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_per_client, NULL};
	ops[n++] =
	    (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, cfg->idle_timeout_s, NULL};
	ops[n++] =
	    (struct MHD_OptionItem){MHD_OPTION_LISTEN_BACKLOG_SIZE,
	                            cfg->max_connections > 128 ? cfg->max_connections : 128, NULL};
	ops[n++] =
	    (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, srv};
	ops[n++] =
	    (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, srv};
	if (cfg->threads > 1)
		ops[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, cfg->threads, NULL};
	if (!cfg->plain_http) {
		ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, srv->cert_pem};
		ops[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, srv->key_pem};
		ops[n++] =
		    (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)TLS_PRIORITIES};
	}
	ops[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};

	srv->starting = true;
	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_ARRAY, ops,
	                               MHD_OPTION_END);
	srv->starting = false;
	if (srv->daemon == NULL) {
		rc = ent_errf(errbuf, ENT_EIO, "cannot serve on %s: %s", cfg->listen,
		              srv->start_err[0] ? srv->start_err
		                                : "address in use, or a bad certificate or key");
		free_server(srv);
		return rc;
	}
	di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = di != NULL ? di->port : 0;
	if (cfg->request_timeout_s > 0) {
		if (pthread_create(&srv->watchdog, NULL, watchdog_main, srv) != 0) {
			MHD_stop_daemon(srv->daemon);
			free_server(srv);
			return ent_errf(errbuf, ENT_ENOMEM, "cannot start the watchdog thread");
		}
		srv->watchdog_running = true;
	}
	*out = srv;
	return ENT_OK;
}

uint16_t ent_http_port(const struct ent_http_server *srv)
{
	return srv->port;
}

void ent_http_stop(struct ent_http_server *srv)
{
	if (srv == NULL)
		return;
	if (srv->watchdog_running) {
		pthread_mutex_lock(&srv->conns_lock);
		srv->stopping = true;
		pthread_cond_signal(&srv->wake);
		pthread_mutex_unlock(&srv->conns_lock);
		pthread_join(srv->watchdog, NULL);
	}
	/* closes every connection: on_completed and on_connection free theirs */
	MHD_stop_daemon(srv->daemon);
	free_server(srv);
}
