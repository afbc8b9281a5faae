#include "sim/world/failure.h"

#include <algorithm>

#include "sim/world/world.h"

namespace halink::sim {

std::vector<Failure> single_failures(const config::Topology& topology) {
  std::vector<Failure> out;
  for (auto& t : topology.tunnels) out.push_back({Failure::Kind::tunnel_blackhole, t.name});
  for (auto& r : topology.routers) out.push_back({Failure::Kind::router_crash, r.name});
  if (topology.underlays.size() > 1)
    for (auto& u : topology.underlays) out.push_back({Failure::Kind::underlay_loss, u.name});
  for (auto& d : topology.devices) out.push_back({Failure::Kind::device_crash, d.name});
  return out;
}

namespace {

Duration longest_hold(const config::Topology& topology) {
  Duration longest = Duration::seconds(3);
  for (auto& r : topology.routers)
    for (auto& n : r.neighbors) longest = std::max(longest, n.hold_time);
  return longest;
}

std::vector<DirectionOutage> measure(World& world, Time from, Time to) {
  std::vector<DirectionOutage> out;
  TrafficModel& traffic = world.simulation().traffic();
  for (const SiteFlows& sf : world.flows()) {
    DirectionOutage d;
    d.from_site = sf.from_site;
    d.to_site = sf.to_site;
    d.flows = sf.flows.size();
    std::vector<Duration> hit;
    for (FlowId id : sf.flows) {
      Duration longest = Duration::zero();
      for (const OutageWindow& w : traffic.outages(id)) {
        Time start = std::max(w.start, from);
        Time end = std::min(w.ongoing() ? to : w.end, to);
        if (end > start) longest = std::max(longest, end - start);
        if (w.ongoing() || w.end > to) d.recovered = false;
      }
      if (longest > Duration::zero()) hit.push_back(longest);
      d.worst = std::max(d.worst, longest);
    }
    d.flows_hit = hit.size();
    if (!hit.empty()) {
      std::sort(hit.begin(), hit.end());
      d.median_hit = hit[hit.size() / 2];
    }
    out.push_back(d);
  }
  return out;
}

// Only the named end is told: its interface is gone (link-down, tunnel-process-crash).
Status one_end_interface(World& world, LinkId link, const std::string& router, bool up) {
  Simulation& sim = world.simulation();
  auto node = sim.network().find_node(router);
  if (!node) return Error{"no router named " + router};
  const NodeId id = *node;
  sim.note(id, "interface " + sim.network().end_of(link, id).interface + (up ? " up" : " down"));
  sim.at(sim.now(), [&sim, id, link, up] {
    if (Node* adapter = sim.adapter(id); adapter && sim.network().node_up(id)) {
      adapter->on_interface(sim.now(), link, up);
      sim.wake(id);
    }
  });
  return {};
}

}  // namespace

Status apply_failure(World& world, const Failure& f, bool fail) {
  Simulation& sim = world.simulation();
  Network& net = sim.network();
  switch (f.kind) {
    case Failure::Kind::tunnel_blackhole:
    case Failure::Kind::tunnel_wrong_key:
    case Failure::Kind::tunnel_down: {
      auto link = net.find_link(f.target);
      if (!link) return Error{"no tunnel named " + f.target};
      LinkState broken = f.kind == Failure::Kind::tunnel_down ? LinkState::carrier_down : LinkState::blackhole;
      sim.set_link_state(*link, fail ? broken : LinkState::up);
      return {};
    }
    case Failure::Kind::link_down:
    case Failure::Kind::tunnel_process_crash: {
      auto link = net.find_link(f.target);
      if (!link) return Error{"no tunnel named " + f.target};
      sim.set_link_state(*link, fail ? LinkState::blackhole : LinkState::up);
      return one_end_interface(world, *link, f.router, !fail);
    }
    case Failure::Kind::router_crash:
    case Failure::Kind::device_crash: {
      auto node = net.find_node(f.target);
      if (!node) return Error{"no router or device named " + f.target};
      if (fail)
        sim.crash(*node);
      else
        sim.restart(*node);
      return {};
    }
    case Failure::Kind::underlay_loss: {
      auto u = net.find_underlay(f.target);
      if (!u) return Error{"no underlay named " + f.target};
      sim.set_underlay_up(*u, !fail);
      return {};
    }
    case Failure::Kind::halinkd_restart: {
      if (!fail) return {};  // over at once: nothing to repair
      RouterNode* router = world.router(f.target);
      if (!router) return Error{"no router named " + f.target};
      if (!net.node_up(router->id())) return Error{"router " + f.target + " is down: no daemon to restart"};
      router->restart_daemon(sim.now());
      sim.wake(router->id());
      return {};
    }
  }
  return {};
}

Result<FailureRun> run_failure(const config::Topology& topology, const Failure& failure, const RunOptions& options) {
  SimulationConfig config;
  config.seed = options.seed;
  auto world = World::build(topology, config, options.flows_per_direction);
  if (!world) return world.error();
  Simulation& sim = (*world)->simulation();
  FailureRun run;
  run.failure = failure;
  auto converged = (*world)->run_until_converged(options.convergence_limit);
  if (!converged) return Error{"the design did not converge within " + options.convergence_limit.to_string()};
  run.converged_after = *converged;
  sim.run_for(options.settle);

  Time failed_at = sim.now();
  size_t trace_start = sim.trace().lines().size();
  if (auto s = apply_failure(**world, failure, true); !s) return s.error();
  Duration lasting = options.failure_duration.value_or(longest_hold(topology) + Duration::seconds(5));
  sim.run_for(lasting);
  Time restored_at = sim.now();
  run.failure_outage = measure(**world, failed_at, restored_at);
  const auto& lines = sim.trace().lines();
  for (size_t i = trace_start; i < lines.size() && run.trace_excerpt.size() < 40; ++i)
    if (lines[i].find("BGP") != std::string::npos || lines[i].find("BFD") != std::string::npos)
      run.trace_excerpt.push_back(lines[i]);

  if (auto s = apply_failure(**world, failure, false); !s) return s.error();
  sim.run_for(options.after_restore);
  run.restore_outage = measure(**world, restored_at, sim.now());
  return run;
}

}  // namespace halink::sim
