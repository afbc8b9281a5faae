// The requests `halink` sends over the control socket, answered from the
// daemon's state: show (summary, status, neighbors, routes, fib, bfd),
// neighbor NAME ACTION and reload. Request and reply fields are documented
// in docs/CONTROL.md.
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
  nlohmann::json show_summary();
  nlohmann::json show_neighbors(const nlohmann::json& request);
  nlohmann::json show_routes(const nlohmann::json& request);
  nlohmann::json neighbor_command(const nlohmann::json& request);
  // refresh in / out for an Established neighbour: what was done, or why not.
  Result<std::string> refresh(bgp::PeerId peer, bool in, bool out);
  // The neighbour's BFD session as `show bfd` prints it; null without one.
  nlohmann::json bfd_session(const std::string& name) const;

  ControlContext context_;
};

// {"ok": false, "error": message}
nlohmann::json error_reply(const std::string& message);

// What `show routes PREFIX` looks for: a prefix matches exactly, an address
// matches the longest prefix containing it (as a forwarding lookup does).
struct RouteQuery {
  std::optional<Prefix> prefix;
  std::optional<IpAddress> address;
  static Result<RouteQuery> parse(const std::string& text);
  bool contains(const Prefix& candidate) const;  // exact, or covers the address
};

}  // namespace halink::runtime
