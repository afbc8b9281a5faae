// A throwaway network namespace for kernel FIB tests and benchmarks: created
// with a unique name, configured with `ip`, always deleted by the destructor
// (also when a test fails half-way), entered by one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"

namespace halink::fib {

class ScratchNamespace {
public:
  // "<prefix>-<pid>-<n>", e.g. halink-fibtest-4711-0. Needs root (CAP_SYS_ADMIN).
  static Result<std::unique_ptr<ScratchNamespace>> create(const std::string& prefix);
  ~ScratchNamespace();
  ScratchNamespace(const ScratchNamespace&) = delete;
  ScratchNamespace& operator=(const ScratchNamespace&) = delete;

  const std::string& name() const { return name_; }

  // Runs `ip -n <name> <arguments>`; the error carries ip's own message.
  Status ip(const std::string& arguments) const;
  // Runs `ip netns exec <name> <command>` through the shell.
  Status exec(const std::string& command) const;

  // Runs `body` with the calling thread inside the namespace, then returns
  // the thread to where it was. Sockets opened in `body` stay in the
  // namespace for their whole life.
  template <class Body>
  auto inside(Body&& body) const {
    Status entered = enter();
    struct Leave {
      const ScratchNamespace* self;
      bool active;
      ~Leave() {
        if (active) self->leave();
      }
    } leave_guard{this, entered.ok()};
    return body(entered);
  }

private:
  explicit ScratchNamespace(std::string name) : name_(std::move(name)) {}
  Status enter() const;
  void leave() const;

  std::string name_;
  mutable int original_fd_ = -1;
};

}  // namespace halink::fib
