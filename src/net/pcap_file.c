/*
 * pcap_file.c - capture file reader over libpcap (see pcap_file.h).
 *
 * libpcap does the format work (pcap/pcapng, byte order, nanosecond
 * precision converted to microseconds); this file adds the frame numbering
 * and the byte offset of the damage, which libpcap's message lacks. We open
 * the FILE ourselves so that ftell tells where the last good record ended.
 */
#include "net/pcap_file.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ent_pcap_file {
	pcap_t *pcap;    /* owns fp */
	FILE *fp;        /* borrowed from pcap for ftell */
	char *path;      /* owned copy for messages */
	uint64_t frames; /* records delivered */
	uint64_t offset; /* byte offset after the last good record */
	bool classic;    /* classic pcap: offsets are computed, not asked (ftell is a syscall) */
};

/* True if the file starts with a classic pcap magic number (either byte
 * order, micro- or nanosecond); leaves the stream at offset 0. */
static bool is_classic_pcap(FILE *fp)
{
	uint8_t m[4];
	bool classic = false;

	if (fread(m, 1, 4, fp) == 4) {
		uint32_t be =
		    ((uint32_t)m[0] << 24) | ((uint32_t)m[1] << 16) | ((uint32_t)m[2] << 8) | m[3];
		uint32_t le =
		    ((uint32_t)m[3] << 24) | ((uint32_t)m[2] << 16) | ((uint32_t)m[1] << 8) | m[0];

		classic = be == 0xa1b2c3d4u || le == 0xa1b2c3d4u || be == 0xa1b23c4du ||
		          le == 0xa1b23c4du;
	}
	rewind(fp);
	return classic;
}

struct ent_pcap_file *ent_pcap_file_open(const char *path, char *errbuf)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	struct ent_pcap_file *f = NULL;
	FILE *fp = NULL;

	f = calloc(1, sizeof(*f));
	if (f == NULL || (f->path = strdup(path)) == NULL) {
		ent_errf(errbuf, ENT_ENOMEM, "%s: out of memory", path);
		goto out_fail;
	}
	fp = fopen(path, "rb");
	if (fp == NULL) {
		ent_errf(errbuf, ENT_EIO, "%s: %s", path, strerror(errno));
		goto out_fail;
	}
	f->classic = is_classic_pcap(fp);
	f->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, perr);
	if (f->pcap == NULL) {
		ent_errf(errbuf, ENT_EIO, "%s: %s", path, perr[0] ? perr : "not a capture file");
		goto out_fail;
	}
	f->fp = fp;
	fp = NULL;      /* pcap_close closes it */
	f->offset = 24; /* the classic file header; pcapng offsets come from ftell */
	return f;

out_fail:
	if (fp != NULL)
		fclose(fp);
	if (f != NULL)
		free(f->path);
	free(f);
	return NULL;
}

int ent_pcap_file_linktype(const struct ent_pcap_file *f)
{
	return pcap_datalink(f->pcap);
}

int ent_pcap_file_next(struct ent_pcap_file *f, struct ent_pcap_rec *out, char *errbuf)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	long off;
	int rc;

	rc = pcap_next_ex(f->pcap, &h, &data);
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1)
		return ent_errf(errbuf, ENT_EIO, "%s: %s (record %llu at byte offset %llu)",
		                f->path, pcap_geterr(f->pcap), (unsigned long long)f->frames + 1,
		                (unsigned long long)f->offset);
	f->frames++;
	off = ftell(f->fp);
	if (off > 0)
		f->offset = (uint64_t)off;
	out->frame = f->frames;
	out->ts = h->ts;
	out->caplen = h->caplen;
	out->wirelen = h->len;
	out->data = data;
	return 1;
}

uint64_t ent_pcap_file_offset(const struct ent_pcap_file *f)
{
	return f->offset;
}

void ent_pcap_file_close(struct ent_pcap_file *f)
{
	if (f == NULL)
		return;
	if (f->pcap != NULL)
		pcap_close(f->pcap);
	free(f->path);
	free(f);
}
