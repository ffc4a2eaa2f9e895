/*
 * fuzz_pcapfile.c - bytes as a capture file: the reader (pcap and pcapng,
 * through libpcap) and every record through a fresh pipeline.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "net/pcap_file.h"
#include "net/pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
		while (p != NULL && n++ < 10000 && ent_pcap_file_next(f, &rec, errbuf) == 1)
			ent_pipeline_packet(p, rec.frame, &rec.ts, lt, rec.data, rec.caplen,
			                    rec.wirelen);
		if (p != NULL)
			ent_pipeline_finish(p);
		ent_pipeline_free(p);
		ent_pcap_file_close(f);
	}
	unlink(path);
	return 0;
}
