// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Test-only: a foreign TC program that ends the TCX chain (TCX_PASS), as a
 * CNI's program may. It counts what it saw so the test can prove it still
 * runs next to TcpHealth.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

__u64 seen = 0;

SEC("tc")
int pass_all(struct __sk_buff *skb)
{
	__sync_fetch_and_add(&seen, 1);
	return TC_ACT_OK;
}
