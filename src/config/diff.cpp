#include "config/diff.h"

namespace halink::config {

const char* neighbor_change_kind_name(NeighborChangeKind k) {
  switch (k) {
    case NeighborChangeKind::unchanged: return "unchanged";
    case NeighborChangeKind::added: return "added";
    case NeighborChangeKind::removed: return "removed";
    case NeighborChangeKind::changed: return "changed";
  }
  return "?";
}

namespace {

NeighborChange compare(const Neighbor& a, const Neighbor& b, bool identity_changed) {
  NeighborChange change;
  change.name = b.name;
  auto note = [&](bool differs, const char* key, bool& flag) {
    if (!differs) return;
    flag = true;
    change.changed_keys.push_back(key);
  };
  // Carried by the TCP connection or by the OPEN message (RFC 4271 §4.2, RFC 5492).
  note(a.address != b.address, "address", change.reset_session);
  note(a.port != b.port, "port", change.reset_session);
  note(a.remote_as != b.remote_as, "remote_as", change.reset_session);
  note(a.tunnel != b.tunnel, "tunnel", change.reset_session);
  note(a.interface != b.interface, "interface", change.reset_session);
  note(a.update_source != b.update_source, "update_source", change.reset_session);
  note(a.ebgp_multihop != b.ebgp_multihop, "ebgp_multihop", change.reset_session);
  note(a.ttl_security != b.ttl_security, "ttl_security", change.reset_session);
  note(a.password_file != b.password_file, "password_file", change.reset_session);
  note(a.hold_time != b.hold_time, "hold_time", change.reset_session);
  note(a.families != b.families, "families", change.reset_session);
  // The as-received copy must hold the whole table from the session's start.
  note(a.soft_reconfiguration_inbound != b.soft_reconfiguration_inbound, "soft_reconfiguration_inbound",
       change.reset_session);
  if (identity_changed) {
    change.reset_session = true;
    change.changed_keys.push_back("local_as/router_id");
  }
  // Policy: re-evaluation, no reset.
  note(a.policy.import_policy != b.policy.import_policy, "import", change.reevaluate_import);
  note(a.policy.max_prefix_ipv4 != b.policy.max_prefix_ipv4 || a.policy.max_prefix_ipv6 != b.policy.max_prefix_ipv6,
       "max_prefix", change.reevaluate_import);
  note(a.policy.honor_graceful_shutdown != b.policy.honor_graceful_shutdown, "honor_graceful_shutdown",
       change.reevaluate_import);
  note(a.policy.export_policy != b.policy.export_policy, "export", change.reevaluate_export);
  note(a.next_hop_self != b.next_hop_self, "next_hop_self", change.reevaluate_export);
  note(a.bfd != b.bfd, "bfd", change.bfd_changed);
  note(a.shutdown != b.shutdown, "shutdown", change.shutdown_changed);
  note(a.passive != b.passive, "passive", change.live_changed);
  note(a.connect_retry != b.connect_retry, "connect_retry", change.live_changed);
  note(a.idle_hold_max != b.idle_hold_max, "idle_hold_max", change.live_changed);
  note(a.keepalive != b.keepalive, "keepalive", change.live_changed);
  note(a.description != b.description, "description", change.live_changed);
  change.kind = change.changed_keys.empty() ? NeighborChangeKind::unchanged : NeighborChangeKind::changed;
  return change;
}

}  // namespace

RouterDiff diff_router(const RouterConfig& before, const RouterConfig& after) {
  RouterDiff diff;
  diff.identity_changed = before.local_as != after.local_as || before.router_id != after.router_id;
  diff.listen_changed = before.listen != after.listen;
  diff.control_socket_changed = before.control_socket != after.control_socket;
  diff.networks_changed = before.networks != after.networks;
  diff.ecmp_changed = before.ecmp != after.ecmp;
  diff.fib_changed = before.fib != after.fib;
  diff.static_routes_changed = before.static_routes != after.static_routes;
  for (const Neighbor& now : after.neighbors) {
    if (const Neighbor* was = before.find_neighbor(now.name)) {
      diff.neighbors.push_back(compare(*was, now, diff.identity_changed));
    } else {
      NeighborChange added;
      added.name = now.name;
      added.kind = NeighborChangeKind::added;
      diff.neighbors.push_back(added);
    }
  }
  for (const Neighbor& was : before.neighbors) {
    if (after.find_neighbor(was.name)) continue;
    NeighborChange removed;
    removed.name = was.name;
    removed.kind = NeighborChangeKind::removed;
    diff.neighbors.push_back(removed);
  }
  return diff;
}

bool RouterDiff::empty() const {
  if (identity_changed || listen_changed || control_socket_changed || networks_changed || ecmp_changed ||
      fib_changed || static_routes_changed)
    return false;
  for (const NeighborChange& n : neighbors)
    if (n.kind != NeighborChangeKind::unchanged) return false;
  return true;
}

const NeighborChange* RouterDiff::find(const std::string& name) const {
  for (const NeighborChange& n : neighbors)
    if (n.name == name) return &n;
  return nullptr;
}

std::vector<std::string> RouterDiff::describe() const {
  std::vector<std::string> lines;
  if (identity_changed) lines.push_back("local_as/router_id changed: every session restarts");
  if (listen_changed) lines.push_back("listen changed");
  if (control_socket_changed) lines.push_back("control_socket changed");
  if (networks_changed) lines.push_back("networks changed");
  if (ecmp_changed) lines.push_back("ecmp changed");
  if (fib_changed) lines.push_back("fib changed");
  if (static_routes_changed) lines.push_back("static_routes changed");
  for (const NeighborChange& n : neighbors) {
    if (n.kind == NeighborChangeKind::unchanged) continue;
    std::string line = "neighbor " + n.name + ": " + neighbor_change_kind_name(n.kind);
    if (n.kind == NeighborChangeKind::changed) {
      std::string effects;
      auto add = [&](bool flag, const char* what) {
        if (flag) effects += (effects.empty() ? "" : ", ") + std::string(what);
      };
      add(n.reset_session, "session reset");
      add(n.reevaluate_import, "import re-evaluated");
      add(n.reevaluate_export, "export re-evaluated");
      add(n.bfd_changed, "BFD reconfigured");
      add(n.shutdown_changed, "admin state");
      add(n.live_changed, "applied live");
      std::string keys;
      for (const std::string& k : n.changed_keys) keys += (keys.empty() ? "" : ", ") + k;
      line += " (" + keys + "): " + effects;
    }
    lines.push_back(line);
  }
  return lines;
}

}  // namespace halink::config
