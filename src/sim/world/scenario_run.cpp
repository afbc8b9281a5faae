#include "sim/world/scenario_run.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "sim/world/failure.h"
#include "sim/world/world.h"

namespace halink::sim {
namespace {

std::string seconds_text(Time t) {
  char text[32];
  std::snprintf(text, sizeof text, "%8.3f s", static_cast<double>(t.ns()) / 1e9);
  return text;
}

std::string percent(double share) {
  char text[16];
  std::snprintf(text, sizeof text, "%.0f%%", share * 100);
  return text;
}

const std::string indent = "            ";

// The protocol events worth a line of their own, from the simulator's trace
// ("t=1.234567s r1 BGP r1-g1 Established" → "r1 BGP r1-g1 Established").
std::optional<std::string> protocol_event(const std::string& line, bool bfd_events) {
  const size_t space = line.find(' ');
  if (space == std::string::npos) return std::nullopt;
  std::string text = line.substr(space + 1);
  if (text.starts_with("flow ")) return std::nullopt;
  const bool bgp = text.find(" BGP ") != std::string::npos &&
                   (text.ends_with(" Established") || text.find(" down: ") != std::string::npos);
  const bool bfd = bfd_events && text.find(" BFD ") != std::string::npos;
  const bool node = text.ends_with(" crash") || text.ends_with(" restart") ||
                    text.find("halinkd restarted") != std::string::npos ||
                    text.find("reload") != std::string::npos;
  if (bgp || bfd || node) return text;
  return std::nullopt;
}

class Runner {
public:
  Runner(World& world, const config::Scenario& scenario, const ScenarioOptions& options)
      : world_(world), sim_(world.simulation()), scenario_(scenario), options_(options) {
    design::Timeline& t = run_.timeline;
    t.title = world.topology().name + ": " + scenario.name;
    t.start = sim_.now();
    t.unit = design::SeriesUnit::share;
    const Network& net = sim_.network();
    for (const SiteFlows& sf : world_.flows()) {
      const std::string direction = sf.from_site + " → " + sf.to_site;
      for (const config::Tunnel& tunnel : world_.topology().tunnels) {
        const config::RouterConfig* a = world_.topology().find_router(tunnel.ends[0].router);
        const config::RouterConfig* b = world_.topology().find_router(tunnel.ends[1].router);
        if (!a || !b) continue;
        const bool along = a->site == sf.from_site && b->site == sf.to_site;
        const bool against = b->site == sf.from_site && a->site == sf.to_site;
        if (!along && !against) continue;
        series_key_.emplace_back(*net.find_link(tunnel.name), sf.from_site);
        t.tunnels.push_back({tunnel.name + " (" + tunnel.underlay + ")", direction, {}});
      }
    }
    sim_.trace().set_echo([this](const std::string& line) {
      if (auto event = protocol_event(line, options_.bfd_events)) pending_events_.emplace_back(sim_.now(), *event);
    });
  }
  ~Runner() { sim_.trace().set_echo(nullptr); }

  Result<ScenarioRun> run() {
    size_t sessions = 0;
    for (RouterNode* r : world_.routers()) sessions += r->configured_sessions();
    size_t flows = 0;
    for (const SiteFlows& sf : world_.flows()) flows += sf.flows.size();
    say(sim_.now(), "start: " + std::to_string(world_.routers().size()) + " routers, " + std::to_string(sessions) +
                        " BGP sessions, " + std::to_string(flows) + " flows (" +
                        std::to_string(options_.flows_per_direction) + " per direction)");
    record_shares();
    for (const config::ScenarioStep& step : scenario_.steps)
      if (auto s = run_step(step); !s) return Error{s.message() + "\n" + text()};
    flush_events();
    if (!snapshot_current_) snapshot();
    close_timeline();
    return std::move(run_);
  }

private:
  Status run_step(const config::ScenarioStep& step) {
    using K = config::ScenarioStep::Kind;
    flush_events();
    switch (step.kind) {
      case K::wait_converged: return wait_converged(step);
      case K::wait_for:
        advance(sim_.now() + step.duration);
        flush_events();
        snapshot();
        return {};
      case K::inject:
      case K::restore: {
        mark(step.text + "  (" + (step.kind == K::restore ? "repaired" : step.failure->describe()) + ")");
        if (auto s = apply_failure(world_, *step.failure, step.kind == K::inject); !s) return s;
        if (step.kind == K::inject && !config::failure_is_instant(step.failure->kind))
          in_force_.push_back(*step.failure);
        if (step.kind == K::restore) std::erase(in_force_, *step.failure);
        return {};
      }
      case K::restore_all: {
        mark(step.text);
        // Repairs in the reverse order of the failures.
        for (auto it = in_force_.rbegin(); it != in_force_.rend(); ++it)
          if (auto s = apply_failure(world_, *it, false); !s) return s;
        in_force_.clear();
        return {};
      }
      case K::change: {
        std::string routers;
        for (const std::string& r : step.changed_routers) routers += (routers.empty() ? "" : ", ") + r;
        mark(step.text + "  (reloading " + routers + ")");
        for (const std::string& refused : world_.reload(*step.topology, step.changed_routers))
          say(sim_.now(), "  reload refused on " + refused);
        return {};
      }
    }
    return {};
  }

  // The sessions the failures in force take down, as "router/neighbour":
  // every session over a failed tunnel or a lost underlay's tunnels, and
  // every session of a crashed router and towards it. The lab expects the
  // same (lab::FailureInjector::expectation), so `wait: converged` ends at
  // the same point in both: after a silent failure, once it is detected.
  std::set<std::string> expected_down() const {
    const config::Topology& topology = world_.topology();
    const config::FailureEffect effect = config::failures_take_down(in_force_, topology);
    std::set<std::string> out;
    for (const config::RouterConfig& r : topology.routers)
      for (const config::Neighbor& n : r.neighbors)
        if (effect.takes_down(topology, r.name, n)) out.insert(r.name + "/" + n.name);
    return out;
  }

  // The sessions not yet where convergence wants them: every session
  // Established except those the failures in force take down, which are not.
  std::string unsettled_sessions() const {
    const std::set<std::string> down = expected_down();
    std::string out;
    for (RouterNode* r : world_.routers()) {
      std::vector<std::string> not_up = r->sessions_not_established();
      for (const config::Neighbor& n : r->config().neighbors) {
        const std::string name = r->config().name + "/" + n.name;
        const bool is_down = std::find(not_up.begin(), not_up.end(), n.name) != not_up.end();
        if (is_down && !down.count(name)) out += " " + name + " (not Established)";
        if (!is_down && down.count(name)) out += " " + name + " (still Established)";
      }
    }
    return out;
  }

  Status wait_converged(const config::ScenarioStep& step) {
    const Time start = sim_.now();
    const Time limit = start + step.duration;
    std::vector<uint64_t> versions = table_versions();
    Time stable_since = sim_.now();
    while (true) {
      std::vector<uint64_t> now_versions = table_versions();
      if (now_versions != versions) {
        versions = std::move(now_versions);
        stable_since = sim_.now();
      }
      const std::string unsettled = unsettled_sessions();
      if (unsettled.empty() && sim_.now() - stable_since >= options_.stable_for) break;
      if (sim_.now() >= limit)
        return Error{scenario_.source_file + ":" + std::to_string(step.line) + ": " + step.text +
                     ": not converged after " + step.duration.to_string() +
                     (unsettled.empty() ? std::string(": next hops still changing") : ": sessions" + unsettled)};
      advance(std::min(limit, sim_.now() + Duration::milliseconds(10)));
    }
    // Sessions coming up at a cold start are many and alike: counted, not listed.
    size_t came_up = 0;
    for (auto& [at, text] : pending_events_) came_up += text.ends_with(" Established");
    if (came_up == pending_events_.size()) pending_events_.clear();
    run_.timeline.events.push_back({stable_since, "converged", true});
    const size_t failed = expected_down().size();
    say(stable_since, std::string("converged: every session Established") +
                          (failed ? " but the " + std::to_string(failed) + " the failures took down" : "") +
                          (came_up ? " (" + std::to_string(came_up) + " came up)" : std::string()) +
                          ", next hops then stable for " + design::milliseconds_text(sim_.now() - stable_since));
    flush_events();
    snapshot();
    return {};
  }

  std::vector<uint64_t> table_versions() {
    std::vector<uint64_t> out;
    for (RouterNode* r : world_.routers()) out.push_back(sim_.table(r->id()).version());
    return out;
  }

  // Runs the simulation up to `until` one traffic sample at a time, so the
  // per-tunnel series change exactly when forwarding does.
  void advance(Time until) {
    const Duration step = sim_.config().traffic.sample_interval;
    while (sim_.now() < until) {
      sim_.run_until(std::min(until, sim_.now() + step));
      if (sim_.trace().lines().size() != trace_seen_) {
        trace_seen_ = sim_.trace().lines().size();
        record_shares();
      }
    }
  }

  // Share of each direction's flows delivered through each tunnel, now.
  std::vector<double> shares() const {
    const Network& net = sim_.network();
    std::map<std::pair<LinkId, std::string>, size_t> count;
    std::map<std::string, size_t> total;
    for (const SiteFlows& sf : world_.flows()) {
      total[sf.from_site] += sf.flows.size();
      for (FlowId id : sf.flows) {
        const FlowPath& path = sim_.traffic().current(id);
        if (!path.delivered) continue;
        for (LinkId link : path.links)
          if (net.link(link).underlay) {
            ++count[{link, sf.from_site}];
            break;
          }
      }
    }
    std::vector<double> out;
    for (const auto& key : series_key_) {
      auto it = count.find(key);
      const size_t all = total[key.second];
      out.push_back(it == count.end() || all == 0 ? 0.0 : static_cast<double>(it->second) / static_cast<double>(all));
    }
    return out;
  }

  void record_shares() {
    std::vector<double> now = shares();
    auto& series = run_.timeline.tunnels;
    for (size_t i = 0; i < series.size(); ++i) {
      auto& samples = series[i].samples;
      if (!samples.empty() && samples.back().value == now[i]) continue;
      if (!samples.empty() && samples.back().at == sim_.now())
        samples.back().value = now[i];
      else
        samples.push_back({sim_.now(), now[i]});
    }
  }

  void mark(const std::string& text) {
    flush_events();
    if (!run_.timeline.phases.empty()) run_.timeline.phases.back().end = sim_.now();
    run_.timeline.phases.push_back({text.substr(0, text.find("  (")), sim_.now(), sim_.now()});
    run_.timeline.events.push_back({sim_.now(), text.substr(0, text.find("  (")), true});
    phase_start_ = sim_.now();
    say(sim_.now(), text);
  }

  void flush_events() {
    for (auto& [at, text] : pending_events_) {
      say(at, "  " + text);
      run_.timeline.events.push_back({at, text, false});
    }
    pending_events_.clear();
  }

  void say(Time at, const std::string& text) {
    run_.lines.push_back(seconds_text(at) + "  " + text);
    snapshot_current_ = false;
  }
  void more(const std::string& text) { block_.push_back(indent + text); }

  // Sessions, next-hop sets that changed, traffic share per tunnel and the
  // outage of the phase so far.
  // Prints the state, or one line when nothing changed since the last time.
  void snapshot() {
    block_.clear();
    state_lines();
    if (block_ == last_block_) {
      run_.lines.push_back(indent + "no change");
    } else {
      run_.lines.insert(run_.lines.end(), block_.begin(), block_.end());
      last_block_ = block_;
    }
    snapshot_current_ = true;
  }

  void state_lines() {
    const Network& net = sim_.network();
    size_t up = 0, all = 0;
    std::string down;
    for (RouterNode* r : world_.routers()) {
      up += r->established_sessions();
      all += r->configured_sessions();
      for (const std::string& n : r->sessions_not_established()) down += " " + r->config().name + "/" + n;
    }
    more("sessions   " + std::to_string(up) + "/" + std::to_string(all) + " Established" +
         (down.empty() ? std::string() : "; not:" + down));

    bool first = true;
    for (RouterNode* r : world_.routers()) {
      std::string sets;
      for (const fib::FibRoute& route : sim_.table(r->id()).routes()) {
        std::vector<std::string> via;
        for (const fib::NextHop& hop : route.next_hops) {
          auto link = net.link_to_gateway(r->id(), hop.gateway);
          if (!link && !hop.interface.empty()) link = net.link_by_interface(r->id(), hop.interface);
          via.push_back(link ? net.link_name(*link) : hop.gateway.to_string());
        }
        std::sort(via.begin(), via.end());
        sets += (sets.empty() ? "" : "; ") + route.prefix.to_string() + " via";
        for (const std::string& v : via) sets += " " + v;
      }
      if (sets.empty()) sets = "no routes";
      more(std::string(first ? "next hops  " : "           ") + r->config().name + ": " + sets);
      first = false;
    }

    const std::vector<double> now = shares();
    const auto& series = run_.timeline.tunnels;
    first = true;
    for (const SiteFlows& sf : world_.flows()) {
      const std::string direction = sf.from_site + " → " + sf.to_site;
      std::string line;
      double delivered = 0;
      for (size_t i = 0; i < series.size(); ++i) {
        if (series[i].direction != direction || now[i] == 0) continue;
        line += "  " + series[i].name.substr(0, series[i].name.find(' ')) + " " + percent(now[i]);
        delivered += now[i];
      }
      if (line.empty()) line = "  nothing delivered";
      if (delivered < 0.999 && delivered > 0) line += "  (lost " + percent(1 - delivered) + ")";
      more(std::string(first ? "traffic    " : "           ") + direction + ":" + line);
      first = false;
    }

    if (run_.timeline.phases.empty()) return;  // the cold start is not a failure
    first = true;
    for (const SiteFlows& sf : world_.flows()) {
      size_t hit = 0, out_now = 0;
      Duration worst;
      for (FlowId id : sf.flows) {
        bool was_hit = false;
        for (const OutageWindow& w : sim_.traffic().outages(id)) {
          if (w.start < phase_start_) continue;
          was_hit = true;
          worst = std::max(worst, (w.ongoing() ? sim_.now() : w.end) - w.start);
          out_now += w.ongoing();
        }
        hit += was_hit;
      }
      std::string line = sf.from_site + " → " + sf.to_site + ": ";
      if (hit == 0)
        line += "no flow lost a packet";
      else
        line += std::to_string(hit) + "/" + std::to_string(sf.flows.size()) + " flows hit, worst " + design::milliseconds_text(worst) +
                (out_now ? ", " + std::to_string(out_now) + " still out" : std::string());
      more(std::string(first ? "outage     " : "           ") + line);
      first = false;
    }
  }

  void close_timeline() {
    design::Timeline& t = run_.timeline;
    t.end = sim_.now();
    if (!t.phases.empty()) t.phases.back().end = t.end;
    for (const SiteFlows& sf : world_.flows()) {
      for (size_t i = 0; i < sf.flows.size(); ++i) {
        design::FlowRow row;
        row.name = sf.from_site + "→" + sf.to_site + " #" + std::to_string(i);
        row.direction = sf.from_site + " → " + sf.to_site;
        for (const OutageWindow& w : sim_.traffic().outages(sf.flows[i])) row.outages.push_back({w.start, w.end});
        t.flows.push_back(std::move(row));
      }
    }
  }

  std::string text() const {
    std::string out;
    for (const std::string& line : run_.lines) out += line + "\n";
    return out;
  }

  World& world_;
  Simulation& sim_;
  const config::Scenario& scenario_;
  ScenarioOptions options_;
  ScenarioRun run_;
  std::vector<std::pair<LinkId, std::string>> series_key_;  // per timeline series: tunnel, source site
  std::vector<std::pair<Time, std::string>> pending_events_;
  std::vector<config::Failure> in_force_;
  std::vector<std::string> block_;       // the state being described
  std::vector<std::string> last_block_;  // the state last printed
  bool snapshot_current_ = false;        // nothing said since the last state
  size_t trace_seen_ = 0;
  Time phase_start_;
};

}  // namespace

Result<ScenarioRun> run_scenario(const config::Topology& topology, const config::Scenario& scenario,
                                 const ScenarioOptions& options) {
  SimulationConfig config;
  config.seed = options.seed;
  auto world = World::build(topology, config, options.flows_per_direction);
  if (!world) return world.error();
  Runner runner(**world, scenario, options);
  return runner.run();
}

std::string render_scenario_run(const ScenarioRun& run) {
  std::string out;
  for (const std::string& line : run.lines) out += line + "\n";
  if (!run.timeline.phases.empty()) {
    out += "\nper step (an outage counts in the step where it starts):\n";
    out += design::render_summary_table(design::summarize(run.timeline));
  }
  return out;
}

}  // namespace halink::sim
