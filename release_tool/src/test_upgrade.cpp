#include "relc/release/test_upgrade.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

#include "relc/release/relup.hpp"
#include "relc/runtime/release_layout.hpp"
#include "relc/runtime/runtime_error.hpp"

namespace fs = std::filesystem;

namespace relc::release {

namespace {

using clock_type = std::chrono::steady_clock;

struct outcome {
  int status = -1;
  std::string output; ///< stdout and stderr
};

// Runs `argv` with `env` added; its output, both streams.
outcome run(const std::vector<std::string>& argv,
            const std::vector<std::string>& env = {}) {
  int fds[2];
  outcome result;
  if (pipe(fds) != 0)
    return result;
  fflush(stdout);
  auto pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    for (auto& e : env)
      putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> args;
    for (auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0)
    result.output.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

// Extracts a release tarball into `dest` with its modes.
std::string extract(const std::string& tarball, const fs::path& dest) {
  struct closer {
    void operator()(archive* a) const { archive_read_free(a); }
  };
  std::unique_ptr<archive, closer> a{archive_read_new()};
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), tarball.c_str(), 1 << 16) != ARCHIVE_OK)
    return tarball + ": " + archive_error_string(a.get());
  archive_entry* e = nullptr;
  int rc;
  while ((rc = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    auto target = (dest / archive_entry_pathname(e)).string();
    archive_entry_set_pathname(e, target.c_str());
    if (archive_read_extract(a.get(), e, ARCHIVE_EXTRACT_PERM
                                             | ARCHIVE_EXTRACT_SECURE_NODOTDOT)
        != ARCHIVE_OK)
      return tarball + ": " + archive_error_string(a.get());
  }
  if (rc != ARCHIVE_EOF)
    return tarball + ": " + archive_error_string(a.get());
  return {};
}

std::string first_line(const std::string& text) {
  auto nl = text.find('\n');
  return nl == std::string::npos ? text : text.substr(0, nl);
}

} // namespace

bool run_test_upgrade(const test_upgrade_options& o,
                      const std::function<void(const std::string&)>& report) {
  auto version_of = [&](const std::string& tarball, std::string& vsn) {
    auto files = release_files::open(tarball);
    if (!files) {
      report("FAIL read " + tarball + ": " + describe_error(files.error()));
      return false;
    }
    auto start = layout::parse_start_data(
      files->read(layout::start_data()).value_or(""));
    if (!start) {
      report("FAIL read " + tarball + ": not a release tarball (no "
             + layout::start_data() + ")");
      return false;
    }
    vsn = start->release_vsn;
    return true;
  };
  std::string old_vsn, new_vsn;
  if (!version_of(o.old_tarball, old_vsn) || !version_of(o.new_tarball, new_vsn))
    return false;
  char tmpl[] = "/tmp/relc-test-upgrade-XXXXXX";
  if (!mkdtemp(tmpl)) {
    report("FAIL cannot make a scratch directory");
    return false;
  }
  fs::path root{tmpl};
  if (auto err = extract(o.old_tarball, root); !err.empty()) {
    report("FAIL unpack " + err);
    fs::remove_all(root);
    return false;
  }
  std::string script;
  std::string name;
  for (auto& e : fs::directory_iterator{root / "bin"})
    if (e.path().filename() != "relc") {
      script = e.path().string();
      name = e.path().filename().string();
    }
  std::vector<std::string> env{"RELC_RELEASE_ROOT=" + root.string(),
                               "RELC_NODE_NAME=" + name};
  bool all_ok = true;
  auto step = [&](const std::string& what, std::vector<std::string> argv) {
    auto t0 = clock_type::now();
    auto r = run(argv, env);
    char ms[32];
    snprintf(ms, sizeof ms, "%.1f ms",
             std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
    if (r.status == 0) {
      report("ok   " + what + " (" + ms + ")");
      return true;
    }
    all_ok = false;
    report("FAIL " + what + " (exit " + std::to_string(r.status) + "): "
           + first_line(r.output));
    return false;
  };
  auto probe = [&](const std::string& when) {
    if (!o.probe.empty())
      step("probe " + when + ": " + o.probe, {"/bin/sh", "-c", o.probe});
  };
  if (step("start " + name + " " + old_vsn, {"/bin/sh", script, "start"})) {
    if (step("unpack " + new_vsn,
             {"/bin/sh", script, "unpack", fs::absolute(o.new_tarball).string()})
        && step("install " + new_vsn + " (up from " + old_vsn + ")",
                {"/bin/sh", script, "install", new_vsn})) {
      probe("after the upgrade to " + new_vsn);
      if (step("install " + old_vsn + " (down from " + new_vsn + ")",
               {"/bin/sh", script, "install", old_vsn}))
        probe("after the downgrade to " + old_vsn);
    }
    step("stop", {"/bin/sh", script, "stop"});
  }
  if (o.keep)
    report("kept " + root.string());
  else
    fs::remove_all(root);
  return all_ok;
}

} // namespace relc::release
