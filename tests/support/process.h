// Child processes, shell commands and scratch folders for tests and
// benchmarks that run real daemons (tests/interop, bench/fulltable). Every
// process started here is stopped by its destructor, by PID, also when the
// caller fails. Header only, like netns.h: every test target that needs it
// just includes it.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <thread>

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace halink::testing {

using namespace std::chrono_literals;

// Polls `condition` every 50 ms until it holds or `timeout` has passed.
// Returns whether it held (correctness never rests on a fixed sleep).
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

struct CommandResult {
  int status = -1;     // exit status, -1 when it could not run or was killed
  std::string output;  // stdout and stderr together
  bool ok() const { return status == 0; }
};
// Runs a shell command in the test's own namespace.
CommandResult run_command(const std::string& shell_command);
// Runs a command inside network namespace `ns`.
CommandResult run_in(const std::string& ns, const std::string& shell_command);

bool is_executable(const std::string& path);
// The last `lines` lines of a file, for failure messages.
std::string tail_of(const std::filesystem::path& file, int lines = 30);

// A scratch folder for configurations, sockets and logs, removed at the end.
// World-writable: FRR's daemons drop to the frr user and write there.
class ScratchDir {
public:
  explicit ScratchDir(const std::string& tag);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  // A world-writable sub-folder.
  std::filesystem::path subdir(const std::string& name) const;

private:
  std::filesystem::path path_;
};

void write_file(const std::filesystem::path& file, const std::string& text);

// A child process started by fork+exec, its output appended to a log file.
// `ip netns exec NS PROGRAM ...` execs PROGRAM, so the PID is the daemon's.
// The destructor stops it (SIGTERM, then SIGKILL after a grace period).
class Process {
public:
  Process() = default;
  Process(const std::vector<std::string>& argv, const std::filesystem::path& log);
  ~Process() { stop(); }
  Process(Process&& other) noexcept : pid_(other.pid_), exit_status_(other.exit_status_) { other.pid_ = -1; }
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  // Reaps the child if it has exited; true while it runs.
  bool running();
  bool signal(int signo) const;
  // SIGTERM, waits up to `grace`, then SIGKILL. Returns the exit status
  // (128 + signal when killed by one), -1 if it never ran.
  int stop(std::chrono::milliseconds grace = 5000ms);
  // The exit status once it has exited, -2 while it runs.
  int exit_status() const { return exit_status_; }

private:
  void record(int wait_status);
  pid_t pid_ = -1;
  int exit_status_ = -2;
};

// The argv for `ip netns exec NS argv...`.
std::vector<std::string> in_namespace(const std::string& ns, std::vector<std::string> argv);

// `text` in single quotes for sh: 'it'\''s'.
std::string shell_quoted(const std::string& text);

// ---------------------------------------------------------------- definitions


inline std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
}

inline CommandResult run_command(const std::string& shell_command) {
  CommandResult result;
  FILE* pipe = popen((shell_command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}


inline CommandResult run_in(const std::string& ns, const std::string& shell_command) {
  return run_command("ip netns exec " + ns + " sh -c " + shell_quoted(shell_command));
}

inline bool is_executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

inline std::string tail_of(const std::filesystem::path& file, int lines) {
  std::ifstream in(file);
  if (!in) return "(no " + file.string() + ")\n";
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    last.push_back(line);
    if (static_cast<int>(last.size()) > lines) last.pop_front();
  }
  std::string out = "--- " + file.string() + " (last " + std::to_string(last.size()) + " lines)\n";
  for (auto& l : last) out += l + "\n";
  return out;
}

inline ScratchDir::ScratchDir(const std::string& tag) {
  std::string pattern = (std::filesystem::temp_directory_path() / ("halink-interop-" + tag + "-XXXXXX")).string();
  if (char* made = mkdtemp(pattern.data())) path_ = made;
  chmod(path_.c_str(), 0777);
}

inline ScratchDir::~ScratchDir() {
  // HALINK_INTEROP_KEEP=1 leaves configurations and logs for a post-mortem.
  if (std::getenv("HALINK_INTEROP_KEEP")) {
    std::fprintf(stderr, "interop: kept %s\n", path_.c_str());
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

inline std::filesystem::path ScratchDir::subdir(const std::string& name) const {
  std::filesystem::path p = path_ / name;
  std::filesystem::create_directories(p);
  chmod(p.c_str(), 0777);
  return p;
}

inline void write_file(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file, std::ios::trunc) << text;
  chmod(file.c_str(), 0644);
}

// ---------------------------------------------------------------- Process

inline Process::Process(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    // A crashed test must not leave daemons behind.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      close(fd);
    }
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, STDIN_FILENO);
    execvp(args[0], args.data());
    _exit(127);
  }
  if (pid > 0) pid_ = pid;
}

inline Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    stop();
    pid_ = other.pid_;
    exit_status_ = other.exit_status_;
    other.pid_ = -1;
  }
  return *this;
}

inline void Process::record(int wait_status) {
  exit_status_ = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
  pid_ = -1;
}

inline bool Process::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    record(status);
    return false;
  }
  return true;
}

inline bool Process::signal(int signo) const { return pid_ > 0 && kill(pid_, signo) == 0; }

inline int Process::stop(std::chrono::milliseconds grace) {
  if (!running()) return pid_ < 0 && exit_status_ == -2 ? -1 : exit_status_;
  kill(pid_, SIGTERM);
  if (!wait_until([&] { return !running(); }, grace)) {
    kill(pid_, SIGKILL);
    int status = 0;
    if (waitpid(pid_, &status, 0) == pid_) record(status);
  }
  return exit_status_;
}

inline std::vector<std::string> in_namespace(const std::string& ns, std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"ip", "netns", "exec", ns});
  return argv;
}


}  // namespace halink::testing
