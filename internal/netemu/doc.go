// Package netemu makes a slow, distant, lossy link between two network
// namespaces, for benchmarks of what a branch office's uplink does to sync
// (Linux only). The kernel's netem would do it, but not every kernel has
// it; so the packets cross through this process, between two TUN devices,
// one in each namespace, and this process gives them the link's rate,
// delay and loss, and can cut the link.
package netemu
