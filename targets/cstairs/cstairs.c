/*
 * cstairs: a soaklab sample target written in C with pthreads, whose heap
 * fragments the way a C service's does.
 *
 * A thread per connection (as many small C servers have) reads each request
 * body into a buffer that doubles with realloc, copies it, parses the copy
 * into one malloc-ed node per token plus an index block every 64 tokens,
 * sleeps SLEEP_MS (a slow dependency) with all of it held, and answers. A
 * few nodes of each request (KEEP) go into a shared cache of CACHE_ENTRIES
 * slots, each replacing a random older entry, so kept nodes live from
 * milliseconds to many batches and sit between the holes the freed bodies
 * leave. The cache's size is bounded: what grows beyond it is the
 * allocator's.
 *
 *   GET  /healthz  -> 200 ok
 *   POST /parse    -> {"bytes":N,"tokens":N,"kept":N}
 *   GET  /metrics  -> Prometheus text: cstairs_requests_total,
 *                     cstairs_cache_bytes, cstairs_cache_entries,
 *                     cstairs_threads, cstairs_malloc_info{library}
 *                     (the shared object malloc comes from),
 *                     process_resident_memory_bytes
 *
 * Knobs (environment): PORT (required; 8080 or 127.0.0.1:8080, no other
 * host), SLEEP_MS (20), MAX_BODY (8MiB), KEEP (64), CACHE_ENTRIES (20000),
 * MAX_CONNS (256). A bad knob prints every problem on stderr and exits 2.
 * SIGTERM or SIGINT: stop accepting, give in-flight requests up to 5 s,
 * exit 0.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <libgen.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HEAD_MAX 16384
#define INDEX_EVERY 256

static struct {
	int port;
	long sleep_ms;
	long long max_body;
	long keep;
	long cache_entries;
	long max_conns;
} cfg;

static int bad_knobs;

static void knob_fail(const char *name, const char *val, const char *want)
{
	fprintf(stderr, "cstairs: %s=%s: %s\n", name, val, want);
	bad_knobs++;
}

/* parse_int reads a whole decimal integer in [lo, hi]. */
static long parse_int(const char *name, long def, long lo, long hi)
{
	const char *v = getenv(name);
	if (v == NULL || *v == '\0')
		return def;
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < lo || n > hi) {
		char want[96];
		snprintf(want, sizeof want, "want a whole number %ld-%ld", lo, hi);
		knob_fail(name, v, want);
		return def;
	}
	return n;
}

/* parse_size reads a size like 8MiB, 64KiB, 2MB or 1048576. */
static long long parse_size(const char *name, long long def)
{
	static const struct {
		const char *unit;
		long long mult;
	} units[] = {
		{"", 1}, {"B", 1}, {"K", 1LL << 10}, {"KiB", 1LL << 10}, {"M", 1LL << 20},
		{"MiB", 1LL << 20}, {"G", 1LL << 30}, {"GiB", 1LL << 30}, {"KB", 1000},
		{"MB", 1000000}, {"GB", 1000000000},
	};
	const char *v = getenv(name);
	if (v == NULL || *v == '\0')
		return def;
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno == 0 && end != v && n > 0) {
		for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
			if (strcasecmp(end, units[i].unit) == 0 && n <= (1LL << 40) / units[i].mult)
				return n * units[i].mult;
		}
	}
	knob_fail(name, v, "want a positive size like 8MiB, 512KiB or 2MB");
	return def;
}

static void read_config(void)
{
	const char *p = getenv("PORT");
	if (p == NULL || *p == '\0') {
		fprintf(stderr, "cstairs: PORT is required (8080 or 127.0.0.1:8080)\n");
		bad_knobs++;
	} else {
		const char *num = p;
		const char *colon = strrchr(p, ':');
		if (colon != NULL) {
			if ((size_t)(colon - p) != strlen("127.0.0.1") || strncmp(p, "127.0.0.1", colon - p) != 0)
				knob_fail("PORT", p, "only 127.0.0.1 is allowed as a host");
			num = colon + 1;
		}
		char *end;
		long n = strtol(num, &end, 10);
		if (end == num || *end != '\0' || n < 1 || n > 65535)
			knob_fail("PORT", p, "want a port 1-65535");
		cfg.port = (int)n;
	}
	cfg.sleep_ms = parse_int("SLEEP_MS", 20, 0, 60000);
	cfg.max_body = parse_size("MAX_BODY", 8LL << 20);
	cfg.keep = parse_int("KEEP", 64, 0, 4096);
	cfg.cache_entries = parse_int("CACHE_ENTRIES", 20000, 1, 10000000);
	cfg.max_conns = parse_int("MAX_CONNS", 256, 1, 100000);
}

/* The cache of kept parse nodes: random replacement, bounded entries. */
struct node {
	uint32_t len;
	uint32_t hash;
	char text[];
};

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct node **cache;
static long long cache_bytes, cache_used;

static pthread_mutex_t stat_mu = PTHREAD_MUTEX_INITIALIZER;
static long long requests_total;
static long threads_now;
static volatile sig_atomic_t stopping;

static void cache_put(struct node **nodes, int n, unsigned *seed)
{
	pthread_mutex_lock(&cache_mu);
	for (int i = 0; i < n; i++) {
		long k = (long)(((unsigned long)rand_r(seed) << 16 ^ (unsigned long)rand_r(seed)) % (unsigned long)cfg.cache_entries);
		if (cache[k] != NULL) {
			cache_bytes -= sizeof(struct node) + cache[k]->len;
			cache_used--;
			free(cache[k]);
		}
		cache[k] = nodes[i];
		cache_bytes += sizeof(struct node) + nodes[i]->len;
		cache_used++;
	}
	pthread_mutex_unlock(&cache_mu);
}

static int is_sep(char c) { return c == ' ' || c == '\n' || c == ',' || c == '\t' || c == '\r'; }

/*
 * parse splits body into nodes (one per token, sized by the token and a
 * varied annotation) and an index block every INDEX_EVERY tokens, holds them
 * for SLEEP_MS, keeps KEEP nodes spread over the body in the cache, frees the
 * rest, and returns the token count.
 */
static long parse(const char *body, size_t n, unsigned *seed, long *kept)
{
	char *copy = malloc(n ? n : 1);
	if (copy == NULL)
		return -1;
	memcpy(copy, body, n);
	size_t cap = 1024, count = 0;
	struct node **nodes = malloc(cap * sizeof *nodes);
	size_t icap = 64, icount = 0;
	void **index = malloc(icap * sizeof *index);
	if (nodes == NULL || index == NULL) {
		free(copy), free(nodes), free(index);
		return -1;
	}
	for (size_t i = 0; i < n;) {
		while (i < n && is_sep(copy[i]))
			i++;
		size_t start = i;
		while (i < n && !is_sep(copy[i]))
			i++;
		if (i == start)
			break;
		size_t len = i - start;
		size_t extra = (size_t)(rand_r(seed) % 4) * len; /* annotations vary a node's size */
		struct node *nd = malloc(sizeof *nd + len + extra + 1);
		if (nd == NULL)
			break;
		nd->len = (uint32_t)(len + extra + 1);
		memcpy(nd->text, copy + start, len);
		memset(nd->text + len, 'a', extra);
		nd->text[len + extra] = '\0';
		nd->hash = 2166136261u;
		for (size_t j = 0; j < len; j++)
			nd->hash = (nd->hash ^ (unsigned char)copy[start + j]) * 16777619u;
		if (count == cap) {
			struct node **g = realloc(nodes, 2 * cap * sizeof *nodes);
			if (g == NULL) {
				free(nd);
				break;
			}
			nodes = g, cap *= 2;
		}
		nodes[count++] = nd;
		if (count % INDEX_EVERY == 0) {
			size_t sz = 1024 + (size_t)(rand_r(seed) % 15360);
			void *blk = malloc(sz);
			if (blk != NULL) {
				memset(blk, (int)count, sz);
				if (icount == icap) {
					void **g = realloc(index, 2 * icap * sizeof *index);
					if (g == NULL) {
						free(blk);
						break;
					}
					index = g, icap *= 2;
				}
				index[icount++] = blk;
			}
		}
	}
	if (cfg.sleep_ms > 0) {
		struct timespec ts = {cfg.sleep_ms / 1000, (cfg.sleep_ms % 1000) * 1000000L};
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
	*kept = 0;
	if (cfg.keep > 0 && count > 0) {
		size_t every = count / (size_t)cfg.keep + 1;
		struct node *keep[4096];
		int k = 0;
		for (size_t i = 0; i < count && k < 4096; i += every) {
			keep[k++] = nodes[i];
			nodes[i] = NULL;
		}
		cache_put(keep, k, seed);
		*kept = k;
	}
	for (size_t i = 0; i < count; i++)
		free(nodes[i]);
	for (size_t i = 0; i < icount; i++)
		free(index[i]);
	free(nodes);
	free(index);
	free(copy);
	return (long)count;
}

/* A connection: a buffered reader over the socket. */
struct conn {
	int fd;
	char head[HEAD_MAX];
	size_t have; /* bytes in head */
};

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w, n -= (size_t)w;
	}
	return 0;
}

static int respond(int fd, int status, const char *reason, const char *type, const char *body, int keep_alive)
{
	char head[256];
	size_t blen = strlen(body);
	int h = snprintf(head, sizeof head,
			 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: %s\r\n\r\n",
			 status, reason, type, blen, keep_alive ? "keep-alive" : "close");
	if (write_all(fd, head, (size_t)h) < 0 || write_all(fd, body, blen) < 0)
		return -1;
	return 0;
}

static long rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, res = 0;
	if (f == NULL)
		return 0;
	if (fscanf(f, "%ld %ld", &size, &res) != 2)
		res = 0;
	fclose(f);
	return res * sysconf(_SC_PAGESIZE);
}

/* malloc_library names the shared object malloc resolves to: libc.so.6
 * for glibc's allocator, libjemalloc.so.2 when it is preloaded. */
static const char *malloc_library(void)
{
	static char name[256];
	Dl_info info;
	if (name[0] == '\0') {
		if (dladdr((void *)malloc, &info) != 0 && info.dli_fname != NULL) {
			char path[256];
			snprintf(path, sizeof path, "%s", info.dli_fname);
			snprintf(name, sizeof name, "%s", basename(path));
		} else {
			snprintf(name, sizeof name, "unknown");
		}
	}
	return name;
}

static void metrics(char *out, size_t n)
{
	pthread_mutex_lock(&cache_mu);
	long long cb = cache_bytes, cu = cache_used;
	pthread_mutex_unlock(&cache_mu);
	pthread_mutex_lock(&stat_mu);
	long long rq = requests_total;
	long th = threads_now;
	pthread_mutex_unlock(&stat_mu);
	snprintf(out, n,
		 "# HELP cstairs_requests_total Requests answered.\n# TYPE cstairs_requests_total counter\ncstairs_requests_total %lld\n"
		 "# HELP cstairs_cache_bytes Bytes of parse nodes the cache keeps (its live data).\n# TYPE cstairs_cache_bytes gauge\ncstairs_cache_bytes %lld\n"
		 "# HELP cstairs_cache_entries Parse nodes the cache keeps.\n# TYPE cstairs_cache_entries gauge\ncstairs_cache_entries %lld\n"
		 "# HELP cstairs_threads Connection threads running.\n# TYPE cstairs_threads gauge\ncstairs_threads %ld\n"
		 "# HELP cstairs_malloc_info The shared object malloc resolves to.\n# TYPE cstairs_malloc_info gauge\ncstairs_malloc_info{library=\"%s\"} 1\n"
		 "# HELP process_resident_memory_bytes Resident memory size in bytes.\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %ld\n",
		 rq, cb, cu, th, malloc_library(), rss_bytes());
}

/* header_value finds a header (case-insensitive) in the head; returns its value or NULL. */
static const char *header_value(const char *head, const char *name, size_t *vlen)
{
	size_t nl = strlen(name);
	const char *line = strstr(head, "\r\n");
	while (line != NULL && line[2] != '\r') {
		line += 2;
		const char *eol = strstr(line, "\r\n");
		if (eol == NULL)
			return NULL;
		if ((size_t)(eol - line) > nl && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
			const char *v = line + nl + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			*vlen = (size_t)(eol - v);
			return v;
		}
		line = eol;
	}
	return NULL;
}

/*
 * serve_one reads and answers one request. It returns 1 to keep the
 * connection, 0 to close it.
 */
static int serve_one(struct conn *c, unsigned *seed)
{
	char *end = NULL;
	for (;;) {
		if (c->have > 0) {
			c->head[c->have] = '\0';
			end = strstr(c->head, "\r\n\r\n");
			if (end != NULL)
				break;
		}
		if (c->have >= HEAD_MAX - 1) {
			respond(c->fd, 431, "Request Header Fields Too Large", "text/plain", "header too large\n", 0);
			return 0;
		}
		ssize_t r = recv(c->fd, c->head + c->have, HEAD_MAX - 1 - c->have, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		c->have += (size_t)r;
	}
	size_t head_len = (size_t)(end - c->head) + 4;
	char method[16], path[1024];
	if (sscanf(c->head, "%15s %1023s", method, path) != 2) {
		respond(c->fd, 400, "Bad Request", "text/plain", "bad request line\n", 0);
		return 0;
	}
	size_t vlen = 0;
	const char *v = header_value(c->head, "Transfer-Encoding", &vlen);
	if (v != NULL) {
		respond(c->fd, 501, "Not Implemented", "text/plain", "send Content-Length, not Transfer-Encoding\n", 0);
		return 0;
	}
	long long clen = 0;
	v = header_value(c->head, "Content-Length", &vlen);
	if (v != NULL) {
		char num[32];
		if (vlen == 0 || vlen >= sizeof num) {
			respond(c->fd, 400, "Bad Request", "text/plain", "bad Content-Length\n", 0);
			return 0;
		}
		memcpy(num, v, vlen);
		num[vlen] = '\0';
		char *e;
		clen = strtoll(num, &e, 10);
		if (*e != '\0' || clen < 0) {
			respond(c->fd, 400, "Bad Request", "text/plain", "bad Content-Length\n", 0);
			return 0;
		}
	}
	int keep_alive = 1;
	v = header_value(c->head, "Connection", &vlen);
	if (v != NULL && vlen == 5 && strncasecmp(v, "close", 5) == 0)
		keep_alive = 0;
	if (clen > cfg.max_body) {
		respond(c->fd, 413, "Payload Too Large", "text/plain", "body larger than MAX_BODY\n", 0);
		return 0;
	}
	/* The body: what followed the head in the buffer, then the socket, into
	 * a buffer that doubles as it fills, as a streaming reader's does. */
	size_t bcap = 16384, blen = 0;
	char *body = malloc(bcap);
	if (body == NULL) {
		respond(c->fd, 503, "Service Unavailable", "text/plain", "out of memory\n", 0);
		return 0;
	}
	size_t extra = c->have - head_len;
	size_t take = extra < (size_t)clen ? extra : (size_t)clen;
	while (take > bcap)
		bcap *= 2;
	if (bcap > 16384) {
		char *g = realloc(body, bcap);
		if (g == NULL) {
			free(body);
			return 0;
		}
		body = g;
	}
	memcpy(body, c->head + head_len, take);
	blen = take;
	memmove(c->head, c->head + head_len + take, c->have - head_len - take);
	c->have -= head_len + take;
	while (blen < (size_t)clen) {
		if (blen == bcap) {
			char *g = realloc(body, bcap * 2);
			if (g == NULL) {
				free(body);
				respond(c->fd, 503, "Service Unavailable", "text/plain", "out of memory\n", 0);
				return 0;
			}
			body = g, bcap *= 2;
		}
		size_t want = (size_t)clen - blen;
		if (want > bcap - blen)
			want = bcap - blen;
		ssize_t r = recv(c->fd, body + blen, want, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(body);
			return 0;
		}
		blen += (size_t)r;
	}
	char out[2048];
	int ok;
	if (strcmp(path, "/healthz") == 0 && strcmp(method, "GET") == 0) {
		ok = respond(c->fd, 200, "OK", "text/plain", "ok", keep_alive);
	} else if (strcmp(path, "/metrics") == 0 && strcmp(method, "GET") == 0) {
		metrics(out, sizeof out);
		ok = respond(c->fd, 200, "OK", "text/plain; version=0.0.4", out, keep_alive);
	} else if (strcmp(path, "/parse") == 0 && strcmp(method, "POST") == 0) {
		long kept = 0;
		long tokens = parse(body, blen, seed, &kept);
		if (tokens < 0) {
			ok = respond(c->fd, 503, "Service Unavailable", "text/plain", "out of memory\n", 0);
			keep_alive = 0;
		} else {
			snprintf(out, sizeof out, "{\"bytes\":%zu,\"tokens\":%ld,\"kept\":%ld}\n", blen, tokens, kept);
			ok = respond(c->fd, 200, "OK", "application/json", out, keep_alive);
		}
	} else if (strcmp(path, "/healthz") == 0 || strcmp(path, "/metrics") == 0 || strcmp(path, "/parse") == 0) {
		ok = respond(c->fd, 405, "Method Not Allowed", "text/plain", "method not allowed\n", keep_alive);
	} else {
		ok = respond(c->fd, 404, "Not Found", "text/plain", "not found\n", keep_alive);
	}
	free(body);
	pthread_mutex_lock(&stat_mu);
	requests_total++;
	pthread_mutex_unlock(&stat_mu);
	return ok == 0 && keep_alive && !stopping;
}

static void *conn_thread(void *arg)
{
	struct conn *c = arg;
	unsigned seed = (unsigned)c->fd * 2654435761u ^ (unsigned)time(NULL);
	while (serve_one(c, &seed))
		;
	close(c->fd);
	free(c);
	pthread_mutex_lock(&stat_mu);
	threads_now--;
	pthread_mutex_unlock(&stat_mu);
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

int main(void)
{
	read_config();
	if (bad_knobs > 0)
		return 2;
	cache = calloc((size_t)cfg.cache_entries, sizeof *cache);
	if (cache == NULL) {
		fprintf(stderr, "cstairs: CACHE_ENTRIES=%ld: cannot allocate the cache\n", cfg.cache_entries);
		return 2;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in addr;
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)cfg.port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(ls, 128) < 0) {
		fprintf(stderr, "cstairs: listen on 127.0.0.1:%d: %s\n", cfg.port, strerror(errno));
		return 1;
	}
	fprintf(stderr, "cstairs: listening on 127.0.0.1:%d (SLEEP_MS=%ld KEEP=%ld CACHE_ENTRIES=%ld, malloc from %s)\n",
		cfg.port, cfg.sleep_ms, cfg.keep, cfg.cache_entries, malloc_library());
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	while (!stopping) {
		struct pollfd pfd = {ls, POLLIN, 0};
		int pr = poll(&pfd, 1, 200);
		if (pr <= 0)
			continue;
		int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		struct timeval tv = {30, 0}; /* an idle connection is closed after 30 s */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		pthread_mutex_lock(&stat_mu);
		int full = threads_now >= cfg.max_conns;
		if (!full)
			threads_now++;
		pthread_mutex_unlock(&stat_mu);
		struct conn *c = full ? NULL : malloc(sizeof *c);
		pthread_t th;
		if (c == NULL) {
			respond(fd, 503, "Service Unavailable", "text/plain", "too many connections\n", 0);
			close(fd);
			if (!full) {
				pthread_mutex_lock(&stat_mu);
				threads_now--;
				pthread_mutex_unlock(&stat_mu);
			}
			continue;
		}
		c->fd = fd;
		c->have = 0;
		if (pthread_create(&th, &attr, conn_thread, c) != 0) {
			close(fd);
			free(c);
			pthread_mutex_lock(&stat_mu);
			threads_now--;
			pthread_mutex_unlock(&stat_mu);
		}
	}
	close(ls);
	/* Give in-flight requests up to 5 s; idle keep-alive connections are
	 * cut when the process exits. */
	for (int i = 0; i < 50; i++) {
		pthread_mutex_lock(&stat_mu);
		long busy = threads_now;
		pthread_mutex_unlock(&stat_mu);
		if (busy == 0)
			break;
		struct timespec ts = {0, 100000000L};
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "cstairs: stopped\n");
	return 0;
}
