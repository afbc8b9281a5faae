// A network namespace owned by one test: created with a unique name, every
// command runs inside it, and it is deleted (with everything in it) when the
// guard goes out of scope, also when the test fails.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace halink::testing {

inline bool running_as_root() { return geteuid() == 0; }

class TestNamespace {
public:
  explicit TestNamespace(const std::string& tag)
      : name_("halink-" + tag + "-" + std::to_string(getpid())) {
    std::system(("ip netns del " + name_ + " 2>/dev/null").c_str());
    ok_ = std::system(("ip netns add " + name_).c_str()) == 0;
    if (ok_) run("ip link set lo up");
  }
  ~TestNamespace() { std::system(("ip netns del " + name_ + " 2>/dev/null").c_str()); }
  TestNamespace(const TestNamespace&) = delete;
  TestNamespace& operator=(const TestNamespace&) = delete;

  bool ok() const { return ok_; }
  const std::string& name() const { return name_; }
  // Runs a shell command inside the namespace; returns its exit status.
  int run(const std::string& command) const {
    return std::system(("ip netns exec " + name_ + " sh -c '" + command + "'").c_str());
  }
  // Moves the calling thread into the namespace (sockets opened afterwards
  // live there). Threads only: never call this on a test's main thread.
  bool enter() const {
    int fd = open(("/var/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = setns(fd, CLONE_NEWNET) == 0;
    close(fd);
    return ok;
  }

private:
  std::string name_;
  bool ok_ = false;
};

}  // namespace halink::testing
