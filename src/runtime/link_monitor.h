// Interface state from the kernel (rtnetlink RTNLGRP_LINK), for fast external
// fall-over: a session whose interface goes down is torn down at once instead
// of waiting for the hold timer, and comes back when the interface returns
// (also when it is deleted and recreated with the same name, as a tunnel
// daemon does on restart).
#pragma once

#include <functional>
#include <string>
#include <unordered_map>

#include "core/result.h"
#include "runtime/event_loop.h"

namespace halink::runtime {

struct LinkState {
  std::string name;
  int index = 0;
  bool up = false;  // administratively up and carrier present (IFF_UP && IFF_RUNNING)
};

class LinkMonitor {
public:
  // Called for every change of `up` (and for deletion, with up = false).
  using Listener = std::function<void(const LinkState&)>;

  LinkMonitor(EventLoop& loop, Listener listener);
  ~LinkMonitor();
  // Subscribes and dumps the current links (the listener sees each one).
  Status start();
  bool is_up(const std::string& name) const;
  int index_of(const std::string& name) const;  // 0 when unknown

private:
  Status request_dump();
  void on_readable();
  void handle_message(const void* nlh);

  EventLoop& loop_;
  Listener listener_;
  int fd_ = -1;
  bool watching_ = false;
  std::unordered_map<int, LinkState> by_index_;
};

}  // namespace halink::runtime
