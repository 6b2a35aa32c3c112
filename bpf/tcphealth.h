/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The kernel/user-space contract of TcpHealth: every struct a BPF map holds,
 * with explicit padding so that C and C# agree byte for byte. The C# mirror is
 * src/TcpHealth.Bpf/Abi/; tests/TcpHealth.Bpf.Tests/AbiLayoutTests proves the
 * two match (it compiles a probe with offsetof against this file).
 *
 * Direction convention: a flow is keyed from the interface's point of view.
 * "src" is the endpoint whose packets leave through the interface's egress
 * hook (TX); packets from "dst" arrive at the ingress hook (RX).
 */
#ifndef TCPHEALTH_H
#define TCPHEALTH_H

#include <linux/types.h>

#define TH_DIR_TX 0
#define TH_DIR_RX 1

/* RTT histogram: log-linear buckets, 16 per power of two (each bucket is at
 * most 1/16 = 6.25% wide, so a quantile read at a bucket's middle is within
 * ~3.1% of the truth). A window of TH_RTT_OCTAVES powers of two is anchored
 * at the flow's first sample (one octave below it, so it spans at least
 * first/2 .. 16 x first); samples outside the
 * window land in `below` / `above`, bounded by the flow's min / max. */
#define TH_RTT_SUB_BITS 4
#define TH_RTT_SUB_BUCKETS (1 << TH_RTT_SUB_BITS)
#define TH_RTT_OCTAVES 6
#define TH_RTT_BUCKETS (TH_RTT_OCTAVES * TH_RTT_SUB_BUCKETS)
/* Lowest window anchor: 2^10 ns ~ 1 us, so sub-buckets are >= 64 ns wide. */
#define TH_RTT_MIN_OCTAVE 10

/* Default map sizes; the loader may override max_entries before load. */
#define TH_DEFAULT_MAX_FLOWS 65536
/* new_flows ring buffer: 4,096 records of 56 bytes (+ 8 of header) between
 * two reads before user space falls back to reading flow_slots whole. */
#define TH_NEW_FLOWS_BYTES (256 * 1024)
#define TH_DEFAULT_MAX_RTT_FLOWS 16384
#define TH_DEFAULT_MAX_PENDING_TS 16384

/* th_flow_key.family */
#define TH_FAMILY_IPV4 4
#define TH_FAMILY_IPV6 6

struct th_flow_key {
	__u8 src_addr[16];   /* IPv4: first 4 bytes, rest zero */
	__u8 dst_addr[16];
	__u16 src_port;      /* host byte order */
	__u16 dst_port;
	__u32 ifindex;       /* interface the hooks run on */
	__u8 family;         /* TH_FAMILY_* */
	__u8 proto;          /* IPPROTO_* */
	__u8 pad[2];
};                           /* 44 bytes */

/* th_dir_stats.flags */
#define TH_DF_SEQ_VALID  (1u << 0) /* seq_end_max holds a value */
#define TH_DF_TS_VALID   (1u << 1) /* last_ts holds a value */
#define TH_DF_ZERO_WIN   (1u << 2) /* the last window advertised was zero */

/* Packet, segment and retransmission counts are 32 bits to keep a flow small
 * (100k flows must fit the memory budget): user space widens them to 64 bits
 * at every read, which is exact while no direction passes 2^32 between two
 * reads (more than eight minutes even for one flow at 100 Gbit/s of 1500-byte
 * segments). Bytes stay 64 bits. */
struct th_dir_stats {
	__u64 bytes;         /* IP bytes as on the wire (headers of every segment) */
	__u32 packets;       /* packets as seen by the hook (a GSO/GRO skb is one) */
	__u32 segments;      /* wire segments (gso_segs) */
	__u32 retrans_segs;  /* segments whose sequence space ends at or below seq_end_max */
	__u32 resets;        /* RST segments */
	__u32 zero_windows;  /* advertisements going from non-zero to zero window */
	__u32 seq_end_max;   /* highest seq + len (+SYN/FIN) sent in this direction */
	__u32 last_ts;       /* TX: last TSval timestamped; RX: last TSecr looked up */
	__u32 flags;         /* TH_DF_* */
};                           /* 40 bytes */

/* th_flow.conn_state */
#define TH_CONN_UNKNOWN     0 /* first packet seen mid-stream */
#define TH_CONN_SYN_SENT    1 /* src sent SYN, waiting for SYN/ACK */
#define TH_CONN_SYN_RCVD    2 /* dst sent SYN, src has not answered yet */
#define TH_CONN_SYNACK_SENT 3 /* src sent SYN/ACK, waiting for dst's ACK */
#define TH_CONN_ESTABLISHED 4
#define TH_CONN_REFUSED     5 /* the SYN was answered by RST */

/* th_flow.initiator */
#define TH_INIT_UNKNOWN 0
#define TH_INIT_SRC     1
#define TH_INIT_DST     2

/* Flow table life cycle. flow_slots maps a key to the slot of `flows` (an
 * array user space maps into its memory, so a collection reads every flow
 * without a syscall) that holds the flow's counters. The datapath creates a
 * flow: it takes a never used slot from the bottom (flow_next_slot) or one
 * from flow_free_slots, inserts key -> slot, and hands the key to user space
 * through new_flows (when that is full, user space reads flow_slots whole).
 * User space removes an idle flow: it deletes its key and, one collection
 * later (no program still writes to it then), zeroes the slot and pushes it
 * to flow_free_slots. */
struct th_new_flow {
	__u64 first_seen_ns;         /* bpf_ktime_get_ns() (CLOCK_MONOTONIC) at creation */
	__u32 slot;
	struct th_flow_key key;
};                                   /* 56 bytes */

/* No last-seen time: reading the clock on every packet costs a helper call,
 * so user space tracks activity by watching the counters change. RTT
 * statistics live in a slot of rtt_hists, taken at the first sample, so flows
 * without samples do not pay for them; the creation time goes to user space
 * with the key (th_new_flow), as nothing in the datapath reads it. */
struct th_flow {
	struct th_dir_stats dir[2];  /* indexed by TH_DIR_* */
	__u64 handshake_ns;          /* ESTABLISHED: the handshake RTT; before: when the
	                              * handshake packet we time left */
	__u32 hs_ack;                /* inbound handshake: the ACK number that completes it */
	__u8 conn_state;             /* TH_CONN_* */
	__u8 initiator;              /* TH_INIT_* */
	__u8 connections;            /* SYNs that started a connection on this entry (wraps):
	                              * the same addresses and ports used again */
	__u8 pad;
	__u64 rtt_slot;              /* 1 + the index of its rtt_hists slot; 0 = no RTT sample yet
	                              * (64 bits: the only width clang's BPF cmpxchg has without -mcpu=v3) */
	__u64 ts_pending;            /* the newest TSval timestamped (dir[TX].last_ts), until echoed:
	                              * send time and TSval packed as below; 0 = none. */
};                                   /* 112 bytes */

/* A flow's newest pending timestamp lives in its own entry, the line the
 * counters already touched: an echo arriving before the next TSval (every
 * echo on a LAN, where the RTT is below the 1 ms TSval tick) needs no hash
 * operation. One 64-bit word, so that the egress CPU replacing it and the
 * ingress CPU taking it never see half of it: the send time's low 40 bits
 * (ns, wrapping every 18 minutes) over the TSval's low 24 bits (its whole
 * value is dir[TX].last_ts). The next new TSval moves the entry, if still
 * pending, to pending_ts with both values whole again: the TSval's high bits
 * from the new one, the time from the clock, both exact for an entry younger
 * than TH_TS_MAX_AGE_NS. An older one never looks young again, because its
 * flow is idle after the 2 minutes without a packet that remove it long
 * before the 40 bits wrap (any packet the peer sends echoes it). */
#define TH_TS_TIME_BITS 40
#define TH_TS_TSVAL_BITS 24
#define TH_TS_TIME_MASK ((1ULL << TH_TS_TIME_BITS) - 1)
#define TH_TS_TSVAL_MASK ((1U << TH_TS_TSVAL_BITS) - 1)
/* An entry older than this is not matched (as user space expires pending_ts). */
#define TH_TS_MAX_AGE_NS 10000000000ULL

/* A flow's RTT samples: exact count/sum/min/max and the histogram.
 *
 * rtt_hists is an array user space maps into its memory, with the same slot
 * life cycle as `flows` (rtt_next_slot, rtt_free_slots), taken at a flow's
 * first sample and freed with it. */
struct th_rtt_hist {
	__u64 count;                 /* samples: timestamp echoes or ICMP echo replies matched */
	__u64 sum_ns;
	__u64 min_ns;
	__u64 max_ns;
	__u32 base_octave;           /* window starts at 2^base_octave ns; 0 = unset */
	__u32 below;                 /* samples below the window */
	__u32 above;                 /* samples at or above the window's end */
	__u32 pad;
	__u32 buckets[TH_RTT_BUCKETS];
};                                   /* 32 + 16 + 4 * 96 = 432 bytes */

/* Keyed by the flow's slot, not its 44-byte key: a small entry. A slot is
 * reused only after its flow idled out, and user space deletes the entries of
 * a slot it frees. */
struct th_ts_key {
	__u32 slot;                  /* the flow's slot in `flows` */
	__u32 tsval;                 /* TCP: the TSval; ICMP: the echo sequence number */
};                                   /* 8 bytes */

/* Indexes of the per-CPU `counters` array: what the datapath saw and, above
 * all, what it could not keep. */
enum th_counter {
	TH_CNT_PACKETS = 0,          /* every packet the hooks ran on */
	TH_CNT_TCP_PACKETS,          /* TCP packets accounted to a flow */
	TH_CNT_NON_IP,               /* not IPv4/IPv6 (ARP, LLDP, ...) */
	TH_CNT_NON_TCP,              /* IP packets other than TCP (UDP, ICMP, ...), accounted to flows */
	TH_CNT_FRAGMENTS,            /* non-first IP fragments (no TCP header) */
	TH_CNT_ERR_L2,               /* truncated Ethernet/VLAN header, > 2 VLAN tags */
	TH_CNT_ERR_IP,               /* truncated or invalid IPv4/IPv6 header */
	TH_CNT_ERR_IPV6_EXT,         /* truncated or too long an IPv6 extension chain */
	TH_CNT_ERR_TCP,              /* truncated TCP header or bad data offset */
	TH_CNT_ERR_TCP_OPTS,         /* malformed TCP options (timestamps ignored) */
	TH_CNT_FLOWS_NOT_TRACKED,    /* flows map full: packet not accounted */
	TH_CNT_TS_NOT_STORED,        /* pending-timestamp map full: RTT sample lost */
	TH_CNT_RTT_HIST_NOT_TRACKED, /* no free rtt_hists slot: an RTT sample was lost */
	TH_CNT_RTT_SAMPLES,          /* timestamp echoes and ICMP echo replies matched */
	TH_CNT_ERR_L4,               /* truncated UDP or ICMP header */
	TH_CNT_NEW_FLOWS_LOST,       /* new_flows full: user space reads flow_slots whole */
	TH_CNT_MAX
};

#endif /* TCPHEALTH_H */
