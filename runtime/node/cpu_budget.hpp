#pragma once

// How many CPUs this process may use: the CPUs of its affinity mask
// (taskset, a cpuset), capped by its cgroup's CPU quota (a container's
// --cpus, systemd's CPUQuota=), rounded up, at least 1. The node starts
// one CAF worker per such CPU, as the JVM and Go's runtime size theirs:
// hardware_concurrency() counts the host's cores, which a pinned or
// throttled process cannot use.

#include <string>

namespace relc {

unsigned usable_cpus();

/// The quota of a cgroup v2 `cpu.max` text ("max 100000" or "150000
/// 100000"), in CPUs rounded up; 0 when unlimited or unreadable.
unsigned cpus_of_cpu_max(const std::string& text);

} // namespace relc
