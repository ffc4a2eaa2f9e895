/* addr_fmt.c - addresses and ports as text (see addr_fmt.h). */
#include "net/addr_fmt.h"

#include <arpa/inet.h>
#include <stddef.h>

static char *put_dec(char *o, unsigned v)
{
	char tmp[6];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*o++ = tmp[--n];
	return o;
}

void ent_addr_fmt(int family, const uint8_t *a, char out[ENT_ADDR_STRLEN])
{
	char *o = out;

	if (family == 6) {
		if (inet_ntop(AF_INET6, a, out, ENT_ADDR_STRLEN) == NULL)
			out[0] = '\0';
		return;
	}
	for (int i = 0; i < 4; i++) {
		if (i > 0)
			*o++ = '.';
		o = put_dec(o, a[i]);
	}
	*o = '\0';
}

void ent_port_fmt(uint16_t port, char out[8])
{
	*put_dec(out, port) = '\0';
}
