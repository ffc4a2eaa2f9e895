/*
 * addr_fmt.h - addresses and ports as text without printf (the packet path
 * formats several per packet). IPv4 is dotted decimal; IPv6 is RFC 5952
 * (inet_ntop), as tshark prints them.
 */
#ifndef ENT_NET_ADDR_FMT_H
#define ENT_NET_ADDR_FMT_H

#include <stdint.h>

#define ENT_ADDR_STRLEN 46

/* family 4 (4 bytes at a) or 6 (16 bytes); out gets ENT_ADDR_STRLEN bytes at most. */
void ent_addr_fmt(int family, const uint8_t *a, char out[ENT_ADDR_STRLEN]);
/* A port in decimal; out gets 6 bytes at most. */
void ent_port_fmt(uint16_t port, char out[8]);

#endif
