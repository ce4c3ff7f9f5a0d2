#include "runtime_exec.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "heart.hpp"
#include "relc/runtime/log.hpp"
#include "relc/runtime/release_layout.hpp"
#include "relc/runtime/runtime_error.hpp"
#include "relc/runtime/version.hpp"

// Defined by the node executable (runtime/node/main.cpp); absent in relc.
extern "C" __attribute__((weak)) const char relc_runtime_version[];

namespace fs = std::filesystem;

namespace relc {

namespace {

constexpr const char* f_install = "--resume-install";
constexpr const char* f_health = "--resume-health";
constexpr const char* f_permanent = "--resume-permanent";
constexpr const char* f_rolled_back = "--resume-rolled-back";
constexpr const char* f_report = "--resume-report";
constexpr const char* f_fd = "--resume-fd";

bool to_int(const std::string& text, int64_t& out) {
  char* end = nullptr;
  errno = 0;
  out = strtoll(text.c_str(), &end, 10);
  return !text.empty() && *end == '\0' && errno == 0 && out >= 0;
}

} // namespace

std::vector<std::string> resume_plan::to_args() const {
  std::vector<std::string> out;
  auto add = [&](const char* flag, const std::string& value) {
    out.push_back(flag);
    out.push_back(value);
  };
  if (!install.empty())
    add(f_install, install);
  if (health_ms > 0)
    add(f_health, std::to_string(health_ms));
  if (make_permanent)
    out.push_back(f_permanent);
  if (!rolled_back.empty())
    add(f_rolled_back, rolled_back);
  if (!report.empty())
    add(f_report, report);
  if (fd >= 0)
    add(f_fd, std::to_string(fd));
  return out;
}

bool resume_plan::take_flag(const std::vector<std::string>& args, size_t& i,
                            std::string& error) {
  auto& flag = args[i];
  if (flag == f_permanent) {
    make_permanent = true;
    return true;
  }
  bool known = flag == f_install || flag == f_health || flag == f_rolled_back
               || flag == f_report || flag == f_fd;
  if (!known)
    return false;
  if (i + 1 >= args.size()) {
    error = flag + " needs a value";
    return true;
  }
  auto& value = args[++i];
  int64_t n = 0;
  if (flag == f_install) {
    install = value;
  } else if (flag == f_rolled_back) {
    rolled_back = value;
  } else if (flag == f_report) {
    report = value;
  } else if (!to_int(value, n)) {
    error = flag + ": expected a number, found '" + value + "'";
  } else if (flag == f_health) {
    health_ms = n;
  } else {
    fd = static_cast<int>(n);
  }
  return true;
}

std::string running_runtime_version() {
  if (relc_runtime_version != nullptr)
    return relc_runtime_version;
  return RELC_RUNTIME_VERSION;
}

caf::error find_runtime_executable(const std::string& root,
                                   const std::string& rvsn, std::string& path) {
  std::error_code ec;
  auto abs = fs::absolute(fs::path{root} / layout::runtime_executable(rvsn), ec);
  path = abs.string();
  if (access(path.c_str(), X_OK) != 0)
    return make_error(runtime_errc::release_handling,
                      "runtime " + rvsn + ": no executable " + path + " ("
                        + strerror(errno) + "; a release built by relc "
                        "build carries it, unpack moves it in)");
  return {};
}

std::string exec_node(const std::string& exe, const std::string& root,
                      const std::vector<std::string>& args, int keep) {
  std::vector<std::string> words{exe, "boot", root};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& w : words)
    argv.push_back(w.data());
  argv.push_back(nullptr);
  heart_client_keep_across_exec();
  if (keep >= 0)
    fcntl(keep, F_SETFD, 0);
  flush_log_blocking(); // the new image starts with nothing queued
  fflush(stdout);
  fflush(stderr);
  execv(exe.c_str(), argv.data());
  return "cannot exec " + exe + ": " + strerror(errno);
}

} // namespace relc
