#include "lab/convergence.h"

#include <chrono>
#include <thread>

#include "lab/interrupt.h"
#include "lab/reference_daemon.h"
#include "runtime/control_socket.h"

namespace halink::lab {

namespace {

Duration since(std::chrono::steady_clock::time_point start) {
  return Duration::nanoseconds(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
}

// Whether a neighbour's sessions must be up: not when the failures in force
// take them down (the same rule as the simulator's).
bool expected_up(const Lab& lab, const ConvergenceOptions& options, const std::string& router,
                 const config::Neighbor* neighbor) {
  return !neighbor || !options.failed.takes_down(lab.topology(), router, *neighbor);
}

const config::Neighbor* neighbor_at(const config::RouterConfig& router, const std::string& address) {
  for (const config::Neighbor& n : router.neighbors)
    if (n.address.to_string() == address) return &n;
  return nullptr;
}

struct Snapshot {
  std::vector<std::string> not_ready;  // "r1: r1-g1 BGP Active"
  std::string routes;                  // every router's installed routes, to compare
};

// A BIRD or FRR router: its sessions from its own CLI, its routes from
// the kernel table it installs into.
void add_reference_daemon(const Lab& lab, const ConvergenceOptions& options, const DaemonPlan& daemon,
                          const config::RouterConfig& config, Snapshot& snapshot) {
  std::string kind = config::daemon_kind_name(daemon.kind);
  auto sessions = query_reference_sessions(config, daemon.kind, lab.daemon_directory(daemon.router));
  if (!sessions) {
    snapshot.not_ready.push_back(daemon.router + ": " + kind + " does not answer (" + sessions.message() + ")");
    return;
  }
  for (const ReferenceSession& s : *sessions) {
    const config::Neighbor* n = config.find_neighbor(s.neighbor);
    bool should_be_up = expected_up(lab, options, daemon.router, n);
    if ((s.bgp_state == "Established") != should_be_up)
      snapshot.not_ready.push_back(daemon.router + ": " + s.neighbor + " BGP " + s.bgp_state + " (" + kind + ")");
    if (n && n->bfd && (s.bfd_state == "Up") != should_be_up)
      snapshot.not_ready.push_back(daemon.router + ": " + s.neighbor + " BFD " + s.bfd_state + " (" + kind + ")");
  }
  if (auto routes = lab.run_in(daemon.namespace_name, {"ip", "route", "show", "table", std::to_string(config.fib.table)}))
    snapshot.routes += daemon.router + *routes;
}

Snapshot take_snapshot(const Lab& lab, const ConvergenceOptions& options) {
  Snapshot snapshot;
  for (const DaemonPlan& daemon : lab.plan().daemons) {
    if (options.failed.routers.count(daemon.router)) continue;
    const config::RouterConfig* config = lab.topology().find_router(daemon.router);
    if (!config || config->managed()) continue;
    if (daemon.kind != config::DaemonKind::halinkd) {
      add_reference_daemon(lab, options, daemon, *config, snapshot);
      continue;
    }
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
      bool should_be_up = expected_up(lab, options, daemon.router, config->find_neighbor(name));
      if ((state == "Established") != should_be_up)
        snapshot.not_ready.push_back(daemon.router + ": " + name + " BGP " + state);
    }
    if (auto bfd = request("bfd")) {
      for (const nlohmann::json& s : bfd->value("sessions", nlohmann::json::array())) {
        bool should_be_up = expected_up(lab, options, daemon.router, neighbor_at(*config, s.value("peer", "")));
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
