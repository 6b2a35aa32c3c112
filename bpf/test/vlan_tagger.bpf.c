// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Test-only: makes real TCP traffic VLAN-tagged on a kernel without 802.1Q
 * devices. Two pushes leave an inner 802.1Q tag inside the frame data (where
 * TcpHealth's parser must find it) and an outer 802.1ad tag in skb metadata.
 * Both carry VLAN ID 0 (priority tags), which the receiving stack strips and
 * delivers without a VLAN device. Drops the packet if the in-band tag is not
 * where the test expects it, so the traffic test fails instead of passing
 * without having exercised the VLAN path.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tc")
int push_priority_tags(struct __sk_buff *skb)
{
	__be16 proto;

	if (skb->protocol != bpf_htons(ETH_P_IP) && skb->protocol != bpf_htons(ETH_P_IPV6))
		return TC_ACT_UNSPEC;
	if (bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), 0) ||
	    bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021AD), 0))
		return TC_ACT_SHOT;
	if (bpf_skb_load_bytes(skb, 12, &proto, sizeof(proto)) || proto != bpf_htons(ETH_P_8021Q))
		return TC_ACT_SHOT;
	return TC_ACT_UNSPEC;
}
