#include "cpu_budget.hpp"

#include <sched.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

namespace relc {

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in{path};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The process's cgroup v2 path ("0::/system.slice/x.service"), or "".
std::string own_cgroup() {
  std::istringstream lines{read_text("/proc/self/cgroup")};
  std::string line;
  while (std::getline(lines, line))
    if (line.rfind("0::", 0) == 0)
      return line.substr(3);
  return {};
}

// The tightest cpu.max quota from the process's cgroup up to the root.
unsigned cgroup_cpus() {
  auto group = own_cgroup();
  if (group.empty())
    return 0;
  unsigned result = 0;
  for (;;) {
    auto n = cpus_of_cpu_max(read_text("/sys/fs/cgroup" + group + "/cpu.max"));
    if (n > 0)
      result = result == 0 ? n : std::min(result, n);
    if (group.empty() || group == "/")
      break;
    auto slash = group.rfind('/');
    group = slash == 0 || slash == std::string::npos ? "/" : group.substr(0, slash);
    if (group == "/")
      group.clear(); // the root: /sys/fs/cgroup/cpu.max does not exist
  }
  return result;
}

} // namespace

unsigned cpus_of_cpu_max(const std::string& text) {
  std::istringstream in{text};
  std::string quota;
  long long period = 0;
  if (!(in >> quota >> period) || quota == "max" || period <= 0)
    return 0;
  long long q = 0;
  try {
    q = std::stoll(quota);
  } catch (...) {
    return 0;
  }
  if (q <= 0)
    return 0;
  return static_cast<unsigned>((q + period - 1) / period);
}

unsigned usable_cpus() {
  unsigned n = std::max(1u, std::thread::hardware_concurrency());
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    n = std::max(1, CPU_COUNT(&set));
  if (auto quota = cgroup_cpus(); quota > 0)
    n = std::min(n, quota);
  return std::max(1u, n);
}

} // namespace relc
