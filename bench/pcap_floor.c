/*
 * pcap_floor.c - the floor a sensor is measured against: one libpcap pass
 * over a capture that reads and touches every byte of every packet and does
 * nothing else. Prints one JSON object: packets, bytes, seconds, Gbit/s.
 *
 *   pcap_floor FILE.pcap
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

#include "core/timefmt.h"

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t packets = 0, bytes = 0, sum = 0, t0;
	double secs;
	pcap_t *p;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: pcap_floor FILE\n");
		return 2;
	}
	p = pcap_open_offline(argv[1], err);
	if (p == NULL) {
		fprintf(stderr, "pcap_floor: %s\n", err);
		return 1;
	}
	t0 = ent_time_mono_ns();
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		for (uint32_t i = 0; i < h->caplen; i++)
			sum += data[i];
		packets++;
		bytes += h->caplen;
	}
	secs = (double)(ent_time_mono_ns() - t0) / 1e9;
	pcap_close(p);
	printf("{\"packets\": %llu, \"bytes\": %llu, \"seconds\": %.4f, \"gbit_s\": %.3f, "
	       "\"checksum\": %llu}\n",
	       (unsigned long long)packets, (unsigned long long)bytes, secs,
	       (double)bytes * 8 / secs / 1e9, (unsigned long long)(sum & 0xff));
	return rc == -2 ? 0 : 1;
}
