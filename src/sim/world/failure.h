// Failures a design must survive, run in the simulator one at a time with
// the real protocol code, and what each did to traffic.
#pragma once

#include <string>
#include <vector>

#include "config/scenario.h"
#include "config/topology.h"
#include "core/result.h"
#include "core/time.h"
#include "sim/simulation.h"

namespace halink::sim {

// The kinds are config::FailureKind, shared with scenario files and the lab.
// The simulator models each as follows; the lab-only kinds are mapped to
// what the far end and the forwarding really see, never left out:
//   tunnel-blackhole      the link drops every packet; both interfaces stay up
//   tunnel-down           the link loses carrier on both ends
//   router-crash          the node dies (connections vanish, routes gone); restore boots it
//   underlay-loss         every tunnel over the underlay black-holes
//   device-crash          the device node dies; restore boots it
//   link-down             the link drops every packet and only the named end
//                         sees its interface go down (the far end of a
//                         WireGuard-style tunnel has no carrier to lose: it
//                         hears silence and finds out by BFD or hold timer)
//   tunnel-process-crash  the same as link-down: the local tunnel interface
//                         disappears (its routes and session with it), the
//                         far side hears silence
//   tunnel-wrong-key      the same as tunnel-blackhole: neither end accepts
//                         the other's packets, interfaces stay up
//   halinkd-restart       the router's daemon is killed and started again:
//                         its TCP connections are closed (the kernel sends
//                         FIN for a dead process), its routes are removed at
//                         start-up (halinkd clears stale routes), links and
//                         the box stay up; sessions and routes come back
//                         as the new daemon re-establishes them
using Failure = config::Failure;
using config::failure_kind_name;

// One per element: every tunnel (black-holed), router, underlay and device.
std::vector<Failure> single_failures(const config::Topology& topology);

struct DirectionOutage {
  std::string from_site;
  std::string to_site;
  size_t flows = 0;
  size_t flows_hit = 0;      // flows that lost at least one sample
  Duration worst;            // longest outage of any flow
  Duration median_hit;       // median over the flows that were hit
  bool recovered = true;     // every flow delivered again before the window ended
};

struct FailureRun {
  Failure failure;
  Duration converged_after;             // from cold start
  std::vector<DirectionOutage> failure_outage;   // while the failure lasts
  std::vector<DirectionOutage> restore_outage;   // after the repair (failback)
  std::vector<std::string> trace_excerpt;        // protocol events during the failure
};

struct RunOptions {
  uint64_t seed = 1;
  int flows_per_direction = 64;
  Duration settle = Duration::seconds(3);  // steady traffic before the failure
  // How long the failure lasts; unset: the longest hold time in the design + 5 s.
  std::optional<Duration> failure_duration;
  Duration after_restore = Duration::seconds(30);
  Duration convergence_limit = Duration::seconds(300);
};

class World;
// Starts (`fail`) or repairs the failure in the running world, as described above.
Status apply_failure(World& world, const Failure& failure, bool fail);

Result<FailureRun> run_failure(const config::Topology& topology, const Failure& failure, const RunOptions& options);

}  // namespace halink::sim
