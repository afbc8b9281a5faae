#include "fib/scratch_namespace.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/wait.h>

namespace halink::fib {
namespace {

// Runs a shell command, returning its combined output as the error message
// when it fails.
Status run(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return Error{"cannot run " + command + ": " + std::strerror(errno)};
  std::string output;
  std::array<char, 512> chunk;
  while (size_t n = fread(chunk.data(), 1, chunk.size(), pipe)) output.append(chunk.data(), n);
  int status = pclose(pipe);
  if (status == 0) return Status::success();
  while (!output.empty() && output.back() == '\n') output.pop_back();
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return Error{command + " failed (exit " + std::to_string(code) + "): " + output};
}

}  // namespace

Result<std::unique_ptr<ScratchNamespace>> ScratchNamespace::create(const std::string& prefix) {
  static std::atomic<int> counter{0};
  std::string name = prefix + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  if (Status status = run("ip netns add " + name); !status) return status.error();
  std::unique_ptr<ScratchNamespace> result(new ScratchNamespace(name));
  if (Status status = result->ip("link set lo up"); !status) return status.error();
  return result;
}

ScratchNamespace::~ScratchNamespace() {
  if (original_fd_ >= 0) leave();
  (void)run("ip netns del " + name_);
}

Status ScratchNamespace::ip(const std::string& arguments) const { return run("ip -n " + name_ + " " + arguments); }

Status ScratchNamespace::exec(const std::string& command) const {
  return run("ip netns exec " + name_ + " " + command);
}

Status ScratchNamespace::enter() const {
  if (original_fd_ >= 0) return Error{"already inside " + name_};
  int original = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (original < 0) return Error{std::string("cannot open own network namespace: ") + std::strerror(errno)};
  int target = ::open(("/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0) {
    ::close(original);
    return Error{"cannot open namespace " + name_ + ": " + std::strerror(errno)};
  }
  int entered = setns(target, CLONE_NEWNET);
  int error = errno;
  ::close(target);
  if (entered != 0) {
    ::close(original);
    return Error{"cannot enter namespace " + name_ + ": " + std::strerror(error)};
  }
  original_fd_ = original;
  return Status::success();
}

void ScratchNamespace::leave() const {
  if (original_fd_ < 0) return;
  (void)setns(original_fd_, CLONE_NEWNET);
  ::close(original_fd_);
  original_fd_ = -1;
}

}  // namespace halink::fib
