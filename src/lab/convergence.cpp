#include "lab/convergence.h"

#include <chrono>
#include <thread>

#include "lab/interrupt.h"
#include "runtime/control_socket.h"

namespace halink::lab {

namespace {

Duration since(std::chrono::steady_clock::time_point start) {
  return Duration::nanoseconds(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
}

// Which tunnel a neighbour of `router` runs over, from the topology.
std::string tunnel_of(const config::Topology& topology, const std::string& router, const std::string& neighbor) {
  const config::RouterConfig* r = topology.find_router(router);
  if (!r) return "";
  const config::Neighbor* n = r->find_neighbor(neighbor);
  return n ? n->tunnel : "";
}

std::string tunnel_on_interface(const config::Topology& topology, const std::string& router,
                                const std::string& interface) {
  for (const config::Tunnel& t : topology.tunnels)
    if (const config::TunnelEnd* end = t.end_at(router); end && end->interface == interface) return t.name;
  return "";
}

struct Snapshot {
  std::vector<std::string> not_ready;  // "r1: r1-g1 BGP Active"
  std::string routes;                  // every router's installed routes, to compare
};

Snapshot take_snapshot(const Lab& lab, const ConvergenceOptions& options) {
  Snapshot snapshot;
  for (const DaemonPlan& daemon : lab.plan().daemons) {
    if (daemon.kind != config::DaemonKind::halinkd || options.routers_down.count(daemon.router)) continue;
    const config::RouterConfig* config = lab.topology().find_router(daemon.router);
    if (config && config->managed()) continue;
    std::string socket = lab.control_socket(daemon.router);
    auto request = [&](const char* what) {
      return runtime::control_request(socket, {{"command", "show"}, {"what", what}}, Duration::seconds(2));
    };
    auto neighbors = request("neighbors");
    if (!neighbors) {
      snapshot.not_ready.push_back(daemon.router + ": no answer on " + socket + " (" + neighbors.message() + ")");
      continue;
    }
    for (const nlohmann::json& n : neighbors->value("neighbors", nlohmann::json::array())) {
      std::string name = n.value("name", "");
      std::string state = n.value("state", "");
      bool should_be_up = !options.expect_down.count(tunnel_of(lab.topology(), daemon.router, name));
      if ((state == "Established") != should_be_up)
        snapshot.not_ready.push_back(daemon.router + ": " + name + " BGP " + state);
    }
    if (auto bfd = request("bfd")) {
      for (const nlohmann::json& s : bfd->value("sessions", nlohmann::json::array())) {
        std::string tunnel = tunnel_on_interface(lab.topology(), daemon.router, s.value("interface", ""));
        bool should_be_up = !options.expect_down.count(tunnel);
        std::string state = s.value("state", "");
        if ((state == "Up") != should_be_up)
          snapshot.not_ready.push_back(daemon.router + ": " + s.value("name", "") + " BFD " + state);
      }
    }
    if (auto fib = request("fib")) snapshot.routes += daemon.router + fib->value("routes", nlohmann::json()).dump();
  }
  return snapshot;
}

}  // namespace

Result<Convergence> wait_converged(const Lab& lab, const ConvergenceOptions& options) {
  auto start = std::chrono::steady_clock::now();
  std::optional<Duration> sessions_up;
  std::string last_routes;
  Duration routes_since;
  Snapshot snapshot;
  while (true) {
    snapshot = take_snapshot(lab, options);
    Duration now = since(start);
    if (snapshot.not_ready.empty()) {
      if (!sessions_up) sessions_up = now, routes_since = now, last_routes = snapshot.routes;
      if (snapshot.routes != last_routes) last_routes = snapshot.routes, routes_since = now;
      if (now - routes_since >= options.stable) return Convergence{now, *sessions_up};
    } else {
      sessions_up.reset();
    }
    if (interrupted()) return Error{"interrupted while waiting for convergence"};
    if (now >= options.limit) {
      std::string waiting;
      for (const std::string& s : snapshot.not_ready) waiting += "\n  " + s;
      if (waiting.empty()) waiting = "\n  routes still changing";
      return Error{"lab " + lab.name() + " not converged after " + options.limit.to_string() + ":" + waiting};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace halink::lab
