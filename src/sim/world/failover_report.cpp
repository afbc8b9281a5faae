#include "sim/world/failover_report.h"

#include <cstdio>

#include "design/timeline.h"
#include "sim/world/world.h"

namespace halink::sim {

Result<DesignRun> run_design(const config::Topology& topology, const std::vector<Failure>& failures,
                             const RunOptions& options) {
  DesignRun run;
  run.design = topology.name;
  SimulationConfig config;
  config.seed = options.seed;
  auto world = World::build(topology, config, options.flows_per_direction);
  if (!world) return world.error();
  auto converged = (*world)->run_until_converged(options.convergence_limit);
  if (!converged) return Error{"the design did not converge within " + options.convergence_limit.to_string()};
  run.converged_after = *converged;
  (*world)->simulation().run_for(Duration::seconds(1));
  (*world)->simulation().traffic().reset_volumes();
  (*world)->simulation().run_for(Duration::seconds(2));
  for (auto& share : (*world)->tunnel_shares()) {
    const config::Tunnel* t = topology.find_tunnel(share.tunnel);
    run.tunnel_share.emplace_back(share.tunnel + " (" + t->ends[0].router + "→" + t->ends[1].router + ", " +
                                      share.underlay + ")",
                                  share.share_from_a);
  }
  for (const Failure& f : failures) {
    auto r = run_failure(topology, f, options);
    if (!r) return Error{f.describe() + ": " + r.message()};
    run.failures.push_back(std::move(*r));
  }
  return run;
}

namespace {
std::string outage_cell(const DirectionOutage& d) {
  if (d.flows_hit == 0) return "none";
  std::string s = design::milliseconds_text(d.worst) + " (" + std::to_string(d.flows_hit) + "/" + std::to_string(d.flows) + " flows)";
  if (!d.recovered) s += " NOT RECOVERED";
  return s;
}
}  // namespace

std::string render_design_run(const DesignRun& run) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "all sessions Established %.2f s after a cold start\n",
                run.converged_after.seconds_f());
  out += line;
  out += "traffic share of each tunnel, from its first end's site:\n";
  for (auto& [tunnel, share] : run.tunnel_share) {
    std::snprintf(line, sizeof line, "  %-40s %5.1f %%\n", tunnel.c_str(), share * 100);
    out += line;
  }
  if (run.failures.empty()) return out;
  // Column headers name the directions of the first failure's sites.
  const auto& dirs = run.failures.front().failure_outage;
  out += "worst outage per flow (flows hit), each failure lasting until repaired:\n";
  std::snprintf(line, sizeof line, "  %-36s", "failure");
  out += line;
  for (auto& d : dirs) {
    std::snprintf(line, sizeof line, " %-28s", (d.from_site + " → " + d.to_site).c_str());
    out += line;
  }
  out += " after repair\n";
  for (const FailureRun& f : run.failures) {
    std::snprintf(line, sizeof line, "  %-36s", f.failure.describe().c_str());
    out += line;
    for (auto& d : f.failure_outage) {
      std::snprintf(line, sizeof line, " %-28s", outage_cell(d).c_str());
      out += line;
    }
    Duration worst_restore;
    for (auto& d : f.restore_outage) worst_restore = std::max(worst_restore, d.worst);
    out += " " + (worst_restore.is_zero() ? std::string("no loss") : design::milliseconds_text(worst_restore)) + "\n";
  }
  return out;
}

void add_to_report(const DesignRun& run, design::Report& report) {
  for (const FailureRun& f : run.failures) {
    // One entry per pair of sites, as the report keeps directions a→b and b→a.
    for (size_t i = 0; i < f.failure_outage.size(); ++i) {
      const DirectionOutage& ab = f.failure_outage[i];
      if (ab.from_site > ab.to_site) continue;
      const DirectionOutage* ba = nullptr;
      for (auto& d : f.failure_outage)
        if (d.from_site == ab.to_site && d.to_site == ab.from_site) ba = &d;
      design::SimulatedFailover entry;
      entry.failure = f.failure.describe();
      entry.elements = {f.failure.target};
      entry.site_a = ab.from_site;
      entry.site_b = ab.to_site;
      entry.outage_a_to_b = ab.worst;
      entry.outage_b_to_a = ba ? ba->worst : Duration::zero();
      entry.survived = ab.recovered && (!ba || ba->recovered);
      report.simulated_failover.push_back(std::move(entry));
    }
  }
}

}  // namespace halink::sim
