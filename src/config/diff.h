// What changed between the running router configuration and a new one, so
// that SIGHUP / `halink reload` touches only what it must: a session whose
// settings did not change keeps running, a policy change is re-evaluated
// without a reset (like a route refresh), and only settings carried by the
// TCP connection or the OPEN message force a session to be re-established.
#pragma once

#include <string>
#include <vector>

#include "config/topology.h"

namespace halink::config {

enum class NeighborChangeKind : uint8_t { unchanged, added, removed, changed };
const char* neighbor_change_kind_name(NeighborChangeKind k);

// Neighbours are matched by name: a renamed neighbour is one removed and one added.
struct NeighborChange {
  std::string name;
  NeighborChangeKind kind = NeighborChangeKind::unchanged;
  // address, port, remote_as, tunnel, interface, update_source,
  // ebgp_multihop, ttl_security, password_file, hold_time, families (or the
  // router's local_as / router_id): the connection or the OPEN changes.
  bool reset_session = false;
  // import policy, max_prefix, honor_graceful_shutdown: run the Adj-RIB-In
  // through the new import policy again (RFC 7313-style soft reconfiguration).
  bool reevaluate_import = false;
  // export policy, next_hop_self: run the Loc-RIB through the export rules
  // again and send the table again.
  bool reevaluate_export = false;
  bool bfd_changed = false;       // start, stop or reconfigure (RFC 5880 §6.8.3 Poll) the BFD session
  bool shutdown_changed = false;  // administratively disabled or enabled
  // passive, connect_retry, idle_hold_max, keepalive, description: take
  // effect without touching the session.
  bool live_changed = false;
  std::vector<std::string> changed_keys;  // YAML key names, for the log

  bool operator==(const NeighborChange&) const = default;
};

struct RouterDiff {
  bool identity_changed = false;  // local_as or router_id: every session restarts
  bool listen_changed = false;    // re-bind the listening sockets
  bool control_socket_changed = false;
  bool networks_changed = false;  // originate / withdraw
  bool ecmp_changed = false;      // run the decision process again for every prefix
  bool fib_changed = false;       // table, install, keep_on_exit
  bool static_routes_changed = false;
  // New order first, then the removed ones; unchanged neighbours included.
  std::vector<NeighborChange> neighbors;

  bool empty() const;  // nothing at all to apply
  const NeighborChange* find(const std::string& name) const;
  // One line per change, for the daemon's log ("neighbor g1-t1: reset (hold_time)").
  std::vector<std::string> describe() const;
};

RouterDiff diff_router(const RouterConfig& before, const RouterConfig& after);

}  // namespace halink::config
