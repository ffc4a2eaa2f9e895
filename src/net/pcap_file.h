/*
 * pcap_file.h - reading capture files (pcap, nanosecond pcap, big-endian
 * pcap, pcapng) through libpcap, with precise errors on damaged files.
 *
 * The format is detected from the magic number, never from the file name.
 * Timestamps are delivered in microseconds. A damaged file yields every
 * record before the damage, then an error such as
 * "x.pcap: truncated dump file; tried to read 1514 captured bytes, only got
 * 200 (record 7 at byte offset 9188)".
 *
 * Not thread-safe per handle; use one handle per thread.
 */
#ifndef ENT_NET_PCAP_FILE_H
#define ENT_NET_PCAP_FILE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/time.h>

#include "core/error.h"

struct ent_pcap_file;

struct ent_pcap_rec {
	uint64_t frame;      /* 1-based record number, as tshark's frame.number */
	struct timeval ts;   /* microseconds */
	uint32_t caplen;     /* bytes in data */
	uint32_t wirelen;    /* original length on the wire */
	const uint8_t *data; /* borrowed until the next ent_pcap_file_next call, or
	                        until ent_pcap_file_close if stable */
	bool stable;         /* data points into the mapped file (see pcap_file.c) */
};

/* Opens path (a pcap or pcapng file; "-" is not special). Caller closes with
 * ent_pcap_file_close. NULL with a message in errbuf on failure. */
struct ent_pcap_file *ent_pcap_file_open(const char *path, char *errbuf);
/* The LINKTYPE_/DLT_ value of the file (pcapng: of the first interface). */
int ent_pcap_file_linktype(const struct ent_pcap_file *f);
/* Reads the next record into *out (OUT). 1: a record; 0: clean end of file;
 * negative ENT_E* code with a message in errbuf when the file is damaged
 * (the records before the damage were delivered). */
int ent_pcap_file_next(struct ent_pcap_file *f, struct ent_pcap_rec *out, char *errbuf);
/* Byte offset in the file after the last record read (classic pcap; for
 * pcapng the offset of records is not tracked and this stays 24). */
uint64_t ent_pcap_file_offset(const struct ent_pcap_file *f);
/* Closes the file; accepts NULL. */
void ent_pcap_file_close(struct ent_pcap_file *f);

#endif
