#include "lab/failures.h"

#include <algorithm>
#include <future>

namespace halink::lab {

namespace {

// nftables table names: letters, digits and underscores.
std::string table_name(const std::string& kind, const std::string& target) {
  std::string out = "halink_" + kind + "_";
  for (char c : target) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

}  // namespace

Result<const TunnelPlan*> FailureInjector::tunnel(const std::string& name) const {
  if (const TunnelPlan* t = lab_.plan().find_tunnel(name)) return t;
  return Error{"no tunnel named " + name + " in lab " + lab_.name()};
}

size_t FailureInjector::end_index(const TunnelPlan& tunnel, const std::string& router) const {
  return !router.empty() && tunnel.ends[1].router == router ? 1 : 0;
}

Status FailureInjector::blackhole(const std::string& table, const std::vector<const TunnelPlan*>& tunnels, bool fail) {
  // One table per failure and namespace, holding a rule per tunnel end
  // there: the repair deletes the table and touches no other failure's.
  std::map<std::string, std::string> rules;  // namespace → rules
  for (const TunnelPlan* t : tunnels)
    for (size_t e = 0; e < 2; ++e) {
      const WireGuardEnd& me = t->ends[e];
      const WireGuardEnd& peer = t->ends[1 - e];
      rules[me.namespace_name] += "    ip saddr " + peer.underlay_address.to_string() + " udp sport " +
                                  std::to_string(peer.listen_port) + " udp dport " + std::to_string(me.listen_port) +
                                  " drop\n";
    }
  Status status;
  if (fail) {
    // Every namespace at once: one after another, a loss of an underlay
    // reached its four routers over 280-470 ms on a loaded machine (each
    // `ip netns exec` took that long to start), so the flows' outage held
    // that spread as well as the detection (docs/PERFORMANCE.md).
    std::vector<std::future<Result<std::string>>> runs;
    for (const auto& [ns, text] : rules) {
      // Priority -300: before connection tracking, so nothing about the
      // dropped packets is remembered when the path comes back.
      std::string script = "table inet " + table + " {\n  chain prerouting {\n" +
                           "    type filter hook prerouting priority -300; policy accept;\n" + text + "  }\n}\n";
      runs.push_back(std::async(std::launch::async, [argv = in_namespace(ns, {"nft", "-f", "-"}),
                                                     script = std::move(script)] { return run_command(argv, script); }));
    }
    for (auto& run : runs)
      if (auto r = run.get(); !r && status) status = Error{r.message()};
    return status;
  }
  for (const auto& [ns, text] : rules) {
    if (auto r = lab_.run_in(ns, {"nft", "delete", "table", "inet", table}); !r && status) status = Error{r.message()};
  }
  return status;
}

Status FailureInjector::tunnel_link(const TunnelPlan& tunnel, const std::string& router, bool up) {
  for (const WireGuardEnd& end : tunnel.ends)
    if (router.empty() || end.router == router)
      if (auto s = lab_.set_link(end.namespace_name, end.interface, up); !s) return s;
  return Status::success();
}

Status FailureInjector::apply(const config::Failure& failure, bool fail) {
  using Kind = config::FailureKind;
  const std::string& target = failure.target;
  switch (failure.kind) {
    case Kind::tunnel_blackhole: {
      auto t = tunnel(target);
      if (!t) return Error{t.message()};
      return blackhole(table_name("blackhole", target), {*t}, fail);
    }
    case Kind::underlay_loss: {
      std::vector<const TunnelPlan*> over;
      for (const TunnelPlan& t : lab_.plan().tunnels)
        if (t.underlay == target) over.push_back(&t);
      if (over.empty()) return Error{"no tunnel runs over underlay " + target};
      return blackhole(table_name("underlay", target), over, fail);
    }
    case Kind::tunnel_down:
    case Kind::link_down: {
      auto t = tunnel(target);
      if (!t) return Error{t.message()};
      std::string router = failure.kind == Kind::link_down ? (*t)->ends[end_index(**t, failure.router)].router : "";
      return tunnel_link(**t, router, !fail);
    }
    case Kind::tunnel_process_crash: {
      auto t = tunnel(target);
      if (!t) return Error{t.message()};
      size_t end = end_index(**t, failure.router);
      if (fail) {
        lab_.crash_tunnel_end(**t, end);
        return Status::success();
      }
      return lab_.start_tunnel_end(**t, end);
    }
    case Kind::tunnel_wrong_key: {
      auto t = tunnel(target);
      if (!t) return Error{t.message()};
      return lab_.set_peer_key(**t, 0, !fail);
    }
    case Kind::router_crash: {
      const NamespacePlan* ns = lab_.plan().find_namespace_of(target);
      if (!ns) return Error{"no router named " + target + " in lab " + lab_.name()};
      if (fail) lab_.stop_daemon(target, true);
      for (const std::string& interface : lab_.router_interfaces(target))
        if (auto s = lab_.set_link(ns->name, interface, !fail); !s) return s;
      return fail ? Status::success() : lab_.start_daemon(target);
    }
    case Kind::halinkd_restart: {
      if (!fail) return Status::success();
      lab_.stop_daemon(target, true);
      return lab_.start_daemon(target);
    }
    case Kind::device_crash:
      return Error{"the lab builds no devices, so " + failure.to_string() + " cannot be injected"};
  }
  return Error{"unknown failure kind"};
}

Status FailureInjector::inject(const config::Failure& failure) {
  if (std::find(in_force_.begin(), in_force_.end(), failure) != in_force_.end())
    return Error{failure.to_string() + " is already in force"};
  Status status = apply(failure, true);
  if (!status) return Error{"fail: " + failure.to_string() + ": " + status.message()};
  if (!config::failure_is_instant(failure.kind)) in_force_.push_back(failure);
  return Status::success();
}

Status FailureInjector::restore(const config::Failure& failure) {
  auto found = std::find(in_force_.begin(), in_force_.end(), failure);
  if (found == in_force_.end()) return Error{failure.to_string() + " is not in force"};
  Status status = apply(failure, false);
  in_force_.erase(found);
  if (!status) return Error{"restore: " + failure.to_string() + ": " + status.message()};
  return Status::success();
}

Status FailureInjector::restore_all() {
  Status status;
  while (!in_force_.empty()) {
    Status s = restore(in_force_.back());
    if (!s && status) status = s;
  }
  return status;
}

ConvergenceOptions FailureInjector::expectation() const {
  ConvergenceOptions options;
  options.failed = config::failures_take_down(in_force_, lab_.topology());
  return options;
}

}  // namespace halink::lab
