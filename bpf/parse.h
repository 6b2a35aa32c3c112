/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Packet parsing for the TC programs: a cursor walks the linear packet data
 * with a bounds check before every header. Each parser returns 0 on success
 * or a TH_CNT_* counter index that says why the packet was not accounted.
 */
#ifndef TCPHEALTH_PARSE_H
#define TCPHEALTH_PARSE_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "tcphealth.h"

#define TH_MAX_VLAN_TAGS 2
#define TH_MAX_IPV6_EXT 6
/* Where a transport header may start: far beyond any real header chain, and
 * small enough that the verifier can still prove accesses behind it. */
#define TH_MAX_L4_OFFSET 0x3FFF
#define TH_TCP_MAX_OPTS 40

#define IP_MF     0x2000
#define IP_OFFSET 0x1FFF

#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_TIMESTAMP 8
#define TCPOLEN_TIMESTAMP 10

/* The usual Linux layout: NOP, NOP, TIMESTAMP(10) as the only options
 * (the same fast path as the kernel's tcp_fast_parse_options). */
#define TH_TS_FAST_PATH 0x0101080a

struct vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

struct cursor {
	void *pos;
	void *end;
};

/* th_packet.icmp_echo */
#define TH_ICMP_NONE    0
#define TH_ICMP_REQUEST 1
#define TH_ICMP_REPLY   2

/* What the datapath needs from one IP packet, in host byte order, with
 * addresses as the packet carries them (src = sender of this packet).
 * key.proto says which of the L4 fields are set. */
struct th_packet {
	struct th_flow_key key;
	__u32 seq;
	__u32 ack_seq;
	__u32 tsval;
	__u32 tsecr;
	__u32 payload_len;   /* TCP payload bytes of all segments in this skb */
	__u32 wire_bytes;    /* IP bytes on the wire, every segment's headers included */
	__u32 segs;          /* wire segments in this skb (>= 1) */
	__u16 window;
	__u8 flags;          /* TCP flag byte (FIN=0x01 SYN=0x02 RST=0x04 ACK=0x10) */
	__u8 has_ts;
	__u8 opts_error;     /* options malformed: timestamps ignored */
	__u8 icmp_echo;      /* TH_ICMP_*: an echo request or reply ... */
	__u16 icmp_seq;      /* ... and its sequence number (its identifier is in both ports) */
};

#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY 129

#define TH_TCP_FIN 0x01
#define TH_TCP_SYN 0x02
#define TH_TCP_RST 0x04
#define TH_TCP_ACK 0x10

static __always_inline int parse_eth(struct cursor *c, __be16 *proto)
{
	struct ethhdr *eth = c->pos;

	if ((void *)(eth + 1) > c->end)
		return TH_CNT_ERR_L2;
	c->pos = eth + 1;
	*proto = eth->h_proto;

	/* 802.1ad outer and 802.1Q inner tags; a third tag is not parsed. */
#pragma unroll
	for (int i = 0; i < TH_MAX_VLAN_TAGS; i++) {
		if (*proto != bpf_htons(ETH_P_8021Q) && *proto != bpf_htons(ETH_P_8021AD))
			return 0;
		struct vlan_hdr *vh = c->pos;
		if ((void *)(vh + 1) > c->end)
			return TH_CNT_ERR_L2;
		c->pos = vh + 1;
		*proto = vh->encap_proto;
	}
	if (*proto == bpf_htons(ETH_P_8021Q) || *proto == bpf_htons(ETH_P_8021AD))
		return TH_CNT_ERR_L2;
	return 0;
}

/* IPv4: on success c->pos is at the L4 header, *l4_proto, *ip_len (total
 * length as stated by the header) and *hdr_len are set. Non-first fragments
 * return TH_CNT_FRAGMENTS. */
static __always_inline int parse_ipv4(struct cursor *c, struct th_flow_key *key,
				      __u8 *l4_proto, __u32 *ip_len, __u32 *hdr_len)
{
	struct iphdr *iph = c->pos;

	if ((void *)(iph + 1) > c->end)
		return TH_CNT_ERR_IP;
	if (iph->version != 4 || iph->ihl < 5)
		return TH_CNT_ERR_IP;
	__u32 ihl = iph->ihl * 4;
	if (c->pos + ihl > c->end)
		return TH_CNT_ERR_IP;
	__u32 tot_len = bpf_ntohs(iph->tot_len);
	/* tot_len 0 is legal for TSO super-packets; otherwise it must cover the header. */
	if (tot_len != 0 && tot_len < ihl)
		return TH_CNT_ERR_IP;
	if (bpf_ntohs(iph->frag_off) & IP_OFFSET)
		return TH_CNT_FRAGMENTS;

	key->family = TH_FAMILY_IPV4;
	__builtin_memcpy(key->src_addr, &iph->saddr, 4);
	__builtin_memcpy(key->dst_addr, &iph->daddr, 4);
	*l4_proto = iph->protocol;
	*ip_len = tot_len;
	*hdr_len = ihl;
	c->pos += ihl;
	return 0;
}

/* IPv6 with the common extension headers (hop-by-hop, routing, destination
 * options, fragment, AH). ESP and unknown headers end the chain. */
static __always_inline bool ipv6_ext_header(__u8 next)
{
	return next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS ||
	       next == IPPROTO_AH || next == IPPROTO_FRAGMENT;
}

static __always_inline int parse_ipv6(struct __sk_buff *skb, struct cursor *c, struct th_flow_key *key,
				      __u8 *l4_proto, __u32 *ip_len, __u32 *hdr_len)
{
	struct ipv6hdr *ip6 = c->pos;

	if ((void *)(ip6 + 1) > c->end)
		return TH_CNT_ERR_IP;
	if (ip6->version != 6)
		return TH_CNT_ERR_IP;
	key->family = TH_FAMILY_IPV6;
	__builtin_memcpy(key->src_addr, &ip6->saddr, 16);
	__builtin_memcpy(key->dst_addr, &ip6->daddr, 16);
	__u32 payload_len = bpf_ntohs(ip6->payload_len);
	*ip_len = payload_len ? payload_len + sizeof(*ip6) : 0;
	c->pos = ip6 + 1;

	__u8 next = ip6->nexthdr;
	__u32 len = sizeof(*ip6);
	if (ipv6_ext_header(next)) {
		/* Extension headers are rare, so they are walked with a plain offset
		 * and bpf_skb_load_bytes: a packet pointer advanced through an
		 * unrolled chain gives the verifier a state per possible layout
		 * (20 times the work, half of its instruction limit). */
		void *data = (void *)(long)skb->data;
		__u32 off = c->pos - data;
		for (int i = 0; i < TH_MAX_IPV6_EXT && ipv6_ext_header(next); i++) {
			/* Every extension header is at least 8 bytes long. */
			__u8 h[8];
			if (bpf_skb_load_bytes(skb, off, h, sizeof(h)))
				return TH_CNT_ERR_IPV6_EXT;
			__u32 elen;
			if (next == IPPROTO_FRAGMENT) {
				if ((((__u16)h[2] << 8 | h[3]) & 0xFFF8) != 0)
					return TH_CNT_FRAGMENTS;
				elen = 8;
			} else {
				/* AH counts its length in 4-byte units minus 2, the others in 8-byte units minus 1. */
				elen = next == IPPROTO_AH ? ((__u32)h[1] + 2) * 4 : ((__u32)h[1] + 1) * 8;
			}
			next = h[0];
			off += elen;
			len += elen;
		}
		/* Still inside the chain after TH_MAX_IPV6_EXT headers, or beyond the packet. */
		if (ipv6_ext_header(next) || off > TH_MAX_L4_OFFSET)
			return TH_CNT_ERR_IPV6_EXT;
		c->pos = data + off;
		if (c->pos > c->end)
			return TH_CNT_ERR_IPV6_EXT;
	}
	if (*ip_len && *ip_len < len)
		return TH_CNT_ERR_IPV6_EXT;
	*l4_proto = next;
	*hdr_len = len;
	return 0;
}

/* Reads the 32-bit big-endian value at buf[i..i+3]; i is masked so the
 * verifier sees every access inside the 64-byte buffer. */
static __always_inline __u32 load_be32(const __u8 *buf, __u32 i)
{
	return (__u32)buf[i & 63] << 24 | (__u32)buf[(i + 1) & 63] << 16 |
	       (__u32)buf[(i + 2) & 63] << 8 | (__u32)buf[(i + 3) & 63];
}

struct opt_walk {
	__u8 buf[64];
	__u32 pos;
	__u32 len;
	__u32 tsval;
	__u32 tsecr;
	__u8 has_ts;
	__u8 error;
};

/* One step of the option walk, as a bpf_loop callback so the verifier checks
 * it once instead of once per possible option layout. Returns 1 to stop. */
static long opt_walk_step(__u32 n, struct opt_walk *w)
{
	__u32 i = w->pos;

	if (i >= w->len)
		return 1;
	__u8 kind = w->buf[i & 63];
	if (kind == TCPOPT_EOL)
		return 1;
	if (kind == TCPOPT_NOP) {
		w->pos = i + 1;
		return 0;
	}
	if (i + 1 >= w->len)
		goto bad;
	__u8 olen = w->buf[(i + 1) & 63];
	if (olen < 2 || i + olen > w->len)
		goto bad;
	if (kind == TCPOPT_TIMESTAMP) {
		if (olen != TCPOLEN_TIMESTAMP)
			goto bad;
		w->tsval = load_be32(w->buf, i + 2);
		w->tsecr = load_be32(w->buf, i + 6);
		w->has_ts = 1;
	}
	w->pos = i + olen;
	return 0;
bad:
	w->error = 1;
	return 1;
}

/* Walks the TCP options like the kernel's tcp_parse_options: stops at EOL,
 * rejects lengths below 2 or past the end, and a timestamp option whose
 * length is not 10. Returns 0, or TH_CNT_ERR_TCP_OPTS. */
static __always_inline int parse_tcp_options(struct __sk_buff *skb, __u32 off, __u32 len,
					     struct th_packet *p)
{
	struct opt_walk w = { .len = len };

	if (len == 0 || len > TH_TCP_MAX_OPTS)
		return 0;
	/* ((len - 1) & 63) + 1: the verifier must see a non-zero size <= 64. */
	if (bpf_skb_load_bytes(skb, off, w.buf, ((len - 1) & 63) + 1))
		return TH_CNT_ERR_TCP_OPTS;
	bpf_loop(TH_TCP_MAX_OPTS, opt_walk_step, &w, 0);
	if (w.error)
		return TH_CNT_ERR_TCP_OPTS;
	p->tsval = w.tsval;
	p->tsecr = w.tsecr;
	p->has_ts = w.has_ts;
	return 0;
}

/* UDP ports, or an ICMP/ICMPv6 echo's identifier (in both ports, so that a
 * request and its reply share a flow) and sequence number. All need 8 bytes. */
static __always_inline int parse_l4_small(struct cursor *c, __u8 l4_proto, struct th_packet *p)
{
	__u8 *h = c->pos;

	if ((void *)(h + 8) > c->end)
		return TH_CNT_ERR_L4;
	if (l4_proto == IPPROTO_UDP) {
		p->key.src_port = (__u16)h[0] << 8 | h[1];
		p->key.dst_port = (__u16)h[2] << 8 | h[3];
		return 0;
	}
	/* Echo types belong to their own family: ICMP (1) in IPv4, ICMPv6 (58)
	 * in IPv6. Anything else keeps ports 0 and is never timed. */
	__u8 type = h[0];
	bool v4 = p->key.family == TH_FAMILY_IPV4;
	if (l4_proto == IPPROTO_ICMP && v4 && type == ICMP_ECHO)
		p->icmp_echo = TH_ICMP_REQUEST;
	else if (l4_proto == IPPROTO_ICMP && v4 && type == ICMP_ECHOREPLY)
		p->icmp_echo = TH_ICMP_REPLY;
	else if (l4_proto == IPPROTO_ICMPV6 && !v4 && type == ICMPV6_ECHO_REQUEST)
		p->icmp_echo = TH_ICMP_REQUEST;
	else if (l4_proto == IPPROTO_ICMPV6 && !v4 && type == ICMPV6_ECHO_REPLY)
		p->icmp_echo = TH_ICMP_REPLY;
	else
		return 0;
	p->key.src_port = p->key.dst_port = (__u16)h[4] << 8 | h[5];
	p->icmp_seq = (__u16)h[6] << 8 | h[7];
	return 0;
}

/*
 * Parses one packet starting at the L2 header (or at the IP header when
 * `l2` is false, for tun/wireguard-like devices). Returns 0 for an IP packet
 * that should be accounted (any protocol; TCP, UDP and ICMP echoes parsed
 * further), or the TH_CNT_* index explaining why not.
 */
static __always_inline int parse_packet(struct __sk_buff *skb, bool l2, struct th_packet *p)
{
	struct cursor c = {
		.pos = (void *)(long)skb->data,
		.end = (void *)(long)skb->data_end,
	};
	__be16 proto;
	int err;

	if (l2) {
		err = parse_eth(&c, &proto);
		if (err)
			return err;
	} else {
		proto = skb->protocol;
	}
	__u32 l2_len = c.pos - (void *)(long)skb->data;

	__u8 l4_proto = 0;
	__u32 ip_len = 0, ip_hdr_len = 0;
	if (proto == bpf_htons(ETH_P_IP))
		err = parse_ipv4(&c, &p->key, &l4_proto, &ip_len, &ip_hdr_len);
	else if (proto == bpf_htons(ETH_P_IPV6))
		err = parse_ipv6(skb, &c, &p->key, &l4_proto, &ip_len, &ip_hdr_len);
	else
		return TH_CNT_NON_IP;
	if (err)
		return err;
	p->key.proto = l4_proto;

	struct tcphdr *th = c.pos;
	__u32 l4_hdr_len = 0;
	if (l4_proto == IPPROTO_TCP) {
		if ((void *)(th + 1) > c.end)
			return TH_CNT_ERR_TCP;
		l4_hdr_len = th->doff * 4;
		if (l4_hdr_len < sizeof(*th) || c.pos + l4_hdr_len > c.end)
			return TH_CNT_ERR_TCP;
	} else if (l4_proto == IPPROTO_UDP || l4_proto == IPPROTO_ICMP || l4_proto == IPPROTO_ICMPV6) {
		err = parse_l4_small(&c, l4_proto, p);
		if (err)
			return err;
		l4_hdr_len = 8;
	}

	/* Bytes: a GSO/GRO skb carries several wire segments behind one set of
	 * headers, so its length comes from the skb; a single packet's from the
	 * IP header, because Ethernet padding may trail it. */
	__u32 segs = skb->gso_segs > 1 ? skb->gso_segs : 1;
	__u32 skb_l3_len = skb->len > l2_len ? skb->len - l2_len : 0;
	__u32 l3_len = (segs > 1 || ip_len == 0) ? skb_l3_len : ip_len;
	if (l3_len > skb_l3_len || l3_len < ip_hdr_len + l4_hdr_len)
		return TH_CNT_ERR_IP;
	p->payload_len = l3_len - ip_hdr_len - l4_hdr_len;
	p->wire_bytes = l3_len + (segs - 1) * (ip_hdr_len + l4_hdr_len);
	p->segs = segs;
	if (l4_proto != IPPROTO_TCP)
		return 0;

	/* Checked above; said again because the verifier forgets it where the
	 * protocol branches join. */
	if ((void *)(th + 1) > c.end)
		return TH_CNT_ERR_TCP;
	__u32 doff = l4_hdr_len;
	p->key.src_port = bpf_ntohs(th->source);
	p->key.dst_port = bpf_ntohs(th->dest);
	p->seq = bpf_ntohl(th->seq);
	p->ack_seq = bpf_ntohl(th->ack_seq);
	p->window = bpf_ntohs(th->window);
	p->flags = ((__u8 *)th)[13];

	__u32 opt_len = doff - sizeof(*th);
	__u32 *opt = (void *)(th + 1);
	if (opt_len == 12 && (void *)(opt + 3) <= c.end && *opt == bpf_htonl(TH_TS_FAST_PATH)) {
		p->tsval = bpf_ntohl(opt[1]);
		p->tsecr = bpf_ntohl(opt[2]);
		p->has_ts = 1;
	} else if (opt_len) {
		__u32 opt_off = (void *)opt - (void *)(long)skb->data;
		if (parse_tcp_options(skb, opt_off, opt_len, p)) {
			p->opts_error = 1;
			p->has_ts = 0;
		}
	}
	return 0;
}

#endif /* TCPHEALTH_PARSE_H */
