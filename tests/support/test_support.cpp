#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "cli.hpp"
#include "relc/runtime/sha256.hpp"

extern char** environ;

namespace relc::test {

temp_dir::temp_dir() {
  std::random_device rd;
  auto base = fs::temp_directory_path();
  for (;;) {
    path_ = base / ("relc-test-" + std::to_string(rd()));
    if (fs::create_directory(path_))
      break;
  }
}

namespace {

// The arguments of process `pid`, NUL-separated; empty when it is gone.
std::string proc_cmdline(const std::string& pid) {
  return read_file(fs::path{"/proc"} / pid / "cmdline");
}

// True while `pid` exists and is not a zombie (a parent that never reaps,
// as a container's init may not, leaves one behind).
bool proc_alive(pid_t pid) {
  auto stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size()
         && stat[close + 2] != 'Z';
}

} // namespace

void kill_processes_under(const fs::path& dir) {
  // Every argument that names `dir` or a path below it marks a process a
  // test started there: a node (relc boot ROOT), its heart, a start
  // script. The directories are unique, so nothing else matches.
  auto prefix = dir.string();
  std::vector<pid_t> victims;
  std::error_code ec;
  for (auto& entry : fs::directory_iterator{"/proc", ec}) {
    auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos)
      continue;
    auto pid = static_cast<pid_t>(std::stol(name));
    if (pid == getpid())
      continue;
    auto args = proc_cmdline(name);
    for (size_t pos = 0; pos < args.size();) {
      auto end = args.find('\0', pos);
      auto arg = args.substr(pos, end == std::string::npos ? end : end - pos);
      if (arg.compare(0, prefix.size(), prefix) == 0
          && (arg.size() == prefix.size() || arg[prefix.size()] == '/')) {
        victims.push_back(pid);
        break;
      }
      if (end == std::string::npos)
        break;
      pos = end + 1;
    }
  }
  for (auto pid : victims)
    kill(pid, SIGKILL);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (auto pid : victims)
    while (proc_alive(pid) && std::chrono::steady_clock::now() < deadline) {
      waitpid(pid, nullptr, WNOHANG); // our own child: reap it
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

temp_dir::~temp_dir() {
  // A failed REQUIRE skips every stop a test meant to run: whatever still
  // runs from this directory goes with it.
  kill_processes_under(path_);
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  out << text;
}

std::string read_file(const fs::path& path) {
  std::ifstream in{path, std::ios::binary};
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

fs::path lib_dir::add_app(const std::string& name, const std::string& vsn,
                          const std::string& manifest_text,
                          const std::optional<std::string>& library,
                          const std::string& library_name) {
  auto dir = root_ / (name + "-" + vsn);
  write_file(dir / (name + ".app"), manifest_text);
  if (library) {
    fs::create_directories(dir / "lib");
    auto file = library_name.empty() ? "lib" + name + ".so" : library_name;
    fs::copy_file(*library, dir / "lib" / file,
                  fs::copy_options::overwrite_existing);
  }
  return dir;
}

std::string manifest(const std::string& name, const std::string& vsn,
                     const std::string& extra) {
  return "application: " + name + "\nvsn: \"" + vsn + "\"\n" + extra;
}

release::toolchain test_toolchain(std::vector<std::string> lib_dirs) {
  release::toolchain tools;
  lib_dirs.push_back(RELC_TEST_KERNEL_DIR);
  tools.lib_dirs = std::move(lib_dirs);
  tools.runtime_version = RELC_TEST_RUNTIME_VERSION;
  tools.node_executable = RELC_TEST_NODE_EXE;
  return tools;
}

bool has_diagnostic(const release::diagnostics& diags,
                    const std::vector<std::string>& needles) {
  for (auto& d : diags.items()) {
    auto line = d.to_string();
    bool all = true;
    for (auto& n : needles)
      all = all && line.find(n) != std::string::npos;
    if (all)
      return true;
  }
  return false;
}

std::string dump(const release::diagnostics& diags) {
  std::string result;
  for (auto& d : diags.items())
    result += d.to_string() + "\n";
  return result;
}

run_result run_relc_in_process(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  cli::cli_environment env;
  env.builtin_lib_dir = RELC_TEST_KERNEL_DIR;
  env.node_executable = RELC_TEST_NODE_EXE;
  env.runtime_version = RELC_TEST_RUNTIME_VERSION;
  run_result result;
  result.exit_code = cli::run_cli(args, out, err, env);
  result.out = out.str();
  result.err = err.str();
  return result;
}

namespace {

std::string drain(int fd) {
  std::string result;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0)
    result.append(buf, static_cast<size_t>(n));
  return result;
}

// argv and envp for execve, with their strings kept alive alongside.
struct exec_args {
  std::vector<std::string> env_strings;
  std::vector<char*> argv;
  std::vector<char*> envp;

  exec_args(const std::vector<std::string>& args,
            const std::vector<std::string>& extra_env) {
    for (char** e = environ; *e; ++e)
      env_strings.emplace_back(*e);
    env_strings.insert(env_strings.end(), extra_env.begin(), extra_env.end());
    for (auto& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (auto& e : env_strings)
      envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
  }
};

// Forks and execs with stdout and stderr going to files.
int spawn_to_files(const exec_args& x, const std::string& out_path,
                   const std::string& err_path) {
  auto pid = fork();
  if (pid == 0) {
    auto out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    auto err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, 1);
    dup2(err, 2);
    execve(x.argv[0], x.argv.data(), x.envp.data());
    _exit(127);
  }
  return pid;
}

} // namespace

run_result run_process(const std::vector<std::string>& argv,
                       const std::vector<std::string>& extra_env) {
  // stdout and stderr go to temporary files: no pipe can fill up and block.
  temp_dir scratch;
  auto out_path = (scratch / "out").string();
  auto err_path = (scratch / "err").string();
  exec_args x{argv, extra_env};
  auto pid = spawn_to_files(x, out_path, err_path);
  int status = 0;
  waitpid(pid, &status, 0);
  run_result result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status)
                                       : 128 + WTERMSIG(status);
  auto out_fd = open(out_path.c_str(), O_RDONLY);
  auto err_fd = open(err_path.c_str(), O_RDONLY);
  result.out = drain(out_fd);
  result.err = drain(err_fd);
  close(out_fd);
  close(err_fd);
  return result;
}

background_process::background_process(const std::vector<std::string>& argv,
                                       const std::vector<std::string>& extra_env) {
  auto out_path = (scratch_ / "out").string();
  auto err_path = (scratch_ / "err").string();
  exec_args x{argv, extra_env};
  pid_ = spawn_to_files(x, out_path, err_path);
}

background_process::~background_process() {
  if (running()) {
    kill(pid_, SIGKILL);
    wait_exit(std::chrono::seconds(5));
  }
}

std::string background_process::out() const {
  return read_file(scratch_ / "out");
}

std::string background_process::err() const {
  return read_file(scratch_ / "err");
}

bool background_process::wait_for(const std::string& needle,
                                  std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (err().find(needle) != std::string::npos
        || out().find(needle) != std::string::npos)
      return true;
    if (!running())
      break;
    usleep(5000);
  }
  return err().find(needle) != std::string::npos
         || out().find(needle) != std::string::npos;
}

void background_process::signal(int sig) {
  if (pid_ > 0)
    kill(pid_, sig);
}

bool background_process::running() {
  if (status_ >= 0)
    return false;
  int status = 0;
  auto r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  return r == 0;
}

int background_process::wait_exit(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running() && std::chrono::steady_clock::now() < deadline)
    usleep(5000);
  return status_;
}

std::string file_digest(const fs::path& path) {
  return relc::sha256::of(read_file(path));
}

void probe_release::probe(const std::string& name, const std::string& extra) {
  libs.add_app(name, "1.0",
               manifest(name, "1.0", "mod: {module: probe_app}\n" + extra),
               RELC_TEST_PROBE_APP);
}

std::string probe_release::build(const std::string& apps,
                                 const std::string& extra) {
  write_file(dir / "t.rel", std::string{"release: t\nvsn: \"1\"\ninclude_runtime: "}
                              + (include_runtime ? "true" : "false")
                              + "\napplications: " + apps + "\n" + extra);
  auto r = run_relc_in_process({"build", (dir / "t.rel").string(), "--lib-dir",
                                libs.str(), "--out", (dir / "out").string(),
                                "--no-tar"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  root = (dir / "out" / "t").string();
  return root;
}

std::unique_ptr<background_process>
probe_release::boot(std::vector<std::string> args, std::vector<std::string> env) {
  std::vector<std::string> argv{RELC_TEST_NODE_EXE, "boot", root};
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<background_process>(argv, env);
}

run_result probe_release::ctl(std::vector<std::string> args) {
  args.insert(args.begin(), {RELC_TEST_NODE_EXE, "ctl", socket()});
  return run_process(args);
}

bool in_order(const std::string& text, const std::vector<std::string>& needles) {
  size_t pos = 0;
  for (auto& n : needles) {
    auto found = text.find(n, pos);
    if (found == std::string::npos)
      return false;
    pos = found + n.size();
  }
  return true;
}

size_t lines_with(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos;
       pos = text.find(needle, pos + 1))
    ++count;
  return count;
}

built_release::built_release(const std::string& rel,
                             const std::string& out_parent) {
  auto out = out_parent.empty() ? dir / "out" : fs::path{out_parent} / "out";
  auto r = run_relc_in_process({"build", RELC_TEST_SOURCE_DIR "/rel/" + rel + ".rel",
                                "--lib-dir", RELC_TEST_EXAMPLE_LIB_DIR, "--out",
                                out.string(), "--no-tar"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  root = (out / rel).string();
  script = root + "/bin/" + rel;
}

run_result built_release::run(std::vector<std::string> args,
                              std::vector<std::string> env) {
  args.insert(args.begin(), {"/bin/sh", script});
  return run_process(args, env);
}

} // namespace relc::test
