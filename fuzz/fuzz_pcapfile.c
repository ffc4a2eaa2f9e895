/*
 * fuzz_pcapfile.c - bytes as a capture file: the reader (pcap and pcapng,
 * through libpcap) and every record through a fresh pipeline; then the
 * random access of the scan's shared walk (a walk of the mapped records,
 * each read back by offset, and reads at offsets taken from the input).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "net/pcap_file.h"
#include "net/pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RECORDS 10000

static void random_access(const char *path, const uint8_t *data, size_t size)
{
	static uint64_t offs[MAX_RECORDS];
	char errbuf[ENT_ERRBUF_SIZE];
	struct ent_pcap_file *walk = ent_pcap_file_open(path, errbuf);
	struct ent_pcap_file *reader = ent_pcap_file_open(path, errbuf);
	struct ent_pcap_rec rec, again;
	size_t n = 0;

	if (walk == NULL || reader == NULL)
		goto out;
	while (n < MAX_RECORDS) {
		uint64_t at = ent_pcap_file_offset(walk);

		if (!ent_pcap_file_next_mapped(walk, &rec))
			break;
		offs[n++] = at;
	}
	for (size_t i = 0; i < n; i++)
		if (ent_pcap_file_record_at(reader, offs[i], i + 1, &again) != 1)
			abort(); /* a record the walk took must read back */
	for (size_t i = 0; i + 8 <= size && i < 64 * 8; i += 8) {
		uint64_t off = 0;

		for (int k = 0; k < 8; k++)
			off = off << 8 | data[i + k];
		(void)ent_pcap_file_record_at(reader, off % (size + 32), 1, &again);
	}
	if (!ent_pcap_file_mapped(walk))
		goto out;
	ent_pcap_file_seek(walk, 24, 0);
	while (n-- > 0 && ent_pcap_file_next(walk, &rec, errbuf) == 1)
		;
out:
	ent_pcap_file_close(walk);
	ent_pcap_file_close(reader);
}

static void on_event(void *ctx, const struct ent_pkt_event *ev)
{
	(void)ctx;
	(void)ev;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/entente-fuzz-pcap-XXXXXX";
	char errbuf[ENT_ERRBUF_SIZE];
	struct ent_pcap_file *f;
	struct ent_pipeline *p;
	struct ent_pcap_rec rec;
	int fd = mkstemp(path), n = 0;

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	f = ent_pcap_file_open(path, errbuf);
	if (f != NULL) {
		int lt = ent_pcap_file_linktype(f);

		p = ent_pipeline_new(NULL, on_event, NULL, errbuf);
		while (p != NULL && n++ < MAX_RECORDS && ent_pcap_file_next(f, &rec, errbuf) == 1)
			ent_pipeline_packet(p, rec.frame, &rec.ts, lt, rec.data, rec.caplen,
			                    rec.wirelen);
		if (p != NULL)
			ent_pipeline_finish(p);
		ent_pipeline_free(p);
		ent_pcap_file_close(f);
		random_access(path, data, size);
	}
	unlink(path);
	return 0;
}
