// The requests `halink` sends over the control socket, answered from the
// daemon's state: show (status, neighbors, routes, fib, bfd), neighbor NAME
// ACTION and reload. Request and reply fields are documented in docs/CONTROL.md.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "bgp/speaker/speaker.h"
#include "config/topology.h"
#include "fib/route.h"
#include "runtime/bfd_service.h"
#include "runtime/event_loop.h"

namespace halink::runtime {

// What the commands read and act on; everything is owned by the Daemon and
// outlives the ControlCommands that refers to it.
struct ControlContext {
  EventLoop& loop;
  bgp::Speaker& speaker;
  fib::Fib& fib;
  const config::RouterConfig& config;
  const std::map<std::string, bgp::PeerId>& peer_ids;
  // Created only once a neighbour has BFD, so possibly empty.
  const std::unique_ptr<BfdService>& bfd;
  Time started_at;
  // Applies the configuration file again (SIGHUP's work).
  std::function<Status()> reload;
  // Handles what the speaker asked for after an operator action.
  std::function<void()> pump;
};

class ControlCommands {
public:
  explicit ControlCommands(ControlContext context) : context_(std::move(context)) {}

  // One request, one reply; a bad request is an {"ok": false, "error": ...} reply.
  nlohmann::json handle(const nlohmann::json& request);

private:
  nlohmann::json show(const std::string& what, const nlohmann::json& request);
  nlohmann::json neighbor_command(const nlohmann::json& request);

  ControlContext context_;
};

// {"ok": false, "error": message}
nlohmann::json error_reply(const std::string& message);

}  // namespace halink::runtime
