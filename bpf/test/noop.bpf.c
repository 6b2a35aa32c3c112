// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Benchmark control: a TC program that does nothing and lets the packet go
 * on (TC_ACT_UNSPEC == TCX_NEXT), like TcpHealth's programs. Attached in
 * their place it measures what merely having a program on the hook costs,
 * so the difference to TcpHealth is the cost of its own work.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tc")
int noop(struct __sk_buff *skb)
{
	return TC_ACT_UNSPEC;
}
