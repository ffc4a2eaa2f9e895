/*
 * frame_index.h - the frames of one mapped capture file dealt out to the
 * scan's workers by whichever worker is ahead.
 *
 * Each worker processes the frames whose shard (ent_frame_shard) is its
 * own. Without an index every worker walks every record header and hashes
 * every frame to find its own: on two threads that walk is done twice.
 * Here the file is cut into blocks of consecutive records; the first
 * worker to need a block that nobody has read yet reads it (its record
 * offsets and shards) into a shared ring, and every worker then takes its
 * own frames of the block from the ring. The worker that is ahead does the
 * reading, the other catches up meanwhile: the walk is done once, and no
 * worker is a dedicated reader that the others wait on.
 *
 * A block ends early at the first record that is not plain (the mapped
 * fast path of pcap_file.c does not take it: damage, an unusual record,
 * the end of the file): there every worker goes on alone, reading from the
 * block's end_off with ent_pcap_file_next as before, so records, errors
 * and their messages are exactly those of an unindexed read.
 *
 * A worker whose block is claimed by another that does not get on with it
 * (it lost its core) reads the block again itself rather than wait: block
 * boundaries are the same for every reader.
 *
 * Every worker of the scan joins the index of each file and leaves it; a
 * worker that cannot take part (its handle is not mapped, the file did not
 * open) leaves at once and reads on its own. A ring slot is used again once
 * every worker has passed the block in it or left.
 */
#ifndef ENT_SENSOR_FRAME_INDEX_H
#define ENT_SENSOR_FRAME_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/pcap_file.h"

#define ENT_FRAME_BLOCK             512 /* records per block */
#define ENT_FRAME_INDEX_MAX_WORKERS 64

/* The worker of a frame among n: (hash * n) >> 32, no division. */
unsigned ent_frame_shard(int linktype, const uint8_t *data, uint32_t caplen, unsigned n);

struct ent_frame_block {
	_Alignas(64) uint64_t seq;   /* atomic: b + 1 once block b is here (starts a cache line) */
	uint32_t n;                  /* records in the block */
	uint64_t first_frame;        /* frame number of the record before the first */
	uint64_t bytes;              /* captured bytes of its records */
	uint64_t end_off;            /* the record after the block starts here */
	uint64_t end_frames;         /* frame number of the block's last record */
	bool last;                   /* after it, ent_pcap_file_next reads from end_off */
	uint64_t e[ENT_FRAME_BLOCK]; /* offset << 8 | shard, in file order */
};

struct ent_frame_index;
struct ent_frame_indexes; /* the indexes of the files being scanned */

/* The registry of a scan with `workers` workers (1 to
 * ENT_FRAME_INDEX_MAX_WORKERS); NULL otherwise or if out of memory. */
struct ent_frame_indexes *ent_frame_indexes_new(unsigned workers);
void ent_frame_indexes_free(struct ent_frame_indexes *r);
/* How long a worker spins on a block being read before it reads the block
 * again itself (tests set 0: at once); for indexes joined from now on. */
void ent_frame_indexes_patience(struct ent_frame_indexes *r, unsigned spins);

/* The index of file number file (created by the first worker to ask);
 * every worker must join and leave each file. NULL if it could not be made
 * (out of memory), or if every worker that joined has left it already: the
 * worker then reads that file on its own. */
struct ent_frame_index *ent_frame_index_join(struct ent_frame_indexes *r, size_t file);
/* Worker me is done with ix (or does not take part): nobody waits for it. */
void ent_frame_index_leave(struct ent_frame_indexes *r, struct ent_frame_index *ix, unsigned me);

/* Block b (0, 1, ... in order): waits for it, or reads it with f from
 * (off, frames), the end of block b - 1 (for b == 0 the first record), if
 * nobody has; into own if its reader does not get on. Worker me then says
 * it is done with it with ent_frame_index_pass. */
const struct ent_frame_block *ent_frame_index_block(struct ent_frame_index *ix, uint64_t b,
                                                    struct ent_pcap_file *f, uint64_t off,
                                                    uint64_t frames, struct ent_frame_block *own);
void ent_frame_index_pass(struct ent_frame_index *ix, unsigned me, uint64_t b);

#endif
