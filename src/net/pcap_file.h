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

/*
 * Random access to a mapped classic pcap file, for readers that share the
 * work of one file (sensor/frame_index.c): one reader walks the records
 * with ent_pcap_file_next_mapped and notes their offsets, the others read
 * the records they were given with ent_pcap_file_record_at.
 */
/* True when the file is mapped (a classic pcap; see pcap_file.c). */
bool ent_pcap_file_mapped(const struct ent_pcap_file *f);
/* Records delivered so far: the frame number of the last one. */
uint64_t ent_pcap_file_frames(const struct ent_pcap_file *f);
/* Goes to offset (a record boundary) as if frames records had been read;
 * the next ent_pcap_file_next reads the record there. Mapped files only. */
void ent_pcap_file_seek(struct ent_pcap_file *f, uint64_t offset, uint64_t frames);
/* The next record if it is plain and read from the mapping (1); 0 and
 * nothing read if ent_pcap_file_next must read it (through libpcap: a
 * damaged or unusual record, the end of the file) or the file is not
 * mapped. */
int ent_pcap_file_next_mapped(struct ent_pcap_file *f, struct ent_pcap_rec *out);
/* Makes the mapping ready for reading at offset (its page tables filled
 * ahead, what every reader has left behind dropped) without reading: the
 * system calls that ent_pcap_file_next_mapped would otherwise make there.
 * A reader that walks records for others calls it first, so that they do
 * not wait on the walk while the calls run. */
void ent_pcap_file_prepare(struct ent_pcap_file *f, uint64_t offset);
/* Brings the record at offset (its header and the frame's first bytes)
 * into the cache, ahead of ent_pcap_file_record_at. */
void ent_pcap_file_prefetch(const struct ent_pcap_file *f, uint64_t offset);
/* The plain record at offset as frame number frame (1), then positioned
 * after it; 0 if there is no plain record there. */
int ent_pcap_file_record_at(struct ent_pcap_file *f, uint64_t offset, uint64_t frame,
                            struct ent_pcap_rec *out);
/* Closes the file; accepts NULL. */
void ent_pcap_file_close(struct ent_pcap_file *f);

#endif
