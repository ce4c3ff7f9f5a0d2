#pragma once

// Helpers shared by the tests: temporary directories, lib dirs with apps
// made on the fly from the fixture libraries, and running relc in process
// or as a real process.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "relc/release/diagnostics.hpp"
#include "relc/release/pipeline.hpp"

namespace relc::test {

namespace fs = std::filesystem;

/// SIGKILLs every process (but this one) with an argument naming `dir` or
/// a path below it, and waits up to 5 s until they are gone.
void kill_processes_under(const fs::path& dir);

/// A fresh directory under /tmp, removed with everything in it, after every
/// process started from it (by argument, see kill_processes_under) is
/// killed: a test that fails midway leaves no node running.
class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const fs::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  fs::path operator/(const std::string& x) const { return path_ / x; }

private:
  fs::path path_;
};

void write_file(const fs::path& path, const std::string& text);
std::string read_file(const fs::path& path);

/// A lib dir whose apps tests write: manifest text plus an optional library.
class lib_dir {
public:
  explicit lib_dir(fs::path root) : root_(std::move(root)) {
    fs::create_directories(root_);
  }
  /// Writes `<name>-<vsn>/<name>.app` with `manifest` and, when `library` is
  /// given, copies it to `lib/lib<name>.so` (or `lib/<library_name>`).
  fs::path add_app(const std::string& name, const std::string& vsn,
                   const std::string& manifest,
                   const std::optional<std::string>& library = std::nullopt,
                   const std::string& library_name = "");
  const fs::path& path() const { return root_; }
  std::string str() const { return root_.string(); }

private:
  fs::path root_;
};

/// A manifest with the common keys; `extra` lines are appended verbatim.
std::string manifest(const std::string& name, const std::string& vsn,
                     const std::string& extra = "");

/// The toolchain of the test build (built-in kernel, relc-node).
release::toolchain test_toolchain(std::vector<std::string> lib_dirs);

/// True when any diagnostic's one-line text contains every needle.
bool has_diagnostic(const release::diagnostics& diags,
                    const std::vector<std::string>& needles);

/// All diagnostics, one per line (for failure messages).
std::string dump(const release::diagnostics& diags);

/// Result of running a command.
struct run_result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs relc's CLI in process with `args`.
run_result run_relc_in_process(const std::vector<std::string>& args);

/// Runs a program as a real process (no shell), capturing stdout and stderr.
run_result run_process(const std::vector<std::string>& argv,
                       const std::vector<std::string>& extra_env = {});

/// A program running in the background, its output going to files.
class background_process {
public:
  background_process(const std::vector<std::string>& argv,
                     const std::vector<std::string>& extra_env = {});
  ~background_process(); // kills it if still running
  background_process(const background_process&) = delete;
  background_process& operator=(const background_process&) = delete;

  /// Waits until stderr or stdout contains `needle`; false on timeout.
  bool wait_for(const std::string& needle,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void signal(int sig);
  /// Waits for the exit; its status (128+signal when killed), -1 on timeout.
  int wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  bool running();
  std::string out() const;
  std::string err() const;
  int pid() const { return pid_; }

private:
  temp_dir scratch_;
  int pid_ = -1;
  int status_ = -1;
};

/// A release `t` (vsn 1, no bundled runtime) of apps made from the probe
/// library, whose env sets what each app does (see fixtures/probe_app.cpp).
struct probe_release {
  temp_dir dir;
  lib_dir libs{dir / "lib"};

  /// Adds app `name` 1.0; `extra` manifest lines are appended verbatim.
  void probe(const std::string& name, const std::string& extra = "");

  /// Builds the release with `applications: APPS` and `extra` spec lines
  /// (fails the test if relc build fails); returns its directory, which
  /// is also `root` from then on.
  std::string build(const std::string& apps, const std::string& extra = "");

  /// The release directory (after build()).
  std::string root;

  /// build() bundles the runtime (relc-node) when set.
  bool include_runtime = false;

  /// Boots the release with relc boot (node name `t`).
  std::unique_ptr<background_process>
  boot(std::vector<std::string> args = {}, std::vector<std::string> env = {});

  /// The node's admin socket.
  std::string socket() const { return root + "/run/t.sock"; }

  /// One admin request (relc ctl SOCKET ARGS...).
  run_result ctl(std::vector<std::string> args);
};

/// An example release (rel/<rel>.rel, runtime bundled) built by relc into
/// `<out_parent or a temp dir>/out/<rel>`, and its start script.
struct built_release {
  temp_dir dir;
  std::string root;
  std::string script;

  explicit built_release(const std::string& rel, const std::string& out_parent = "");

  /// Runs bin/<rel> ARGS with `env` added.
  run_result run(std::vector<std::string> args, std::vector<std::string> env = {});
};

/// True when the needles appear in the text in this order.
bool in_order(const std::string& text, const std::vector<std::string>& needles);

/// How often `needle` occurs in `text`.
size_t lines_with(const std::string& text, const std::string& needle);

/// SHA-256 of a file's bytes.
std::string file_digest(const fs::path& path);

} // namespace relc::test
