// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * TcpHealth datapath: TC programs on a node's interfaces that keep per-flow
 * counters for every IP protocol, TCP health and passive RTT (TCP timestamp
 * echoes, the pping method; ICMP echoes) in maps. They never drop or change a packet: every entry point returns
 * TC_ACT_UNSPEC (== TCX_NEXT), which lets the rest of the TC/TCX chain run
 * and otherwise passes the packet.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "tcphealth.h"
#include "parse.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The flow table (see th_new_flow for its life cycle). A plain (not LRU)
 * hash: when full, an insert fails and is counted, instead of silently
 * evicting a flow whose counters were not read yet. User space removes idle
 * flows. flows, flow_slots and flow_free_slots are sized alike by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TH_DEFAULT_MAX_FLOWS);
	__type(key, struct th_flow_key);
	__type(value, __u32);
} flow_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, TH_DEFAULT_MAX_FLOWS);
	__type(key, __u32);
	__type(value, struct th_flow);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, TH_DEFAULT_MAX_FLOWS);
	__type(value, __u32);
} flow_free_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} flow_next_slot SEC(".maps");

/* Each new flow's slot and key, for user space (struct th_new_flow). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, TH_NEW_FLOWS_BYTES);
} new_flows SEC(".maps");

/* RTT histograms by slot (th_flow.rtt_slot - 1); see th_rtt_hist. Mappable
 * like flows: read in place, and an array entry carries no kernel header. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, TH_DEFAULT_MAX_RTT_FLOWS);
	__type(key, __u32);
	__type(value, struct th_rtt_hist);
} rtt_hists SEC(".maps");

/* Slots user space freed (zeroed); sized like rtt_hists by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, TH_DEFAULT_MAX_RTT_FLOWS);
	__type(value, __u32);
} rtt_free_slots SEC(".maps");

/* How many rtt_hists slots were ever handed out: the next never used one. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} rtt_next_slot SEC(".maps");

/* (slot, TSval) -> time it left through egress, until echoed or expired by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TH_DEFAULT_MAX_PENDING_TS);
	__type(key, struct th_ts_key);
	__type(value, __u64);
} pending_ts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TH_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

#define EEXIST 17
/* One load the compiler may not split, repeat or move: a word another CPU updates. */
#define READ_ONCE(x) (*(volatile typeof(x) *)&(x))

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);

	if (v)
		*v += 1;
}

/* Serial-number arithmetic (RFC 1982) for 32-bit TCP sequence numbers. */
static __always_inline bool seq_after(__u32 a, __u32 b)
{
	return (__s32)(a - b) > 0;
}

/* Flow key from the interface's point of view: on ingress the packet's
 * sender is dst, so addresses and ports swap. */
static __always_inline void orient_key(struct th_flow_key *key, int dir, __u32 ifindex)
{
	key->ifindex = ifindex;
	if (dir == TH_DIR_TX)
		return;

	__u8 tmp[16];
	__builtin_memcpy(tmp, key->src_addr, 16);
	__builtin_memcpy(key->src_addr, key->dst_addr, 16);
	__builtin_memcpy(key->dst_addr, tmp, 16);
	__u16 port = key->src_port;
	key->src_port = key->dst_port;
	key->dst_port = port;
}

/* Octave (floor(log2)) of a non-zero 64-bit value without a loop. */
static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8)  { v >>= 8;  r += 8; }
	if (v >> 4)  { v >>= 4;  r += 4; }
	if (v >> 2)  { v >>= 2;  r += 2; }
	if (v >> 1)  { r += 1; }
	return r;
}

/* Defines a function that returns a zeroed slot of `slots` as 1 + its index,
 * or 0 when none is left: never used ones first (no lock), then the ones user
 * space freed. 64-bit counters: clang's BPF atomics return values only at that
 * width. The next-slot counter is checked before the increment, so a full
 * table does not count on (racing CPUs overshoot by at most one each). */
#define DEFINE_TAKE_SLOT(name, next_slot, slots, free_slots)			\
static __noinline __u64 name(void)						\
{										\
	__u32 zero = 0, idx;							\
	__u64 *next = bpf_map_lookup_elem(&next_slot, &zero);			\
										\
	if (next) {								\
		idx = *next;							\
		if (bpf_map_lookup_elem(&slots, &idx)) {			\
			idx = __sync_fetch_and_add(next, 1);			\
			if (bpf_map_lookup_elem(&slots, &idx))			\
				return (__u64)idx + 1;				\
		}								\
	}									\
	if (bpf_map_pop_elem(&free_slots, &idx) == 0)				\
		return (__u64)idx + 1;						\
	return 0;								\
}

DEFINE_TAKE_SLOT(take_flow_slot, flow_next_slot, flows, flow_free_slots)
DEFINE_TAKE_SLOT(take_rtt_slot, rtt_next_slot, rtt_hists, rtt_free_slots)

/* A new flow: a zeroed slot, key -> slot in flow_slots, and the key to user
 * space. 0 when the key has a slot (ours or, after a race, another CPU's). */
static __noinline int create_flow(struct th_flow_key *key)
{
	__u64 slot = take_flow_slot();
	__u32 idx = slot - 1;

	if (!slot) {
		count(TH_CNT_FLOWS_NOT_TRACKED);
		return -1;
	}
	int err = bpf_map_update_elem(&flow_slots, key, &idx, BPF_NOEXIST);
	if (err) {
		/* Never seen by anyone, still zeroed: back to the queue. */
		bpf_map_push_elem(&flow_free_slots, &idx, 0);
		if (err == -EEXIST) /* another CPU created it */
			return 0;
		count(TH_CNT_FLOWS_NOT_TRACKED);
		return -1;
	}

	/* No wakeup: user space drains the ring at its own pace, not on events. */
	struct th_new_flow *ev = bpf_ringbuf_reserve(&new_flows, sizeof(*ev), 0);
	if (!ev) {
		count(TH_CNT_NEW_FLOWS_LOST);
		return 0;
	}
	ev->first_seen_ns = bpf_ktime_get_ns();
	ev->slot = idx;
	ev->key = *key;
	bpf_ringbuf_submit(ev, BPF_RB_NO_WAKEUP);
	return 0;
}

/* The flow's entry and its slot (pending timestamps are keyed by it). */
static __always_inline struct th_flow *get_or_create_flow(struct th_flow_key *key, __u32 *slot)
{
	__u32 *s = bpf_map_lookup_elem(&flow_slots, key);

	if (!s) {
		if (create_flow(key))
			return NULL;
		s = bpf_map_lookup_elem(&flow_slots, key);
		if (!s)
			return NULL;
	}
	*slot = *s;
	return bpf_map_lookup_elem(&flows, slot);
}

/* The flow's histogram, with a slot taken at its first sample. */
static __always_inline struct th_rtt_hist *rtt_hist_of(struct th_flow *f)
{
	__u64 slot = f->rtt_slot;

	if (!slot) {
		slot = take_rtt_slot();
		if (!slot)
			return NULL;
		/* Another CPU may have given the flow a slot meanwhile: keep that
		 * one and give ours back. */
		__u64 prev = __sync_val_compare_and_swap(&f->rtt_slot, 0, slot);
		if (prev) {
			__u32 unused = slot - 1;
			bpf_map_push_elem(&rtt_free_slots, &unused, 0);
			slot = prev;
		}
	}
	__u32 idx = slot - 1;
	return bpf_map_lookup_elem(&rtt_hists, &idx);
}

/* One RTT sample into the flow's histogram. */
static __always_inline void record_rtt(struct th_flow *f, __u64 rtt)
{
	count(TH_CNT_RTT_SAMPLES);
	struct th_rtt_hist *h = rtt_hist_of(f);

	if (!h) {
		count(TH_CNT_RTT_HIST_NOT_TRACKED);
		return;
	}

	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->sum_ns, rtt);
	/* min/max are not atomic: two CPUs racing can keep the less extreme of
	 * two simultaneous samples, never a value that was not measured. */
	if (h->min_ns == 0 || rtt < h->min_ns)
		h->min_ns = rtt;
	if (rtt > h->max_ns)
		h->max_ns = rtt;

	__u32 octave = rtt ? log2_u64(rtt) : 0;
	if (h->base_octave == 0) {
		/* Anchor one octave below the first sample. */
		__u32 base = octave > TH_RTT_MIN_OCTAVE ? octave - 1 : TH_RTT_MIN_OCTAVE;
		h->base_octave = base;
	}
	__u32 base = h->base_octave;
	if (octave < base) {
		__sync_fetch_and_add(&h->below, 1);
		return;
	}
	if (octave >= base + TH_RTT_OCTAVES) {
		__sync_fetch_and_add(&h->above, 1);
		return;
	}
	/* octave >= TH_RTT_MIN_OCTAVE > TH_RTT_SUB_BITS, so the shift is valid. */
	__u32 sub = (rtt >> (octave - TH_RTT_SUB_BITS)) & (TH_RTT_SUB_BUCKETS - 1);
	__u32 idx = (octave - base) * TH_RTT_SUB_BUCKETS + sub;
	if (idx < TH_RTT_BUCKETS)
		__sync_fetch_and_add(&h->buckets[idx], 1);
}

/* Remembers when a packet that the reverse direction will echo (a TSval, an
 * ICMP echo sequence) left; only the first one counts. */
static __always_inline void store_pending(struct th_ts_key *tk, __u64 sent)
{
	int err = bpf_map_update_elem(&pending_ts, tk, &sent, BPF_NOEXIST);

	if (err && err != -EEXIST)
		count(TH_CNT_TS_NOT_STORED);
}

/* The echo of a pending entry arrived: one RTT sample, and the entry is consumed. */
static __always_inline void match_pending(struct th_flow *f, struct th_ts_key *tk)
{
	__u64 *sent = bpf_map_lookup_elem(&pending_ts, tk);

	if (!sent)
		return;
	__u64 now = bpf_ktime_get_ns();
	__u64 sent_ns = *sent;
	bpf_map_delete_elem(&pending_ts, tk);
	if (now > sent_ns)
		record_rtt(f, now - sent_ns);
}

/* A flow's pending timestamp as one word (see th_flow.ts_pending). */
#define TH_TS_PACK(ns, tsval) ((((__u64)(ns) & TH_TS_TIME_MASK) << TH_TS_TSVAL_BITS) | ((tsval) & TH_TS_TSVAL_MASK))

/* How long ago a packed pending entry was sent, and whether it is still
 * young enough to be matched (its 40 time bits unambiguous). */
static __always_inline bool ts_age(__u64 packed, __u64 now, __u64 *age)
{
	*age = ((now & TH_TS_TIME_MASK) - (packed >> TH_TS_TSVAL_BITS)) & TH_TS_TIME_MASK;
	return *age < TH_TS_MAX_AGE_NS;
}

/* A new TSval leaves: it becomes the flow's pending entry, and the one it
 * replaces, if still pending, moves to pending_ts. */
static __noinline void store_timestamp(struct th_flow *f, __u32 slot, __u32 tsval)
{
	__u64 now = bpf_ktime_get_ns(), age;
	__u64 old = __sync_lock_test_and_set(&f->ts_pending, TH_TS_PACK(now, tsval));

	if (!old || !ts_age(old, now, &age))
		return;
	/* The old TSval's high bits from the new one: it is at most a few
	 * thousand ticks older. One that looks newer (two CPUs sending the
	 * flow's packets out of order) would be filed under a wrong TSval: it
	 * is dropped, its echo not timed. */
	__u32 behind = (tsval - (__u32)old) & TH_TS_TSVAL_MASK;
	if (behind >= TH_TS_TSVAL_MASK / 2)
		return;
	__u32 old_tsval = tsval - behind;
	struct th_ts_key tk = { .slot = slot, .tsval = old_tsval };
	store_pending(&tk, now - age);
}

/* Whether the flow's pending entry `v` is the TSval `tsval`: its low bits
 * and, whole, the last TSval timestamped. */
static __always_inline bool ts_is(struct th_flow *f, __u64 v, __u32 tsval)
{
	return v && ((__u32)v & TH_TS_TSVAL_MASK) == (tsval & TH_TS_TSVAL_MASK) &&
	       READ_ONCE(f->dir[TH_DIR_TX].last_ts) == tsval;
}

/* The first echo of a TSecr: the flow's pending entry if it is that TSval
 * (taken atomically: the egress CPU may be replacing it), else pending_ts. */
static __noinline void match_timestamp(struct th_flow *f, __u32 slot, __u32 tsecr)
{
	__u64 v = READ_ONCE(f->ts_pending);

	if (ts_is(f, v, tsecr) && __sync_val_compare_and_swap(&f->ts_pending, v, 0) == v) {
		__u64 age;
		if (ts_age(v, bpf_ktime_get_ns(), &age) && age)
			record_rtt(f, age);
		return;
	}
	struct th_ts_key tk = { .slot = slot, .tsval = tsecr };
	match_pending(f, &tk);
}

static __always_inline void track_timestamps(struct th_flow *f, __u32 slot,
					     struct th_packet *p, int dir)
{
	struct th_dir_stats *d = &f->dir[dir];

	if (dir == TH_DIR_TX) {
		/* Timestamp only the first packet carrying a new TSval; a TSval of
		 * 0 could only be echoed as TSecr 0, which means "no echo". */
		if (p->tsval == 0 || ((d->flags & TH_DF_TS_VALID) && d->last_ts == p->tsval))
			return;
		d->last_ts = p->tsval;
		d->flags |= TH_DF_TS_VALID;
		store_timestamp(f, slot, p->tsval);
		return;
	}

	/* RX: only the first packet echoing a TSecr can match. */
	if (p->tsecr == 0 || ((d->flags & TH_DF_TS_VALID) && d->last_ts == p->tsecr))
		return;
	d->last_ts = p->tsecr;
	d->flags |= TH_DF_TS_VALID;
	match_timestamp(f, slot, p->tsecr);
}

/* When the handshake packet an answer echoes left: its TSecr names the copy
 * (after a retransmission, the answer may be to an earlier or a later one),
 * and pending_ts holds its send time. Without timestamps: `otherwise`. */
static __always_inline __u64 echoed_send_time(struct th_flow *f, __u32 slot,
					      struct th_packet *p, __u64 now, __u64 otherwise)
{
	if (!p->has_ts || !p->tsecr)
		return otherwise;
	__u64 v = READ_ONCE(f->ts_pending), age;
	if (ts_is(f, v, p->tsecr) && ts_age(v, now, &age))
		return now - age;
	struct th_ts_key tk = { .slot = slot, .tsval = p->tsecr };
	__u64 *sent = bpf_map_lookup_elem(&pending_ts, &tk);

	return sent ? *sent : otherwise;
}

/* SYN -> SYN/ACK for connections src opened; SYN/ACK -> ACK for connections
 * dst opened. Either way the time covers interface -> dst -> interface. */
static __always_inline void track_handshake(struct th_flow *f, __u32 slot,
					     struct th_packet *p, int dir)
{
	__u64 now = bpf_ktime_get_ns();
	__u8 fl = p->flags;
	bool syn = fl & TH_TCP_SYN, ack = fl & TH_TCP_ACK, rst = fl & TH_TCP_RST;

	if (dir == TH_DIR_TX) {
		if (syn && !ack) {
			f->conn_state = TH_CONN_SYN_SENT;
			f->initiator = TH_INIT_SRC;
			f->handshake_ns = now;
		} else if (syn && ack && f->conn_state == TH_CONN_SYN_RCVD) {
			f->conn_state = TH_CONN_SYNACK_SENT;
			f->handshake_ns = now;
			f->hs_ack = p->seq + 1;
		} else if (rst && f->conn_state == TH_CONN_SYN_RCVD) {
			f->conn_state = TH_CONN_REFUSED;
		}
		return;
	}

	if (syn && !ack) {
		f->conn_state = TH_CONN_SYN_RCVD;
		f->initiator = TH_INIT_DST;
	} else if (syn && ack && f->conn_state == TH_CONN_SYN_SENT) {
		__u64 sent = echoed_send_time(f, slot, p, now, f->handshake_ns);
		f->handshake_ns = now > sent ? now - sent : 0;
		f->conn_state = TH_CONN_ESTABLISHED;
	} else if (rst && f->conn_state == TH_CONN_SYN_SENT) {
		f->conn_state = TH_CONN_REFUSED;
	} else if (ack && !syn && !rst && f->conn_state == TH_CONN_SYNACK_SENT &&
		   p->ack_seq == f->hs_ack) {
		__u64 sent = echoed_send_time(f, slot, p, now, f->handshake_ns);
		f->handshake_ns = now > sent ? now - sent : 0;
		f->conn_state = TH_CONN_ESTABLISHED;
	}
}

/* A SYN that is not a retransmission starts a new connection on this entry
 * (its addresses and ports used again before the entry idled out): the last
 * connection's sequence space and window must not judge the new one. */
static __always_inline void start_connection(struct th_flow *f, int dir)
{
	__u8 s = f->conn_state;

	if (dir == TH_DIR_TX ? s == TH_CONN_SYN_SENT : (s == TH_CONN_SYN_RCVD || s == TH_CONN_SYNACK_SENT))
		return; /* still waiting for the answer: the same SYN again */
	f->dir[TH_DIR_TX].flags &= ~(TH_DF_SEQ_VALID | TH_DF_ZERO_WIN);
	f->dir[TH_DIR_RX].flags &= ~(TH_DF_SEQ_VALID | TH_DF_ZERO_WIN);
	f->connections++;
}

static __always_inline void track_segment(struct th_dir_stats *d, struct th_packet *p)
{
	__u8 fl = p->flags;

	__sync_fetch_and_add(&d->bytes, p->wire_bytes);
	__sync_fetch_and_add(&d->packets, 1);
	__sync_fetch_and_add(&d->segments, p->segs);

	if (fl & TH_TCP_RST) {
		__sync_fetch_and_add(&d->resets, 1);
	} else if (p->window == 0) {
		/* Count transitions to a zero window, as the kernel's
		 * TCPToZeroWindowAdv does; repeats (window probes' answers) are not
		 * new advertisements. */
		if (!(d->flags & TH_DF_ZERO_WIN)) {
			d->flags |= TH_DF_ZERO_WIN;
			__sync_fetch_and_add(&d->zero_windows, 1);
		}
	} else if (d->flags & TH_DF_ZERO_WIN) {
		/* Cleared only when set: a store on every packet would keep the
		 * line dirty and bouncing between CPUs. */
		d->flags &= ~TH_DF_ZERO_WIN;
	}

	/* Retransmission: sequence space that does not go beyond the highest
	 * already sent. SYN and FIN occupy one sequence number each. */
	__u32 seq_len = p->payload_len + !!(fl & TH_TCP_SYN) + !!(fl & TH_TCP_FIN);
	if (seq_len == 0 || (fl & TH_TCP_RST))
		return;
	__u32 end = p->seq + seq_len;
	if ((d->flags & TH_DF_SEQ_VALID) && !seq_after(end, d->seq_end_max)) {
		__sync_fetch_and_add(&d->retrans_segs, p->segs);
		return;
	}
	d->seq_end_max = end;
	d->flags |= TH_DF_SEQ_VALID;
}

/* ICMP echo RTT, like pping's ICMP mode: a request leaving through egress is
 * timestamped under (flow, sequence); the reply arriving at ingress with the
 * same identifier and sequence gives one sample. Echoes the remote end sends
 * us are not timed: their reply time is this host's, not the path's. */
static __always_inline void track_icmp_echo(struct th_flow *f, __u32 slot, struct th_packet *p, int dir)
{
	struct th_ts_key tk = { .slot = slot, .tsval = p->icmp_seq };

	if (dir == TH_DIR_TX && p->icmp_echo == TH_ICMP_REQUEST)
		store_pending(&tk, bpf_ktime_get_ns());
	else if (dir == TH_DIR_RX && p->icmp_echo == TH_ICMP_REPLY)
		match_pending(f, &tk);
}

static __always_inline void handle(struct __sk_buff *skb, int dir, bool l2)
{
	struct th_packet p = {};

	count(TH_CNT_PACKETS);
	int why = parse_packet(skb, l2, &p);
	if (why) {
		count(why);
		return;
	}
	if (p.opts_error)
		count(TH_CNT_ERR_TCP_OPTS);

	orient_key(&p.key, dir, skb->ifindex);
	__u32 slot;
	struct th_flow *f = get_or_create_flow(&p.key, &slot);
	if (!f)
		return;

	if (p.key.proto != IPPROTO_TCP) {
		/* UDP, ICMP and any other protocol: bytes and packets, and ICMP echo RTT. */
		struct th_dir_stats *d = &f->dir[dir];
		count(TH_CNT_NON_TCP);
		__sync_fetch_and_add(&d->bytes, p.wire_bytes);
		__sync_fetch_and_add(&d->packets, 1);
		__sync_fetch_and_add(&d->segments, p.segs);
		if (p.icmp_echo)
			track_icmp_echo(f, slot, &p, dir);
		return;
	}

	count(TH_CNT_TCP_PACKETS);
	if ((p.flags & (TH_TCP_SYN | TH_TCP_ACK)) == TH_TCP_SYN)
		start_connection(f, dir);
	track_segment(&f->dir[dir], &p);
	if (p.flags & (TH_TCP_SYN | TH_TCP_RST) || f->conn_state == TH_CONN_SYNACK_SENT)
		track_handshake(f, slot, &p, dir);
	if (p.has_ts)
		track_timestamps(f, slot, &p, dir);
}

SEC("tc")
int tcphealth_egress(struct __sk_buff *skb)
{
	handle(skb, TH_DIR_TX, true);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int tcphealth_ingress(struct __sk_buff *skb)
{
	handle(skb, TH_DIR_RX, true);
	return TC_ACT_UNSPEC;
}

/* Variants for devices without an Ethernet header (tun, wireguard). */
SEC("tc")
int tcphealth_egress_l3(struct __sk_buff *skb)
{
	handle(skb, TH_DIR_TX, false);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int tcphealth_ingress_l3(struct __sk_buff *skb)
{
	handle(skb, TH_DIR_RX, false);
	return TC_ACT_UNSPEC;
}
